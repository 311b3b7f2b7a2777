//! The error type of the hand-written layer: HTTP status, Belvo error codes,
//! `request_id` and the raw body are kept on every failure that has them.

use std::fmt;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::mfa::{FamilyName, PendingSession};
use crate::text::{bounded, MAX_DISPLAY_CHARS};

/// Everything that can go wrong in a call through the hand-written layer.
///
/// `Display` is one line of at most [`MAX_DISPLAY_CHARS`] characters, with
/// control characters escaped (text a server sent is shown, never obeyed);
/// the full body is available through [`Error::body`] and the variants'
/// fields, and the underlying cause, where there is one, through
/// [`std::error::Error::source`]. No variant ever holds a password or an MFA
/// token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Belvo answered with an error status and a Belvo error body.
    Api(ApiError),

    /// An error status whose body is not a Belvo error (e.g. a proxy's HTML
    /// 502 page, or an empty body). Status, content type and body are kept.
    UnexpectedResponse {
        /// The HTTP status.
        status: StatusCode,
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The raw body.
        body: Bytes,
    },

    /// A success status whose body does not decode into the expected type
    /// (empty, truncated, or not the documented shape).
    Decode {
        /// The HTTP status.
        status: StatusCode,
        /// The raw body.
        body: Bytes,
        /// Where in the body decoding failed, as a JSON path such as
        /// `[2].account.category` (`.` for the body itself).
        path: String,
        /// The decoder's message, e.g. `invalid type: null, expected a
        /// string at line 1 column 310`.
        message: String,
    },

    /// A 428 whose body does not describe a resumable MFA session (no
    /// `session` or `link`, a field of the wrong type). An `expiry` that gives
    /// no deadline is not one: the session is kept without a deadline.
    InvalidTokenRequired {
        /// What is wrong with it.
        reason: String,
        /// The raw body.
        body: Bytes,
    },

    /// A 428 from an operation that has no MFA step (list, detail, delete).
    UnexpectedTokenRequired(Box<PendingSession>),

    /// Belvo's API does not redirect: a 3xx answer is never followed, so no
    /// body, token or credential goes to the `Location`.
    Redirect {
        /// The HTTP status (301, 302, 303, 307, 308 …).
        status: StatusCode,
        /// The `Location` header, without user name, password, query or
        /// fragment, at most 2,048 characters (then `…` when cut).
        location: Option<String>,
    },

    /// An injected `reqwest::Client` ([`crate::ClientBuilder::http_client`])
    /// followed a redirect to another origin; that origin's answer was
    /// discarded unread.
    RedirectFollowed {
        /// The URL the client ended at, without user name, password, query
        /// or fragment.
        url: String,
    },

    /// The response body was larger than the client's limit
    /// ([`crate::ClientBuilder::max_body_size`]); it was not read further.
    BodyTooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The limit in bytes.
        limit: usize,
    },

    /// The request or the response took longer than the timeout.
    Timeout(#[source] reqwest::Error),

    /// Belvo could not be reached, or the connection broke.
    Transport(#[source] reqwest::Error),

    /// The pending MFA session's deadline has passed; nothing was sent.
    /// Start again with a new retrieve.
    SessionExpired {
        /// When it expired.
        expired_at: DateTime<Utc>,
    },

    /// A pending session was given to the resume of another family (a
    /// balances session to the accounts resume, say); nothing was sent.
    WrongFamily {
        /// The family the session belongs to.
        session: FamilyName,
        /// The family whose resume it was given to.
        resume: FamilyName,
    },

    /// A pending session was given to a client of another base URL (another
    /// environment, host or path) than the one that received the 428;
    /// nothing was sent.
    WrongBaseUrl {
        /// The base URL of the client that received the 428.
        session: String,
        /// The base URL of the client it was given to.
        client: String,
    },

    /// The institution expects a token but none was given.
    TokenMissing {
        /// The kind of token asked for.
        kind: String,
    },

    /// The institution kept asking for tokens past the allowed number of rounds.
    TooManyMfaRounds {
        /// Rounds answered.
        rounds: u32,
        /// The last pending session, which can still be resumed by hand.
        pending: Box<PendingSession>,
    },

    /// The token provider given to the MFA flow failed.
    TokenProvider(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// The MFA flow ([`retrieve_with_mfa`](crate::family::Resource::retrieve_with_mfa),
    /// [`complete_with_mfa`](crate::family::Resource::complete_with_mfa))
    /// stopped at a pause whose session may still be resumed: the token
    /// provider failed or gave no token, or the resume failed in a way that
    /// does not end the session (a mistyped token, a timeout, a 5xx). The
    /// session can be resumed by hand or stored; `source` says why the flow
    /// stopped. The errors that end the session (`session_expired`, an
    /// expired deadline, a session of another family or base URL, a success
    /// status whose body does not decode, a connection that broke while the
    /// answer's body was read) come as themselves.
    MfaStopped {
        /// The session the flow was at.
        pending: Box<PendingSession>,
        /// Why it stopped.
        #[source]
        source: Box<Error>,
    },

    /// A `next` link of a page could not be followed.
    Pagination {
        /// The link, without user information, query or fragment.
        next: String,
        /// Why.
        reason: String,
    },

    /// The list made no progress, or would miss records: a page with no
    /// results but a `next`, a `next` seen before, a `next` that skips
    /// pages, a `next` on a list that takes no `page`, or more pages than
    /// `count` allows. The stream ends with this error instead of asking
    /// forever.
    PaginationStalled {
        /// The 1-based number of the page that made no progress.
        page: i32,
        /// Why.
        reason: String,
    },

    /// The client is misconfigured (missing credentials, bad base URL …).
    /// The message never repeats a password or a URL's user information.
    Config(String),

    /// The request is invalid before anything is sent.
    InvalidRequest(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        bounded(f, MAX_DISPLAY_CHARS, |w| self.write_message(w))
    }
}

impl Error {
    /// The message, before it is bounded and escaped by `Display`.
    fn write_message(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Error::Api(e) => e.write_message(w),
            Error::UnexpectedResponse {
                status,
                content_type,
                body,
            } => write!(
                w,
                "unexpected {status} response ({}, {} bytes)",
                content_type.as_deref().unwrap_or("no content type"),
                body.len()
            ),
            Error::Decode {
                status,
                path,
                message,
                ..
            } => write!(
                w,
                "cannot decode the {status} response body: {path}: {message}"
            ),
            Error::InvalidTokenRequired { reason, .. } => {
                write!(w, "invalid 428 token-required response: {reason}")
            }
            Error::UnexpectedTokenRequired(_) => w.write_str(
                "Belvo asked for an MFA token on an operation that cannot be resumed",
            ),
            Error::Redirect { status, location } => write!(
                w,
                "Belvo answered {status} to `{}`; redirects are never followed",
                location.as_deref().unwrap_or("no location")
            ),
            Error::RedirectFollowed { url } => write!(
                w,
                "the HTTP client followed a redirect to another origin (`{url}`); its answer was discarded"
            ),
            Error::BodyTooLarge { status, limit } => write!(
                w,
                "the {status} response body is larger than the {limit}-byte limit"
            ),
            Error::Timeout(_) => w.write_str("the request to Belvo timed out"),
            Error::Transport(_) => w.write_str("could not talk to Belvo"),
            Error::SessionExpired { expired_at } => write!(
                w,
                "the MFA session expired at {expired_at}; start again with a new retrieve"
            ),
            Error::WrongFamily { session, resume } => write!(
                w,
                "the MFA session belongs to `{session}` and cannot be resumed through `{resume}`; nothing was sent"
            ),
            Error::WrongBaseUrl { session, client } => write!(
                w,
                "the MFA session was opened through {session} and cannot be resumed through a client of {client}; nothing was sent"
            ),
            Error::TokenMissing { kind } => write!(
                w,
                "the institution expects an MFA token ({kind}) but none was given"
            ),
            Error::TooManyMfaRounds { rounds, .. } => write!(
                w,
                "the institution still asked for an MFA token after {rounds} rounds"
            ),
            Error::TokenProvider(_) => w.write_str("the MFA token provider failed"),
            // The cause is the error's source, not repeated here (error
            // reports print the chain), as with `TokenProvider`.
            Error::MfaStopped { .. } => {
                w.write_str("the MFA flow stopped at a pause whose session may still be resumed")
            }
            Error::Pagination { next, reason } => {
                write!(w, "cannot follow the next page link `{next}`: {reason}")
            }
            Error::PaginationStalled { page, reason } => {
                write!(w, "the list made no progress at page {page}: {reason}")
            }
            Error::Config(m) => write!(w, "configuration: {m}"),
            Error::InvalidRequest(m) => write!(w, "invalid request: {m}"),
        }
    }

    /// The HTTP status of the response behind this error, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::MfaStopped { source, .. } => source.status(),
            Error::Api(e) => Some(e.status),
            Error::UnexpectedResponse { status, .. }
            | Error::Decode { status, .. }
            | Error::Redirect { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            Error::InvalidTokenRequired { .. } | Error::UnexpectedTokenRequired(_) => {
                Some(StatusCode::PRECONDITION_REQUIRED)
            }
            _ => None,
        }
    }

    /// The raw response body, where one was received and kept.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Error::MfaStopped { source, .. } => source.body(),
            Error::Api(e) => Some(&e.body),
            Error::UnexpectedResponse { body, .. }
            | Error::Decode { body, .. }
            | Error::InvalidTokenRequired { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Belvo's `request_id` of the first error, if Belvo sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::MfaStopped { source, .. } => source.request_id(),
            Error::Api(e) => e.request_id(),
            Error::UnexpectedTokenRequired(p) => p.request_id(),
            _ => None,
        }
    }

    /// The Belvo error codes of an API error (empty for other errors).
    pub fn codes(&self) -> Vec<&ErrorCode> {
        match self {
            Error::MfaStopped { source, .. } => source.codes(),
            Error::Api(e) => e.errors.iter().map(|d| &d.code).collect(),
            _ => Vec::new(),
        }
    }

    /// True when the MFA session is over: Belvo answered `session_expired`, or
    /// the deadline passed before the resume was sent. Start a new retrieve.
    pub fn is_session_expired(&self) -> bool {
        matches!(self, Error::SessionExpired { .. })
            || self
                .codes()
                .iter()
                .any(|c| **c == ErrorCode::SessionExpired)
    }

    /// True for timeouts (a resume's too, when the MFA flow stopped at it).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::MfaStopped { source, .. } => source.is_timeout(),
            other => matches!(other, Error::Timeout(_)),
        }
    }

    /// The MFA session an error leaves resumable: that of
    /// [`Error::MfaStopped`] and of [`Error::TooManyMfaRounds`]. Resume it
    /// by hand, or store it.
    pub fn pending_session(&self) -> Option<&PendingSession> {
        match self {
            Error::MfaStopped { pending, .. } | Error::TooManyMfaRounds { pending, .. } => {
                Some(pending)
            }
            _ => None,
        }
    }

    /// [`pending_session`](Self::pending_session), owned.
    pub fn into_pending_session(self) -> Option<PendingSession> {
        match self {
            Error::MfaStopped { pending, .. } | Error::TooManyMfaRounds { pending, .. } => {
                Some(*pending)
            }
            _ => None,
        }
    }

    /// `self`, or [`Error::MfaStopped`] at `pending` when `self` leaves that
    /// session resumable (see there).
    pub(crate) fn stopped_at(self, pending: PendingSession) -> Error {
        // A connection that broke while the answer's body was read: the
        // resume was answered (its status is not kept), most likely with
        // the records, which spends the session.
        let answered = match &self {
            Error::Transport(e) | Error::Timeout(e) => e.is_body() || e.is_decode(),
            _ => false,
        };
        let ends_session = self.is_session_expired()
            || answered
            || matches!(self, Error::WrongFamily { .. } | Error::WrongBaseUrl { .. })
            || self.status().is_some_and(|s| s.is_success());
        if ends_session {
            return self;
        }
        Error::MfaStopped {
            pending: Box::new(pending),
            source: Box::new(self),
        }
    }

    /// Whether retrying the same read (list or detail) may succeed: 5xx
    /// answers, timeouts and connection failures, before or during the
    /// body. Retrieve and resume are never retried by the crate, whatever
    /// this says.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::MfaStopped { source, .. } => source.is_retryable(),
            Error::Timeout(_) => true,
            // reqwest says "decode" for a body that broke off while read
            // (the crate decodes JSON itself, never through reqwest).
            Error::Transport(e) => e.is_connect() || e.is_request() || e.is_body() || e.is_decode(),
            other => other.status().is_some_and(|s| s.is_server_error()),
        }
    }
}

