//! The OpenAPI 3.0.3 document: its typed shape (members declared in
//! alphabetical order, so that it serializes exactly as the same document
//! held as a sorted `serde_json::Value`) and the steps that build it.
//!
//! Hand-written on top of the inference: existing converters lose types,
//! operation ids and path variables, or emit documents progenitor refuses.
//! The output here is shaped for progenitor 0.15: every operation has an
//! `operationId`, every media type a schema, and the success and the error
//! responses of one operation each decode into one type.

pub mod document;
pub mod names;
pub mod operation;
pub mod operation_ids;
pub mod path;
pub mod security;
pub mod servers;
pub mod unify;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::render::JsonText;

/// The methods an OpenAPI 3.0 path item has, in lower case.
pub(crate) const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `note` as a paragraph after `description`, when there is one.
pub(crate) fn noted(description: Option<&str>, note: String) -> String {
    match description {
        Some(d) => format!("{d}\n\n{note}"),
        None => note,
    }
}

/// Pushes `item` unless `list` holds it already.
pub(crate) fn push_new<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Document {
    /// Schemas and security schemes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Components>,
    /// Title, version, description.
    pub info: Value,
    /// Always `3.0.3`.
    pub openapi: &'static str,
    /// Path → its item (method → [`Operation`]), written.
    pub paths: BTreeMap<String, JsonText>,
    /// The collection's auth, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Value>,
    /// The servers.
    pub servers: Value,
    /// One tag per folder that holds requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Value>,
    /// What was left out: the requests (method, item, location, why), which
    /// `info`'s description lists, then parts of operations (a header, a
    /// body, a parameter), which their descriptions say. Not a member of
    /// the document.
    #[serde(skip)]
    pub left_out: Vec<String>,
}

/// `components`.
#[derive(Debug, Serialize)]
pub struct Components {
    /// Schemas by name, written (at their depth in the document): held as
    /// values, 13,000 components had taken most of a conversion's memory.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub schemas: BTreeMap<String, JsonText>,
    /// Security schemes by name.
    #[serde(rename = "securitySchemes", skip_serializing_if = "Option::is_none")]
    pub security_schemes: Option<Value>,
}

/// One operation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The request's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unique, snake_case.
    pub operation_id: String,
    /// Path, query and header parameters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// The request body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// By status code as text (`default` for examples without a code).
    pub responses: BTreeMap<String, Response>,
    /// When it differs from the document's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Value>,
    /// When the operation is on other hosts than the document's servers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<Value>,
    /// The item's name.
    pub summary: String,
    /// The folder path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A path, query or header parameter.
#[derive(Debug, Serialize)]
pub struct Parameter {
    /// Its Postman entry's description, without the "(Required)" mark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its Postman entry's value, typed (each value, for a repeated query key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// `path`, `query` or `header`.
    #[serde(rename = "in")]
    pub location: &'static str,
    /// Its name.
    pub name: String,
    /// Whether a call must give it.
    pub required: bool,
    /// Its type.
    pub schema: Value,
}

/// A request body: one media type.
#[derive(Debug, Serialize)]
pub struct RequestBody {
    /// Media type → its schema and example.
    pub content: BTreeMap<String, Media>,
    /// True unless an item on the route sends no body: Postman sends the
    /// body it holds. (progenitor 0.15 makes every body required anyway.)
    pub required: bool,
}

/// A response.
#[derive(Debug, Serialize, Default)]
pub struct Response {
    /// Media type → schema and examples.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<String, Media>,
    /// The first example's name.
    pub description: String,
}

/// A media type of a body.
#[derive(Debug, Serialize, Default)]
pub struct Media {
    /// A request body's example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<JsonText>,
    /// A response's examples, by unique name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub examples: Option<BTreeMap<String, Example>>,
    /// The schema.
    pub schema: Value,
    /// `formdata` for a form-data body, which is declared urlencoded.
    #[serde(rename = "x-postman-body-mode")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_mode: Option<&'static str>,
    /// A raw body's language.
    #[serde(rename = "x-postman-raw-language")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_language: Option<String>,
}

/// A saved example.
#[derive(Debug, Serialize)]
pub struct Example {
    /// The example's name.
    pub summary: String,
    /// The body.
    pub value: JsonText,
}
