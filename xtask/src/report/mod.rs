//! What changed between two OpenAPI documents for users of the Rust client
//! generated from them: operations added, removed or renamed, parameters
//! and fields added, removed or retyped, optional and required changes,
//! enum variants. Each change is marked breaking or not.
//!
//! Both documents are generated with the project's settings
//! (`codegen/settings.rs`), and what is compared is the generated code's
//! surface ([`surface`]): what users' code names. So a change of the
//! document that leaves the code the same is no change (an optional
//! property becoming nullable is an `Option` either way), and one that
//! changes a Rust type is one, whatever the document calls it. Breaking
//! means that code using the client may stop compiling or fail at a call:
//!
//! - an operation removed or renamed (its method is gone); one moved to
//!   another path keeps its method, and its calls are unchanged;
//! - with builders (the project's interface), a parameter removed or
//!   retyped, or one that a call must now set (a call that does not fails
//!   when sent); a new optional parameter is one more method. With
//!   positional arguments any parameter change breaks calls;
//! - a success or error type changed. A status added or removed that
//!   leaves them is one more or one fewer status to expect;
//! - a type removed or of another kind, a derive lost, a field removed or
//!   retyped (`T` ↔ `Option<T>` too), a variant added or removed (typify's
//!   enums have no catch-all, so `match`es break), and a field added to a
//!   type that travels in requests (struct literals name every field).
//!
//! Wire names, serde defaults and attributes are said, as not breaking:
//! code compiles, and what is sent or read changes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::generate::builder_interface;

mod surface;

use surface::{Member, Op, Param, Surface, Type};

/// One change, with where it is and whether it breaks users' code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Whether code using the generated client may stop compiling.
    pub breaking: bool,
    /// The operation or type it is in, as in ``operation `id` (GET /path)``
    /// or ``type `Name` ``.
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
            return writeln!(f, "no change to the generated client's operations or types");
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

/// Compares the client generated from the `old` document with the one
/// generated from the `new` one.
///
/// # Errors
/// Either document does not generate a client (the error says which).
pub fn changes(old: &Value, new: &Value) -> Result<Report, String> {
    let surface = |doc, which| {
        Surface::of(doc).map_err(|e| format!("the {which} document does not generate: {e}"))
    };
    let (old, new) = (surface(old, "old")?, surface(new, "new")?);
    let mut out = vec![];
    operations(&old, &new, &mut out);
    types(&old, &new, &mut out);
    // Breaking changes first, then by place.
    out.sort_by(|a, b| (!a.breaking, &a.place, &a.what).cmp(&(!b.breaking, &b.place, &b.what)));
    out.dedup();
    Ok(Report(out))
}

// ------------------------------------------------------------- operations

fn op_place(name: &str, op: &Op) -> String {
    format!("operation `{name}` ({})", op.route)
}

fn operations(old: &Surface, new: &Surface, out: &mut Vec<Change>) {
    let added: BTreeMap<_, _> = (new.ops.iter())
        .filter(|(name, _)| !old.ops.contains_key(*name))
        .collect();
    let mut renamed = BTreeSet::new();
    for (name, op) in &old.ops {
        let place = op_place(name, op);
        let Some(now) = new.ops.get(name) else {
            // A new method on the same route is this one renamed.
            let to = added.iter().find(|(n, x)| {
                x.route == op.route && !op.route.is_empty() && !renamed.contains(*n)
            });
            let what = match to {
                Some((to, x)) => format!("renamed to {}", op_place(to, x)),
                None => "removed".to_owned(),
            };
            renamed.extend(to.map(|(to, _)| *to));
            add(out, true, place, what);
            continue;
        };
        if now.route != op.route {
            let what = format!("moved to {} (calls are unchanged)", now.route);
            add(out, false, &place, what);
        }
        parameters(&op.params, &now.params, &place, out);
        let results = [
            ("success", &op.returns.0, &now.returns.0),
            ("error", &op.returns.1, &now.returns.1),
        ];
        for (kind, was, is) in results.into_iter().filter(|(_, was, is)| was != is) {
            add(out, true, &place, format!("{kind} type {was} → {is}"));
        }
        for status in op.statuses.difference(&now.statuses) {
            let what = format!("response {status} removed (now an unexpected response)");
            add(out, false, &place, what);
        }
        for status in now.statuses.difference(&op.statuses) {
            add(out, false, &place, format!("response {status} added"));
        }
    }
    for (name, op) in added.into_iter().filter(|(n, _)| !renamed.contains(n)) {
        add(out, false, op_place(name, op), "added");
    }
}

fn parameters(
    old: &BTreeMap<String, Param>,
    new: &BTreeMap<String, Param>,
    place: &str,
    out: &mut Vec<Change>,
) {
    let builders = builder_interface();
    for (name, p) in old {
        let Some(q) = new.get(name) else {
            add(out, true, place, format!("parameter `{name}` removed"));
            continue;
        };
        if p.ty != q.ty {
            let what = format!("parameter `{name}` retyped {} → {}", p.ty, q.ty);
            add(out, true, place, what);
        }
        if p.required != q.required {
            let what = format!("parameter `{name}` became {}", required(q.required));
            add(out, q.required || !builders, place, what);
        }
        if let (Some(was), Some(is)) = (&p.wire, &q.wire) {
            if was != is {
                let what = format!("parameter `{name}` is sent as `{is}` (was `{was}`)");
                add(out, false, place, what);
            }
        }
    }
    for (name, q) in new.iter().filter(|(n, _)| !old.contains_key(*n)) {
        let word = if q.required { "required" } else { "optional" };
        let note = match (builders, q.required) {
            (false, _) => " (a new argument)",
            (true, false) => " (a new builder method)",
            (true, true) => CALLS_FAIL,
        };
        let what = format!("{word} parameter `{name}: {}` added{note}", q.ty);
        add(out, q.required || !builders, place, what);
    }
}

