//! A Postman collection (v2.0 / v2.1) → OpenAPI 3.0.3 converter whose output
//! the progenitor 0.15 generator accepts, behind `cargo xtask sync-postman`.
//!
//! The pipeline is a chain of pure functions: [`postman::parse`] reads the
//! collection into a model, [`convert::convert`] infers schemas and builds the
//! document, [`convert::render`] writes it deterministically, and
//! [`sync`] compares it with the file on disk or replaces that file atomically.
//!
//! [`convert::convert_to_string`] (what `sync-postman` writes) runs the same
//! steps on all cores: top-level items are read while the rest of the
//! collection is, requests are drafted in parallel while components are
//! extracted from them in order, and the document is written in pieces.
//! Values read from the collection are [`json::Json`], which borrows from the
//! input. Results are taken in collection order, so the output does not
//! depend on how the work was split between threads.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod convert;
pub mod error;
pub mod generate;
pub mod json;
mod parallel;
pub mod postman;
pub mod report;
pub mod schema;
pub mod sync;

pub use convert::{convert, convert_to_string, render, Options, Overrides};
pub use error::{ConvertError, Location};
