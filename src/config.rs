//! Client setup: environments, credentials, timeouts, transport and the
//! checks a configuration must pass before anything is sent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::ClientInfo;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;
use crate::generated::Client;

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

    /// Reads `BELVO_SECRET_ID` and `BELVO_SECRET_PASSWORD`, without the
    /// whitespace around them (the newline a secret file or `.env` line
    /// leaves would fail every call with `401`).
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing (or blank) variable.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let need = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
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
        self.ceiling(attempt).mul_f64(fastrand::f64())
    }

    /// The longest pause before retry number `attempt`:
    /// `min(max_backoff, initial_backoff * 2^(attempt-1))`.
    fn ceiling(&self, attempt: u32) -> Duration {
        self.initial_backoff
            .saturating_mul(
                1u32.checked_shl(attempt.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff)
    }
}

/// Configuration shared by all clones of a [`Client`] (progenitor's "inner"
/// value). Its `Debug` never shows the credentials.
#[derive(Clone)]
pub struct Shared(pub(crate) Arc<Config>);

pub(crate) struct Config {
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) timeout: Duration,
    pub(crate) max_body: usize,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) max_mfa_rounds: u32,
    /// The base URL's origin when the `reqwest::Client` was injected: it
    /// may follow redirects, so each answer's origin is checked against it.
    pub(crate) origin: Option<reqwest::Url>,
    /// The base URL as pending sessions record it, normalized once here
    /// rather than at every 428 and resume ([`crate::family::normalized`]).
    pub(crate) session_base: String,
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

/// Builds a [`Client`]. Start from [`Client::builder`]. Its `Debug` shows
/// the base URL without user information, query or fragment, and never the
/// password.
#[derive(Clone)]
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

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field(
                "base_url",
                &self
                    .base_url
                    .as_deref()
                    .map(|u| match reqwest::Url::parse(u) {
                        Ok(p) if p.has_host() => crate::text::redact_url(u),
                        _ => "<not a URL with a host>".to_owned(),
                    }),
            )
            .field("environment", &self.environment)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("http", &self.http.as_ref().map(|_| "<injected>"))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_body", &self.max_body)
            .field("retry", &self.retry)
            .field("max_mfa_rounds", &self.max_mfa_rounds)
            .finish()
    }
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
    /// Targets one of Belvo's environments (default: sandbox), in place of
    /// a base URL set before.
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
        if let Some(url) = get("BELVO_API_URL").filter(|u| !u.trim().is_empty()) {
            self.base_url = Some(url);
        } else if let Some(env) = get("BELVO_ENV").filter(|e| !e.trim().is_empty()) {
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
    ///
    /// Redirects: the client this crate builds never follows them (a 3xx is
    /// [`Error::Redirect`]), but the policy of an injected client cannot be
    /// changed. Build it with `redirect(reqwest::redirect::Policy::none())`.
    /// If you do not, the crate still keeps secrets at home: request bodies
    /// are sent so that reqwest cannot replay them (a 307/308 comes back as
    /// [`Error::Redirect`] instead of re-sending the MFA token), reqwest
    /// drops the `Authorization` header on a cross-origin redirect, and an
    /// answer from any origin other than the base URL's is discarded unread
    /// as [`Error::RedirectFollowed`].
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

    /// Most MFA rounds `retrieve_with_mfa` and `complete_with_mfa` answer,
    /// for every family (default [`DEFAULT_MAX_MFA_ROUNDS`]; 0 is taken as
    /// 1).
    #[must_use]
    pub fn max_mfa_rounds(mut self, rounds: u32) -> Self {
        self.max_mfa_rounds = rounds.max(1);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when credentials are missing, the base URL does not
    /// parse, has a scheme other than `https` or `http`, carries a user name
    /// or password, a query or a fragment, or is plain `http://` to a
    /// non-loopback host without
    /// [`allow_insecure_http`](Self::allow_insecure_http). The message never
    /// repeats the URL's user information.
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
        // Whitespace around it (an environment variable's newline) would
        // be sent before every path: the URL parser checks it without.
        let base = base.trim().trim_end_matches('/').to_owned();
        let url = check_base_url(&base, self.allow_insecure_http)?;
        let follows_redirects = self.http.is_some();
        let http = match self.http {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                // Belvo's API does not redirect: a 3xx becomes Error::Redirect.
                .redirect(reqwest::redirect::Policy::none())
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
            origin: follows_redirects.then_some(url),
            session_base: crate::family::normalized(&base),
        }));
        Ok(Client::new_with_client(&base, http, shared))
    }
}

