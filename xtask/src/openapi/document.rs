//! The collection → the whole document: operations drafted in parallel,
//! then, in collection order, merged by route, their schemas extracted into
//! components, named, unified and patched.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::operation::{draft, drop_credentials, OpDraft};
use super::operation_ids::Chosen;
use super::path::endpoints;
use super::security::requirement;
use super::servers::Servers;
use super::unify::{self, unify_all, Union};
use super::{
    names, noted, push_new, Components, Document, Example, Media, Operation, Parameter,
    RequestBody, Response, METHODS,
};
use crate::error::ConvertError;
use crate::infer::{merge, pascal, singular, to_schema, Claim, Kind, Registry};
use crate::overrides::Overrides;
use crate::postman::{Auth, Body, Collection, Request};
use crate::render::JsonText;
use crate::Options;

/// An operation with what it takes from the collection around it.
struct Op<'a> {
    draft: OpDraft,
    /// The item that made it (the first, when several share its route).
    first: &'a Request,
    security: Option<Value>,
    server: Option<usize>,
}

/// Builds the document.
///
/// # Errors
/// See [`ConvertError`].
pub fn build(coll: &Collection, opts: &Options) -> Result<Document, ConvertError> {
    let vars: HashMap<&str, Option<&str>> = coll
        .variables
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    let (mut left_out, mut requests) = (Vec::new(), Vec::new());
    for req in &coll.requests {
        match unsendable(req) {
            Some(why) => left_out.push(format!("{} {}: {why}", req.method, req.location(""))),
            None => requests.push(req),
        }
    }
    let endpoints = endpoints(requests.iter().map(|r| r.url.path.as_slice()));
    let drafts: Vec<_> = requests.par_iter().map(|r| draft(r, &endpoints)).collect();

    let mut servers = Servers::default();
    let mut schemes = Map::new();
    let top_security = coll.auth.as_ref().map(|a| requirement(&mut schemes, a));
    let mut ops: Vec<Op<'_>> = Vec::with_capacity(drafts.len());
    let mut routes: HashMap<(String, String), usize> = HashMap::new();
    // The first path of each shape (`/quotes/{}`), whose names it keeps.
    let mut shapes: HashMap<String, String> = HashMap::new();
    // Operations by name; names chosen by hand are taken from the start.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut chosen = Chosen::new(&opts.overrides.operation_ids);
    let graphql = graphql_routes(&requests, &drafts);
    for (req, drafted) in requests.iter().copied().zip(drafts) {
        let server = servers.add(&req.url, &vars, &|| req.location(".request.url"))?;
        let mut d = drafted?;
        same_names(&mut d, &mut shapes);
        let auth = req.sent_auth();
        let mine = auth.as_ref().map(|a| requirement(&mut schemes, a));
        // Only where it differs from the document's; `[]` lifts the document's.
        let op_security = (mine != top_security).then(|| mine.unwrap_or_else(|| json!([])));
        if let Some(Auth::ApiKey { name, .. }) = &auth {
            d.params.retain(|p| !p.name.eq_ignore_ascii_case(name));
        }
        d.notes.extend(drop_credentials(&mut d.params));
        let route = (d.method.clone(), d.path.clone());
        if let Some(&i) = routes.get(&route) {
            merge_into(&mut ops[i].draft, d);
            continue;
        }
        if let Some(items) = graphql.get(&route) {
            d.id = "graphql".to_owned();
            d.summary = "GraphQL".to_owned();
            let listed = items.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>();
            let queries = format!("The endpoint of the GraphQL items {}.", listed.join(", "));
            let text = d.description.take().map(|t| format!("\n\n{t}"));
            d.description = Some(queries + &text.unwrap_or_default());
        }
        let reserved = &opts.overrides.operation_ids;
        d.id = name(&d, chosen.id(&d.method, &d.path), &ops, &ids, reserved)?;
        ids.insert(d.id.clone(), ops.len());
        routes.insert(route, ops.len());
        ops.push(Op {
            draft: d,
            first: req,
            security: op_security,
            server,
        });
    }
    left_out.extend(servers.credentials.iter().map(|name| {
        format!("collection variable `{name}`: the user and password in its value, left out of the servers")
    }));
    let key = |o: &Op| Chosen::key(&o.draft.method, &o.draft.path);
    let keys: Vec<String> = ops.iter().map(key).collect();
    chosen.all_used(keys.iter().map(String::as_str))?;
    names::avoid_client_members(ops.iter_mut().map(|o| &mut o.draft.id));

    let mut registry = Registry::default();
    for op in &mut ops {
        extract(&mut op.draft, &mut registry);
    }
    let names = component_names(&registry, &opts.overrides)?;
    let policy = opts.overrides.nullable_responses.as_ref();
    if let Some(policy) = policy {
        check_pins(&policy.never_null, &names, &registry)?;
    }
    let (open, open_in_responses) = open_components(&registry, &names, &opts.overrides);
    registry.merge_open_unions(&open, open_in_responses.as_deref());
    // How specific each component is, for ordering union variants.
    let specificity: HashMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(id, n)| match &registry.node(id).kind {
            Kind::Object(o) => (n.clone(), unify::rank(o.required().count(), o.props.len())),
            _ => (n.clone(), unify::rank(0, 0)),
        })
        .collect();
    let patches = &opts.overrides.schema_patches;
    // Each component is made a value, given the policy and its patch, and
    // written, on all cores; only its text is kept.
    let schema_notes = std::sync::Mutex::new(Vec::new());
    let finish = |name: &String, mut schema: Value, in_response: bool| {
        if let (Some(policy), true) = (policy, in_response) {
            names::nullable_properties(&mut schema, policy.never_null.get(name));
        }
        if let Some(patch) = patches.get(name) {
            merge_patch(&mut schema, patch);
        }
        let notes = names::unique_properties(&mut schema);
        if !notes.is_empty() {
            if let Ok(mut all) = schema_notes.lock() {
                all.extend(notes.into_iter().map(|n| format!("schema `{name}`: {n}")));
            }
        }
        (name.clone(), JsonText::new(&schema, 3))
    };
    // The inferred components are written while operations are assembled
    // on all cores, their unions named and the operations placed in
    // collection order.
    let (mut schemas, (made, paths, parts)) = rayon::join(
        || {
            let inferred = names.par_iter().enumerate().map(|(id, name)| {
                let schema = to_schema(registry.node(id), &names, &registry);
                finish(name, schema, registry.in_response(id))
            });
            inferred.collect::<BTreeMap<String, JsonText>>()
        },
        || {
            let assembled: Vec<_> = ops
                .into_par_iter()
                .map(|op| assemble(op, &servers, &names, &registry, &specificity))
                .collect();
            let mut made: BTreeMap<String, Value> = BTreeMap::new();
            let mut paths: BTreeMap<String, BTreeMap<String, Operation>> = BTreeMap::new();
            let mut parts = Vec::new();
            for (path, method, mut operation, unions, notes) in assembled {
                for union in unions {
                    let free = |n: &str| !specificity.contains_key(n) && !made.contains_key(n);
                    let (name, schema) = union.name(&mut operation.responses, free);
                    made.insert(name, schema);
                }
                let place = format!("operation `{}`", operation.operation_id);
                let place = format!("{place} ({} {path})", method.to_uppercase());
                parts.extend(notes.into_iter().map(|n| format!("{place}: {n}")));
                paths.entry(path).or_default().insert(method, operation);
            }
            (made, paths, parts)
        },
    );
    // The document lists the requests left out; the command says those and
    // the parts of operations that their descriptions say.
    let info = info(coll, opts, &left_out);
    left_out.extend(parts);
    if let Some(name) = patches
        .keys()
        .find(|n| !specificity.contains_key(*n) && !made.contains_key(*n))
    {
        let known = specificity.keys().chain(made.keys());
        let mut known: Vec<&str> = known.map(String::as_str).collect();
        known.sort();
        return Err(ConvertError::Overrides(format!(
            "schema_patches: no schema is named `{name}` (schemas: {})",
            known.join(", ")
        )));
    }
    let made = made.into_par_iter();
    schemas.par_extend(made.map(|(name, union)| finish(&name, union, false)));
    // Written on all cores, in no set order.
    let mut schema_notes = schema_notes.into_inner().unwrap_or_default();
    schema_notes.sort();
    left_out.extend(schema_notes);
    let components = Components {
        schemas,
        security_schemes: (!schemes.is_empty()).then_some(Value::Object(schemes)),
    };
    Ok(Document {
        components: (!components.schemas.is_empty() || components.security_schemes.is_some())
            .then_some(components),
        info,
        openapi: "3.0.3",
        // Each path item is written on all cores.
        paths: paths
            .into_par_iter()
            .map(|(path, item)| (path, JsonText::new(&item, 2)))
            .collect(),
        security: top_security,
        servers: servers.document(),
        tags: tags(coll, &requests),
        left_out,
    })
}

