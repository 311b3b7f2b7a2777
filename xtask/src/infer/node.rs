//! Schema inference from sample values and merging of samples.
//!
//! Hand-written: no crate infers OpenAPI 3.0 schemas from Postman's importer
//! placeholders (`"<uuid>"`, `"<number>"` …) and merges several examples the
//! way a generator needs (missing → optional, null → nullable, conflicts →
//! `oneOf`).

use serde_json::{json, Value};

use super::components::Registry;

/// An inferred schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// What it is.
    pub kind: Kind,
    /// `null` was seen.
    pub nullable: bool,
}

/// The shape of an inferred schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Kind {
    /// Nothing known (only `null`, or the items of empty arrays).
    #[default]
    Any,
    /// A string, integer, number or boolean.
    Scalar(Scalar, Format),
    /// An array with merged items.
    Array(Box<Node>),
    /// An object.
    Object(Obj),
    /// A reference to an extracted component (index into the registry).
    Ref(usize),
    /// Samples of incompatible kinds.
    OneOf(Vec<Node>),
}

/// JSON scalar types, serialized as their OpenAPI `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scalar {
    /// string
    String,
    /// integer
    Integer,
    /// number
    Number,
    /// boolean
    Boolean,
}

/// What is known of a `format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// No sample said anything (concrete values never assert a format).
    Unknown,
    /// Every placeholder seen agreed on this format.
    Known(String),
    /// Placeholders disagreed: no format.
    Conflict,
}

/// An inferred object.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    /// Properties with how many samples had them.
    pub props: Props,
    /// `additionalProp1`/`key_0`-style maps: the merged value schema.
    pub additional: Option<Box<Node>>,
    /// How many object samples were merged.
    pub samples: u32,
}

/// An object's properties, sorted by name, each name once.
///
/// A sorted vector rather than a `BTreeMap`: objects are inferred from JSON
/// objects whose members are sorted already (serde_json's map), they have a handful
/// of properties, and a conversion makes them by the hundred thousand. A
/// map's first node (about 1 KiB, plus the vector it is collected through)
/// cost more than the properties it held.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Props(pub(super) Vec<(String, Prop)>);

/// Read as the slice of names and properties (`len`, `iter`…).
impl std::ops::Deref for Props {
    type Target = [(String, Prop)];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Props {
    /// The names, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &String> + '_ {
        self.0.iter().map(|(k, _)| k)
    }

    /// The properties, by name.
    pub fn values(&self) -> impl Iterator<Item = &Prop> + '_ {
        self.0.iter().map(|(_, p)| p)
    }
}

/// A property and how many samples carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// Its schema.
    pub node: Node,
    /// Samples that had the key.
    pub seen: u32,
}

impl Node {
    pub(super) fn new(kind: Kind) -> Self {
        Node {
            kind,
            nullable: false,
        }
    }

    /// A scalar node.
    pub fn scalar(s: Scalar, format: Option<&str>) -> Self {
        Node::new(Kind::Scalar(
            s,
            format.map_or(Format::Unknown, |f| Format::Known(f.to_owned())),
        ))
    }
}

/// Type and format for one of Postman's importer placeholders (`<uuid>` …).
pub fn placeholder(s: &str) -> Option<(Scalar, Option<&str>)> {
    let inner = s.strip_prefix('<')?.strip_suffix('>')?;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    if !inner.as_bytes().first()?.is_ascii_alphabetic() || !inner.bytes().all(word) {
        return None;
    }
    Some(match inner {
        "string" => (Scalar::String, None),
        "integer" => (Scalar::Integer, Some("int32")),
        "long" => (Scalar::Integer, Some("int64")),
        "number" => (Scalar::Number, None),
        "float" => (Scalar::Number, Some("float")),
        "double" => (Scalar::Number, Some("double")),
        "boolean" => (Scalar::Boolean, None),
        "dateTime" | "date-time" => (Scalar::String, Some("date-time")),
        other => (Scalar::String, Some(other)),
    })
}

fn is_map_key(k: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    k.strip_prefix("additionalProp").is_some_and(digits)
        || k.strip_prefix("key_").is_some_and(digits)
}

