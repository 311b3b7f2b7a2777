//! The `operation_ids` override: operation names chosen as data, keyed by
//! `METHOD /path` as the produced document has them, so that the names do
//! not depend on how the collection names its items.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::ConvertError;

/// Hands out the chosen names while operations are made, and says which
/// entries matched nothing.
#[derive(Debug)]
pub struct Chosen<'a> {
    table: &'a BTreeMap<String, String>,
    used: BTreeSet<&'a str>,
}

impl<'a> Chosen<'a> {
    /// The `operation_ids` table of the overrides.
    pub fn new(table: &'a BTreeMap<String, String>) -> Self {
        Chosen {
            table,
            used: BTreeSet::new(),
        }
    }

    /// The route's key: `GET /api/accounts/{id}/`.
    pub fn key(method: &str, path: &str) -> String {
        format!("{} {path}", method.to_ascii_uppercase())
    }

    /// The name chosen for the operation on `method` and `path`, if any.
    pub fn id(&mut self, method: &str, path: &str) -> Option<&'a str> {
        let (key, id) = self.table.get_key_value(&Self::key(method, path))?;
        self.used.insert(key);
        Some(id)
    }

    /// Every entry must have matched an operation of the document.
    ///
    /// # Errors
    /// [`ConvertError::Overrides`] naming the first entry that matched none,
    /// with the operations of the same path when there are some.
    pub fn all_used<'r>(&self, routes: impl Iterator<Item = &'r str>) -> Result<(), ConvertError> {
        let Some(unused) = self.table.keys().find(|k| !self.used.contains(k.as_str())) else {
            return Ok(());
        };
        let path = unused.split_once(' ').map_or("", |(_, p)| p);
        let same_path: Vec<&str> = routes
            .filter(|r| r.split_once(' ').is_some_and(|(_, p)| p == path))
            .collect();
        let hint = if same_path.is_empty() {
            format!("no operation has the path `{path}`")
        } else {
            format!("operations on that path: {}", same_path.join(", "))
        };
        Err(ConvertError::Overrides(format!(
            "operation_ids: `{unused}` matches no operation of the collection ({hint})"
        )))
    }
}
