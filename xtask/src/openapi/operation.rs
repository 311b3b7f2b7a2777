//! One request item → the draft of its operation: parameters, body and
//! responses with inferred (not yet extracted) schemas. Drafting depends on
//! the request alone, so requests are drafted in parallel.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;

use serde_json::{json, Map, Value};

use super::path::{operation_id, path_template};
use super::{Media, Parameter};
use crate::error::{ConvertError, Location};
use crate::infer::{self, merge, Node};
use crate::postman::{read::media_type, Body, Example, KeyValue, Request};
use crate::render::{JsonText, BODY_EXAMPLE_DEPTH, RESPONSE_EXAMPLE_DEPTH};

/// An operation before its schemas are extracted into components.
pub struct OpDraft {
    /// The operationId.
    pub id: String,
    /// Lower-case method.
    pub method: String,
    /// `/things/{id}`.
    pub path: String,
    /// The item's name.
    pub summary: String,
    /// The request's description.
    pub description: Option<String>,
    /// What was left out of the items (a header, a body), said after the
    /// description.
    pub notes: Vec<String>,
    /// The folder path, when in a folder.
    pub tags: Vec<String>,
    /// Path, query and header parameters.
    pub params: Vec<Parameter>,
    /// The request body.
    pub body: Option<BodyDraft>,
    /// Whether an item on this route sends no body (so the body is not
    /// required).
    pub body_optional: bool,
    /// By status (`None`: the `default` response).
    pub responses: BTreeMap<Option<u16>, RespDraft>,
}

/// A request body.
pub struct BodyDraft {
    /// Its media type.
    pub media: String,
    /// Its example, `x-postman-…` members and schema (a JSON body's is
    /// made from `node` once components are named).
    pub content: Media,
    /// A JSON body's inferred schema.
    pub node: Option<Node>,
}

/// A response, from the saved examples with its status.
#[derive(Default)]
pub struct RespDraft {
    /// The first example's name.
    pub description: String,
    /// Whether the collection gives that name (a component may be named
    /// after it).
    pub named: bool,
    /// Schema inferred from the JSON examples.
    pub json: Option<Node>,
    /// Names and values of the JSON examples.
    pub json_examples: Vec<(String, JsonText)>,
    /// Media type, names and texts of the other examples.
    pub text: Option<(String, Vec<(String, JsonText)>)>,
}

