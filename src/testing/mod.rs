//! The embedded sandbox: an in-process fake Belvo server for tests and demos.
//!
//! [`Sandbox::start`] binds `127.0.0.1` on a free port and serves the Balances
//! operations (list, retrieve, resume, detail, delete) the way Belvo does:
//! HTTP Basic auth, Belvo's error arrays (`[{code, message, request_id,
//! field?}]`), `201`/`200` depending on `save_data`, DRF-style pagination with
//! absolute `next`/`previous` URLs, and, above all, the multi-factor pause:
//! a `428 token_required` carrying a `session` that a later `PATCH` resumes.
//!
//! What happens on a retrieve is scripted by the link it names: every
//! [`Scenario`] has a fixed [`Scenario::link`]. The right token for every
//! factor is [`SANDBOX_TOKEN`], and the `428` body even shows it as its hint
//! (`token_generation_data.value`), so a demo can be driven by hand.
//!
//! | scenario | what a retrieve on its link does |
//! |---|---|
//! | [`Scenario::NoMfa`] | answers the balances at once |
//! | [`Scenario::TokenOnce`] | `428`, then one `PATCH` with the token |
//! | [`Scenario::TokenTwice`] | `428`, `PATCH` with the token, `428` again (second factor), `PATCH` again |
//! | [`Scenario::Inputless`] | `428` that expects no input; `PATCH` without a token |
//! | [`Scenario::Expiring`] | like token-once, but the session dies after 2 seconds |
//! | [`Scenario::WrongToken`] | like token-once, but every token is rejected |
//!
//! Each sandbox has its own state (sessions, stored balances, [`Hits`]
//! counters) and stops when dropped. A fresh sandbox already stores 250
//! balances of the [`Scenario::NoMfa`] link, so listing is never empty.
//! The 428 body shape, the expiry and the number of balances per link are set
//! with [`SandboxConfig`].
//!
//! This module exists only with the `testing` cargo feature. The sandbox
//! must be started inside a Tokio runtime (it spawns its server task).
//!
//! # Example
//!
//! ```no_run
//! use belvo::testing::{Sandbox, Scenario, SANDBOX_SECRET_ID, SANDBOX_SECRET_PASSWORD, SANDBOX_TOKEN};
//! use serde_json::{json, Value};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start().await?;
//!
//! // The typed client, already pointed at the sandbox with its credentials.
//! let _client = sandbox.client()?;
//!
//! // Or plain HTTP: a retrieve on the token-once link pauses with a 428 ...
//! let http = reqwest::Client::new();
//! let url = format!("{}/api/balances/", sandbox.base_url());
//! let link = Scenario::TokenOnce.link();
//! let paused = http
//!     .post(&url)
//!     .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
//!     .json(&json!({"link": link, "date_from": "2024-01-01", "date_to": "2024-01-31"}))
//!     .send()
//!     .await?;
//! assert_eq!(paused.status(), 428);
//! let paused: Value = paused.json().await?;
//!
//! // ... and a PATCH with the session and the token finishes it.
//! let done = http
//!     .patch(&url)
//!     .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
//!     .json(&json!({"session": paused["session"], "link": link, "token": SANDBOX_TOKEN}))
//!     .send()
//!     .await?;
//! assert_eq!(done.status(), 201);
//! assert_eq!(sandbox.hits().resume, 1);
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde_json::{json, Map, Number, Value};
use tokio::sync::oneshot;
use uuid::Uuid;

/// The secret id the sandbox accepts (the HTTP Basic user).
pub const SANDBOX_SECRET_ID: &str = "sandbox-secret-id";
/// The secret password the sandbox accepts (the HTTP Basic password).
pub const SANDBOX_SECRET_PASSWORD: &str = "sandbox-secret-password";
/// The right MFA token, for every factor of every scenario
/// (except [`Scenario::WrongToken`], which rejects them all).
pub const SANDBOX_TOKEN: &str = "123456";

/// The path of the Balances collection.
const BALANCES_PATH: &str = "/api/balances/";
/// How long a session of [`Scenario::Expiring`] lives, in seconds.
const EXPIRING_SECS: u64 = 2;
/// How many balances a fresh sandbox stores for the [`Scenario::NoMfa`] link.
const SEEDED_BALANCES: usize = 250;
/// The largest request body read.
const BODY_LIMIT: usize = 1 << 20;
/// `message` of every 428 object.
const TOKEN_REQUIRED_MESSAGE: &str = "A MFA token is required by the institution to login";
/// `instructions` of the SMS factor.
const SMS_INSTRUCTIONS: &str = "Enter the 6-digit code sent by SMS to ***-***-1234";

// ---------------------------------------------------------------------------
// Scenarios and configuration
// ---------------------------------------------------------------------------

/// Scripted MFA behaviour; each scenario is selected by the link id the
/// retrieve uses (see [`Scenario::link`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// No MFA: the retrieve answers the balances at once.
    NoMfa,
    /// One numeric token: `428`, then a `PATCH` with [`SANDBOX_TOKEN`] finishes.
    /// A right token sent up front with the retrieve skips the pause.
    TokenOnce,
    /// Two factors: the first right token answers `428` again (same session,
    /// second factor); the second right token finishes. A right token sent up
    /// front counts as the first factor.
    TokenTwice,
    /// A factor that expects no user input (approve in the bank's app): the
    /// `PATCH` that finishes carries no token.
    Inputless,
    /// Like [`Scenario::TokenOnce`], but the session expires 2 seconds after
    /// the `428`, so a late `PATCH` gets `400 session_expired`. Tokens sent up
    /// front are ignored.
    Expiring,
    /// Like [`Scenario::TokenOnce`], but every token is rejected with
    /// `400 invalid` on the `token` field.
    WrongToken,
}

impl Scenario {
    /// Every scenario, in declaration order.
    pub const ALL: [Scenario; 6] = [
        Scenario::NoMfa,
        Scenario::TokenOnce,
        Scenario::TokenTwice,
        Scenario::Inputless,
        Scenario::Expiring,
        Scenario::WrongToken,
    ];

    /// The fixed link id that selects this scenario
    /// (`5a2f0c1e-7b3d-4e8a-9c61-00000000000N`, N = 1..=6 in [`Scenario::ALL`] order).
    #[must_use]
    pub fn link(self) -> Uuid {
        let last: u128 = match self {
            Scenario::NoMfa => 1,
            Scenario::TokenOnce => 2,
            Scenario::TokenTwice => 3,
            Scenario::Inputless => 4,
            Scenario::Expiring => 5,
            Scenario::WrongToken => 6,
        };
        Uuid::from_u128(0x5a2f_0c1e_7b3d_4e8a_9c61_0000_0000_0000 | last)
    }

    /// The scenario whose [`Scenario::link`] is `link`, if any.
    #[must_use]
    pub fn from_link(link: Uuid) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.link() == link)
    }

    /// A short kebab-case name: `no-mfa`, `token-once`, `token-twice`,
    /// `inputless`, `expiring`, `wrong-token`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Scenario::NoMfa => "no-mfa",
            Scenario::TokenOnce => "token-once",
            Scenario::TokenTwice => "token-twice",
            Scenario::Inputless => "inputless",
            Scenario::Expiring => "expiring",
            Scenario::WrongToken => "wrong-token",
        }
    }

    /// The scenario named `s` (see [`Scenario::name`]); case and `_` versus
    /// `-` do not matter.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Scenario> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Scenario::ALL.into_iter().find(|sc| sc.name() == wanted)
    }

    /// One line describing the scenario, for `--help` texts.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Scenario::NoMfa => "no MFA: the retrieve answers the balances at once",
            Scenario::TokenOnce => "one SMS token: 428, then resume with the token",
            Scenario::TokenTwice => {
                "two factors: 428, resume with the token, 428 again, resume again"
            }
            Scenario::Inputless => "approve in the bank's app: 428, then resume without a token",
            Scenario::Expiring => "one token, but the session expires 2 seconds after the 428",
            Scenario::WrongToken => "one token, but every token is rejected as invalid",
        }
    }

    /// Whether resuming this scenario needs a token.
    fn needs_token(self) -> bool {
        !matches!(self, Scenario::NoMfa | Scenario::Inputless)
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the `428 token_required` body is shaped (Belvo documents three shapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenRequiredShape {
    /// `{"code": "token_required", "message", "request_id", "session",
    /// "expiry", "link", "token_generation_data"}`.
    #[default]
    Object,
    /// The same object inside a one-element array.
    Array,
    /// The legacy `{"detail": "Token Required", "session", "expiry", "link"}`.
    Legacy,
}

/// Settings of a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The shape of `428` bodies.
    pub shape: TokenRequiredShape,
    /// Send `expiry` as a string (`"600"`) instead of a number (`600`).
    pub expiry_as_string: bool,
    /// Seconds an MFA session stays valid (default 600); [`Scenario::Expiring`]
    /// always uses 2.
    pub expiry_secs: u64,
    /// How many balances (one per account) a retrieve returns per link
    /// (default 3); also the number of accounts of the seeded list.
    pub balances_per_link: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            shape: TokenRequiredShape::Object,
            expiry_as_string: false,
            expiry_secs: 600,
            balances_per_link: 3,
        }
    }
}

