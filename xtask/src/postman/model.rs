//! The Postman collection format (v2.0 and v2.1) as serde reads it.
//!
//! Only the members the converter uses are declared; serde skips the rest
//! (scripts, cookies, each example's `originalRequest`) without building
//! values for them. Members whose type varies between exporters (a URL is a
//! string or an object, v2.0 auth uses objects where v2.1 uses key/value
//! arrays) stay [`Value`]s and are checked by [`super::read`], which names
//! the item and the JSON location of anything wrong.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A collection's top level but its items, which [`Scan`] hands over one
/// by one as it passes them.
#[derive(Debug, Default)]
pub struct Head {
    /// `name`, `description`, `schema`.
    pub info: Option<Value>,
    /// Whether there is an `item` array.
    pub has_item: bool,
    /// Collection variables.
    pub variable: Option<Value>,
    /// Collection-level auth.
    pub auth: Option<Value>,
    /// Whether there are `requests` and `folders` or `order`, as in v1.
    pub v1: (bool, bool),
    /// Whether there is a `values` member, as in an environment file.
    pub values: bool,
}

/// Reads a collection's top level and gives each top-level item's text,
/// with its index, to the function as soon as it is scanned, so items are
/// read (on other cores) while the rest of the input is scanned. A
/// hand-written visitor only because serde's derive cannot hand over the
/// elements of one member while it reads the others.
pub struct Scan<F>(pub F);

impl<'de, F: FnMut(usize, &'de RawValue)> Visitor<'de> for Scan<F> {
    type Value = Head;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Postman collection object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Head, A::Error> {
        let mut head = Head::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "info" => head.info = map.next_value()?,
                "item" if head.has_item => return Err(de::Error::duplicate_field("item")),
                "item" => {
                    map.next_value_seed(ItemSeq(&mut self.0))?;
                    head.has_item = true;
                }
                "variable" => head.variable = map.next_value()?,
                "auth" => head.auth = map.next_value()?,
                other => {
                    map.next_value::<IgnoredAny>()?;
                    head.v1.0 |= other == "requests";
                    head.v1.1 |= other == "folders" || other == "order";
                    head.values |= other == "values";
                }
            }
        }
        Ok(head)
    }
}

/// The `item` array, each element handed over as scanned.
struct ItemSeq<'f, F>(&'f mut F);

impl<'de, F: FnMut(usize, &'de RawValue)> DeserializeSeed<'de> for ItemSeq<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(usize, &'de RawValue)> Visitor<'de> for ItemSeq<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(item) = seq.next_element()? {
            (self.0)(i, item);
            i += 1;
        }
        Ok(())
    }
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