impl RespDraft {
    /// Adds what `other` (the same status of the same operation in another
    /// item) says.
    pub fn absorb(&mut self, other: RespDraft) {
        self.json = self.json.take().into_iter().chain(other.json).reduce(merge);
        self.json_examples.extend(other.json_examples);
        match (&mut self.text, other.text) {
            (Some((_, mine)), Some((_, theirs))) => mine.extend(theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }

    /// Adds a saved example (`req`'s `i`th). Its body is read as JSON when
    /// its content type says JSON, or when it parses as JSON and its content
    /// type is `*/*` or not given; as text otherwise.
    fn add_example(&mut self, ex: &Example, req: &Request, i: usize) -> Result<(), ConvertError> {
        let Some(text) = &ex.body else { return Ok(()) };
        let content_type = ex.content_type.as_deref();
        let declared = content_type.is_some_and(|c| c.contains("json"));
        if declared || content_type.is_none_or(|c| c == "*/*") {
            let parsed = if declared {
                declared_json(text)
            } else {
                serde_json::from_str::<Value>(text)
            };
            match parsed {
                Ok(v) => {
                    let node = Some(infer::infer(&v));
                    self.json = self.json.take().into_iter().chain(node).reduce(merge);
                    self.json_examples
                        .push((ex.name.clone(), JsonText::new(&v, RESPONSE_EXAMPLE_DEPTH)));
                    return Ok(());
                }
                Err(e) if declared => {
                    return Err(req.location(&format!(".response[{i}].body")).error(format!(
                    "example \"{}\" is declared `{}` but its body is not JSON (line {}, column {}: {})",
                    ex.name,
                    content_type.unwrap_or_default(),
                    e.line(),
                    e.column(),
                    crate::postman::read::json_message(&e)
                )))
                }
                Err(_) => {}
            }
        }
        let media = content_type.filter(|c| !c.contains("json") && *c != "*/*");
        let media = media.unwrap_or("text/plain").to_owned();
        let entry = self.text.get_or_insert_with(|| (media, Vec::new()));
        entry.1.push((ex.name.clone(), JsonText::new(text, 0)));
        Ok(())
    }
}

/// Drafts the operation of one request.
///
/// # Errors
/// A path the template cannot hold, a header OpenAPI clients cannot send,
/// or a body or example declared JSON that is not (an example of a 204,
/// 205 or 304 or of HEAD excepted: its body is left out unread).
pub fn draft(req: &Request, endpoints: &HashSet<String>) -> Result<OpDraft, ConvertError> {
    let location = || req.location(".request.url");
    let template = path_template(&req.url.path, endpoints, &location)?;
    // A literal id's value is its parameter's example.
    let literals: Vec<KeyValue> = (template.literals.iter())
        .map(|(key, value)| KeyValue {
            key: key.clone(),
            value: value.clone(),
            ..KeyValue::default()
        })
        .collect();
    let var = |name: &String| {
        let mut known = req.url.variables.iter().chain(&literals);
        known.find(|v| &v.key == name)
    };
    let path_param = |n: &String| param(n, "path", var(n), true);
    let mut params: Vec<Parameter> = template.names.iter().map(path_param).collect();
    query_params(&req.url.query, &mut params);
    let mut notes = header_params(req, &mut params)?;
    notes.extend(template.braced.iter().map(|n| {
        format!(
            "`{{{n}}}` in the URL read as the path variable `{n}`, its braces left out (Postman \
             sends them as they are; its form of a path variable is `:{n}`)"
        )
    }));
    notes.extend(template.literals.iter().map(|(name, value)| match value {
        Some(value) => format!("the id `{value}` in the URL left out: read as a path variable"),
        None => format!("a token in the URL left out: read as the path variable `{name}`"),
    }));
    if req.url.credentials {
        notes.push("the user (and password) in the request's URL left out".to_owned());
    }
    let body = match &req.body {
        Some(b) => body_draft(b, req)?,
        None => None,
    };
    if req.body.is_some() && body.is_none() {
        notes.push("the request body left out: it is all comments, which Postman strips".into());
    }
    notes.extend(
        body.as_ref()
            .and_then(|b| other_content_type(&b.media, req)),
    );
    if let Some(Body::FormData(fields)) = &req.body {
        notes.push(multipart_note(fields));
    }
    let mut responses: BTreeMap<Option<u16>, RespDraft> = BTreeMap::new();
    for (i, ex) in req.examples.iter().enumerate() {
        let resp = responses.entry(ex.code).or_insert_with(|| RespDraft {
            description: ex.name.clone(),
            named: ex.named,
            ..RespDraft::default()
        });
        // A 204, 205 or 304 has no content, nor has an answer to HEAD (RFC
        // 9110, 9.3.2, 15.3.5, 15.3.6, 15.4.5): a body saved with one (copied
        // from another example) made the client decode every real one as JSON.
        let bodiless = matches!(ex.code, Some(204 | 205 | 304)) || req.method == "HEAD";
        if bodiless && ex.body.is_some() {
            let what = match ex.code {
                Some(c @ (204 | 205 | 304)) => format!("a {c}"),
                _ => "an answer to HEAD".to_owned(),
            };
            let name = &ex.name;
            notes.push(format!(
                "the body of example \"{name}\" left out: {what} has none"
            ));
            continue;
        }
        resp.add_example(ex, req, i)?;
    }
    Ok(OpDraft {
        id: operation_id(req, &template.path),
        method: req.method.to_ascii_lowercase(),
        path: template.path,
        summary: req.name.clone(),
        description: req.description.clone(),
        notes,
        tags: Vec::from_iter((!req.folders.is_empty()).then(|| req.folders.join(" / "))),
        params,
        body,
        body_optional: false,
        responses,
    })
}

/// Query parameters, each key once; a key given several times
/// (`tag=a&tag=b`) is an array.
fn query_params(query: &[KeyValue], params: &mut Vec<Parameter>) {
    for (i, q) in query.iter().enumerate() {
        if query[..i].iter().any(|o| o.key == q.key) {
            continue;
        }
        let same: Vec<&KeyValue> = query.iter().filter(|o| o.key == q.key).collect();
        let mut p = param(&q.key, "query", Some(q), kv_required(q));
        if same.len() > 1 {
            p.schema = json!({"type": "array", "items": p.schema});
            // An example of every value, when each has one.
            let examples = same
                .iter()
                .map(|kv| scalar_schema(&q.key, kv.value.as_deref()).1);
            p.example = examples.collect::<Option<Vec<Value>>>().map(Value::Array);
            p.required = same.iter().any(|kv| kv_required(kv));
        }
        params.push(p);
    }
}

/// Leaves out the saved values of the parameters whose names say they carry
/// a credential (below), so that neither the document nor the
/// client's doc comments hold them; the notes saying so.
pub fn drop_credentials(params: &mut [Parameter]) -> Vec<String> {
    let mut notes = Vec::new();
    for p in params.iter_mut().filter(|p| credential(&p.name)) {
        // (`hasOldPassword=true` says whether, not what.)
        if p.example.take_if(|e| !e.is_boolean()).is_some() {
            let (place, name) = (p.location, &p.name);
            notes.push(format!(
                "the value of {place} parameter `{name}` left out: a credential"
            ));
        }
    }
    notes
}

/// Whether a parameter's name says it carries a credential: it ends with
/// one (`password`, `client_secret`, `api_key`, `access_token`), or is
/// Google's `key`; `password_type` and `tokens` do not, nor do the tokens
/// that name a page (`pageToken`, `continuationToken`) or a traded asset
/// (`baseToken=BTC`, a gift card's `faceToken=USDT`).
fn credential(name: &str) -> bool {
    let mut lower = name.to_ascii_lowercase();
    lower.retain(|c| c.is_ascii_alphanumeric());
    let words = ["password", "passwd", "secret", "token", "apikey"];
    // Whole names only: `firebaseToken` and `asyncToken` are credentials.
    let not_secret = [
        "page",
        "nextpage",
        "continuation",
        "sync",
        "skip",
        "base",
        "quote",
        "face",
    ];
    let stem = lower.strip_suffix("token");
    let named = stem.is_some_and(|s| not_secret.contains(&s));
    !named && (words.iter().any(|word| lower.ends_with(word)) || lower == "key")
}

/// Connection options (RFC 9110, 7.6.1), as requests copied from a browser
/// or curl carry them: the HTTP client writes them for its connection, and
/// HTTP/2 forbids them in a request (RFC 9113, 8.2.2). `Host` and
/// `Content-Length` stay parameters: some APIs ask for `Content-Length: 0`
/// on a request without a body (PeerTube's resumable uploads), and the
/// client refuses a length its body does not have.
const CLIENT_OWNED: [&str; 6] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
];

/// Header parameters, each name once (case-insensitively), but those
/// OpenAPI describes otherwise (content type, accept, auth). A name that is
/// not an HTTP token, or a value that is not visible ASCII, is refused:
/// the generated client would panic when it sends them. Such a header that
/// is disabled (Postman does not send it) is left out; the notes saying so
/// are returned, with those on the connection options ([`CLIENT_OWNED`]),
/// left out too.
fn header_params(req: &Request, params: &mut Vec<Parameter>) -> Result<Vec<String>, ConvertError> {
    let mut left_out = Vec::new();
    for (i, h) in req.headers.iter().enumerate() {
        let sendable = is_token(&h.key) && h.value.as_deref().is_none_or(is_header_value);
        if h.disabled && !sendable {
            left_out.push(format!(
                "header `{}` left out: it is disabled, and no HTTP client could send it",
                h.key.escape_debug()
            ));
            continue;
        }
        if !is_token(&h.key) {
            return Err(header_at(req, h).error(format!(
                "header name `{}` is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)",
                h.key
            )));
        }
        if let Some(v) = h.value.as_deref().filter(|v| !is_header_value(v)) {
            // Headers written as one text have no `value` member.
            let at = header_at(req, h);
            let at = if h.pointer.ends_with(']') {
                at.member(".value")
            } else {
                at
            };
            return Err(at.error(format!(
                "the value `{v}` of header `{}` is not visible ASCII, which HTTP clients cannot send",
                h.key
            )));
        }
        let lower = h.key.to_ascii_lowercase();
        let again = req.headers[..i]
            .iter()
            .any(|o| o.key.eq_ignore_ascii_case(&h.key));
        if again || matches!(lower.as_str(), "content-type" | "accept" | "authorization") {
            continue;
        }
        if CLIENT_OWNED.contains(&lower.as_str()) {
            left_out.push(format!(
                "header `{}` left out: a connection option, which the HTTP client writes itself",
                h.key
            ));
            continue;
        }
        params.push(param(&h.key, "header", Some(h), kv_required(h)));
    }
    Ok(left_out)
}

/// The note on a request's `Content-Type` header that names another media
/// type than the body is declared with (`application/vnd.api+json`,
/// `application/xml`, `multipart/form-data`): the generated client sends
/// the declared one, the only ones progenitor 0.15 sends.
fn other_content_type(declared: &str, req: &Request) -> Option<String> {
    let header =
        (req.headers.iter()).find(|h| !h.disabled && h.key.eq_ignore_ascii_case("content-type"))?;
    let value = header.value.as_deref().unwrap_or_default();
    (media_type(value) != declared).then(|| {
        format!(
            "header `{}: {value}` left out: the generated client sends the body as `{declared}`",
            header.key
        )
    })
}

/// What a form-data body loses: progenitor 0.15 sends forms urlencoded
/// only, so no file can be uploaded.
fn multipart_note(fields: &[KeyValue]) -> String {
    let files: Vec<String> = (fields.iter())
        .filter(|f| f.is_file && !f.disabled)
        .map(|f| format!("`{}`", f.key))
        .collect();
    let mut note = "multipart encoding of the form-data body left out: the generated client sends \
                    it as `application/x-www-form-urlencoded`"
        .to_owned();
    if !files.is_empty() {
        note += &format!(
            ", so its file fields ({}) cannot carry files",
            files.join(", ")
        );
    }
    note
}

/// Where a header is: its entry, or the request's text of headers.
fn header_at(req: &Request, h: &KeyValue) -> Location {
    req.location(h.pointer.get(req.pointer.len()..).unwrap_or_default())
}

/// RFC 9110 `token`.
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_header_value(v: &str) -> bool {
    v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

/// The request body's draft; none for a JSON body that is all comments.
fn body_draft(body: &Body, req: &Request) -> Result<Option<BodyDraft>, ConvertError> {
    Ok(Some(match body {
        Body::Raw { text, language } => return raw_body(text, language.as_deref(), req),
        Body::UrlEncoded(fields) => form(fields, "urlencoded"),
        Body::FormData(fields) => form(fields, "formdata"),
        Body::File => BodyDraft {
            media: "application/octet-stream".into(),
            content: Media {
                schema: json!({"type": "string", "format": "binary"}),
                ..Media::default()
            },
            node: None,
        },
        Body::GraphQl { query, variables } => {
            let vars = serde_json::from_str(variables.as_deref().unwrap_or("{}"));
            let vars: Value = vars.unwrap_or_else(|_| json!({}));
            json_body(&json!({"query": query, "variables": vars}))
        }
    }))
}

/// A JSON body: its schema inferred from `v`, and `v` its example (none for
/// `null`, which would say nothing).
fn json_body(v: &Value) -> BodyDraft {
    let example = (!v.is_null()).then(|| JsonText::new(v, BODY_EXAMPLE_DEPTH));
    BodyDraft {
        media: "application/json".into(),
        content: Media {
            example,
            ..Media::default()
        },
        node: Some(infer::infer(v)),
    }
}

/// A raw body: JSON when declared so (by its language or the request's
/// content type) or when it parses as JSON with no other language said;
/// none when declared JSON and all comments (Postman sends nothing).
fn raw_body(
    text: &str,
    language: Option<&str>,
    req: &Request,
) -> Result<Option<BodyDraft>, ConvertError> {
    let content_type = req
        .headers
        .iter()
        .find(|h| h.key.eq_ignore_ascii_case("content-type"))
        .and_then(|h| h.value.as_deref())
        .map(media_type);
    let declared = language == Some("json")
        || (language.is_none() && content_type.as_deref().is_some_and(|c| c.contains("json")));
    let open = language.is_none()
        && content_type
            .as_deref()
            .is_none_or(|c| c == "*/*" || c.contains("json"));
    let parsed = match serde_json::from_str::<Value>(text) {
        Err(_) if declared && without_comments(text).trim().is_empty() => return Ok(None),
        Err(_) if declared => declared_json(&quote_variables(text)),
        parsed => parsed,
    };
    match parsed {
        Ok(v) if declared || open => return Ok(Some(json_body(&v))),
        Err(e) if declared => {
            return Err(req.location(".request.body.raw").error(format!(
                "the body is declared JSON but is not JSON (line {}, column {}: {})",
                e.line(),
                e.column(),
                crate::postman::read::json_message(&e)
            )))
        }
        _ => {}
    }
    // progenitor takes text/plain (not xml, html …) for raw bodies.
    Ok(Some(BodyDraft {
        media: "text/plain".into(),
        content: Media {
            schema: json!({"type": "string"}),
            example: Some(JsonText::new(text, 0)),
            raw_language: language.map(str::to_owned),
            ..Media::default()
        },
        node: None,
    }))
}

/// A body declared JSON, read as Postman sends it: without the `//` and
/// `/* */` comments the Postman app allows in JSON bodies. openapi-to-postmanv2
/// writes the example of a string schema unquoted (its `<string>`
/// placeholder, an enum value, a date), and of a boolean or binary one as
/// its bare placeholder: text that does not parse and does not begin as a
/// JSON object, array or string, with or without its comments, is such a
/// string (its placeholder typed as placeholders are).
fn declared_json(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str(text).or_else(|first| {
        let stripped = without_comments(text);
        serde_json::from_str(&stripped).or_else(|second| {
            let json_like = |t: &str| t.trim_start().starts_with(['{', '[', '"']);
            match text.trim() {
                _ if json_like(&stripped) => Err(second),
                bare if !bare.is_empty() && !json_like(bare) => Ok(Value::from(bare)),
                _ => Err(first),
            }
        })
    })
}

/// The text with each comment blanked, so a parse error keeps its line and
/// column; text a comment cannot start in (a lone `/`) is left as it is,
/// for the parser to refuse.
fn without_comments(text: &str) -> String {
    let mut stripped = String::with_capacity(text.len());
    let mut comments = json_comments::CommentSettings::c_style().strip_comments(text.as_bytes());
    if comments.read_to_string(&mut stripped).is_err() {
        stripped = text.to_owned();
    }
    stripped
}

/// Postman JSON bodies often hold bare `{{var}}` (e.g. `{"n": {{count}}}`):
/// quote them so the rest of the body can still be typed.
pub fn quote_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let var = (!in_string && rest.starts_with("{{")).then(|| rest.find("}}"));
        if let Some(end) = var.flatten() {
            out += &format!("\"{}\"", &rest[..end + 2]);
            rest = &rest[end + 2..];
            continue;
        }
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => in_string = !in_string,
            _ => {}
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Form bodies. progenitor 0.15 sends forms only as
/// `application/x-www-form-urlencoded`; a form-data body is declared so and
/// keeps its origin in `x-postman-body-mode`.
fn form(fields: &[KeyValue], mode: &str) -> BodyDraft {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in fields {
        if props.contains_key(&f.key) {
            continue;
        }
        let mut s = if f.is_file {
            json!({"type": "string", "format": "binary"})
        } else {
            scalar_schema(&f.key, f.value.as_deref()).0
        };
        if let Some(d) = described(f.description.as_deref()) {
            s["description"] = d.into();
        }
        if kv_required(f) {
            required.push(Value::from(f.key.as_str()));
        }
        props.insert(f.key.clone(), s);
    }
    let mut schema = json!({"type": "object", "properties": props});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    let content = Media {
        schema,
        body_mode: (mode == "formdata").then_some("formdata"),
        ..Media::default()
    };
    let media = "application/x-www-form-urlencoded".into();
    BodyDraft {
        media,
        content,
        node: None,
    }
}

/// "(Required)" in the description, unless the entry is disabled: Postman
/// does not send a disabled entry, so it cannot be required.
fn kv_required(kv: &KeyValue) -> bool {
    !kv.disabled && kv.description.iter().any(|d| d.contains("(Required)"))
}

/// A description without the "(Required)" mark, when anything is left.
fn described(d: Option<&str>) -> Option<String> {
    let d = d?.replace("(Required)", "").trim().to_owned();
    (!d.is_empty()).then_some(d)
}

/// Schema and example of the query/header/form value named `name`. A
/// credential's digits (`password=123456`) are a string: another user's
/// password has letters.
pub fn scalar_schema(name: &str, value: Option<&str>) -> (Value, Option<Value>) {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return (json!({"type": "string"}), None);
    };
    if let Some((t, f)) = infer::placeholder(v) {
        let schema = infer::to_schema(&Node::scalar(t, f), &[], &infer::Registry::default());
        return (schema, None);
    }
    if v.contains("{{") {
        return (json!({"type": "string"}), None);
    }
    // Concrete values give their JSON type only, never a format.
    let leading_zero = v.len() > 1 && (v.starts_with('0') || v.starts_with("-0"));
    let (ty, example) = match (v.parse::<i64>(), v.parse::<bool>()) {
        (Ok(n), _) if !leading_zero && !credential(name) => ("integer", Value::from(n)),
        (_, Ok(b)) => ("boolean", Value::Bool(b)),
        _ => ("string", Value::from(v)),
    };
    (json!({"type": ty}), Some(example))
}

/// Parameter `name` in `location`, typed and described by its Postman entry
/// when there is one.
fn param(name: &str, location: &'static str, kv: Option<&KeyValue>, required: bool) -> Parameter {
    let (schema, example) = scalar_schema(name, kv.and_then(|kv| kv.value.as_deref()));
    Parameter {
        description: described(kv.and_then(|kv| kv.description.as_deref())),
        example,
        location,
        name: name.to_owned(),
        required,
        schema,
    }
}