/// Parses and checks a base URL. Errors name the problem, never the URL's
/// user information: only its scheme and host are repeated.
fn check_base_url(base: &str, allow_insecure_http: bool) -> Result<reqwest::Url, Error> {
    // url's parse errors are fixed texts ("invalid port number" …).
    let url = reqwest::Url::parse(base)
        .map_err(|e| Error::Config(format!("the base URL does not parse: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "the base URL carries a user name or password; pass the secret keys with \
             ClientBuilder::credentials instead"
                .into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        // progenitor appends each path to the base URL's text: after a
        // query or fragment, every call would go to the base's own path.
        return Err(Error::Config(
            "the base URL has a query (`?`) or fragment (`#`); every call's path would be \
             appended to it. Give scheme, host and path only (a proxy's key belongs in a \
             header of the HTTP client given to ClientBuilder::http_client)"
                .into(),
        ));
    }
    let host = url.host_str().unwrap_or_default();
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_insecure_http || is_loopback(&url) => Ok(url),
        "http" => Err(Error::Config(format!(
            "the base URL is plain http to the non-loopback host `{host}`: the secret keys would \
             travel in clear text; use https, or ClientBuilder::allow_insecure_http(true)"
        ))),
        other => Err(Error::Config(format!(
            "the base URL has scheme `{other}`; expected https"
        ))),
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

    pub(crate) fn config_session_base(&self) -> &str {
        &self.inner().0.session_base
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
        // A secret file's newline, or a `.env` line's spaces, are not part
        // of the values; a blank secret is not set.
        let b = ClientBuilder::default()
            .with_lookup(lookup(&[
                ("BELVO_API_URL", " https://proxy.example/belvo/ \n"),
                ("BELVO_SECRET_ID", "id\n"),
                ("BELVO_SECRET_PASSWORD", " pw \r\n"),
            ]))
            .expect("complete");
        let credentials = b.credentials.clone().expect("credentials");
        assert_eq!(credentials.secret_id(), "id");
        assert_eq!(credentials.secret_password.expose_secret(), "pw");
        assert_eq!(
            b.build().expect("builds").baseurl(),
            "https://proxy.example/belvo"
        );
        let e = ClientBuilder::default()
            .with_lookup(lookup(&[
                ("BELVO_SECRET_ID", "id"),
                ("BELVO_SECRET_PASSWORD", " \n"),
            ]))
            .expect_err("blank password");
        assert!(e.to_string().contains("BELVO_SECRET_PASSWORD"), "{e}");
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
        // A query or fragment would swallow every call's path; the key in
        // it is not repeated.
        for url in [
            "https://proxy.example/?api_key=hunter2",
            "https://proxy.example/base?",
            "https://proxy.example/#hunter2",
        ] {
            let e = build(url, false).expect_err(url);
            assert!(
                matches!(e, Error::Config(ref m) if m.contains("query (`?`) or fragment")),
                "{e}"
            );
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
        assert!(build("https://proxy.example/belvo/", false).is_ok());
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
            format!("{:?}", Client::builder().credentials(creds.clone())),
            format!(
                "{:?}",
                Client::builder().base_url("https://user:hunter2@proxy.example/?k=hunter2")
            ),
            format!("{:?}", Client::builder().base_url("user:hunter2@proxy")),
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
        let ms = Duration::from_millis;
        // The ceiling doubles from initial_backoff, then stays at max_backoff
        // (without overflowing, however many attempts).
        let ceilings: Vec<Duration> = [1, 2, 3, 4, 10, 40, u32::MAX]
            .into_iter()
            .map(|a| p.ceiling(a))
            .collect();
        assert_eq!(
            ceilings,
            [
                ms(100),
                ms(200),
                ms(300),
                ms(300),
                ms(300),
                ms(300),
                ms(300)
            ]
        );
        // Full jitter: each pause is drawn from [0, ceiling], and spread over
        // it. The thread's generator is seeded, so the draws are the same in
        // every run.
        fastrand::seed(0x5eed);
        for (attempt, ceiling) in [(1, ms(100)), (2, ms(200)), (3, ms(300)), (9, ms(300))] {
            let draws: Vec<Duration> = (0..200).map(|_| p.backoff(attempt)).collect();
            let (low, high) = (draws.iter().min(), draws.iter().max());
            assert!(high <= Some(&ceiling), "attempt {attempt}: {high:?}");
            assert!(
                high > Some(&ceiling.mul_f64(0.9)),
                "attempt {attempt}: {high:?}"
            );
            assert!(
                low < Some(&ceiling.mul_f64(0.1)),
                "attempt {attempt}: {low:?}"
            );
        }
        // The mean grows with the ceiling: about 50, 100, 150 ms.
        let mean = |attempt| (0..400).map(|_| p.backoff(attempt)).sum::<Duration>() / 400;
        let means = [mean(1), mean(2), mean(3)];
        assert!(means[0] > ms(35) && means[0] < ms(65), "{means:?}");
        assert!(means[1] > ms(85) && means[1] < ms(115), "{means:?}");
        assert!(means[2] > ms(135) && means[2] < ms(165), "{means:?}");
    }
}
