//! Reads a Postman v2.0 / v2.1 collection into a small, validated model.
//!
//! Written by hand over a JSON value ([`Json`]) rather than derived with serde: the
//! format is loose (a URL is a string or an object, a description a string or
//! an object, v2.0 auth uses objects where v2.1 uses key/value arrays), and
//! every error must name the item and the JSON location, which derived
//! deserialisers cannot do without losing the rest of the document.

use crate::json::{Json, Object};

use crate::error::{ConvertError, Location};

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
        let mut parts = self.folders.clone();
        parts.push(self.name.clone());
        parts.join(" / ")
    }

    /// Location of this item (or of a part of it) for error messages.
    pub fn location(&self, suffix: &str) -> Location {
        Location::new(
            Some(&self.display_path()),
            format!("{}{suffix}", self.pointer),
        )
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
    },
    /// Any other Postman auth type (awsv4, hawk, ntlm, …): kept as a name.
    Other(String),
}

/// A saved example response.
#[derive(Debug, Clone)]
pub struct Example {
    /// Its name.
    pub name: String,
    /// HTTP status code.
    pub code: u16,
    /// The body text; `None` when absent or empty.
    pub body: Option<String>,
    /// `Content-Type` header of the example, lower-cased, without parameters.
    pub content_type: Option<String>,
    /// `_postman_previewlanguage`.
    pub preview_language: Option<String>,
}

/// Parses collection bytes into the model.
///
/// # Errors
/// Invalid JSON, a non-collection, a v1 collection, or a malformed item, each
/// with its location.
pub fn parse(bytes: &[u8]) -> Result<Collection, ConvertError> {
    if let Some(done) = parse_streaming(bytes) {
        return done;
    }
    // Anything unusual (not JSON, an item that is not an object, an escaped
    // key…) is read again in full, so that the model sees, and errors name,
    // exactly what the whole document holds.
    model(&parse_full(bytes)?)
}

/// Reads the top level of a collection on this thread and hands each
/// top-level item, as its raw text, to other threads as soon as it is found;
/// they read (pruned) and walk it while the rest of the document is read.
/// `None` when a pruned read failed, which sends the caller to the full read.
///
/// Items are walked before the collection's own `auth` is known (Postman
/// writes it after `item`): they inherit none, and requests left with no
/// auth get the collection's afterwards, which is what inheriting it from
/// the top would have given.
fn parse_streaming(bytes: &[u8]) -> Option<Result<Collection, ConvertError>> {
    let (root, parts) = crate::parallel::par_stream(
        crate::parallel::threads(),
        |push| pruned::parse_root(bytes, push),
        |(i, raw): (usize, &serde_json::value::RawValue)| {
            let item = pruned::parse_item(raw.get()).ok()?;
            let mut part = Collection::default();
            Some(walk_item(&item, i, "$.item", &[], None, &mut part).map(|()| part))
        },
    );
    let root = root.ok()??;
    let (mut out, _) = match head(&root) {
        Ok(head) => head,
        Err(e) => return Some(Err(e)),
    };
    for part in parts {
        match part? {
            Ok(part) => {
                out.folders.extend(part.folders);
                out.requests.extend(part.requests);
            }
            Err(e) => return Some(Err(e)),
        }
    }
    for r in out.requests.iter_mut().filter(|r| r.auth.is_none()) {
        r.auth.clone_from(&out.auth);
    }
    Some(Ok(out))
}

/// [`parse`] without the pruned first read: every collection is read in full.
/// The two agree on every input, model and errors alike (a property test
/// holds them to it); this one exists to be compared with.
pub fn parse_unpruned(bytes: &[u8]) -> Result<Collection, ConvertError> {
    model(&parse_full(bytes)?)
}

/// The whole document as a [`Json`] value.
pub(crate) fn parse_full(bytes: &[u8]) -> Result<Json<'_>, ConvertError> {
    serde_json::from_slice(bytes).map_err(|e| ConvertError::InvalidJson {
        line: e.line(),
        column: e.column(),
        message: json_message(&e),
    })
}

