//! A Postman collection (v2.0 / v2.1) → OpenAPI 3.0.3 converter whose output
//! the progenitor 0.15 generator accepts, behind `cargo xtask sync-postman`.
//!
//! One pipeline of pure steps: [`postman::parse`] reads the collection
//! (serde) into a checked model, [`infer`] types the examples,
//! [`openapi::document::build`] assembles the document (operations drafted
//! on all cores with rayon, everything else in collection order, so the
//! output does not depend on the threads), and [`render`](mod@render) writes it with
//! serde_json. [`sync`] compares it with the file on disk or replaces that
//! file atomically.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod error;
pub mod generate;
pub mod infer;
pub mod openapi;
pub mod overrides;
pub mod postman;
pub mod render;
pub mod report;
pub mod sync;

pub use error::{ConvertError, Location};
pub use overrides::Overrides;
pub use render::render;

/// What the converter needs besides the collection.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How the input is named in the generated note (e.g. its path).
    pub source: String,
    /// Hand decisions.
    pub overrides: Overrides,
}

/// Converts a Postman collection (bytes) into an OpenAPI 3.0.3 document.
///
/// # Errors
/// See [`ConvertError`]: every error names the item or JSON location.
pub fn convert(bytes: &[u8], opts: &Options) -> Result<serde_json::Value, ConvertError> {
    let doc = openapi::document::build(&postman::parse(bytes)?, opts)?;
    Ok(serde_json::to_value(&doc).unwrap_or_default())
}

/// Converts a Postman collection (bytes) into the document's text: the same
/// text as `render(&convert(bytes, opts)?)`, written from the typed document
/// (whose examples are held as text) without a whole-document `Value`.
///
/// # Errors
/// See [`convert`].
pub fn convert_to_string(bytes: &[u8], opts: &Options) -> Result<String, ConvertError> {
    let doc = openapi::document::build(&postman::parse(bytes)?, opts)?;
    Ok(render::document(doc))
}