/// Belvo answered with an error status and a Belvo error body.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The errors Belvo listed (at least one).
    pub errors: Vec<ErrorDetail>,
    /// The raw body.
    pub body: Bytes,
}

impl ApiError {
    /// The first error's code.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.errors.first().map(|e| &e.code)
    }

    /// The first error's `request_id` (quote it to Belvo's support).
    pub fn request_id(&self) -> Option<&str> {
        self.errors.iter().find_map(|e| e.request_id.as_deref())
    }
}

impl ApiError {
    /// The message, before it is bounded and escaped by `Display`: status and
    /// `request_id` first, so that a cut message keeps them.
    fn write_message(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        write!(w, "Belvo answered {}", self.status)?;
        if let Some(id) = self.request_id() {
            write!(w, " [request_id {id}]")?;
        }
        for (i, e) in self.errors.iter().enumerate() {
            w.write_str(if i == 0 { ": " } else { "; " })?;
            // A body without a code (`{"detail": …}` of an odd status) has
            // its message alone.
            let code = e.code.as_str();
            w.write_str(code)?;
            if let Some(field) = &e.field {
                write!(w, " (field `{field}`)")?;
            }
            if let Some(m) = &e.message {
                let bare = code.is_empty() && e.field.is_none();
                write!(w, "{}{m}", if bare { "" } else { ": " })?;
            }
        }
        Ok(())
    }
}