/// Reads a collection into a [`Json`] value without the parts [`model`] never
/// looks at.
///
/// Most of an exported collection is what the converter ignores: every saved
/// example repeats its request (`originalRequest`), cookies, timings, test
/// scripts. Building those as values and freeing them was about half the
/// cost of reading a large collection. A `DeserializeSeed` per level (serde's
/// way to parse with context; no crate prunes by JSON path) keeps, in items
/// and examples, only the members [`model`] reads, and skips the rest
/// without allocating. It is strict where the full parse is lenient: a list
/// that is not an array, an item or example that is not an object, or a key
/// with escapes is an error here, and the caller then parses the document in
/// full, so the model and its error messages never differ.
pub(crate) mod pruned {
    use std::fmt;

    use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess};
    use serde_json::value::RawValue;

    use crate::json::{too_deep, Json, JsonSeed, Object as Members};

    /// Where an object sits, which decides the members it keeps.
    #[derive(Clone, Copy)]
    enum Level {
        Item,
        Example,
    }

    /// Members of an item that [`super::model`] reads.
    const ITEM_KEYS: &[&str] = &["name", "auth", "request", "description"];
    /// Members of a saved example that [`super::model`] reads.
    const EXAMPLE_KEYS: &[&str] = &[
        "name",
        "status",
        "code",
        "body",
        "header",
        "_postman_previewlanguage",
    ];

    /// Where [`parse_root`] hands each top-level item: its index and text.
    pub(crate) type Push<'p, 'a> = &'p mut dyn FnMut((usize, &'a RawValue));

    /// Parses the top level of a collection. Each element of its `item`
    /// array is checked as JSON and handed to `push` as text as soon as it is
    /// read, for [`parse_item`] to read on other threads; the returned
    /// object holds an empty `item` array in its place. `None` when there is
    /// no `item` array or more than one `item` (only the last would count).
    pub(crate) fn parse_root<'a>(
        bytes: &'a [u8],
        push: Push<'_, 'a>,
    ) -> Result<Option<Json<'a>>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let root = (&mut de).deserialize_map(Root(push))?;
        de.end()?;
        Ok(root)
    }

    /// How many arrays or objects a top-level item may open, itself
    /// included: serde_json stops at 127 one inside the other, and the root
    /// object and its `item` array take two.
    const ITEM_DEPTH: u8 = 125;

    /// Reads, pruned, a top-level item from its text, as deep as it may be
    /// in its collection and no deeper (it was not copied back into arrays
    /// to put it at its depth: that copied the whole collection).
    pub(crate) fn parse_item(text: &str) -> Result<Json<'_>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let item = Object(Level::Item, ITEM_DEPTH).deserialize(&mut de)?;
        de.end()?;
        Ok(item)
    }

    struct Root<'p, 'a>(Push<'p, 'a>);

    impl<'de> de::Visitor<'de> for Root<'_, 'de> {
        type Value = Option<Json<'de>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
            let mut members = Vec::new();
            let mut items = 0;
            while let Some(key) = a.next_key::<&'de str>()? {
                if key == "item" {
                    items += 1;
                    if items > 1 {
                        return Ok(None);
                    }
                    a.next_value_seed(Items(&mut *self.0))?;
                    members.push((key.into(), Json::Array(Vec::new())));
                } else {
                    members.push((key.into(), a.next_value::<Json>()?));
                }
            }
            Ok((items == 1).then(|| Json::Object(Members::from_members(members))))
        }
    }

    /// The top-level `item` array, each element handed on as read.
    struct Items<'p, 'a>(Push<'p, 'a>);

    impl<'de> DeserializeSeed<'de> for Items<'_, 'de> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> de::Visitor<'de> for Items<'_, 'de> {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(raw) = a.next_element::<&'de RawValue>()? {
                (self.0)((i, raw));
                i += 1;
            }
            Ok(())
        }
    }

    /// An item or a saved example, and how many arrays or objects it may
    /// open (itself included), as [`JsonSeed`] counts them.
    struct Object(Level, u8);
    /// A list of them.
    struct List(Level, u8);

    impl<'de> DeserializeSeed<'de> for Object {
        type Value = Json<'de>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> de::Visitor<'de> for Object {
        type Value = Json<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json<'de>, A::Error> {
            let inner = self.1.checked_sub(1).ok_or_else(too_deep)?;
            let mut members = Vec::new();
            // Borrowed keys: one with escapes fails, and the caller reads
            // the document in full.
            while let Some(key) = a.next_key::<&'de str>()? {
                let value = match (self.0, key) {
                    (Level::Item, "item") => a.next_value_seed(List(Level::Item, inner))?,
                    (Level::Item, "response") => a.next_value_seed(List(Level::Example, inner))?,
                    (Level::Item, k) if ITEM_KEYS.contains(&k) => {
                        a.next_value_seed(JsonSeed(inner))?
                    }
                    (Level::Example, k) if EXAMPLE_KEYS.contains(&k) => {
                        a.next_value_seed(JsonSeed(inner))?
                    }
                    _ => {
                        a.next_value_seed(Skip(inner))?;
                        continue;
                    }
                };
                members.push((key.into(), value));
            }
            Ok(Json::Object(Members::from_members(members)))
        }
    }

    /// Reads a value and keeps nothing of it, opening at most this many
    /// arrays or objects (itself included). Unlike serde's `IgnoredAny`
    /// (which serde_json skips without counting depth), it sees every array
    /// and object, so the nesting limit applies exactly as when the value is
    /// read into a `Value`.
    struct Skip(u8);

    impl<'de> DeserializeSeed<'de> for Skip {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> de::Visitor<'de> for Skip {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }

        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }

        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }

        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }

        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }

        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }

        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
            let inner = self.0.checked_sub(1).ok_or_else(too_deep)?;
            while a.next_element_seed(Skip(inner))?.is_some() {}
            Ok(())
        }

        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
            let inner = self.0.checked_sub(1).ok_or_else(too_deep)?;
            while a.next_key_seed(Skip(inner))?.is_some() {
                a.next_value_seed(Skip(inner))?;
            }
            Ok(())
        }
    }

    impl<'de> DeserializeSeed<'de> for List {
        type Value = Json<'de>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> de::Visitor<'de> for List {
        type Value = Json<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of objects")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json<'de>, A::Error> {
            let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0));
            let inner = self.1.checked_sub(1).ok_or_else(too_deep)?;
            while let Some(v) = a.next_element_seed(Object(self.0, inner))? {
                out.push(v);
            }
            Ok(Json::Array(out))
        }
    }
}