/// How many requests each operation has received so far (see [`Sandbox::hits`]).
///
/// Requests refused with `401` count only in `unauthorized`; every other
/// request counts in its operation, whatever its outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hits {
    /// `GET /api/balances/`.
    pub list: u64,
    /// `POST /api/balances/`.
    pub retrieve: u64,
    /// `PATCH /api/balances/`.
    pub resume: u64,
    /// `GET /api/balances/{id}/`.
    pub detail: u64,
    /// `DELETE /api/balances/{id}/`.
    pub delete: u64,
    /// Requests refused for missing or wrong credentials.
    pub unauthorized: u64,
}

// ---------------------------------------------------------------------------
// The sandbox
// ---------------------------------------------------------------------------

/// A running fake Belvo server on `127.0.0.1`; it stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts a sandbox with the default [`SandboxConfig`].
    ///
    /// Must be called inside a Tokio runtime (it panics otherwise, like
    /// `tokio::spawn`).
    ///
    /// # Errors
    ///
    /// Fails only if no port of `127.0.0.1` can be bound.
    pub async fn start() -> std::io::Result<Sandbox> {
        Sandbox::start_with(SandboxConfig::default()).await
    }

    /// Starts a sandbox with `config`.
    ///
    /// Must be called inside a Tokio runtime (it panics otherwise, like
    /// `tokio::spawn`).
    ///
    /// # Errors
    ///
    /// Fails only if no port of `127.0.0.1` can be bound.
    pub async fn start_with(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config, format!("http://{addr}")));
        let app = Router::new()
            .fallback(dispatch)
            .with_state(Arc::clone(&shared));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                // Either a signal or a dropped sender: stop in both cases.
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "belvo sandbox server stopped with an error");
            }
        });
        tracing::debug!(%addr, "belvo sandbox started");
        Ok(Sandbox {
            addr,
            shared,
            shutdown: Some(shutdown),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT` (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// A [`crate::Client`] pointed at this sandbox with the sandbox credentials.
    ///
    /// # Errors
    ///
    /// Whatever [`crate::Client::builder`]'s `build` reports.
    pub fn client(&self) -> Result<crate::Client, crate::Error> {
        crate::Client::builder()
            .base_url(self.base_url())
            .credentials(crate::Credentials::new(
                SANDBOX_SECRET_ID,
                SANDBOX_SECRET_PASSWORD,
            ))
            .build()
    }

    /// The request counters so far.
    #[must_use]
    pub fn hits(&self) -> Hits {
        self.shared.lock().hits
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            // The server may already be gone (runtime shut down): nothing to do then.
            let _ = shutdown.send(());
        }
    }
}

// ---------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------

struct Shared {
    config: SandboxConfig,
    base_url: String,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    hits: Hits,
    sessions: HashMap<String, Session>,
    /// Persisted balances, in a deterministic order (seeded ones first, then
    /// by first insertion).
    store: Vec<Stored>,
}

struct Stored {
    id: Uuid,
    link: Uuid,
    account: Uuid,
    body: Value,
}

/// What a retrieve asked for; kept in a session until it completes.
#[derive(Debug, Clone, Copy)]
struct Fetch {
    scenario: Scenario,
    link: Uuid,
    account: Option<Uuid>,
    date_from: NaiveDate,
    date_to: NaiveDate,
}

#[derive(Debug, Clone, Copy)]
struct Session {
    fetch: Fetch,
    /// The factor being asked for: 1, or 2 for the second factor of token-twice.
    round: u8,
    /// `None` when the expiry is too large to represent.
    deadline: Option<Instant>,
}

impl Session {
    fn expired(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| now >= d)
    }
}

impl Shared {
    fn new(config: SandboxConfig, base_url: String) -> Shared {
        let shared = Shared {
            config,
            base_url,
            inner: Mutex::new(Inner::default()),
        };
        let seeded = shared.seed();
        shared.lock().store = seeded;
        shared
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// 250 balances of the no-mfa link: its accounts over consecutive days
    /// going back from 2024-01-31, newest first.
    fn seed(&self) -> Vec<Stored> {
        let accounts = self.config.balances_per_link.max(1);
        let link = Scenario::NoMfa.link();
        let last_day = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap_or_default();
        (0..SEEDED_BALANCES)
            .filter_map(|k| {
                let days = u64::try_from(k / accounts).ok()?;
                let date = last_day.checked_sub_days(chrono::Days::new(days))?;
                Some(balance(link, k % accounts, date))
            })
            .collect()
    }

    /// The balances a retrieve on `fetch` answers.
    fn balances_for(&self, fetch: &Fetch) -> Vec<Stored> {
        (0..self.config.balances_per_link)
            .map(|index| balance(fetch.link, index, fetch.date_to))
            .filter(|b| fetch.account.is_none_or(|a| a == b.account))
            .collect()
    }

    fn expiry_secs(&self, scenario: Scenario) -> u64 {
        if scenario == Scenario::Expiring {
            EXPIRING_SECS
        } else {
            self.config.expiry_secs
        }
    }
}

/// The sample Balance of the collection's Retrieve "Created" example, materialized.
fn balance_template() -> &'static Value {
    static TEMPLATE: OnceLock<Value> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        const COLLECTION: &str = include_str!("../openapi/belvo.postman_collection.json");
        serde_json::from_str::<Value>(COLLECTION)
            .ok()
            .and_then(|c| find_created_balance(&c))
            .map(|sample| materialize(&sample))
            .filter(Value::is_object)
            .unwrap_or_else(|| {
                json!({
                    "id": null, "account": {}, "collected_at": null, "value_date": null,
                    "balance": null, "current_balance": null, "statement": null
                })
            })
    })
}

/// Finds the first element of the 201 example body of the POST balances request.
fn find_created_balance(node: &Value) -> Option<Value> {
    if let Some(items) = node.get("item").and_then(Value::as_array) {
        return items.iter().find_map(find_created_balance);
    }
    let request = node.get("request")?;
    if request.get("method").and_then(Value::as_str) != Some("POST") {
        return None;
    }
    let raw = request
        .get("url")
        .and_then(|u| u.get("raw"))
        .and_then(Value::as_str)?;
    if !raw.contains("/api/balances/") {
        return None;
    }
    node.get("response")?
        .as_array()?
        .iter()
        .filter(|r| r.get("code").and_then(Value::as_u64) == Some(201))
        .find_map(|r| {
            let body: Value = serde_json::from_str(r.get("body")?.as_str()?).ok()?;
            body.as_array()?.first().cloned()
        })
}

/// The balance of account number `index` of `link` on `date`.
fn balance(link: Uuid, index: usize, date: NaiveDate) -> Stored {
    let index_bytes = index.to_le_bytes();
    let date_text = date.format("%Y-%m-%d").to_string();
    let account = derived_uuid(&[b"account", link.as_bytes(), &index_bytes]);
    let id = derived_uuid(&[
        b"balance",
        link.as_bytes(),
        &index_bytes,
        date_text.as_bytes(),
    ]);
    let category = if index == 1 {
        "SAVINGS_ACCOUNT"
    } else {
        "CHECKING_ACCOUNT"
    };
    // 12345.67 + index, written exactly.
    let cents = 1_234_567_u128 + 100 * index as u128;
    let amount = decimal(&format!("{}.{:02}", cents / 100, cents % 100));
    let mut body = balance_template().clone();
    if let Value::Object(fields) = &mut body {
        fields.insert("id".into(), Value::String(id.to_string()));
        fields.insert(
            "account".into(),
            json!({
                "id": account.to_string(),
                "name": format!("Cuenta Nómina {}", index + 1),
                "category": category,
                "currency": "MXN",
            }),
        );
        fields.insert("value_date".into(), Value::String(date_text.clone()));
        fields.insert("balance".into(), amount.clone());
        fields.insert("current_balance".into(), amount);
        fields.insert(
            "collected_at".into(),
            Value::String(format!("{date_text}T12:00:00Z")),
        );
        fields.insert("statement".into(), Value::Null);
    }
    Stored {
        id,
        link,
        account,
        body,
    }
}

/// A JSON number written exactly as `text` (`serde_json`'s arbitrary precision).
fn decimal(text: &str) -> Value {
    Number::from_str(text).map_or(Value::Null, Value::Number)
}

/// A v4-shaped uuid derived from `parts` (FNV-1a, 128 bits).
fn derived_uuid(parts: &[&[u8]]) -> Uuid {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    for part in parts {
        for &byte in part.iter().chain(&[0xff]) {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    uuid::Builder::from_random_bytes(hash.to_be_bytes()).into_uuid()
}

/// A fresh request or session id: 32 lowercase hex characters.
fn random_hex() -> String {
    Uuid::new_v4().simple().to_string()
}

// ---------------------------------------------------------------------------
// Materialize
// ---------------------------------------------------------------------------

/// Replaces Postman placeholders in a sample body by deterministic concrete
/// values of the right JSON type.
///
/// A placeholder is a whole JSON string of the form `"<name>"`:
///
/// | placeholder | value |
/// |---|---|
/// | `<uuid>` | a v4-shaped uuid string derived from the JSON path, so equal paths give equal ids |
/// | `<number>`, `<double>`, `<float>` | the JSON number `1234.56` |
/// | `<integer>`, `<long>` | the JSON number `600` |
/// | `<date>` | `"2024-01-31"` |
/// | `<dateTime>` | `"2024-01-31T12:00:00Z"` |
/// | `<boolean>` | `true` |
/// | `<string>` | `"string"` |
/// | `<email>` | `"user@example.com"` |
/// | `<uri>`, `<url>` | `"https://sandbox.belvo.com/api/balances/?page=2"` |
/// | any other `<x>` | the string `"x"` |
///
/// Every other value is kept as it is.
///
/// ```
/// use belvo::testing::materialize;
/// use serde_json::json;
///
/// let body = materialize(&json!({"id": "<uuid>", "balance": "<number>", "name": "kept"}));
/// assert!(body["balance"].is_number());
/// assert_eq!(body["name"], "kept");
/// assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());
/// ```
#[must_use]
pub fn materialize(sample: &Value) -> Value {
    materialize_at(sample, "$")
}

fn materialize_at(value: &Value, path: &str) -> Value {
    match value {
        Value::String(s) => placeholder(s, path).unwrap_or_else(|| value.clone()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| materialize_at(item, &format!("{path}[{i}]")))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), materialize_at(v, &format!("{path}.{k}"))))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn placeholder(s: &str, path: &str) -> Option<Value> {
    let name = s.strip_prefix('<')?.strip_suffix('>')?;
    if name.is_empty() || name.contains(['<', '>']) {
        return None;
    }
    Some(match name {
        "uuid" => Value::String(derived_uuid(&[b"materialize", path.as_bytes()]).to_string()),
        "number" | "double" | "float" => decimal("1234.56"),
        "integer" | "long" => Value::Number(600.into()),
        "date" => Value::String("2024-01-31".into()),
        "dateTime" => Value::String("2024-01-31T12:00:00Z".into()),
        "boolean" => Value::Bool(true),
        "string" => Value::String("string".into()),
        "email" => Value::String("user@example.com".into()),
        "uri" | "url" => Value::String("https://sandbox.belvo.com/api/balances/?page=2".into()),
        other => Value::String(other.into()),
    })
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// One entry of a Belvo error array.
struct ApiError {
    code: &'static str,
    message: String,
    field: Option<&'static str>,
}

impl ApiError {
    fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    fn field(code: &'static str, field: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: Some(field),
        }
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn errors_response(status: StatusCode, errors: Vec<ApiError>) -> Response {
    let request_id = random_hex();
    let body = errors
        .into_iter()
        .map(|e| {
            let mut entry = Map::new();
            entry.insert("code".into(), Value::String(e.code.into()));
            entry.insert("message".into(), Value::String(e.message));
            entry.insert("request_id".into(), Value::String(request_id.clone()));
            if let Some(field) = e.field {
                entry.insert("field".into(), Value::String(field.into()));
            }
            Value::Object(entry)
        })
        .collect();
    json_response(status, Value::Array(body))
}

fn error_response(status: StatusCode, error: ApiError) -> Response {
    errors_response(status, vec![error])
}

fn bad_request(errors: Vec<ApiError>) -> Response {
    errors_response(StatusCode::BAD_REQUEST, errors)
}

fn not_found(message: &str) -> Response {
    error_response(StatusCode::NOT_FOUND, ApiError::new("not_found", message))
}

fn invalid_token() -> Response {
    bad_request(vec![ApiError::field(
        "invalid",
        "token",
        "The MFA token is not valid",
    )])
}

fn session_expired() -> Response {
    bad_request(vec![ApiError::new(
        "session_expired",
        "The MFA session has expired or does not exist; start a new retrieve",
    )])
}

fn unauthorized() -> Response {
    let mut response = error_response(
        StatusCode::UNAUTHORIZED,
        ApiError::new("authentication_failed", "Invalid credentials"),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"api\""),
    );
    response
}

/// The `fields` / `omit` query parameters (comma-separated field names).
#[derive(Default)]
struct View {
    fields: Option<Vec<String>>,
    omit: Vec<String>,
}

impl View {
    fn from_query(query: &HashMap<String, String>) -> View {
        let names = |key: &str| {
            query.get(key).map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
        };
        View {
            fields: names("fields").filter(|f| !f.is_empty()),
            omit: names("omit").unwrap_or_default(),
        }
    }

    fn apply(&self, mut body: Value) -> Value {
        if let Value::Object(fields) = &mut body {
            if let Some(keep) = &self.fields {
                fields.retain(|k, _| keep.iter().any(|f| f == k));
            }
            fields.retain(|k, _| !self.omit.iter().any(|f| f == k));
        }
        body
    }
}

fn query_map(uri: &Uri) -> Option<HashMap<String, String>> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .ok()
        .map(|Query(q)| q)
}

// ---------------------------------------------------------------------------
// Request handling
// ---------------------------------------------------------------------------

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    tracing::debug!(method = %parts.method, uri = %parts.uri, "belvo sandbox request");
    if !authorized(&parts.headers) {
        shared.lock().hits.unauthorized += 1;
        return unauthorized();
    }
    let path = parts.uri.path();
    match (&parts.method, path) {
        (&Method::GET, BALANCES_PATH) => list(&shared, &parts.uri),
        (&Method::POST | &Method::PATCH, BALANCES_PATH) => {
            let is_post = parts.method == Method::POST;
            {
                let mut inner = shared.lock();
                if is_post {
                    inner.hits.retrieve += 1;
                } else {
                    inner.hits.resume += 1;
                }
            }
            let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
                Ok(bytes) => bytes,
                Err(e) => {
                    return bad_request(vec![ApiError::new(
                        "invalid",
                        format!("Could not read the request body: {e}"),
                    )])
                }
            };
            let view = query_map(&parts.uri)
                .map(|q| View::from_query(&q))
                .unwrap_or_default();
            if is_post {
                retrieve(&shared, &bytes, &view)
            } else {
                resume(&shared, &bytes, &view)
            }
        }
        (&Method::GET | &Method::DELETE, _) => match balance_id(path) {
            // An id that is not a uuid answers 404, like an unknown one.
            Some(id) if parts.method == Method::GET => {
                detail(&shared, Uuid::parse_str(id).ok(), &parts.uri)
            }
            Some(id) => delete(&shared, Uuid::parse_str(id).ok()),
            None => not_found("Not found."),
        },
        _ => not_found("Not found."),
    }
}

