//! HTTP Basic auth, as a middleware in front of every route: the sandbox's
//! secret id and password, or `401 authentication_failed`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::errors::unauthorized;
use super::store::Shared;
use super::{SANDBOX_SECRET_ID, SANDBOX_SECRET_PASSWORD};

/// Standard base64, with or without the trailing `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Lets a request through only with the sandbox credentials; counts the others
/// in [`Hits::unauthorized`](super::Hits::unauthorized).
pub(super) async fn require_basic_auth(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    tracing::debug!(method = %request.method(), uri = %request.uri(), "belvo sandbox request");
    if authorized(request.headers()) {
        next.run(request).await
    } else {
        shared.lock().hits.unauthorized += 1;
        unauthorized()
    }
}

/// Whether `headers` carry `Authorization: Basic` with the sandbox credentials.
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
    let expected = format!("{SANDBOX_SECRET_ID}:{SANDBOX_SECRET_PASSWORD}");
    scheme.eq_ignore_ascii_case("basic")
        && BASE64
            .decode(encoded.trim())
            .is_ok_and(|decoded| decoded == expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn accepts_only_the_sandbox_credentials() {
        let right = BASE64.encode(format!("{SANDBOX_SECRET_ID}:{SANDBOX_SECRET_PASSWORD}"));
        assert!(right.ends_with('='), "the case below drops real padding");
        assert!(authorized(&with(&format!("Basic {right}"))));
        assert!(authorized(&with(&format!("basic  {right} "))));
        assert!(authorized(&with(&format!(
            "Basic {}",
            right.trim_end_matches('=')
        ))));

        let wrong = BASE64.encode(format!("{SANDBOX_SECRET_ID}:nope"));
        for value in [
            format!("Basic {wrong}"),
            format!("Bearer {right}"),
            "Basic !!!!".to_owned(),
            "Basic".to_owned(),
        ] {
            assert!(!authorized(&with(&value)), "{value}");
        }
        assert!(!authorized(&HeaderMap::new()));
    }
}