fn model(doc: &Json<'_>) -> Result<Collection, ConvertError> {
    let (mut out, items) = head(doc)?;
    let auth = out.auth.clone();
    walk(items, "$.item", &[], auth.as_ref(), &mut out)?;
    Ok(out)
}

/// Everything of a collection but its items (left empty), and its `item`.
fn head<'d, 'a>(doc: &'d Json<'a>) -> Result<(Collection, &'d Json<'a>), ConvertError> {
    let root = doc.as_object().ok_or_else(|| {
        ConvertError::NotACollection(format!("the top level is {}, not an object", kind_of(doc)))
    })?;
    if root.contains_key("requests") && root.contains_key("folders")
        || root.contains_key("order") && root.contains_key("requests")
    {
        return Err(ConvertError::V1Collection);
    }
    let info = root
        .get("info")
        .and_then(Json::as_object)
        .ok_or_else(|| ConvertError::NotACollection("no `info` object at $.info".to_owned()))?;
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
    let items = root
        .get("item")
        .ok_or_else(|| ConvertError::NotACollection("no `item` array at $.item".to_owned()))?;
    let name = match info.get("name") {
        Some(Json::String(s)) => s.to_string(),
        _ => "Postman collection".to_owned(),
    };
    let variables = match root.get("variable") {
        Some(v) => key_values(v, &At::new(None, "$.variable"))?
            .into_iter()
            .map(|kv| (kv.key, kv.value))
            .collect(),
        None => Vec::new(),
    };
    let out = Collection {
        name,
        description: description(info.get("description")),
        variables,
        auth: parse_auth(root.get("auth"), &At::new(None, "$.auth"))?,
        folders: Vec::new(),
        requests: Vec::new(),
    };
    Ok((out, items))
}

/// Where in the collection something is read, written out as a
/// [`Location`] only when an error names it. Most of a collection is fine,
/// and making the location of every member read as text had cost a
/// formatted string, and a copy of the item's path, per member.
#[derive(Clone, Copy)]
struct At<'a> {
    /// The item's `Folder / Item` path, when in an item.
    item: Option<&'a str>,
    ptr: Ptr<'a>,
}