/// The name of a new operation: the one chosen for its route, else its
/// item's. An item's name that is taken (exports of OpenAPI documents give
/// operations with one summary one name) gets the method appended when the
/// operation that has it is of another method, then a number.
fn name(
    d: &OpDraft,
    chosen: Option<&str>,
    ops: &[Op<'_>],
    ids: &HashMap<String, usize>,
    reserved: &BTreeMap<String, String>,
) -> Result<String, ConvertError> {
    let taken = |id: &str| ids.get(id).map(|&i| &ops[i]);
    if let Some(id) = chosen {
        return match taken(id) {
            Some(other) => Err(ConvertError::Overrides(format!(
                "operation_ids.{:?}: `{id}` is already the operationId of {} ({})",
                Chosen::key(&d.method, &d.path),
                Chosen::key(&other.draft.method, &other.draft.path),
                other.first.location("")
            ))),
            None => Ok(id.to_owned()),
        };
    }
    let free = |id: &str| taken(id).is_none() && !reserved.values().any(|r| r == id);
    let base = match taken(&d.id) {
        None if free(&d.id) => d.id.clone(),
        Some(other) if other.draft.method == d.method => d.id.clone(),
        _ => format!("{}_{}", d.id, d.method),
    };
    Ok(names::numbered(&base, free))
}

/// The routes several GraphQL items share, with the items' names: one
/// endpoint answers every query, so its operation is named after GraphQL,
/// not after the first query (`add_tag_to_user` for twelve queries).
fn graphql_routes(
    requests: &[&Request],
    drafts: &[Result<OpDraft, ConvertError>],
) -> HashMap<(String, String), Vec<String>> {
    let mut routes: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (req, d) in requests.iter().zip(drafts) {
        if let (Some(Body::GraphQl { .. }), Ok(d)) = (&req.body, d) {
            let route = (d.method.clone(), d.path.clone());
            push_new(routes.entry(route).or_default(), req.name.clone());
        }
    }
    routes.retain(|_, names| names.len() > 1);
    routes
}

/// OpenAPI takes paths that differ only in their variables' names
/// (`/quotes/{quoteId}`, `/quotes/{quote_id}`) for one path, which a
/// document must not hold twice: a later one takes the first one's names,
/// when they pair one to one.
fn same_names(d: &mut OpDraft, shapes: &mut HashMap<String, String>) {
    let (mut names, mut theirs) = (Vec::new(), Vec::new());
    let shape = shape_of(&d.path, &mut names);
    let first = shapes.entry(shape).or_insert_with(|| d.path.clone());
    if *first == d.path {
        return;
    }
    shape_of(first, &mut theirs);
    // One to one: two variables share a name here when they share one there.
    let n = names.len();
    if (0..n).any(|i| (0..n).any(|j| (names[i] == names[j]) != (theirs[i] == theirs[j]))) {
        return;
    }
    for p in d.params.iter_mut().filter(|p| p.location == "path") {
        if let Some(i) = names.iter().position(|n| *n == p.name) {
            p.name = theirs[i].to_owned();
        }
    }
    d.path.clone_from(first);
}

/// A path's shape (`/quotes/{}`), with its variables' names pushed on `names`.
fn shape_of<'a>(path: &'a str, names: &mut Vec<&'a str>) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        let (name, tail) = after.split_once('}').unwrap_or((after, ""));
        shape.push_str(before);
        shape.push_str("{}");
        names.push(name);
        rest = tail;
    }
    shape.push_str(rest);
    shape
}

