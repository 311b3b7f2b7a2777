//! Postman model → OpenAPI 3.0.3 document.
//!
//! Hand-written: existing converters lose types, operation ids and path
//! variables, or emit documents progenitor refuses (see the crate README). The
//! output here is shaped for progenitor 0.15: every operation has an
//! `operationId`, every media type a schema, and the success and the error
//! responses of one operation each decode into one type.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::error::{ConvertError, Location};
use crate::json::Json;
use crate::parallel::{par_map, par_map_consume, threads};
use crate::postman::{self, Auth, Body, Example, KeyValue, Request};
use crate::schema::{self, pascal, Claim, Node, Registry};

/// Hand decisions applied on top of the inferred document, kept in a JSON
/// file next to the collection (`openapi/belvo.overrides.json`).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `info.title`.
    pub title: Option<String>,
    /// `info.version` (progenitor sends it as the `api-version` header).
    pub version: Option<String>,
    /// Component renames, inferred name → chosen name.
    pub schema_names: BTreeMap<String, String>,
    /// JSON merge patches (RFC 7386) applied to components, by final name.
    pub schema_patches: BTreeMap<String, Value>,
}

impl Overrides {
    /// Reads the overrides file.
    ///
    /// # Errors
    /// Invalid JSON, unknown keys, or values of the wrong type.
    pub fn parse(bytes: &[u8]) -> Result<Self, ConvertError> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| {
            ConvertError::Overrides(format!(
                "invalid JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                postman::json_message(&e)
            ))
        })?;
        let obj = v
            .as_object()
            .ok_or_else(|| ConvertError::Overrides("the top level must be an object".into()))?;
        let mut out = Overrides::default();
        for (k, v) in obj {
            let string = |what: &str| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ConvertError::Overrides(format!("`{what}` must be a string")))
            };
            match k.as_str() {
                "$comment" => {}
                "title" => out.title = Some(string("title")?),
                "version" => out.version = Some(string("version")?),
                "schema_names" => {
                    let m = v.as_object().ok_or_else(|| {
                        ConvertError::Overrides(
                            "`schema_names` must be an object of strings".into(),
                        )
                    })?;
                    for (from, to) in m {
                        let to = to.as_str().filter(|t| is_identifier(t)).ok_or_else(|| {
                            ConvertError::Overrides(format!(
                                "schema_names.{from} must be a PascalCase identifier string"
                            ))
                        })?;
                        out.schema_names.insert(from.clone(), to.to_owned());
                    }
                }
                "schema_patches" => {
                    let m = v.as_object().ok_or_else(|| {
                        ConvertError::Overrides("`schema_patches` must be an object".into())
                    })?;
                    out.schema_patches = m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                }
                other => {
                    return Err(ConvertError::Overrides(format!(
                    "unknown key `{other}` (expected title, version, schema_names, schema_patches)"
                )))
                }
            }
        }
        Ok(out)
    }
}

fn is_identifier(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// What the converter needs besides the collection.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How the input is named in the generated note (e.g. its path).
    pub source: String,
    /// Hand decisions.
    pub overrides: Overrides,
}

/// Converts a Postman collection (bytes) into an OpenAPI 3.0.3 document.
///
/// # Errors
/// See [`ConvertError`]: every error names the item or JSON location.
pub fn convert(bytes: &[u8], opts: &Options) -> Result<Value, ConvertError> {
    let Parts {
        mut doc,
        paths,
        schemas,
        names,
        registry,
        written: _,
        input: _,
    } = build(bytes, opts, false)?;
    let schemas: Map<String, Value> = schemas
        .into_iter()
        .map(|(k, c)| {
            let v = match c {
                Comp::Inferred(id) => schema::to_schema(registry.node(id), &names, &registry),
                Comp::Built(v) => v,
            };
            (k, v)
        })
        .collect();
    doc.insert(
        "paths".into(),
        Value::Object(
            paths
                .into_iter()
                .map(|(k, ops)| {
                    let ops = ops
                        .into_iter()
                        .map(|(method, op)| (method, op.to_value()))
                        .collect();
                    (k, Value::Object(ops))
                })
                .collect(),
        ),
    );
    if !schemas.is_empty() {
        if let Some(Value::Object(c)) = doc.get_mut("components") {
            c.insert("schemas".into(), Value::Object(schemas));
        }
    }
    Ok(Value::Object(doc))
}

/// Converts a Postman collection (bytes) straight into the document text:
/// the same text as `render(&convert(bytes, opts)?)`, without building the
/// whole document as one `Value`: each operation is written and freed in
/// turn, and inferred components are written straight from their nodes.
///
/// # Errors
/// See [`convert`].
pub fn convert_to_string(bytes: &[u8], opts: &Options) -> Result<String, ConvertError> {
    Ok(render_parts(build(bytes, opts, true)?))
}

/// Inferred components written one after another into one buffer (at their
/// indent under `components/schemas`): thousands of small texts, each grown
/// on its own, had cost more allocations than the components themselves.
#[derive(Default)]
struct Written {
    text: Vec<u8>,
    /// Where each component is in `text`, by registry index (`None`: not
    /// written, a hand patch changes it).
    spans: Vec<Option<std::ops::Range<usize>>>,
}

/// The document in pieces: the small top level (`components` holds only the
/// security schemes, and `paths` is missing), the paths, and the schemas.
struct Parts {
    doc: Map<String, Value>,
    /// Path → method → operation.
    paths: BTreeMap<String, BTreeMap<String, Op>>,
    schemas: BTreeMap<String, Comp>,
    /// Inferred components already written; empty when none were.
    written: Written,
    /// Names of the inferred components.
    names: Vec<String>,
    /// The inferred components.
    registry: Registry,
    /// The parsed collection, kept to be freed off the critical path.
    input: postman::Collection,
}

