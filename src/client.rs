//! Client setup (environments, credentials, timeouts, transport) and the
//! progenitor hooks every generated call goes through.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use chrono::Utc;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::{ResponseBuilderExt, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;

use crate::error::{ApiError, Error, ErrorCode, ErrorDetail};
use crate::generated::Client;
use crate::mfa::{parse_token_required, PendingSession};

/// progenitor's `api-version` request header, which the hooks remove.
const API_VERSION: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("api-version");

/// Default total timeout of a call. Retrieve and resume scrape the bank live
/// and can take minutes; Belvo's own SDKs had 5 s or none, both wrong.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);
/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default largest response body read (64 MiB).
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;
/// Default number of MFA rounds the flow helper answers.
pub const DEFAULT_MAX_MFA_ROUNDS: u32 = 3;

/// A Belvo environment. Each has its own secret keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// `https://sandbox.belvo.com` (the default).
    #[default]
    Sandbox,
    /// `https://development.belvo.com`.
    Development,
    /// `https://api.belvo.com`.
    Production,
}

impl Environment {
    /// The environment's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Sandbox => "https://sandbox.belvo.com",
            Environment::Development => "https://development.belvo.com",
            Environment::Production => "https://api.belvo.com",
        }
    }

    /// Reads `sandbox`, `development` or `production` (as in `BELVO_ENV`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the value for anything else.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        match name.trim().to_ascii_lowercase().as_str() {
            "sandbox" => Ok(Environment::Sandbox),
            "development" => Ok(Environment::Development),
            "production" => Ok(Environment::Production),
            other => Err(Error::Config(format!(
                "BELVO_ENV is `{other}`; expected sandbox, development or production"
            ))),
        }
    }
}

/// Belvo secret keys. The password never appears in `Debug`.
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_password: SecretString,
}

impl Credentials {
    /// Secret id and secret password of one environment.
    pub fn new(secret_id: impl Into<String>, secret_password: impl Into<String>) -> Self {
        Credentials {
            secret_id: secret_id.into(),
            secret_password: SecretString::from(secret_password.into()),
        }
    }

    /// Reads `BELVO_SECRET_ID` and `BELVO_SECRET_PASSWORD`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing variable.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let need = |k: &str| {
            get(k)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| Error::Config(format!("environment variable {k} is not set")))
        };
        Ok(Credentials::new(
            need("BELVO_SECRET_ID")?,
            need("BELVO_SECRET_PASSWORD")?,
        ))
    }

    /// The secret id.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    fn authorization(&self) -> Result<HeaderValue, Error> {
        use base64_lite::encode;
        let raw = format!(
            "{}:{}",
            self.secret_id,
            self.secret_password.expose_secret()
        );
        let mut value = HeaderValue::try_from(format!("Basic {}", encode(raw.as_bytes())))
            .map_err(|_| {
                Error::Config("the credentials contain characters a header cannot carry".into())
            })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_password", &"<redacted>")
            .finish()
    }
}

/// Base64 for the Basic auth header. Written by hand because it is eight
/// lines; reqwest's `basic_auth` needs a `RequestBuilder`, which the hooks do
/// not see.
mod base64_lite {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(super) fn encode(input: &[u8]) -> String {
        let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[cfg(test)]
    #[test]
    fn rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(i.as_bytes()), o);
        }
    }
}

/// Opt-in retries with exponential backoff and full jitter, for list and
/// detail only (retrieve and resume drive a live bank session and are never
/// retried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Backoff before the first retry; doubles each time.
    pub initial_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The pause before retry number `attempt` (1-based): a random duration up
    /// to `min(max_backoff, initial_backoff * 2^(attempt-1))`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        cap.mul_f64(fastrand::f64())
    }
}

/// Configuration shared by all clones of a [`Client`] (progenitor's "inner"
/// value). Its `Debug` never shows the credentials.
#[derive(Clone)]
pub struct Shared(Arc<Config>);