/// A second item on the same method and path adds its statuses, examples,
/// parameters, tags and body fields to the first one's operation (whose
/// body is optional when one of them sends none). Its body
/// of another media type cannot be added (progenitor takes one per
/// operation): the description says it is left out.
fn merge_into(op: &mut OpDraft, other: OpDraft) {
    for p in other.params {
        let same = |q: &Parameter| q.name == p.name && q.location == p.location;
        if !op.params.iter().any(same) {
            op.params.push(p);
        }
    }
    for (code, resp) in other.responses {
        if let Some(mine) = op.responses.get_mut(&code) {
            mine.absorb(resp);
        } else {
            op.responses.insert(code, resp);
        }
    }
    match (&mut op.body, other.body) {
        (Some(mine), Some(theirs)) if mine.media == theirs.media => {
            match (&mut mine.node, theirs.node) {
                (Some(node), Some(t)) => *node = merge(std::mem::take(node), t),
                _ => {
                    merge_fields(&mut mine.content.schema, theirs.content.schema);
                    // Sent as form-data by one item at least: the route takes it.
                    let mode = &mut mine.content.body_mode;
                    *mode = mode.or(theirs.content.body_mode);
                }
            }
        }
        // One item sends a body, another none: the body is optional.
        (mine @ None, theirs) => {
            op.body_optional |= theirs.is_some();
            *mine = theirs;
        }
        (Some(_), None) => op.body_optional = true,
        (Some(_), Some(theirs)) => {
            op.notes.push(format!(
                "`{}` request body of item \"{}\" left out: an operation takes one \
                 request body media type",
                theirs.media, other.summary
            ));
        }
    }
    for (mine, theirs) in [(&mut op.notes, other.notes), (&mut op.tags, other.tags)] {
        theirs.into_iter().for_each(|t| push_new(mine, t));
    }
}

