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
//! The 428 body shape, the expiry, the number of balances per link and
//! whether bodies carry the `null`s Belvo documents
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
