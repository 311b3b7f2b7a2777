//! Shared helpers: a client for a mock server and canned bodies.

use belvo::{Client, Credentials};
use httpmock::{Mock, MockServer};
use serde_json::{json, Value};

pub const ID: &str = "test-secret-id";
pub const PASSWORD: &str = "test-secret-password-Zq9";
pub const LINK: &str = "683005d6-f45c-4adb-b289-f1a12f50f80c";

/// `Basic base64(ID:PASSWORD)`, computed independently of the crate.
pub fn basic_header() -> String {
    // "test-secret-id:test-secret-password-Zq9"
    "Basic dGVzdC1zZWNyZXQtaWQ6dGVzdC1zZWNyZXQtcGFzc3dvcmQtWnE5".to_owned()
}

/// A builder for `base` with the test credentials, for clients with options.
pub fn builder(base: &str) -> belvo::ClientBuilder {
    Client::builder()
        .base_url(base)
        .credentials(Credentials::new(ID, PASSWORD))
}

pub fn client(base: &str) -> Client {
    builder(base).build().expect("client builds")
}

pub fn link() -> uuid::Uuid {
    LINK.parse().expect("uuid")
}

pub fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn balance(id: &str, amount: &str) -> Value {
    let amount: serde_json::Number = amount.parse().expect("number");
    json!({
        "id": id,
        "account": {"id": "0d3ffb69-f83b-456e-ad8e-208d0998d71d", "name": "Cuenta", "category": "CHECKING_ACCOUNT", "currency": "MXN"},
        "collected_at": "2024-01-31T12:00:00Z",
        "value_date": "2024-01-31",
        "balance": amount,
        "current_balance": amount,
        "statement": null
    })
}

pub fn errors(code: &str, status_word: &str) -> Value {
    json!([{"code": code, "message": format!("{status_word} happened"), "request_id": "0123456789abcdef0123456789abcdef"}])
}

pub fn token_required(session: &str, expiry: Value, kind: &str, expects_input: bool) -> Value {
    json!({
        "code": "token_required",
        "message": "A MFA token is required by the institution to login",
        "request_id": "fedcba9876543210fedcba9876543210",
        "session": session,
        "expiry": expiry,
        "link": LINK,
        "token_generation_data": {"instructions": "Enter the code", "type": kind, "value": "hint", "expects_user_input": expects_input}
    })
}

/// A mock that answers every `method` request to `/api/balances/` with
/// `status` and a JSON body.
pub async fn answer<'a>(
    server: &'a MockServer,
    method: &str,
    status: u16,
    body: Value,
) -> Mock<'a> {
    server
        .mock_async(|when, then| {
            when.method(method).path("/api/balances/");
            then.status(status).json_body(body);
        })
        .await
}
