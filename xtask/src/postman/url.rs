//! A request's URL, as a string or as Postman's URL object: host, port,
//! path, query and path variables, with the host alone (no path, no user
//! and password) whichever way it was written.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::read::{key_values, text, value_text};
use super::{pieces, KeyValue, Piece, Url};
use crate::error::{ConvertError, Location};

/// A request's `url`: a raw string, or Postman's URL object (its
/// structured parts trusted over its `raw`).
pub(super) fn parse_url(v: &Value, at: &Location) -> Result<Url, ConvertError> {
    let obj = match v {
        Value::String(raw) => return parse_raw_url(raw, at),
        Value::Object(o) => o,
        other => return Err(at.wrong_type("`url` must be a string or an object", other)),
    };
    let raw = text(obj.get("raw"));
    let has_structure = obj.contains_key("host") || obj.contains_key("path");
    // Trust the structured parts; fall back to `raw` only when they are absent.
    let mut url = if has_structure {
        Url {
            protocol: text(obj.get("protocol")).map(str::to_owned),
            host: match obj.get("host") {
                Some(Value::Array(parts)) => Some(join_host(parts, at)?),
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Null) | None => None,
                Some(other) => {
                    return Err(at.wrong_type("`url.host` must be an array or a string", other))
                }
            },
            port: (obj.get("port").filter(|p| p.is_string() || p.is_number())).map(value_text),
            path: match obj.get("path") {
                Some(Value::Array(parts)) => path_segments(parts, at)?,
                Some(Value::String(s)) => split_path(s),
                _ => Vec::new(),
            },
            ..Url::default()
        }
    } else {
        parse_raw_url(raw.unwrap_or_default(), at)?
    };
    if let Some(q) = obj.get("query") {
        url.query = key_values(Some(q), &at.member(".query"))?;
        url.query.iter_mut().for_each(decode);
    } else if let (true, Some(raw)) = (has_structure, raw) {
        url.query = query_of(raw.split_once('?').map_or("", |(_, q)| q));
    }
    url.variables = key_values(obj.get("variable"), &at.member(".variable"))?;
    // Where Postman's own SDK keeps a URL's user and password; never read.
    let given = |v: &Value| v.as_str().is_some_and(|s| !s.is_empty());
    let auth = obj.get("auth").and_then(Value::as_object);
    url.credentials |= auth.is_some_and(|a| a.values().any(given));
    host_alone(&mut url);
    check_braces(&url, at)?;
    Ok(url)
}

/// The host alone, as in a raw URL: a path written in it
/// (`api.example.com/v1/`, as some exporters write it) goes before the
/// URL's own, and a user and password (`user:secret@host`) are dropped.
fn host_alone(url: &mut Url) {
    let Some(host) = url.host.as_mut() else {
        return;
    };
    let start = host.find("://").map_or(0, |i| i + 3);
    let (user_end, path_start) = authority(&host[start..]);
    if start + path_start < host.len() {
        let rest = host.split_off(start + path_start);
        let mut path: Vec<String> = rest[1..].split('/').map(str::to_owned).collect();
        // Its trailing slash is the URL's when the URL has no path of its own.
        if !url.path.is_empty() {
            path.retain(|s| !s.is_empty());
        }
        path.append(&mut url.path);
        url.path = path;
    }
    if user_end > 0 {
        host.replace_range(start..start + user_end, "");
        url.credentials = true;
    }
}

/// A path glued to a base URL variable (`{{url}}register`, `{{host}}users`),
/// which the app keeps whole as the host: Postman sends the variable's
/// value, a base URL ending in `/`, with the path after it. So the text
/// after a variable that starts the host is the path's first segment, when
/// the variable's value (`value`) ends in `/` (not a bare scheme,
/// `http://`) or is not in the collection, and the text cannot be part of a
/// host name: no `.`, `:` or `{` in it, no `-` first (`{{sub}}.example.com`
/// and `{{env}}-api.example.com` stay hosts).
pub(super) fn unglue_path<'v>(url: &mut Url, value: impl Fn(&str) -> Option<&'v str>) {
    let Some(host) = url.host.as_deref() else {
        return;
    };
    let Some((name, rest)) = host.strip_prefix("{{").and_then(|h| h.split_once("}}")) else {
        return;
    };
    let base = value(name.trim())
        .is_none_or(|v| v.is_empty() || (v.ends_with('/') && !v.ends_with("://")));
    let path_like = !rest.is_empty() && !rest.contains(['.', ':', '{']) && !rest.starts_with('-');
    if base && path_like {
        url.path.insert(0, rest.to_owned());
        url.host = Some(format!("{{{{{name}}}}}"));
    }
}

/// `text` (a URL, or a host and what follows it) without the user and
/// password before its host, when it has them.
pub(crate) fn without_user(text: &str) -> Option<String> {
    let start = text.find("://").map_or(0, |i| i + 3);
    let (host_start, _) = authority(&text[start..]);
    (host_start > 0).then(|| format!("{}{}", &text[..start], &text[start + host_start..]))
}