/// One line of at most [`MAX_DISPLAY_CHARS`] characters, control characters
/// escaped; the whole body is in [`ApiError::body`].
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        bounded(f, MAX_DISPLAY_CHARS, |w| self.write_message(w))
    }
}

/// One entry of a Belvo error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// The error code.
    pub code: ErrorCode,
    /// Belvo's message.
    #[serde(default)]
    pub message: Option<String>,
    /// Belvo's request id.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The request field the error is about, if any.
    #[serde(default)]
    pub field: Option<String>,
}

macro_rules! error_codes {
    ($($variant:ident => $text:literal, $doc:literal;)*) => {
        /// A Belvo error code. Open: codes this crate does not know yet arrive
        /// as [`ErrorCode::Other`] instead of failing to decode.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
            /// A code this version of the crate does not know.
            Other(String),
        }

        impl ErrorCode {
            /// The code as Belvo writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                    ErrorCode::Other(s) => s,
                }
            }
        }

        impl From<&str> for ErrorCode {
            fn from(s: &str) -> Self {
                match s {
                    $($text => ErrorCode::$variant,)*
                    other => ErrorCode::Other(other.to_owned()),
                }
            }
        }
    };
}

error_codes! {
    TooManySessions => "too_many_sessions", "Too many sessions are open for the link.";
    SessionExpired => "session_expired", "The MFA session is over: start a new retrieve.";
    Required => "required", "A required field is missing.";
    Null => "null", "A field is null.";
    Blank => "blank", "A field is blank.";
    Invalid => "invalid", "A field's value is not valid.";
    DoesNotExist => "does_not_exist", "The referenced object does not exist.";
    InstitutionDown => "institution_down", "The institution is down.";
    InstitutionUnavailable => "institution_unavailable", "The institution is unavailable.";
    InstitutionInactive => "institution_inactive", "The institution is inactive.";
    UnsupportedOperation => "unsupported_operation", "The institution does not support this operation.";
    InvalidLink => "invalid_link", "The link is not valid.";
    UnconfirmedLink => "unconfirmed_link", "The link is not confirmed yet.";
    AuthenticationFailed => "authentication_failed", "The secret keys were refused.";
    NotFound => "not_found", "No such object.";
    RequestTimeout => "request_timeout", "The institution took too long; a narrower date range may help.";
    TokenRequired => "token_required", "An MFA token is required.";
    UnexpectedError => "unexpected_error", "Belvo had an unexpected error.";
}

