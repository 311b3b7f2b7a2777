//! The progenitor hooks every generated call goes through, and the
//! classification of what a call returned. The configuration lives in
//! `config.rs` and is re-exported here.

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;
use chrono::Utc;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use reqwest::{ResponseBuilderExt, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

pub use crate::config::{
    ClientBuilder, Credentials, Environment, RetryPolicy, Shared, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_BODY_SIZE, DEFAULT_MAX_MFA_ROUNDS, DEFAULT_TIMEOUT,
};
use crate::error::{ApiError, Error, ErrorCode, ErrorDetail};
use crate::generated::Client;
use crate::mfa::{parse_token_required, PendingSession};
use crate::redirect;
use crate::text::without_access_token;

/// progenitor's `api-version` request header, which the hooks remove.
const API_VERSION: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("api-version");

// ------------------------------------------------------------------- hooks

/// What the transport saw of the current call, for the hand-written layer:
/// progenitor's error for an undecodable body carries no status, and its
/// error for a documented error status no raw body, so the `exec` hook
/// records them here (scoped to one call by [`call`]).
#[derive(Default)]
struct Captured {
    status: Option<StatusCode>,
    content_type: Option<String>,
    /// The raw body; filled in by [`call`] when `exec` passed it on unread.
    body: Bytes,
    /// The body limit, when the body was larger.
    too_large: Option<usize>,
    /// A 3xx's `Location`, redacted and bounded.
    location: Option<String>,
    /// Where an injected client ended after following a redirect to
    /// another origin (redacted); that answer is never read.
    followed_to: Option<String>,
    /// `exec` left the body to progenitor (a success within the limit).
    passed_on: bool,
    /// `exec` kept an error response from progenitor, which saw a
    /// transport error instead: the record is the whole answer.
    withheld: bool,
}

tokio::task_local! {
    static CAPTURED: RefCell<Captured>;
}

impl ClientHooks<Shared> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let cfg = &self.inner().0;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, cfg.authorization.clone());
        headers
            .entry(USER_AGENT)
            .or_insert_with(|| cfg.user_agent.clone());
        // progenitor sends the spec's info.version; Belvo has no such header.
        headers.remove(API_VERSION);
        if cfg.origin.is_some() {
            // An injected client has its own timeout: the call's applies.
            // (The crate's own client was built with it, and setting it per
            // request allocates the request's extensions on every call.)
            *request.timeout_mut() = Some(cfg.timeout);
            // It may also follow redirects: never let it replay the body
            // (and its MFA token) to another origin.
            redirect::unreplayable(request);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "belvo",
            operation = info.operation_id,
            method = %request.method(),
            path = ?ShownPath(request.url().path()),
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let limit = self.inner().0.max_body;
        // The one success the hand-written layer decodes again, the
        // transactions retrieve (whose 202 it turns into an error), is read
        // here, so that the error keeps the body as it came.
        let pass_on = info.operation_id != "transactions_retrieve";
        let origin = self.inner().0.origin.as_ref();
        let exec = async {
            let sent = self.client().execute(request).await;
            let response = sent.map_err(without_secret_path)?;
            if let Some(url) = origin.and_then(|o| redirect::other_origin(o, response.url())) {
                return Ok(followed_elsewhere(url));
            }
            receive(response, limit, pass_on)
                .await
                .map_err(without_secret_path)
        };
        // `Instrumented` costs on every poll: only when someone listens.
        if span.is_disabled() {
            exec.await
        } else {
            exec.instrument(span).await
        }
    }
}

/// A request's path as the `belvo` span shows it, a payment link's access
/// token replaced ([`without_access_token`]) when a subscriber formats it:
/// the macro builds a span's fields even when nobody listens, and the
/// search for a token cost every call.
struct ShownPath<'a>(&'a str);

impl std::fmt::Debug for ShownPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Quoted, as a `&str` field is shown.
        write!(f, "{:?}", without_access_token(self.0))
    }
}

/// A transport error, whose URL (in its `Debug` and `Display`) gets the
/// path the `belvo` span records: a payment link's access token replaced
/// ([`without_access_token`]). Every transport error leaves the crate
/// through here ([`transport`]), those of a body read after `exec` too.
fn without_secret_path(mut e: reqwest::Error) -> reqwest::Error {
    if let Some(url) = e.url_mut() {
        if let std::borrow::Cow::Owned(path) = without_access_token(url.path()) {
            url.set_path(&path);
        }
    }
    e
}

