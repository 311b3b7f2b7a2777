//! Checks a collection read by serde ([`super::model`]) and turns it into the
//! converter's types, naming the item and the JSON location of anything that
//! cannot be converted.
//!
//! The fast path deserializes straight into the model. Only when that fails
//! is the input read again, as a [`Value`] (for JSON syntax errors and the
//! top-level checks) and through `serde_path_to_error` (for the location of
//! a member of the wrong type), so a valid collection pays for neither.

use serde::Deserializer as _;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::model;
use super::url::{parse_raw_url, parse_url, unglue_path};
use super::{Auth, Body, Collection, Example, Folder, KeyValue, Request, Url};
use crate::error::{ConvertError, Location};
use crate::openapi::operation::is_token;

/// Parses collection bytes into the model.
///
/// # Errors
/// Invalid JSON, a non-collection, a v1 collection, or a malformed item, each
/// with its location.
pub fn parse<'a>(bytes: &'a [u8]) -> Result<Collection, ConvertError> {
    let bytes = json_text(bytes)?;
    // Each top-level item is read and walked on another core as soon as the
    // scan of the input has passed it; the parts are joined in order.
    let (parts, done) = std::sync::mpsc::channel();
    let head = rayon::scope(|s| {
        let spawn = |i: usize, raw: &'a RawValue| {
            let parts = parts.clone();
            s.spawn(move |_| drop(parts.send((i, read_item(i, raw)))));
        };
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let head = (&mut de).deserialize_map(model::Scan(spawn));
        head.and_then(|head| de.end().map(|()| head))
    });
    let head = head.map_err(|e| diagnose(bytes, Some(&e)))?;
    drop(parts);
    let mut parts: Vec<_> = done.into_iter().collect();
    parts.sort_unstable_by_key(|(i, _)| *i);
    read(head, parts).map_err(|e| e.unwrap_or_else(|| diagnose(bytes, None)))
}

/// A file's JSON text: without the UTF-8 byte order mark some editors
/// write (RFC 8259 lets a reader ignore it). Text in UTF-16 or UTF-32,
/// which is not JSON (JSON is UTF-8), is refused as such.
pub(crate) fn json_text(bytes: &[u8]) -> Result<&[u8], ConvertError> {
    if let Some(text) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(text);
    }
    let wide = [&b"\xFF\xFE"[..], b"\xFE\xFF", b"\0\0\xFE\xFF"];
    if wide.iter().any(|bom| bytes.starts_with(bom)) {
        return Err(ConvertError::InvalidJson {
            line: 1,
            column: 1,
            message: "the file is UTF-16 or UTF-32 text (it starts with that byte order mark), \
                      and JSON is UTF-8: save it as UTF-8"
                .into(),
        });
    }
    Ok(bytes)
}

/// The error of input the model does not read; the scan's own error when
/// nothing else is wrong (a member given twice).
fn diagnose(bytes: &[u8], scan: Option<&serde_json::Error>) -> ConvertError {
    let doc: Value = match serde_json::from_slice(bytes) {
        Ok(doc) => doc,
        Err(e) => return ConvertError::invalid_json(&e),
    };
    let Some(root) = doc.as_object() else {
        return ConvertError::NotACollection(format!(
            "the top level is {}, not an object",
            kind_of(&doc)
        ));
    };
    let has = |k: &str| root.contains_key(k);
    let v1 = has("requests") && (has("folders") || has("order"));
    let has_item = root.get("item").is_some_and(|i| !i.is_null());
    if let Err(e) = check_head(v1, has("values"), root.get("info"), has_item) {
        return e;
    }
    let Err(e) = serde_path_to_error::deserialize::<_, model::Items>(&doc) else {
        let why = scan.map_or("unreadable collection".into(), json_message);
        return ConvertError::NotACollection(why);
    };
    // The pointer, and the names of the items on the way for the message.
    let (mut pointer, mut names, mut at) = (String::from("$"), Vec::new(), Some(&doc));
    let mut after_item = false;
    for seg in e.path().iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => {
                pointer.push_str(&format!("[{index}]"));
                at = at.and_then(|v| v.get(index));
                if let (true, Some(Value::Object(o))) = (after_item, at) {
                    names.push(item_name(o.get("name"), *index));
                }
            }
            serde_path_to_error::Segment::Map { key } => {
                pointer.push_str(&format!(".{key}"));
                at = at.and_then(|v| v.get(key));
            }
            _ => {}
        }
        after_item = matches!(seg, serde_path_to_error::Segment::Map { key } if key == "item");
    }
    let item = (!names.is_empty()).then(|| names.join(" / "));
    Location::new(item.as_deref(), pointer).error(e.into_inner().to_string())
}

