//! The hand-written layer, written once for every resource family: the MFA
//! pause as a typed value, the resume, the whole MFA flow, detail and
//! delete (lists are read by [`Client::paginate`]).
//!
//! A family is an uninhabited marker type (such as [`Balances`] or
//! [`Accounts`]) that implements [`Family`] (its retrieve, which may answer
//! 428), and where Belvo has them [`Resumable`] (its resume), [`Listed`]
//! (its detail) and [`Deletable`]. Each implementation only names the
//! family's generated calls and types (one macro entry each, in
//! `families.rs`); everything else lives here, in [`Resource`], which
//! [`Client::resource`] (or a shortcut such as [`Client::accounts`]) hands
//! out. Resources without a retrieve (such as [`Institutions`]) implement
//! [`Listed`] only.
//!
//! A family whose retrieve may answer 428 but that has no documented resume
//! (`ReceivableTransactions`, `EmploymentRecords`) implements [`Family`]
//! with [`Unresumable`] as its pending type and not [`Resumable`]: its
//! [`Retrieval`] says so, and it has no `resume` to call.
//!
//! ```no_run
//! # async fn run(client: belvo::Client, link: uuid::Uuid) -> Result<(), belvo::Error> {
//! use belvo::family::{Owners, Resumable};
//! use belvo::{types, Retrieval};
//!
//! // Any family with a documented resume, through one generic function.
//! async fn first_step<F: Resumable>(
//!     client: &belvo::Client,
//!     request: &F::Request,
//! ) -> Result<Option<F::Output>, belvo::Error> {
//!     Ok(match client.resource::<F>().retrieve(request).await? {
//!         Retrieval::Complete(output) => Some(output),
//!         Retrieval::TokenRequired(pending) => {
//!             println!("{} asks for a token", pending.family());
//!             None
//!         }
//!     })
//! }
//!
//! let request = types::LinkRetrieveRequest { link, save_data: Some(true), token: None };
//! let owners = first_step::<Owners>(&client, &request).await?;
//! # let _ = owners; Ok(()) }
//! ```

use std::future::Future;
use std::marker::PhantomData;

use chrono::Utc;
use futures::future::BoxFuture;
use futures::{FutureExt, TryFutureExt};
use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

pub use crate::balances::Balances;
use crate::client::{call, with_retry, Outcome};
use crate::error::Error;
pub use crate::families::*;
use crate::generated::Client;
pub use crate::links::Links;
use crate::mfa::{FamilyName, PendingSession, Token};
pub use crate::pagination::Page;
use crate::Retrieved;

mod unresumable;
pub use unresumable::Unresumable;

/// A generated call, its error body left untyped: what a family's
/// operations hand to the generic layer, which classifies the failure from
/// the status and body it captured.
pub type Call<'a, T> = BoxFuture<'a, Result<ResponseValue<T>, progenitor_client::Error>>;

/// Wraps one generated call as a [`Call`].
pub(crate) fn erase<'a, T: 'a, E: 'a, F>(fut: F) -> Call<'a, T>
where
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + Send + 'a,
{
    fut.map_err(progenitor_client::Error::into_untyped).boxed()
}

mod sealed {
    /// Only the crate declares families.
    pub trait Sealed {}
}
pub(crate) use sealed::Sealed;

/// A family of operations whose retrieve may pause for an MFA token (428).
/// Implemented by the crate; see the [module](self) documentation.
pub trait Family: Sealed + Sized + 'static {
    /// The body of a retrieve, as the caller builds it.
    type Request: Sync;
    /// The decoded success body of a retrieve or a resume.
    type Body: DeserializeOwned + Send;
    /// What a completed retrieve or resume hands back.
    type Output;
    /// What a 428 hands back: [`PendingSession`] when Belvo documents a
    /// resume for the family, [`Unresumable`] when it does not.
    type Pending: From<PendingSession>;

    /// The family its pending sessions are tagged with.
    fn name() -> FamilyName;

    /// The generated retrieve for `request`, checked before anything is
    /// sent.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when the request is invalid.
    fn retrieve<'a>(
        client: &'a Client,
        request: &'a Self::Request,
    ) -> Result<Call<'a, Self::Body>, Error>;

    /// The `save_data` the request sends, carried into its pending session
    /// (`None` for families that take none).
    fn save_data(request: &Self::Request) -> Option<bool>;

    /// The output of a success; `persisted` is true for a 201.
    fn complete(body: Self::Body, persisted: bool) -> Self::Output;
}

/// A [`Family`] with a documented resume.
pub trait Resumable: Family<Pending = PendingSession> {
    /// The generated resume for `body`.
    fn resume(client: &Client, body: ResumeBody) -> Call<'_, Self::Body>;
}

