//! What changed between two OpenAPI documents, for users of the Rust client
//! generated from them: operations added or removed, parameters and
//! properties added, removed or retyped, required and nullable changes, enum
//! values. Each change is marked breaking or not.
//!
//! "Breaking" follows what the generator writes (`codegen/settings.rs`). With
//! the builder interface (the project's), an operation is a builder with one
//! method per parameter: a new optional parameter is one more method and
//! breaks nothing, nor does a required one becoming optional (its method
//! stays); a new required parameter, or an optional one becoming required,
//! makes every call that does not set it fail when sent. With the positional
//! interface every parameter is an argument, in order, so any parameter
//! change breaks calls. Removing or retyping a parameter breaks both. An
//! operation is a method named after its operationId: moved to another
//! method or path under the same id, its calls are unchanged.
//!
//! A schema is compared as the Rust types it generates: a change of type or
//! format that gives the same Rust type (`number/float` → `number`, both a
//! `Decimal`) breaks nothing, and one that does not breaks code even when
//! the document's type stays (an object without properties is a map, with
//! some a struct). A property is a struct field of type `T`, or `Option<T>`
//! when nullable, or when not required unless it is an array, a map or has
//! a default (those are `T` with a serde default), so a change between `T`
//! and `Option<T>` breaks code and another change of `required` does not. A
//! string enum is a Rust enum without a catch-all, so a value added or
//! removed breaks `match`es. A property added to a request type breaks
//! callers that build it as a struct literal, which names every field (an
//! optional one too, as `None`); one added to a response type does not. A
//! oneOf/anyOf is an enum too: an alternative added or removed breaks
//! `match`es. An operation's success bodies decode into one type, its error
//! bodies into another: a status added or removed breaks code when it
//! changes that type, and is one more or one fewer status to expect
//! otherwise; a response turning from JSON to another media type becomes a
//! byte stream.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::generate::builder_interface;
use crate::openapi::names::progenitor_sanitize;

/// One change, with where it is and whether it breaks users' code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Whether code using the generated client may stop compiling.
    pub breaking: bool,
    /// The operation or schema it is in, as in ``operation `id` (GET /path)``
    /// or ``schema `Name` ``.
    pub place: String,
    /// What changed.
    pub what: String,
}

/// The changes between two documents; empty when nothing a user sees changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report(pub Vec<Change>);

impl Report {
    /// Whether any change breaks users' code.
    pub fn is_breaking(&self) -> bool {
        self.0.iter().any(|c| c.breaking)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return writeln!(f, "no change to operations, parameters or schemas");
        }
        let breaking = self.0.iter().filter(|c| c.breaking).count();
        writeln!(
            f,
            "{} change(s), {breaking} breaking for users of the generated client:",
            self.0.len()
        )?;
        for c in &self.0 {
            let mark = if c.breaking { "BREAKING" } else { "ok      " };
            writeln!(f, "  {mark} {}: {}", c.place, c.what)?;
        }
        Ok(())
    }
}

/// Compares the `old` document with the `new` one.
pub fn changes(old: &Value, new: &Value) -> Report {
    let mut out = vec![];
    operations(old, new, &mut out);
    schemas(old, new, &mut out);
    // Breaking changes first, then by place.
    out.sort_by(|a, b| (!a.breaking, &a.place, &a.what).cmp(&(!b.breaking, &b.place, &b.what)));
    out.dedup();
    Report(out)
}

// ------------------------------------------------------------- operations

fn ops(doc: &Value) -> BTreeMap<(String, String), &Value> {
    let ops = crate::generate::operations(doc);
    ops.map(|(path, m)| ((m.to_uppercase(), path.to_owned()), &doc["paths"][path][m]))
        .collect()
}

fn id(op: &Value) -> Option<&str> {
    op["operationId"].as_str()
}

fn op_place(op: &Value, key: &(String, String)) -> String {
    match id(op) {
        Some(id) => format!("operation `{id}` ({} {})", key.0, key.1),
        None => format!("operation {} {}", key.0, key.1),
    }
}