/// Adds the fields of a form body's schema to another's: a field is
/// required when both require it.
fn merge_fields(mine: &mut Value, theirs: Value) {
    let (Value::Object(mine), Value::Object(mut theirs)) = (mine, theirs) else {
        return;
    };
    let required = theirs.remove("required").unwrap_or_default();
    if let Some(Value::Array(both)) = mine.get_mut("required") {
        both.retain(|r| required.as_array().is_some_and(|t| t.contains(r)));
        if both.is_empty() {
            mine.remove("required");
        }
    }
    let props = (mine.get_mut("properties")).and_then(Value::as_object_mut);
    if let (Some(props), Some(Value::Object(more))) = (props, theirs.remove("properties")) {
        for (name, schema) in more {
            props.entry(name).or_insert(schema);
        }
    }
}

/// Replaces the objects of an operation's inferred schemas by references to
/// components, with candidate names from the operation and the path.
fn extract(op: &mut OpDraft, registry: &mut Registry) {
    let op_pascal = pascal(&op.id);
    if let Some(node) = op.body.as_mut().and_then(|b| b.node.as_mut()) {
        let claims = [(Claim::Fallback, format!("{op_pascal}Request"))];
        registry.extract(node, &claims, false);
    }
    let segments = || op.path.split('/').filter(|s| !s.is_empty());
    // A segment without a letter (`/food/getCombo/1`, a saved id the
    // path kept) names nothing: the one before it does.
    let named = |s: &&str| !s.contains('{') && s.bytes().any(|b| b.is_ascii_alphabetic());
    let resource = segments().rfind(named);
    let resource = resource.map(|s| pascal(&singular(s)));
    let item_endpoint = segments().next_back().is_some_and(|s| s.contains('{'));
    for (code, resp) in op.responses.iter_mut() {
        let Some(node) = resp.json.as_mut() else {
            continue;
        };
        let claims = if code.is_some_and(|c| (200..300).contains(&c)) {
            // An object wrapping an array of objects (a page of results)
            // is the list of the resource, not the resource; not so on an
            // item endpoint (`/invoices/{id}` with its `lines`), nor when
            // the object has an `id` of its own (a record with a list in
            // it: `/me` with its `images`, a portfolio with its
            // instruments).
            let wrapper = !item_endpoint
                && matches!(&node.kind, Kind::Object(o)
                    if !o.props.keys().any(|k| k == "id")
                        && o.props.values().any(|p| matches!(&p.node.kind,
                            Kind::Array(items) if matches!(items.kind, Kind::Object(_)))));
            match (&resource, wrapper) {
                (Some(r), false) => vec![(Claim::Resource, r.clone())],
                (Some(r), true) => vec![(Claim::Resource, format!("{r}List"))],
                (None, _) => vec![(Claim::Fallback, format!("{op_pascal}Response"))],
            }
        } else {
            // Laravel Scribe names examples `404, User not found`: the
            // words after the status name the body (`400 Response` none).
            let status = |c: char| c.is_ascii_digit();
            let words = (resp.description.trim_start_matches(status))
                .trim_start_matches([',', ':', '-', '.', ' ']);
            let named = resp.named && !words.is_empty() && !words.eq_ignore_ascii_case("response");
            let context = named.then(|| (Claim::Context, pascal(words)));
            context
                .into_iter()
                .chain([(Claim::Generic, "Error".to_owned())])
                .collect()
        };
        registry.extract(node, &claims, true);
    }
}

