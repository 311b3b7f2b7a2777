//! Reads a Postman v2.0 / v2.1 collection: [`model`] is the format as serde
//! reads it, [`read`] checks it and resolves inheritance into the types
//! below, which the rest of the converter uses; [`url`] reads requests'
//! URLs.

pub mod model;
pub mod read;
pub mod url;

pub use read::parse;

use crate::error::Location;

/// A whole collection.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// `info.name`.
    pub name: String,
    /// `info.description`.
    pub description: Option<String>,
    /// Collection variables (`variable`), in order.
    pub variables: Vec<(String, Option<String>)>,
    /// Collection-level auth.
    pub auth: Option<Auth>,
    /// Folders, depth first, with their path and description.
    pub folders: Vec<Folder>,
    /// Every request, depth first in collection order.
    pub requests: Vec<Request>,
}

/// A folder (an item holding items).
#[derive(Debug, Clone)]
pub struct Folder {
    /// Names from the top folder down to this one.
    pub path: Vec<String>,
    /// Its description.
    pub description: Option<String>,
}

/// One request item with everything inherited already resolved.
#[derive(Debug, Clone)]
pub struct Request {
    /// Names of the enclosing folders, outermost first.
    pub folders: Vec<String>,
    /// The item's name.
    pub name: String,
    /// JSON location of the item.
    pub pointer: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The URL, split.
    pub url: Url,
    /// Request headers.
    pub headers: Vec<KeyValue>,
    /// The body, if any.
    pub body: Option<Body>,
    /// The request's description.
    pub description: Option<String>,
    /// Effective auth: the item's, else its folders', else the collection's.
    pub auth: Option<Auth>,
    /// Saved examples.
    pub examples: Vec<Example>,
}

impl Request {
    /// `Folder / Item`, for messages.
    pub fn display_path(&self) -> String {
        let parts = [&self.folders[..], std::slice::from_ref(&self.name)];
        parts.concat().join(" / ")
    }

    /// The auth Postman sends: the request's own or inherited auth, else
    /// (none, or `noauth`) what an `Authorization` header written by hand
    /// says: `Bearer …`, `Basic …` and `Digest …` their schemes, another
    /// value a key sent in that header. Only the scheme is read, never the
    /// credential.
    pub fn sent_auth(&self) -> Option<Auth> {
        let header = (self.headers.iter())
            .find(|h| !h.disabled && h.key.eq_ignore_ascii_case("authorization"))
            .filter(|h| h.value.as_deref().is_some_and(|v| !v.trim().is_empty()));
        let (None | Some(Auth::NoAuth), Some(header)) = (&self.auth, header) else {
            return self.auth.clone();
        };
        let value = header.value.as_deref().unwrap_or_default().trim();
        let scheme = value.split_once(' ').map_or("", |(scheme, _)| scheme);
        Some(match scheme.to_ascii_lowercase().as_str() {
            "bearer" => Auth::Bearer,
            "basic" => Auth::Basic,
            "digest" => Auth::Digest,
            _ => Auth::ApiKey {
                name: header.key.clone(),
                location: "header".into(),
            },
        })
    }

    /// Location of this item (or of a part of it) for error messages.
    pub fn location(&self, suffix: &str) -> Location {
        Location::new(Some(&self.display_path()), &self.pointer).member(suffix)
    }
}

/// A URL as Postman stores it.
#[derive(Debug, Clone, Default)]
pub struct Url {
    /// `http`, `https`, `{{scheme}}`…
    pub protocol: Option<String>,
    /// Host parts joined with `.` (may be `{{baseUrl}}`).
    pub host: Option<String>,
    /// Port, if given.
    pub port: Option<String>,
    /// Path segments; a trailing `""` stands for a trailing slash.
    pub path: Vec<String>,
    /// Query parameters.
    pub query: Vec<KeyValue>,
    /// Values and descriptions of `:name` path variables.
    pub variables: Vec<KeyValue>,
    /// Whether the URL held a user (and password), which is dropped.
    pub credentials: bool,
}

impl Url {
    /// Whether the URL names nothing to call (no host, no path): how
    /// Postman saves a request that was never given one.
    pub fn is_empty(&self) -> bool {
        self.host.as_deref().is_none_or(str::is_empty) && self.path.iter().all(String::is_empty)
    }
}

