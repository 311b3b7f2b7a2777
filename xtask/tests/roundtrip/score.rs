//! Round-trip fidelity: how much of an original OpenAPI document survives in
//! the one recovered from its Postman collection. A port of the scoring of
//! `score_openapi.py` (the project's background tools): the same dimensions,
//! weights and property-path rules.
//!
//! Dimensions (a ratio each; `None` when the original has nothing to count):
//! operations (method + path template, parameter names ignored), operation
//! ids (matched operations with a non-empty unique id), parameters (path and
//! query, by `in` and name), status codes (`default` left out: the score is
//! about what Postman examples can carry), bodies (schemas kept), request and
//! response property paths (recall over all original operations), types (JSON
//! type agrees on paths present on both sides), formats, and the F1 of the
//! `required` flag. Overall is the weighted mean of the dimensions that apply.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const MAX_DEPTH: usize = 14;

/// The dimensions and their weights, as in `score_openapi.py`.
pub const WEIGHTS: [(&str, f64); 10] = [
    ("operations", 0.20),
    ("operation_ids", 0.10),
    ("parameters", 0.05),
    ("status_codes", 0.10),
    ("bodies", 0.10),
    ("request_props", 0.10),
    ("response_props", 0.10),
    ("types", 0.125),
    ("formats", 0.075),
    ("required", 0.05),
];

/// A score: each dimension's ratio, and the weighted overall ratio.
#[derive(Debug, Clone)]
pub struct Score {
    pub dimensions: BTreeMap<&'static str, Option<f64>>,
    pub overall: f64,
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:5.1}", 100.0 * self.overall)?;
        for (name, _) in WEIGHTS {
            match self.dimensions[name] {
                Some(v) => write!(f, " {name} {:.1}", 100.0 * v)?,
                None => write!(f, " {name} n/a")?,
            }
        }
        Ok(())
    }
}

#[derive(Default, Clone, Copy)]
struct Ratio {
    hit: f64,
    total: f64,
}

impl Ratio {
    fn add(&mut self, hit: bool) {
        self.hit += f64::from(u8::from(hit));
        self.total += 1.0;
    }
    fn value(self) -> Option<f64> {
        (self.total > 0.0).then(|| self.hit / self.total)
    }
}

// ------------------------------------------------------------- references

