//! The embedded sandbox: an in-process fake Belvo server for tests and demos.
//!
//! [`Sandbox::start`] binds `127.0.0.1` on a free port and serves, the way
//! Belvo does, every resource whose retrieve may pause for an MFA token and
//! the link lifecycle: HTTP Basic auth, Belvo's error arrays (`[{code,
//! message, request_id, field?}]`), request validation field by field (`400`
//! naming the field), `201`/`200` depending on `save_data`, DRF-style
//! pagination with absolute `next`/`previous` URLs, and, above all, the
//! multi-factor pause: a `428 token_required` carrying a `session` that a
//! later `PATCH` resumes.
//!
//! | resource | path | retrieve, resume | answers |
//! |---|---|---|---|
//! | balances | `/api/balances/` | `date_from`/`date_to` required, `account`; resume | arrays |
//! | accounts | `/api/accounts/` | `link`; resume | arrays |
//! | transactions | `/api/transactions/` | `date_from`/`date_to` required, `account`; resume | arrays |
//! | owners | `/api/owners/` | `link`; resume | arrays |
//! | incomes | `/api/incomes/` | dates optional; resume | one object from the retrieve, arrays from the resume and the detail |
//! | recurring expenses | `/api/recurring-expenses/` | dates required; resume | arrays, the detail too |
//! | risk insights | `/api/risk-insights/` | `link`; resume | arrays, the detail too |
//! | investment portfolios | `/investments/portfolios/` | `link`; resume without `save_data` | one object |
//! | invoices | `/api/invoices/` | dates and `type` (`INFLOW`/`OUTFLOW`) required, no token; resume | arrays |
//! | receivable transactions | `/receivables/transactions/` | dates required; **no resume** | one object from the retrieve |
//! | employment records | `/api/employment-records/` | `link`, no token; **no resume** | arrays |
//!
//! Each of them also has its list (`GET`, with the filters Belvo's
//! collection gives it of `link` and `account`: `link` on all but
//! employment records (and links), `account` on balances, transactions,
//! incomes, recurring expenses and receivable transactions; another
//! filter is refused with `400 unsupported_filter` rather than ignored,
//! which would answer every record), detail
//! (`GET {path}{id}/`) and delete (`DELETE {path}{id}/`). `fields` and
//! `omit` take nested names (`account.id`).
//! A resource without a resume still answers `428`: its `PATCH` is a `404`,
//! and the way through is to retrieve again with the token (where its
//! request takes one). A resume that takes `save_data` and sends none
//! saves, as Belvo documents (`save_data` defaults to true); one that
//! takes none (portfolios) goes on as the retrieve said. Records are typed fixtures shaped like the generated types
//! (Belvo's OpenAPI schemas); their ids are derived from the link, the
//! account and the day, so the same retrieve answers the same ids.
//!
//! # Scenarios and links
//!
//! What an operation does is scripted by the scenario of its link. Every
//! [`Scenario`] has a fixed link, [`Scenario::link`], present in every fresh
//! sandbox. The right token for every factor is [`SANDBOX_TOKEN`], and the
//! `428` body even shows it as its hint (`token_generation_data.value`), so
//! a demo can be driven by hand.
//!
//! | scenario | what a retrieve (or a link registration or update) does |
//! |---|---|
//! | [`Scenario::NoMfa`] | answers at once |
//! | [`Scenario::TokenOnce`] | `428`, then one `PATCH` with the token |
//! | [`Scenario::TokenTwice`] | `428`, `PATCH` with the token, `428` again (second factor), `PATCH` again |
//! | [`Scenario::Inputless`] | `428` that expects no input; `PATCH` without a token |
//! | [`Scenario::Expiring`] | like token-once, but the session dies after 2 seconds |
//! | [`Scenario::WrongToken`] | like token-once, but every token is rejected |
//! | [`Scenario::Qr`] | `428` with a QR code to scan ([`SANDBOX_QR`]); `PATCH` without a token |
//!
//! The links (`/api/links/`):
//!
//! - `POST /api/links/` registers a link (`institution`, `username` and
//!   `password` required, `access_mode` `single` or `recurrent`). A
//!   `username` equal to a scenario's [name](Scenario::name) (`token-once`,
//!   `token-twice`, ...; case and `_` do not matter) runs that scenario's
//!   flow: the `428` names the new link, and `PATCH /api/links/` resumes it
//!   (`{session, link, token?}`, no `save_data`; `200`). Any other username
//!   registers at once (`201`).
//! - A registered link gets a **fresh random id** (never one of the
//!   scenario links), and exists only once registered (after its MFA).
//!   **Every later operation on it runs the scenario its username named**
//!   (no MFA for any other username): the retrieves of every resource, and
//!   its updates. So a journey registers a link with username
//!   `token-twice`, answers two `428`s, then retrieves accounts,
//!   transactions and balances on the link it got, answering two `428`s
//!   each.
//! - `PUT /api/links/{id}/` (update credentials) and `PATCH
//!   /api/links/{id}/` (change the access mode) run the link's scenario too,
//!   resumed by `PATCH /api/links/`, and answer the link (`200`).
//! - `GET /api/links/` lists them (the scenario links first, one per scenario, then by
//!   registration), `GET /api/links/{id}/` is one, `DELETE /api/links/{id}/`
//!   removes it and every record stored for it; retrieves on it are then a
//!   `400 does_not_exist` on `link`.
//!
//! A request body sent as another media type than JSON (`text/plain`, a
//! form) is a `415` with Django REST framework's `detail`, as Belvo
//! answers it; one without a `Content-Type` is read as JSON.
//!
//! Each sandbox has its own state (sessions, links, stored records, [`Hits`]
//! counters) and stops when dropped. A fresh sandbox stores the records of
//! the [`Scenario::NoMfa`] link for every resource (250 of each resource
//! whose records are per day, such as balances and transactions), so
//! listing is never empty. The 428 body shape, the expiry, the number of
//! accounts per link and whether bodies carry the `null`s Belvo documents
//! ([`SandboxConfig::documented_nulls()`]) are set with [`SandboxConfig`].
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

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;

mod auth;
mod errors;
mod fixtures;
mod flow;
mod links;
mod materialize;
mod resources;
mod routes;
mod scenario;
mod store;
mod validate;

#[cfg(test)]
mod tests;

pub use materialize::materialize;
pub use scenario::{Hits, SandboxConfig, Scenario, TokenRequiredShape};

use resources::{Resource, RESOURCES};
use store::Shared;

/// The secret id the sandbox accepts (the HTTP Basic user).
pub const SANDBOX_SECRET_ID: &str = "sandbox-secret-id";
/// The secret password the sandbox accepts (the HTTP Basic password).
pub const SANDBOX_SECRET_PASSWORD: &str = "sandbox-secret-password";
/// The right MFA token, for every factor of every scenario
/// (except [`Scenario::WrongToken`], which rejects them all).
pub const SANDBOX_TOKEN: &str = "123456";
/// The payload of [`Scenario::Qr`]'s QR code (`token_generation_data.value`),
/// which a demo would draw for the user to scan.
pub const SANDBOX_QR: &str = "belvo-sandbox://approve-login";

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
        Sandbox::serve(config, RESOURCES).await
    }

    /// Starts a sandbox serving `resources`.
    async fn serve(
        config: SandboxConfig,
        resources: &'static [Resource],
    ) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config, format!("http://{addr}"), resources));
        let app = routes::router(Arc::clone(&shared));
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