/// The checks of a collection's top level, in the order they are reported:
/// not a v1 collection (`requests` with `folders` or `order`), an `info`
/// object with a v2.0 or v2.1 schema if any, an `item` array. The `info`
/// object, when they pass. `values` without `info` is an environment (or
/// globals) file, the other file Postman exports, given by mistake.
fn check_head(
    v1: bool,
    values: bool,
    info: Option<&Value>,
    has_item: bool,
) -> Result<&Map<String, Value>, ConvertError> {
    if v1 {
        return Err(ConvertError::V1Collection);
    }
    let info = info.and_then(Value::as_object).ok_or_else(|| {
        ConvertError::NotACollection(if values {
            "no `info` object at $.info, and `values` at $.values: this is a Postman \
             environment or globals file; export the collection itself"
                .to_owned()
        } else {
            "no `info` object at $.info".to_owned()
        })
    })?;
    if let Some(schema) = info.get("schema") {
        let schema = schema.as_str().ok_or_else(|| {
            ConvertError::NotACollection("$.info.schema is not a string".to_owned())
        })?;
        if schema.contains("/v1.") {
            return Err(ConvertError::V1Collection);
        }
        if !schema.contains("/v2.0.") && !schema.contains("/v2.1.") {
            return Err(ConvertError::NotACollection(format!(
                "$.info.schema is `{schema}`, expected a Postman collection v2.0 or v2.1 schema URL"
            )));
        }
    }
    if !has_item {
        return Err(ConvertError::NotACollection(
            "no `item` array at $.item".into(),
        ));
    }
    Ok(info)
}

/// The checked collection, from its top level and its items' parts (in
/// order); `Err(None)` when an item does not match the model (located by
/// [`diagnose`]).
fn read(head: model::Head, parts: Vec<(usize, Part)>) -> Result<Collection, Option<ConvertError>> {
    let v1 = head.v1.0 && head.v1.1;
    let info = check_head(v1, head.values, head.info.as_ref(), head.has_item)?;
    let variables = key_values(head.variable.as_ref(), &Location::new(None, "$.variable"))?;
    let variables = variables.into_iter().map(|kv| (kv.key, kv.value)).collect();
    let name = text(info.get("name")).unwrap_or("Postman collection");
    let mut out = Collection {
        name: name.to_owned(),
        description: description(info.get("description")),
        variables,
        auth: parse_auth(head.auth.as_ref(), &Location::new(None, "$.auth"))?,
        ..Collection::default()
    };
    // The first error in collection order is the one reported.
    for (_, part) in parts {
        let part = part?;
        out.folders.extend(part.folders);
        out.requests.extend(part.requests);
    }
    // Items were walked before the collection's auth was read (it often
    // follows them): it is what the requests without their own or their
    // folders' inherit.
    for r in out.requests.iter_mut().filter(|r| r.auth.is_none()) {
        r.auth.clone_from(&out.auth);
    }
    let value = |name: &str| {
        let known = out.variables.iter().find(|(k, _)| k == name);
        known.map(|(_, v)| v.as_deref().unwrap_or_default())
    };
    for r in &mut out.requests {
        unglue_path(&mut r.url, value);
    }
    Ok(out)
}

/// What one top-level item gives: its folders and requests.
type Part = Result<Collection, Option<ConvertError>>;

/// Top-level item `i`, walked without the collection's auth (see [`read`]).
fn read_item(i: usize, raw: &RawValue) -> Part {
    let item: model::Item = serde_json::from_str(raw.get()).map_err(|_| None)?;
    let mut part = Collection::default();
    walk_item(item, i, "$.item", &[], None, &mut part)?;
    Ok(part)
}

fn item_name(name: Option<&Value>, i: usize) -> String {
    nonblank(name).map_or_else(|| format!("item {i}"), str::to_owned)
}