/// A key/value entry (query parameter, header, form field, path variable).
#[derive(Debug, Clone, Default)]
pub struct KeyValue {
    /// Key.
    pub key: String,
    /// Value, if any.
    pub value: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// `disabled: true` in Postman.
    pub disabled: bool,
    /// For form-data entries: `type: file`.
    pub is_file: bool,
    /// JSON location of the entry.
    pub pointer: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// `mode: raw`.
    Raw {
        /// The text.
        text: String,
        /// `options.raw.language` (json, text, xml, …).
        language: Option<String>,
    },
    /// `mode: urlencoded`.
    UrlEncoded(Vec<KeyValue>),
    /// `mode: formdata`.
    FormData(Vec<KeyValue>),
    /// `mode: file`.
    File,
    /// `mode: graphql`.
    GraphQl {
        /// The query text.
        query: String,
        /// The variables, as JSON text.
        variables: Option<String>,
    },
}

/// Auth of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `noauth`: explicitly none.
    NoAuth,
    /// HTTP Basic.
    Basic,
    /// HTTP Bearer.
    Bearer,
    /// HTTP Digest.
    Digest,
    /// An API key in a header or in the query string.
    ApiKey {
        /// Header or query parameter name.
        name: String,
        /// `header` or `query`.
        location: String,
    },
    /// OAuth 2.
    OAuth2 {
        /// `accessTokenUrl`.
        token_url: Option<String>,
        /// `authUrl`.
        auth_url: Option<String>,
        /// `grant_type` (`client_credentials`, `password_credentials`,
        /// `authorization_code`, `authorization_code_with_pkce`, `implicit`).
        grant: Option<String>,
    },
    /// Any other Postman auth type (awsv4, hawk, ntlm, …): kept as a name.
    Other(String),
}

/// A saved example response.
#[derive(Debug, Clone)]
pub struct Example {
    /// Its name (when blank, its status's reason phrase).
    pub name: String,
    /// Whether the collection gives it a name.
    pub named: bool,
    /// HTTP status code; `None` when the example gives none (the
    /// operation's `default` response).
    pub code: Option<u16>,
    /// The body text; `None` when absent or empty.
    pub body: Option<String>,
    /// `Content-Type` header of the example, lower-cased, without parameters.
    pub content_type: Option<String>,
    /// `_postman_previewlanguage`.
    pub preview_language: Option<String>,
}

/// A piece of a text holding Postman `{{variables}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// The name of a `{{name}}`, trimmed.
    Var(&'a str),
    /// What follows a `{{` that does not close.
    Unclosed(&'a str),
}

/// Splits a text into literal text and `{{name}}` variables, the one reading
/// of variables the reader, the paths and the servers share.
pub fn pieces(mut rest: &str) -> impl Iterator<Item = Piece<'_>> {
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        Some(match rest.strip_prefix("{{") {
            Some(after) => match after.find("}}") {
                Some(end) => {
                    rest = &after[end + 2..];
                    Piece::Var(after[..end].trim())
                }
                None => {
                    rest = "";
                    Piece::Unclosed(after)
                }
            },
            None => {
                let (text, after) = rest.split_at(rest.find("{{").unwrap_or(rest.len()));
                rest = after;
                Piece::Text(text)
            }
        })
    })
}

/// Several collections read as one, in order: the first gives the name,
/// description, auth and servers' variables (a later collection adds the
/// variables the first lacks); folders of the same path are one folder;
/// requests follow each other, so that a later item on the same method and
/// path as an earlier one adds to its operation. Each request keeps its own
/// collection's auth. With more than one collection, every JSON location
/// starts with its collection's `label` (e.g. its file name).
pub fn concat(collections: Vec<(String, Collection)>) -> Collection {
    let several = collections.len() > 1;
    let mut out: Option<Collection> = None;
    for (label, mut c) in collections {
        for r in c.requests.iter_mut().filter(|_| several) {
            r.pointer = format!("{label} {}", r.pointer);
            // A header's location is read after its request's.
            for h in &mut r.headers {
                h.pointer = format!("{label} {}", h.pointer);
            }
        }
        let Some(all) = out.as_mut() else {
            out = Some(c);
            continue;
        };
        for (k, v) in c.variables {
            if !all.variables.iter().any(|(known, _)| *known == k) {
                all.variables.push((k, v));
            }
        }
        for f in c.folders {
            match all.folders.iter_mut().find(|known| known.path == f.path) {
                Some(known) => known.description = known.description.take().or(f.description),
                None => all.folders.push(f),
            }
        }
        all.requests.extend(c.requests);
    }
    out.unwrap_or_default()
}