/// The document in [`Parts`]; `write_components` also writes the inferred
/// components out as text while the operations are built (for
/// [`render_parts`]).
fn build(bytes: &[u8], opts: &Options, write_components: bool) -> Result<Parts, ConvertError> {
    let coll = postman::parse(bytes)?;
    let vars: HashMap<&str, Option<&str>> = coll
        .variables
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();

    let mut servers = Servers::default();
    let mut security = Security::default();
    let top_security = coll.auth.as_ref().and_then(|a| security.requirement(a));
    let mut ops: Vec<OpDraft> = Vec::with_capacity(coll.requests.len());
    // The request that took each id and route (its location is made only
    // for an error).
    let mut ids: HashMap<String, &Request> = HashMap::new();
    let mut routes: HashMap<(String, String), &Request> = HashMap::new();
    let mut registry = Registry::default();

    // Drafting (example bodies parsed and inferred) is independent per
    // request and runs on several threads; what follows needs the drafts in
    // collection order and takes each as soon as it and those before it are
    // ready. The first error in that order is the one reported.
    let mut failed: Option<ConvertError> = None;
    let mut accept = |drafted| {
        let (req, drafted): (&Request, Result<OpDraft, ConvertError>) = drafted;
        servers.add(&req.url, &vars, &|| req.location(".request.url"))?;
        let mut op = drafted?;
        if let Some(first) = ids.get(&op.id) {
            return Err(ConvertError::Duplicate {
                what: format!("operationId `{}`", op.id),
                first: first.location(""),
                second: req.location(""),
            });
        }
        ids.insert(op.id.clone(), req);
        let route = (op.method.clone(), op.path.clone());
        if let Some(first) = routes.get(&route) {
            return Err(ConvertError::Duplicate {
                what: format!("`{} {}`", op.method.to_ascii_uppercase(), op.path),
                first: first.location(""),
                second: req.location(""),
            });
        }
        routes.insert(route, req);
        let req_security = req.auth.as_ref().and_then(|a| security.requirement(a));
        op.security = match (&top_security, req_security) {
            (top, mine) if *top == mine => None,
            (_, Some(mine)) => Some(mine),
            (Some(_), None) => Some(json!([])),
            (None, None) => None,
        };
        if let Some(Auth::ApiKey { name, .. }) = &req.auth {
            op.params.retain(|p| {
                !p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
        }
        // Extract named components from every inferred body.
        let op_pascal = pascal(&op.id);
        if let Some(BodyDraft::Json { node, .. }) = op.body.as_mut() {
            registry.extract(node, &[(Claim::Fallback, format!("{op_pascal}Request"))]);
        }
        let resource = op
            .path
            .split('/')
            .rfind(|s| !s.is_empty() && !s.contains('{'))
            .map(|s| pascal(&schema::singular(s)));
        let item_endpoint = op
            .path
            .split('/')
            .rfind(|s| !s.is_empty())
            .is_some_and(|s| s.contains('{'));
        for (code, resp) in op.responses.iter_mut() {
            let Some(node) = resp.json.as_mut() else {
                continue;
            };
            let claims = if (200..300).contains(code) {
                // An object wrapping an array of objects (a page of results)
                // is the list of the resource, not the resource; not so on an
                // item endpoint (`/invoices/{id}` with its `lines`).
                let wrapper = !item_endpoint
                    && matches!(&node.kind, schema::Kind::Object(o)
                    if o.props.values().any(|p| matches!(&p.node.kind,
                        schema::Kind::Array(items) if matches!(items.kind, schema::Kind::Object(_)))));
                match (&resource, wrapper) {
                    (Some(r), false) => vec![(Claim::Context, r.clone())],
                    (Some(r), true) => vec![(Claim::Context, format!("{r}List"))],
                    (None, _) => vec![(Claim::Fallback, format!("{op_pascal}Response"))],
                }
            } else {
                vec![
                    (Claim::Context, pascal(&resp.description)),
                    (Claim::Generic, "Error".to_owned()),
                ]
            };
            registry.extract(node, &claims);
        }
        ops.push(op);
        Ok(())
    };
    par_map_consume(
        coll.requests.iter().collect(),
        8,
        threads(),
        |req| (req, draft(req)),
        |drafted| {
            if failed.is_none() {
                failed = accept(drafted).err();
            }
        },
    );
    if let Some(e) = failed {
        return Err(e);
    }

    // Names: inferred, then renamed by hand.
    let mut names = registry.names();
    for (from, to) in &opts.overrides.schema_names {
        let i = names.iter().position(|n| n == from).ok_or_else(|| {
            ConvertError::Overrides(format!(
                "schema_names: no inferred schema is named `{from}` (inferred: {})",
                names.join(", ")
            ))
        })?;
        if names.iter().enumerate().any(|(j, n)| j != i && n == to) {
            return Err(ConvertError::Overrides(format!(
                "schema_names: `{to}` is already the name of another schema"
            )));
        }
        names[i] = to.clone();
    }
    // Inferred components stay nodes until they are written out.
    let mut components = Components {
        map: names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), Comp::Inferred(i)))
            .collect(),
        names: &names,
        reg: &registry,
    };
    let (names_ref, registry_ref) = (&names, &registry);

    // Paths: the operations are built on several threads, then their
    // responses unified in collection order (unions become components).
    // Unification runs on one thread; meanwhile another writes out the
    // inferred components that no hand patch will change (they are final).
    let mut paths: BTreeMap<String, BTreeMap<String, Op>> = BTreeMap::new();
    let written = std::thread::scope(|s| {
        let writer = (write_components && threads() > 1).then(|| {
            s.spawn(|| {
                let mut w = Written::default();
                for (id, name) in names_ref.iter().enumerate() {
                    let span = (!opts.overrides.schema_patches.contains_key(name)).then(|| {
                        let start = w.text.len();
                        write_node(
                            registry_ref.node(id),
                            names_ref,
                            registry_ref,
                            3,
                            &mut w.text,
                        );
                        start..w.text.len()
                    });
                    w.spans.push(span);
                }
                w
            })
        });
        par_map_consume(
            ops,
            16,
            threads(),
            |op| emit_operation(op, names_ref, registry_ref),
            |b| {
                let (path, method) = (b.path.clone(), b.method.clone());
                let op = b.finish(&mut components);
                paths.entry(path).or_default().insert(method, op);
            },
        );
        writer.map_or_else(Written::default, |w| {
            w.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    });

    for (name, patch) in &opts.overrides.schema_patches {
        let known = components
            .map
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let target = components.get_mut(name).ok_or_else(|| {
            ConvertError::Overrides(format!(
                "schema_patches: no schema is named `{name}` (schemas: {known})"
            ))
        })?;
        merge_patch(target, patch);
    }

    let mut doc = Map::new();
    doc.insert("openapi".into(), "3.0.3".into());
    let mut info = Map::new();
    info.insert(
        "title".into(),
        opts.overrides
            .title
            .clone()
            .unwrap_or_else(|| coll.name.clone())
            .into(),
    );
    info.insert(
        "version".into(),
        opts.overrides
            .version
            .clone()
            .unwrap_or_else(|| "1.0.0".into())
            .into(),
    );
    let note = format!(
        "Generated by `cargo xtask sync-postman` from `{}`; do not edit by hand.",
        opts.source
    );
    info.insert(
        "description".into(),
        match &coll.description {
            Some(d) => format!("{d}\n\n{note}"),
            None => note,
        }
        .into(),
    );
    doc.insert("info".into(), Value::Object(info));
    doc.insert("servers".into(), servers.emit());
    let used_folders: std::collections::HashSet<&[String]> =
        coll.requests.iter().map(|r| r.folders.as_slice()).collect();
    let tags: Vec<Value> = coll
        .folders
        .iter()
        .filter(|f| used_folders.contains(f.path.as_slice()))
        .map(|f| {
            let mut t = Map::new();
            t.insert("name".into(), f.path.join(" / ").into());
            if let Some(d) = &f.description {
                t.insert("description".into(), d.clone().into());
            }
            Value::Object(t)
        })
        .collect();
    drop(used_folders);
    if !tags.is_empty() {
        doc.insert("tags".into(), Value::Array(tags));
    }
    let mut comp = Map::new();
    if !security.schemes.is_empty() {
        comp.insert("securitySchemes".into(), Value::Object(security.schemes));
    }
    let schemas = components.map;
    if !comp.is_empty() || !schemas.is_empty() {
        doc.insert("components".into(), Value::Object(comp));
    }
    if let Some(top) = top_security {
        doc.insert("security".into(), top);
    }
    Ok(Parts {
        doc,
        paths,
        schemas,
        written,
        names,
        registry,
        input: coll,
    })
}

/// A component schema: an inferred node (by registry index), or a value
/// (a union, or a component patched by hand).
enum Comp {
    Inferred(usize),
    Built(Value),
}

/// The component schemas by final name while the document is built.
struct Components<'a> {
    map: BTreeMap<String, Comp>,
    names: &'a [String],
    reg: &'a Registry,
}

impl Components<'_> {
    fn contains_key(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    fn insert(&mut self, name: String, value: Value) {
        self.map.insert(name, Comp::Built(value));
    }

    /// [`value_specificity`] of the component's schema, without building it
    /// as a value when it is still an inferred node.
    fn specificity(&self, name: &str) -> Option<usize> {
        Some(match self.map.get(name)? {
            Comp::Inferred(id) => inferred_specificity(self.reg.node(*id)),
            Comp::Built(v) => value_specificity(v, None),
        })
    }

    /// The schema of a component as a value that can be changed in place.
    fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        let c = self.map.get_mut(name)?;
        if let Comp::Inferred(id) = *c {
            *c = Comp::Built(schema::to_schema(self.reg.node(id), self.names, self.reg));
        }
        match c {
            Comp::Built(v) => Some(v),
            Comp::Inferred(_) => None,
        }
    }
}

