//! The 428 of a retrieve Belvo documents no resume for.

use chrono::{DateTime, Utc};

use crate::mfa::{FamilyName, PendingSession, TokenChallenge};

/// The 428 of a retrieve for which Belvo documents no resume (receivable
/// transactions and employment records): what the institution asked for,
/// and no way to answer it through this crate. There is no `resume` for such
/// a family, and this value cannot be given to another family's. Where the
/// retrieve's request takes a `token` (receivable transactions), send it
/// again with the token; Belvo documents none for employment records, so
/// their 428 cannot be answered through the API as documented.
///
/// ```no_run
/// use belvo::family::{Family, Resource, Retrieval, Unresumable};
///
/// // Any family whose 428 has no documented resume: the type says so.
/// async fn fetch<F>(
///     resource: Resource<'_, F>,
///     request: &F::Request,
/// ) -> Result<Option<F::Output>, belvo::Error>
/// where
///     F: Family<Pending = Unresumable>,
/// {
///     match resource.retrieve(request).await? {
///         Retrieval::Complete(output) => Ok(Some(output)),
///         Retrieval::TokenRequired(paused) => {
///             let asked = paused.challenge().map(|c| c.kind.to_string());
///             eprintln!(
///                 "{}: no resume documented; retrieve again with a token ({})",
///                 paused.family(),
///                 asked.unwrap_or_else(|| "token".into()),
///             );
///             Ok(None)
///         }
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresumable(PendingSession);

impl From<PendingSession> for Unresumable {
    fn from(pending: PendingSession) -> Self {
        Unresumable(pending)
    }
}

impl Unresumable {
    /// The family whose retrieve answered 428.
    pub fn family(&self) -> &FamilyName {
        self.0.family()
    }

    /// The link id, exactly as Belvo sent it.
    pub fn link(&self) -> &str {
        self.0.link()
    }

    /// What the institution asks for (`token_generation_data`), if it said.
    pub fn challenge(&self) -> Option<&TokenChallenge> {
        self.0.challenge()
    }

    /// Whether the institution expects a token typed by the user.
    pub fn needs_token(&self) -> bool {
        self.0.needs_token()
    }

    /// When Belvo's session ends, if it said.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at()
    }

    /// Belvo's `request_id` for the 428.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id()
    }

    /// Belvo's message.
    pub fn message(&self) -> Option<&str> {
        self.0.message()
    }
}