/// Item `i` of the `item` array at `pointer`, with everything below it.
fn walk_item(
    item: model::Item,
    i: usize,
    pointer: &str,
    folders: &[String],
    inherited: Option<&Auth>,
    out: &mut Collection,
) -> Result<(), ConvertError> {
    let mut path = folders.to_vec();
    path.push(item_name(item.name.as_ref(), i));
    let at = Location::new(Some(&path.join(" / ")), format!("{pointer}[{i}]"));
    let auth = parse_auth(item.auth.as_ref(), &at.member(".auth"))?.or(inherited.cloned());
    if let Some(children) = item.item {
        out.folders.push(Folder {
            path: path.clone(),
            description: description(item.description.as_ref()),
        });
        let pointer = format!("{}.item", at.pointer);
        for (i, child) in children.into_iter().enumerate() {
            walk_item(child, i, &pointer, &path, auth.as_ref(), out)?;
        }
    } else if let Some(request) = &item.request {
        let name = path.pop().unwrap_or_default();
        let req = parse_request(request, &item, folders, name, &at, auth)?;
        out.requests.push(req);
    } else {
        return Err(at.error("an item needs either `request` (a request) or `item` (a folder)"));
    }
    Ok(())
}

fn parse_request(
    request: &Value,
    item: &model::Item,
    folders: &[String],
    name: String,
    at: &Location,
    auth: Option<Auth>,
) -> Result<Request, ConvertError> {
    let none = Map::new();
    let r = match request {
        Value::Object(r) => r,
        // A bare URL string is a GET of that URL.
        Value::String(_) => &none,
        other => {
            return Err(at
                .member(".request")
                .wrong_type("`request` must be an object or a URL string", other))
        }
    };
    let here = at.member(".request.method");
    let method = match r.get("method") {
        None => "GET".to_owned(),
        // Any method name: the ones an OpenAPI client cannot send
        // (Postman offers LINK, PURGE, PROPFIND…) are left out and
        // said by the document.
        Some(Value::String(m)) if is_token(m.trim()) => m.trim().to_ascii_uppercase(),
        Some(Value::String(m)) => {
            return Err(here.error(format!("method `{m}` is not an HTTP method name")))
        }
        Some(_) => return Err(here.error("`method` must be a string")),
    };
    let url = match (request, r.get("url")) {
        (Value::String(raw), _) => parse_raw_url(raw, &at.member(".request"))?,
        // Postman saves a request that was never given a URL without
        // one: an empty URL, which the document leaves out and says.
        (_, None | Some(Value::Null)) => Url::default(),
        (_, Some(url)) => parse_url(url, &at.member(".request.url"))?,
    };
    Ok(Request {
        folders: folders.to_vec(),
        name,
        pointer: at.pointer.clone(),
        method,
        url,
        headers: match r.get("header") {
            // The schema allows the headers as one text, `Key: value` a line.
            Some(Value::String(lines)) => header_text(lines, &at.member(".request.header")),
            other => key_values(other, &at.member(".request.header"))?,
        },
        body: parse_body(r.get("body"), &at.member(".request.body"))?,
        description: description(r.get("description"))
            .or_else(|| description(item.description.as_ref())),
        auth: parse_auth(r.get("auth"), &at.member(".request.auth"))?.or(auth),
        examples: (item.response.iter().flatten().enumerate())
            .map(|(i, e)| parse_example(e, &at.member(&format!(".response[{i}]"))))
            .collect::<Result<_, _>>()?,
    })
}

fn parse_example(r: &model::Example, at: &Location) -> Result<Example, ConvertError> {
    let given = nonblank(r.name.as_ref());
    let here = at.member(".code");
    let code = match r.code.as_ref().filter(|v| !v.is_null() && **v != 0) {
        // No code: the reason phrase when it is a known one, else the
        // operation's `default` response (how exporters write OpenAPI's;
        // one writes `0`, the status of no response).
        None => text(r.status.as_ref()).and_then(code_for_reason),
        Some(v) => {
            let (code, shown) = match v {
                Value::Number(n) => (n.as_u64(), n.to_string()),
                Value::String(s) => (s.trim().parse().ok(), format!("\"{s}\"")),
                other => return Err(here.wrong_type("`code` must be a number", other)),
            };
            let code = code.filter(|c| (100..=599).contains(c));
            let code =
                code.ok_or_else(|| here.error(format!("`{shown}` is not an HTTP status code")))?;
            Some(code as u16)
        }
    };
    let body = match &r.body {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::String(_)) | Some(Value::Null) | None => None,
        Some(other) => {
            return Err(at
                .member(".body")
                .wrong_type("an example body must be a string", other))
        }
    };
    // Only the content type of an example's headers is used; the last wins.
    // The schema allows `{key, value}` entries, `Key: value` strings, or
    // one text of such lines.
    let headers: Vec<(&str, &str)> = match &r.header {
        Some(Value::String(lines)) => lines.lines().filter_map(header_line).collect(),
        Some(Value::Array(list)) => (list.iter())
            .filter_map(|e| match e {
                Value::String(line) => header_line(line),
                e => Some((text(e.get("key"))?, text(e.get("value"))?)),
            })
            .collect(),
        _ => Vec::new(),
    };
    let content_type = (headers.into_iter())
        .rfind(|(key, _)| key.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| media_type(value));
    // Unnamed (Laravel Scribe leaves every name blank): its status's reason
    // phrase. Neither that nor a name Postman makes up (`Example 2`) names a
    // type.
    let reason = code.and_then(|c| http::StatusCode::from_u16(c).ok()?.canonical_reason());
    Ok(Example {
        name: given.or(reason).unwrap_or("Example").to_owned(),
        named: given.is_some_and(|n| !made_up_name(n)),
        code,
        body,
        content_type,
        preview_language: text(r.preview_language.as_ref()).map(str::to_ascii_lowercase),
    })
}

