//! progenitor decodes all responses of one group (success, or error) into a
//! single type and panics otherwise; this makes that true.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use super::names::numbered;
use super::{push_new, Media, Response};
use crate::infer::node::one_of;

const JSON: &str = "application/json";

/// A union some responses of an operation share: made with the operation
/// (on all cores), named in collection order.
pub struct Union {
    /// Its name before numbering (`{Op}Success`, `{Op}Error`, `{Op}Response`).
    base: String,
    /// `oneOf` its variants, most specific first.
    schema: Value,
    /// The statuses whose JSON schema it is.
    members: Vec<String>,
}

impl Union {
    /// Its name (`base`, else the first of `base2`, `base3`… that is
    /// `free`) and schema; the members' schemas become references to it.
    pub fn name(
        self,
        responses: &mut BTreeMap<String, Response>,
        free: impl Fn(&str) -> bool,
    ) -> (String, Value) {
        let name = numbered(&self.base, free);
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        set_schema(responses, &self.members, &reference);
        (name, self.schema)
    }
}

/// A `default` response with JSON beside successes without a body (a saved
/// 204 and an example without a code): in progenitor's success group too,
/// it would give the 204 its schema, and the client would fail to decode
/// every empty 204. It is kept for the statuses that are errors (`4XX` and
/// `5XX`, the examples under the first), and the note says so: beside a
/// success without a body, a body is rather an error's, and a success body
/// taken for one is still read (as the error of an unexpected status).
pub fn split_default(responses: &mut BTreeMap<String, Response>) -> Option<String> {
    let success = |c: &str| c.starts_with('2');
    let bodiless = responses
        .iter()
        .find(|(c, r)| success(c) && r.content.is_empty())?;
    let success_with_body = responses
        .iter()
        .any(|(c, r)| success(c) && !r.content.is_empty());
    if success_with_body || !responses.get("default")?.content.contains_key(JSON) {
        return None;
    }
    let code = bodiless.0.clone();
    let default = responses.remove("default")?;
    let note = format!(
        "the example without a status (`{}`) is the response of 4XX and 5XX, not `default`: \
         the client would read an empty {code} as its JSON",
        default.description
    );
    // The examples once, under 4XX.
    let schemas = (default.content.iter()).map(|(media, m)| {
        (
            media.clone(),
            Media {
                schema: m.schema.clone(),
                ..Media::default()
            },
        )
    });
    let server_errors = Response {
        content: schemas.collect(),
        description: default.description.clone(),
    };
    // (Response keys are numbers and `default` until now.)
    responses.insert("5XX".to_owned(), server_errors);
    responses.insert("4XX".to_owned(), default);
    Some(note)
}

/// The groups progenitor makes: successes (101, 2xx) and errors (4xx, 5xx);
/// `default` belongs to both, so when both have members besides it, the
/// three are one group.
pub fn unify_all(
    responses: &mut BTreeMap<String, Response>,
    op_pascal: &str,
    inferred: &HashMap<String, usize>,
) -> Vec<Union> {
    let code = |c: &str| c.parse::<u16>().ok();
    let success = |c: &str| code(c).is_some_and(|c| c == 101 || (200..300).contains(&c));
    // (`4XX` and `5XX` are made of a `default` by `split_default`.)
    let error =
        |c: &str| code(c).is_some_and(|c| (400..600).contains(&c)) || matches!(c, "4XX" | "5XX");
    let has_default = responses.contains_key("default");
    let both =
        has_default && responses.keys().any(|c| success(c)) && responses.keys().any(|c| error(c));
    let name = |group: &str| format!("{op_pascal}{group}");
    if both {
        let all = |c: &str| c == "default" || success(c) || error(c);
        return Vec::from_iter(unify(responses, all, name("Response"), inferred));
    }
    let successes = |c: &str| c == "default" || success(c);
    let first = unify(responses, successes, name("Success"), inferred);
    let errors = |c: &str| c == "default" || error(c);
    let second = unify(responses, errors, name("Error"), inferred);
    first.into_iter().chain(second).collect()
}