/// Writes `schema::to_schema(node, names, reg)` as [`write_canonical`] would,
/// without building the value.
fn write_node(node: &Node, names: &[String], reg: &Registry, depth: usize, out: &mut Vec<u8>) {
    use schema::{Format, Kind, Scalar};
    let mut first = true;
    // Keys here are fixed words with nothing to escape: written as they are.
    let mut key = |k: &str, out: &mut Vec<u8>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        newline(depth + 1, out);
        out.push(b'"');
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b"\": ");
    };
    match &node.kind {
        Kind::Any => {
            out.extend_from_slice(b"{}");
            return;
        }
        Kind::OneOf(_) => {
            write_canonical(&schema::to_schema(node, names, reg), depth, out);
            return;
        }
        Kind::Ref(id) => {
            out.push(b'{');
            key("$ref", out);
            if needs_escape(names[*id].as_bytes()) {
                write_string(&format!("#/components/schemas/{}", names[*id]), out);
            } else {
                out.extend_from_slice(b"\"#/components/schemas/");
                out.extend_from_slice(names[*id].as_bytes());
                out.push(b'"');
            }
        }
        Kind::Scalar(t, f) => {
            out.push(b'{');
            if let Format::Known(f) = f {
                key("format", out);
                write_string(f, out);
            }
            if node.nullable {
                key("nullable", out);
                out.extend_from_slice(b"true");
            }
            key("type", out);
            out.extend_from_slice(match t {
                Scalar::String => b"\"string\"",
                Scalar::Integer => b"\"integer\"",
                Scalar::Number => b"\"number\"",
                Scalar::Boolean => b"\"boolean\"",
            });
        }
        Kind::Array(items) => {
            out.push(b'{');
            key("items", out);
            write_node(items, names, reg, depth + 1, out);
            if node.nullable {
                key("nullable", out);
                out.extend_from_slice(b"true");
            }
            key("type", out);
            out.extend_from_slice(b"\"array\"");
        }
        Kind::Object(o) => {
            out.push(b'{');
            if let Some(a) = &o.additional {
                key("additionalProperties", out);
                write_node(a, names, reg, depth + 1, out);
            }
            if node.nullable {
                key("nullable", out);
                out.extend_from_slice(b"true");
            }
            if !o.props.is_empty() {
                key("properties", out);
                out.push(b'{');
                for (i, (k, p)) in o.props.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    newline(depth + 2, out);
                    write_string(k, out);
                    out.extend_from_slice(b": ");
                    write_node(&p.node, names, reg, depth + 2, out);
                }
                newline(depth + 1, out);
                out.push(b'}');
                let mut required = o.props.iter().filter(|(_, p)| schema::is_required(o, p));
                if let Some((k, _)) = required.next() {
                    key("required", out);
                    out.push(b'[');
                    newline(depth + 2, out);
                    write_string(k, out);
                    for (k, _) in required {
                        out.push(b',');
                        newline(depth + 2, out);
                        write_string(k, out);
                    }
                    newline(depth + 1, out);
                    out.push(b']');
                }
            }
            key("type", out);
            out.extend_from_slice(b"\"object\"");
        }
    }
    newline(depth, out);
    out.push(b'}');
}

/// Writes the document held in [`Parts`] exactly as [`render`] writes the
/// assembled document. Each operation and component is written, then freed,
/// in turn; inferred components are written straight from their nodes.
fn render_parts(parts: Parts) -> String {
    let Parts {
        doc,
        paths,
        schemas,
        written,
        names: names_owned,
        registry: registry_owned,
        input,
    } = parts;
    let (names, registry) = (&names_owned, &registry_owned);
    // The two big maps are written piece by piece on several threads (each
    // piece at its final indent), then joined in order.
    let has_schemas = !schemas.is_empty();
    let mut schemas = Some(par_map(
        schemas.into_iter().collect(),
        64,
        threads(),
        |(name, comp)| {
            if let Comp::Inferred(id) = comp {
                if let Some(Some(span)) = written.spans.get(id) {
                    return (name, Cow::Borrowed(&written.text[span.clone()]));
                }
            }
            let mut text = Vec::new();
            match comp {
                Comp::Built(v) => write_canonical(&v, 3, &mut text),
                Comp::Inferred(id) => write_node(registry.node(id), names, registry, 3, &mut text),
            }
            (name, Cow::Owned(text))
        },
    ));
    // The parsed collection and the inferred components are no longer
    // needed: another thread frees them while the paths are written.
    let mut paths = Some(std::thread::scope(|s| {
        if threads() > 1 {
            s.spawn(move || drop((input, names_owned, registry_owned)));
        } else {
            drop((input, names_owned, registry_owned));
        }
        par_map(paths.into_iter().collect(), 16, threads(), |(path, ops)| {
            // Sized for the examples it holds and a few KiB for the rest, so
            // that it seldom grows (growing copies it, into memory the
            // kernel has to clear first).
            let mut text = Vec::with_capacity(
                ops.values()
                    .map(|op| op.examples_len() + OPERATION_TEXT_ESTIMATE)
                    .sum(),
            );
            text.push(b'{');
            for (m, (method, op)) in ops.into_iter().enumerate() {
                if m > 0 {
                    text.push(b',');
                }
                newline(OPERATION_INDENT, &mut text);
                write_string(&method, &mut text);
                text.extend_from_slice(b": ");
                op.write(&mut text);
            }
            newline(2, &mut text);
            text.push(b'}');
            (path, Cow::Owned(text))
        })
    }));
    // Writes a map of keys and value texts.
    let write_map = |entries: Vec<(String, Cow<[u8]>)>, depth: usize, out: &mut Vec<u8>| {
        out.push(b'{');
        let any = !entries.is_empty();
        for (i, (key, value)) in entries.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            newline(depth + 1, out);
            write_string(&key, out);
            out.extend_from_slice(b": ");
            out.extend_from_slice(&value);
        }
        if any {
            newline(depth, out);
        }
        out.push(b'}');
    };
    // Sized once: growing by doubling copied the whole document again.
    let pieces: usize = [&schemas, &paths]
        .iter()
        .flat_map(|m| m.iter().flatten())
        .map(|(k, v)| k.len() + v.len() + 16)
        .sum();
    let mut out = Vec::with_capacity(pieces + (1 << 16));
    let mut top: Vec<(&String, Option<&Value>)> = doc.iter().map(|(k, v)| (k, Some(v))).collect();
    let paths_key = "paths".to_owned();
    top.push((&paths_key, None));
    top.sort_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    for (i, (k, v)) in top.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        newline(1, &mut out);
        write_string(k, &mut out);
        out.extend_from_slice(b": ");
        match (k.as_str(), v) {
            ("paths", None) => write_map(paths.take().unwrap_or_default(), 1, &mut out),
            ("components", Some(Value::Object(c))) => {
                let mut entries: Vec<(&str, Option<&Value>)> =
                    c.iter().map(|(k, v)| (k.as_str(), Some(v))).collect();
                if has_schemas {
                    entries.push(("schemas", None));
                }
                entries.sort_by(|a, b| a.0.cmp(b.0));
                out.push(b'{');
                for (j, (ck, cv)) in entries.into_iter().enumerate() {
                    if j > 0 {
                        out.push(b',');
                    }
                    newline(2, &mut out);
                    write_string(ck, &mut out);
                    out.extend_from_slice(b": ");
                    match cv {
                        Some(v) => write_canonical(v, 2, &mut out),
                        None => write_map(schemas.take().unwrap_or_default(), 2, &mut out),
                    }
                }
                newline(1, &mut out);
                out.push(b'}');
            }
            (_, Some(v)) => write_canonical(v, 1, &mut out),
            (_, None) => out.extend_from_slice(b"null"),
        }
    }
    newline(0, &mut out);
    out.push(b'}');
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// A line break and the indent of `depth` (two spaces a level), copied
/// from one constant line: it is written for every member and element.
fn newline(depth: usize, out: &mut Vec<u8>) {
    const LINE: [u8; 129] = {
        let mut line = [b' '; 129];
        line[0] = b'\n';
        line
    };
    match LINE.get(..1 + 2 * depth) {
        Some(line) => out.extend_from_slice(line),
        None => {
            out.push(b'\n');
            out.resize(out.len() + 2 * depth, b' ');
        }
    }
}

/// Renders a document the same way on every run and platform: keys sorted,
/// numbers in one canonical form, two-space indent, LF, final newline (the
/// layout of `serde_json::to_string_pretty`).
///
/// Written straight from the borrowed document, not from a sorted copy of
/// it: on a 2,000-request collection the copy cost as much as the conversion.
pub fn render(doc: &Value) -> String {
    let mut out = Vec::with_capacity(1 << 16);
    write_canonical(doc, 0, &mut out);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

fn write_canonical(v: &Value, indent: usize, out: &mut Vec<u8>) {
    match v {
        Value::Object(m) => write_object(m, indent, out),
        Value::Array(a) => write_items(a, indent, out, write_canonical),
        Value::String(s) => write_string(s, out),
        Value::Number(n) => write_number(n, out),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Null => out.extend_from_slice(b"null"),
    }
}

/// Writes an array of `items` at `indent`, each with `write`.
fn write_items<T>(
    items: &[T],
    indent: usize,
    out: &mut Vec<u8>,
    write: fn(&T, usize, &mut Vec<u8>),
) {
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return;
    }
    out.push(b'[');
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        newline(indent + 1, out);
        write(v, indent + 1, out);
    }
    newline(indent, out);
    out.push(b']');
}

