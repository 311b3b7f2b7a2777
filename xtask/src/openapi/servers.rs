//! Servers: each request's host (with its protocol and port) as a server
//! URL, `{{var}}` in any of them as a server variable. The server most
//! requests use is the document's; an operation on another host names its
//! own.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use serde_json::{json, Map, Value};

use crate::error::{ConvertError, Location};
use crate::postman::url::without_user;
use crate::postman::{pieces, Piece, Url};

/// The servers met (`url`, and `variables` with their defaults, as the
/// document has them), in order, with how many operations use each.
#[derive(Default)]
pub struct Servers {
    list: Vec<(Value, usize)>,
    /// Collection variables whose values, used in a server, held a user
    /// and password (left out of the server).
    pub credentials: BTreeSet<String>,
}

impl Servers {
    /// Records the server of a request; its index, or `None` for a URL
    /// without a host.
    ///
    /// # Errors
    /// A host whose `{{` does not close.
    pub fn add(
        &mut self,
        url: &Url,
        vars: &HashMap<&str, Option<&str>>,
        loc: &dyn Fn() -> Location,
    ) -> Result<Option<usize>, ConvertError> {
        let Some(server) = server_of(url, vars, &mut self.credentials, loc)? else {
            return Ok(None);
        };
        let known = self.list.iter().position(|(s, _)| *s == server);
        let i = known.unwrap_or_else(|| {
            self.list.push((server, 0));
            self.list.len() - 1
        });
        self.list[i].1 += 1;
        Ok(Some(i))
    }

    /// The document's server: the most used, the first met on a tie.
    pub fn main(&self) -> Option<usize> {
        let most = self.list.iter().map(|(_, n)| *n).max()?;
        self.list.iter().position(|(_, n)| *n == most)
    }

    /// The document's `servers`.
    pub fn document(&self) -> Value {
        match self.main() {
            Some(i) => json!([self.list[i].0]),
            None => json!([{"url": "/"}]),
        }
    }

    /// An operation's `servers`, when its server is not the document's.
    pub fn operation(&self, server: Option<usize>) -> Option<Value> {
        let i = server?;
        (Some(i) != self.main()).then(|| json!([self.list[i].0]))
    }
}

/// The value of collection variable `name` for a server: without a user
/// and password (their variable is recorded in `credentials`).
fn value_of(
    name: &str,
    vars: &HashMap<&str, Option<&str>>,
    credentials: &mut BTreeSet<String>,
) -> Option<String> {
    let value = vars.get(name).copied().flatten()?;
    let clean = without_user(value);
    if clean.is_some() {
        credentials.insert(name.to_owned());
    }
    Some(clean.unwrap_or_else(|| value.to_owned()))
}

fn server_of(
    url: &Url,
    vars: &HashMap<&str, Option<&str>>,
    credentials: &mut BTreeSet<String>,
    loc: &dyn Fn() -> Location,
) -> Result<Option<Value>, ConvertError> {
    let Some(host) = url.host.as_deref().filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let whole_var = host
        .strip_prefix("{{")
        .and_then(|h| h.strip_suffix("}}"))
        .filter(|h| !h.contains("{{"));
    let value = whole_var
        .and_then(|v| value_of(v, vars, credentials))
        .filter(|v| !v.is_empty());
    let mut variables = Map::new();
    // `{{name}}` → `{name}`, recording the variable and its default.
    let mut sub = |text: &str| {
        let mut s = String::new();
        for piece in pieces(text) {
            match piece {
                Piece::Text(t) => s.push_str(t),
                Piece::Var(name) => {
                    let default = value_of(name, vars, credentials).unwrap_or_default();
                    let _ = write!(s, "{{{name}}}");
                    variables.insert(name.to_owned(), json!({ "default": default }));
                }
                Piece::Unclosed(_) => {
                    return Err(loc().error(format!("cannot parse host `{text}`")))
                }
            }
        }
        Ok(s)
    };
    let mut server = match value {
        // `{{baseUrl}}` with a value: the value is the server (its own
        // `{{var}}`s become variables too).
        Some(value) if url.protocol.is_none() => {
            let s = sub(value.trim_end_matches('/'))?;
            // A host with no scheme (`localhost/api`) is sent over HTTP; a
            // variable first in it may hold the scheme, and a relative
            // (`/api/v1`, `//host`) or empty value is the source's own.
            let as_is = s.is_empty() || s.contains("://") || s.starts_with(['{', '/']);
            match as_is {
                true => s,
                false => format!("http://{s}"),
            }
        }
        _ => {
            let s = sub(host)?;
            match &url.protocol {
                // A scheme in the host wins over `protocol`, never both.
                _ if s.contains("://") => s,
                Some(p) => format!("{}://{s}", sub(p)?),
                // `{{host}}` alone: the server variable holds the scheme.
                None if whole_var.is_some() => s,
                // No scheme at all: Postman sends it over HTTP (as
                // postman-collection's `Url.toString(true)` writes it).
                None => format!("http://{s}"),
            }
        }
    };
    if let Some(port) = &url.port {
        server.push(':');
        server.push_str(&sub(port)?);
    }
    let mut server = json!({ "url": server });
    if !variables.is_empty() {
        server["variables"] = Value::Object(variables);
    }
    Ok(Some(server))
}
