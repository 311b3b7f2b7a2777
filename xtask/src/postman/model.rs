//! The Postman collection format (v2.0 and v2.1) as serde reads it.
//!
//! Only the members the converter uses are declared; serde skips the rest
//! (scripts, cookies, each example's `originalRequest`) without building
//! values for them. Members whose type varies between exporters (a URL is a
//! string or an object, v2.0 auth uses objects where v2.1 uses key/value
//! arrays) stay [`Value`]s and are checked by [`super::read`], which names
//! the item and the JSON location of anything wrong.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A whole collection.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a Postman collection object")]
pub struct Collection<'a> {
    /// `name`, `description`, `schema`.
    pub info: Option<Value>,
    /// Top-level items, each read on its own (in parallel) by
    /// [`super::read`], borrowed from the input.
    #[serde(borrow)]
    pub item: Option<Vec<&'a RawValue>>,
    /// Collection variables.
    pub variable: Option<Value>,
    /// Collection-level auth.
    pub auth: Option<Value>,
    /// v1 collections have `requests`, `folders` and `order`.
    pub requests: Option<IgnoredAny>,
    /// See `requests`.
    pub folders: Option<IgnoredAny>,
    /// See `requests`.
    pub order: Option<IgnoredAny>,
}

/// The items of a collection read in one go, for locating an error.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a Postman collection object")]
pub struct Items {
    /// Top-level items.
    pub item: Option<Vec<Item>>,
}

/// A folder (with `item`) or a request (with `request`).
#[derive(Debug, Deserialize)]
#[serde(expecting = "an item object")]
pub struct Item {
    /// Its name.
    pub name: Option<Value>,
    /// Children, when a folder.
    pub item: Option<Vec<Item>>,
    /// The request, when a request: a URL string or an object.
    pub request: Option<Value>,
    /// Saved examples.
    pub response: Option<Vec<Example>>,
    /// A string or `{content, type}`.
    pub description: Option<Value>,
    /// The item's auth.
    pub auth: Option<Value>,
}

/// A saved example response.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a saved example object")]
pub struct Example {
    /// Its name.
    pub name: Option<Value>,
    /// Status code (a number, sometimes a string).
    pub code: Option<Value>,
    /// Reason phrase.
    pub status: Option<Value>,
    /// Body text.
    pub body: Option<Value>,
    /// Response headers.
    pub header: Option<Value>,
    /// Postman's guess of the body's language.
    #[serde(rename = "_postman_previewlanguage")]
    pub preview_language: Option<Value>,
}