struct Config {
    authorization: HeaderValue,
    user_agent: HeaderValue,
    timeout: Duration,
    max_body: usize,
    retry: Option<RetryPolicy>,
    max_mfa_rounds: u32,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("authorization", &"<redacted>")
            .field("timeout", &self.0.timeout)
            .field("max_body", &self.0.max_body)
            .field("retry", &self.0.retry)
            .field("max_mfa_rounds", &self.0.max_mfa_rounds)
            .finish()
    }
}

/// Builds a [`Client`]. Start from [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: Option<String>,
    environment: Environment,
    credentials: Option<Credentials>,
    timeout: Duration,
    connect_timeout: Duration,
    http: Option<reqwest::Client>,
    allow_insecure_http: bool,
    max_body: usize,
    retry: Option<RetryPolicy>,
    max_mfa_rounds: u32,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            environment: Environment::default(),
            credentials: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            http: None,
            allow_insecure_http: false,
            max_body: DEFAULT_MAX_BODY_SIZE,
            retry: None,
            max_mfa_rounds: DEFAULT_MAX_MFA_ROUNDS,
        }
    }
}

impl ClientBuilder {
    /// Targets one of Belvo's environments (default: sandbox).
    #[must_use]
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = env;
        self.base_url = None;
        self
    }

    /// Targets a custom base URL (a proxy, a mock, the embedded sandbox).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The secret keys.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Reads the target and the keys from the environment: `BELVO_API_URL`
    /// (a base URL) or else `BELVO_ENV` (sandbox, development, production),
    /// and `BELVO_SECRET_ID` / `BELVO_SECRET_PASSWORD`.
    ///
    /// # Errors
    /// [`Error::Config`] naming a missing or invalid variable.
    pub fn with_env(self) -> Result<Self, Error> {
        self.with_lookup(|k| std::env::var(k).ok())
    }

    fn with_lookup(mut self, get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        if let Some(url) = get("BELVO_API_URL").filter(|u| !u.is_empty()) {
            self.base_url = Some(url);
        } else if let Some(env) = get("BELVO_ENV").filter(|e| !e.is_empty()) {
            self = self.environment(Environment::from_name(&env)?);
        }
        self.credentials = Some(Credentials::from_lookup(&get)?);
        Ok(self)
    }

    /// Total timeout of one call (default [`DEFAULT_TIMEOUT`]). Applies to
    /// an injected `reqwest::Client` too.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default [`DEFAULT_CONNECT_TIMEOUT`]); not applied to
    /// an injected `reqwest::Client`, which keeps its own.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Uses your own `reqwest::Client` (proxies, TLS roots, pools). Auth,
    /// user agent and the call timeout are still added to each request.
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Allows a plain `http://` base URL on a non-loopback host. Off by
    /// default: the keys would travel in clear text.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Largest response body read (default [`DEFAULT_MAX_BODY_SIZE`]).
    #[must_use]
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Retries list and detail calls on 5xx, timeouts and connection errors.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Most MFA rounds [`crate::Balances::retrieve_with_mfa`] answers
    /// (default [`DEFAULT_MAX_MFA_ROUNDS`]).
    #[must_use]
    pub fn max_mfa_rounds(mut self, rounds: u32) -> Self {
        self.max_mfa_rounds = rounds.max(1);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when credentials are missing, the base URL does not
    /// parse, or it is plain `http://` to a non-loopback host without
    /// [`allow_insecure_http`](Self::allow_insecure_http).
    pub fn build(self) -> Result<Client, Error> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config(
                "no credentials: call ClientBuilder::credentials or with_env (BELVO_SECRET_ID, BELVO_SECRET_PASSWORD)"
                    .into(),
            )
        })?;
        let base = self
            .base_url
            .unwrap_or_else(|| self.environment.base_url().to_owned());
        let base = base.trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| Error::Config(format!("base URL `{base}` does not parse: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_insecure_http || is_loopback(&url) => {}
            "http" => {
                return Err(Error::Config(format!(
                    "base URL `{base}` is plain http to a non-loopback host: the secret keys would travel in clear text; \
                     use https, or ClientBuilder::allow_insecure_http(true)"
                )))
            }
            other => return Err(Error::Config(format!("base URL `{base}` has scheme `{other}`; expected https"))),
        }
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let shared = Shared(Arc::new(Config {
            authorization: credentials.authorization()?,
            user_agent: HeaderValue::from_static(concat!("belvo-rs/", env!("CARGO_PKG_VERSION"))),
            timeout: self.timeout,
            max_body: self.max_body,
            retry: self.retry,
            max_mfa_rounds: self.max_mfa_rounds,
        }));
        Ok(Client::new_with_client(&base, http, shared))
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Client {
    /// Starts building a client.
    ///
    /// ```
    /// # fn main() -> Result<(), belvo::Error> {
    /// let client = belvo::Client::builder()
    ///     .environment(belvo::Environment::Sandbox)
    ///     .credentials(belvo::Credentials::new("secret-id", "secret-password"))
    ///     .build()?;
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (see [`ClientBuilder::with_env`]).
    ///
    /// # Errors
    /// [`Error::Config`] naming a missing or invalid variable.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::default().with_env()?.build()
    }

    pub(crate) fn config_retry(&self) -> Option<RetryPolicy> {
        self.inner().0.retry
    }

    pub(crate) fn config_max_mfa_rounds(&self) -> u32 {
        self.inner().0.max_mfa_rounds
    }
}

