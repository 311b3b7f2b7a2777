//! Postman auth → OpenAPI security schemes and requirements.

use serde_json::{json, Map, Value};

use super::names::numbered;
use crate::postman::Auth;

/// The security requirement for an auth, its scheme added to the
/// `schemes` met so far (by name).
pub fn requirement(schemes: &mut Map<String, Value>, auth: &Auth) -> Value {
    let (base, scheme) = match auth {
        Auth::NoAuth => return json!([]),
        Auth::Basic => ("basicAuth", json!({"type": "http", "scheme": "basic"})),
        Auth::Bearer => ("bearerAuth", json!({"type": "http", "scheme": "bearer"})),
        Auth::Digest => ("digestAuth", json!({"type": "http", "scheme": "digest"})),
        Auth::ApiKey { name, location } => (
            "apiKeyAuth",
            json!({"type": "apiKey", "in": location, "name": name}),
        ),
        Auth::OAuth2 {
            token_url,
            auth_url,
            grant,
        } => match flows(grant.as_deref(), token_url.as_deref(), auth_url.as_deref()) {
            Some(flows) => ("oauth2Auth", json!({"type": "oauth2", "flows": flows})),
            None => ("oauth2Auth", json!({"type": "http", "scheme": "bearer"})),
        },
        Auth::Other(kind) => (
            "customAuth",
            json!({"type": "apiKey", "in": "header", "name": "Authorization",
                   "description": format!("Postman auth type `{kind}`")}),
        ),
    };
    // The same scheme keeps its name; another one gets a number.
    let name = numbered(base, |n| schemes.get(n).is_none_or(|s| *s == scheme));
    schemes.entry(name.clone()).or_insert(scheme);
    json!([{ name: [] }])
}

/// The OAuth 2 flow of a Postman grant type, with the URLs it needs; without
/// a grant type (or the URLs its flow needs), client credentials for a token
/// URL, else implicit for an authorization URL. `None`: no URL to name, a
/// bearer token.
fn flows(grant: Option<&str>, token: Option<&str>, auth: Option<&str>) -> Option<Value> {
    let (flow, mut urls) = match (grant.unwrap_or_default(), token, auth) {
        ("password_credentials", Some(t), _) => ("password", json!({"tokenUrl": t})),
        ("authorization_code" | "authorization_code_with_pkce", Some(t), Some(a)) => (
            "authorizationCode",
            json!({"authorizationUrl": a, "tokenUrl": t}),
        ),
        ("implicit", _, Some(a)) => ("implicit", json!({"authorizationUrl": a})),
        (_, Some(t), _) => ("clientCredentials", json!({"tokenUrl": t})),
        (_, None, Some(a)) => ("implicit", json!({"authorizationUrl": a})),
        (_, None, None) => return None,
    };
    urls["scopes"] = json!({});
    Some(json!({ flow: urls }))
}