/// Writes `v` exactly as [`write_canonical`] writes the `Value` read from the
/// same text (a [`Json`] object is already sorted, each key once).
fn write_json(v: &Json<'_>, indent: usize, out: &mut Vec<u8>) {
    match v {
        Json::Object(m) if m.is_empty() => out.extend_from_slice(b"{}"),
        Json::Object(m) => {
            out.push(b'{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                newline(indent + 1, out);
                write_string(k, out);
                out.extend_from_slice(b": ");
                write_json(v, indent + 1, out);
            }
            newline(indent, out);
            out.push(b'}');
        }
        Json::Array(a) => write_items(a, indent, out, write_json),
        Json::String(s) => write_string(s, out),
        Json::Number(n) => write_number(n, out),
        Json::Bool(true) => out.extend_from_slice(b"true"),
        Json::Bool(false) => out.extend_from_slice(b"false"),
        Json::Null => out.extend_from_slice(b"null"),
    }
}

/// Writes an object as [`write_canonical`] does: members sorted by key.
fn write_object(m: &Map<String, Value>, indent: usize, out: &mut Vec<u8>) {
    let mut members = Members::open(indent, out);
    let mut member = |k: &str, v: &Value, out: &mut Vec<u8>| {
        members.key(k, out);
        write_canonical(v, indent + 1, out);
    };
    if map_iterates_sorted() {
        for (k, v) in m {
            member(k, v, out);
        }
    } else {
        let mut entries: Vec<(&String, &Value)> = m.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (k, v) in entries {
            member(k, v, out);
        }
    }
    members.end(out);
}

/// serde_json's map iterates in key order unless a crate in the build turns
/// on its `preserve_order` feature; found out once, not per object.
fn map_iterates_sorted() -> bool {
    static SORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SORTED.get_or_init(|| {
        let mut m = Map::new();
        m.insert("b".into(), Value::Null);
        m.insert("a".into(), Value::Null);
        m.keys().next().is_some_and(|k| k == "a")
    })
}

/// A JSON string literal, escaped by serde_json (writing to a Vec cannot
/// fail). serde_json escapes exactly the control characters, `"` and `\\`;
/// most strings of a document have none, and are copied whole instead of
/// byte by byte through its escaper.
fn write_string(s: &str, out: &mut Vec<u8>) {
    if needs_escape(s.as_bytes()) {
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// Whether `s` holds a byte serde_json escapes (below 0x20, `"` or `\\`),
/// eight bytes at a time (the "has a byte less than / equal to" word tricks;
/// each is exact as a yes/no answer).
fn needs_escape(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH != 0;
    let mut words = s.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let v = u64::from_le_bytes(b);
        let below_space = v.wrapping_sub(ONES * 0x20) & !v & HIGH != 0;
        if below_space
            || has_zero(v ^ (ONES * u64::from(b'"')))
            || has_zero(v ^ (ONES * u64::from(b'\\')))
        {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

fn write_number(n: &serde_json::Number, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, &canonical_number(n));
}

/// Numbers are written from their value, not their source text, so the output
/// is the same whether or not serde_json's `arbitrary_precision` is on.
fn canonical_number(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }
}

fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

// ------------------------------------------------------------------ drafting

struct OpDraft {
    id: String,
    method: String,
    path: String,
    summary: String,
    description: Option<String>,
    tag: Option<String>,
    params: Vec<Value>,
    body: Option<BodyDraft>,
    responses: BTreeMap<u16, RespDraft>,
    security: Option<Value>,
}

enum BodyDraft {
    Json {
        node: Node,
        /// The example, written at [`BODY_EXAMPLE_INDENT`] (none for `null`).
        example: Option<String>,
    },
    Fixed {
        media: String,
        schema: Value,
        example: Option<Value>,
        extensions: Map<String, Value>,
    },
}

struct RespDraft {
    description: String,
    json: Option<Node>,
    /// Name and value text (written at [`EXAMPLE_VALUE_INDENT`]).
    json_examples: Vec<(String, String)>,
    text: Option<(String, Vec<(String, String)>)>,
}

/// Everything of one operation that depends on its request alone (the
/// servers are collected by the caller, in collection order).
fn draft(req: &Request) -> Result<OpDraft, ConvertError> {
    let (path, path_params) = path_template(&req.url.path, &|| req.location(".request.url"))?;
    let mut params = Vec::new();
    for name in &path_params {
        let var = req.url.variables.iter().find(|v| &v.key == name);
        let mut p = param(
            name,
            "path",
            var.and_then(|v| v.value.as_deref()),
            var.and_then(|v| v.description.as_deref()),
        );
        p.insert("required".into(), Value::Bool(true));
        params.push(Value::Object(p));
    }
    let mut seen: Vec<String> = Vec::new();
    for q in &req.url.query {
        if seen.contains(&q.key) {
            continue;
        }
        seen.push(q.key.clone());
        params.push(Value::Object(kv_param(q, "query")));
    }
    let mut seen_headers: Vec<String> = Vec::new();
    for h in &req.headers {
        let lower = h.key.to_ascii_lowercase();
        if matches!(lower.as_str(), "content-type" | "accept" | "authorization")
            || seen_headers.contains(&lower)
        {
            continue;
        }
        seen_headers.push(lower);
        params.push(Value::Object(kv_param(h, "header")));
    }
    let body = req
        .body
        .as_ref()
        .map(|b| body_draft(b, req))
        .transpose()?
        .flatten();
    let mut responses: BTreeMap<u16, RespDraft> = BTreeMap::new();
    for ex in &req.examples {
        add_example(
            responses.entry(ex.code).or_insert_with(|| RespDraft {
                description: ex.name.clone(),
                json: None,
                json_examples: Vec::new(),
                text: None,
            }),
            ex,
        );
    }
    let mut words = req.folders.clone();
    words.push(req.name.clone());
    let mut id = snake(&words.join(" "));
    if id.is_empty() {
        id = snake(&format!("{} {}", req.method, path));
    }
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "op_");
    }
    Ok(OpDraft {
        id,
        method: req.method.to_ascii_lowercase(),
        path,
        summary: req.name.clone(),
        description: req.description.clone(),
        tag: (!req.folders.is_empty()).then(|| req.folders.join(" / ")),
        params,
        body,
        responses,
        security: None,
    })
}

fn add_example(resp: &mut RespDraft, ex: &Example) {
    let Some(text) = &ex.body else { return };
    let says_json = match (&ex.content_type, &ex.preview_language) {
        (Some(ct), _) => ct.contains("json"),
        (None, Some(lang)) => lang == "json",
        (None, None) => true,
    };
    if says_json {
        if let Ok(v) = serde_json::from_str::<Json>(text) {
            let node = schema::infer(&v);
            resp.json = Some(match resp.json.take() {
                Some(prev) => schema::merge(prev, node),
                None => node,
            });
            let mut text = Vec::with_capacity(text.len() * 2);
            write_json(&v, EXAMPLE_VALUE_INDENT, &mut text);
            drop(v);
            resp.json_examples
                .push((ex.name.clone(), String::from_utf8(text).unwrap_or_default()));
            return;
        }
    }
    let media = ex
        .content_type
        .clone()
        .filter(|c| !c.contains("json"))
        .unwrap_or_else(|| "text/plain".to_owned());
    let entry = resp.text.get_or_insert_with(|| (media, Vec::new()));
    entry.1.push((ex.name.clone(), text.clone()));
}

fn body_draft(body: &Body, req: &Request) -> Result<Option<BodyDraft>, ConvertError> {
    Ok(Some(match body {
        Body::Raw { text, language } => {
            let json_declared = language.as_deref() == Some("json")
                || (language.is_none()
                    && req.headers.iter().any(|h| {
                        h.key.eq_ignore_ascii_case("content-type")
                            && h.value.as_deref().is_some_and(|v| v.contains("json"))
                    }));
            let quoted;
            let parsed = match serde_json::from_str::<Json>(text) {
                Err(_) if json_declared => {
                    quoted = quote_variables(text);
                    serde_json::from_str::<Json>(&quoted)
                }
                parsed => parsed,
            };
            match parsed {
                Ok(v) if json_declared || language.is_none() => BodyDraft::Json {
                    node: schema::infer(&v),
                    example: body_example_text(&v),
                },
                _ => {
                    let mut extensions = Map::new();
                    if let Some(l) = language {
                        extensions.insert("x-postman-raw-language".into(), l.clone().into());
                    }
                    // progenitor takes text/plain (not xml, html …) for raw bodies.
                    BodyDraft::Fixed {
                        media: "text/plain".into(),
                        schema: json!({"type": "string"}),
                        example: Some(text.clone().into()),
                        extensions,
                    }
                }
            }
        }
        Body::UrlEncoded(fields) => form(fields, "urlencoded"),
        Body::FormData(fields) => form(fields, "formdata"),
        Body::File => BodyDraft::Fixed {
            media: "application/octet-stream".into(),
            schema: json!({"type": "string", "format": "binary"}),
            example: None,
            extensions: Map::new(),
        },
        Body::GraphQl { query, variables } => {
            let vars = variables
                .as_deref()
                .and_then(|v| serde_json::from_str::<Value>(v).ok())
                .unwrap_or_else(|| json!({}));
            let example = Json::from(&json!({"query": query, "variables": vars}));
            BodyDraft::Json {
                node: schema::infer(&example),
                example: body_example_text(&example),
            }
        }
    }))
}