/// What a new required builder parameter does to calls.
const CALLS_FAIL: &str = " (calls that do not set it fail when sent)";

/// `required` or `optional`, with what that does to calls through builders.
fn required(yes: bool) -> String {
    match (yes, builder_interface()) {
        (false, _) => "optional".into(),
        (true, true) => format!("required{CALLS_FAIL}"),
        (true, false) => "required".into(),
    }
}

// ------------------------------------------------------------------ types

fn types(old: &Surface, new: &Surface, out: &mut Vec<Change>) {
    let requests: BTreeSet<String> = in_requests(old).union(&in_requests(new)).cloned().collect();
    for (name, t) in &old.types {
        let place = format!("type `{name}`");
        match new.types.get(name) {
            None => add(out, true, place, "removed"),
            Some(u) if u.kind != t.kind => {
                add(
                    out,
                    true,
                    place,
                    format!("is now a {} (was a {})", u.kind, t.kind),
                );
            }
            Some(u) => type_changes(t, u, requests.contains(name), &place, out),
        }
    }
    for (name, u) in new
        .types
        .iter()
        .filter(|(n, _)| !old.types.contains_key(*n))
    {
        add(
            out,
            false,
            format!("type `{name}`"),
            format!("added ({})", u.kind),
        );
    }
}

fn type_changes(t: &Type, u: &Type, in_requests: bool, place: &str, out: &mut Vec<Change>) {
    let list = |set: BTreeSet<&String>| set.into_iter().cloned().collect::<Vec<_>>().join(", ");
    let lost = list(t.derives.difference(&u.derives).collect());
    if !lost.is_empty() {
        add(out, true, place, format!("no longer derives {lost}"));
    }
    let gained = list(u.derives.difference(&t.derives).collect());
    if !gained.is_empty() {
        add(out, false, place, format!("now derives {gained}"));
    }
    if t.serde != u.serde {
        let what = format!("serde attributes `{}` → `{}`", t.serde, u.serde);
        add(out, false, place, what);
    }
    if t.checks != u.checks && t.members == u.members {
        add(out, false, place, "the values it accepts changed");
    }
    let role = match t.kind {
        "enum" => "variant",
        "struct" => "field",
        _ => "inner type",
    };
    for (name, m) in &t.members {
        let label = format!("{role} `{name}`");
        match u.members.get(name) {
            None => add(out, true, place, format!("{label} removed")),
            Some(n) => member_changes(&label, name, m, n, place, out),
        }
    }
    for (name, m) in u
        .members
        .iter()
        .filter(|(n, _)| !t.members.contains_key(*n))
    {
        let (breaking, what) = match t.kind {
            "enum" => (
                true,
                format!("variant `{name}{}` added (matches must handle it)", m.ty),
            ),
            _ if in_requests => {
                let what = format!(
                    "field `{name}: {}` added (struct literals must name it)",
                    m.ty
                );
                (true, what)
            }
            _ => (false, format!("field `{name}: {}` added", m.ty)),
        };
        add(out, breaking, place, what);
    }
}

fn member_changes(
    label: &str,
    name: &str,
    m: &Member,
    n: &Member,
    place: &str,
    out: &mut Vec<Change>,
) {
    if m.ty != n.ty {
        let note = if n.ty == format!("Option<{}>", m.ty) {
            " (now an Option)"
        } else if m.ty == format!("Option<{}>", n.ty) {
            " (no longer an Option)"
        } else {
            ""
        };
        let what = format!("{label} retyped {} → {}{note}", show(&m.ty), show(&n.ty));
        add(out, true, place, what);
    }
    let wire = |m: &Member| m.wire.clone().unwrap_or_else(|| name.to_owned());
    if wire(m) != wire(n) {
        let what = format!("{label} is `{}` on the wire (was `{}`)", wire(n), wire(m));
        add(out, false, place, what);
    }
    // A type that became or stopped being an `Option` says it already
    // (serde reads a missing `Option` as `None`).
    if m.ty == n.ty && m.default != n.default {
        let what = match n.default {
            true => "may now be missing from bodies (serde fills in its default)",
            false => "must now be in bodies (no serde default)",
        };
        add(out, false, place, format!("{label} {what}"));
    }
}

/// A variant's empty payload, shown as such.
fn show(ty: &str) -> &str {
    if ty.is_empty() {
        "no payload"
    } else {
        ty
    }
}

/// The types that travel in requests: those the operations' parameters
/// name, and the types those name, on down.
fn in_requests(s: &Surface) -> BTreeSet<String> {
    let names = |ty: &str| {
        ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let mut todo: Vec<String> = s
        .ops
        .values()
        .flat_map(|op| op.params.values())
        .flat_map(|p| names(&p.ty))
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        let Some(t) = s.types.get(&name) else {
            continue;
        };
        if seen.insert(name) {
            todo.extend(t.members.values().flat_map(|m| names(&m.ty)));
        }
    }
    seen
}

fn add(out: &mut Vec<Change>, breaking: bool, place: impl Into<String>, what: impl Into<String>) {
    out.push(Change {
        breaking,
        place: place.into(),
        what: what.into(),
    });
}