/// An injected client followed a redirect to another origin: record where
/// for [`classify`], and hand progenitor an empty 421 (Misdirected Request)
/// instead of that origin's answer, which is dropped unread.
fn followed_elsewhere(url: String) -> reqwest::Response {
    tracing::warn!(
        url = url.as_str(),
        "the HTTP client followed a redirect to another origin"
    );
    let _ = CAPTURED.try_with(|c| {
        *c.borrow_mut() = Captured {
            followed_to: Some(url),
            ..Captured::default()
        }
    });
    let mut response = http::Response::new(reqwest::Body::from(Bytes::new()));
    *response.status_mut() = StatusCode::MISDIRECTED_REQUEST;
    reqwest::Response::from(response)
}

/// Records the status for [`call`] and the span, and decides who reads the
/// body. A success whose `Content-Length` is within the limit goes on to
/// progenitor unread when `pass_on` (its bytes come back in progenitor's
/// error if it does not decode). Any other response is read here, up to the
/// limit, recorded, and handed to progenitor as an equivalent response
/// backed by the bytes.
async fn receive(
    response: reqwest::Response,
    limit: usize,
    pass_on: bool,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let span = tracing::Span::current();
    span.record("status", status.as_u16());
    let small = response.content_length().is_some_and(|n| n <= limit as u64);
    if pass_on && status.is_success() && small {
        let _ = CAPTURED.try_with(|c| {
            *c.borrow_mut() = Captured {
                status: Some(status),
                passed_on: true,
                ..Captured::default()
            }
        });
        tracing::debug!("response");
        return Ok(response);
    }
    let (response, body) = buffer(response, limit).await?;
    // Only worth a parse when someone listens.
    if !span.is_disabled() && (status.is_client_error() || status.is_server_error()) {
        if let Some(id) = request_id_of(status, &body) {
            span.record("request_id", id.as_str());
        }
    }
    tracing::debug!("response");
    // An error answer inside `call` is classified from the record alone:
    // progenitor is told nothing came, since decoding its documented error
    // type would only re-read the spent body.
    if CAPTURED.try_with(|c| c.borrow().withheld).unwrap_or(false) {
        response.error_for_status_ref()?;
    }
    Ok(response)
}

/// Belvo's `request_id` from an error body, for tracing.
fn request_id_of(status: StatusCode, body: &[u8]) -> Option<String> {
    error_details(status, body)?
        .into_iter()
        .find_map(|e| e.request_id)
}

/// Reads the rest of a body, stopping once it passes `limit` (then the
/// bytes are dropped and `None` says it was too large).
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<Bytes>> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    // One chunk (the usual case) is kept as it came; later ones are
    // appended to a copy, allocated only then.
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut len = 0usize;
    while let Some(chunk) = response.chunk().await? {
        len += chunk.len();
        if len > limit {
            return Ok(None);
        }
        match &first {
            None => first = Some(chunk),
            Some(head) => {
                if joined.is_empty() {
                    joined.extend_from_slice(head);
                }
                joined.extend_from_slice(&chunk);
            }
        }
    }
    Ok(Some(if joined.is_empty() {
        first.unwrap_or_default()
    } else {
        Bytes::from(joined)
    }))
}