/// The `{id}` segment of `/api/balances/{id}/`, if `path` has that form.
fn balance_id(path: &str) -> Option<&str> {
    let id = path.strip_prefix(BALANCES_PATH)?.strip_suffix('/')?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

fn authorized(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, encoded)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Some(decoded) = base64_decode(encoded.trim()) else {
        return false;
    };
    let expected = format!("{SANDBOX_SECRET_ID}:{SANDBOX_SECRET_PASSWORD}");
    decoded == expected.as_bytes()
}

/// Standard base64 (padding optional); `None` on any invalid character.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let data = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.chunks(4) {
        if chunk.len() == 1 {
            return None;
        }
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | sextet(c)?;
        }
        acc <<= 6 * (4 - chunk.len());
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

// --- body fields -----------------------------------------------------------

/// Parses a JSON object body; an empty body is an empty object.
fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(ApiError::new(
            "invalid",
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                json_type(&other)
            ),
        )),
        Err(e) => Err(ApiError::new("invalid", format!("JSON parse error - {e}"))),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A string field. Missing: `required` error if `required`, else `None`;
/// null: `null` error if `required`, else `None`; blank: `blank` error.
fn string_field<'a>(
    body: &'a Map<String, Value>,
    name: &'static str,
    required: bool,
    errors: &mut Vec<ApiError>,
) -> Option<&'a str> {
    match body.get(name) {
        None if required => {
            errors.push(ApiError::field("required", name, "This field is required."));
            None
        }
        Some(Value::Null) if required => {
            errors.push(ApiError::field("null", name, "This field may not be null."));
            None
        }
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.push(ApiError::field(
                "blank",
                name,
                "This field may not be blank.",
            ));
            None
        }
        Some(Value::String(s)) => Some(s.trim()),
        Some(_) => {
            errors.push(ApiError::field("invalid", name, "Not a valid string."));
            None
        }
    }
}

