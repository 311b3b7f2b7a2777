//! The MFA pause: a 428 "token required" turned into a typed, storable
//! [`PendingSession`], and the token that answers it.
//!
//! Parsing is a pure function of the body and the time of receipt, so every
//! shape Belvo documents is unit-tested without HTTP.

use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

mod parse;
pub use parse::parse_token_required;

/// A retrieve paused by the institution's MFA, waiting for [`resume`].
///
/// It is `Serialize`/`Deserialize`: store it when the 428 arrives and resume
/// in another request, process or machine. The deadline is absolute, so it
/// survives the round trip. The session id and link are kept exactly as
/// received and sent back unchanged.
///
/// It knows the [family](FamilyName) whose resume it belongs to (`"family":
/// "balances"` in JSON), and only that family's resume accepts it: any other
/// fails with [`Error::WrongFamily`](crate::Error::WrongFamily), sending
/// nothing. A session stored by version 0.1, which had no such field, is a
/// balances session.
///
/// It also knows the base URL of the client that received the 428
/// (`"base_url": "https://api.belvo.com"`), and a client of another base
/// URL (another environment, host, port or path) refuses to resume it with
/// [`Error::WrongBaseUrl`](crate::Error::WrongBaseUrl), sending nothing: the
/// token the user typed for that session never goes elsewhere. (Base URLs
/// compare as URLs: case of scheme and host, a default port and a trailing
/// `/` do not matter; `localhost` and `127.0.0.1` are two.)
///
/// [`resume`]: crate::family::Resource::resume
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSession {
    session: String,
    link: String,
    #[serde(default = "FamilyName::version_0_1")]
    family: FamilyName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    challenge: Option<TokenChallenge>,
    #[serde(default = "yes")]
    save_data: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    // (`origin`: what builds before 0.2's release wrote, an origin only.)
    #[serde(default, alias = "origin", skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
}

fn yes() -> bool {
    true
}

impl PendingSession {
    /// The opaque session id, exactly as Belvo sent it.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// The link id, exactly as Belvo sent it.
    pub fn link(&self) -> &str {
        &self.link
    }

    /// The family whose resume this session belongs to.
    pub fn family(&self) -> &FamilyName {
        &self.family
    }

    /// Tags the session with the family of the operation that answered 428.
    pub(crate) fn with_family(mut self, family: FamilyName) -> Self {
        self.family = family;
        self
    }

    /// The base URL of the client that received the 428, whose clients
    /// alone resume the session; none for a session stored before 0.2 or
    /// parsed by [`parse_token_required`] alone (resumed by any client).
    pub fn base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// Tags the session with the base URL of the client that received it.
    pub(crate) fn with_base_url(mut self, base_url: String) -> Self {
        self.base_url = Some(base_url);
        self
    }

    /// When the session stops being resumable, if Belvo said (`expiry`
    /// seconds after the 428 was received, rounded down). `None` when the
    /// 428 had no `expiry`, or one that gives no deadline (negative, not a
    /// number): then only Belvo's answer to the resume tells.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// True once the deadline has passed.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|d| now >= d)
    }

    /// What the institution asks for (`token_generation_data`), if it said.
    pub fn challenge(&self) -> Option<&TokenChallenge> {
        self.challenge.as_ref()
    }

    /// Whether the resume must carry a token. False when the challenge is
    /// inputless or expects no input (`expects_user_input: false`, as Belvo
    /// sends with a QR code to scan in the bank's app): resume without one.
    /// A challenge that does not say whether it expects input expects some,
    /// unless it is inputless.
    pub fn needs_token(&self) -> bool {
        self.challenge
            .as_ref()
            .is_none_or(TokenChallenge::needs_token)
    }

    /// Whether the resume asks Belvo to persist the records (`save_data`);
    /// it is carried over from the retrieve, default true. The resumes of
    /// Links and Investment portfolios take no `save_data` and send none.
    pub fn save_data(&self) -> bool {
        self.save_data
    }

    /// Changes the `save_data` the resume will send (none for Links and
    /// Investment portfolios, whose resumes take none).
    #[must_use]
    pub fn with_save_data(mut self, save_data: bool) -> Self {
        self.save_data = save_data;
        self
    }

    /// Belvo's `request_id` for the 428.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Belvo's message (or the legacy `detail`).
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
}

