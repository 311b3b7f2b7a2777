//! What a sandbox is told to do: the [`Scenario`] of each link, the [`SandboxConfig`]
//! settings, and the [`Hits`] it counts.

use std::fmt;

use uuid::Uuid;

/// Scripted MFA behaviour; each scenario is selected by the link an
/// operation names: one of the fixed [`Scenario::link`]s, or a link
/// registered with the scenario's [name](Scenario::name) as its username
/// (see the [module](super) documentation).
///
/// `#[non_exhaustive]`: a later version may script more (`Qr` came in 0.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scenario {
    /// No MFA: the retrieve answers the records at once.
    NoMfa,
    /// One numeric token: `428`, then a `PATCH` with [`SANDBOX_TOKEN`](super::SANDBOX_TOKEN) finishes.
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
    /// A QR code to scan in the bank's app: the `428`'s
    /// `token_generation_data` is of type `qr`, its `value` the code's
    /// payload ([`SANDBOX_QR`](super::SANDBOX_QR)), expecting no input; the
    /// `PATCH` that finishes carries no token.
    Qr,
}

impl Scenario {
    /// Every scenario, in declaration order.
    pub const ALL: [Scenario; 7] = [
        Scenario::NoMfa,
        Scenario::TokenOnce,
        Scenario::TokenTwice,
        Scenario::Inputless,
        Scenario::Expiring,
        Scenario::WrongToken,
        Scenario::Qr,
    ];

    /// The fixed link id that selects this scenario
    /// (`5a2f0c1e-7b3d-4e8a-9c61-00000000000N`, N = 1..=7 in [`Scenario::ALL`] order).
    #[must_use]
    pub fn link(self) -> Uuid {
        let last: u128 = match self {
            Scenario::NoMfa => 1,
            Scenario::TokenOnce => 2,
            Scenario::TokenTwice => 3,
            Scenario::Inputless => 4,
            Scenario::Expiring => 5,
            Scenario::WrongToken => 6,
            Scenario::Qr => 7,
        };
        Uuid::from_u128(0x5a2f_0c1e_7b3d_4e8a_9c61_0000_0000_0000 | last)
    }

    /// The scenario whose [`Scenario::link`] is `link`, if any.
    #[must_use]
    pub fn from_link(link: Uuid) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.link() == link)
    }

    /// A short kebab-case name: `no-mfa`, `token-once`, `token-twice`,
    /// `inputless`, `expiring`, `wrong-token`, `qr`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Scenario::NoMfa => "no-mfa",
            Scenario::TokenOnce => "token-once",
            Scenario::TokenTwice => "token-twice",
            Scenario::Inputless => "inputless",
            Scenario::Expiring => "expiring",
            Scenario::WrongToken => "wrong-token",
            Scenario::Qr => "qr",
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
            Scenario::NoMfa => "no MFA: the retrieve answers the records at once",
            Scenario::TokenOnce => "one SMS token: 428, then resume with the token",
            Scenario::TokenTwice => {
                "two factors: 428, resume with the token, 428 again, resume again"
            }
            Scenario::Inputless => "approve in the bank's app: 428, then resume without a token",
            Scenario::Expiring => "one token, but the session expires 2 seconds after the 428",
            Scenario::WrongToken => "one token, but every token is rejected as invalid",
            Scenario::Qr => "a QR code to scan in the bank's app: 428, then resume without a token",
        }
    }

    /// Whether resuming this scenario needs a token.
    pub(super) fn needs_token(self) -> bool {
        !matches!(self, Scenario::NoMfa | Scenario::Inputless | Scenario::Qr)
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

/// Settings of a [`Sandbox`](super::Sandbox).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The shape of `428` bodies.
    pub shape: TokenRequiredShape,
    /// Send `expiry` as a string (`"600"`) instead of a number (`600`).
    pub expiry_as_string: bool,
    /// Seconds an MFA session stays valid (default 600); [`Scenario::Expiring`]
    /// always uses 2.
    pub expiry_secs: u64,
    /// How many accounts each link has (default 3): the balances, accounts
    /// and transactions of a retrieve are those of its accounts (one
    /// balance per account, two transactions per account a day).
    pub balances_per_link: usize,
    /// Send `null` where Belvo documents a field as nullable, and account
    /// categories the client does not know (default `false`); see
    /// [`SandboxConfig::documented_nulls()`].
    pub documented_nulls: bool,
}

impl SandboxConfig {
    /// Whether bodies carry the `null`s Belvo documents (default `false`).
    ///
    /// When on, every record of every resource has `null` in the fields
    /// Belvo documents as nullable (at least those Belvo's facts name:
    /// a transaction's `amount`, `value_date`, `account`, `currency`,
    /// `merchant`, ...; an account's `type`, `name`, `number`, `currency`,
    /// `link`, ...), and an undocumented enumeration value shows in each
    /// resource (an account `category` of `DIGITAL_WALLET`, a transaction
    /// `status` of `REVERSED`, a portfolio `type` of `CRYPTO_WALLET`, ...).
    /// Balances have `null` for `current_balance`, `statement` and
    /// `collected_at`, and their `account` (still an object) has `null` for
    /// `name` and `currency`; the account `category` is `null` on the first
    /// account of a link, an undocumented value (`DIGITAL_WALLET`) on the
    /// second, and `CHECKING_ACCOUNT` on the others. The real API sends such
    /// bodies; the default sandbox fills every field (but the credit and
    /// loan data of its checking and savings accounts).
    ///
    /// ```
    /// use belvo::testing::SandboxConfig;
    ///
    /// let config = SandboxConfig::default().documented_nulls(true);
    /// assert!(config.documented_nulls);
    /// ```
    #[must_use]
    pub fn documented_nulls(mut self, on: bool) -> SandboxConfig {
        self.documented_nulls = on;
        self
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            shape: TokenRequiredShape::Object,
            expiry_as_string: false,
            expiry_secs: 600,
            balances_per_link: 3,
            documented_nulls: false,
        }
    }
}

/// How many requests each operation has received so far (see [`Sandbox::hits`](super::Sandbox::hits)).
///
/// Requests refused with `401` count only in `unauthorized`; every other
/// request counts in its operation, whatever its outcome. Each counter adds
/// up the operations of every resource (links included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hits {
    /// Lists (`GET /api/balances/`, `GET /api/links/`, ...).
    pub list: u64,
    /// Retrieves (`POST /api/balances/`, `POST /api/accounts/`, ...).
    pub retrieve: u64,
    /// Resumes (`PATCH /api/balances/`, `PATCH /api/links/`, ...).
    pub resume: u64,
    /// Details (`GET /api/balances/{id}/`, `GET /api/links/{id}/`, ...).
    pub detail: u64,
    /// Deletes (`DELETE /api/balances/{id}/`, `DELETE /api/links/{id}/`, ...).
    pub delete: u64,
    /// Link registrations (`POST /api/links/`).
    pub register: u64,
    /// Link updates: credentials (`PUT /api/links/{id}/`) and access mode
    /// (`PATCH /api/links/{id}/`).
    pub update: u64,
    /// Requests refused for missing or wrong credentials.
    pub unauthorized: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_round_trip() {
        let links: std::collections::HashSet<Uuid> =
            Scenario::ALL.iter().map(|s| s.link()).collect();
        assert_eq!(links.len(), Scenario::ALL.len());
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
}