/// A resource with a detail (`client.resource::<F>().get(id)`). Its list is
/// read through its generated builder, page after page, by
/// [`Client::paginate`].
pub trait Listed: Sealed + Sized + 'static {
    /// What a record is looked up by (a UUID for most resources).
    type Id: Send + Sync + 'static;
    /// One record.
    type Record: DeserializeOwned + Send + 'static;

    /// The generated detail call.
    fn detail<'a>(client: &'a Client, id: &'a Self::Id) -> Call<'a, Self::Record>;
}

/// A [`Listed`] resource whose records can be deleted.
pub trait Deletable: Listed {
    /// The generated delete call.
    fn delete<'a>(client: &'a Client, id: &'a Self::Id) -> Call<'a, ()>;
}

/// The body of a resume (`{session, link, token?, save_data?}`): the
/// session and link exactly as received. Its `Debug` hides the token.
pub struct ResumeBody {
    pub(crate) session: String,
    pub(crate) link: String,
    pub(crate) token: Option<String>,
    /// Ignored by the families that take no `save_data` (Links, Investment
    /// Portfolios).
    pub(crate) save_data: bool,
}

impl std::fmt::Debug for ResumeBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResumeBody")
            .field("session", &self.session)
            .field("link", &self.link)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("save_data", &self.save_data)
            .finish()
    }
}

/// What a retrieve or a resume came to: the family's output, or a pause for
/// an MFA token. `P` is [`PendingSession`] for the families with a
/// documented resume, [`Unresumable`] for the others; the defaults are the
/// balances types of version 0.1.
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub enum Retrieval<T = Retrieved, P = PendingSession> {
    /// The records.
    Complete(T),
    /// The institution asks for an MFA token: answer with
    /// [`Resource::resume`], now or later (a [`PendingSession`] can be
    /// stored).
    TokenRequired(P),
}

/// Records returned by a retrieve or a resume: the output of a family that
/// has no dedicated type (Balances keep their [`Retrieved`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Records<T> {
    /// The records.
    pub records: Vec<T>,
    /// True when Belvo persisted them (201, `save_data` true), false when it
    /// only returned them (200).
    pub persisted: bool,
}

/// The operations of family `F` on a [`Client`]; get it with
/// [`Client::resource`] or a shortcut such as [`Client::balances`].
pub struct Resource<'a, F> {
    client: &'a Client,
    family: PhantomData<fn() -> F>,
}

impl<'a, F> Resource<'a, F> {
    /// The client the operations run on.
    pub(crate) fn client(&self) -> &'a Client {
        self.client
    }
}

impl<F> Clone for Resource<'_, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Resource<'_, F> {}

impl<F: Family> std::fmt::Debug for Resource<'_, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource")
            .field("family", &F::name().as_str())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// The operations of family `F` (hand-written layer), e.g.
    /// `client.resource::<belvo::family::Balances>()`.
    pub fn resource<F>(&self) -> Resource<'_, F> {
        Resource {
            client: self,
            family: PhantomData,
        }
    }
}

/// The output of a success of family `F`.
fn completed<F: Family>(v: ResponseValue<F::Body>) -> F::Output {
    let persisted = v.status() == reqwest::StatusCode::CREATED;
    F::complete(v.into_inner(), persisted)
}

/// A retrieve's or a resume's outcome, its pending session tagged with `F`.
fn step<F: Family>(outcome: Outcome<F::Body>, client: &Client) -> Retrieval<F::Output, F::Pending> {
    match outcome {
        Outcome::Ok(v) => Retrieval::Complete(completed::<F>(v)),
        Outcome::TokenRequired(p) => {
            let base = client.config_session_base().to_owned();
            Retrieval::TokenRequired(p.with_family(F::name()).with_base_url(base).into())
        }
    }
}

/// A base URL as pending sessions record and compare it: scheme, host and
/// port as the URL's origin (lower-case, no default port), then the path
/// without its trailing `/` (`https://api.belvo.com`,
/// `https://gateway.example/belvo`). Text that does not parse is kept.
pub(crate) fn normalized(base: &str) -> String {
    match reqwest::Url::parse(base) {
        Ok(u) => u.origin().ascii_serialization() + u.path().trim_end_matches('/'),
        Err(_) => base.to_owned(),
    }
}

pub(crate) fn ok_only<T>(outcome: Outcome<T>) -> Result<T, Error> {
    match outcome {
        Outcome::Ok(v) => Ok(v.into_inner()),
        Outcome::TokenRequired(p) => Err(Error::UnexpectedTokenRequired(Box::new(p))),
    }
}