/// Infers a schema from one sample value.
pub fn infer(v: &Value) -> Node {
    let object = |props, additional| {
        Node::new(Kind::Object(Obj {
            props,
            additional,
            samples: 1,
        }))
    };
    match v {
        Value::Null => Node {
            kind: Kind::Any,
            nullable: true,
        },
        Value::Bool(_) => Node::scalar(Scalar::Boolean, None),
        Value::Number(n) if n.is_f64() => Node::scalar(Scalar::Number, None),
        Value::Number(_) => Node::scalar(Scalar::Integer, None),
        Value::String(s) => match placeholder(s) {
            Some((t, f)) => Node::scalar(t, f),
            None => Node::scalar(Scalar::String, None),
        },
        Value::Array(items) => Node::new(Kind::Array(Box::new(infer_all(items.iter())))),
        Value::Object(map) if !map.is_empty() && map.keys().all(|k| is_map_key(k)) => {
            object(Props::default(), Some(Box::new(infer_all(map.values()))))
        }
        Value::Object(map) => {
            let prop = |v| Prop {
                node: infer(v),
                seen: 1,
            };
            // A map's names are sorted and distinct already.
            let props = map.iter().map(|(k, v)| (k.clone(), prop(v)));
            object(Props(props.collect()), None)
        }
    }
}

/// Samples of the same place, merged.
fn infer_all<'a>(samples: impl Iterator<Item = &'a Value>) -> Node {
    samples.map(infer).reduce(merge).unwrap_or_default()
}

fn merge_format(a: Format, b: Format) -> Format {
    match (a, b) {
        (Format::Unknown, x) | (x, Format::Unknown) => x,
        (Format::Known(x), Format::Known(y)) if x == y => Format::Known(x),
        _ => Format::Conflict,
    }
}

/// Merges two samples of the same place.
pub fn merge(a: Node, b: Node) -> Node {
    let nullable = a.nullable || b.nullable;
    let kind = match (a.kind, b.kind) {
        (Kind::Any, k) | (k, Kind::Any) => k,
        (Kind::Scalar(x, fx), Kind::Scalar(y, fy)) if x == y => {
            Kind::Scalar(x, merge_format(fx, fy))
        }
        (Kind::Scalar(Scalar::Integer, _), Kind::Scalar(Scalar::Number, f))
        | (Kind::Scalar(Scalar::Number, f), Kind::Scalar(Scalar::Integer, _)) => {
            Kind::Scalar(Scalar::Number, f)
        }
        (Kind::Array(x), Kind::Array(y)) => Kind::Array(Box::new(merge(*x, *y))),
        (Kind::Object(x), Kind::Object(y)) => Kind::Object(merge_obj(x, y)),
        (Kind::Ref(x), Kind::Ref(y)) if x == y => Kind::Ref(x),
        (Kind::OneOf(mut vs), other) | (other, Kind::OneOf(mut vs)) => {
            add_variant(&mut vs, Node::new(other));
            Kind::OneOf(vs)
        }
        // Neither is `Any` nor a union, and the compatible pairs are above.
        (x, y) => Kind::OneOf(vec![Node::new(x), Node::new(y)]),
    };
    Node { kind, nullable }
}

fn compatible(a: &Kind, b: &Kind) -> bool {
    use Scalar::{Integer, Number};
    match (a, b) {
        (Kind::Scalar(Integer | Number, _), Kind::Scalar(Integer | Number, _)) => true,
        (Kind::Array(_), Kind::Array(_)) | (Kind::Object(_), Kind::Object(_)) => true,
        (Kind::Scalar(x, _), Kind::Scalar(y, _)) => x == y,
        (Kind::Ref(x), Kind::Ref(y)) => x == y,
        _ => false,
    }
}

fn add_variant(vs: &mut Vec<Node>, n: Node) {
    match n.kind {
        Kind::OneOf(inner) => inner.into_iter().for_each(|v| add_variant(vs, v)),
        Kind::Any => {}
        _ => match vs.iter_mut().find(|v| compatible(&v.kind, &n.kind)) {
            Some(v) => *v = merge(std::mem::take(v), n),
            None => vs.push(n),
        },
    }
}