/// A JSON pointer, as text or as an extension of another one.
#[derive(Clone, Copy)]
enum Ptr<'a> {
    Text(&'a str),
    /// The parent followed by this text (`.member`).
    Member(&'a Ptr<'a>, &'a str),
    /// The parent followed by `[i]`.
    Index(&'a Ptr<'a>, usize),
}

impl std::fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ptr::Text(t) => f.write_str(t),
            Ptr::Member(parent, m) => write!(f, "{parent}{m}"),
            Ptr::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl<'a> At<'a> {
    fn new(item: Option<&'a str>, ptr: &'a str) -> Self {
        At {
            item,
            ptr: Ptr::Text(ptr),
        }
    }

    /// `suffix` (such as `.request.url`) below this.
    fn member(&'a self, suffix: &'a str) -> At<'a> {
        At {
            item: self.item,
            ptr: Ptr::Member(&self.ptr, suffix),
        }
    }

    /// Element `i` of this array.
    fn index(&'a self, i: usize) -> At<'a> {
        At {
            item: self.item,
            ptr: Ptr::Index(&self.ptr, i),
        }
    }

    fn location(&self) -> Location {
        Location::new(self.item, self.ptr.to_string())
    }
}

fn walk(
    items: &Json<'_>,
    pointer: &str,
    folders: &[String],
    inherited: Option<&Auth>,
    out: &mut Collection,
) -> Result<(), ConvertError> {
    let where_ = || folders.join(" / ");
    let items = items.as_array().ok_or_else(|| {
        ConvertError::invalid(
            Location::new(Some(where_().as_str()).filter(|s| !s.is_empty()), pointer),
            format!("`item` must be an array, found {}", kind_of(items)),
        )
    })?;
    for (i, item) in items.iter().enumerate() {
        walk_item(item, i, pointer, folders, inherited, out)?;
    }
    Ok(())
}

/// Item `i` of the `item` array at `pointer`, with everything below it.
fn walk_item(
    item: &Json<'_>,
    i: usize,
    pointer: &str,
    folders: &[String],
    inherited: Option<&Auth>,
    out: &mut Collection,
) -> Result<(), ConvertError> {
    let ptr = format!("{pointer}[{i}]");
    let obj = item.as_object().ok_or_else(|| {
        ConvertError::invalid(
            Location::new(None, ptr.clone()),
            format!("an item must be an object, found {}", kind_of(item)),
        )
    })?;
    let name = match obj.get("name") {
        Some(Json::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => format!("item {i}"),
    };
    let mut path = folders.to_vec();
    path.push(name.clone());
    let display = path.join(" / ");
    let auth = match parse_auth(
        obj.get("auth"),
        &At::new(Some(&display), &ptr).member(".auth"),
    )? {
        Some(a) => Some(a),
        None => inherited.cloned(),
    };
    if let Some(children) = obj.get("item") {
        out.folders.push(Folder {
            path: path.clone(),
            description: description(obj.get("description")),
        });
        walk(children, &format!("{ptr}.item"), &path, auth.as_ref(), out)?;
    } else if let Some(request) = obj.get("request") {
        let req = parse_request(request, obj, folders, name, &ptr, auth)?;
        out.requests.push(req);
    } else {
        return Err(ConvertError::invalid(
            Location::new(Some(&display), ptr),
            "an item needs either `request` (a request) or `item` (a folder)",
        ));
    }
    Ok(())
}

fn parse_request(
    request: &Json<'_>,
    item: &Object<'_>,
    folders: &[String],
    name: String,
    ptr: &str,
    auth: Option<Auth>,
) -> Result<Request, ConvertError> {
    let mut req = Request {
        folders: folders.to_vec(),
        name,
        pointer: ptr.to_owned(),
        method: "GET".to_owned(),
        url: Url::default(),
        headers: Vec::new(),
        body: None,
        description: None,
        auth,
        examples: Vec::new(),
    };
    let display = req.display_path();
    let at = At::new(Some(&display), ptr);
    let here = |suffix: &str| at.member(suffix).location();
    match request {
        // A bare URL string is a GET of that URL.
        Json::String(raw) => req.url = parse_raw_url(raw, &at.member(".request"))?,
        Json::Object(r) => {
            if let Some(m) = r.get("method") {
                let m = m.as_str().ok_or_else(|| {
                    ConvertError::invalid(here(".request.method"), "`method` must be a string")
                })?;
                let upper = m.trim().to_ascii_uppercase();
                if !matches!(
                    upper.as_str(),
                    "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE"
                ) {
                    return Err(ConvertError::invalid(
                        here(".request.method"),
                        format!("method `{m}` has no OpenAPI 3.0 equivalent"),
                    ));
                }
                req.method = upper;
            }
            let url = r.get("url").ok_or_else(|| {
                ConvertError::invalid(here(".request"), "the request has no `url`")
            })?;
            req.url = parse_url(url, &at.member(".request.url"))?;
            if let Some(h) = r.get("header") {
                if !h.is_string() {
                    req.headers = key_values(h, &at.member(".request.header"))?;
                }
            }
            req.body = parse_body(r.get("body"), &at.member(".request.body"))?;
            req.description = description(r.get("description"));
            if req.auth.is_none() {
                req.auth = parse_auth(r.get("auth"), &at.member(".request.auth"))?;
            } else if let Some(a) = parse_auth(r.get("auth"), &at.member(".request.auth"))? {
                req.auth = Some(a);
            }
        }
        other => {
            return Err(ConvertError::invalid(
                here(".request"),
                format!(
                    "`request` must be an object or a URL string, found {}",
                    kind_of(other)
                ),
            ))
        }
    }
    if req.description.is_none() {
        req.description = description(item.get("description"));
    }
    if let Some(responses) = item.get("response") {
        let list = responses.as_array().ok_or_else(|| {
            ConvertError::invalid(here(".response"), "`response` must be an array")
        })?;
        let list_at = at.member(".response");
        for (i, r) in list.iter().enumerate() {
            req.examples.push(parse_example(r, &list_at.index(i))?);
        }
    }
    Ok(req)
}

fn parse_example(r: &Json<'_>, at: &At<'_>) -> Result<Example, ConvertError> {
    let here = |s: &str| at.member(s).location();
    let obj = r
        .as_object()
        .ok_or_else(|| ConvertError::invalid(here(""), "a saved example must be an object"))?;
    let name = obj
        .get("name")
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("Example")
        .to_owned();
    let status_text = obj.get("status").and_then(Json::as_str);
    let code = match obj.get("code") {
        Some(Json::Number(n)) => n
            .as_u64()
            .filter(|c| (100..=599).contains(c))
            .map(|c| c as u16)
            .ok_or_else(|| {
                ConvertError::invalid(here(".code"), format!("`{n}` is not an HTTP status code"))
            })?,
        Some(Json::String(s)) if s.parse::<u16>().is_ok_and(|c| (100..=599).contains(&c)) => {
            s.parse().unwrap_or(200)
        }
        Some(Json::String(s)) => {
            return Err(ConvertError::invalid(
                here(".code"),
                format!("`\"{s}\"` is not an HTTP status code"),
            ))
        }
        None | Some(Json::Null) => match status_text.and_then(code_for_reason) {
            Some(c) => c,
            None => {
                return Err(ConvertError::invalid(
                    here(""),
                    match status_text {
                        Some(s) => format!(
                            "example \"{name}\" has no `code`, and its `status` \"{s}\" is not a known HTTP reason phrase"
                        ),
                        None => format!("example \"{name}\" has neither `code` nor `status`"),
                    },
                ))
            }
        },
        Some(other) => {
            return Err(ConvertError::invalid(
                here(".code"),
                format!("`code` must be a number, found {}", kind_of(other)),
            ))
        }
    };
    let body = match obj.get("body") {
        Some(Json::String(s)) if !s.trim().is_empty() => Some(s.to_string()),
        Some(Json::String(_)) | Some(Json::Null) | None => None,
        Some(other) => {
            return Err(ConvertError::invalid(
                here(".body"),
                format!("an example body must be a string, found {}", kind_of(other)),
            ))
        }
    };
    let mut content_type = None;
    if let Some(h) = obj.get("header").filter(|h| h.is_array()) {
        for kv in key_values(h, &at.member(".header"))? {
            if kv.key.eq_ignore_ascii_case("content-type") {
                content_type = kv.value.map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase()
                });
            }
        }
    }
    Ok(Example {
        name,
        code,
        body,
        content_type,
        preview_language: obj
            .get("_postman_previewlanguage")
            .and_then(Json::as_str)
            .map(str::to_ascii_lowercase),
    })
}

