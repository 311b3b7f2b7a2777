//! Postman auth → OpenAPI security schemes and requirements.

use serde_json::{json, Map, Value};

use super::names::numbered;
use crate::postman::Auth;

/// The security schemes met so far, by name.
#[derive(Default)]
pub struct Security {
    /// Name → scheme.
    pub schemes: Map<String, Value>,
}

impl Security {
    /// The security requirement for an auth, registering its scheme.
    pub fn requirement(&mut self, auth: &Auth) -> Value {
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
                token_url: Some(t), ..
            } => (
                "oauth2Auth",
                json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": t, "scopes": {}}}}),
            ),
            Auth::OAuth2 {
                auth_url: Some(a), ..
            } => (
                "oauth2Auth",
                json!({"type": "oauth2", "flows": {"implicit": {"authorizationUrl": a, "scopes": {}}}}),
            ),
            Auth::OAuth2 { .. } => ("oauth2Auth", json!({"type": "http", "scheme": "bearer"})),
            Auth::Other(kind) => (
                "customAuth",
                json!({"type": "apiKey", "in": "header", "name": "Authorization",
                       "description": format!("Postman auth type `{kind}`")}),
            ),
        };
        // The same scheme keeps its name; another one gets a number.
        let name = numbered(base, |n| self.schemes.get(n).is_none_or(|s| *s == scheme));
        self.schemes.entry(name.clone()).or_insert(scheme);
        json!([{ name: [] }])
    }
}
