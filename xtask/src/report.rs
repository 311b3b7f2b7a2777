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
//! change breaks calls. Removing or retyping a parameter breaks both. A property is
//! a struct field of type `T`, or `Option<T>` when it is not required or is
//! nullable, so changing between the two breaks code; a string enum is a Rust
//! enum without a catch-all, so a value added or removed breaks `match`es. A
//! property added to a request type breaks callers that build it as a
//! struct literal, which names every field (an optional one too, as `None`);
//! one added to a response type does not. A oneOf/anyOf is an enum too: an
//! alternative added or removed breaks `match`es. An operation's success
//! bodies decode into one type, its error bodies into another: a status
//! added or removed breaks code when it changes that type, and is one more
//! or one fewer status to expect otherwise.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::generate::builder_interface;

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

fn op_place(op: &Value, key: &(String, String)) -> String {
    match op["operationId"].as_str() {
        Some(id) => format!("operation `{id}` ({} {})", key.0, key.1),
        None => format!("operation {} {}", key.0, key.1),
    }
}

fn operations(old: &Value, new: &Value, out: &mut Vec<Change>) {
    let (o, n) = (ops(old), ops(new));
    for (key, op) in &o {
        let place = op_place(op, key);
        let Some(new_op) = n.get(key) else {
            add(out, true, place, "removed");
            continue;
        };
        if op["operationId"] != new_op["operationId"] {
            let what = format!("renamed to {}", op_place(new_op, key));
            add(out, true, place.as_str(), what);
        }
        parameters(op, new_op, &place, out);
        bodies(op, new_op, &place, out);
    }
    for (key, op) in n.iter().filter(|(key, _)| !o.contains_key(*key)) {
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
    for (key @ (at, name), p) in &o {
        let label = format!("{at} parameter `{name}`");
        let Some(q) = n.get(key) else {
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
    for ((at, name), q) in n.iter().filter(|(key, _)| !o.contains_key(*key)) {
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
                let what = format!("request body media type {om} → {nm}");
                add(out, true, place, what);
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

/// One node of a schema, as the generated Rust type sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    /// `string/date-time`, `integer/int64`, `array`, `object`, or a schema
    /// name for a `$ref`.
    ty: String,
    nullable: bool,
    values: BTreeSet<String>,
}

impl Node {
    fn of(schema: &Value) -> Node {
        let ty = if let Some(r) = schema["$ref"].as_str() {
            ref_name(r)
        } else {
            let union = ["oneOf", "anyOf", "allOf"]
                .into_iter()
                .find(|k| schema.get(*k).is_some());
            let base = schema["type"].as_str().or(union).unwrap_or("any");
            match schema["format"].as_str() {
                Some(f) => format!("{base}/{f}"),
                None => base.to_owned(),
            }
        };
        Node {
            ty,
            nullable: schema["nullable"] == true,
            values: elements(&schema["enum"]).map(Value::to_string).collect(),
        }
    }
}

/// `path → (node, required)` for a schema and its inline properties and
/// items; a `$ref` is a leaf (its schema is compared under its own name).
fn flatten(schema: &Value) -> BTreeMap<String, (Node, bool)> {
    fn walk(s: &Value, path: String, required: bool, out: &mut BTreeMap<String, (Node, bool)>) {
        out.insert(path.clone(), (Node::of(s), required));
        if s.get("$ref").is_some() {
            return;
        }
        for (name, sub) in s["properties"].as_object().into_iter().flatten() {
            let required = elements(&s["required"]).any(|r| r == name.as_str());
            walk(sub, format!("{path}.{name}"), required, out);
        }
        for (key, below) in [("items", "[]"), ("additionalProperties", ".{*}")] {
            if s[key].is_object() {
                walk(&s[key], format!("{path}{below}"), true, out);
            }
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for (i, sub) in elements(&s[key]).enumerate() {
                walk(sub, format!("{path}.<{key} {i}>"), true, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(schema, "$".into(), true, &mut out);
    out
}

/// Type and enum changes of one node (optionality is the caller's).
fn node_changes(was: &Node, is: &Node, label: &str, place: &str, out: &mut Vec<Change>) {
    if was.ty != is.ty {
        let what = format!("{label} retyped {} → {}", was.ty, is.ty);
        add(out, true, place, what);
    }
    for v in was.values.difference(&is.values) {
        add(out, true, place, format!("{label} lost enum value {v}"));
    }
    for v in is.values.difference(&was.values) {
        let what = format!("{label} gained enum value {v} (a new variant)");
        add(out, true, place, what);
    }
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
    for (path, (was, was_req)) in &o {
        let at = if path == "$" {
            label.to_owned()
        } else {
            format!("{label} property `{path}`")
        };
        let Some((is, is_req)) = n.get(path) else {
            let what = if is_variant(path) {
                format!("{label} lost variant `{path}`")
            } else {
                format!("{at} removed")
            };
            add(out, true, place, what);
            continue;
        };
        node_changes(was, is, &at, place, out);
        // The field is `Option<T>` when not required or nullable; a change
        // between `T` and `Option<T>` breaks code, another one does not.
        let (was_opt, is_opt) = (!was_req || was.nullable, !is_req || is.nullable);
        let arrow = match (was_opt, is_opt) {
            (false, true) => " (T → Option<T>)",
            (true, false) => " (Option<T> → T)",
            _ => "",
        };
        let mut note = |what: &str| {
            add(out, was_opt != is_opt, place, format!("{at} {what}{arrow}"));
        };
        if was.nullable != is.nullable {
            note(if is.nullable {
                "became nullable"
            } else {
                "is no longer nullable"
            });
        }
        if was_req != is_req {
            note(&format!("became {}", required(*is_req)));
        }
    }
    // A property whose parent is new too is reported with its parent.
    let added = n.iter().filter(|(path, _)| {
        let parent = path.rfind(['.', '[']).map_or("$", |i| &path[..i]);
        !o.contains_key(*path) && (parent == "$" || o.contains_key(parent))
    });
    for (path, (_, is_req)) in added {
        if is_variant(path) {
            // A oneOf/anyOf is a Rust enum without a catch-all: a new
            // variant breaks `match`es, whoever reads it. (A node that just
            // became a union is reported once, as retyped.)
            let parent = path.rsplit_once('.').map_or("$", |(p, _)| p);
            let union = |n: &Node| n.ty == "oneOf" || n.ty == "anyOf";
            if o.get(parent).is_some_and(|(was, _)| union(was)) {
                let what = format!("{label} gained variant `{path}` (a new enum variant)");
                add(out, true, place, what);
            }
            continue;
        }
        // A request type's struct literals must name every field, the new
        // optional one too (as `None`); response types are only read.
        let note = in_request.then_some(" (struct literals must name it)");
        let (req, note) = (required(*is_req), note.unwrap_or_default());
        let what = format!("{req} {label} property `{path}` added{note}");
        add(out, in_request, place, what);
    }
}

/// Whether the path ends in a oneOf or anyOf alternative (`$.<oneOf 2>`),
/// which typify makes a variant of an enum rather than a field.
fn is_variant(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.starts_with("<oneOf ") || last.starts_with("<anyOf ")
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
