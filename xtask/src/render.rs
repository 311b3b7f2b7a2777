//! Writing documents with serde_json's pretty printer: two-space indent,
//! keys sorted (serde_json's map is ordered by key, and the typed document
//! declares its members in that order), LF and a final newline.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::Value;

use crate::openapi::Document;

/// Renders a document the same way on every run and platform: keys sorted,
/// two-space indent, LF, final newline.
pub fn render(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap_or_default() + "\n"
}

/// The text of a typed document, the same as [`render`] of its value.
///
/// Its path items and component schemas were written already (on all
/// cores) and are copied in as they are; the buffer is sized for them.
pub fn document(doc: Document) -> String {
    let schemas = doc.components.iter().flat_map(|c| &c.schemas);
    let texts = doc.paths.iter().chain(schemas);
    let size: usize = texts.map(|(k, v)| k.len() + v.0.len() + 16).sum();
    let mut out = Vec::with_capacity(size + (1 << 16));
    // Serializing maps with string keys, written JSON and finite numbers does not fail.
    let _ = serde_json::to_writer_pretty(&mut out, &doc);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// Depth of a response example's value in the document (→ `paths` → path
/// → method → `responses` → code → `content` → media → `examples` → name →
/// `value`).
pub const RESPONSE_EXAMPLE_DEPTH: usize = 10;
/// Depth of a request body's example in the document (→ `paths` → path →
/// method → `requestBody` → `content` → media → `example`).
pub const BODY_EXAMPLE_DEPTH: usize = 7;

/// A JSON value kept as its text, written already as serde_json's pretty
/// printer writes it where it goes in the document (keys sorted), and
/// placed in the document as it is.
///
/// Examples and component schemas are most of a document: held as values
/// they took several times the memory of their text, and writing them on
/// the worker that made them spares reading them again.
#[derive(Debug)]
pub struct JsonText(Box<str>);

impl JsonText {
    /// The text of `v` for a value `depth` levels deep in the document:
    /// every line after the first indented by `depth` more levels, as by a
    /// pretty formatter that has opened `depth` objects already.
    pub fn new<T: Serialize + ?Sized>(v: &T, depth: usize) -> Self {
        let mut pretty = PrettyFormatter::new();
        for _ in 0..depth {
            let _ = pretty.begin_object(&mut std::io::sink());
        }
        let mut out = Vec::with_capacity(1024);
        let _ = v.serialize(&mut serde_json::Serializer::with_formatter(
            &mut out, pretty,
        ));
        JsonText(String::from_utf8(out).unwrap_or_default().into_boxed_str())
    }
}

impl Serialize for JsonText {
    /// As `serde_json::value::RawValue` serializes (the struct and field
    /// name serde_json writes as they are), without the parse that
    /// `RawValue::from_string` makes of every text to check it: the text
    /// is serde_json's own output. A serde_json that wrote it otherwise
    /// would fail the byte-for-byte checks of the document.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const RAW: &str = "$serde_json::private::RawValue";
        let mut raw = s.serialize_struct(RAW, 1)?;
        raw.serialize_field(RAW, &*self.0)?;
        raw.end()
    }
}
