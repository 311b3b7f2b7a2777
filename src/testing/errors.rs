//! Belvo's error bodies: the `[{code, message, request_id, field?}]` array and
//! the responses the sandbox answers with it.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One entry of a Belvo error array (its `request_id` is added when answered).
#[derive(Debug, Serialize)]
pub(super) struct ApiError {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
}

impl ApiError {
    pub(super) fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub(super) fn field(
        code: &'static str,
        field: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: Some(field),
        }
    }
}

/// The error array as Belvo writes it: one shared `request_id` per answer.
#[derive(Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    error: &'a ApiError,
    request_id: &'a str,
}

/// A fresh request or session id: 32 lowercase hex characters.
pub(super) fn random_hex() -> String {
    Uuid::new_v4().simple().to_string()
}

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

pub(super) fn errors_response(status: StatusCode, errors: &[ApiError]) -> Response {
    let request_id = random_hex();
    let body: Vec<Entry<'_>> = errors
        .iter()
        .map(|error| Entry {
            error,
            request_id: &request_id,
        })
        .collect();
    (status, Json(body)).into_response()
}

pub(super) fn bad_request(errors: &[ApiError]) -> Response {
    errors_response(StatusCode::BAD_REQUEST, errors)
}

pub(super) fn not_found(message: &str) -> Response {
    errors_response(
        StatusCode::NOT_FOUND,
        &[ApiError::new("not_found", message)],
    )
}

/// What every unknown route or method answers.
pub(super) async fn no_route() -> Response {
    not_found("Not found.")
}

pub(super) fn invalid_token() -> Response {
    bad_request(&[ApiError::field(
        "invalid",
        "token",
        "The MFA token is not valid",
    )])
}

pub(super) fn session_expired() -> Response {
    bad_request(&[ApiError::new(
        "session_expired",
        "The MFA session has expired or does not exist; start a new retrieve",
    )])
}

pub(super) fn unauthorized() -> Response {
    let mut response = errors_response(
        StatusCode::UNAUTHORIZED,
        &[ApiError::new(
            "authentication_failed",
            "Invalid credentials",
        )],
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"api\""),
    );
    response
}