/// Reads the whole body (up to `limit`) and records it for [`call`]. Returns
/// the body and the response to hand progenitor: inside [`call`], a
/// failure's response as it is, its body spent (progenitor decodes nothing;
/// [`classify`] reads the record); otherwise an equivalent response backed
/// by the bytes read (none when too large).
async fn buffer(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(reqwest::Response, Bytes)> {
    let status = response.status();
    let read = read_body(&mut response, limit).await?;
    let too_large = read.is_none().then_some(limit);
    let body = read.unwrap_or_default();
    let withhold = too_large.is_none() && (status.is_client_error() || status.is_server_error());
    let in_call = CAPTURED
        .try_with(|c| {
            *c.borrow_mut() = Captured {
                status: Some(status),
                content_type: response
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: body.clone(),
                too_large,
                location: status
                    .is_redirection()
                    .then(|| redirect::location(response.headers()))
                    .flatten(),
                followed_to: None,
                passed_on: false,
                withheld: withhold,
            }
        })
        .is_ok();
    if in_call && too_large.is_none() && !status.is_success() {
        return Ok((response, body));
    }
    let for_progenitor = if too_large.is_some() {
        Bytes::new()
    } else {
        body.clone()
    };
    // With the real URL, so reqwest need not parse a placeholder one.
    let built = http::Response::builder()
        .status(status)
        .version(response.version())
        .url(response.url().clone())
        .body(reqwest::Body::from(for_progenitor.clone()));
    let mut rebuilt =
        built.unwrap_or_else(|_| http::Response::new(reqwest::Body::from(for_progenitor)));
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = std::mem::take(response.headers_mut());
    if too_large.is_some() {
        // The body handed on is empty, not the one the length described.
        rebuilt.headers_mut().remove(http::header::CONTENT_LENGTH);
    }
    Ok((reqwest::Response::from(rebuilt), body))
}

/// The outcome of one generated call, as the hand-written layer sees it.
pub(crate) enum Outcome<T> {
    /// A documented success.
    Ok(ResponseValue<T>),
    /// A 428: the institution asks for a token.
    TokenRequired(PendingSession),
}

/// Runs one generated call and turns whatever it returned into [`Outcome`]
/// or [`Error`], keeping status and raw body. `save_data` is what a 428
/// pending session will carry into its resume.
pub(crate) fn call<T, E, F>(
    fut: F,
    save_data: bool,
) -> impl Future<Output = Result<Outcome<T>, Error>>
where
    T: DeserializeOwned,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    use progenitor_client::Error as G;
    // Not boxed: a ~2 KB box per call goes through malloc's slow path and
    // measured slower than moving the larger future (BENCHMARKS.md).
    CAPTURED.scope(RefCell::new(Captured::default()), async move {
        let mut err = match fut.await {
            Ok(v) => return Ok(Outcome::Ok(v)),
            Err(e) => e,
        };
        let mut captured = CAPTURED.with(|c| c.take());
        // A success `exec` passed on unread: its bytes are in progenitor's
        // error, or still in the response of an undocumented status.
        if captured.passed_on {
            match &mut err {
                G::InvalidResponsePayload(bytes, _) => captured.body = bytes.clone(),
                G::UnexpectedResponse(response) => {
                    // `exec` checked its Content-Length against the limit,
                    // and hyper reads no more than that.
                    captured.body = read_body(response, usize::MAX)
                        .await
                        .map_err(transport)?
                        .unwrap_or_default();
                }
                _ => {}
            }
        }
        classify(err, captured, save_data)
    })
}

/// Decides what a failed generated call means: a pure function of the
/// progenitor error and what the transport captured.
fn classify<T: DeserializeOwned, E>(
    err: progenitor_client::Error<E>,
    captured: Captured,
    save_data: bool,
) -> Result<Outcome<T>, Error> {
    use progenitor_client::Error as G;
    match err {
        G::CommunicationError(_) if captured.withheld => from_record::<T>(captured, save_data),
        G::CommunicationError(e) | G::ResponseBodyError(e) => Err(transport(e)),
        G::InvalidRequest(m) | G::Custom(m) => Err(Error::InvalidRequest(m)),
        G::InvalidUpgrade(e) => Err(transport(e)),
        G::InvalidResponsePayload(..) => match one_of_many::<T>(&captured) {
            Some(records) => Ok(Outcome::Ok(records)),
            None => from_record::<T>(captured, save_data),
        },
        G::ErrorResponse(_) | G::UnexpectedResponse(_) => from_record::<T>(captured, save_data),
    }
}

/// A documented success whose body is not the generated type but is the
/// hand-written layer's records (`Vec`), or one record of them: Belvo's
/// collection documents the retrieves of some families as answering one
/// object and their resumes as answering an array, or the other way round,
/// so a family takes either answer from either call. (Where the generated
/// type is the records already, only a lone record is more.)
fn one_of_many<T: DeserializeOwned>(captured: &Captured) -> Option<ResponseValue<T>> {
    let status = captured.status.filter(StatusCode::is_success)?;
    let body = &captured.body;
    let records = serde_json::from_slice::<T>(body).ok().or_else(|| {
        let one = as_one_record(body)?;
        serde_json::from_slice::<T>(&one).ok()
    })?;
    Some(ResponseValue::new(records, status, Default::default()))
}

