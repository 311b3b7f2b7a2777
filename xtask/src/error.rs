//! Errors of the converter: every one names what is wrong and where.

use std::fmt;

/// Where in the collection a problem sits: the item (by its folder path) when
/// there is one, and always a JSON location such as `$.item[0].request.url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// `Folder / Sub folder / Item name`, when the problem belongs to an item.
    pub item: Option<String>,
    /// A JSONPath-like pointer into the collection document.
    pub pointer: String,
}

impl Location {
    pub(crate) fn new(item: Option<&str>, pointer: impl Into<String>) -> Self {
        Location {
            item: item.map(str::to_owned),
            pointer: pointer.into(),
        }
    }

    /// `suffix` (such as `.request.url`) below this.
    pub(crate) fn member(&self, suffix: &str) -> Location {
        Location {
            item: self.item.clone(),
            pointer: format!("{}{suffix}", self.pointer),
        }
    }

    /// Element `i` of the array here.
    pub(crate) fn index(&self, i: usize) -> Location {
        self.member(&format!("[{i}]"))
    }

    /// The error of something wrong here.
    pub(crate) fn error(&self, message: impl Into<String>) -> ConvertError {
        ConvertError::Invalid {
            location: self.clone(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(item) => write!(f, "item \"{item}\" at {}", self.pointer),
            None => f.write_str(&self.pointer),
        }
    }
}

/// Why a collection could not be converted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The input is not JSON at all.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    InvalidJson {
        /// 1-based line of the first error.
        line: usize,
        /// 1-based column of the first error.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The input is JSON but not a Postman collection.
    #[error("not a Postman collection: {0}")]
    NotACollection(String),
    /// A Postman v1 collection (top-level `requests`, `folders`, `order`).
    #[error(
        "Postman collection format v1 is not supported (top-level `requests`/`folders`/`order`, \
         or a v1 `info.schema`); export the collection again from Postman as Collection v2.1"
    )]
    V1Collection,
    /// Something inside the collection cannot be converted.
    #[error("{location}: {message}")]
    Invalid {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// The file of hand decisions is malformed or names something that does not exist.
    #[error("overrides: {0}")]
    Overrides(String),
}

impl ConvertError {
    /// Input that is not JSON, located by line and column.
    pub(crate) fn invalid_json(e: &serde_json::Error) -> Self {
        ConvertError::InvalidJson {
            line: e.line(),
            column: e.column(),
            message: crate::postman::read::json_message(e),
        }
    }
}