fn uuid_field(
    body: &Map<String, Value>,
    name: &'static str,
    required: bool,
    errors: &mut Vec<ApiError>,
) -> Option<Uuid> {
    if body
        .get(name)
        .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        errors.push(ApiError::field("invalid", name, "Must be a valid UUID."));
        return None;
    }
    let text = string_field(body, name, required, errors)?;
    parse_uuid(text, name, errors)
}

/// `text` as a uuid, or an `invalid` error on `name`.
fn parse_uuid(text: &str, name: &'static str, errors: &mut Vec<ApiError>) -> Option<Uuid> {
    let parsed = Uuid::parse_str(text).ok();
    if parsed.is_none() {
        errors.push(ApiError::field(
            "invalid",
            name,
            format!("\"{text}\" is not a valid UUID."),
        ));
    }
    parsed
}

fn date_field(
    body: &Map<String, Value>,
    name: &'static str,
    errors: &mut Vec<ApiError>,
) -> Option<NaiveDate> {
    const WRONG: &str = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
    if body
        .get(name)
        .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        errors.push(ApiError::field("invalid", name, WRONG));
        return None;
    }
    let text = string_field(body, name, true, errors)?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if text.len() == 10 => Some(date),
        _ => {
            errors.push(ApiError::field("invalid", name, WRONG));
            None
        }
    }
}

/// `save_data`: absent means `true`; otherwise it must be a boolean.
fn save_data_field(body: &Map<String, Value>, errors: &mut Vec<ApiError>) -> bool {
    match body.get("save_data") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(Value::Null) => {
            errors.push(ApiError::field(
                "null",
                "save_data",
                "This field may not be null.",
            ));
            true
        }
        Some(_) => {
            errors.push(ApiError::field(
                "invalid",
                "save_data",
                "Must be a valid boolean.",
            ));
            true
        }
    }
}

// --- operations ------------------------------------------------------------

/// `POST /api/balances/`.
fn retrieve(shared: &Shared, bytes: &[u8], view: &View) -> Response {
    let body = match parse_object(bytes) {
        Ok(body) => body,
        Err(error) => return bad_request(vec![error]),
    };
    let mut errors = Vec::new();
    let link = uuid_field(&body, "link", true, &mut errors);
    let date_from = date_field(&body, "date_from", &mut errors);
    let date_to = date_field(&body, "date_to", &mut errors);
    let account = uuid_field(&body, "account", false, &mut errors);
    let token = string_field(&body, "token", false, &mut errors);
    let save_data = save_data_field(&body, &mut errors);
    let scenario = link.and_then(|link| {
        let found = Scenario::from_link(link);
        if found.is_none() {
            errors.push(ApiError::field(
                "does_not_exist",
                "link",
                format!("Invalid pk \"{link}\" - object does not exist."),
            ));
        }
        found
    });
    if let (Some(from), Some(to)) = (date_from, date_to) {
        if from > to {
            errors.push(ApiError::field(
                "invalid",
                "date_from",
                "date_from must be before or equal to date_to",
            ));
        }
        // One day of grace, for callers ahead of UTC.
        let tomorrow = chrono::Utc::now().date_naive().succ_opt();
        if tomorrow.is_some_and(|t| to > t) {
            errors.push(ApiError::field(
                "invalid",
                "date_to",
                "date_to cannot be in the future",
            ));
        }
    }
    let (Some(scenario), Some(link), Some(date_from), Some(date_to), true) =
        (scenario, link, date_from, date_to, errors.is_empty())
    else {
        return bad_request(errors);
    };
    let fetch = Fetch {
        scenario,
        link,
        account,
        date_from,
        date_to,
    };
    let right = token.map(|t| t == SANDBOX_TOKEN);
    let round = match scenario {
        Scenario::NoMfa => return complete(shared, &fetch, save_data, view),
        Scenario::TokenOnce => match right {
            Some(true) => return complete(shared, &fetch, save_data, view),
            Some(false) => return invalid_token(),
            None => 1,
        },
        Scenario::TokenTwice => match right {
            Some(true) => 2,
            Some(false) => return invalid_token(),
            None => 1,
        },
        Scenario::WrongToken => match right {
            Some(_) => return invalid_token(),
            None => 1,
        },
        Scenario::Inputless | Scenario::Expiring => 1,
    };
    let session_id = random_hex();
    let expiry = shared.expiry_secs(scenario);
    let now = Instant::now();
    let session = Session {
        fetch,
        round,
        deadline: now.checked_add(Duration::from_secs(expiry)),
    };
    {
        let mut inner = shared.lock();
        inner.sessions.retain(|_, s| !s.expired(now));
        inner.sessions.insert(session_id.clone(), session);
    }
    token_required(shared, &session_id, &session)
}