// ------------------------------------------------------------------- hooks

/// What the transport saw of the current call, for the hand-written layer:
/// progenitor's error for an undecodable body carries no status, and its
/// error for a documented error status no raw body, so the `exec` hook
/// records them here (scoped to one call by [`call`]).
#[derive(Default)]
struct Captured {
    status: Option<StatusCode>,
    content_type: Option<String>,
    /// The raw body; filled in by [`call`] when `exec` passed it on unread.
    body: Bytes,
    /// The body limit, when the body was larger.
    too_large: Option<usize>,
    /// `exec` left the body to progenitor (a success within the limit).
    passed_on: bool,
}

tokio::task_local! {
    static CAPTURED: RefCell<Captured>;
}

impl ClientHooks<Shared> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let cfg = &self.inner().0;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, cfg.authorization.clone());
        headers
            .entry(USER_AGENT)
            .or_insert_with(|| cfg.user_agent.clone());
        // progenitor sends the spec's info.version; Belvo has no such header.
        headers.remove(API_VERSION);
        *request.timeout_mut() = Some(cfg.timeout);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "belvo",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let limit = self.inner().0.max_body;
        let exec = async {
            let response = self.client().execute(request).await?;
            receive(response, limit).await
        };
        // `Instrumented` costs on every poll: only when someone listens.
        if span.is_disabled() {
            exec.await
        } else {
            exec.instrument(span).await
        }
    }
}

/// Records the status for [`call`] and the span, and decides who reads the
/// body. A success whose `Content-Length` is within the limit goes on to
/// progenitor unread (its bytes come back in progenitor's error if it does
/// not decode). Any other response is read here, up to the limit, recorded,
/// and handed to progenitor as an equivalent response backed by the bytes.
async fn receive(response: reqwest::Response, limit: usize) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let span = tracing::Span::current();
    span.record("status", status.as_u16());
    if status.is_success() && response.content_length().is_some_and(|n| n <= limit as u64) {
        let _ = CAPTURED.try_with(|c| {
            *c.borrow_mut() = Captured {
                status: Some(status),
                passed_on: true,
                ..Captured::default()
            }
        });
        tracing::debug!("response");
        return Ok(response);
    }
    let (response, body) = buffer(response, limit).await?;
    // Only worth a parse when someone listens.
    if !span.is_disabled() && (status.is_client_error() || status.is_server_error()) {
        if let Some(id) = request_id_of(&body) {
            span.record("request_id", id.as_str());
        }
    }
    tracing::debug!("response");
    Ok(response)
}

/// Belvo's `request_id` from an error body (`[{..}]` or `{..}`), for tracing.
fn request_id_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct WithId {
        request_id: Option<String>,
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Body {
        Many(Vec<WithId>),
        One(WithId),
    }
    match serde_json::from_slice::<Body>(body).ok()? {
        Body::Many(list) => list.into_iter().find_map(|e| e.request_id),
        Body::One(e) => e.request_id,
    }
}