fn operations(old: &Value, new: &Value, out: &mut Vec<Change>) {
    let (o, n) = (ops(old), ops(new));
    // The operationId names the generated method: an operation is paired
    // with the one of its id wherever that went (moved: calls unchanged),
    // else with a new one on its route (renamed).
    let new_ids: BTreeMap<&str, &(String, String)> = n
        .iter()
        .filter_map(|(key, op)| Some((id(op)?, key)))
        .collect();
    let old_ids: BTreeSet<&str> = o.values().filter_map(|op| id(op)).collect();
    let mut paired = BTreeSet::new();
    for (key, op) in &o {
        let place = op_place(op, key);
        let renamed = || {
            let here = n.get_key_value(key);
            here.filter(|(_, new_op)| id(new_op).is_none_or(|i| !old_ids.contains(i)))
        };
        let to = match id(op).and_then(|i| new_ids.get(i)) {
            Some(to) => Some(*to),
            None => renamed().map(|(to, _)| to),
        };
        let Some(to) = to else {
            add(out, true, place, "removed");
            continue;
        };
        paired.insert(to);
        let new_op = &n[to];
        if to != key {
            let what = format!("moved to {} {} (calls are unchanged)", to.0, to.1);
            add(out, false, place.as_str(), what);
        }
        if id(op) != id(new_op) {
            let what = format!("renamed to {}", op_place(new_op, to));
            add(out, true, place.as_str(), what);
        }
        parameters(op, new_op, &place, out);
        bodies(op, new_op, &place, out);
    }
    for (key, op) in n.iter().filter(|(key, _)| !paired.contains(key)) {
        add(out, false, op_place(op, key), "added");
    }
}

fn params(op: &Value) -> BTreeMap<(String, String), &Value> {
    elements(&op["parameters"])
        .filter_map(|p| Some(((p["in"].as_str()?.into(), p["name"].as_str()?.into()), p)))
        .collect()
}

fn parameters(old: &Value, new: &Value, place: &str, out: &mut Vec<Change>) {
    let (o, n) = (params(old), params(new));
    // Renamed on the wire to a name of the same builder method
    // (`pageSize` → `page_size`): the method stays.
    let method = |(at, name): &(String, String)| (at.clone(), progenitor_sanitize(name));
    let renamed: BTreeMap<_, _> = (o.keys().filter(|k| !n.contains_key(*k)))
        .filter_map(|k| {
            Some((
                k,
                n.keys()
                    .find(|q| !o.contains_key(*q) && method(q) == method(k))?,
            ))
        })
        .collect();
    for (key @ (at, name), p) in &o {
        let label = format!("{at} parameter `{name}`");
        if let Some((_, to)) = renamed.get(key) {
            let what = format!("{label} renamed on the wire to `{to}` (the same builder method)");
            add(out, false, place, what);
        }
        let Some(q) = n.get(key).or_else(|| n.get(*renamed.get(key)?)) else {
            add(out, true, place, format!("{label} removed"));
            continue;
        };
        let (was, is) = (p["required"] == true, q["required"] == true);
        if was != is {
            let breaking = is || !builder_interface();
            let what = format!("{label} became {}{}", required(is), call_note(is));
            add(out, breaking, place, what);
        }
        let (was, is) = (Node::of(&p["schema"]), Node::of(&q["schema"]));
        node_changes(&was, &is, &label, place, out);
    }
    let added = n.iter().filter(|(key, _)| !o.contains_key(*key));
    for ((at, name), q) in added.filter(|(key, _)| !renamed.values().any(|to| to == key)) {
        let is = q["required"] == true;
        let note = match (builder_interface(), is) {
            (false, _) => " (a new argument)",
            (true, false) => " (a new builder method)",
            (true, true) => call_note(true),
        };
        let what = format!("{} {at} parameter `{name}` added{note}", required(is));
        add(out, is || !builder_interface(), place, what);
    }
}

/// What a parameter that is now required means for calls through builders.
fn call_note(required: bool) -> &'static str {
    if required && builder_interface() {
        " (calls that do not set it fail when sent)"
    } else {
        ""
    }
}