/// Declares [`FamilyName`] from a table of `Variant = "stored name"`.
macro_rules! family_names {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A family of operations sharing one MFA resume, as a pending
        /// session records it. Open: a name this version does not know (a
        /// session stored by a later version) is kept, and no resume of this
        /// version accepts it.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum FamilyName {
            $($(#[$doc])* $variant,)*
            /// A family this version of the crate does not know.
            Other(String),
        }

        impl FamilyName {
            /// The name as stored (`"balances"`).
            pub fn as_str(&self) -> &str {
                match self {
                    $(FamilyName::$variant => $name,)*
                    FamilyName::Other(s) => s,
                }
            }
        }

        impl From<&str> for FamilyName {
            fn from(s: &str) -> Self {
                match s {
                    $($name => FamilyName::$variant,)*
                    _ => FamilyName::Other(s.to_owned()),
                }
            }
        }
    };
}

family_names! {
    /// Balances (`/api/balances/`).
    Balances = "balances",
    /// Accounts (`/api/accounts/`).
    Accounts = "accounts",
    /// Transactions (`/api/transactions/`).
    Transactions = "transactions",
    /// Owners (`/api/owners/`).
    Owners = "owners",
    /// Incomes (`/api/incomes/`).
    Incomes = "incomes",
    /// Recurring expenses (`/api/recurring-expenses/`).
    RecurringExpenses = "recurring_expenses",
    /// Risk insights (`/api/risk-insights/`).
    RiskInsights = "risk_insights",
    /// Investment portfolios (`/investments/portfolios/`).
    InvestmentPortfolios = "investment_portfolios",
    /// Invoices (`/api/invoices/`).
    Invoices = "invoices",
    /// Receivable transactions (`/receivables/transactions/`): no resume.
    ReceivableTransactions = "receivable_transactions",
    /// Employment records (`/api/employment-records/`): no resume.
    EmploymentRecords = "employment_records",
    /// Links (`/api/links/`): register, update credentials, change the
    /// access mode, all resumed by `PATCH /api/links/`.
    Links = "links",
}

impl FamilyName {
    /// The family of a session no operation of a family answered (a 428 to
    /// a list, a detail or a delete, or a body parsed by hand): `"none"`,
    /// which no resume accepts.
    pub fn unassigned() -> Self {
        FamilyName::Other("none".to_owned())
    }

    /// Version 0.1 stored no family: it only knew balances.
    fn version_0_1() -> Self {
        FamilyName::Balances
    }
}

open_string_enum!(FamilyName);

/// `token_generation_data`: what the institution asks the user for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenChallenge {
    /// Text to show the user.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The kind of token.
    pub kind: TokenKind,
    /// A value to show the user (e.g. the QR payload), if any.
    #[serde(default)]
    pub value: Option<String>,
    /// Whether the user must type something (default true).
    #[serde(default = "yes")]
    pub expects_user_input: bool,
}

impl TokenChallenge {
    /// Whether answering needs a token.
    pub fn needs_token(&self) -> bool {
        self.expects_user_input && self.kind != TokenKind::Inputless
    }
}

/// The kind of token an institution asks for. Open: unknown kinds are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// A numeric code (SMS, token device).
    Numeric,
    /// A QR code to scan.
    Qr,
    /// A text answer.
    Text,
    /// Nothing to type: approve elsewhere, then resume without a token.
    Inputless,
    /// Belvo did not say (no `type`, or `null`): not guessed.
    Unspecified,
    /// A kind this crate does not know yet.
    Other(String),
}

impl TokenKind {
    /// The kind as Belvo writes it.
    pub fn as_str(&self) -> &str {
        match self {
            TokenKind::Numeric => "numeric",
            TokenKind::Qr => "qr",
            TokenKind::Text => "text",
            TokenKind::Inputless => "inputless",
            TokenKind::Unspecified => "unspecified",
            TokenKind::Other(s) => s,
        }
    }
}

impl From<&str> for TokenKind {
    fn from(s: &str) -> Self {
        let known = [
            TokenKind::Numeric,
            TokenKind::Qr,
            TokenKind::Text,
            TokenKind::Inputless,
            TokenKind::Unspecified,
        ];
        let name = s.trim();
        known
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name))
            .unwrap_or_else(|| TokenKind::Other(s.to_owned()))
    }
}

open_string_enum!(TokenKind);

/// An MFA token. Its value never appears in `Debug` or `Display`.
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Token(SecretString::from(token.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token::new(s)
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_redacted() {
        let t = Token::new("987654");
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
        assert_eq!(t.expose(), "987654");
    }
}