/// Reads the rest of a body, stopping once it passes `limit` (then the
/// bytes are dropped and `None` says it was too large).
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<Bytes>> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut len = 0usize;
    while let Some(chunk) = response.chunk().await? {
        len += chunk.len();
        if len > limit {
            return Ok(None);
        }
        chunks.push(chunk);
    }
    Ok(Some(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => Bytes::from(chunks.concat()),
    }))
}

/// Reads the whole body (up to `limit`) and records it for [`call`]. Returns
/// the body and the response to hand progenitor: inside [`call`], a
/// failure's response as it is, its body spent (progenitor decodes nothing;
/// [`classify`] reads the record); otherwise an equivalent response backed
/// by the bytes read (none when too large).
async fn buffer(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(reqwest::Response, Bytes)> {
    let status = response.status();
    let read = read_body(&mut response, limit).await?;
    let too_large = read.is_none().then_some(limit);
    let body = read.unwrap_or_default();
    let in_call = CAPTURED
        .try_with(|c| {
            *c.borrow_mut() = Captured {
                status: Some(status),
                content_type: response
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: body.clone(),
                too_large,
                passed_on: false,
            }
        })
        .is_ok();
    if in_call && !status.is_success() && too_large.is_none() {
        return Ok((response, body));
    }
    let for_progenitor = if too_large.is_some() {
        Bytes::new()
    } else {
        body.clone()
    };
    // With the real URL, so reqwest need not parse a placeholder one.
    let built = http::Response::builder()
        .status(status)
        .version(response.version())
        .url(response.url().clone())
        .body(reqwest::Body::from(for_progenitor.clone()));
    let mut rebuilt =
        built.unwrap_or_else(|_| http::Response::new(reqwest::Body::from(for_progenitor)));
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = std::mem::take(response.headers_mut());
    Ok((reqwest::Response::from(rebuilt), body))
}

/// The outcome of one generated call, as the hand-written layer sees it.
pub(crate) enum Outcome<T> {
    /// A documented success.
    Ok(ResponseValue<T>),
    /// A 428: the institution asks for a token.
    TokenRequired(PendingSession),
}

/// Runs one generated call and turns whatever it returned into [`Outcome`]
/// or [`Error`], keeping status and raw body. `save_data` is what a 428
/// pending session will carry into its resume.
pub(crate) fn call<T, E, F>(
    fut: F,
    save_data: bool,
) -> impl Future<Output = Result<Outcome<T>, Error>>
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    use progenitor_client::Error as G;
    // Not boxed: a ~2 KB box per call goes through malloc's slow path and
    // measured slower than moving the larger future (BENCHMARKS.md).
    CAPTURED.scope(RefCell::new(Captured::default()), async move {
        let mut err = match fut.await {
            Ok(v) => return Ok(Outcome::Ok(v)),
            Err(e) => e,
        };
        let mut captured = CAPTURED.with(|c| c.take());
        // A success `exec` passed on unread: its bytes are in progenitor's
        // error, or still in the response of an undocumented status.
        if captured.passed_on {
            match &mut err {
                G::InvalidResponsePayload(bytes, _) => captured.body = bytes.clone(),
                G::UnexpectedResponse(response) => {
                    // `exec` checked its Content-Length against the limit,
                    // and hyper reads no more than that.
                    captured.body = read_body(response, usize::MAX)
                        .await
                        .map_err(transport)?
                        .unwrap_or_default();
                }
                _ => {}
            }
        }
        classify(err, captured, save_data)
    })
}

