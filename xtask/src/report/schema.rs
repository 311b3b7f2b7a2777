//! A schema's nodes as the Rust types progenitor 0.15 (typify 0.8) makes of
//! them, and the changes between two schemas for users of those types.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{add, elements, ref_name, required, Change};
use crate::openapi::names::sanitize;

/// One node of a schema: as the document writes it, and as the generated
/// Rust type sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Node {
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
    pub(super) fn of(schema: &Value) -> Node {
        let (ty, rust) = if let Some(r) = schema["$ref"].as_str() {
            (ref_name(r), ref_name(r))
        } else {
            (Node::written(schema), rust_type(schema))
        };
        Node {
            // typify puts an object's default into its `Default`, not the field.
            defaults: ["Vec", "Map", "HashMap"].contains(&rust.as_str())
                || (schema.get("default").is_some() && rust != "struct"),
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

    /// Its type as the document writes it: `string/date-time`, `oneOf`.
    fn written(schema: &Value) -> String {
        let union = ["oneOf", "anyOf", "allOf"]
            .into_iter()
            .find(|k| schema.get(*k).is_some());
        let base = schema["type"].as_str().or(union).unwrap_or("any");
        match schema["format"].as_str() {
            Some(f) => format!("{base}/{f}"),
            None => base.to_owned(),
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
    // typify picks sized, unsigned, non-zero or `f32`/`f64` types and
    // string newtypes from these: kept as written, so any change of them
    // counts (sometimes where the type stays).
    let limits = |keys: &[&str]| {
        let given = keys
            .iter()
            .filter_map(|k| Some(format!("{k}={}", s.get(*k)?)));
        given.collect::<Vec<_>>().join(" ")
    };
    let bounds = limits(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]);
    let lengths = limits(&["minLength", "maxLength", "pattern"]);
    let written = Node::written(s);
    match (s["type"].as_str(), format) {
        (Some("string"), _) if has("enum") => "enum".to_owned(),
        (Some(t), _) if has("enum") => format!("{t} newtype"),
        (Some("string"), _) if !lengths.is_empty() => format!("{written} newtype {lengths}"),
        (Some("string"), "date-time") => "DateTime".to_owned(),
        (Some("string"), "date") => "NaiveDate".to_owned(),
        (Some("string"), "uuid") => "Uuid".to_owned(),
        (Some("string"), "ip") => "IpAddr".to_owned(),
        (Some("string"), "ipv4") => "Ipv4Addr".to_owned(),
        (Some("string"), "ipv6") => "Ipv6Addr".to_owned(),
        (Some("string"), _) => "String".to_owned(),
        (Some("integer" | "number"), _) if !bounds.is_empty() => format!("{written} {bounds}"),
        (Some("integer"), "int") => "i32".to_owned(),
        (Some("integer"), "uint") => "u32".to_owned(),
        (Some("integer"), "int8" | "int16" | "int32") => format.replacen("int", "i", 1),
        (Some("integer"), "uint8" | "uint16" | "uint32" | "uint64") => {
            format.replacen("uint", "u", 1)
        }
        (Some("integer"), _) => "i64".to_owned(),
        (Some("number"), _) => "Decimal".to_owned(),
        (Some("boolean"), _) => "bool".to_owned(),
        (Some("array"), _) => "Vec".to_owned(),
        _ if lone(s).is_some() => lone(s).map(|one| Node::of(one).rust).unwrap_or_default(),
        _ if has("oneOf") || has("anyOf") => "enum".to_owned(),
        _ if has("allOf") => "struct".to_owned(),
        _ if s["properties"].as_object().is_some_and(|p| !p.is_empty()) => "struct".to_owned(),
        (Some("object"), _) if open_values(s).is_some() => "HashMap".to_owned(),
        (Some("object"), _) if s["additionalProperties"] == false => "struct".to_owned(),
        (Some("object"), _) => "Map".to_owned(),
        _ => "Value".to_owned(),
    }
}

/// The one alternative of a oneOf, anyOf or allOf of one, which is that
/// alternative's type (`{allOf: [$ref]}` is how a nullable reference is
/// written).
fn lone(s: &Value) -> Option<&Value> {
    // Beside properties of its own, typify merges them into one struct.
    if s["properties"].as_object().is_some_and(|p| !p.is_empty()) || open_values(s).is_some() {
        return None;
    }
    let unions = ["oneOf", "anyOf", "allOf"].map(|k| &s[k]);
    let mut given = unions.iter().filter(|u| !u.is_null());
    match (given.next(), given.next()) {
        (Some(one), None) if elements(one).count() == 1 => Some(&one[0]),
        _ => None,
    }
}

/// The schema of a map's values (`additionalProperties`); `{}`, any value,
/// leaves the map a `serde_json::Map`, as without it.
fn open_values(s: &Value) -> Option<&Value> {
    let values = &s["additionalProperties"];
    values
        .as_object()
        .is_some_and(|v| !v.is_empty())
        .then_some(values)
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
    /// A property's name in the JSON (its path has its Rust field's).
    wire: Option<String>,
}

/// `path → entry` for a schema and its inline properties, items and
/// alternatives; a `$ref` is a leaf (its schema is compared under its own
/// name). A property is named by its Rust field (`ownerName` and `owner.name`
/// are `$.owner_name`), and an alternative by its type (`$.<variant Card>`, `$.<member
/// string>`), so that reordering them, or a oneOf becoming an anyOf (the
/// same enum), changes nothing.
fn flatten(schema: &Value) -> BTreeMap<String, Entry> {
    fn walk(
        s: &Value,
        path: String,
        up: (Option<&str>, bool, Role, Option<String>),
        out: &mut BTreeMap<String, Entry>,
    ) {
        let (parent, required, role, wire) = up;
        let node = Node::of(s);
        let entry = Entry {
            node,
            required,
            parent: parent.map(str::to_owned),
            role,
            wire,
        };
        out.insert(path.clone(), entry);
        // A lone alternative is the type itself: its inside is compared here.
        let s = lone(s).unwrap_or(s);
        if s.get("$ref").is_some() {
            return;
        }
        let here = Some(path.as_str());
        for (name, sub) in s["properties"].as_object().into_iter().flatten() {
            let at = format!("{path}.{}", sanitize(name));
            let required = elements(&s["required"]).any(|r| r == name.as_str());
            walk(
                sub,
                at,
                (here, required, Role::Field, Some(name.clone())),
                out,
            );
        }
        // An array without `items` holds any JSON value.
        let any = Value::Object(serde_json::Map::new());
        let items = s["items"].is_object().then(|| &s["items"]);
        let items = items.or((s["type"] == "array").then_some(&any));
        for (sub, at) in [(items, "[]"), (open_values(s), ".{*}")] {
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
pub(super) fn node_changes(was: &Node, is: &Node, label: &str, place: &str, out: &mut Vec<Change>) {
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
pub(super) fn schema_changes(
    old: &Value,
    new: &Value,
    label: &str,
    in_request: bool,
    place: &str,
    out: &mut Vec<Change>,
) {
    let (o, n) = (flatten(old), flatten(new));
    for (path, was) in &o {
        let at = if path == "$" {
            label.to_owned()
        } else {
            format!("{label} property `{path}`")
        };
        let Some(is) = n.get(path) else {
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
        // Paths name Rust fields: one renamed on the wire to a name that
        // gives the same field (`ownerName` → `owner_name`) is kept.
        if let (Some(from), Some(to)) = (&was.wire, &is.wire) {
            if from != to {
                let what =
                    format!("{at} renamed on the wire `{from}` → `{to}` (the same Rust field)");
                add(out, false, place, what);
            }
        }
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
        .filter(|(path, is)| !o.contains_key(*path) && on_its_own(is, &n, &o));
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