/// The parts of `[user[:password]@]host[:port][/path]`: where the host
/// starts (after the `@`, or 0) and where the path starts (its `/`, or
/// the end). Only text outside `{{variables}}` counts: a variable's name
/// may hold `/` or `@`.
fn authority(text: &str) -> (usize, usize) {
    let (mut host_start, mut skip_to) = (0, 0);
    for (i, c) in text.char_indices() {
        if i < skip_to {
            continue;
        }
        // A `{{` that does not close is text (and refused later as such).
        if let Some(end) = text[i..].strip_prefix("{{").and_then(|t| t.find("}}")) {
            skip_to = i + end + 4;
            continue;
        }
        match c {
            '/' => return (host_start, i),
            '@' => host_start = i + 1,
            _ => {}
        }
    }
    (host_start, text.len())
}

/// Splits a raw URL such as `{{baseUrl}}/api/x/:id?a=1#frag`.
pub(super) fn parse_raw_url(raw: &str, at: &Location) -> Result<Url, ConvertError> {
    let raw = raw.trim();
    let unfragmented = raw.split('#').next().unwrap_or_default();
    let (before_query, query) = unfragmented.split_once('?').unwrap_or((unfragmented, ""));
    // White space in a variable's name (`{{Base URL}}`) is Postman's to
    // resolve, and in the query Postman encodes it when sending; anywhere
    // else it cannot be part of a URL.
    let spaced = |p: Piece<'_>| matches!(p, Piece::Text(t) if t.contains(char::is_whitespace));
    if pieces(before_query).any(spaced) {
        return Err(at.error(format!("cannot parse URL `{raw}`: it contains white space")));
    }
    let (protocol, rest) = match before_query.split_once("://") {
        Some((p, rest)) => {
            let scheme_char = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
            let ok = p.starts_with("{{") || (!p.is_empty() && p.chars().all(scheme_char));
            if !ok {
                return Err(at.error(format!("cannot parse URL `{raw}`: bad scheme `{p}`")));
            }
            (Some(p.to_owned()), rest)
        }
        None => (None, before_query),
    };
    // A user and password are never written into the document.
    let (host_start, path_start) = authority(rest);
    let (host, port) = split_port(&rest[host_start..path_start]);
    let url = Url {
        protocol,
        host: Some(host.to_owned()).filter(|h| !h.is_empty()),
        port,
        path: split_path(&rest[path_start..]),
        query: query_of(query),
        variables: Vec::new(),
        credentials: host_start > 0,
    };
    check_braces(&url, at)?;
    Ok(url)
}

/// The entries of a query string (`a=1&b&c=x y#fragment`).
fn query_of(query: &str) -> Vec<KeyValue> {
    let query = query.split('#').next().unwrap_or_default();
    (query.split('&').filter(|p| !p.is_empty()))
        .map(|pair| {
            let (key, value) = pair.split_once('=').unzip();
            let mut entry = KeyValue {
                key: key.unwrap_or(pair).to_owned(),
                value: value.map(str::to_owned),
                ..KeyValue::default()
            };
            decode(&mut entry);
            entry
        })
        .collect()
}

/// A query entry's key and value as the server reads them: Postman sends
/// `filter%5Bfrom%5D` as it is written and the server decodes it to
/// `filter[from]`, the name the generated client must be given (it encodes
/// names itself). A `%` that starts no escape, or escapes that are not
/// UTF-8, stay as written.
fn decode(entry: &mut KeyValue) {
    for text in std::iter::once(&mut entry.key).chain(&mut entry.value) {
        if let Ok(Cow::Owned(plain)) = percent_decode_str(text).decode_utf8() {
            *text = plain;
        }
    }
}

/// `host:8080` and `host:{{port}}` → host and port.
fn split_port(host_port: &str) -> (&str, Option<String>) {
    match host_port.rsplit_once(':') {
        Some((h, p))
            if (!p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                || (p.starts_with("{{") && p.ends_with("}}") && !h.ends_with('{')) =>
        {
            (h, Some(p.to_owned()))
        }
        _ => (host_port, None),
    }
}

/// The segments of an array `url.path`. Postman joins them with `/`, so
/// one that holds a `/` is several (`"access-tokens/:accessTokens"`).
fn path_segments(parts: &[Value], at: &Location) -> Result<Vec<String>, ConvertError> {
    let mut path = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Value::String(s) => path.extend(s.split('/').map(str::to_owned)),
            // v2.0's schema: "a segment could be a string, or a path
            // variable", the latter `{type, value}`: a `:name` segment.
            Value::Object(o) => path.push(match text(o.get("value")).unwrap_or_default() {
                name if name.is_empty() || name.starts_with([':', '{']) => name.to_owned(),
                name => format!(":{name}"),
            }),
            other => return Err(at.wrong_type("a `url.path` segment must be a string", other)),
        }
    }
    Ok(path)
}

fn split_path(path: &str) -> Vec<String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed.split('/').map(str::to_owned).collect()
}

/// `{{` must close with `}}` everywhere in a URL.
fn check_braces(url: &Url, at: &Location) -> Result<(), ConvertError> {
    for part in url.host.iter().chain(url.path.iter()) {
        if pieces(part).any(|p| matches!(p, Piece::Unclosed(_))) {
            return Err(at.error(format!(
                "cannot parse URL part `{part}`: `{{{{` without a closing `}}}}`"
            )));
        }
    }
    Ok(())
}

fn join_host(parts: &[Value], at: &Location) -> Result<String, ConvertError> {
    let parts = parts.iter().map(|p| {
        p.as_str()
            .ok_or_else(|| at.wrong_type("a `url.host` part must be a string", p))
    });
    Ok(parts.collect::<Result<Vec<_>, _>>()?.join("."))
}