/// Decides what a failed generated call means: a pure function of the
/// progenitor error and what the transport captured.
fn classify<T, E>(
    err: progenitor_client::Error<E>,
    captured: Captured,
    save_data: bool,
) -> Result<Outcome<T>, Error> {
    use progenitor_client::Error as G;
    match err {
        G::CommunicationError(e) | G::ResponseBodyError(e) => Err(transport(e)),
        G::InvalidRequest(m) | G::Custom(m) => Err(Error::InvalidRequest(m)),
        G::InvalidUpgrade(e) => Err(transport(e)),
        G::ErrorResponse(_) | G::UnexpectedResponse(_) | G::InvalidResponsePayload(..) => {
            let Some(status) = captured.status else {
                return Err(Error::InvalidRequest(
                    "response seen without a transport record".into(),
                ));
            };
            if let Some(limit) = captured.too_large {
                return Err(Error::BodyTooLarge { status, limit });
            }
            let body = captured.body;
            if status == StatusCode::PRECONDITION_REQUIRED {
                return match parse_token_required(&body, Utc::now(), save_data) {
                    Ok(p) => Ok(Outcome::TokenRequired(p)),
                    Err(reason) => Err(Error::InvalidTokenRequired { reason, body }),
                };
            }
            if status.is_success() {
                let source = serde_json::from_slice::<serde_json::Value>(&body)
                    .err()
                    .unwrap_or_else(|| {
                        serde::de::Error::custom("the body is not the documented shape")
                    });
                return Err(Error::Decode {
                    status,
                    body,
                    source,
                });
            }
            Err(api_error(status, captured.content_type, body))
        }
    }
}

fn transport(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}

/// An error status: a Belvo error body (array, single object, or legacy
/// `{detail}`), or else the raw response.
pub(crate) fn api_error(status: StatusCode, content_type: Option<String>, body: Bytes) -> Error {
    let errors = match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(serde_json::Value::Array(items)) if !items.is_empty() => items
            .into_iter()
            .map(serde_json::from_value::<ErrorDetail>)
            .collect::<Result<Vec<_>, _>>()
            .ok(),
        Ok(v @ serde_json::Value::Object(_)) if v.get("code").is_some() => {
            serde_json::from_value::<ErrorDetail>(v)
                .ok()
                .map(|d| vec![d])
        }
        Ok(serde_json::Value::Object(o)) => o.get("detail").and_then(|d| d.as_str()).map(|d| {
            vec![ErrorDetail {
                code: match status {
                    StatusCode::UNAUTHORIZED => ErrorCode::AuthenticationFailed,
                    StatusCode::NOT_FOUND => ErrorCode::NotFound,
                    _ => ErrorCode::Other(String::new()),
                },
                message: Some(d.to_owned()),
                request_id: None,
                field: None,
            }]
        }),
        _ => None,
    };
    match errors {
        Some(errors) => {
            let e = ApiError {
                status,
                errors,
                body,
            };
            tracing::debug!(status = status.as_u16(), code = ?e.code().map(ErrorCode::as_str), request_id = e.request_id(), "Belvo API error");
            Error::Api(e)
        }
        None => Error::UnexpectedResponse {
            status,
            content_type,
            body,
        },
    }
}