/// A body that is exactly one JSON object, as an array of it (`{…}` →
/// `[{…}]`); none for anything else (`{…},{…}` is not JSON, so not one).
fn as_one_record(body: &[u8]) -> Option<Vec<u8>> {
    let value = serde_json::from_slice::<&serde_json::value::RawValue>(body).ok()?;
    let text = value.get();
    text.starts_with('{')
        .then(|| format!("[{text}]").into_bytes())
}

/// The outcome of an answer from what `exec` recorded of it.
fn from_record<T: DeserializeOwned>(
    captured: Captured,
    save_data: bool,
) -> Result<Outcome<T>, Error> {
    {
        {
            if let Some(url) = captured.followed_to {
                return Err(Error::RedirectFollowed { url });
            }
            let Some(status) = captured.status else {
                return Err(Error::InvalidRequest(
                    "response seen without a transport record".into(),
                ));
            };
            if let Some(limit) = captured.too_large {
                return Err(Error::BodyTooLarge { status, limit });
            }
            let body = captured.body;
            if status == StatusCode::PRECONDITION_REQUIRED {
                return match parse_token_required(&body, Utc::now(), save_data) {
                    Ok(p) => Ok(Outcome::TokenRequired(p)),
                    Err(reason) => Err(Error::InvalidTokenRequired { reason, body }),
                };
            }
            if status.is_redirection() {
                let location = captured.location;
                return Err(Error::Redirect { status, location });
            }
            if status.is_success() {
                let (path, mut message) = decode_failure::<T>(&body);
                if status == StatusCode::ACCEPTED {
                    // Belvo's asynchronous mode, which no call of the crate
                    // asks for, answers 202 with no records.
                    message += " (a 202 Accepted: Belvo's asynchronous answer, which this \
                                client never asks for)";
                }
                return Err(Error::Decode {
                    status,
                    body,
                    path,
                    message,
                });
            }
            Err(api_error(status, captured.content_type, body))
        }
    }
}

/// Where and why `body` does not decode as `T`: decoded again, on the
/// failure path only, with the JSON path tracked (`[2].account.category`,
/// `.` for the body itself) and the decoder's message.
fn decode_failure<T: DeserializeOwned>(body: &[u8]) -> (String, String) {
    let (path, message) = located::<T>(body);
    // One object where `T` is records ([`one_of_many`]): decoded as the one
    // record, the error names the field that does not decode, if one of
    // its fields is why.
    let one = (path == "." && message.starts_with("invalid type: map, expected a sequence"))
        .then(|| as_one_record(body))
        .flatten();
    if let Some(one) = one {
        let (inner, why) = located::<T>(&one);
        if let Some(field) = inner.strip_prefix("[0].") {
            return (field.to_owned(), why);
        }
    }
    (path, message)
}

/// [`decode_failure`] of the body as it is.
fn located<T: DeserializeOwned>(body: &[u8]) -> (String, String) {
    // serde_json's arbitrary-precision numbers are maps with this key: an
    // error inside one belongs to the number itself.
    const NUMBER_KEY: &str = ".$serde_json::private::Number";
    let mut de = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => {
            let path = e.path().to_string();
            let path = path.strip_suffix(NUMBER_KEY).unwrap_or(&path).to_owned();
            (path, e.into_inner().to_string())
        }
        Ok(_) => match de.end() {
            Err(e) => (".".into(), e.to_string()),
            Ok(()) => (
                ".".into(),
                "the body decodes, but the status is not one this operation documents".into(),
            ),
        },
    }
}

fn transport(e: reqwest::Error) -> Error {
    let e = without_secret_path(e);
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}

/// The entries of a Belvo error body (an array, a single object, or the
/// legacy `{detail}`), if it is one.
fn error_details(status: StatusCode, body: &[u8]) -> Option<Vec<ErrorDetail>> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(items)) if !items.is_empty() => items
            .into_iter()
            .map(serde_json::from_value::<ErrorDetail>)
            .collect::<Result<Vec<_>, _>>()
            .ok(),
        Ok(v @ serde_json::Value::Object(_)) if v.get("code").is_some() => {
            serde_json::from_value::<ErrorDetail>(v)
                .ok()
                .map(|d| vec![d])
        }
        Ok(serde_json::Value::Object(o)) => o.get("detail").and_then(|d| d.as_str()).map(|d| {
            vec![ErrorDetail {
                code: detail_code(status),
                message: Some(d.to_owned()),
                request_id: None,
                field: None,
            }]
        }),
        _ => None,
    }
}