impl<'a, F: Family> Resource<'a, F> {
    /// Retrieves from the institution. Never retried automatically: it
    /// drives a live bank session.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for a request invalid before sending,
    /// [`Error::Api`] for Belvo errors (400, 401, 408, 500 …), and the
    /// transport and decoding errors of [`Error`].
    pub async fn retrieve(
        &self,
        request: &F::Request,
    ) -> Result<Retrieval<F::Output, F::Pending>, Error> {
        let fut = F::retrieve(self.client, request)?;
        let save_data = F::save_data(request).unwrap_or(true);
        self.paused(fut, save_data).await
    }

    /// Runs any operation of the family that may answer 428 (a retrieve;
    /// for Links also an update of credentials or of the access mode): its
    /// output, or its pause tagged with the family. `save_data` is what the
    /// pending session carries into its resume.
    pub(crate) async fn paused(
        &self,
        fut: Call<'_, F::Body>,
        save_data: bool,
    ) -> Result<Retrieval<F::Output, F::Pending>, Error> {
        Ok(step::<F>(call(fut, save_data).await?, self.client))
    }
}

impl<'a, F: Resumable> Resource<'a, F> {
    /// Resumes a paused retrieve with the token (none for inputless MFA).
    /// Sends `session` and `link` exactly as received and `save_data`
    /// explicitly (where the family takes it). Fails locally, sending
    /// nothing, for a session of another family or base URL or past its
    /// deadline.
    /// Never retried automatically.
    ///
    /// # Errors
    /// [`Error::WrongFamily`] for another family's session;
    /// [`Error::WrongBaseUrl`] for a session a client of another base URL
    /// received;
    /// [`Error::SessionExpired`] past the deadline; [`Error::TokenMissing`]
    /// when a token is needed and none is given; [`Error::Api`] (e.g.
    /// `session_expired`, see [`Error::is_session_expired`]) and the other
    /// errors of [`Error`].
    pub async fn resume(
        &self,
        pending: &PendingSession,
        token: Option<Token>,
    ) -> Result<Retrieval<F::Output>, Error> {
        self.refusal(pending)?;
        if token.is_none() && pending.needs_token() {
            return Err(Error::TokenMissing {
                kind: pending
                    .challenge()
                    .map_or("token".to_owned(), |c| c.kind.to_string()),
            });
        }
        let body = ResumeBody {
            session: pending.session().to_owned(),
            link: pending.link().to_owned(),
            token: token.as_ref().map(|t| t.expose().to_owned()),
            save_data: pending.save_data(),
        };
        let fut = F::resume(self.client, body);
        self.paused(fut, pending.save_data()).await
    }

    /// Why this family's resume refuses `pending` before sending anything:
    /// another family's session, one another base URL received, or one past
    /// its deadline.
    fn refusal(&self, pending: &PendingSession) -> Result<(), Error> {
        let family = F::name();
        if *pending.family() != family {
            return Err(Error::WrongFamily {
                session: pending.family().clone(),
                resume: family,
            });
        }
        // Recorded normalized; one stored otherwise (by hand, or as the
        // `origin` of an earlier version) is normalized to compare.
        let mine = self.client.config_session_base();
        if let Some(theirs) = pending
            .base_url()
            .filter(|b| *b != mine && normalized(b) != mine)
        {
            return Err(Error::WrongBaseUrl {
                session: theirs.to_owned(),
                client: mine.to_owned(),
            });
        }
        match pending.expires_at().filter(|d| Utc::now() >= *d) {
            Some(expired_at) => Err(Error::SessionExpired { expired_at }),
            None => Ok(()),
        }
    }