/// The JSON-most schema of a request body's or a response's content, with
/// its media type.
fn body_schema(body: &Value) -> Option<(&str, &Value)> {
    let map = body["content"].as_object()?;
    let (media, body) = map
        .iter()
        .find(|(k, _)| k.contains("json"))
        .or_else(|| map.iter().next())?;
    Some((media.as_str(), &body["schema"]))
}

fn bodies(old: &Value, new: &Value, place: &str, out: &mut Vec<Change>) {
    let (o, n) = (&old["requestBody"], &new["requestBody"]);
    match (body_schema(o), body_schema(n)) {
        (Some(_), None) => add(out, true, place, "request body removed"),
        (None, Some((m, _))) => add(out, true, place, format!("request body ({m}) added")),
        (Some((om, os)), Some((nm, ns))) => {
            if om != nm {
                // JSON and form bodies are the same typed value, sent
                // another way; any other body is bytes or text.
                let typed =
                    |m: &str| m.contains("json") || m == "application/x-www-form-urlencoded";
                let same = typed(om) && typed(nm);
                let note = if same { " (the body's type stays)" } else { "" };
                let what = format!("request body media type {om} → {nm}{note}");
                add(out, !same, place, what);
            }
            schema_changes(os, ns, "request body", true, place, out);
        }
        (None, None) => {}
    }
    let empty = serde_json::Map::new();
    let or = old["responses"].as_object().unwrap_or(&empty);
    let nr = new["responses"].as_object().unwrap_or(&empty);
    // A status added or removed is a new or lost match arm for callers,
    // unless it changes the type progenitor decodes its group into.
    let changes_type = |status: &str| match status {
        _ if response_bodies(or, status) == response_bodies(nr, status) => "",
        "default" => " (the success and error types change)",
        _ if status.starts_with('2') => " (the success type changes)",
        _ => " (the error type changes)",
    };
    for (status, resp) in or {
        let Some(new_resp) = nr.get(status) else {
            let note = changes_type(status);
            let what = format!("response {status} removed (now an unexpected response){note}");
            add(out, !note.is_empty(), place, what);
            continue;
        };
        let label = format!("response {status}");
        match (body_schema(resp), body_schema(new_resp)) {
            // Progenitor decodes a JSON response into its type and hands
            // any other over as a byte stream.
            (Some((om, _)), Some((nm, _))) if om.contains("json") != nm.contains("json") => {
                let what = format!("{label} media type {om} → {nm} (its Rust type changes)");
                add(out, true, place, what);
            }
            (Some((_, os)), Some((_, ns))) => schema_changes(os, ns, &label, false, place, out),
            (Some(_), None) => add(out, true, place, format!("{label} lost its body")),
            (None, Some(_)) => add(out, true, place, format!("{label} gained a body")),
            (None, None) => {}
        }
    }
    for status in nr.keys().filter(|s| !or.contains_key(*s)) {
        let note = changes_type(status);
        let what = format!("response {status} added{note}");
        add(out, !note.is_empty(), place, what);
    }
}

/// The bodies of the responses progenitor decodes into one type together
/// with `status`'s: the successes (2xx) or the errors (4xx, 5xx), `default`
/// in both. Each body is its schema's text; a response without one adds
/// nothing (progenitor's type for no body is the same as for no response).
fn response_bodies(responses: &serde_json::Map<String, Value>, status: &str) -> BTreeSet<String> {
    let group = |s: &str| match s.as_bytes().first() {
        Some(b'2') => 1,
        Some(b'4' | b'5') => 2,
        _ if s == "default" => 3,
        _ => 0,
    };
    let mine = group(status);
    responses
        .iter()
        .filter(|(s, _)| {
            let theirs = group(s);
            theirs != 0 && (theirs == mine || theirs == 3 || mine == 3)
        })
        .filter_map(|(_, r)| body_schema(r).map(|(_, s)| s.to_string()))
        .collect()
}

// ---------------------------------------------------------------- schemas

