//! Request validation the way Belvo (a Django REST framework API) answers it:
//! the retrieve, resume and link bodies field by field, and the `fields` /
//! `omit` query parameters.

use std::collections::HashMap;

use axum::extract::Query;
use axum::http::Uri;
use chrono::NaiveDate;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::errors::ApiError;
use super::resources::{Dates, Resource};
use super::Scenario;

/// A valid retrieve body (`POST` on a resource's path).
pub(super) struct RetrieveBody {
    /// The scenario of `link` (an unknown link is a `does_not_exist` error).
    pub(super) scenario: Scenario,
    pub(super) link: Uuid,
    pub(super) account: Option<Uuid>,
    /// `date_from` and `date_to`, when the retrieve has them.
    pub(super) dates: Option<(NaiveDate, NaiveDate)>,
    pub(super) token: Option<String>,
    pub(super) save_data: bool,
}

/// A valid resume body (`PATCH` on a resource's path, or on `/api/links/`).
pub(super) struct ResumeBody {
    pub(super) session: String,
    pub(super) link: Uuid,
    pub(super) token: Option<String>,
    /// `None` when absent, or when the resume takes none.
    pub(super) save_data: Option<bool>,
}

/// Reads a retrieve body for `resource`, looking its link up with
/// `scenario_of`; every invalid field is reported, in the order Belvo
/// reports them.
pub(super) fn retrieve_body(
    resource: &Resource,
    bytes: &[u8],
    scenario_of: impl Fn(Uuid) -> Option<Scenario>,
) -> Result<RetrieveBody, Vec<ApiError>> {
    let request = &resource.request;
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let link = uuid_field(&body, "link", true, &mut errors);
    let dates = match request.dates {
        Dates::None => None,
        #[cfg(feature = "enrichment")]
        Dates::Optional if ["date_from", "date_to"].iter().all(|f| absent(&body, f)) => None,
        // Required, or optional and given.
        _ => Some((
            date_field(&body, "date_from", &mut errors),
            date_field(&body, "date_to", &mut errors),
        )),
    };
    for (name, allowed) in request.choices {
        choice_field(&body, name, allowed, true, &mut errors);
    }
    let account = request
        .account
        .then(|| uuid_field(&body, "account", false, &mut errors))
        .flatten();
    let token = request
        .token
        .then(|| string_field(&body, "token", false, &mut errors).map(String::from))
        .flatten();
    let save_data = if request.save_data {
        bool_field(&body, "save_data", &mut errors).unwrap_or(true)
    } else {
        true
    };
    for flag in request.flags {
        bool_field(&body, flag, &mut errors);
    }
    let scenario = link.and_then(|link| known_link(link, scenario_of, &mut errors));
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

/// The scenario of `link`, or a `does_not_exist` error on `link`.
fn known_link(
    link: Uuid,
    scenario_of: impl Fn(Uuid) -> Option<Scenario>,
    errors: &mut Vec<ApiError>,
) -> Option<Scenario> {
    let found = scenario_of(link);
    if found.is_none() {
        errors.push(ApiError::field(
            "does_not_exist",
            "link",
            format!("Invalid pk \"{link}\" - object does not exist."),
        ));
    }
    found
}

/// Whether `name` is missing or `null`.
#[cfg(feature = "enrichment")]
fn absent(body: &Map<String, Value>, name: &str) -> bool {
    body.get(name).is_none_or(Value::is_null)
}

/// Reads a resume body; `save_data` is read only when the resume takes it.
pub(super) fn resume_body(
    takes_save_data: bool,
    bytes: &[u8],
) -> Result<ResumeBody, Vec<ApiError>> {
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let session = string_field(&body, "session", true, &mut errors).map(String::from);
    let link = uuid_field(&body, "link", true, &mut errors);
    let token = string_field(&body, "token", false, &mut errors).map(String::from);
    let save_data = takes_save_data
        .then(|| bool_field(&body, "save_data", &mut errors))
        .flatten();
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

/// A valid link registration (`POST /api/links/`, `LinksRegisterRequest`).
pub(super) struct RegisterBody {
    pub(super) institution: String,
    pub(super) username: String,
    pub(super) token: Option<String>,
    pub(super) access_mode: Option<String>,
    pub(super) external_id: Option<String>,
}

/// The access modes of a link.
const ACCESS_MODES: &[&str] = &["single", "recurrent"];

/// The optional string fields of a registration and of an update of
/// credentials, checked and otherwise ignored.
const CREDENTIALS: &[&str] = &["password2", "username_type", "certificate", "private_key"];

/// Reads a link registration.
pub(super) fn register_body(bytes: &[u8]) -> Result<RegisterBody, Vec<ApiError>> {
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut text =
        |name, required| string_field(&body, name, required, &mut errors).map(String::from);
    let institution = text("institution", true);
    let username = text("username", true);
    let password = text("password", true);
    let token = text("token", false);
    let external_id = text("external_id", false);
    for name in ["username2", "username3", "credentials_storage"]
        .iter()
        .chain(CREDENTIALS)
    {
        text(*name, false);
    }
    let access_mode = choice_field(&body, "access_mode", ACCESS_MODES, false, &mut errors);
    bool_field(&body, "fetch_historical", &mut errors);
    match (institution, username, password, errors.is_empty()) {
        (Some(institution), Some(username), Some(_), true) => Ok(RegisterBody {
            institution,
            username,
            token,
            access_mode: access_mode.map(String::from),
            external_id,
        }),
        _ => Err(errors),
    }
}

/// Reads an update of credentials (`PUT /api/links/{id}/`): every field
/// optional; the token sent up front, if any.
pub(super) fn update_body(bytes: &[u8]) -> Result<Option<String>, Vec<ApiError>> {
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    for name in ["password"].iter().chain(CREDENTIALS) {
        string_field(&body, name, false, &mut errors);
    }
    let token = string_field(&body, "token", false, &mut errors).map(String::from);
    if errors.is_empty() {
        Ok(token)
    } else {
        Err(errors)
    }
}

/// Reads a change of access mode (`PATCH /api/links/{id}/`).
pub(super) fn access_mode_body(bytes: &[u8]) -> Result<String, Vec<ApiError>> {
    let body = parse_object(bytes).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    match choice_field(&body, "access_mode", ACCESS_MODES, true, &mut errors) {
        Some(mode) => Ok(mode.to_owned()),
        None => Err(errors),
    }
}

/// A string field that must be one of `allowed` (`invalid_choice` otherwise).
fn choice_field<'a>(
    body: &'a Map<String, Value>,
    name: &'static str,
    allowed: &[&str],
    required: bool,
    errors: &mut Vec<ApiError>,
) -> Option<&'a str> {
    let value = string_field(body, name, required, errors)?;
    if allowed.contains(&value) {
        Some(value)
    } else {
        errors.push(ApiError::field(
            "invalid_choice",
            name,
            format!("\"{value}\" is not a valid choice."),
        ));
        None
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

/// An optional boolean field: `None` when absent (or invalid, with its
/// error).
fn bool_field(
    body: &Map<String, Value>,
    name: &'static str,
    errors: &mut Vec<ApiError>,
) -> Option<bool> {
    match body.get(name) {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::Null) => {
            errors.push(ApiError::field("null", name, "This field may not be null."));
            None
        }
        Some(_) => {
            errors.push(ApiError::field("invalid", name, "Must be a valid boolean."));
            None
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

    /// The record as `fields` and `omit` shape it, nested names
    /// (`account.id`) inside objects as Belvo does.
    pub(super) fn apply(&self, mut body: Value) -> Value {
        if let Some(keep) = &self.fields {
            keep_only(
                &mut body,
                &keep.iter().map(String::as_str).collect::<Vec<_>>(),
            );
        }
        leave_out(
            &mut body,
            &self.omit.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        body
    }
}

/// The names below `key` among `names` (`account.id` → `id` below `account`).
fn below<'a>(names: &[&'a str], key: &str) -> Vec<&'a str> {
    let below = |n: &&'a str| n.strip_prefix(key).and_then(|rest| rest.strip_prefix('.'));
    names.iter().filter_map(below).collect()
}

/// Keeps the members `names` name, whole or (`a.b`) in part.
fn keep_only(value: &mut Value, names: &[&str]) {
    if let Value::Object(members) = value {
        members.retain(|key, member| {
            let inner = below(names, key);
            let whole = names.contains(&key.as_str());
            if !whole && !inner.is_empty() {
                keep_only(member, &inner);
            }
            whole || !inner.is_empty()
        });
    }
}

/// Removes the members `names` name, whole or (`a.b`) in part.
fn leave_out(value: &mut Value, names: &[&str]) {
    if let Value::Object(members) = value {
        members.retain(|key, _| !names.contains(&key.as_str()));
        for (key, member) in members.iter_mut() {
            let inner = below(names, key);
            if !inner.is_empty() {
                leave_out(member, &inner);
            }
        }
    }
}
