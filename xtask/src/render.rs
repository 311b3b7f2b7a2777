//! Writing documents with serde_json's pretty printer: two-space indent,
//! keys sorted (serde_json's map is ordered by key, and the typed document
//! declares its members in that order), LF and a final newline.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::openapi::{Components, Document};

/// Renders a document the same way on every run and platform: keys sorted,
/// two-space indent, LF, final newline.
pub fn render(doc: &Value) -> String {
    let mut out = serde_json::to_string_pretty(doc).unwrap_or_default();
    out.push('\n');
    out
}

/// The text of a typed document, the same as [`render`] of its value.
///
/// Paths are written on all cores, each by serde_json on its own,
/// indented for where it goes, and then placed in the document as raw text
/// (as the component schemas already are); operations are freed as they
/// are written. On one thread, writing took a quarter of a conversion.
pub fn document(doc: Document) -> String {
    let Document {
        components,
        info,
        openapi,
        paths,
        security,
        servers,
        tags,
    } = doc;
    let paths: BTreeMap<String, Box<RawValue>> = paths
        .into_par_iter()
        .map(|(path, ops)| (path, part(&ops, 2)))
        .collect();
    let size: usize = paths
        .iter()
        .map(|(k, v)| k.len() + v.get().len() + 16)
        .sum::<usize>()
        + components.as_ref().map_or(0, |c| {
            c.schemas
                .iter()
                .map(|(k, v)| k.len() + v.get().len() + 16)
                .sum()
        });
    let doc = Rendered {
        components,
        info,
        openapi,
        paths,
        security,
        servers,
        tags,
    };
    let mut out = Vec::with_capacity(size + (1 << 16));
    // Serializing maps with string keys, raw JSON and finite numbers does not fail.
    let _ = serde_json::to_writer_pretty(&mut out, &doc);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// `v` as pretty text for a value `depth` levels deep: every line after
/// the first indented by `depth` more levels (a pretty JSON text has line
/// breaks only between tokens, never inside a string).
pub(crate) fn part<T: Serialize + ?Sized>(v: &T, depth: usize) -> Box<RawValue> {
    let mut out = Indented {
        out: Vec::new(),
        pad: depth * 2,
    };
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let text = String::from_utf8(out.out).unwrap_or_default();
    RawValue::from_string(text).unwrap_or_else(|_| Box::<RawValue>::default())
}

/// Writes what it is given, with `pad` spaces after every line break.
struct Indented {
    out: Vec<u8>,
    pad: usize,
}

impl std::io::Write for Indented {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for (i, piece) in buf.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                self.out.push(b'\n');
                self.out.resize(self.out.len() + self.pad, b' ');
            }
            self.out.extend_from_slice(piece);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// [`Document`] with its paths written.
#[derive(Serialize)]
struct Rendered {
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Components>,
    info: Value,
    openapi: &'static str,
    paths: BTreeMap<String, Box<RawValue>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    security: Option<Value>,
    servers: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Value>,
}

/// Depth of a response example's value in an operation (→ `responses` →
/// code → `content` → media → `examples` → name → `value`).
pub const RESPONSE_EXAMPLE_DEPTH: usize = 8;
/// Depth of a request body's example in an operation (→ `requestBody` →
/// `content` → media → `example`).
pub const BODY_EXAMPLE_DEPTH: usize = 5;

/// A JSON value kept as its text, written already as serde_json's pretty
/// printer writes it where it goes in an operation (keys sorted), and
/// placed in the document as it is.
///
/// Examples are most of a document: held as values they took several
/// times the memory of their text, and writing them on the worker that
/// parsed them spares reading them again.
#[derive(Debug)]
pub struct JsonText(Box<RawValue>);

impl JsonText {
    /// The text of `v` for a value `depth` levels deep in an operation.
    pub fn new(v: &Value, depth: usize) -> Self {
        JsonText(part(v, depth))
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}