/// One node of a schema: as the document writes it, and as the generated
/// Rust type sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    /// `string/date-time`, `integer/int64`, `array`, `object`, or a schema
    /// name for a `$ref`.
    ty: String,
    /// The Rust type the generator makes of it ([`rust_type`]).
    rust: String,
    /// `nullable`; beside a `$ref` the generator's parser drops it.
    nullable: bool,
    /// Whether an absent value takes a default (an array, a map, a
    /// `default`): such a field is `T`, not `Option<T>`, when not required.
    defaults: bool,
    values: BTreeSet<String>,
}

impl Node {
    fn of(schema: &Value) -> Node {
        let (ty, rust) = if let Some(r) = schema["$ref"].as_str() {
            (ref_name(r), ref_name(r))
        } else {
            let union = ["oneOf", "anyOf", "allOf"]
                .into_iter()
                .find(|k| schema.get(*k).is_some());
            let base = schema["type"].as_str().or(union).unwrap_or("any");
            let ty = match schema["format"].as_str() {
                Some(f) => format!("{base}/{f}"),
                None => base.to_owned(),
            };
            (ty, rust_type(schema))
        };
        Node {
            defaults: ["Vec", "Map", "HashMap"].contains(&rust.as_str())
                || schema.get("default").is_some(),
            nullable: schema["nullable"] == true && schema.get("$ref").is_none(),
            // A `null` among the values is the nullable's, no variant.
            values: elements(&schema["enum"])
                .filter(|v| !v.is_null())
                .map(Value::to_string)
                .collect(),
            ty,
            rust,
        }
    }

    /// Whether its field is an `Option`.
    fn optional(&self, required: bool) -> bool {
        self.nullable || (!required && !self.defaults)
    }
}

/// The Rust type typify makes of a schema that is not a `$ref`, with the
/// project's settings, as far as a change of it breaks code (checked on
/// progenitor 0.15's output): a `number` is a `Decimal` unless a bound
/// keeps the settings' conversion from matching (then `f64`); an integer
/// is sized by its format (`int` is `i32`) and unsigned with a `minimum`; a
/// string format typify does not know is a `String`; a value list on a
/// string makes an enum, on another type a checked newtype; an object
/// without properties is a map (closed, an empty struct); one oneOf or
/// allOf alternative is that alternative's type.
fn rust_type(s: &Value) -> String {
    let format = s["format"].as_str().unwrap_or_default();
    let has = |k: &str| s.get(k).is_some();
    let bounded = [
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ];
    match (s["type"].as_str(), format) {
        (Some("string"), _) if has("enum") => "enum".to_owned(),
        (Some(t), _) if has("enum") => format!("{t} newtype"),
        (Some("string"), "date-time") => "DateTime".to_owned(),
        (Some("string"), "date") => "NaiveDate".to_owned(),
        (Some("string"), "uuid") => "Uuid".to_owned(),
        (Some("string"), "ip") => "IpAddr".to_owned(),
        (Some("string"), "ipv4") => "Ipv4Addr".to_owned(),
        (Some("string"), "ipv6") => "Ipv6Addr".to_owned(),
        (Some("string"), _) => "String".to_owned(),
        // Bounds give unsigned and non-zero types: kept as written.
        (Some("integer"), _) if has("minimum") => format!("integer/{format} ≥ {}", s["minimum"]),
        (Some("integer"), "int") => "i32".to_owned(),
        (Some("integer"), "uint") => "u32".to_owned(),
        (Some("integer"), "int8" | "int16" | "int32") => format.replacen("int", "i", 1),
        (Some("integer"), "uint8" | "uint16" | "uint32" | "uint64") => {
            format.replacen("uint", "u", 1)
        }
        (Some("integer"), _) => "i64".to_owned(),
        (Some("number"), _) if bounded.iter().any(|k| has(k)) => "f64".to_owned(),
        (Some("number"), _) => "Decimal".to_owned(),
        (Some("boolean"), _) => "bool".to_owned(),
        (Some("array"), _) => "Vec".to_owned(),
        _ if lone(s).is_some() => lone(s).map(|one| Node::of(one).rust).unwrap_or_default(),
        _ if has("oneOf") || has("anyOf") => "enum".to_owned(),
        _ if has("allOf") => "struct".to_owned(),
        _ if s["properties"].as_object().is_some_and(|p| !p.is_empty()) => "struct".to_owned(),
        (Some("object"), _) if s["additionalProperties"].is_object() => "HashMap".to_owned(),
        (Some("object"), _) if s["additionalProperties"] == false => "struct".to_owned(),
        (Some("object"), _) => "Map".to_owned(),
        _ => "Value".to_owned(),
    }
}

