//! The sandbox over HTTP (raw `reqwest` and JSON), as any client sees it:
//! shared helpers, authentication, validation and routing.

mod bodies;
#[cfg(all(
    feature = "enrichment",
    feature = "investments",
    feature = "fiscal",
    feature = "receivables",
    feature = "employment"
))]
mod families;
mod links;
mod listing;
mod mfa;
mod nulls;
mod resources;

use serde_json::{json, Value};
use uuid::Uuid;

use super::*;

/// The path of the Balances collection.
pub(super) const BALANCES_PATH: &str = "/api/balances/";

pub(super) const FROM: &str = "2024-01-01";
pub(super) const TO: &str = "2024-01-31";

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) text: String,
    pub(super) body: Value,
}

pub(super) async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request reaches the sandbox");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    Reply { status, text, body }
}

pub(super) struct Api {
    pub(super) sandbox: Sandbox,
    pub(super) http: reqwest::Client,
}

impl Api {
    pub(super) async fn start() -> Api {
        Api::with(SandboxConfig::default()).await
    }

    pub(super) async fn with(config: SandboxConfig) -> Api {
        let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
        Api {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    pub(super) fn authed(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
    }

    pub(super) async fn retrieve(&self, body: Value) -> Reply {
        send(
            self.authed(reqwest::Method::POST, BALANCES_PATH)
                .json(&body),
        )
        .await
    }

    pub(super) async fn start_flow(&self, scenario: Scenario) -> Reply {
        self.retrieve(json!({"link": scenario.link(), "date_from": FROM, "date_to": TO}))
            .await
    }

    pub(super) async fn resume(&self, body: Value) -> Reply {
        send(
            self.authed(reqwest::Method::PATCH, BALANCES_PATH)
                .json(&body),
        )
        .await
    }

    pub(super) async fn get(&self, path: &str) -> Reply {
        send(self.authed(reqwest::Method::GET, path)).await
    }

    pub(super) async fn delete(&self, path: &str) -> Reply {
        send(self.authed(reqwest::Method::DELETE, path)).await
    }
}

pub(super) fn is_hex32(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

pub(super) fn first_error(reply: &Reply) -> &Value {
    assert!(
        reply.body.is_array(),
        "error body is an array: {}",
        reply.text
    );
    assert!(
        is_hex32(&reply.body[0]["request_id"]),
        "request_id: {}",
        reply.text
    );
    &reply.body[0]
}

pub(super) fn session_of(reply: &Reply) -> String {
    assert_eq!(reply.status, 428, "{}", reply.text);
    assert!(is_hex32(&reply.body["session"]), "{}", reply.text);
    reply.body["session"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn unauthorized_without_or_with_wrong_credentials() {
    let api = Api::start().await;
    let anonymous = send(api.http.get(api.url(BALANCES_PATH))).await;
    assert_eq!(anonymous.status, 401);
    let error = first_error(&anonymous);
    assert_eq!(error["code"], "authentication_failed");
    assert_eq!(error["message"], "Invalid credentials");
    assert!(error.get("field").is_none());

    let wrong = send(
        api.http
            .post(api.url(BALANCES_PATH))
            .basic_auth(SANDBOX_SECRET_ID, Some("nope"))
            .json(&json!({})),
    )
    .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(
        api.sandbox.hits(),
        Hits {
            unauthorized: 2,
            ..Hits::default()
        }
    );
}

#[tokio::test]
async fn retrieve_validates_its_body() {
    let api = Api::start().await;
    let missing = api
        .retrieve(json!({"date_from": FROM, "date_to": TO}))
        .await;
    assert_eq!(missing.status, 400);
    assert_eq!(first_error(&missing)["code"], "required");
    assert_eq!(first_error(&missing)["field"], "link");

    let all_missing = api.retrieve(json!({})).await;
    let fields: Vec<&Value> = all_missing
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| &e["field"])
        .collect();
    assert_eq!(
        fields,
        [&json!("link"), &json!("date_from"), &json!("date_to")]
    );

    let cases = [
        (
            json!({"link": null, "date_from": FROM, "date_to": TO}),
            "null",
            "link",
        ),
        (
            json!({"link": "", "date_from": FROM, "date_to": TO}),
            "blank",
            "link",
        ),
        (
            json!({"link": "not-a-uuid", "date_from": FROM, "date_to": TO}),
            "invalid",
            "link",
        ),
        (
            json!({"link": 7, "date_from": FROM, "date_to": TO}),
            "invalid",
            "link",
        ),
        (
            json!({"link": Uuid::nil(), "date_from": FROM, "date_to": TO}),
            "does_not_exist",
            "link",
        ),
        (
            json!({"link": Scenario::NoMfa.link(), "date_from": "31/01/2024", "date_to": TO}),
            "invalid",
            "date_from",
        ),
        (
            json!({"link": Scenario::NoMfa.link(), "date_from": TO, "date_to": FROM}),
            "invalid",
            "date_from",
        ),
        (
            json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": "2999-01-01"}),
            "invalid",
            "date_to",
        ),
        (
            json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO, "save_data": "yes"}),
            "invalid",
            "save_data",
        ),
        (
            json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO, "account": "x"}),
            "invalid",
            "account",
        ),
    ];
    for (body, code, field) in cases {
        let reply = api.retrieve(body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        assert_eq!(first_error(&reply)["code"], code, "{body}: {}", reply.text);
        assert_eq!(
            first_error(&reply)["field"],
            field,
            "{body}: {}",
            reply.text
        );
    }

    let bad_json = send(
        api.authed(reqwest::Method::POST, BALANCES_PATH)
            .header("content-type", "application/json")
            .body("{\"link\": "),
    )
    .await;
    assert_eq!(bad_json.status, 400);
    let error = first_error(&bad_json);
    assert_eq!(error["code"], "invalid");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("JSON parse error")),
        "{}",
        bad_json.text
    );
    assert!(error.get("field").is_none());
    assert_eq!(api.sandbox.hits().retrieve, 13);
}