fn parse_url(v: &Json<'_>, at: &At<'_>) -> Result<Url, ConvertError> {
    let obj = match v {
        Json::String(raw) => return parse_raw_url(raw, at),
        Json::Object(o) => o,
        other => {
            return Err(ConvertError::invalid(
                at.location(),
                format!(
                    "`url` must be a string or an object, found {}",
                    kind_of(other)
                ),
            ))
        }
    };
    let raw = obj.get("raw").and_then(Json::as_str);
    let has_structure = obj.contains_key("host") || obj.contains_key("path");
    // Trust the structured parts; fall back to `raw` only when they are absent.
    let mut url = if has_structure {
        Url {
            protocol: obj
                .get("protocol")
                .and_then(Json::as_str)
                .map(str::to_owned),
            host: match obj.get("host") {
                Some(Json::Array(parts)) => Some(join_strings(parts, ".", at)?),
                Some(Json::String(s)) => Some(s.to_string()),
                Some(Json::Null) | None => None,
                Some(other) => {
                    return Err(ConvertError::invalid(
                        at.location(),
                        format!(
                            "`url.host` must be an array or a string, found {}",
                            kind_of(other)
                        ),
                    ))
                }
            },
            port: match obj.get("port") {
                Some(Json::String(s)) => Some(s.to_string()),
                Some(Json::Number(n)) => Some(n.to_string()),
                _ => None,
            },
            path: match obj.get("path") {
                Some(Json::Array(parts)) => parts
                    .iter()
                    .map(|p| match p {
                        Json::String(s) => Ok(s.to_string()),
                        // v2.0 allows {type, value} path segments.
                        Json::Object(o) => Ok(o
                            .get("value")
                            .and_then(Json::as_str)
                            .unwrap_or_default()
                            .to_owned()),
                        other => Err(ConvertError::invalid(
                            at.location(),
                            format!(
                                "a `url.path` segment must be a string, found {}",
                                kind_of(other)
                            ),
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                Some(Json::String(s)) => split_path(s),
                _ => Vec::new(),
            },
            query: Vec::new(),
            variables: Vec::new(),
        }
    } else if let Some(raw) = raw {
        parse_raw_url(raw, at)?
    } else {
        return Err(ConvertError::invalid(
            at.location(),
            "the URL has neither `raw` nor `host`/`path`",
        ));
    };
    if let Some(q) = obj.get("query") {
        url.query = key_values(q, &at.member(".query"))?;
    } else if has_structure {
        if let Some(raw) = raw {
            url.query = parse_raw_url(raw, at)?.query;
        }
    }
    if let Some(vars) = obj.get("variable") {
        url.variables = key_values(vars, &at.member(".variable"))?;
    }
    if url.host.is_none() && url.path.iter().all(String::is_empty) {
        return Err(ConvertError::invalid(at.location(), "the URL is empty"));
    }
    check_braces(&url, at)?;
    Ok(url)
}

/// Splits a raw URL such as `{{baseUrl}}/api/x/:id?a=1#frag`.
fn parse_raw_url(raw: &str, at: &At<'_>) -> Result<Url, ConvertError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ConvertError::invalid(at.location(), "the URL is empty"));
    }
    if raw.chars().any(char::is_whitespace) {
        return Err(ConvertError::invalid(
            at.location(),
            format!("cannot parse URL `{raw}`: it contains white space"),
        ));
    }
    let raw = raw.split('#').next().unwrap_or_default();
    let (before_query, query) = match raw.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (raw, None),
    };
    let (protocol, rest) = match before_query.split_once("://") {
        Some((p, rest)) => {
            if p.is_empty()
                || !(p.starts_with("{{")
                    || p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
            {
                return Err(ConvertError::invalid(
                    at.location(),
                    format!("cannot parse URL `{raw}`: bad scheme `{p}`"),
                ));
            }
            (Some(p.to_owned()), rest)
        }
        None => (None, before_query),
    };
    let (host_port, path) = if rest.starts_with('/') {
        ("", rest)
    } else {
        match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, Some(p.to_owned()))
        }
        _ => (host_port, None),
    };
    let mut url = Url {
        protocol,
        host: Some(host.to_owned()).filter(|h| !h.is_empty()),
        port,
        path: split_path(path),
        query: Vec::new(),
        variables: Vec::new(),
    };
    if let Some(q) = query {
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = match pair.split_once('=') {
                Some((k, v)) => (k, Some(v.to_owned())),
                None => (pair, None),
            };
            url.query.push(KeyValue {
                key: k.to_owned(),
                value: v,
                ..KeyValue::default()
            });
        }
    }
    check_braces(&url, at)?;
    Ok(url)
}