/// The text of a string value.
pub(super) fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

/// The trimmed text of a string value, unless blank.
fn nonblank(v: Option<&Value>) -> Option<&str> {
    text(v).map(str::trim).filter(|s| !s.is_empty())
}

/// `Application/JSON; charset=utf-8` → `application/json`.
pub(crate) fn media_type(v: &str) -> String {
    let (essence, _) = v.split_once(';').unwrap_or((v, ""));
    essence.trim().to_ascii_lowercase()
}

fn parse_body(v: Option<&Value>, at: &Location) -> Result<Option<Body>, ConvertError> {
    let Some(body @ Value::Object(obj)) = v else {
        return Ok(None);
    };
    if obj.get("disabled") == Some(&Value::Bool(true)) {
        return Ok(None);
    }
    // A form without fields sends no body (the app saves `formdata: []`
    // on any request whose form tab was opened).
    let fields = |key: &str| {
        let fields = key_values(obj.get(key), &at.member(&format!(".{key}")))?;
        Ok::<_, ConvertError>((!fields.is_empty()).then_some(fields))
    };
    let at_pointer = |p: &str| text(body.pointer(p));
    Ok(match text(obj.get("mode")).unwrap_or("") {
        "raw" => {
            let raw = text(obj.get("raw")).unwrap_or("");
            (!raw.trim().is_empty()).then(|| Body::Raw {
                text: raw.to_owned(),
                language: at_pointer("/options/raw/language").map(str::to_ascii_lowercase),
            })
        }
        "urlencoded" => fields("urlencoded")?.map(Body::UrlEncoded),
        "formdata" => fields("formdata")?.map(Body::FormData),
        "file" => Some(Body::File),
        "graphql" => Some(Body::GraphQl {
            query: at_pointer("/graphql/query").unwrap_or_default().to_owned(),
            variables: at_pointer("/graphql/variables").map(str::to_owned),
        }),
        "" => None,
        other => {
            return Err(at.member(".mode").error(format!(
                "unknown body mode `{other}` (expected raw, urlencoded, formdata, file or graphql)"
            )))
        }
    })
}

fn parse_auth(v: Option<&Value>, at: &Location) -> Result<Option<Auth>, ConvertError> {
    let obj = match v {
        // An empty list is no auth too: an exporter writes it where an
        // OpenAPI security requirement named a scheme it could not write;
        // and so is an empty object (Insomnia's exports, converted, give
        // every request `"auth": {}`).
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) if list.is_empty() => return Ok(None),
        Some(Value::Object(o)) if o.is_empty() => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(other) => return Err(at.wrong_type("`auth` must be an object", other)),
    };
    let ty = text(obj.get("type")).ok_or_else(|| at.error("`auth` has no `type`"))?;
    // "Inherit auth from parent", as the app saves it: as if none were set.
    if ty == "inherit" {
        return Ok(None);
    }
    // v2.1 stores parameters as [{key, value}], v2.0 as an object.
    let param = |name: &str| match obj.get(ty) {
        Some(Value::Array(list)) => (list.iter())
            .filter(|e| text(e.get("key")) == Some(name))
            .find_map(|e| e.get("value").map(value_text)),
        Some(Value::Object(o)) => o.get(name).map(value_text),
        _ => None,
    };
    let given = |name: &str| param(name).filter(|s| !s.is_empty());
    Ok(Some(match ty {
        "noauth" => Auth::NoAuth,
        "basic" => Auth::Basic,
        "bearer" => Auth::Bearer,
        "digest" => Auth::Digest,
        "apikey" => Auth::ApiKey {
            name: given("key").unwrap_or_else(|| "X-API-Key".to_owned()),
            location: match param("in").as_deref() {
                Some("query") => "query".to_owned(),
                _ => "header".to_owned(),
            },
        },
        "oauth2" => Auth::OAuth2 {
            token_url: given("accessTokenUrl"),
            auth_url: given("authUrl"),
            grant: given("grant_type"),
        },
        other => Auth::Other(other.to_owned()),
    }))
}

