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
//! A schema is compared as the Rust types it generates, its paths naming
//! Rust fields (a property renamed on the wire to a name of the same field
//! is said and compared as one), and a parameter by its builder method. A
//! change of type or format that gives the same Rust type (`number/float` →
//! `number`, both a `Decimal`) breaks nothing, and one that does not breaks
//! code even when the document's type stays (an object without properties
//! is a map, with some a struct). A property is a struct field of type `T`, or `Option<T>`
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

mod schema;

use schema::schema_changes;

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

/// An operation's parameters by their builder method (the name progenitor
/// makes of theirs), each with where it travels and its name there.
fn params(op: &Value) -> BTreeMap<String, (&str, &str, &Value)> {
    (elements(&op["parameters"]))
        .filter_map(|p| {
            let (at, name) = (p["in"].as_str()?, p["name"].as_str()?);
            Some((progenitor_sanitize(name), (at, name, p)))
        })
        .collect()
}

fn parameters(old: &Value, new: &Value, place: &str, out: &mut Vec<Change>) {
    let (o, n) = (params(old), params(new));
    for (method, (at, name, p)) in &o {
        let label = format!("{at} parameter `{name}`");
        let Some((new_at, new_name, q)) = n.get(method) else {
            add(out, true, place, format!("{label} removed"));
            continue;
        };
        // Renamed on the wire to a name of the same method (`pageSize` →
        // `page_size`), or moved from the query to a header: it stays.
        if (at, name) != (new_at, new_name) {
            let what =
                format!("{label} is now {new_at} parameter `{new_name}` (the same builder method)");
            add(out, false, place, what);
        }
        let (was, is) = (p["required"] == true, q["required"] == true);
        if was != is {
            let breaking = is || !builder_interface();
            let what = format!("{label} became {}{}", required(is), call_note(is));
            add(out, breaking, place, what);
        }
        // Its value's type, an array's items included.
        schema_changes(&p["schema"], &q["schema"], &label, true, place, out);
    }
    for (at, name, q) in n
        .iter()
        .filter(|(m, _)| !o.contains_key(*m))
        .map(|(_, v)| v)
    {
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