fn split_path(path: &str) -> Vec<String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed.split('/').map(str::to_owned).collect()
}

/// `{{` must close with `}}` everywhere in a URL.
fn check_braces(url: &Url, at: &At<'_>) -> Result<(), ConvertError> {
    let parts = url.host.iter().chain(url.path.iter());
    for part in parts {
        let mut rest = part.as_str();
        while let Some(i) = rest.find("{{") {
            match rest[i + 2..].find("}}") {
                Some(j) => rest = &rest[i + 2 + j + 2..],
                None => {
                    return Err(ConvertError::invalid(
                        at.location(),
                        format!("cannot parse URL part `{part}`: `{{{{` without a closing `}}}}`"),
                    ))
                }
            }
        }
    }
    Ok(())
}

fn join_strings(parts: &[Json<'_>], sep: &str, at: &At<'_>) -> Result<String, ConvertError> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        match p {
            Json::String(s) => out.push(s.as_ref()),
            other => {
                return Err(ConvertError::invalid(
                    at.location(),
                    format!(
                        "a `url.host` part must be a string, found {}",
                        kind_of(other)
                    ),
                ))
            }
        }
    }
    Ok(out.join(sep))
}

fn parse_body(v: Option<&Json<'_>>, at: &At<'_>) -> Result<Option<Body>, ConvertError> {
    let Some(Json::Object(obj)) = v else {
        return Ok(None);
    };
    if obj.get("disabled").and_then(Json::as_bool) == Some(true) {
        return Ok(None);
    }
    let mode = obj.get("mode").and_then(Json::as_str).unwrap_or("");
    Ok(match mode {
        "raw" => {
            let text = obj.get("raw").and_then(Json::as_str).unwrap_or("");
            if text.trim().is_empty() {
                None
            } else {
                let language = obj
                    .get("options")
                    .and_then(|o| o.get("raw"))
                    .and_then(|r| r.get("language"))
                    .and_then(Json::as_str)
                    .map(str::to_ascii_lowercase);
                Some(Body::Raw {
                    text: text.to_owned(),
                    language,
                })
            }
        }
        "urlencoded" => {
            let fields = match obj.get("urlencoded") {
                Some(f) => key_values(f, &at.member(".urlencoded"))?,
                None => Vec::new(),
            };
            Some(Body::UrlEncoded(fields))
        }
        "formdata" => {
            let fields = match obj.get("formdata") {
                Some(f) => key_values(f, &at.member(".formdata"))?,
                None => Vec::new(),
            };
            Some(Body::FormData(fields))
        }
        "file" => Some(Body::File),
        "graphql" => {
            let g = obj.get("graphql");
            Some(Body::GraphQl {
                query: g
                    .and_then(|g| g.get("query"))
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                variables: g
                    .and_then(|g| g.get("variables"))
                    .and_then(Json::as_str)
                    .map(str::to_owned),
            })
        }
        "" => None,
        other => {
            return Err(ConvertError::invalid(
                at.member(".mode").location(),
                format!(
                "unknown body mode `{other}` (expected raw, urlencoded, formdata, file or graphql)"
            ),
            ))
        }
    })
}

