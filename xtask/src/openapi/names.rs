//! Names in the Rust that progenitor 0.15 (with typify 0.8) generates from
//! the document: operation ids that are not the generated client's own
//! members, and parameter and property names that stay distinct after
//! progenitor turns them into identifiers.

use std::collections::HashMap;

use heck::ToSnakeCase;
use serde_json::Value;

use super::{noted, Operation};

/// Members of the generated `Client` (inherent, `ClientInfo`, `ClientHooks`),
/// in both the positional and the builder interface styles.
const CLIENT_MEMBERS: &[&str] = &[
    "new",
    "new_with_client",
    "api_version",
    "baseurl",
    "client",
    "inner",
    "pre",
    "post",
    "exec",
];

/// The snake_case identifier typify makes of `input` (its `util::sanitize`: quotes
/// dropped, other non-identifier characters as word breaks, re-cased with
/// heck, `x` before a leading digit, `_` after a keyword).
pub fn sanitize(input: &str) -> String {
    sanitize_with(input, false)
}

/// The identifier progenitor makes of `input`: as typify, but `_` before a
/// leading digit.
pub fn progenitor_sanitize(input: &str) -> String {
    sanitize_with(input, true)
}

fn sanitize_with(input: &str, underscore: bool) -> String {
    if is_snake(input) {
        return input.to_owned();
    }
    let out = match input {
        "+1" => "plus1".to_owned(),
        "-1" => "minus1".to_owned(),
        _ => (input.replace('\'', ""))
            .replace(|c: char| !unicode_ident::is_xid_continue(c), "-")
            .to_snake_case(),
    };
    let out = match out.chars().next() {
        None => "x".to_owned(),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) if underscore => format!("_{out}"),
        Some(_) => format!("x{out}"),
    };
    let suffix = if is_keyword(&out) { "_" } else { "" };
    out + suffix
}

/// Plain snake_case names, which [`sanitize`] leaves as they are (what an
/// `operation_ids` override must be).
pub(crate) fn is_plain_snake(name: &str) -> bool {
    is_snake(name)
        && name
            .split('_')
            .all(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
}

/// Lower-case letters and digits in words joined by single `_`s, starting
/// with a letter, not a keyword: what [`sanitize`] leaves as it is, and so
/// need not re-case.
fn is_snake(name: &str) -> bool {
    let b = name.as_bytes();
    b.first().is_some_and(u8::is_ascii_lowercase)
        && b.last() != Some(&b'_')
        && b.windows(2).all(|w| w != b"__")
        && b.iter()
            .all(|&c| c == b'_' || c.is_ascii_lowercase() || c.is_ascii_digit())
        && !is_keyword(name)
}

/// Rust's strict and reserved keywords, which typify and progenitor suffix
/// with `_`; sorted (bytewise), for a binary search.
const KEYWORDS: &[&str] = &[
    "Self", "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn is_keyword(ident: &str) -> bool {
    // None is longer than 8 bytes.
    ident.len() <= 8 && KEYWORDS.binary_search(&ident).is_ok()
}

/// Whether `id` (a snake_case operation id) is one of the client's own members.
pub(crate) fn is_client_member(id: &str) -> bool {
    CLIENT_MEMBERS.contains(&progenitor_sanitize(id).as_str())
}

/// `base`, else the first of `base2`, `base3`… that is `free`.
pub(crate) fn numbered(base: &str, free: impl Fn(&str) -> bool) -> String {
    let mut name = base.to_owned();
    let mut n = 1;
    while !free(&name) {
        n += 1;
        name = format!("{base}{n}");
    }
    name
}

/// Operation ids that would be one of the client's own members get `_op`
/// (and a number, if that is taken too).
pub fn avoid_client_members<'a>(ids: impl Iterator<Item = &'a mut String>) {
    let mut ids: Vec<&mut String> = ids.collect();
    let rust = |id: &str| progenitor_sanitize(id);
    let mut taken: Vec<String> = ids.iter().map(|id| rust(id)).collect();
    for i in 0..ids.len() {
        if !CLIENT_MEMBERS.contains(&taken[i].as_str()) {
            continue;
        }
        let name = numbered(&format!("{}_op", ids[i]), |n| !taken.contains(&rust(n)));
        taken[i] = rust(&name);
        *ids[i] = name;
    }
}

