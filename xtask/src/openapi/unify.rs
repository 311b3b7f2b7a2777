//! progenitor decodes all responses of one group (success, or error) into a
//! single type and panics otherwise; this makes that true.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use super::names::numbered;
use super::{Media, Response};
use crate::infer::node::{object, sort_variants};

const JSON: &str = "application/json";

/// The component schemas unions may refer to and the unions made so far.
pub struct Unions<'a> {
    /// Unions, by name.
    pub made: BTreeMap<String, Value>,
    /// Inferred components: name → their rank (`rank`: required properties,
    /// then all of them).
    pub inferred: &'a HashMap<String, usize>,
}

impl Unions<'_> {
    fn contains(&self, name: &str) -> bool {
        self.made.contains_key(name) || self.inferred.contains_key(name)
    }
}

/// The groups progenitor makes: successes (101, 2xx) and errors (4xx, 5xx);
/// `default` belongs to both, so when both have members besides it, the
/// three are one group.
pub fn unify_all(
    responses: &mut BTreeMap<String, Response>,
    op_pascal: &str,
    components: &mut Unions<'_>,
) {
    let code = |c: &str| c.parse::<u16>().ok();
    let success = |c: &str| code(c).is_some_and(|c| c == 101 || (200..300).contains(&c));
    let error = |c: &str| code(c).is_some_and(|c| (400..600).contains(&c));
    let has_default = responses.contains_key("default");
    let both =
        has_default && responses.keys().any(|c| success(c)) && responses.keys().any(|c| error(c));
    if both {
        let all = |c: &str| c == "default" || success(c) || error(c);
        unify(responses, all, (op_pascal, "Response"), components);
        return;
    }
    let with_default = |f: &dyn Fn(&str) -> bool, c: &str| c == "default" || f(c);
    unify(
        responses,
        |c| with_default(&success, c),
        (op_pascal, "Success"),
        components,
    );
    unify(
        responses,
        |c| with_default(&error, c),
        (op_pascal, "Error"),
        components,
    );
}

/// Differing JSON schemas of a group become one `oneOf` component (most
/// specific variant first), and members without JSON are declared with the
/// group's schema so they do not form a second kind. A group with no JSON at
/// all gets one text media type on every member, so that empty and text
/// responses agree too. `union_name` is the union's name in two parts.
fn unify(
    responses: &mut BTreeMap<String, Response>,
    in_group: impl Fn(&str) -> bool,
    union_name: (&str, &str),
    components: &mut Unions<'_>,
) {
    let mut members: Vec<String> = responses.keys().filter(|c| in_group(c)).cloned().collect();
    if members.len() < 2 {
        return;
    }
    let mut distinct: Vec<&Value> = Vec::new();
    for c in &members {
        if let Some(m) = responses.get(c).and_then(|r| r.content.get(JSON)) {
            if !distinct.contains(&&m.schema) {
                distinct.push(&m.schema);
            }
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
            for c in &members {
                if let Some(r) = responses.get_mut(c) {
                    if r.content.is_empty() {
                        r.content.insert(
                            media.clone(),
                            Media {
                                schema: schema.clone(),
                                ..Media::default()
                            },
                        );
                    }
                }
            }
        }
        return;
    }
    let group_schema = if distinct.len() == 1 {
        distinct[0].clone()
    } else {
        let mut variants: Vec<Value> = Vec::new();
        for s in distinct {
            // A bare union contributes its variants.
            let each = match s.get("oneOf").and_then(Value::as_array) {
                Some(vs) if s.as_object().is_some_and(|o| o.len() == 1) => vs.as_slice(),
                _ => std::slice::from_ref(s),
            };
            for v in each {
                if !variants.contains(v) {
                    variants.push(v.clone());
                }
            }
        }
        let mut scored: Vec<(usize, Value)> = variants
            .into_iter()
            .map(|v| (specificity(&v, Some(components)), v))
            .collect();
        sort_variants(&mut scored);
        let base = format!("{}{}", union_name.0, union_name.1);
        let name = numbered(&base, |n| !components.contains(n));
        let variants: Vec<Value> = scored.into_iter().map(|(_, v)| v).collect();
        let union = object([("oneOf", Value::Array(variants))]);
        components.made.insert(name.clone(), union);
        json!({"$ref": format!("#/components/schemas/{name}")})
    };
    for c in &members {
        if let Some(r) = responses.get_mut(c) {
            let media = r.content.entry(JSON.to_owned()).or_default();
            media.schema = group_schema.clone();
        }
    }
}

/// How much a schema pins down (a component's, through its `$ref`, when
/// `components` are given): its required properties, then all its
/// properties. Variants are tried most specific first.
fn specificity(v: &Value, components: Option<&Unions<'_>>) -> usize {
    if let (Some(r), Some(c)) = (v.get("$ref").and_then(Value::as_str), components) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return match c.inferred.get(name) {
            Some(s) => *s,
            None => c.made.get(name).map_or(0, |u| specificity(u, None)),
        };
    }
    if let Some(vs) = v.get("oneOf").and_then(Value::as_array) {
        let each = vs.iter().map(|x| specificity(x, components));
        return each.min().unwrap_or(0);
    }
    if let Some(items) = v.get("items") {
        return specificity(items, components);
    }
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        // Required properties first; then all of them: with the
        // nullable-responses policy most properties are optional, and an
        // object with fewer of them would match (and lose) a richer body,
        // since unknown fields are ignored.
        let required = v
            .get("required")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        return rank(required, props.len());
    }
    0
}

/// The specificity of an object with these counts of required and of all
/// properties.
pub(crate) fn rank(required: usize, properties: usize) -> usize {
    1 + required * 10_000 + properties
}