fn merge_obj(mut a: Obj, b: Obj) -> Obj {
    let props = &mut a.props.0;
    for (k, q) in b.props.0 {
        match props.binary_search_by(|(name, _)| name.cmp(&k)) {
            Ok(i) => {
                let p = &mut props[i].1;
                p.node = merge(std::mem::take(&mut p.node), q.node);
                p.seen += q.seen;
            }
            Err(i) => props.insert(i, (k, q)),
        }
    }
    // Either one, or both merged.
    a.additional = match (a.additional, b.additional) {
        (Some(x), Some(y)) => Some(Box::new(merge(*x, *y))),
        (x, y) => x.or(y),
    };
    a.samples += b.samples;
    a
}

impl Obj {
    /// The names of its required properties: those every sample had, and
    /// none as `null`.
    pub fn required(&self) -> impl Iterator<Item = &String> + '_ {
        let props = self.props.iter();
        let required = props.filter(|(_, p)| p.seen == self.samples && !p.node.nullable);
        required.map(|(k, _)| k)
    }
}

/// Renders an inferred node as an OpenAPI 3.0 schema. `names[i]` is the name
/// of component `i`.
pub fn to_schema(node: &Node, names: &[String], reg: &Registry) -> Value {
    let mut s = match &node.kind {
        Kind::Any => return json!({}),
        Kind::Scalar(t, f) => {
            let mut s = json!({ "type": t });
            if let Format::Known(f) = f {
                s["format"] = f.as_str().into();
            }
            s
        }
        Kind::Array(items) => Value::from_iter([
            ("type", "array".into()),
            ("items", to_schema(items, names, reg)),
        ]),
        Kind::Object(o) => {
            let mut s = json!({"type": "object"});
            if !o.props.is_empty() {
                let props = o.props.iter();
                let props = props.map(|(k, p)| (k.clone(), to_schema(&p.node, names, reg)));
                s["properties"] = Value::Object(props.collect());
                let required: Vec<&String> = o.required().collect();
                if !required.is_empty() {
                    s["required"] = json!(required);
                }
            }
            if let Some(a) = &o.additional {
                s["additionalProperties"] = to_schema(a, names, reg);
            }
            s
        }
        // Siblings of `$ref` are ignored in OpenAPI 3.0; a nullable object is
        // expressed by the property not being required.
        Kind::Ref(id) => return json!({ "$ref": format!("#/components/schemas/{}", names[*id]) }),
        Kind::OneOf(vs) => one_of(
            vs.iter()
                .map(|v| (specificity(v, reg), to_schema(v, names, reg)))
                .collect(),
        ),
    };
    if node.nullable {
        s["nullable"] = true.into();
    }
    s
}

/// How many required properties a variant pins down: unions list the most
/// specific variant first, because generated untagged enums take the first
/// variant that decodes.
pub fn specificity(node: &Node, reg: &Registry) -> usize {
    match &node.kind {
        // A component is an object: as specific as its shape.
        Kind::Ref(id) => specificity(reg.node(*id), reg),
        Kind::Array(items) => specificity(items, reg),
        Kind::Object(o) => 1 + o.required().count(),
        Kind::OneOf(vs) => vs.iter().map(|v| specificity(v, reg)).min().unwrap_or(0),
        Kind::Scalar(..) | Kind::Any => 0,
    }
}

/// The union of these variants with their specificities: most specific
/// first; ties by the schema's text, for determinism.
pub fn one_of(mut variants: Vec<(usize, Value)>) -> Value {
    variants.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    // Texts only where specificities tie (most unions have none), each made
    // once, not once per comparison.
    for run in variants.chunk_by_mut(|a, b| a.0 == b.0) {
        if run.len() > 1 {
            run.sort_by_cached_key(|(_, v)| v.to_string());
        }
    }
    let variants = variants.into_iter().map(|(_, v)| v).collect();
    Value::from_iter([("oneOf", Value::Array(variants))])
}
