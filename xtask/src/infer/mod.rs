//! Schemas inferred from examples: [`node`] infers and merges, [`components`]
//! names repeated object shapes.

pub mod components;
pub mod node;

pub use components::{in_ascii, pascal, singular, Claim, Registry, SHADOWING};
pub use node::{infer, merge, placeholder, to_schema, Kind, Node};