/// The nullable-responses policy on one component: every property but the
/// pinned ones is `nullable` (a `$ref` cannot say so in OpenAPI 3.0) and
/// optional: a server may send `null`, and leave a property out when the
/// caller asks it to (Belvo's `fields` and `omit` parameters). Pinned
/// properties stay as inferred.
pub fn nullable_properties(schema: &mut Value, pinned: Option<&Vec<String>>) {
    let Value::Object(m) = schema else { return };
    let Some(Value::Object(props)) = m.get_mut("properties") else {
        return;
    };
    let mut unrequired = Vec::new();
    for (name, p) in props.iter_mut() {
        if pinned.is_some_and(|pins| pins.contains(name)) {
            continue;
        }
        unrequired.push(name.clone());
        if let Some(p) = p
            .as_object_mut()
            .filter(|p| !p.is_empty() && !p.contains_key("$ref"))
        {
            p.insert("nullable".into(), Value::Bool(true));
        }
    }
    if let Some(Value::Array(required)) = m.get_mut("required") {
        required.retain(|r| !unrequired.iter().any(|u| r == u.as_str()));
        if required.is_empty() {
            m.remove("required");
        }
    }
}

/// Makes the Rust names progenitor derives from parameters distinct (with
/// `body` when there is a request body, and the builder style's `new` and
/// `send`), and those of the properties of request bodies
/// ([`unique_properties`]): the first keeps its name and the others are
/// left out, which the schema's description says. Returns the notes of the
/// parameters left out (for the operation's description), then those of
/// the properties. (Wire names cannot be renamed: they are what the server
/// reads.)
pub fn unique_parameters(op: &mut Operation) -> (Vec<String>, Vec<String>) {
    let mut taken: HashMap<String, String> = HashMap::new();
    // The builder style's own methods on each operation's builder.
    for own in ["new", "send"] {
        taken.insert(own.into(), format!("the builder's `{own}` method"));
    }
    if op.request_body.is_some() {
        taken.insert("body".into(), "the request body".into());
    }
    let mut dropped = Vec::new();
    op.parameters.retain(|p| {
        let (name, location) = (&p.name, p.location);
        let rust = progenitor_sanitize(name);
        match taken.get(&rust) {
            // A path parameter cannot be left out: keep it, and the
            // document fails the build check with its name.
            Some(_) if location == "path" => true,
            Some(other) => {
                dropped.push(format!(
                    "{location} parameter `{name}` left out: its Rust name `{rust}` is taken by {other}"
                ));
                false
            }
            None => {
                taken.insert(rust, format!("the {location} parameter `{name}`"));
                true
            }
        }
    });
    let properties = (op.request_body.iter_mut())
        .flat_map(|body| body.content.values_mut())
        .flat_map(|m| unique_properties(&mut m.schema));
    (dropped, properties.collect())
}

/// Properties of `schema` (and of the schemas inside it) whose Rust field
/// names collide: the first, by name, stays. The notes the schemas'
/// descriptions get.
pub fn unique_properties(schema: &mut Value) -> Vec<String> {
    let Value::Object(m) = schema else {
        return Vec::new();
    };
    // This schema's notes first, then those of the schemas inside it.
    let (mut dropped, mut notes) = (Vec::new(), Vec::new());
    // Snake-case names are their own Rust names, and distinct.
    let props = m.get_mut("properties").and_then(Value::as_object_mut);
    if let Some(props) = props.filter(|p| !p.keys().all(|k| is_snake(k))) {
        let mut taken: HashMap<String, &str> = HashMap::with_capacity(props.len());
        for name in props.keys() {
            let first = *taken.entry(sanitize(name)).or_insert(name);
            if first != name.as_str() {
                dropped.push(name.clone());
                notes.push(format!(
                    "Property `{name}` left out: its Rust name is taken by `{first}`."
                ));
            }
        }
        for name in &dropped {
            props.remove(name);
        }
    }
    if !dropped.is_empty() {
        if let Some(Value::Array(required)) = m.get_mut("required") {
            required.retain(|r| !dropped.iter().any(|d| r == d.as_str()));
        }
        let description = m.get("description").and_then(Value::as_str);
        let description = noted(description, notes.join("\n"));
        m.insert("description".into(), description.into());
    }
    for (k, v) in m.iter_mut() {
        let subs: Vec<&mut Value> = match (k.as_str(), v) {
            ("properties", Value::Object(props)) => props.values_mut().collect(),
            ("items" | "additionalProperties", v) => vec![v],
            ("oneOf" | "anyOf" | "allOf", Value::Array(vs)) => vs.iter_mut().collect(),
            _ => continue,
        };
        notes.extend(subs.into_iter().flat_map(unique_properties));
    }
    notes
}