#[tokio::test]
async fn unknown_routes_are_not_found() {
    let api = Api::start().await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/institutions-unknown/"),
        (reqwest::Method::PUT, BALANCES_PATH),
        (reqwest::Method::GET, "/api/balances"),
    ] {
        let reply = send(api.authed(method, path)).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(first_error(&reply)["code"], "not_found");
    }
}

#[tokio::test]
async fn responses_are_json() {
    let api = Api::start().await;
    for response in [
        api.http.get(api.url(BALANCES_PATH)).send().await,
        api.authed(reqwest::Method::GET, BALANCES_PATH).send().await,
        api.authed(reqwest::Method::POST, BALANCES_PATH)
            .json(&json!({"link": Scenario::TokenOnce.link(), "date_from": FROM, "date_to": TO}))
            .send()
            .await,
    ] {
        let response = response.expect("response");
        assert_eq!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
    }
}

/// A body of another media type than JSON is refused with a `415`, as
/// Belvo's framework refuses it, after the credentials and before the body
/// is read; JSON with a charset is JSON.
#[tokio::test]
async fn a_body_that_is_not_json_is_an_unsupported_media_type() {
    let api = Api::start().await;
    let body =
        json!({"link": Scenario::NoMfa.link(), "date_from": FROM, "date_to": TO}).to_string();
    let post = |content_type: &'static str| {
        api.authed(reqwest::Method::POST, BALANCES_PATH)
            .header("content-type", content_type)
            .body(body.clone())
    };
    for media in ["text/plain", "application/x-www-form-urlencoded"] {
        let reply = send(post(media)).await;
        assert_eq!(reply.status, 415, "{media}: {}", reply.text);
        let detail = format!("Unsupported media type \"{media}\" in request.");
        assert_eq!(reply.body, json!({ "detail": detail }));
    }
    assert_eq!(api.sandbox.hits().retrieve, 0);
    let charset = send(post("application/json; charset=utf-8")).await;
    assert_eq!(charset.status, 201, "{}", charset.text);
    let anonymous = send(
        api.http
            .post(api.url(BALANCES_PATH))
            .header("content-type", "text/plain")
            .body(body.clone()),
    )
    .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
}