fn parse_auth(v: Option<&Json<'_>>, at: &At<'_>) -> Result<Option<Auth>, ConvertError> {
    let Some(v) = v else { return Ok(None) };
    let obj = match v {
        Json::Null => return Ok(None),
        Json::Object(o) => o,
        other => {
            return Err(ConvertError::invalid(
                at.location(),
                format!("`auth` must be an object, found {}", kind_of(other)),
            ))
        }
    };
    let ty = obj
        .get("type")
        .and_then(Json::as_str)
        .ok_or_else(|| ConvertError::invalid(at.location(), "`auth` has no `type`"))?;
    // v2.1 stores parameters as [{key, value}], v2.0 as an object.
    let param = |name: &str| -> Option<String> {
        match obj.get(ty) {
            Some(Json::Array(list)) => list.iter().find_map(|e| {
                (e.get("key").and_then(Json::as_str) == Some(name))
                    .then(|| e.get("value").map(value_text))
                    .flatten()
            }),
            Some(Json::Object(o)) => o.get(name).map(value_text),
            _ => None,
        }
    };
    Ok(Some(match ty {
        "noauth" => Auth::NoAuth,
        "basic" => Auth::Basic,
        "bearer" => Auth::Bearer,
        "digest" => Auth::Digest,
        "apikey" => Auth::ApiKey {
            name: param("key")
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "X-API-Key".to_owned()),
            location: match param("in").as_deref() {
                Some("query") => "query".to_owned(),
                _ => "header".to_owned(),
            },
        },
        "oauth2" => Auth::OAuth2 {
            token_url: param("accessTokenUrl").filter(|s| !s.is_empty()),
            auth_url: param("authUrl").filter(|s| !s.is_empty()),
        },
        other => Auth::Other(other.to_owned()),
    }))
}

