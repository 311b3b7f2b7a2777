//! Hand decisions applied on top of the inferred document, kept in a JSON
//! file next to the collection (`openapi/belvo.overrides.json`). Read with
//! serde; an unknown key anywhere is an error that names it.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::error::ConvertError;

/// The overrides file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// A note for readers of the file; ignored.
    #[serde(rename = "$comment", default)]
    pub comment: Option<String>,
    /// `info.title`.
    pub title: Option<String>,
    /// `info.version` (progenitor sends it as the `api-version` header, so
    /// it must be visible ASCII).
    pub version: Option<String>,
    /// Component renames, inferred name → chosen name.
    #[serde(default)]
    pub schema_names: BTreeMap<String, String>,
    /// JSON merge patches (RFC 7386) applied to components, by final name.
    #[serde(default)]
    pub schema_patches: BTreeMap<String, Value>,
    /// When present: every property of a schema inferred from response
    /// examples is `nullable` (a server may send `null` where the examples
    /// never show it), but the ones listed here.
    pub nullable_responses: Option<NullableResponses>,
}

/// The nullable-responses policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NullableResponses {
    /// Component (final name) → properties that are never `null`.
    #[serde(default)]
    pub never_null: BTreeMap<String, Vec<String>>,
}

impl Overrides {
    /// Reads the overrides file.
    ///
    /// # Errors
    /// Invalid JSON, unknown keys (named, with where they are), values of
    /// the wrong type, a `version` that is not visible ASCII, or a schema
    /// name that is not a PascalCase identifier.
    pub fn parse(bytes: &[u8]) -> Result<Self, ConvertError> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| {
            ConvertError::Overrides(format!(
                "invalid JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                crate::postman::read::json_message(&e)
            ))
        })?;
        if !v.is_object() {
            return Err(ConvertError::Overrides(
                "the top level must be an object".into(),
            ));
        }
        let out: Overrides = serde_path_to_error::deserialize(&v)
            .map_err(|e| ConvertError::Overrides(format!("{}: {}", e.path(), e.inner())))?;
        if let Some(v) = &out.version {
            let visible =
                !v.is_empty() && v.bytes().all(|b| (0x20..0x7f).contains(&b)) && v.trim() == v;
            if !visible {
                return Err(ConvertError::Overrides(format!(
                    "version {v:?} must be visible ASCII (it is sent as the `api-version` header)"
                )));
            }
        }
        for (from, to) in &out.schema_names {
            let pascal = to.starts_with(|c: char| c.is_ascii_uppercase())
                && to.chars().all(|c| c.is_ascii_alphanumeric());
            if !pascal {
                return Err(ConvertError::Overrides(format!(
                    "schema_names.{from} must be a PascalCase identifier string"
                )));
            }
        }
        Ok(out)
    }
}