/// A request body's example as text, or none for `null` (which would say
/// nothing).
fn body_example_text(v: &Json<'_>) -> Option<String> {
    if v.is_null() {
        return None;
    }
    let mut out = Vec::new();
    write_json(v, BODY_EXAMPLE_INDENT, &mut out);
    String::from_utf8(out).ok()
}

/// Postman JSON bodies often hold bare `{{var}}` (e.g. `{"n": {{count}}}`):
/// quote them so the rest of the body can still be typed.
fn quote_variables(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !in_string && rest.starts_with("{{") {
            if let Some(end) = rest.find("}}") {
                out.push('"');
                out.push_str(&rest[..end + 2]);
                out.push('"');
                rest = &rest[end + 2..];
                continue;
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
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
        let (schema, is_required, _) = if f.is_file {
            (
                json!({"type": "string", "format": "binary"}),
                kv_required(f),
                None,
            )
        } else {
            let (s, r, d) = value_schema(f);
            (s, r, d)
        };
        let mut s = schema;
        if let Some(d) = f
            .description
            .as_deref()
            .map(strip_required)
            .filter(|d| !d.is_empty())
        {
            s["description"] = d.into();
        }
        if is_required {
            required.push(Value::from(f.key.as_str()));
        }
        props.insert(f.key.clone(), s);
    }
    let mut schema = json!({"type": "object", "properties": props});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    let mut extensions = Map::new();
    if mode == "formdata" {
        extensions.insert("x-postman-body-mode".into(), "formdata".into());
    }
    BodyDraft::Fixed {
        media: "application/x-www-form-urlencoded".into(),
        schema,
        example: None,
        extensions,
    }
}

fn is_required_text(d: &str) -> bool {
    d.contains("(Required)")
}

/// "(Required)" in the description, unless the entry is disabled: Postman
/// does not send a disabled entry, so it cannot be required.
fn kv_required(kv: &KeyValue) -> bool {
    !kv.disabled && kv.description.as_deref().is_some_and(is_required_text)
}

fn strip_required(d: &str) -> String {
    d.replace("(Required)", "").trim().to_owned()
}

/// Schema, required flag and example for a query/header/form value.
fn value_schema(kv: &KeyValue) -> (Value, bool, Option<Value>) {
    let required = kv_required(kv);
    let (schema, example) = scalar_schema(kv.value.as_deref());
    (schema, required, example)
}

fn scalar_schema(value: Option<&str>) -> (Value, Option<Value>) {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return (json!({"type": "string"}), None);
    };
    if let Some((t, f)) = schema::placeholder(v) {
        let node = Node::scalar(t, f);
        return (schema::to_schema(&node, &[], &Registry::default()), None);
    }
    if v.contains("{{") {
        return (json!({"type": "string"}), None);
    }
    // Concrete values give their JSON type only, never a format.
    let plain_int =
        v.parse::<i64>().is_ok() && !(v.len() > 1 && (v.starts_with('0') || v.starts_with("-0")));
    let (ty, example) = if plain_int {
        ("integer", v.parse::<i64>().map(Value::from).ok())
    } else if v == "true" || v == "false" {
        ("boolean", Some(Value::Bool(v == "true")))
    } else {
        ("string", Some(Value::from(v)))
    };
    (json!({"type": ty}), example)
}

fn param(
    name: &str,
    location: &str,
    value: Option<&str>,
    description: Option<&str>,
) -> Map<String, Value> {
    let (schema, example) = scalar_schema(value);
    let mut p = Map::new();
    p.insert("name".into(), name.into());
    p.insert("in".into(), location.into());
    if let Some(d) = description.map(strip_required).filter(|d| !d.is_empty()) {
        p.insert("description".into(), d.into());
    }
    p.insert("schema".into(), schema);
    if let Some(e) = example {
        p.insert("example".into(), e);
    }
    p
}

fn kv_param(kv: &KeyValue, location: &str) -> Map<String, Value> {
    let mut p = param(
        &kv.key,
        location,
        kv.value.as_deref(),
        kv.description.as_deref(),
    );
    p.insert("required".into(), Value::Bool(kv_required(kv)));
    p
}

/// `["api", ":id", "{{v}}", ""]` → `/api/{id}/{v}/` and the parameter names.
fn path_template(
    segments: &[String],
    loc: &dyn Fn() -> Location,
) -> Result<(String, Vec<String>), ConvertError> {
    let mut out = String::new();
    let mut names: Vec<String> = Vec::new();
    let add_name = |n: &str, names: &mut Vec<String>| -> Result<(), ConvertError> {
        let ok = !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        if !ok {
            return Err(ConvertError::invalid(
                loc(),
                format!("path variable `{n}` is not a usable name"),
            ));
        }
        if !names.iter().any(|x| x == n) {
            names.push(n.to_owned());
        }
        Ok(())
    };
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() && i + 1 != segments.len() {
            continue; // `a//b`
        }
        out.push('/');
        if let Some(name) = seg.strip_prefix(':') {
            add_name(name, &mut names)?;
            out.push('{');
            out.push_str(name);
            out.push('}');
            continue;
        }
        let mut rest = seg.as_str();
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find("}}")
                .map(|e| start + e)
                .unwrap_or(rest.len());
            let name = rest[start + 2..end].trim();
            add_name(name, &mut names)?;
            out.push('{');
            out.push_str(name);
            out.push('}');
            rest = rest.get(end + 2..).unwrap_or("");
        }
        if rest.contains(['{', '}']) {
            return Err(ConvertError::invalid(
                loc(),
                format!("path segment `{seg}` has a stray brace"),
            ));
        }
        out.push_str(rest);
    }
    if out.is_empty() {
        out.push('/');
    }
    Ok((out, names))
}

/// `Balances Resume` → `balances_resume`; `listBalances` → `list_balances`.
pub fn snake(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.join("_")
}

// ------------------------------------------------------------------- servers

#[derive(Default)]
struct Servers {
    list: Vec<(String, BTreeMap<String, String>)>,
}

impl Servers {
    fn add(
        &mut self,
        url: &postman::Url,
        vars: &HashMap<&str, Option<&str>>,
        loc: &dyn Fn() -> Location,
    ) -> Result<(), ConvertError> {
        let Some(host) = url.host.as_deref().filter(|h| !h.is_empty()) else {
            return Ok(());
        };
        let mut variables = BTreeMap::new();
        let whole_var = host
            .strip_prefix("{{")
            .and_then(|h| h.strip_suffix("}}"))
            .filter(|h| !h.contains("{{"));
        let mut server = match whole_var
            .and_then(|v| vars.get(v).copied().flatten())
            .filter(|v| !v.is_empty())
        {
            // `{{baseUrl}}` with a value: the value is the server.
            Some(value) if url.protocol.is_none() => value.trim_end_matches('/').to_owned(),
            _ => {
                let mut s = String::new();
                let mut rest = host;
                while let Some(start) = rest.find("{{") {
                    s.push_str(&rest[..start]);
                    let end = rest[start..].find("}}").map(|e| start + e).ok_or_else(|| {
                        ConvertError::invalid(loc(), format!("cannot parse host `{host}`"))
                    })?;
                    let name = rest[start + 2..end].trim().to_owned();
                    let default = vars
                        .get(name.as_str())
                        .copied()
                        .flatten()
                        .unwrap_or("")
                        .to_owned();
                    s.push('{');
                    s.push_str(&name);
                    s.push('}');
                    variables.insert(name, default);
                    rest = &rest[end + 2..];
                }
                s.push_str(rest);
                let scheme_in_host =
                    s.contains("://") || (whole_var.is_some() && url.protocol.is_none());
                match &url.protocol {
                    Some(p) => format!("{}://{s}", p.replace("{{", "{").replace("}}", "}")),
                    None if scheme_in_host => s,
                    None => format!("https://{s}"),
                }
            }
        };
        if let Some(port) = &url.port {
            server.push(':');
            server.push_str(port);
        }
        if !self.list.iter().any(|(s, _)| *s == server) {
            self.list.push((server, variables));
        }
        Ok(())
    }