fn pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let p = reference.strip_prefix('#')?;
    let decoded: Vec<String> = p
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    decoded.iter().try_fold(doc, |node, part| match node {
        Value::Object(m) => m.get(part),
        Value::Array(a) => a.get(part.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Follows `$ref` chains; `None` on a cycle or a dangling reference.
fn deref<'a>(doc: &'a Value, mut node: &'a Value, seen: &mut Vec<String>) -> Option<&'a Value> {
    while let Some(r) = node.get("$ref").and_then(Value::as_str) {
        if seen.iter().any(|s| s == r) || seen.len() > 50 {
            return None;
        }
        seen.push(r.to_owned());
        node = pointer(doc, r)?;
    }
    Some(node)
}

// ---------------------------------------------------------------- helpers

/// `/pets/{petId}` → `/pets/{}`.
fn norm_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut rest = p;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(['}', '/']) {
            Some(end) if after.as_bytes()[end] == b'}' => {
                out.push_str("{}");
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The path part of the first server's URL, variables removed.
fn server_base_path(doc: &Value) -> String {
    let Some(url) = doc["servers"][0]["url"].as_str() else {
        return String::new();
    };
    let path = match url.find("://") {
        Some(i)
            if url[..i]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'{') =>
        {
            let host_and_path = &url[i + 3..];
            host_and_path.find('/').map_or("", |j| &host_and_path[j..])
        }
        _ => url,
    };
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.trim_end_matches('/').to_owned()
}

fn norm_types(schema: &Value) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = match &schema["type"] {
        Value::String(t) if t != "null" => [t.clone()].into(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(str::to_owned)
            .collect(),
        _ => BTreeSet::new(),
    };
    if out.is_empty() {
        if schema.get("properties").is_some() || schema["additionalProperties"].is_object() {
            out.insert("object".into());
        } else if schema.get("items").is_some() {
            out.insert("array".into());
        }
    }
    out
}

/// The schema of the most JSON-like media type of a content map.
fn pick_media(content: &Value) -> Option<&Value> {
    let map = content.as_object()?;
    let rank = |k: &str| {
        let k = k.to_ascii_lowercase();
        if k.starts_with("application/json") {
            0
        } else if k.contains("json") {
            1
        } else if k == "*/*" || k == "application/*" {
            2
        } else if k.starts_with("application/x-www-form-urlencoded") || k.starts_with("multipart/")
        {
            3
        } else {
            4
        }
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by_key(|k| rank(k));
    keys.into_iter()
        .find_map(|k| map[k].get("schema").filter(|s| s.is_object()))
}

// ------------------------------------------------------------- flattening

#[derive(Debug, Default, Clone)]
struct Prop {
    types: BTreeSet<String>,
    formats: BTreeSet<String>,
    required: bool,
}

/// A schema with `$ref` resolved and `allOf` merged, and its variants.
struct View {
    fields: serde_json::Map<String, Value>,
    variants: Vec<Value>,
}

fn merged_view(doc: &Value, schema: &Value, seen: &mut Vec<String>) -> View {
    let Some(schema) = deref(doc, schema, seen).and_then(Value::as_object) else {
        return View {
            fields: serde_json::Map::new(),
            variants: vec![],
        };
    };
    let mut fields: serde_json::Map<String, Value> = schema
        .iter()
        .filter(|(k, _)| *k != "allOf")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut props = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut required: Vec<Value> = schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut extra_variants = vec![];
    for sub in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let sub = merged_view(doc, sub, &mut seen.clone());
        if let Some(p) = sub.fields.get("properties").and_then(Value::as_object) {
            props.extend(p.clone());
        }
        if let Some(r) = sub.fields.get("required").and_then(Value::as_array) {
            required.extend(r.iter().cloned());
        }
        for key in ["type", "format", "items", "additionalProperties"] {
            if !fields.contains_key(key) {
                if let Some(v) = sub.fields.get(key) {
                    fields.insert(key.into(), v.clone());
                }
            }
        }
        extra_variants.extend(sub.variants);
    }
    if !props.is_empty() {
        fields.insert("properties".into(), Value::Object(props));
    }
    if !required.is_empty() {
        fields.insert("required".into(), Value::Array(required));
    }
    let mut variants = vec![];
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(v)) = fields.remove(key) {
            variants.extend(v);
        }
    }
    if !extra_variants.is_empty() {
        // The Python merges a sub-schema's variants into `anyOf`, which then
        // joins the variants of the view.
        variants.extend(extra_variants);
    }
    View { fields, variants }
}

fn flatten(doc: &Value, schema: &Value) -> BTreeMap<String, Prop> {
    let mut out = BTreeMap::new();
    flatten_into(doc, schema, "$", &mut out, false, &[], 0);
    out
}

fn flatten_into(
    doc: &Value,
    schema: &Value,
    path: &str,
    out: &mut BTreeMap<String, Prop>,
    required: bool,
    seen: &[String],
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let mut seen = seen.to_vec();
    let view = merged_view(doc, schema, &mut seen);
    let fields = Value::Object(view.fields);
    let rec = out.entry(path.to_owned()).or_default();
    rec.required |= required;
    rec.types.extend(norm_types(&fields));
    if let Some(f) = fields["format"].as_str() {
        rec.formats.insert(f.to_owned());
    }
    let required_names: BTreeSet<&str> = fields["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if let Some(props) = fields["properties"].as_object() {
        if rec.types.is_empty() {
            rec.types.insert("object".into());
        }
        for (name, sub) in props {
            let req = required_names.contains(name.as_str());
            flatten_into(
                doc,
                sub,
                &format!("{path}.{name}"),
                out,
                req,
                &seen,
                depth + 1,
            );
        }
    }
    if let Some(addl) = fields["additionalProperties"]
        .as_object()
        .filter(|m| !m.is_empty())
    {
        let addl = Value::Object(addl.clone());
        flatten_into(
            doc,
            &addl,
            &format!("{path}.{{*}}"),
            out,
            false,
            &seen,
            depth + 1,
        );
    }
    if fields["items"].is_object() {
        flatten_into(
            doc,
            &fields["items"],
            &format!("{path}[]"),
            out,
            false,
            &seen,
            depth + 1,
        );
    }
    for branch in &view.variants {
        flatten_into(doc, branch, path, out, required, &seen, depth + 1);
    }
}

// ------------------------------------------------------------- operations

struct Operation {
    operation_id: Option<String>,
    params: BTreeSet<(String, String)>,
    request: Option<Value>,
    responses: BTreeMap<String, Option<Value>>,
}

fn collect_ops(doc: &Value) -> BTreeMap<(String, String), Operation> {
    let mut ops = BTreeMap::new();
    for (raw_path, item) in doc["paths"].as_object().into_iter().flatten() {
        let Some(item) = deref(doc, item, &mut vec![]) else {
            continue;
        };
        let shared = item["parameters"].as_array().cloned().unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method).filter(|o| o.is_object()) else {
                continue;
            };
            let mut params = BTreeSet::new();
            let own = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in shared.iter().chain(&own) {
                let Some(p) = deref(doc, p, &mut vec![]) else {
                    continue;
                };
                if let Some(place @ ("path" | "query")) = p["in"].as_str() {
                    let name = p["name"].as_str().unwrap_or("None").to_owned();
                    params.insert((place.to_owned(), name));
                }
            }
            let request = deref(doc, &op["requestBody"], &mut vec![])
                .and_then(|rb| pick_media(&rb["content"]))
                .cloned();
            let mut responses = BTreeMap::new();
            for (code, resp) in op["responses"].as_object().into_iter().flatten() {
                let code = if code.eq_ignore_ascii_case("default") {
                    "default".to_owned()
                } else {
                    code.to_ascii_uppercase()
                };
                let schema = deref(doc, resp, &mut vec![])
                    .and_then(|r| pick_media(&r["content"]))
                    .cloned();
                responses.insert(code, schema);
            }
            let key = (method.to_ascii_uppercase(), norm_path(raw_path));
            ops.insert(
                key,
                Operation {
                    operation_id: op["operationId"].as_str().map(str::to_owned),
                    params,
                    request,
                    responses,
                },
            );
        }
    }
    ops
}