open_string_enum!(ErrorCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_open() {
        assert_eq!(
            ErrorCode::from("session_expired"),
            ErrorCode::SessionExpired
        );
        assert_eq!(
            ErrorCode::from("brand_new"),
            ErrorCode::Other("brand_new".into())
        );
        assert_eq!(ErrorCode::from("brand_new").as_str(), "brand_new");
        let d: ErrorDetail =
            serde_json::from_str(r#"{"code":"whatever","extra":1}"#).expect("decodes");
        assert_eq!(d.code, ErrorCode::Other("whatever".into()));
        assert_eq!(d.message, None);
    }

    #[test]
    fn session_expired_is_recognised_without_strings() {
        let e = Error::Api(ApiError {
            status: StatusCode::BAD_REQUEST,
            errors: vec![ErrorDetail {
                code: ErrorCode::SessionExpired,
                message: Some("gone".into()),
                request_id: Some("abc".into()),
                field: None,
            }],
            body: Bytes::new(),
        });
        assert!(e.is_session_expired());
        assert_eq!(e.request_id(), Some("abc"));
        assert_eq!(e.status(), Some(StatusCode::BAD_REQUEST));
        assert!(!e.is_retryable());
        assert_eq!(
            e.to_string(),
            "Belvo answered 400 Bad Request [request_id abc]: session_expired: gone"
        );
    }
}