    fn emit(&self) -> Value {
        if self.list.is_empty() {
            return json!([{"url": "/"}]);
        }
        Value::Array(
            self.list
                .iter()
                .map(|(url, vars)| {
                    let mut s = Map::new();
                    s.insert("url".into(), url.clone().into());
                    if !vars.is_empty() {
                        let v: Map<String, Value> = vars
                            .iter()
                            .map(|(k, d)| (k.clone(), json!({"default": d})))
                            .collect();
                        s.insert("variables".into(), Value::Object(v));
                    }
                    Value::Object(s)
                })
                .collect(),
        )
    }
}

// ------------------------------------------------------------------ security

#[derive(Default)]
struct Security {
    schemes: Map<String, Value>,
}

impl Security {
    /// The security requirement for an auth, registering its scheme.
    fn requirement(&mut self, auth: &Auth) -> Option<Value> {
        let (base, scheme) = match auth {
            Auth::NoAuth => return Some(json!([])),
            Auth::Basic => ("basicAuth", json!({"type": "http", "scheme": "basic"})),
            Auth::Bearer => ("bearerAuth", json!({"type": "http", "scheme": "bearer"})),
            Auth::Digest => ("digestAuth", json!({"type": "http", "scheme": "digest"})),
            Auth::ApiKey { name, location } => (
                "apiKeyAuth",
                json!({"type": "apiKey", "in": location, "name": name}),
            ),
            Auth::OAuth2 {
                token_url: Some(t), ..
            } => (
                "oauth2Auth",
                json!({"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": t, "scopes": {}}}}),
            ),
            Auth::OAuth2 {
                auth_url: Some(a), ..
            } => (
                "oauth2Auth",
                json!({"type": "oauth2", "flows": {"implicit": {"authorizationUrl": a, "scopes": {}}}}),
            ),
            Auth::OAuth2 { .. } => ("oauth2Auth", json!({"type": "http", "scheme": "bearer"})),
            Auth::Other(kind) => (
                "customAuth",
                json!({"type": "apiKey", "in": "header", "name": "Authorization",
                       "description": format!("Postman auth type `{kind}`")}),
            ),
        };
        let mut name = base.to_owned();
        let mut n = 1;
        loop {
            match self.schemes.get(&name) {
                Some(existing) if *existing == scheme => break,
                Some(_) => {
                    n += 1;
                    name = format!("{base}{n}");
                }
                None => {
                    self.schemes.insert(name.clone(), scheme);
                    break;
                }
            }
        }
        Some(json!([{ name: [] }]))
    }
}

// ------------------------------------------------------------------ emission

/// An operation whose responses still need [`unify`] (which names unions
/// after the components built so far, so it runs in collection order).
struct Built {
    path: String,
    method: String,
    op_pascal: String,
    op: Op,
}

/// An operation, written as text but for its responses, which [`unify`]
/// may still change; [`Op::write`] writes the whole. Building it as a
/// `serde_json::Value` (a map per response, its content and each media
/// type) and writing that had cost more than the rest of emission.
struct Op {
    /// `{` and the members before `responses`, at [`OPERATION_INDENT`].
    head: Vec<u8>,
    responses: BTreeMap<u16, Resp>,
    /// The members after `responses`, each after its comma.
    tail: Vec<u8>,
    /// Status code, media type and `examples` of each response.
    examples: Vec<(String, String, Vec<ExampleText>)>,
}

/// A response of an [`Op`].
struct Resp {
    description: String,
    /// Media types, sorted, with their schemas.
    content: Vec<(String, RespSchema)>,
}

/// The schema of one media type of a response, as text at
/// [`RESPONSE_SCHEMA_INDENT`]: texts at one indent are equal exactly when
/// the schemas are, so [`unify`] compares texts.
enum RespSchema {
    /// Inferred from the examples: the node (a union needs it as a value)
    /// and its text.
    Inferred(Node, Vec<u8>),
    /// Any other schema.
    Written(Vec<u8>),
}

impl RespSchema {
    /// A schema given as a value.
    fn of(v: &Value) -> Self {
        let mut t = Vec::new();
        write_canonical(v, RESPONSE_SCHEMA_INDENT, &mut t);
        RespSchema::Written(t)
    }

    /// `{"type": "string"}`, for text.
    fn string() -> Self {
        RespSchema::of(&json!({"type": "string"}))
    }

    /// The schema as a value.
    fn value(&self, components: &Components<'_>) -> Value {
        match self {
            RespSchema::Inferred(node, _) => {
                schema::to_schema(node, components.names, components.reg)
            }
            RespSchema::Written(t) => serde_json::from_slice(t).unwrap_or(Value::Null),
        }
    }

    fn text(&self) -> &[u8] {
        match self {
            RespSchema::Inferred(_, t) | RespSchema::Written(t) => t,
        }
    }

    /// A copy (of the text).
    fn duplicate(&self) -> RespSchema {
        RespSchema::Written(self.text().to_vec())
    }
}

impl Resp {
    fn json(&self) -> Option<&RespSchema> {
        self.content
            .iter()
            .find(|(m, _)| m == "application/json")
            .map(|(_, s)| s)
    }

    /// Sets the schema of media type `media`, adding it in order if missing.
    fn set(&mut self, media: &str, schema: RespSchema) {
        match self
            .content
            .binary_search_by(|(m, _)| m.as_str().cmp(media))
        {
            Ok(i) => self.content[i].1 = schema,
            Err(i) => self.content.insert(i, (media.to_owned(), schema)),
        }
    }
}

/// Writes members of an object one after another in the layout of
/// [`write_canonical`], each as `"key": ` followed by what the caller writes.
struct Members {
    indent: usize,
    first: bool,
}

impl Members {
    /// Writes `{`; members go at `indent + 1`.
    fn open(indent: usize, out: &mut Vec<u8>) -> Self {
        out.push(b'{');
        Members {
            indent,
            first: true,
        }
    }

    /// After members written by someone else (the next gets a comma).
    fn after_others(indent: usize) -> Self {
        Members {
            indent,
            first: false,
        }
    }

    fn key(&mut self, k: &str, out: &mut Vec<u8>) {
        if !std::mem::take(&mut self.first) {
            out.push(b',');
        }
        newline(self.indent + 1, out);
        write_string(k, out);
        out.extend_from_slice(b": ");
    }

    fn end(self, out: &mut Vec<u8>) {
        if self.first {
            out.push(b'}');
        } else {
            newline(self.indent, out);
            out.push(b'}');
        }
    }
}

