//! Writing documents: serde_json's pretty printer (two-space indent, keys
//! sorted because serde_json's map is ordered by key), LF and a final newline.

use serde::{Serialize, Serializer};
use serde_json::Value;

/// Renders a document the same way on every run and platform: keys sorted,
/// two-space indent, LF, final newline.
pub fn render(doc: &Value) -> String {
    to_text(doc)
}

/// [`render`] for anything serializable (the typed document).
pub(crate) fn to_text<T: Serialize + ?Sized>(doc: &T) -> String {
    // Serializing maps with string keys and finite numbers cannot fail.
    let mut out = serde_json::to_string_pretty(doc).unwrap_or_default();
    out.push('\n');
    out
}

/// A JSON value kept as its compact text, keys sorted, and written out in
/// full (indented like the rest) when the document is serialized.
///
/// Examples are most of a document; held as parsed values they took several
/// times the memory of their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// The text of `v` (whose objects serde_json keeps sorted).
    pub fn of(v: &Value) -> Self {
        JsonText(v.to_string().into_boxed_str())
    }

    /// The value back.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        serde_transcode::transcode(&mut de, s)
    }
}