/// Differing JSON schemas of a group become one `oneOf` union (most
/// specific variant first), and members without JSON are declared with the
/// group's schema so they do not form a second kind. A group with no JSON at
/// all gets one text media type on every member, so that empty and text
/// responses agree too. `base` is the union's name before numbering.
fn unify(
    responses: &mut BTreeMap<String, Response>,
    in_group: impl Fn(&str) -> bool,
    base: String,
    inferred: &HashMap<String, usize>,
) -> Option<Union> {
    let mut members: Vec<String> = responses.keys().filter(|c| in_group(c)).cloned().collect();
    if members.len() < 2 {
        return None;
    }
    // Taken out: every member is given the group's schema in the end.
    let mut distinct: Vec<Value> = Vec::new();
    for c in &members {
        if let Some(m) = responses.get_mut(c).and_then(|r| r.content.get_mut(JSON)) {
            push_new(&mut distinct, std::mem::take(&mut m.schema));
        }
    }
    if distinct.is_empty() {
        // progenitor reads a 101 without JSON as a protocol upgrade, a kind
        // no other response can share: drop it next to other successes.
        if members.iter().any(|c| c == "101") {
            responses.remove("101");
            members.retain(|c| c != "101");
        }
        let text = members.iter().find_map(|c| {
            let (media, m) = responses.get(c)?.content.iter().next()?;
            Some((media.clone(), m.schema.clone()))
        });
        if let Some((media, schema)) = text {
            let empty = responses
                .iter_mut()
                .filter(|(c, r)| members.contains(c) && r.content.is_empty());
            for (_, r) in empty {
                r.content.entry(media.clone()).or_default().schema = schema.clone();
            }
        }
        return None;
    }
    if distinct.len() == 1 {
        set_schema(responses, &members, &distinct[0]);
        return None;
    }
    let mut variants: Vec<Value> = Vec::new();
    for mut s in distinct {
        // A bare union contributes its variants.
        let each = match s.as_object_mut().map(|o| (o.len(), o.get_mut("oneOf"))) {
            Some((1, Some(Value::Array(vs)))) => std::mem::take(vs),
            _ => vec![s],
        };
        each.into_iter().for_each(|v| push_new(&mut variants, v));
    }
    let scored = variants.into_iter().map(|v| (specificity(&v, inferred), v));
    Some(Union {
        base,
        schema: one_of(scored.collect()),
        members,
    })
}

/// Every member's JSON schema becomes `schema`.
fn set_schema(responses: &mut BTreeMap<String, Response>, members: &[String], schema: &Value) {
    for (_, r) in responses.iter_mut().filter(|(c, _)| members.contains(c)) {
        r.content.entry(JSON.to_owned()).or_default().schema = schema.clone();
    }
}

/// How much a schema pins down (an inferred component's, through its
/// `$ref`): its required properties, then all its properties. Variants are
/// tried most specific first.
fn specificity(v: &Value, inferred: &HashMap<String, usize>) -> usize {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return inferred.get(name).copied().unwrap_or(0);
    }
    if let Some(vs) = v.get("oneOf").and_then(Value::as_array) {
        let each = vs.iter().map(|x| specificity(x, inferred));
        return each.min().unwrap_or(0);
    }
    if let Some(items) = v.get("items") {
        return specificity(items, inferred);
    }
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        // Required properties first; then all of them: with the
        // nullable-responses policy most properties are optional, and an
        // object with fewer of them would match (and lose) a richer body,
        // since unknown fields are ignored.
        return rank(v["required"].as_array().map_or(0, Vec::len), props.len());
    }
    0
}

/// The specificity of an object with these counts of required and of all
/// properties.
pub(crate) fn rank(required: usize, properties: usize) -> usize {
    1 + required * 10_000 + properties
}