    /// The whole flow: retrieve, then on each 428 call `token_for` (given the
    /// pending session and its challenge) and resume once it returns; at
    /// most [`max_mfa_rounds`](crate::ClientBuilder::max_mfa_rounds) rounds.
    /// Stops on the first error, such as `session_expired`.
    ///
    /// Every pause is the user's turn, so `token_for` is called on each: to
    /// type a code, or to scan a QR code or approve the login in the bank's
    /// app (a challenge that [needs no token](PendingSession::needs_token),
    /// whose instructions and value say what to do). It returns the token
    /// (a [`Token`], or `Some(token)`) or `None`, once the user is done. The
    /// resume carries the token only when the challenge asks for one, as
    /// Belvo's protocol says; a pause that needs one and gets `None` fails
    /// with [`Error::TokenMissing`].
    ///
    /// ```no_run
    /// # async fn run(client: belvo::Client, link: uuid::Uuid) -> Result<(), belvo::Error> {
    /// use chrono::NaiveDate;
    /// let request = belvo::RetrieveRequest::new(
    ///     link,
    ///     NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    ///     NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(),
    /// );
    /// let retrieved = client
    ///     .balances()
    ///     .retrieve_with_mfa(&request, |pending| {
    ///         let hint = pending.challenge().and_then(|c| c.instructions.clone());
    ///         let needs_token = pending.needs_token();
    ///         async move {
    ///             println!("{}", hint.unwrap_or_default());
    ///             // The code the user typed; or, when none is asked, nothing
    ///             // once they approved the login (or scanned the QR code).
    ///             Ok::<_, std::io::Error>(needs_token.then(|| belvo::Token::new("123456")))
    ///         }
    ///     })
    ///     .await?;
    /// println!("{} balances", retrieved.balances.len());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The errors of [`retrieve`](Self::retrieve). Once a pause is in hand,
    /// an error that leaves its session resumable comes as
    /// [`Error::MfaStopped`] with the session and the cause: the token
    /// provider failed ([`Error::TokenProvider`]) or gave no token where
    /// one is needed ([`Error::TokenMissing`]), or the resume failed
    /// without ending the session (a mistyped token, a timeout, a 5xx).
    /// [`Error::TooManyMfaRounds`] (with the last pending session) past the
    /// client's rounds. The others of [`resume`](Self::resume) come as
    /// themselves: `session_expired`, a session of another family or base
    /// URL. [`Error::pending_session`] gives the session of either.
    pub async fn retrieve_with_mfa<T, Fut, A, E>(
        &self,
        request: &F::Request,
        token_for: T,
    ) -> Result<F::Output, Error>
    where
        T: FnMut(&PendingSession) -> Fut,
        Fut: Future<Output = Result<A, E>>,
        A: Into<Option<Token>>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let first = self.retrieve(request).await?;
        self.complete_with_mfa(first, token_for).await
    }

    /// The flow of [`retrieve_with_mfa`](Self::retrieve_with_mfa) from any
    /// step: a retrieval already made, or a stored [`PendingSession`]
    /// (`Retrieval::TokenRequired(pending)`).
    ///
    /// # Errors
    /// Those of [`retrieve_with_mfa`](Self::retrieve_with_mfa).
    pub async fn complete_with_mfa<T, Fut, A, E>(
        &self,
        mut step: Retrieval<F::Output>,
        mut token_for: T,
    ) -> Result<F::Output, Error>
    where
        T: FnMut(&PendingSession) -> Fut,
        Fut: Future<Output = Result<A, E>>,
        A: Into<Option<Token>>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let rounds = self.client.config_max_mfa_rounds();
        for round in 1..=rounds {
            let pending = match step {
                Retrieval::Complete(done) => return Ok(done),
                Retrieval::TokenRequired(p) => p,
            };
            tracing::debug!(round, family = pending.family().as_str(), kind = ?pending.challenge().map(|c| c.kind.as_str()), "MFA token required");
            step = match self.mfa_round(&pending, &mut token_for).await {
                Ok(step) => step,
                Err(e) => return Err(e.stopped_at(pending)),
            };
        }
        match step {
            Retrieval::Complete(done) => Ok(done),
            Retrieval::TokenRequired(pending) => Err(Error::TooManyMfaRounds {
                rounds,
                pending: Box::new(pending),
            }),
        }
    }
}

impl<F: Resumable> Resource<'_, F> {
    /// One round of the MFA flow at `pending`: the token asked of
    /// `token_for`, then the resume.
    async fn mfa_round<T, Fut, A, E>(
        &self,
        pending: &PendingSession,
        token_for: &mut T,
    ) -> Result<Retrieval<F::Output>, Error>
    where
        T: FnMut(&PendingSession) -> Fut,
        Fut: Future<Output = Result<A, E>>,
        A: Into<Option<Token>>,
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        // Refused sessions are refused before the user is asked.
        self.refusal(pending)?;
        let answer = token_for(pending)
            .await
            .map_err(|e| Error::TokenProvider(e.into()))?;
        let token = answer.into();
        if token.is_some() && !pending.needs_token() {
            tracing::debug!("the challenge asks for no token: the one given is not sent");
        }
        let token = token.filter(|_| pending.needs_token());
        self.resume(pending, token).await
    }
}

impl<'a, F: Listed> Resource<'a, F> {
    /// One record.
    ///
    /// # Errors
    /// [`Error::Api`] with `not_found` for an unknown id; the errors of
    /// [`Error`]; retried per the client's [`RetryPolicy`](crate::RetryPolicy).
    pub async fn get(&self, id: F::Id) -> Result<F::Record, Error> {
        let c = self.client;
        with_retry(c.config_retry(), || async {
            ok_only(call(F::detail(c, &id), true).await?)
        })
        .await
    }
}

impl<'a, F: Deletable> Resource<'a, F> {
    /// Deletes one record. Not retried.
    ///
    /// # Errors
    /// [`Error::Api`] with `not_found` for an unknown id; the errors of [`Error`].
    pub async fn delete(&self, id: F::Id) -> Result<(), Error> {
        ok_only(call(F::delete(self.client, &id), true).await?)
    }
}

#[cfg(test)]
mod tests;
