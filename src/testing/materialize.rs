//! [`materialize`]: concrete values for the placeholders (`"<uuid>"`,
//! `"<number>"`, ...) of Postman sample bodies.

use std::str::FromStr;

use serde_json::{Number, Value};

use super::fixtures::derived_uuid;

/// Replaces Postman placeholders in a sample body by deterministic concrete
/// values of the right JSON type.
///
/// A placeholder is a whole JSON string of the form `"<name>"`:
///
/// | placeholder | value |
/// |---|---|
/// | `<uuid>` | a uuid (v5) derived from the JSON path, so equal paths give equal ids |
/// | `<number>`, `<double>`, `<float>` | the JSON number `1234.56` |
/// | `<integer>`, `<long>` | the JSON number `600` |
/// | `<date>` | `"2024-01-31"` |
/// | `<dateTime>` | `"2024-01-31T12:00:00Z"` |
/// | `<boolean>` | `true` |
/// | `<string>` | `"string"` |
/// | `<email>` | `"user@example.com"` |
/// | `<uri>`, `<url>` | `"https://sandbox.belvo.com/api/balances/?page=2"` |
/// | any other `<x>` | the string `"x"` |
///
/// Every other value is kept as it is.
///
/// ```
/// use belvo::testing::materialize;
/// use serde_json::json;
///
/// let body = materialize(&json!({"id": "<uuid>", "balance": "<number>", "name": "kept"}));
/// assert!(body["balance"].is_number());
/// assert_eq!(body["name"], "kept");
/// assert!(uuid::Uuid::parse_str(body["id"].as_str().unwrap()).is_ok());
/// ```
#[must_use]
pub fn materialize(sample: &Value) -> Value {
    materialize_at(sample, "$")
}

fn materialize_at(value: &Value, path: &str) -> Value {
    match value {
        Value::String(s) => placeholder(s, path).unwrap_or_else(|| value.clone()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| materialize_at(item, &format!("{path}[{i}]")))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), materialize_at(v, &format!("{path}.{k}"))))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn placeholder(s: &str, path: &str) -> Option<Value> {
    let name = s.strip_prefix('<')?.strip_suffix('>')?;
    if name.is_empty() || name.contains(['<', '>']) {
        return None;
    }
    Some(match name {
        "uuid" => Value::String(derived_uuid(&format!("materialize/{path}")).to_string()),
        "number" | "double" | "float" => decimal("1234.56"),
        "integer" | "long" => Value::Number(600.into()),
        "date" => Value::String("2024-01-31".into()),
        "dateTime" => Value::String("2024-01-31T12:00:00Z".into()),
        "boolean" => Value::Bool(true),
        "string" => Value::String("string".into()),
        "email" => Value::String("user@example.com".into()),
        "uri" | "url" => Value::String("https://sandbox.belvo.com/api/balances/?page=2".into()),
        other => Value::String(other.into()),
    })
}

/// A JSON number written exactly as `text` (`serde_json`'s arbitrary precision).
fn decimal(text: &str) -> Value {
    Number::from_str(text).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn materialize_replaces_placeholders() {
        let sample = json!({
            "id": "<uuid>",
            "nested": [{"id": "<uuid>"}, {"id": "<uuid>"}],
            "balance": "<number>",
            "expiry": "<integer>",
            "day": "<date>",
            "at": "<dateTime>",
            "ok": "<boolean>",
            "name": "<string>",
            "next": "<uri>",
            "odd": "<whatever>",
            "kept": "plain",
            "html": "<b>x</b>",
            "n": 3,
        });
        let out = materialize(&sample);
        assert!(out["balance"].is_number());
        assert_eq!(out["balance"].to_string(), "1234.56");
        assert_eq!(out["expiry"], json!(600));
        assert!(Uuid::parse_str(out["id"].as_str().unwrap_or_default()).is_ok());
        assert_ne!(out["nested"][0]["id"], out["nested"][1]["id"]);
        assert_eq!(out["day"], "2024-01-31");
        assert_eq!(out["at"], "2024-01-31T12:00:00Z");
        assert_eq!(out["ok"], true);
        assert_eq!(out["name"], "string");
        assert_eq!(
            out["next"],
            "https://sandbox.belvo.com/api/balances/?page=2"
        );
        assert_eq!(out["odd"], "whatever");
        assert_eq!(out["kept"], "plain");
        assert_eq!(out["html"], "<b>x</b>");
        assert_eq!(out["n"], 3);
        assert_eq!(materialize(&sample), out, "deterministic");
    }
}