/// The one alternative of a oneOf, anyOf or allOf of one, which is that
/// alternative's type (`{allOf: [$ref]}` is how a nullable reference is
/// written).
fn lone(s: &Value) -> Option<&Value> {
    let unions = ["oneOf", "anyOf", "allOf"].map(|k| &s[k]);
    let mut given = unions.iter().filter(|u| !u.is_null());
    match (given.next(), given.next()) {
        (Some(one), None) if elements(one).count() == 1 => Some(&one[0]),
        _ => None,
    }
}

/// What a node is to its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The schema itself, a property, an array's items or a map's values.
    Field,
    /// An alternative of a oneOf/anyOf: a variant of a Rust enum.
    Variant,
    /// A member of an allOf, whose fields join one struct.
    Member,
}

/// A node with where it sits.
#[derive(Debug)]
struct Entry {
    node: Node,
    required: bool,
    parent: Option<String>,
    role: Role,
    /// A property's field name in the generated struct.
    field: Option<String>,
}

/// `path → entry` for a schema and its inline properties, items and
/// alternatives; a `$ref` is a leaf (its schema is compared under its own
/// name). A property name that is not plain is quoted (`$["owner.name"]`),
/// and an alternative is named by its type (`$.<variant Card>`, `$.<member
/// string>`), so that reordering them, or a oneOf becoming an anyOf (the
/// same enum), changes nothing.
fn flatten(schema: &Value) -> BTreeMap<String, Entry> {
    fn walk(
        s: &Value,
        path: String,
        up: (Option<&str>, bool, Role, Option<String>),
        out: &mut BTreeMap<String, Entry>,
    ) {
        let (parent, required, role, field) = up;
        let node = Node::of(s);
        let entry = Entry {
            node,
            required,
            parent: parent.map(str::to_owned),
            role,
            field,
        };
        out.insert(path.clone(), entry);
        // A lone alternative is the type itself: its inside is compared here.
        let s = lone(s).unwrap_or(s);
        if s.get("$ref").is_some() {
            return;
        }
        let here = Some(path.as_str());
        for (name, sub) in s["properties"].as_object().into_iter().flatten() {
            let plain = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-$@".contains(c));
            let at = if plain && !name.is_empty() {
                format!("{path}.{name}")
            } else {
                format!("{path}[{name:?}]")
            };
            let required = elements(&s["required"]).any(|r| r == name.as_str());
            let field = Some(crate::openapi::names::sanitize(name));
            walk(sub, at, (here, required, Role::Field, field), out);
        }
        // An array without `items` holds any JSON value.
        let any = Value::Object(serde_json::Map::new());
        let items = s["items"].is_object().then(|| &s["items"]);
        let items = items.or((s["type"] == "array").then_some(&any));
        let values = s["additionalProperties"]
            .is_object()
            .then(|| &s["additionalProperties"]);
        for (sub, at) in [(items, "[]"), (values, ".{*}")] {
            if let Some(sub) = sub {
                walk(
                    sub,
                    format!("{path}{at}"),
                    (here, true, Role::Field, None),
                    out,
                );
            }
        }
        // oneOf and anyOf make the same enum.
        let unions = [
            ("oneOf", Role::Variant),
            ("anyOf", Role::Variant),
            ("allOf", Role::Member),
        ];
        for (key, role) in unions {
            let types: Vec<String> = elements(&s[key]).map(|s| Node::of(s).ty).collect();
            for (i, sub) in elements(&s[key]).enumerate() {
                // Its type names it, unless another alternative has it too.
                let unique = types.iter().filter(|t| **t == types[i]).count() == 1;
                let tag = if unique {
                    types[i].clone()
                } else {
                    i.to_string()
                };
                let word = if role == Role::Variant {
                    "variant"
                } else {
                    "member"
                };
                let at = format!("{path}.<{word} {tag}>");
                walk(sub, at, (here, true, role, None), out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        schema,
        "$".into(),
        (None, true, Role::Field, None),
        &mut out,
    );
    out
}

/// Type and enum changes of one node (optionality is the caller's).
fn node_changes(was: &Node, is: &Node, label: &str, place: &str, out: &mut Vec<Change>) {
    if was.ty != is.ty || was.rust != is.rust {
        let (breaking, note) = match (was.rust == is.rust, was.ty == is.ty) {
            (true, _) => (false, format!(" (the same Rust type, {})", is.rust)),
            (false, true) => (true, format!(" (Rust {} → {})", was.rust, is.rust)),
            (false, false) => (true, String::new()),
        };
        let what = format!("{label} retyped {} → {}{note}", was.ty, is.ty);
        add(out, breaking, place, what);
    }
    // Only a string enum is a Rust enum, whose `match`es a value breaks.
    let rust_enum = was.rust == "enum" && is.rust == "enum";
    for v in was.values.difference(&is.values) {
        add(
            out,
            rust_enum,
            place,
            format!("{label} lost enum value {v}"),
        );
    }
    for v in is.values.difference(&was.values) {
        let note = if rust_enum { " (a new variant)" } else { "" };
        let what = format!("{label} gained enum value {v}{note}");
        add(out, rust_enum, place, what);
    }
}

/// Whether a node is reported on its own: it has no parent, or its parent
/// is on both sides as the same Rust type (a parent added, removed or
/// retyped is reported, and covers what is below it).
fn on_its_own(
    entry: &Entry,
    mine: &BTreeMap<String, Entry>,
    other: &BTreeMap<String, Entry>,
) -> bool {
    entry.parent.as_ref().is_none_or(|p| {
        let pair = mine.get(p).zip(other.get(p));
        pair.is_some_and(|(a, b)| a.node.rust == b.node.rust)
    })
}

/// `in_request`: whether the schema's values travel in requests (its
/// struct literals are built by callers), not only in responses.
fn schema_changes(
    old: &Value,
    new: &Value,
    label: &str,
    in_request: bool,
    place: &str,
    out: &mut Vec<Change>,
) {
    let (o, n) = (flatten(old), flatten(new));
    // A property renamed on the wire to a name typify makes the same field
    // of (`ownerName` → `owner_name`) keeps its Rust field.
    let same_field =
        |a: &Entry, b: &Entry| a.field.is_some() && (&a.field, &a.parent) == (&b.field, &b.parent);
    let renamed: BTreeMap<&String, &String> = (o.iter())
        .filter(|(path, _)| !n.contains_key(*path))
        .filter_map(|(path, was)| {
            let mut new = n
                .iter()
                .filter(|(q, is)| !o.contains_key(*q) && same_field(was, is));
            Some((path, new.next()?.0))
        })
        .collect();
    for (path, was) in &o {
        let at = if path == "$" {
            label.to_owned()
        } else {
            format!("{label} property `{path}`")
        };
        if let Some(to) = renamed.get(path) {
            let what = format!("{at} renamed on the wire to `{to}` (the same Rust field)");
            add(out, false, place, what);
        }
        let Some(is) = n.get(path).or_else(|| n.get(*renamed.get(path)?)) else {
            let what = match was.role {
                Role::Variant => format!("{label} lost variant `{path}`"),
                Role::Member => format!("{label} lost member `{path}`"),
                Role::Field => format!("{at} removed"),
            };
            if on_its_own(was, &o, &n) {
                add(out, true, place, what);
            }
            continue;
        };
        node_changes(&was.node, &is.node, &at, place, out);
        // A change between `T` and `Option<T>` breaks code, another one
        // does not (an array, a map or a field with a default is `T`
        // either way, unless nullable).
        let (was_opt, is_opt) = (
            was.node.optional(was.required),
            is.node.optional(is.required),
        );
        let arrow = match (was_opt, is_opt) {
            (false, true) => " (T → Option<T>)",
            (true, false) => " (Option<T> → T)",
            _ => "",
        };
        let mut note = |what: &str| {
            add(out, was_opt != is_opt, place, format!("{at} {what}{arrow}"));
        };
        if was.node.nullable != is.node.nullable {
            note(if is.node.nullable {
                "became nullable"
            } else {
                "is no longer nullable"
            });
        }
        if was.required != is.required {
            note(&format!("became {}", required(is.required)));
        }
        let same_else = was.node.nullable == is.node.nullable && was.required == is.required;
        if was_opt != is_opt && same_else && was.node.rust == is.node.rust {
            note(if is.node.defaults {
                "gained a default"
            } else {
                "lost its default"
            });
        }
    }
    let added = n
        .iter()
        .filter(|(path, is)| !o.contains_key(*path) && on_its_own(is, &n, &o))
        .filter(|(path, _)| !renamed.values().any(|to| to == path));
    for (path, is) in added {
        // A oneOf/anyOf is a Rust enum without a catch-all: a new variant
        // breaks `match`es, whoever reads it. A property, or an allOf
        // member's fields, join a struct: they break a request type's
        // struct literals, which must name every field (an optional one as
        // `None`); response types are only read.
        let literals = if in_request {
            " (struct literals must name it)"
        } else {
            ""
        };
        let (breaking, what) = match is.role {
            Role::Variant => (
                true,
                format!("{label} gained variant `{path}` (a new enum variant)"),
            ),
            Role::Member => (
                in_request,
                format!("{label} gained member `{path}`{literals}"),
            ),
            Role::Field => {
                let req = required(is.required);
                (
                    in_request,
                    format!("{req} {label} property `{path}` added{literals}"),
                )
            }
        };
        add(out, breaking, place, what);
    }
}

/// The component schemas the operations use, and whether each travels in
/// requests (else only in responses).
fn usages(doc: &Value) -> BTreeMap<String, bool> {
    fn refs(v: &Value, out: &mut Vec<String>) {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            out.push(ref_name(r));
        }
        match v {
            Value::Object(m) => m.values().for_each(|x| refs(x, out)),
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut usage: BTreeMap<String, bool> = BTreeMap::new();
    for op in ops(doc).values() {
        for part in ["requestBody", "parameters", "responses"] {
            let mut todo = vec![];
            refs(&op[part], &mut todo);
            while let Some(name) = todo.pop() {
                let in_request = part != "responses" || usage.get(&name) == Some(&true);
                if usage.insert(name.clone(), in_request) != Some(in_request) {
                    refs(&doc["components"]["schemas"][&name], &mut todo);
                }
            }
        }
    }
    usage
}

fn schemas(old: &Value, new: &Value, out: &mut Vec<Change>) {
    let empty = serde_json::Map::new();
    let o = old["components"]["schemas"].as_object().unwrap_or(&empty);
    let n = new["components"]["schemas"].as_object().unwrap_or(&empty);
    let (uo, un) = (usages(old), usages(new));
    for (name, schema) in o {
        let place = format!("schema `{name}`");
        let Some(new_schema) = n.get(name) else {
            add(out, true, place, "removed (a type of the client is gone)");
            continue;
        };
        let usage = uo.get(name).into_iter().chain(un.get(name));
        let in_request = usage.copied().reduce(|a, b| a || b).unwrap_or(true);
        schema_changes(schema, new_schema, "schema", in_request, &place, out);
    }
    for name in n.keys().filter(|k| !o.contains_key(*k)) {
        add(out, false, format!("schema `{name}`"), "added");
    }
}

/// The elements of an array; none for anything else.
fn elements(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

/// The schema name a `$ref` ends with.
fn ref_name(r: &str) -> String {
    r.rsplit('/').next().unwrap_or(r).to_owned()
}

/// `required` or `optional`.
fn required(yes: bool) -> &'static str {
    if yes {
        "required"
    } else {
        "optional"
    }
}

fn add(out: &mut Vec<Change>, breaking: bool, place: impl Into<String>, what: impl Into<String>) {
    out.push(Change {
        breaking,
        place: place.into(),
        what: what.into(),
    });
}