/// Original key → recovered key; falls back to stripping the original server
/// base path from recovered paths.
fn match_ops(
    orig: &BTreeMap<(String, String), Operation>,
    rec: &BTreeMap<(String, String), Operation>,
    orig_doc: &Value,
) -> BTreeMap<(String, String), (String, String)> {
    let base = norm_path(&server_base_path(orig_doc));
    let mut stripped = BTreeMap::new();
    for (m, p) in rec.keys() {
        if let Some(rest) = p
            .strip_prefix(&format!("{base}/"))
            .filter(|_| !base.is_empty())
        {
            stripped
                .entry((m.clone(), format!("/{rest}")))
                .or_insert_with(|| (m.clone(), p.clone()));
        }
    }
    orig.keys()
        .filter_map(|k| {
            if rec.contains_key(k) {
                Some((k.clone(), k.clone()))
            } else {
                stripped.get(k).map(|r| (k.clone(), r.clone()))
            }
        })
        .collect()
}

// ----------------------------------------------------------------- score

#[derive(Default)]
struct Dims {
    d: BTreeMap<&'static str, Ratio>,
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Dims {
    fn add(&mut self, dim: &'static str, hit: bool) {
        self.d.entry(dim).or_default().add(hit);
    }

    fn bodies(
        &mut self,
        orig: &Value,
        rec: &Value,
        o_schema: Option<&Value>,
        r_schema: Option<&Value>,
        dim_props: &'static str,
    ) {
        let Some(o_schema) = o_schema else { return };
        self.add("bodies", r_schema.is_some());
        let of = flatten(orig, o_schema);
        let rf = r_schema.map(|s| flatten(rec, s)).unwrap_or_default();
        for p in of.keys().filter(|p| *p != "$") {
            self.add(dim_props, rf.contains_key(p));
        }
        for (p, o) in &of {
            let Some(r) = rf.get(p) else { continue };
            if !o.types.is_empty() {
                self.add("types", !o.types.is_disjoint(&r.types));
            }
            if !o.formats.is_empty() {
                self.add("formats", !o.formats.is_disjoint(&r.formats));
            }
            if p != "$" {
                self.tp += u32::from(o.required && r.required);
                self.fp += u32::from(!o.required && r.required);
                self.fn_ += u32::from(o.required && !r.required);
            }
        }
    }
}

/// Scores `recovered` against `original`.
pub fn score(original: &Value, recovered: &Value) -> Score {
    let o_ops = collect_ops(original);
    let r_ops = collect_ops(recovered);
    let mapping = match_ops(&o_ops, &r_ops, original);
    let mut dims = Dims::default();
    let mut id_counts: BTreeMap<&str, usize> = BTreeMap::new();
    for op in r_ops.values() {
        if let Some(id) = op.operation_id.as_deref().filter(|i| !i.is_empty()) {
            *id_counts.entry(id).or_default() += 1;
        }
    }
    for key in o_ops.keys() {
        let rk = mapping.get(key);
        dims.add("operations", rk.is_some());
        if let Some(rk) = rk {
            let id = r_ops[rk].operation_id.as_deref();
            let unique = id.is_some_and(|i| !i.trim().is_empty() && id_counts[i] == 1);
            dims.add("operation_ids", unique);
        }
    }
    for (key, o) in &o_ops {
        let r = mapping.get(key).map(|rk| &r_ops[rk]);
        for pk in &o.params {
            dims.add("parameters", r.is_some_and(|r| r.params.contains(pk)));
        }
        let r_request = r.and_then(|r| r.request.as_ref());
        dims.bodies(
            original,
            recovered,
            o.request.as_ref(),
            r_request,
            "request_props",
        );
        for (code, o_schema) in &o.responses {
            if code == "default" {
                continue;
            }
            let r_schema = r.and_then(|r| r.responses.get(code));
            dims.add("status_codes", r_schema.is_some());
            dims.bodies(
                original,
                recovered,
                o_schema.as_ref(),
                r_schema.and_then(Option::as_ref),
                "response_props",
            );
        }
    }
    let mut dimensions: BTreeMap<&'static str, Option<f64>> = WEIGHTS
        .iter()
        .map(|(name, _)| (*name, dims.d.get(name).and_then(|r| r.value())))
        .collect();
    if dims.tp + dims.fn_ > 0 {
        let (tp, fp, fn_) = (f64::from(dims.tp), f64::from(dims.fp), f64::from(dims.fn_));
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let recall = tp / (tp + fn_);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        dimensions.insert("required", Some(f1));
    }
    let (sum, weights) = WEIGHTS
        .iter()
        .filter_map(|(name, w)| dimensions[name].map(|v| (v * w, *w)))
        .fold((0.0, 0.0), |(s, ws), (v, w)| (s + v, ws + w));
    Score {
        dimensions,
        overall: if weights > 0.0 { sum / weights } else { 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_compared_without_parameter_names() {
        assert_eq!(norm_path("/pets/{petId}/x/{id}"), "/pets/{}/x/{}");
        assert_eq!(norm_path("/a{b/c}"), "/a{b/c}");
        assert_eq!(
            server_base_path(&json!({"servers": [{"url": "https://{r}.x.com:{port}/v2/"}]})),
            "/v2"
        );
    }
}
