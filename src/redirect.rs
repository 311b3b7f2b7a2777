//! Redirects are never followed: Belvo's API does not redirect, and a
//! followed 307/308 would carry the MFA token to another origin (even from
//! https to plain http). The client the crate builds has redirects off; for
//! an injected `reqwest::Client` these helpers keep secrets at home.

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, LOCATION};
use reqwest::Url;

use crate::text::redact_url;

/// Longest `Location` kept in [`crate::Error::Redirect`], in characters.
const MAX_LOCATION_CHARS: usize = 2048;

/// Makes the request body one that reqwest cannot replay, so that a client
/// that follows redirects returns a 307/308 as is instead of re-sending the
/// body (and its MFA token) to the `Location`. The length is still sent.
pub(crate) fn unreplayable(request: &mut reqwest::Request) {
    let Some(bytes) = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .filter(|b| !b.is_empty())
        .map(Bytes::copy_from_slice)
    else {
        return;
    };
    request
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let once = futures::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
    *request.body_mut() = Some(reqwest::Body::wrap_stream(once));
}

/// The redacted URL of an answer that came from another origin than
/// `origin` (scheme, host and port), or `None` when it is the same.
pub(crate) fn other_origin(origin: &Url, answered: &Url) -> Option<String> {
    let same = origin.scheme() == answered.scheme()
        && origin.host() == answered.host()
        && origin.port_or_known_default() == answered.port_or_known_default();
    (!same).then(|| redact_url(answered.as_str()))
}

/// A 3xx's `Location`, safe to keep and show: no user name, password, query
/// or fragment, at most [`MAX_LOCATION_CHARS`] characters.
pub(crate) fn location(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(LOCATION)?;
    let text = String::from_utf8_lossy(raw.as_bytes());
    let safe = redact_url(&text);
    Some(match safe.char_indices().nth(MAX_LOCATION_CHARS) {
        Some((end, _)) => format!("{}…", &safe[..end]),
        None => safe,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        let base = Url::parse("https://api.belvo.com").expect("url");
        let at = |u: &str| other_origin(&base, &Url::parse(u).expect("url"));
        assert_eq!(at("https://api.belvo.com/api/balances/?page=2"), None);
        assert_eq!(at("https://api.belvo.com:443/x"), None);
        assert_eq!(
            at("http://api.belvo.com/api/balances/?t=1").as_deref(),
            Some("http://api.belvo.com/api/balances/")
        );
        assert!(at("https://api.belvo.com:8443/").is_some());
        assert!(at("https://evil.example/").is_some());
    }

    #[test]
    fn locations_are_redacted_and_bounded() {
        let mut h = HeaderMap::new();
        h.insert(
            LOCATION,
            HeaderValue::from_static("https://u:p@evil.example/steal?token=123456"),
        );
        assert_eq!(location(&h).as_deref(), Some("https://evil.example/steal"));
        let long = format!("/{}", "a".repeat(5000));
        h.insert(LOCATION, HeaderValue::from_str(&long).expect("header"));
        let kept = location(&h).expect("location");
        assert_eq!(kept.chars().count(), MAX_LOCATION_CHARS + 1);
        assert!(location(&HeaderMap::new()).is_none());
        // A payment link's access token, where a server sends its detail.
        for (to, kept) in [
            (
                "https://api.belvo.com/payments/payment-links/SECRET-9/x",
                "https://api.belvo.com/payments/payment-links/%7Baccess_token%7D/",
            ),
            (
                "/payments/payment-links/SECRET-9/?a=1",
                "/payments/payment-links/{access_token}/",
            ),
        ] {
            h.insert(LOCATION, HeaderValue::from_static(to));
            assert_eq!(location(&h).as_deref(), Some(kept));
        }
        let base = Url::parse("https://api.belvo.com").expect("url");
        let elsewhere = Url::parse("https://evil.example/payments/payment-links/SECRET-9/");
        let shown = other_origin(&base, &elsewhere.expect("url")).expect("another origin");
        assert!(!shown.contains("SECRET-9"), "{shown}");
    }

    #[test]
    fn bodies_become_unreplayable_with_their_length() {
        let client = reqwest::Client::new();
        let mut request = client
            .post("http://127.0.0.1:1/")
            .body(r#"{"token":"x"}"#)
            .build()
            .expect("request");
        unreplayable(&mut request);
        assert!(request.try_clone().is_none(), "a stream cannot be cloned");
        assert_eq!(
            request.headers().get(CONTENT_LENGTH),
            Some(&HeaderValue::from(13usize))
        );
        let mut get = client.get("http://127.0.0.1:1/").build().expect("get");
        unreplayable(&mut get);
        assert!(get.try_clone().is_some(), "no body: left alone");
    }
}
