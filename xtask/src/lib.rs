//! A Postman collection (v2.0 / v2.1) → OpenAPI 3.0.3 converter whose output
//! the progenitor 0.15 generator accepts, behind `cargo xtask sync-postman`.
//!
//! The pipeline is a chain of pure functions: [`postman::parse`] reads the
//! collection into a model, [`convert::convert`] infers schemas and builds the
//! document, [`convert::render`] writes it deterministically, and
//! [`sync`] compares it with the file on disk or replaces that file atomically.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod convert;
pub mod error;
pub mod json;
mod parallel;
pub mod postman;
pub mod schema;
pub mod sync;

pub use convert::{convert, convert_to_string, render, Options, Overrides};
pub use error::{ConvertError, Location};