/// Reads `[{key, value, description, disabled, type}]`.
fn key_values(v: &Json<'_>, at: &At<'_>) -> Result<Vec<KeyValue>, ConvertError> {
    let list = match v {
        Json::Array(list) => list,
        Json::Null => return Ok(Vec::new()),
        other => {
            return Err(ConvertError::invalid(
                at.location(),
                format!(
                    "expected an array of {{key, value}} entries, found {}",
                    kind_of(other)
                ),
            ))
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, e) in list.iter().enumerate() {
        let obj = e.as_object().ok_or_else(|| {
            ConvertError::invalid(
                at.index(i).location(),
                format!("expected a {{key, value}} object, found {}", kind_of(e)),
            )
        })?;
        let key = match obj.get("key").or_else(|| obj.get("id")) {
            Some(Json::String(k)) => k.to_string(),
            Some(Json::Null) | None => continue, // Postman keeps blank rows; they mean nothing.
            Some(other) => {
                return Err(ConvertError::invalid(
                    at.index(i).member(".key").location(),
                    format!("`key` must be a string, found {}", kind_of(other)),
                ))
            }
        };
        if key.is_empty() {
            continue;
        }
        out.push(KeyValue {
            key,
            value: obj.get("value").filter(|v| !v.is_null()).map(value_text),
            description: description(obj.get("description")),
            disabled: obj.get("disabled").and_then(Json::as_bool).unwrap_or(false),
            is_file: obj.get("type").and_then(Json::as_str) == Some("file"),
        });
    }
    Ok(out)
}

fn value_text(v: &Json<'_>) -> String {
    match v {
        Json::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

/// A description is a string or `{content, type}`.
fn description(v: Option<&Json<'_>>) -> Option<String> {
    let text = match v? {
        Json::String(s) => s.to_string(),
        Json::Object(o) => o.get("content").and_then(Json::as_str)?.to_owned(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// serde_json's message without its trailing ` at line L column C`, which
/// the errors already say.
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

pub(crate) fn kind_of(v: &Json<'_>) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Status code for a reason phrase, for examples saved without `code`.
fn code_for_reason(reason: &str) -> Option<u16> {
    const TABLE: &[(u16, &str)] = &[
        (100, "continue"),
        (101, "switching protocols"),
        (200, "ok"),
        (201, "created"),
        (202, "accepted"),
        (203, "non-authoritative information"),
        (204, "no content"),
        (205, "reset content"),
        (206, "partial content"),
        (207, "multi-status"),
        (300, "multiple choices"),
        (301, "moved permanently"),
        (302, "found"),
        (303, "see other"),
        (304, "not modified"),
        (307, "temporary redirect"),
        (308, "permanent redirect"),
        (400, "bad request"),
        (401, "unauthorized"),
        (402, "payment required"),
        (403, "forbidden"),
        (404, "not found"),
        (405, "method not allowed"),
        (406, "not acceptable"),
        (408, "request timeout"),
        (409, "conflict"),
        (410, "gone"),
        (411, "length required"),
        (412, "precondition failed"),
        (413, "payload too large"),
        (414, "uri too long"),
        (415, "unsupported media type"),
        (422, "unprocessable entity"),
        (423, "locked"),
        (424, "failed dependency"),
        (428, "precondition required"),
        (429, "too many requests"),
        (431, "request header fields too large"),
        (500, "internal server error"),
        (501, "not implemented"),
        (502, "bad gateway"),
        (503, "service unavailable"),
        (504, "gateway timeout"),
    ];
    let r = reason.trim().to_ascii_lowercase();
    TABLE.iter().find(|(_, t)| *t == r).map(|(c, _)| *c)
}
