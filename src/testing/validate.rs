//! Request validation the way Belvo (a Django REST framework API) answers it:
//! the retrieve and resume bodies field by field, and the `fields` / `omit`
//! query parameters.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::Uri;
use chrono::NaiveDate;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::errors::ApiError;
use super::resources::Resource;
use super::Scenario;

/// A valid retrieve body (`POST` on a resource's path).
pub(super) struct RetrieveBody {
    /// The scenario of `link` (an unknown link is a `does_not_exist` error).
    pub(super) scenario: Scenario,
    pub(super) link: Uuid,
    pub(super) account: Option<Uuid>,
    /// `date_from` and `date_to`, for the resources that take a date range.
    pub(super) dates: Option<(NaiveDate, NaiveDate)>,
    pub(super) token: Option<String>,
    pub(super) save_data: bool,
}

/// A valid resume body (`PATCH` on a resource's path).
pub(super) struct ResumeBody {
    pub(super) session: String,
    pub(super) link: Uuid,
    pub(super) token: Option<String>,
    pub(super) save_data: bool,
}

/// Reads a retrieve body for `resource`; every invalid field is reported, in
/// the order Belvo reports them.
pub(super) fn retrieve_body(
    resource: &Resource,
    bytes: &[u8],
) -> Result<RetrieveBody, Vec<ApiError>> {
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let link = uuid_field(&body, "link", true, &mut errors);
    let dates = resource.date_range.then(|| {
        (
            date_field(&body, "date_from", &mut errors),
            date_field(&body, "date_to", &mut errors),
        )
    });
    let account = uuid_field(&body, "account", false, &mut errors);
    let token = string_field(&body, "token", false, &mut errors).map(String::from);
    let save_data = save_data_field(resource, &body, &mut errors);
    let scenario = link.and_then(|link| {
        let found = Scenario::from_link(link);
        if found.is_none() {
            errors.push(ApiError::field(
                "does_not_exist",
                "link",
                format!("Invalid pk \"{link}\" - object does not exist."),
            ));
        }
        found
    });
    let dates = match dates {
        None => None,
        Some((Some(from), Some(to))) => {
            check_range(from, to, &mut errors);
            Some((from, to))
        }
        Some(_) => return Err(errors),
    };
    match (scenario, link, errors.is_empty()) {
        (Some(scenario), Some(link), true) => Ok(RetrieveBody {
            scenario,
            link,
            account,
            dates,
            token,
            save_data,
        }),
        _ => Err(errors),
    }
}

/// Reads a resume body for `resource`.
pub(super) fn resume_body(resource: &Resource, bytes: &[u8]) -> Result<ResumeBody, Vec<ApiError>> {
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let session = string_field(&body, "session", true, &mut errors).map(String::from);
    let link = uuid_field(&body, "link", true, &mut errors);
    let token = string_field(&body, "token", false, &mut errors).map(String::from);
    let save_data = save_data_field(resource, &body, &mut errors);
    match (session, link, errors.is_empty()) {
        (Some(session), Some(link), true) => Ok(ResumeBody {
            session,
            link,
            token,
            save_data,
        }),
        _ => Err(errors),
    }
}

/// Parses a JSON object body; an empty body is an empty object.
fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(other) => Err(ApiError::new(
            "invalid",
            format!(
                "Invalid data. Expected a dictionary, but got {}.",
                json_type(&other)
            ),
        )),
        Err(e) => Err(ApiError::new("invalid", format!("JSON parse error - {e}"))),
    }
}

/// The name Python gives the type of `value`.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A string field. Missing: `required` error if `required`, else `None`;
/// null: `null` error if `required`, else `None`; blank: `blank` error.
fn string_field<'a>(
    body: &'a Map<String, Value>,
    name: &'static str,
    required: bool,
    errors: &mut Vec<ApiError>,
) -> Option<&'a str> {
    match body.get(name) {
        None if required => {
            errors.push(ApiError::field("required", name, "This field is required."));
            None
        }
        Some(Value::Null) if required => {
            errors.push(ApiError::field("null", name, "This field may not be null."));
            None
        }
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => {
            errors.push(ApiError::field(
                "blank",
                name,
                "This field may not be blank.",
            ));
            None
        }
        Some(Value::String(s)) => Some(s.trim()),
        Some(_) => {
            errors.push(ApiError::field("invalid", name, "Not a valid string."));
            None
        }
    }
}