/// `PATCH /api/balances/`.
fn resume(shared: &Shared, bytes: &[u8], view: &View) -> Response {
    enum Outcome {
        Expired,
        WrongLink,
        MissingToken,
        BadToken,
        Again(Session),
        Complete(Fetch),
    }

    let body = match parse_object(bytes) {
        Ok(body) => body,
        Err(error) => return bad_request(vec![error]),
    };
    let mut errors = Vec::new();
    let session_id = string_field(&body, "session", true, &mut errors);
    let link = uuid_field(&body, "link", true, &mut errors);
    let token = string_field(&body, "token", false, &mut errors);
    let save_data = save_data_field(&body, &mut errors);
    let (Some(session_id), Some(link), true) = (session_id, link, errors.is_empty()) else {
        return bad_request(errors);
    };

    let now = Instant::now();
    let outcome = {
        let mut inner = shared.lock();
        let outcome = match inner.sessions.get_mut(session_id) {
            None => Outcome::Expired,
            Some(session) if session.expired(now) => Outcome::Expired,
            Some(session) if session.fetch.link != link => Outcome::WrongLink,
            Some(session) if !session.fetch.scenario.needs_token() => {
                Outcome::Complete(session.fetch)
            }
            Some(session) => {
                let scenario = session.fetch.scenario;
                match token {
                    None => Outcome::MissingToken,
                    Some(t) if scenario == Scenario::WrongToken || t != SANDBOX_TOKEN => {
                        Outcome::BadToken
                    }
                    Some(_) if scenario == Scenario::TokenTwice && session.round == 1 => {
                        session.round = 2;
                        session.deadline =
                            now.checked_add(Duration::from_secs(shared.expiry_secs(scenario)));
                        Outcome::Again(*session)
                    }
                    Some(_) => Outcome::Complete(session.fetch),
                }
            }
        };
        if matches!(outcome, Outcome::Expired | Outcome::Complete(_)) {
            inner.sessions.remove(session_id);
        }
        outcome
    };
    match outcome {
        Outcome::Expired => session_expired(),
        Outcome::WrongLink => bad_request(vec![ApiError::field(
            "invalid_link",
            "link",
            "The link does not match the MFA session",
        )]),
        Outcome::MissingToken => bad_request(vec![ApiError::field(
            "required",
            "token",
            "A token is required to resume this MFA session",
        )]),
        Outcome::BadToken => invalid_token(),
        Outcome::Again(session) => token_required(shared, session_id, &session),
        Outcome::Complete(fetch) => complete(shared, &fetch, save_data, view),
    }
}

/// The 428 answer for `session`.
fn token_required(shared: &Shared, session_id: &str, session: &Session) -> Response {
    let scenario = session.fetch.scenario;
    let secs = shared.expiry_secs(scenario);
    let expiry = if shared.config.expiry_as_string {
        Value::String(secs.to_string())
    } else {
        Value::Number(secs.into())
    };
    let link = session.fetch.link.to_string();
    let body = match shared.config.shape {
        TokenRequiredShape::Legacy => json!({
            "detail": "Token Required",
            "session": session_id,
            "expiry": expiry,
            "link": link,
        }),
        shape => {
            let object = json!({
                "code": "token_required",
                "message": TOKEN_REQUIRED_MESSAGE,
                "request_id": random_hex(),
                "session": session_id,
                "expiry": expiry,
                "link": link,
                "token_generation_data": token_generation_data(scenario, session.round),
            });
            if shape == TokenRequiredShape::Array {
                Value::Array(vec![object])
            } else {
                object
            }
        }
    };
    json_response(StatusCode::PRECONDITION_REQUIRED, body)
}

fn token_generation_data(scenario: Scenario, round: u8) -> Value {
    let numeric = |instructions: String| {
        json!({
            "instructions": instructions,
            "type": "numeric",
            "value": SANDBOX_TOKEN,
            "expects_user_input": true,
        })
    };
    match (scenario, round) {
        (Scenario::Inputless, _) => json!({
            "instructions": "Approve the login in your bank's app, then continue",
            "type": "inputless",
            "value": null,
            "expects_user_input": false,
        }),
        (Scenario::TokenTwice, 1) => numeric(format!("{SMS_INSTRUCTIONS} (first factor)")),
        (Scenario::TokenTwice, _) => {
            numeric("Enter the code from your token app (second factor)".into())
        }
        (Scenario::Expiring, _) => {
            numeric(format!("{SMS_INSTRUCTIONS} within {EXPIRING_SECS} seconds"))
        }
        _ => numeric(SMS_INSTRUCTIONS.into()),
    }
}