/// The code of a `{"detail": …}` body, which has none of its own: the
/// code Django REST framework (whose shape it is) gives the exception
/// behind the status; none (empty) for other statuses.
fn detail_code(status: StatusCode) -> ErrorCode {
    let code = match status.as_u16() {
        400 => "parse_error",
        401 => "authentication_failed",
        403 => "permission_denied",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        415 => "unsupported_media_type",
        429 => "throttled",
        _ => "",
    };
    ErrorCode::from(code)
}

/// An error status: a Belvo error body, or else the raw response.
pub(crate) fn api_error(status: StatusCode, content_type: Option<String>, body: Bytes) -> Error {
    let errors = error_details(status, &body);
    match errors {
        Some(errors) => {
            let e = ApiError {
                status,
                errors,
                body,
            };
            tracing::debug!(status = status.as_u16(), code = ?e.code().map(ErrorCode::as_str), request_id = e.request_id(), "Belvo API error");
            Error::Api(e)
        }
        None => Error::UnexpectedResponse {
            status,
            content_type,
            body,
        },
    }
}

/// Runs `op` (one generated read) and retries it per the client's
/// [`RetryPolicy`] when the error is retryable.
pub(crate) async fn with_retry<T, F, Fut>(
    policy: Option<RetryPolicy>,
    mut op: F,
) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && policy.is_some_and(|p| attempt < p.max_retries) => {
                attempt += 1;
                let pause = policy.map(|p| p.backoff(attempt)).unwrap_or_default();
                tracing::debug!(attempt, ?pause, error = %e, "retrying a read");
                tokio::time::sleep(pause).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_classified() {
        let e = api_error(
            StatusCode::BAD_GATEWAY,
            Some("text/html".into()),
            Bytes::from_static(b"<html>bad gateway</html>"),
        );
        assert!(
            matches!(&e, Error::UnexpectedResponse { status, body, .. } if *status == StatusCode::BAD_GATEWAY && body.starts_with(b"<html>"))
        );
        assert!(e.is_retryable());
        let e = api_error(
            StatusCode::NOT_FOUND,
            None,
            Bytes::from_static(br#"{"detail":"Not found."}"#),
        );
        assert_eq!(e.codes(), vec![&ErrorCode::NotFound]);
        let e = api_error(
            StatusCode::BAD_REQUEST,
            None,
            Bytes::from_static(br#"{"code":"invalid_link","message":"m"}"#),
        );
        assert_eq!(e.codes(), vec![&ErrorCode::InvalidLink]);
        let e = api_error(StatusCode::BAD_REQUEST, None, Bytes::from_static(b"[]"));
        assert!(matches!(e, Error::UnexpectedResponse { .. }));
    }

    #[test]
    fn decode_failures_locate_a_lone_records_field() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Two {
            a: u32,
            b: String,
        }
        let at = |body: &str, many: bool| {
            let (path, message) = if many {
                decode_failure::<Vec<Two>>(body.as_bytes())
            } else {
                decode_failure::<Two>(body.as_bytes())
            };
            (
                path,
                message
                    .split(" at line")
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            )
        };
        let said = |p: &str, m: &str| (p.to_owned(), m.to_owned());
        // One record where records are read: its bad field is named.
        assert_eq!(
            at(r#"{"a": "x", "b": "y"}"#, true),
            said("a", "invalid type: string \"x\", expected u32")
        );
        // Not a field's fault: the shape is said.
        assert_eq!(
            at(r#"{"b": "y"}"#, true),
            said(".", "invalid type: map, expected a sequence")
        );
        // Only one object is one record: objects joined by commas are not
        // JSON, nor is an array of them one record.
        assert_eq!(
            as_one_record(br#" {"a": 1} "#),
            Some(br#"[{"a": 1}]"#.to_vec())
        );
        assert_eq!(as_one_record(br#"{"a": 1},{"a": 2}"#), None);
        assert_eq!(as_one_record(br#"[{"a": 1}]"#), None);
        assert_eq!(
            at(r#"{"a": "x", "b": "y"},{"a": 1}"#, true),
            said(".", "invalid type: map, expected a sequence")
        );
        // One record read as one: as it is, never wrapped.
        assert_eq!(at(r#"{"b": "y"}"#, false), said(".", "missing field `a`"));
        assert_eq!(
            at(r#"[{"a": 1, "b": 2}]"#, true),
            said("[0].b", "invalid type: integer `2`, expected a string")
        );
    }

    #[test]
    fn traced_paths_leave_out_access_tokens() {
        for (path, traced) in [
            (
                "/payments/payment-links/SECRET-TOKEN/",
                "/payments/payment-links/{access_token}/",
            ),
            (
                "/proxy/payments/payment-links/SECRET-TOKEN",
                "/proxy/payments/payment-links/{access_token}/",
            ),
            // A `\` in the token, which the URL parser made a `/`.
            (
                "/payments/payment-links/SECRET/PART2/",
                "/payments/payment-links/{access_token}/",
            ),
            ("/api/balances/b7e3/", "/api/balances/b7e3/"),
            ("/payments/payment-links/", "/payments/payment-links/"),
            ("/payments/payment-links", "/payments/payment-links"),
            ("/", "/"),
        ] {
            assert_eq!(without_access_token(path), traced, "{path}");
        }
    }
}

#[cfg(test)]
mod props {
    //! Property test: any error status with any body is classified into a
    //! typed error that keeps the status and the exact body, never a panic.
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_error_body_keeps_status_and_body(
            status in 400u16..600,
            body in prop_oneof![
                prop::collection::vec(any::<u8>(), 0..200),
                "\\[\\{\"code\":\"[a-z_]{0,12}\"(,\"message\":\"[ -~]{0,10}\")?\\}\\]".prop_map(String::into_bytes),
                "\\{\"detail\":\"[ -~]{0,10}\"\\}".prop_map(String::into_bytes),
            ],
        ) {
            let Ok(status) = StatusCode::from_u16(status) else { return Ok(()) };
            let e = api_error(status, None, Bytes::from(body.clone()));
            prop_assert_eq!(e.status(), Some(status));
            prop_assert_eq!(e.body(), Some(&body[..]));
            let typed = matches!(e, Error::Api(_) | Error::UnexpectedResponse { .. });
            prop_assert!(typed, "untyped: {:?}", e);
        }

        /// Whatever a server sends, every error made of it displays as one
        /// line of at most MAX_DISPLAY_CHARS, with no control character.
        #[test]
        fn any_error_displays_as_one_short_safe_line(
            status in 100u16..600,
            text in prop::collection::vec(any::<char>(), 0..600)
                .prop_map(|c| c.into_iter().collect::<String>()),
            n in 0usize..40,
            raw in prop::collection::vec(any::<u8>(), 0..300),
        ) {
            let Ok(status) = StatusCode::from_u16(status) else { return Ok(()) };
            let entry = serde_json::json!({"code": text, "message": text, "request_id": text, "field": text});
            let entries = serde_json::Value::Array(vec![entry; n]);
            let hostile = [
                serde_json::to_vec(&entries).unwrap_or_default(),
                serde_json::to_vec(&serde_json::json!({"detail": text})).unwrap_or_default(),
                serde_json::to_vec(&serde_json::json!({"session": "s", "link": "l", "expiry": text})).unwrap_or_default(),
                serde_json::to_vec(&serde_json::json!([{"id": text, "balance": 1}])).unwrap_or_default(),
                text.clone().into_bytes(),
                raw.clone(),
            ];
            let mut headers = reqwest::header::HeaderMap::new();
            if let Ok(v) = reqwest::header::HeaderValue::from_bytes(&raw) {
                headers.insert(reqwest::header::LOCATION, v);
            }
            for body in hostile {
                let (path, message) = decode_failure::<Vec<crate::types::Balance>>(&body);
                let reason = parse_token_required(&body, Utc::now(), true).err().unwrap_or_default();
                let errors = [
                    api_error(status, Some(text.clone()), Bytes::from(body.clone())),
                    Error::Decode { status, body: Bytes::from(body.clone()), path, message },
                    Error::InvalidTokenRequired { reason, body: Bytes::from(body) },
                    Error::Redirect { status, location: redirect::location(&headers) },
                    Error::TokenMissing { kind: text.clone() },
                    Error::Pagination { next: text.clone(), reason: text.clone() },
                    Error::Config(text.clone()),
                ];
                for e in errors {
                    let shown = e.to_string();
                    prop_assert!(shown.chars().count() <= crate::MAX_DISPLAY_CHARS, "{} chars", shown.chars().count());
                    prop_assert!(!shown.chars().any(char::is_control), "{:?}", shown);
                }
            }
        }
    }
}