fn uuid_field(
    body: &Map<String, Value>,
    name: &'static str,
    required: bool,
    errors: &mut Vec<ApiError>,
) -> Option<Uuid> {
    if body
        .get(name)
        .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        errors.push(ApiError::field("invalid", name, "Must be a valid UUID."));
        return None;
    }
    let text = string_field(body, name, required, errors)?;
    parse_uuid(text, name, errors)
}

/// `text` as a uuid, or an `invalid` error on `name`.
pub(super) fn parse_uuid(
    text: &str,
    name: &'static str,
    errors: &mut Vec<ApiError>,
) -> Option<Uuid> {
    let parsed = Uuid::parse_str(text).ok();
    if parsed.is_none() {
        errors.push(ApiError::field(
            "invalid",
            name,
            format!("\"{text}\" is not a valid UUID."),
        ));
    }
    parsed
}

/// `date_from` no later than `date_to`, and `date_to` not in the future (one
/// day of grace, for callers ahead of UTC).
fn check_range(from: NaiveDate, to: NaiveDate, errors: &mut Vec<ApiError>) {
    if from > to {
        errors.push(ApiError::field(
            "invalid",
            "date_from",
            "date_from must be before or equal to date_to",
        ));
    }
    let tomorrow = chrono::Utc::now().date_naive().succ_opt();
    if tomorrow.is_some_and(|t| to > t) {
        errors.push(ApiError::field(
            "invalid",
            "date_to",
            "date_to cannot be in the future",
        ));
    }
}

fn date_field(
    body: &Map<String, Value>,
    name: &'static str,
    errors: &mut Vec<ApiError>,
) -> Option<NaiveDate> {
    const WRONG: &str = "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";
    if body
        .get(name)
        .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        errors.push(ApiError::field("invalid", name, WRONG));
        return None;
    }
    let text = string_field(body, name, true, errors)?;
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if text.len() == 10 => Some(date),
        _ => {
            errors.push(ApiError::field("invalid", name, WRONG));
            None
        }
    }
}

/// `save_data`: absent means `true`; otherwise it must be a boolean. Ignored,
/// like any unknown field, by the resources that do not take it.
fn save_data_field(
    resource: &Resource,
    body: &Map<String, Value>,
    errors: &mut Vec<ApiError>,
) -> bool {
    if !resource.save_data {
        return true;
    }
    match body.get("save_data") {
        None => true,
        Some(Value::Bool(b)) => *b,
        Some(Value::Null) => {
            errors.push(ApiError::field(
                "null",
                "save_data",
                "This field may not be null.",
            ));
            true
        }
        Some(_) => {
            errors.push(ApiError::field(
                "invalid",
                "save_data",
                "Must be a valid boolean.",
            ));
            true
        }
    }
}

/// The query string as a map; `None` when it cannot be parsed.
pub(super) fn query_map(uri: &Uri) -> Option<HashMap<String, String>> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .ok()
        .map(|Query(q)| q)
}

/// The `fields` / `omit` query parameters (comma-separated field names).
#[derive(Default)]
pub(super) struct View {
    fields: Option<Vec<String>>,
    omit: Vec<String>,
}

impl View {
    pub(super) fn from_query(query: &HashMap<String, String>) -> View {
        let names = |key: &str| {
            query.get(key).map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
        };
        View {
            fields: names("fields").filter(|f| !f.is_empty()),
            omit: names("omit").unwrap_or_default(),
        }
    }

    /// The view `uri` asks for (none when its query cannot be parsed).
    pub(super) fn from_uri(uri: &Uri) -> View {
        query_map(uri)
            .map(|q| View::from_query(&q))
            .unwrap_or_default()
    }

    pub(super) fn apply(&self, mut body: Value) -> Value {
        if let Value::Object(fields) = &mut body {
            if let Some(keep) = &self.fields {
                fields.retain(|k, _| keep.iter().any(|f| f == k));
            }
            fields.retain(|k, _| !self.omit.iter().any(|f| f == k));
        }
        body
    }
}