/// Answers the balances of `fetch`, storing them when `save_data`.
fn complete(shared: &Shared, fetch: &Fetch, save_data: bool, view: &View) -> Response {
    tracing::debug!(
        scenario = %fetch.scenario,
        link = %fetch.link,
        from = %fetch.date_from,
        to = %fetch.date_to,
        save_data,
        "belvo sandbox answers balances"
    );
    let balances = shared.balances_for(fetch);
    let body: Vec<Value> = balances
        .iter()
        .map(|b| view.apply(b.body.clone()))
        .collect();
    if save_data {
        let mut inner = shared.lock();
        for stored in balances {
            match inner.store.iter_mut().find(|s| s.id == stored.id) {
                Some(existing) => *existing = stored,
                None => inner.store.push(stored),
            }
        }
    }
    let status = if save_data {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    json_response(status, Value::Array(body))
}

/// `GET /api/balances/`.
fn list(shared: &Shared, uri: &Uri) -> Response {
    shared.lock().hits.list += 1;
    let Some(query) = query_map(uri) else {
        return bad_request(vec![ApiError::new(
            "invalid",
            "The query string could not be parsed.",
        )]);
    };
    let param = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let Some(page) = param("page").map_or(Some(1), |p| p.parse::<usize>().ok().filter(|&p| p >= 1))
    else {
        return not_found("Invalid page.");
    };
    let Some(page_size) = param("page_size").map_or(Some(100), |p| {
        p.parse::<usize>().ok().filter(|s| (1..=1000).contains(s))
    }) else {
        return bad_request(vec![ApiError::field(
            "invalid",
            "page_size",
            "page_size must be an integer between 1 and 1000.",
        )]);
    };
    let mut errors = Vec::new();
    let mut filter =
        |name: &'static str| param(name).and_then(|v| parse_uuid(v, name, &mut errors));
    let link = filter("link");
    let account = filter("account");
    if !errors.is_empty() {
        return bad_request(errors);
    }
    let start = (page - 1).saturating_mul(page_size);
    let (count, results) = {
        let inner = shared.lock();
        let mut matching = inner
            .store
            .iter()
            .filter(|s| link.is_none_or(|l| s.link == l) && account.is_none_or(|a| s.account == a));
        let count = matching.clone().count();
        let results: Vec<Value> = matching
            .by_ref()
            .skip(start)
            .take(page_size)
            .map(|s| s.body.clone())
            .collect();
        (count, results)
    };
    if page > 1 && start >= count {
        return not_found("Invalid page.");
    }
    let view = View::from_query(&query);
    let filters: String = [("link", link), ("account", account)]
        .into_iter()
        .filter_map(|(name, id)| id.map(|id| format!("&{name}={id}")))
        .collect();
    let page_url = |n: usize| {
        Value::String(format!(
            "{}{BALANCES_PATH}?page={n}&page_size={page_size}{filters}",
            shared.base_url
        ))
    };
    let next = if start.saturating_add(page_size) < count {
        page_url(page + 1)
    } else {
        Value::Null
    };
    let previous = if page > 1 {
        page_url(page - 1)
    } else {
        Value::Null
    };
    json_response(
        StatusCode::OK,
        json!({
            "count": count,
            "next": next,
            "previous": previous,
            "results": results.into_iter().map(|b| view.apply(b)).collect::<Vec<_>>(),
        }),
    )
}

/// `GET /api/balances/{id}/`.
fn detail(shared: &Shared, id: Option<Uuid>, uri: &Uri) -> Response {
    let found = {
        let mut inner = shared.lock();
        inner.hits.detail += 1;
        id.and_then(|id| {
            inner
                .store
                .iter()
                .find(|s| s.id == id)
                .map(|s| s.body.clone())
        })
    };
    match found {
        Some(body) => {
            let view = query_map(uri)
                .map(|q| View::from_query(&q))
                .unwrap_or_default();
            json_response(StatusCode::OK, view.apply(body))
        }
        None => not_found("Not found."),
    }
}

/// `DELETE /api/balances/{id}/`.
fn delete(shared: &Shared, id: Option<Uuid>) -> Response {
    let removed = {
        let mut inner = shared.lock();
        inner.hits.delete += 1;
        let position = id.and_then(|id| inner.store.iter().position(|s| s.id == id));
        position.map(|i| inner.store.remove(i)).is_some()
    };
    if removed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        not_found("Not found.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FROM: &str = "2024-01-01";
    const TO: &str = "2024-01-31";

    struct Reply {
        status: u16,
        text: String,
        body: Value,
    }

    async fn send(request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request reaches the sandbox");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        Reply { status, text, body }
    }

    struct Api {
        sandbox: Sandbox,
        http: reqwest::Client,
    }

    impl Api {
        async fn start() -> Api {
            Api::with(SandboxConfig::default()).await
        }

        async fn with(config: SandboxConfig) -> Api {
            let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
            Api {
                sandbox,
                http: reqwest::Client::new(),
            }
        }

        fn url(&self, path: &str) -> String {
            format!("{}{path}", self.sandbox.base_url())
        }

        fn authed(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
            self.http
                .request(method, self.url(path))
                .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
        }

        async fn retrieve(&self, body: Value) -> Reply {
            send(
                self.authed(reqwest::Method::POST, BALANCES_PATH)
                    .json(&body),
            )
            .await
        }

        async fn start_flow(&self, scenario: Scenario) -> Reply {
            self.retrieve(json!({"link": scenario.link(), "date_from": FROM, "date_to": TO}))
                .await
        }

        async fn resume(&self, body: Value) -> Reply {
            send(
                self.authed(reqwest::Method::PATCH, BALANCES_PATH)
                    .json(&body),
            )
            .await
        }

        async fn get(&self, path: &str) -> Reply {
            send(self.authed(reqwest::Method::GET, path)).await
        }

        async fn delete(&self, path: &str) -> Reply {
            send(self.authed(reqwest::Method::DELETE, path)).await
        }
    }

    fn is_hex32(v: &Value) -> bool {
        v.as_str().is_some_and(|s| {
            s.len() == 32
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
    }

    fn first_error(reply: &Reply) -> &Value {
        assert!(
            reply.body.is_array(),
            "error body is an array: {}",
            reply.text
        );
        assert!(
            is_hex32(&reply.body[0]["request_id"]),
            "request_id: {}",
            reply.text
        );
        &reply.body[0]
    }

    fn session_of(reply: &Reply) -> String {
        assert_eq!(reply.status, 428, "{}", reply.text);
        assert!(is_hex32(&reply.body["session"]), "{}", reply.text);
        reply.body["session"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[tokio::test]
    async fn unauthorized_without_or_with_wrong_credentials() {
        let api = Api::start().await;
        let anonymous = send(api.http.get(api.url(BALANCES_PATH))).await;
        assert_eq!(anonymous.status, 401);
        let error = first_error(&anonymous);
        assert_eq!(error["code"], "authentication_failed");
        assert_eq!(error["message"], "Invalid credentials");
        assert!(error.get("field").is_none());

        let wrong = send(
            api.http
                .post(api.url(BALANCES_PATH))
                .basic_auth(SANDBOX_SECRET_ID, Some("nope"))
                .json(&json!({})),
        )
        .await;
        assert_eq!(wrong.status, 401);
        assert_eq!(
            api.sandbox.hits(),
            Hits {
                unauthorized: 2,
                ..Hits::default()
            }
        );
    }

    #[tokio::test]
    async fn retrieve_validates_its_body() {
        let api = Api::start().await;
        let missing = api
            .retrieve(json!({"date_from": FROM, "date_to": TO}))
            .await;
        assert_eq!(missing.status, 400);
        assert_eq!(first_error(&missing)["code"], "required");
        assert_eq!(first_error(&missing)["field"], "link");

        let all_missing = api.retrieve(json!({})).await;
        let fields: Vec<&Value> = all_missing
            .body
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["field"])
            .collect();
        assert_eq!(
            fields,
            [&json!("link"), &json!("date_from"), &json!("date_to")]
        );

        let cases = [
            (
                json!({"link": null, "date_from": FROM, "date_to": TO}),
                "null",
                "link",
            ),
            (
                json!({"link": "", "date_from": FROM, "date_to": TO}),
                "blank",
                "link",
            ),
            (
                json!({"link": "not-a-uuid", "date_from": FROM, "date_to": TO}),
                "invalid",
                "link",
            ),
            (
                json!({"link": 7, "date_from": FROM, "date_to": TO}),
                "invalid",
                "link",
            ),
            (
                json!({"link": Uuid::nil(), "date_from": FROM, "date_to": TO}),
                "does_not_exist",
                "link",
            ),
            (
                json!({"link": Scenario::NoMfa.link(), "date_from": "31/01/2024", "date_to": TO}),
                "invalid",
                "date_from",
            ),
            (
                json!({"link": Scenario::NoMfa.link(), "date_from": TO, "date_to": FROM}),
                "invalid",
                "date_from",
            ),
            (
                json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": "2999-01-01"}),
                "invalid",
                "date_to",
            ),
            (
                json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO, "save_data": "yes"}),
                "invalid",
                "save_data",
            ),
            (
                json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO, "account": "x"}),
                "invalid",
                "account",
            ),
        ];
        for (body, code, field) in cases {
            let reply = api.retrieve(body.clone()).await;
            assert_eq!(reply.status, 400, "{body}: {}", reply.text);
            assert_eq!(first_error(&reply)["code"], code, "{body}: {}", reply.text);
            assert_eq!(
                first_error(&reply)["field"],
                field,
                "{body}: {}",
                reply.text
            );
        }

        let bad_json = send(
            api.authed(reqwest::Method::POST, BALANCES_PATH)
                .header("content-type", "application/json")
                .body("{\"link\": "),
        )
        .await;
        assert_eq!(bad_json.status, 400);
        let error = first_error(&bad_json);
        assert_eq!(error["code"], "invalid");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("JSON parse error")),
            "{}",
            bad_json.text
        );
        assert!(error.get("field").is_none());
        assert_eq!(api.sandbox.hits().retrieve, 13);
    }

    #[tokio::test]
    async fn no_mfa_answers_balances_at_once() {
        let api = Api::start().await;
        let created = api.start_flow(Scenario::NoMfa).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let balances = created.body.as_array().expect("an array");
        assert_eq!(balances.len(), 3);
        for (i, b) in balances.iter().enumerate() {
            assert!(b["balance"].is_number(), "{b}");
            assert!(b["current_balance"].is_number(), "{b}");
            assert_eq!(b["value_date"], TO);
            assert_eq!(b["account"]["currency"], "MXN");
            assert_eq!(b["account"]["name"], format!("Cuenta Nómina {}", i + 1));
            assert!(b["statement"].is_null());
            assert!(chrono::DateTime::parse_from_rfc3339(
                b["collected_at"].as_str().unwrap_or_default()
            )
            .is_ok());
        }
        assert_eq!(balances[1]["account"]["category"], "SAVINGS_ACCOUNT");
        assert_eq!(balances[0]["account"]["category"], "CHECKING_ACCOUNT");
        assert!(
            created.text.contains("\"balance\":12345.67"),
            "{}",
            created.text
        );
        assert!(
            created.text.contains("\"balance\":12346.67"),
            "{}",
            created.text
        );
        let ids: std::collections::HashSet<&Value> = balances.iter().map(|b| &b["id"]).collect();
        assert_eq!(ids.len(), 3);

        // Only one account, and save_data=false answers 200 without storing.
        let account = balances[2]["account"]["id"].clone();
        let one = api
            .retrieve(
                json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": "2024-02-15",
                "account": account, "save_data": false}),
            )
            .await;
        assert_eq!(one.status, 200, "{}", one.text);
        assert_eq!(one.body.as_array().map(Vec::len), Some(1));
        assert_eq!(one.body[0]["account"]["id"], account);
        let id = one.body[0]["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(api.get(&format!("{BALANCES_PATH}{id}/")).await.status, 404);

        // fields / omit.
        let slim = send(
            api.authed(
                reqwest::Method::POST,
                &format!("{BALANCES_PATH}?fields=id,balance"),
            )
            .json(&json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO})),
        )
        .await;
        assert_eq!(
            slim.body[0].as_object().map(Map::len),
            Some(2),
            "{}",
            slim.text
        );
    }

    #[tokio::test]
    async fn token_once_flow() {
        let api = Api::start().await;
        let paused = api.start_flow(Scenario::TokenOnce).await;
        let session = session_of(&paused);
        let body = &paused.body;
        assert_eq!(body["code"], "token_required");
        assert_eq!(body["message"], TOKEN_REQUIRED_MESSAGE);
        assert!(is_hex32(&body["request_id"]));
        assert_eq!(body["expiry"], json!(600));
        assert_eq!(body["link"], Scenario::TokenOnce.link().to_string());
        let data = &body["token_generation_data"];
        assert_eq!(data["type"], "numeric");
        assert_eq!(data["value"], SANDBOX_TOKEN);
        assert_eq!(data["expects_user_input"], true);
        assert_eq!(data["instructions"], SMS_INSTRUCTIONS);

        let link = Scenario::TokenOnce.link();
        let missing = api.resume(json!({"session": session, "link": link})).await;
        assert_eq!(missing.status, 400);
        assert_eq!(first_error(&missing)["code"], "required");
        assert_eq!(first_error(&missing)["field"], "token");

        let wrong = api
            .resume(json!({"session": session, "link": link, "token": "000000"}))
            .await;
        assert_eq!(wrong.status, 400);
        assert_eq!(first_error(&wrong)["code"], "invalid");
        assert_eq!(first_error(&wrong)["field"], "token");
        assert_eq!(first_error(&wrong)["message"], "The MFA token is not valid");

        let other_link = api
            .resume(json!({"session": session, "link": Scenario::TokenTwice.link(), "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(other_link.status, 400);
        assert_eq!(first_error(&other_link)["code"], "invalid_link");
        assert_eq!(first_error(&other_link)["field"], "link");

        let done = api
            .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(done.status, 201, "{}", done.text);
        assert_eq!(done.body.as_array().map(Vec::len), Some(3));

        let again = api
            .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(again.status, 400);
        assert_eq!(first_error(&again)["code"], "session_expired");

        let unknown = api
            .resume(json!({"session": "f".repeat(32), "link": link}))
            .await;
        assert_eq!(first_error(&unknown)["code"], "session_expired");

        let required = api.resume(json!({"link": link})).await;
        assert_eq!(first_error(&required)["code"], "required");
        assert_eq!(first_error(&required)["field"], "session");

        // A right token sent up front skips the pause; a wrong one is refused.
        let up_front = api
            .retrieve(json!({"link": link, "date_from": FROM, "date_to": TO, "token": SANDBOX_TOKEN, "save_data": false}))
            .await;
        assert_eq!(up_front.status, 200, "{}", up_front.text);
        let wrong_up_front = api
            .retrieve(json!({"link": link, "date_from": FROM, "date_to": TO, "token": "1"}))
            .await;
        assert_eq!(first_error(&wrong_up_front)["field"], "token");

        let hits = api.sandbox.hits();
        assert_eq!((hits.retrieve, hits.resume), (3, 7));
    }

    #[tokio::test]
    async fn token_twice_needs_two_resumes() {
        let api = Api::start().await;
        let link = Scenario::TokenTwice.link();
        let first = api.start_flow(Scenario::TokenTwice).await;
        let session = session_of(&first);
        assert!(first.body["token_generation_data"]["instructions"]
            .as_str()
            .is_some_and(|s| s.contains("first factor")));

        let second = api
            .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(session_of(&second), session);
        assert_eq!(
            second.body["token_generation_data"]["instructions"],
            "Enter the code from your token app (second factor)"
        );

        let done = api
            .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN, "save_data": false}))
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert_eq!(done.body.as_array().map(Vec::len), Some(3));
    }

    #[tokio::test]
    async fn inputless_resumes_without_token() {
        let api = Api::start().await;
        let paused = api.start_flow(Scenario::Inputless).await;
        let session = session_of(&paused);
        let data = &paused.body["token_generation_data"];
        assert_eq!(data["type"], "inputless");
        assert_eq!(data["expects_user_input"], false);
        assert!(data["value"].is_null());
        let done = api
            .resume(json!({"session": session, "link": Scenario::Inputless.link()}))
            .await;
        assert_eq!(done.status, 201, "{}", done.text);
    }

    #[tokio::test]
    async fn wrong_token_rejects_every_token() {
        let api = Api::start().await;
        let session = session_of(&api.start_flow(Scenario::WrongToken).await);
        for token in [SANDBOX_TOKEN, "000000"] {
            let reply = api
                .resume(json!({"session": session, "link": Scenario::WrongToken.link(), "token": token}))
                .await;
            assert_eq!(reply.status, 400);
            assert_eq!(first_error(&reply)["code"], "invalid");
            assert_eq!(first_error(&reply)["field"], "token");
        }
    }

    #[tokio::test]
    async fn concurrent_retrieves_get_their_own_sessions() {
        let api = Api::start().await;
        let (a, b) = tokio::join!(
            api.start_flow(Scenario::TokenOnce),
            api.start_flow(Scenario::TokenOnce)
        );
        let (a, b) = (session_of(&a), session_of(&b));
        assert_ne!(a, b);
        let link = Scenario::TokenOnce.link();
        for session in [b, a] {
            let done = api
                .resume(json!({"session": session, "link": link, "token": SANDBOX_TOKEN}))
                .await;
            assert_eq!(done.status, 201, "{}", done.text);
        }
    }

    #[tokio::test]
    async fn expired_session_answers_session_expired() {
        let api = Api::start().await;
        let paused = api.start_flow(Scenario::Expiring).await;
        let session = session_of(&paused);
        assert_eq!(paused.body["expiry"], json!(2));
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let late = api
            .resume(json!({"session": session, "link": Scenario::Expiring.link(), "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(late.status, 400);
        let error = first_error(&late);
        assert_eq!(error["code"], "session_expired");
        assert!(error.get("field").is_none());
    }

    #[tokio::test]
    async fn list_paginates_with_absolute_urls() {
        let api = Api::start().await;
        let base = api.sandbox.base_url();
        let first = api.get(BALANCES_PATH).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.body["count"], 250);
        assert_eq!(first.body["results"].as_array().map(Vec::len), Some(100));
        assert_eq!(
            first.body["next"],
            format!("{base}/api/balances/?page=2&page_size=100")
        );
        assert!(first.body["previous"].is_null());
        assert!(first.body["results"][0]["balance"].is_number());

        let last = api.get("/api/balances/?page=3&page_size=100").await;
        assert_eq!(last.body["results"].as_array().map(Vec::len), Some(50));
        assert!(last.body["next"].is_null());
        assert_eq!(
            last.body["previous"],
            format!("{base}/api/balances/?page=2&page_size=100")
        );

        // Following `next` walks every balance once, in a stable order.
        let mut url = Some(format!("{base}/api/balances/?page_size=40"));
        let mut seen = Vec::new();
        while let Some(next) = url {
            let page = send(
                api.http
                    .get(next)
                    .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD)),
            )
            .await;
            seen.extend(
                page.body["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| b["id"].clone()),
            );
            url = page.body["next"].as_str().map(String::from);
        }
        assert_eq!(seen.len(), 250);
        assert_eq!(
            seen.iter().collect::<std::collections::HashSet<_>>().len(),
            250
        );

        let beyond = api.get("/api/balances/?page=4").await;
        assert_eq!(beyond.status, 404);
        assert_eq!(first_error(&beyond)["code"], "not_found");
        assert_eq!(first_error(&beyond)["message"], "Invalid page.");

        for size in ["0", "1001", "abc"] {
            let reply = api.get(&format!("/api/balances/?page_size={size}")).await;
            assert_eq!(reply.status, 400, "{size}");
            assert_eq!(first_error(&reply)["field"], "page_size");
        }
        let bad_link = api.get("/api/balances/?link=nope").await;
        assert_eq!(bad_link.status, 400);
        assert_eq!(first_error(&bad_link)["field"], "link");

        // A completed MFA flow with save_data adds its balances, filterable by link.
        let link = Scenario::Inputless.link();
        let session = session_of(&api.start_flow(Scenario::Inputless).await);
        assert_eq!(
            api.resume(json!({"session": session, "link": link}))
                .await
                .status,
            201
        );
        let all = api.get(BALANCES_PATH).await;
        assert_eq!(all.body["count"], 253);
        let mine = api
            .get(&format!("/api/balances/?link={link}&page_size=2"))
            .await;
        assert_eq!(mine.body["count"], 3);
        assert_eq!(
            mine.body["next"],
            format!("{base}/api/balances/?page=2&page_size=2&link={link}")
        );
        let none = api
            .get(&format!(
                "/api/balances/?link={}",
                Scenario::WrongToken.link()
            ))
            .await;
        assert_eq!((none.status, none.body["count"].clone()), (200, json!(0)));
        assert_eq!(api.sandbox.hits().list, 17);
    }

    #[tokio::test]
    async fn detail_and_delete() {
        let api = Api::start().await;
        let list = api.get("/api/balances/?page_size=1").await;
        let balance = list.body["results"][0].clone();
        let path = format!(
            "{BALANCES_PATH}{}/",
            balance["id"].as_str().unwrap_or_default()
        );

        let found = api.get(&path).await;
        assert_eq!(found.status, 200);
        assert_eq!(found.body, balance);

        for missing in [
            format!("{BALANCES_PATH}{}/", Uuid::nil()),
            "/api/balances/not-a-uuid/".into(),
        ] {
            let reply = api.get(&missing).await;
            assert_eq!(reply.status, 404, "{missing}");
            assert_eq!(first_error(&reply)["code"], "not_found");
        }

        let deleted = api.delete(&path).await;
        assert_eq!(deleted.status, 204);
        assert!(deleted.text.is_empty());
        assert_eq!(api.get(&path).await.status, 404);
        assert_eq!(api.delete(&path).await.status, 404);
        assert_eq!(api.get(BALANCES_PATH).await.body["count"], 249);
        let hits = api.sandbox.hits();
        assert_eq!((hits.detail, hits.delete), (4, 2));
    }

    #[tokio::test]
    async fn unknown_routes_are_not_found() {
        let api = Api::start().await;
        for (method, path) in [
            (reqwest::Method::GET, "/api/accounts/"),
            (reqwest::Method::PUT, BALANCES_PATH),
            (reqwest::Method::GET, "/api/balances"),
        ] {
            let reply = send(api.authed(method, path)).await;
            assert_eq!(reply.status, 404, "{path}");
            assert_eq!(first_error(&reply)["code"], "not_found");
        }
    }

    #[tokio::test]
    async fn array_and_legacy_shapes_and_string_expiry() {
        let array = Api::with(SandboxConfig {
            shape: TokenRequiredShape::Array,
            ..SandboxConfig::default()
        })
        .await;
        let reply = array.start_flow(Scenario::TokenOnce).await;
        assert_eq!(reply.status, 428);
        assert_eq!(reply.body.as_array().map(Vec::len), Some(1));
        assert_eq!(reply.body[0]["code"], "token_required");
        assert!(is_hex32(&reply.body[0]["session"]));

        let legacy = Api::with(SandboxConfig {
            shape: TokenRequiredShape::Legacy,
            expiry_as_string: true,
            expiry_secs: 720,
            balances_per_link: 2,
        })
        .await;
        let reply = legacy.start_flow(Scenario::TokenOnce).await;
        let session = session_of(&reply);
        assert_eq!(reply.body["detail"], "Token Required");
        assert_eq!(reply.body["expiry"], "720");
        assert_eq!(reply.body["link"], Scenario::TokenOnce.link().to_string());
        assert!(reply.body.get("code").is_none());
        let done = legacy
            .resume(json!({"session": session, "link": Scenario::TokenOnce.link(), "token": SANDBOX_TOKEN}))
            .await;
        assert_eq!(done.body.as_array().map(Vec::len), Some(2));

        let stringly = Api::with(SandboxConfig {
            expiry_as_string: true,
            ..SandboxConfig::default()
        })
        .await;
        let reply = stringly.start_flow(Scenario::Inputless).await;
        assert_eq!(reply.body["expiry"], "600");
    }

    #[tokio::test]
    async fn responses_are_json() {
        let api = Api::start().await;
        for response in [
            api.http.get(api.url(BALANCES_PATH)).send().await,
            api.authed(reqwest::Method::GET, BALANCES_PATH).send().await,
            api.authed(reqwest::Method::POST, BALANCES_PATH)
                .json(
                    &json!({"link": Scenario::TokenOnce.link(), "date_from": FROM, "date_to": TO}),
                )
                .send()
                .await,
        ] {
            let response = response.expect("response");
            assert_eq!(
                response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                Some("application/json")
            );
        }
    }

    #[test]
    fn materialize_replaces_placeholders() {
        let sample = json!({
            "id": "<uuid>",
            "nested": [{"id": "<uuid>"}, {"id": "<uuid>"}],
            "balance": "<number>",
            "expiry": "<integer>",
            "day": "<date>",
            "at": "<dateTime>",
            "ok": "<boolean>",
            "name": "<string>",
            "next": "<uri>",
            "odd": "<whatever>",
            "kept": "plain",
            "html": "<b>x</b>",
            "n": 3,
        });
        let out = materialize(&sample);
        assert!(out["balance"].is_number());
        assert_eq!(out["balance"].to_string(), "1234.56");
        assert_eq!(out["expiry"], json!(600));
        assert!(Uuid::parse_str(out["id"].as_str().unwrap_or_default()).is_ok());
        assert_ne!(out["nested"][0]["id"], out["nested"][1]["id"]);
        assert_eq!(out["day"], "2024-01-31");
        assert_eq!(out["at"], "2024-01-31T12:00:00Z");
        assert_eq!(out["ok"], true);
        assert_eq!(out["name"], "string");
        assert_eq!(
            out["next"],
            "https://sandbox.belvo.com/api/balances/?page=2"
        );
        assert_eq!(out["odd"], "whatever");
        assert_eq!(out["kept"], "plain");
        assert_eq!(out["html"], "<b>x</b>");
        assert_eq!(out["n"], 3);
        assert_eq!(materialize(&sample), out, "deterministic");
    }

    #[test]
    fn scenarios_round_trip() {
        let links: std::collections::HashSet<Uuid> =
            Scenario::ALL.iter().map(|s| s.link()).collect();
        assert_eq!(links.len(), 6);
        for s in Scenario::ALL {
            assert_eq!(Scenario::from_name(s.name()), Some(s));
            assert_eq!(Scenario::from_link(s.link()), Some(s));
            assert_eq!(s.link().get_version_num(), 4);
            assert!(!s.description().is_empty());
        }
        assert_eq!(
            Scenario::from_name("TOKEN_TWICE"),
            Some(Scenario::TokenTwice)
        );
        assert_eq!(Scenario::from_name("nope"), None);
        assert_eq!(
            Scenario::NoMfa.link().to_string(),
            "5a2f0c1e-7b3d-4e8a-9c61-000000000001"
        );
    }

    #[test]
    fn template_comes_from_the_collection() {
        let template = balance_template();
        for key in [
            "id",
            "account",
            "collected_at",
            "value_date",
            "balance",
            "current_balance",
            "statement",
        ] {
            assert!(template.get(key).is_some(), "{key}");
        }
        assert!(
            template["balance"].is_number(),
            "materialized from the collection: {template}"
        );
    }

    #[test]
    fn base64_decoding() {
        assert_eq!(base64_decode("YTpi").as_deref(), Some(&b"a:b"[..]));
        assert_eq!(base64_decode("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("Y"), None);
        assert_eq!(base64_decode("!!!!"), None);
    }
}