/// Runs `op` (one generated read) and retries it per the client's
/// [`RetryPolicy`] when the error is retryable.
pub(crate) async fn with_retry<T, F, Fut>(
    policy: Option<RetryPolicy>,
    mut op: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && policy.is_some_and(|p| attempt < p.max_retries) => {
                attempt += 1;
                let pause = policy.map(|p| p.backoff(attempt)).unwrap_or_default();
                tracing::debug!(attempt, ?pause, error = %e, "retrying a read");
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn env_names_the_missing_variable() {
        let e = ClientBuilder::default()
            .with_lookup(lookup(&[("BELVO_SECRET_ID", "id")]))
            .expect_err("password missing");
        assert!(e.to_string().contains("BELVO_SECRET_PASSWORD"), "{e}");
        let e = ClientBuilder::default()
            .with_lookup(lookup(&[("BELVO_ENV", "staging")]))
            .expect_err("bad env");
        assert!(e.to_string().contains("staging"), "{e}");
    }

    #[test]
    fn env_picks_the_target() {
        let b = ClientBuilder::default()
            .with_lookup(lookup(&[
                ("BELVO_ENV", "production"),
                ("BELVO_SECRET_ID", "id"),
                ("BELVO_SECRET_PASSWORD", "pw"),
            ]))
            .expect("complete");
        assert_eq!(b.environment, Environment::Production);
        let c = b.build().expect("builds");
        assert_eq!(c.baseurl(), "https://api.belvo.com");
        let b = ClientBuilder::default()
            .with_lookup(lookup(&[
                ("BELVO_API_URL", "https://proxy.example/"),
                ("BELVO_ENV", "production"),
                ("BELVO_SECRET_ID", "id"),
                ("BELVO_SECRET_PASSWORD", "pw"),
            ]))
            .expect("complete");
        assert_eq!(
            b.build().expect("builds").baseurl(),
            "https://proxy.example"
        );
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let creds = Credentials::new("id", "pw");
        let build = |url: &str, allow: bool| {
            Client::builder()
                .base_url(url)
                .credentials(creds.clone())
                .allow_insecure_http(allow)
                .build()
        };
        let e = build("http://belvo.internal", false).expect_err("refused");
        assert!(
            matches!(e, Error::Config(ref m) if m.contains("clear text")),
            "{e}"
        );
        assert!(build("http://belvo.internal", true).is_ok());
        assert!(build("http://127.0.0.1:8080", false).is_ok());
        assert!(build("http://[::1]:8080", false).is_ok());
        assert!(build("http://localhost:1", false).is_ok());
        assert!(build("ftp://x", true).is_err());
        assert!(build("not a url", true).is_err());
    }

    #[test]
    fn no_secret_in_debug() {
        let creds = Credentials::new("id-123", "hunter2-password");
        let c = Client::builder()
            .credentials(creds.clone())
            .build()
            .expect("builds");
        for text in [
            format!("{creds:?}"),
            format!("{c:?}"),
            format!("{:?}", Client::builder().credentials(creds)),
        ] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(
                !text.contains(&base64_lite::encode(b"id-123:hunter2-password")),
                "{text}"
            );
        }
    }

    #[test]
    fn backoff_is_capped_and_grows() {
        let p = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
        };
        for attempt in 1..=10 {
            let cap = Duration::from_millis(100 * (1u64 << (attempt - 1)))
                .min(Duration::from_millis(300));
            assert!(p.backoff(attempt) <= cap);
        }
    }

    #[test]
    fn error_bodies_are_classified() {
        let e = api_error(
            StatusCode::BAD_GATEWAY,
            Some("text/html".into()),
            Bytes::from_static(b"<html>bad gateway</html>"),
        );
        assert!(
            matches!(&e, Error::UnexpectedResponse { status, body, .. } if *status == StatusCode::BAD_GATEWAY && body.starts_with(b"<html>"))
        );
        assert!(e.is_retryable());
        let e = api_error(
            StatusCode::NOT_FOUND,
            None,
            Bytes::from_static(br#"{"detail":"Not found."}"#),
        );
        assert_eq!(e.codes(), vec![&ErrorCode::NotFound]);
        let e = api_error(
            StatusCode::BAD_REQUEST,
            None,
            Bytes::from_static(br#"{"code":"invalid_link","message":"m"}"#),
        );
        assert_eq!(e.codes(), vec![&ErrorCode::InvalidLink]);
        let e = api_error(StatusCode::BAD_REQUEST, None, Bytes::from_static(b"[]"));
        assert!(matches!(e, Error::UnexpectedResponse { .. }));
    }
}

#[cfg(test)]
mod props {
    //! Property test: any error status with any body is classified into a
    //! typed error that keeps the status and the exact body, never a panic.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_error_body_keeps_status_and_body(
            status in 400u16..600,
            body in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..200),
                "\\[\\{\"code\":\"[a-z_]{0,12}\"(,\"message\":\"[ -~]{0,10}\")?\\}\\]".prop_map(String::into_bytes),
                "\\{\"detail\":\"[ -~]{0,10}\"\\}".prop_map(String::into_bytes),
            ],
        ) {
            let Ok(status) = StatusCode::from_u16(status) else { return Ok(()) };
            let e = api_error(status, None, Bytes::from(body.clone()));
            prop_assert_eq!(e.status(), Some(status));
            prop_assert_eq!(e.body(), Some(&body[..]));
            let typed = matches!(e, Error::Api(_) | Error::UnexpectedResponse { .. });
            prop_assert!(typed, "untyped: {:?}", e);
        }
    }
}