/// Reads `[{key, value, description, disabled, type}]`, if there.
pub(super) fn key_values(v: Option<&Value>, at: &Location) -> Result<Vec<KeyValue>, ConvertError> {
    let list = match v {
        Some(Value::Array(list)) => list,
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(other) => {
            return Err(at.wrong_type("expected an array of {key, value} entries", other))
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let obj = e
            .as_object()
            .ok_or_else(|| at.index(i).wrong_type("expected a {key, value} object", e))?;
        let key = match obj.get("key").or_else(|| obj.get("id")) {
            Some(Value::String(k)) if !k.is_empty() => k.clone(),
            // Postman keeps blank rows; they mean nothing.
            Some(Value::String(_)) | Some(Value::Null) | None => continue,
            Some(other) => {
                return Err(at
                    .index(i)
                    .member(".key")
                    .wrong_type("`key` must be a string", other))
            }
        };
        out.push(KeyValue {
            key,
            value: obj.get("value").filter(|v| !v.is_null()).map(value_text),
            description: description(obj.get("description")),
            disabled: obj.get("disabled") == Some(&Value::Bool(true)),
            is_file: text(obj.get("type")) == Some("file"),
            pointer: at.index(i).pointer,
        });
    }
    Ok(out)
}

/// `Key: value` → its trimmed key and value, unless the key is blank.
fn header_line(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim();
    (!key.is_empty()).then(|| (key, value.trim()))
}

/// Headers written as one text, a `Key: value` line each (a line without
/// a colon is a name without a value); a line starting with `//` is a
/// disabled header (as Postman wrote them in that form).
fn header_text(lines: &str, at: &Location) -> Vec<KeyValue> {
    (lines.lines())
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("//");
            let (line, disabled) = (rest.unwrap_or(line), rest.is_some());
            let (key, value) = match header_line(line) {
                Some((key, value)) => (key, Some(value)),
                None if !line.contains(':') => (Some(line.trim()).filter(|k| !k.is_empty())?, None),
                None => return None,
            };
            Some(KeyValue {
                key: key.to_owned(),
                value: value.map(str::to_owned),
                disabled,
                pointer: at.pointer.clone(),
                ..KeyValue::default()
            })
        })
        .collect()
}

pub(super) fn value_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// A description is a string or `{content, type}`. Its line breaks are
/// `\n`: the generated code holds descriptions in doc comments, where rustc
/// refuses a carriage return (some descriptions end lines with `\n\r`).
fn description(v: Option<&Value>) -> Option<String> {
    let text = match v? {
        Value::Object(o) => o.get("content"),
        other => Some(other),
    };
    Some(nonblank(text)?.replace("\r\n", "\n").replace('\r', "\n"))
}

/// serde_json's message without its trailing ` at line L column C`, which
/// the errors already say.
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

impl Location {
    /// The error of `found` where `expected` (such as "`auth` must be an
    /// object") was.
    pub(super) fn wrong_type(&self, expected: &str, found: &Value) -> ConvertError {
        self.error(format!("{expected}, found {}", kind_of(found)))
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `Example`, `Example 2`, `New Example`: the names Postman gives an
/// example nobody named.
fn made_up_name(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("new ").unwrap_or(&lower);
    let number = rest.strip_prefix("example").map(str::trim_start);
    number.is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

/// Status code for a status (the schema's example is `200 OK`) or a reason
/// phrase alone (as the `http` crate spells them), for examples saved
/// without `code`.
fn code_for_reason(reason: &str) -> Option<u16> {
    let reason = reason.trim();
    let (digits, _) = reason.split_once(' ').unwrap_or((reason, ""));
    if let Some(code) = digits.parse().ok().filter(|c| (100..=599).contains(c)) {
        return Some(code);
    }
    let known = |c| http::StatusCode::from_u16(c).ok()?.canonical_reason();
    (100..600).find(|&c| known(c).is_some_and(|r| r.eq_ignore_ascii_case(reason)))
}