fn emit_operation(op: OpDraft, names: &[String], reg: &Registry) -> Built {
    const MEMBER: usize = OPERATION_INDENT + 1;
    let mut head = Vec::with_capacity(1024);
    let mut m = Members::open(OPERATION_INDENT, &mut head);
    if let Some(d) = &op.description {
        m.key("description", &mut head);
        write_string(d, &mut head);
    }
    m.key("operationId", &mut head);
    write_string(&op.id, &mut head);
    if !op.params.is_empty() {
        m.key("parameters", &mut head);
        write_items(&op.params, MEMBER, &mut head, write_canonical);
    }
    if let Some(body) = op.body {
        m.key("requestBody", &mut head);
        match body {
            BodyDraft::Json { node, example } => {
                // {"content": {"application/json": {"example", "schema"}}, "required": true}
                let mut rb = Members::open(MEMBER, &mut head);
                rb.key("content", &mut head);
                let mut content = Members::open(MEMBER + 1, &mut head);
                content.key("application/json", &mut head);
                let mut media = Members::open(MEMBER + 2, &mut head);
                if let Some(e) = &example {
                    media.key("example", &mut head);
                    head.extend_from_slice(e.as_bytes());
                }
                media.key("schema", &mut head);
                write_node(&node, names, reg, BODY_EXAMPLE_INDENT, &mut head);
                media.end(&mut head);
                content.end(&mut head);
                rb.key("required", &mut head);
                head.extend_from_slice(b"true");
                rb.end(&mut head);
            }
            BodyDraft::Fixed {
                media,
                schema,
                example,
                extensions,
            } => {
                let mut m = extensions;
                m.insert("schema".into(), schema);
                if let Some(e) = example {
                    m.insert("example".into(), e);
                }
                m.retain(|_, v| !v.is_null());
                // Built by hand: `json!` would copy `m` (and its example) through serde.
                let mut content = Map::new();
                content.insert(media, Value::Object(m));
                let mut request_body = Map::new();
                request_body.insert("required".into(), Value::Bool(true));
                request_body.insert("content".into(), Value::Object(content));
                write_canonical(&Value::Object(request_body), MEMBER, &mut head);
            }
        }
    }
    let mut tail = Vec::with_capacity(256);
    let mut t = Members::after_others(OPERATION_INDENT);
    if let Some(s) = &op.security {
        t.key("security", &mut tail);
        write_canonical(s, MEMBER, &mut tail);
    }
    t.key("summary", &mut tail);
    write_string(&op.summary, &mut tail);
    if let Some(tag) = &op.tag {
        t.key("tags", &mut tail);
        write_items(std::slice::from_ref(tag), MEMBER, &mut tail, |t, _, out| {
            write_string(t, out)
        });
    }

    let mut examples_out = Vec::new();
    let mut responses: BTreeMap<u16, Resp> = BTreeMap::new();
    for (code, r) in op.responses {
        let mut resp = Resp {
            description: r.description,
            content: Vec::new(),
        };
        if let Some(node) = r.json {
            let mut text = Vec::new();
            write_node(&node, names, reg, RESPONSE_SCHEMA_INDENT, &mut text);
            resp.set("application/json", RespSchema::Inferred(node, text));
            examples_out.push((
                code.to_string(),
                "application/json".to_owned(),
                examples(r.json_examples),
            ));
        }
        if let Some((media, list)) = r.text {
            let list = list
                .into_iter()
                .map(|(n, t)| {
                    let mut v = Vec::new();
                    write_string(&t, &mut v);
                    (n, String::from_utf8(v).unwrap_or_default())
                })
                .collect();
            resp.set(&media, RespSchema::string());
            examples_out.push((code.to_string(), media, examples(list)));
        }
        responses.insert(code, resp);
    }
    if responses.is_empty() {
        // OpenAPI requires at least one response; say nothing about its body.
        responses.insert(
            200,
            Resp {
                description: "No saved example response".into(),
                content: Vec::new(),
            },
        );
    }
    Built {
        op_pascal: pascal(&op.id),
        path: op.path,
        method: op.method,
        op: Op {
            head,
            responses,
            tail,
            examples: examples_out,
        },
    }
}

impl Built {
    fn finish(self, components: &mut Components<'_>) -> Op {
        let Built {
            op_pascal, mut op, ..
        } = self;
        unify(
            &mut op.responses,
            |c| c == 101 || (200..300).contains(&c),
            (&op_pascal, "Success"),
            components,
        );
        unify(
            &mut op.responses,
            |c| (400..600).contains(&c),
            (&op_pascal, "Error"),
            components,
        );
        // Nodes are no longer needed, only their texts.
        for r in op.responses.values_mut() {
            for (_, s) in r.content.iter_mut() {
                if let RespSchema::Inferred(_, t) = s {
                    *s = RespSchema::Written(std::mem::take(t));
                }
            }
        }
        op
    }
}

/// Indent of an operation object in the document (`paths` → path → method).
const OPERATION_INDENT: usize = 3;
/// Indent of a request body's `example` and `schema` (→ `requestBody` →
/// `content` → media).
const BODY_EXAMPLE_INDENT: usize = OPERATION_INDENT + 4;
/// Indent of a response's `examples` and `schema` (→ `responses` → code →
/// `content` → media).
const RESPONSE_EXAMPLES_INDENT: usize = OPERATION_INDENT + 5;
/// Indent of a response's `schema`.
const RESPONSE_SCHEMA_INDENT: usize = RESPONSE_EXAMPLES_INDENT;
/// Indent of one example's `value` (→ example name → `value`).
const EXAMPLE_VALUE_INDENT: usize = RESPONSE_EXAMPLES_INDENT + 2;

/// Bytes an operation takes in the document besides its examples (3.5 KiB
/// on average in the benchmark collection): a guess for sizing buffers,
/// never a limit.
const OPERATION_TEXT_ESTIMATE: usize = 4096;

/// One of a response's `examples`: its key, its summary (the name of the
/// saved example) and its value, written at [`EXAMPLE_VALUE_INDENT`].
/// Examples are most of the document: writing each while drafting lets its
/// parsed body be freed at once, on the thread that parsed it, instead of
/// carrying 10⁵ small values to the end.
struct ExampleText {
    key: String,
    summary: String,
    value: String,
}

impl Op {
    /// Bytes of example text held.
    fn examples_len(&self) -> usize {
        self.examples
            .iter()
            .flat_map(|(_, _, list)| list)
            .map(|e| e.key.len() + e.summary.len() + e.value.len())
            .sum()
    }

    fn examples(&self, code: &str, media: &str) -> Option<&[ExampleText]> {
        self.examples
            .iter()
            .find(|(c, m, _)| c == code && m == media)
            .map(|(_, _, list)| list.as_slice())
    }

    /// Writes the operation at [`OPERATION_INDENT`], as `write_canonical`
    /// writes its value.
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.head);
        let mut m = Members::after_others(OPERATION_INDENT);
        m.key("responses", out);
        // Keys are status codes as text, in the order of the text.
        let mut codes: Vec<(String, &Resp)> = self
            .responses
            .iter()
            .map(|(c, r)| (c.to_string(), r))
            .collect();
        codes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut rs = Members::open(OPERATION_INDENT + 1, out);
        for (code, r) in &codes {
            rs.key(code, out);
            let mut fields = Members::open(OPERATION_INDENT + 2, out);
            if !r.content.is_empty() {
                fields.key("content", out);
                let mut medias = Members::open(OPERATION_INDENT + 3, out);
                for (media, schema) in &r.content {
                    medias.key(media, out);
                    let mut inner = Members::open(OPERATION_INDENT + 4, out);
                    if let Some(list) = self.examples(code, media) {
                        inner.key("examples", out);
                        write_examples(list, out);
                    }
                    inner.key("schema", out);
                    out.extend_from_slice(schema.text());
                    inner.end(out);
                }
                medias.end(out);
            }
            fields.key("description", out);
            write_string(&r.description, out);
            fields.end(out);
        }
        rs.end(out);
        out.extend_from_slice(&self.tail);
        newline(OPERATION_INDENT, out);
        out.push(b'}');
    }

    /// The operation as a value (for [`convert`]): its text, read back.
    fn to_value(&self) -> Value {
        let mut text = Vec::new();
        self.write(&mut text);
        serde_json::from_slice(&text).unwrap_or(Value::Null)
    }
}

/// A response's `examples`, sorted by key, from example names and value
/// texts; a name used twice gets ` (2)`, ` (3)`… .
fn examples(list: Vec<(String, String)>) -> Vec<ExampleText> {
    // A response has a handful of examples: searching them all is cheaper
    // than a map allocated per response. Many get a set.
    let mut out: Vec<ExampleText> = Vec::with_capacity(list.len());
    let mut taken: Option<std::collections::HashSet<String>> =
        (list.len() > 16).then(std::collections::HashSet::new);
    for (summary, value) in list {
        let mut key = summary.clone();
        let mut n = 1;
        while match &taken {
            Some(set) => set.contains(&key),
            None => out.iter().any(|e| e.key == key),
        } {
            n += 1;
            key = format!("{summary} ({n})");
        }
        if let Some(set) = &mut taken {
            set.insert(key.clone());
        }
        out.push(ExampleText {
            key,
            summary,
            value,
        });
    }
    out.sort_unstable_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Writes a response's `examples` at [`RESPONSE_EXAMPLES_INDENT`].
fn write_examples(list: &[ExampleText], out: &mut Vec<u8>) {
    let d = RESPONSE_EXAMPLES_INDENT;
    if list.is_empty() {
        out.extend_from_slice(b"{}");
        return;
    }
    out.push(b'{');
    for (i, e) in list.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        newline(d + 1, out);
        write_string(&e.key, out);
        out.extend_from_slice(b": {");
        newline(d + 2, out);
        out.extend_from_slice(b"\"summary\": ");
        write_string(&e.summary, out);
        out.push(b',');
        newline(d + 2, out);
        out.extend_from_slice(b"\"value\": ");
        out.extend_from_slice(e.value.as_bytes());
        newline(d + 1, out);
        out.push(b'}');
    }
    newline(d, out);
    out.push(b'}');
}