/// Inferred names, then renamed by hand.
fn component_names(
    registry: &Registry,
    overrides: &Overrides,
) -> Result<Vec<String>, ConvertError> {
    let mut names = registry.names();
    for (from, to) in &overrides.schema_names {
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
    Ok(names)
}

/// Which components require no property, where they are read: in a
/// request or without the nullable-responses policy, none inferred
/// required; in a response under the policy (all of whose properties it
/// makes optional), none that their pins keep, even a variant that only
/// requests send (a component of one shape serves both, and its unions
/// are read as a response's: the request types lose those variants'
/// required properties, the responses none of their values). A component
/// with a patch is closed in both: its patch would not reach the merged
/// object. The second list is the first, in responses.
fn open_components(
    registry: &Registry,
    names: &[String],
    overrides: &Overrides,
) -> (Vec<bool>, Option<Vec<bool>>) {
    let open = |id: usize, relaxed: bool| {
        let Kind::Object(o) = &registry.node(id).kind else {
            return false;
        };
        let name = &names[id];
        let pins = (overrides.nullable_responses.as_ref()).and_then(|p| p.never_null.get(name));
        let kept = |p: &String| !relaxed || pins.is_some_and(|pins| pins.contains(p));
        !overrides.schema_patches.contains_key(name) && !o.required().any(kept)
    };
    let strict = (0..names.len()).map(|id| open(id, false)).collect();
    let relaxed = overrides
        .nullable_responses
        .as_ref()
        .map(|_| (0..names.len()).map(|id| open(id, true)).collect());
    (strict, relaxed)
}

/// Every pinned component and property must exist.
fn check_pins(
    pins: &BTreeMap<String, Vec<String>>,
    names: &[String],
    registry: &Registry,
) -> Result<(), ConvertError> {
    for (name, props) in pins {
        let id = names.iter().position(|n| n == name).ok_or_else(|| {
            ConvertError::Overrides(format!(
                "nullable_responses.never_null: no schema is named `{name}`"
            ))
        })?;
        let known: Vec<&str> = match &registry.node(id).kind {
            Kind::Object(o) => o.props.keys().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        if let Some(p) = props.iter().find(|p| !known.contains(&p.as_str())) {
            return Err(ConvertError::Overrides(format!(
                "nullable_responses.never_null.{name}: `{name}` has no property `{p}` (properties: {})",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// The path, method and operation of a draft whose schemas were
/// extracted, with the unions its responses need.
fn assemble(
    op: Op<'_>,
    servers: &Servers,
    names: &[String],
    registry: &Registry,
    inferred: &HashMap<String, usize>,
) -> (String, String, Operation, Vec<Union>, Vec<String>) {
    let d = op.draft;
    let request_body = d.body.map(|mut b| {
        if let Some(node) = &b.node {
            b.content.schema = to_schema(node, names, registry);
        }
        let content = BTreeMap::from([(b.media, b.content)]);
        let required = !d.body_optional;
        RequestBody { content, required }
    });
    let media = |list, schema| Media {
        examples: Some(examples(list)),
        schema,
        ..Media::default()
    };
    let mut responses: BTreeMap<String, Response> = BTreeMap::new();
    for (code, r) in d.responses {
        let key = code.map_or_else(|| "default".to_owned(), |c| c.to_string());
        let response = responses.entry(key).or_default();
        response.description = r.description;
        let content = &mut response.content;
        if let Some(node) = &r.json {
            let json = media(r.json_examples, to_schema(node, names, registry));
            content.insert("application/json".to_owned(), json);
        }
        if let Some((text, list)) = r.text {
            content.insert(text, media(list, json!({"type": "string"})));
        }
    }
    if responses.is_empty() {
        // OpenAPI requires at least one response; say nothing about its body.
        let none = responses.entry("200".into()).or_default();
        none.description = "No saved example response".into();
    }
    let split = unify::split_default(&mut responses);
    let unions = unify_all(&mut responses, &pascal(&d.id), inferred);
    let mut operation = Operation {
        description: d.description,
        operation_id: d.id,
        parameters: d.params,
        request_body,
        responses,
        security: op.security,
        servers: servers.operation(op.server),
        summary: d.summary,
        tags: d.tags,
    };
    let mut notes = d.notes;
    notes.extend(split);
    let (parameters, properties) = names::unique_parameters(&mut operation);
    notes.extend(parameters);
    if !notes.is_empty() {
        let description = operation.description.take();
        operation.description = Some(noted(description.as_deref(), notes.join("\n")));
    }
    // The request body's own notes are in its schema's description.
    notes.extend(properties);
    (d.path, d.method, operation, unions, notes)
}

/// Why the generated client could not send the request, if it could not:
/// such requests are left out, and the document's description lists them.
fn unsendable(req: &Request) -> Option<String> {
    if req.url.is_empty() {
        return Some("the request has no URL".into());
    }
    let method = req.method.as_str();
    if !METHODS.contains(&method.to_ascii_lowercase().as_str()) {
        return Some(format!("OpenAPI 3.0 has no {method} method"));
    }
    // progenitor 0.15 calls the reqwest method of the same name, and
    // reqwest has none for these: the client would not compile.
    matches!(method, "OPTIONS" | "TRACE")
        .then(|| format!("the generated client cannot send {method}"))
}

/// A response's `examples` by key; a name used twice gets ` (2)`, ` (3)`….
fn examples(list: Vec<(String, JsonText)>) -> BTreeMap<String, Example> {
    let mut out = BTreeMap::new();
    for (summary, value) in list {
        let mut key = summary.clone();
        let mut n = 1;
        while out.contains_key(&key) {
            n += 1;
            key = format!("{summary} ({n})");
        }
        out.insert(key, Example { summary, value });
    }
    out
}

fn info(coll: &Collection, opts: &Options, left_out: &[String]) -> Value {
    let mut note = format!(
        "Generated by `cargo xtask sync-postman` from `{}`; do not edit by hand.",
        opts.source
    );
    if !left_out.is_empty() {
        note += &format!("\n\nLeft out:\n- {}", left_out.join("\n- "));
    }
    let title = opts.overrides.title.as_ref().unwrap_or(&coll.name);
    let version = opts.overrides.version.as_deref().unwrap_or("1.0.0");
    let description = noted(coll.description.as_deref(), note);
    json!({"title": title, "version": version, "description": description})
}

/// One tag per folder that holds operations directly.
fn tags(coll: &Collection, requests: &[&Request]) -> Option<Value> {
    let used: HashSet<&[String]> = requests.iter().map(|r| r.folders.as_slice()).collect();
    let tags: Vec<Value> = coll
        .folders
        .iter()
        .filter(|f| used.contains(f.path.as_slice()))
        .map(|f| {
            let mut t = json!({"name": f.path.join(" / ")});
            if let Some(d) = &f.description {
                t["description"] = d.as_str().into();
            }
            t
        })
        .collect();
    (!tags.is_empty()).then_some(Value::Array(tags))
}

/// RFC 7386 merge patch.
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
