//! Hand decisions applied on top of the inferred document, kept in a JSON
//! file next to the collection (`openapi/belvo.overrides.json`). Read with
//! serde; an unknown key anywhere is an error that names it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use crate::error::ConvertError;
use crate::infer::SHADOWING;
use crate::openapi::METHODS;
use crate::postman::read::json_text;

/// The overrides file; a member left out is empty.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Overrides {
    /// A note for readers of the file; ignored.
    #[serde(rename = "$comment")]
    pub comment: Option<String>,
    /// `info.title`.
    pub title: Option<String>,
    /// `info.version` (progenitor sends it as the `api-version` header, so
    /// it must be visible ASCII).
    pub version: Option<String>,
    /// Operation names chosen by hand: `METHOD /path` (the method in upper
    /// case, the path template as the produced document has it, e.g.
    /// `GET /api/accounts/{id}/`) → operationId (snake_case). They replace
    /// the names made from the items' names, so a collection exported again
    /// keeps the client's method names. An entry that matches no operation,
    /// or a name another operation has, is an error.
    pub operation_ids: BTreeMap<String, String>,
    /// Component renames, inferred name → chosen name.
    pub schema_names: BTreeMap<String, String>,
    /// JSON merge patches (RFC 7386) applied to components, by final name.
    pub schema_patches: BTreeMap<String, Value>,
    /// When present: every property of a schema inferred from response
    /// examples is `nullable` (a server may send `null` where the examples
    /// never show it), but the ones listed here.
    pub nullable_responses: Option<NullableResponses>,
}

/// The nullable-responses policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NullableResponses {
    /// Component (final name) → properties that are never `null`.
    pub never_null: BTreeMap<String, Vec<String>>,
}

impl Overrides {
    /// Reads the overrides file.
    ///
    /// # Errors
    /// Invalid JSON, unknown keys (named, with where they are), values of
    /// the wrong type, a `version` that is not visible ASCII, or a schema
    /// name that is not a PascalCase identifier or hides a name the
    /// generated code uses.
    pub fn parse(bytes: &[u8]) -> Result<Self, ConvertError> {
        let text = json_text(bytes).map_err(|e| ConvertError::Overrides(e.to_string()))?;
        let v: Value = serde_json::from_slice(text)
            .map_err(|e| ConvertError::Overrides(ConvertError::invalid_json(&e).to_string()))?;
        check(v.is_object(), || "the top level must be an object".into())?;
        let out: Overrides = serde_path_to_error::deserialize(&v)
            .map_err(|e| ConvertError::Overrides(format!("{}: {}", e.path(), e.inner())))?;
        if let Some(v) = &out.version {
            let visible =
                !v.is_empty() && v.bytes().all(|b| (0x20..0x7f).contains(&b)) && v.trim() == v;
            check(visible, || {
                format!(
                    "version {v:?} must be visible ASCII (it is sent as the `api-version` header)"
                )
            })?;
        }
        // A `METHOD /path` key and a plain snake_case name that is not one
        // of the generated client's own members.
        for (route, id) in &out.operation_ids {
            let key_ok = route.split_once(' ').is_some_and(|(m, p)| {
                m == m.to_ascii_uppercase()
                    && METHODS.contains(&m.to_ascii_lowercase().as_str())
                    && p.starts_with('/')
                    && !p.contains(' ')
            });
            check(key_ok, || {
                format!(
                    "operation_ids: key {route:?} must be `METHOD /path`, e.g. `GET /api/accounts/{{id}}/`"
                )
            })?;
            check(crate::openapi::names::is_plain_snake(id), || {
                format!("operation_ids.{route:?}: {id:?} must be a snake_case identifier (lower-case words and digits joined by `_`, not a Rust keyword)")
            })?;
            check(!crate::openapi::names::is_client_member(id), || {
                format!("operation_ids.{route:?}: `{id}` is a member of the generated client; choose another name")
            })?;
        }
        for (from, to) in &out.schema_names {
            let pascal = to.starts_with(|c: char| c.is_ascii_uppercase())
                && to.chars().all(|c| c.is_ascii_alphanumeric());
            check(pascal, || {
                format!("schema_names.{from} must be a PascalCase identifier string")
            })?;
            check(!SHADOWING.contains(&to.as_str()), || {
                format!(
                    "schema_names.{from}: `{to}` would hide Rust's `{to}` in the generated code"
                )
            })?;
        }
        Ok(out)
    }
}

impl Overrides {
    /// The `schema_names` pins whose schema is no longer the one the `old`
    /// document gave that name: another schema of the `new` document is
    /// more like the old one (more of its properties, each a name and a
    /// schema, and then fewer others) than the one the name is on now. The
    /// converter numbers inferred names in collection order (`Result`,
    /// `Result2`), so an item added to the collection can move a number
    /// onto another schema, and the pin with it, while every name still
    /// resolves. A schema that only gained or lost properties is still the
    /// most like itself. Each warning names the schema more like it.
    pub fn moved_pins(&self, old: &Value, new: &Value) -> Vec<String> {
        let schemas = new
            .pointer("/components/schemas")
            .and_then(Value::as_object);
        let mut warnings = Vec::new();
        for (from, to) in &self.schema_names {
            let (Some(was), Some(is)) = (properties(old, to), properties(new, to)) else {
                continue;
            };
            // How like the old schema one is: shared properties, then fewer others.
            let likeness = |props: &BTreeSet<String>| {
                let shared = was.intersection(props).count();
                (shared, Reverse(props.len() - shared))
            };
            let now = likeness(&is);
            let closer = (schemas.into_iter().flatten())
                .filter(|(name, _)| *name != to)
                .filter_map(|(name, _)| Some((likeness(&properties(new, name)?), name)))
                .filter(|(score, _)| *score > now)
                .max_by_key(|(score, name)| (*score, Reverse(*name)));
            let Some(((shared, Reverse(others)), closer)) = closer else {
                continue;
            };
            warnings.push(format!(
                "schema_names.{from}: `{to}` now names a schema with {} of the checked-in \
                 `{to}`'s {} properties ({}) and {} others, and `{closer}` has {shared} and \
                 {others} others: the inferred names may have moved; pin `{to}` to the schema \
                 meant",
                now.0,
                was.len(),
                listed(&was),
                now.1 .0,
            ));
        }
        warnings
    }
}

/// The properties of component `name` of a document, each as its name and
/// schema (`id: {"type":"string"}`), if it has some.
fn properties(doc: &Value, name: &str) -> Option<BTreeSet<String>> {
    let schema = doc.get("components")?.get("schemas")?.get(name)?;
    let props = schema.get("properties")?.as_object()?;
    Some(props.iter().map(|(k, v)| format!("{k}: {v}")).collect())
}

/// `` `a`, `b` `` by name (the first six, and how many more).
fn listed(props: &BTreeSet<String>) -> String {
    let names = props
        .iter()
        .map(|p| p.split(": ").next().unwrap_or_default());
    let mut shown: Vec<String> = names.take(6).map(|n| format!("`{n}`")).collect();
    if props.len() > 6 {
        shown.push(format!("{} more", props.len() - 6));
    }
    shown.join(", ")
}

/// An error of the overrides file, saying `why`, unless `ok`.
fn check(ok: bool, why: impl FnOnce() -> String) -> Result<(), ConvertError> {
    if ok {
        Ok(())
    } else {
        Err(ConvertError::Overrides(why()))
    }
}