/// progenitor decodes all responses of one group (success, or error) into a
/// single type and panics otherwise. Make that true: differing JSON schemas
/// become one `oneOf` component (most specific variant first), and members
/// without JSON are declared with the group's schema so they do not form a
/// second kind. A group with no JSON at all gets one text media type on every
/// member, so that empty and text responses agree too. `union_name` is the
/// union's name in two parts, joined only when a union is made.
fn unify(
    responses: &mut BTreeMap<u16, Resp>,
    in_group: impl Fn(u16) -> bool,
    union_name: (&str, &str),
    components: &mut Components<'_>,
) {
    let mut members: Vec<u16> = responses.keys().copied().filter(|c| in_group(*c)).collect();
    if members.len() < 2 {
        return;
    }
    let mut distinct: Vec<&RespSchema> = Vec::new();
    for c in &members {
        if let Some(s) = responses.get(c).and_then(Resp::json) {
            if !distinct.iter().any(|d| d.text() == s.text()) {
                distinct.push(s);
            }
        }
    }
    if distinct.is_empty() {
        // progenitor reads a 101 without JSON as a protocol upgrade, a kind
        // no other response can share: drop it next to other successes.
        if members.contains(&101) {
            responses.remove(&101);
            members.retain(|c| *c != 101);
        }
        let text = members.iter().find_map(|c| {
            let (media, schema) = responses.get(c)?.content.first()?;
            Some((media.clone(), schema.duplicate()))
        });
        if let Some((media, schema)) = text {
            for c in &members {
                if let Some(r) = responses.get_mut(c) {
                    if r.content.is_empty() {
                        r.content.push((media.clone(), schema.duplicate()));
                    }
                }
            }
        }
        return;
    }
    let group_schema = if distinct.len() == 1 {
        distinct[0].duplicate()
    } else {
        let distinct: Vec<Value> = distinct.iter().map(|s| s.value(components)).collect();
        let mut variants: Vec<Value> = Vec::new();
        for s in distinct {
            match s.get("oneOf").and_then(Value::as_array) {
                Some(vs) if s.as_object().is_some_and(|o| o.len() == 1) => {
                    for v in vs {
                        if !variants.contains(v) {
                            variants.push(v.clone());
                        }
                    }
                }
                _ if !variants.contains(&s) => variants.push(s),
                _ => {}
            }
        }
        let mut scored: Vec<(usize, Value)> = variants
            .into_iter()
            .map(|v| (value_specificity(&v, Some(components)), v))
            .collect();
        schema::sort_variants(&mut scored);
        let union_name = format!("{}{}", union_name.0, union_name.1);
        let mut name = union_name.clone();
        let mut n = 1;
        while components.contains_key(&name) {
            n += 1;
            name = format!("{union_name}{n}");
        }
        // Built by hand: `json!` would copy every variant through serde.
        let mut union = Map::new();
        union.insert(
            "oneOf".into(),
            Value::Array(scored.into_iter().map(|(_, v)| v).collect()),
        );
        components.insert(name.clone(), Value::Object(union));
        RespSchema::of(&json!({"$ref": format!("#/components/schemas/{name}")}))
    };
    for c in &members {
        if let Some(r) = responses.get_mut(c) {
            // Most members hold the group's schema already.
            if r.json().is_none_or(|s| s.text() != group_schema.text()) {
                r.set("application/json", group_schema.duplicate());
            }
        }
    }
}

fn value_specificity(v: &Value, components: Option<&Components<'_>>) -> usize {
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return components.and_then(|c| c.specificity(name)).unwrap_or(0);
    }
    if let Some(items) = v.get("items") {
        return value_specificity(items, components);
    }
    if let Some(vs) = v.get("oneOf").and_then(Value::as_array) {
        return vs
            .iter()
            .map(|x| value_specificity(x, components))
            .min()
            .unwrap_or(0);
    }
    if v.get("properties").is_some() {
        return 1 + v
            .get("required")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
    }
    0
}

/// [`value_specificity`]`(&schema::to_schema(node, ..), None)`, read off the
/// node.
fn inferred_specificity(node: &Node) -> usize {
    use schema::Kind;
    match &node.kind {
        Kind::Array(items) => inferred_specificity(items),
        Kind::OneOf(vs) => vs.iter().map(inferred_specificity).min().unwrap_or(0),
        Kind::Object(o) if !o.props.is_empty() => {
            1 + o
                .props
                .values()
                .filter(|p| schema::is_required(o, p))
                .count()
        }
        Kind::Object(_) | Kind::Ref(_) | Kind::Scalar(..) | Kind::Any => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_example_names_get_numbered_keys() {
        // What the document has always said: a name used again gets ` (2)`,
        // ` (3)`…, skipping keys already taken, and keys come sorted. The
        // short lists are searched, the long ones go through a set.
        let expected = |names: &[&str]| {
            let mut m: BTreeMap<String, String> = BTreeMap::new();
            for name in names {
                let mut key = (*name).to_owned();
                let mut n = 1;
                while m.contains_key(&key) {
                    n += 1;
                    key = format!("{name} ({n})");
                }
                m.insert(key, (*name).to_owned());
            }
            m.into_iter().collect::<Vec<_>>()
        };
        let short = ["OK", "OK (2)", "OK", "Bad", "OK"];
        let long: Vec<&str> = (0..40).map(|i| ["OK", "OK (3)", "Bad"][i % 3]).collect();
        for names in [&short[..], &long[..]] {
            let list = names
                .iter()
                .map(|n| ((*n).to_owned(), "1".to_owned()))
                .collect();
            let got: Vec<(String, String)> = examples(list)
                .into_iter()
                .map(|e| (e.key, e.summary))
                .collect();
            assert_eq!(got, expected(names), "{} names", names.len());
        }
        let keys: Vec<String> = examples(
            short
                .iter()
                .map(|n| ((*n).to_owned(), String::new()))
                .collect(),
        )
        .into_iter()
        .map(|e| e.key)
        .collect();
        assert_eq!(keys, ["Bad", "OK", "OK (2)", "OK (3)", "OK (4)"]);
    }

    #[test]
    fn snake_case_ids() {
        assert_eq!(snake("Balances Resume"), "balances_resume");
        assert_eq!(snake("listBalances"), "list_balances");
        assert_eq!(snake("Get /api/x/{id}"), "get_api_x_id");
    }

    #[test]
    fn bare_variables_in_json_bodies_are_quoted() {
        assert_eq!(
            quote_variables(r#"{"n": {{count}}, "s": "{{x}}"}"#),
            r#"{"n": "{{count}}", "s": "{{x}}"}"#
        );
    }

    #[test]
    fn path_templates() {
        let loc = Location::new(None, "$");
        let segs: Vec<String> = ["api", ":id", "v{{ver}}", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (p, names) = path_template(&segs, &|| loc.clone()).expect("template");
        assert_eq!(p, "/api/{id}/v{ver}/");
        assert_eq!(names, vec!["id", "ver"]);
    }

    #[test]
    fn concrete_query_values_give_type_only() {
        assert_eq!(scalar_schema(Some("42")).0, json!({"type": "integer"}));
        assert_eq!(scalar_schema(Some("007")).0, json!({"type": "string"}));
        assert_eq!(
            scalar_schema(Some("<date>")).0,
            json!({"type": "string", "format": "date"})
        );
        assert_eq!(scalar_schema(Some("{{x}}")).0, json!({"type": "string"}));
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "plain ascii text, long enough for words".into(),
            "é ü 😀 and more than eight bytes".into(),
            "\u{7f}\u{80}\u{ff}".into(),
        ];
        // Every byte value that matters, at every offset of an 8-byte word.
        for special in [
            '"', '\\', '\n', '\u{0}', '\u{1f}', ' ', '!', '#', '[', ']', '\u{7f}',
        ] {
            for at in 0..17 {
                let mut s = "abcdefghijklmnopq".to_owned();
                s.insert(at, special);
                samples.push(s);
            }
        }
        for s in samples {
            let mut ours = Vec::new();
            write_string(&s, &mut ours);
            assert_eq!(ours, serde_json::to_vec(&s).expect("serializes"), "{s:?}");
        }
    }

    #[test]
    fn merge_patch_removes_nulls() {
        let mut t = json!({"a": {"b": 1, "c": 2}});
        merge_patch(&mut t, &json!({"a": {"b": null, "d": 3}}));
        assert_eq!(t, json!({"a": {"c": 2, "d": 3}}));
    }
}
