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

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_route_gets_its_chosen_name_whatever_the_method_case() {
        let t = table(&[("PATCH /api/links/", "links_resume")]);
        let mut chosen = Chosen::new(&t);
        assert_eq!(chosen.id("patch", "/api/links/"), Some("links_resume"));
        assert_eq!(chosen.id("get", "/api/links/"), None);
        assert!(chosen.all_used(["PATCH /api/links/"].into_iter()).is_ok());
    }

    #[test]
    fn an_entry_that_matches_nothing_is_named() {
        let t = table(&[
            ("GET /api/links/", "links_list"),
            ("PUT /api/links/", "links_put"),
        ]);
        let mut chosen = Chosen::new(&t);
        chosen.id("get", "/api/links/");
        let routes = ["GET /api/links/", "POST /api/links/"];
        let e = chosen
            .all_used(routes.into_iter())
            .expect_err("unused")
            .to_string();
        assert!(e.contains("`PUT /api/links/` matches no operation"), "{e}");
        assert!(e.contains("GET /api/links/, POST /api/links/"), "{e}");
        let t = table(&[("GET /api/nowhere/", "nowhere_list")]);
        let e = Chosen::new(&t)
            .all_used(routes.into_iter())
            .expect_err("unused")
            .to_string();
        assert!(
            e.contains("no operation has the path `/api/nowhere/`"),
            "{e}"
        );
    }
}
