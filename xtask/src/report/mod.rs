//! What changed between two OpenAPI documents for users of the Rust client
//! generated from them: operations added, removed or renamed, parameters
//! and fields added, removed or retyped, optional and required changes,
//! enum variants. Each change is marked breaking or not.
//!
//! Both documents are generated with the project's settings
//! (`codegen/settings.rs`), and what is compared is the generated code's
//! surface (`report/surface.rs`): what users' code names. So a change of the
//! document that leaves the code the same is no change (an optional
//! property becoming nullable is an `Option` either way), and one that
//! changes a Rust type is one, whatever the document calls it. Breaking
//! means that code using the client may stop compiling or fail at a call:
//!
//! - an operation removed or renamed (its method is gone); one moved to
//!   another path keeps its method;
//! - with builders (the project's interface), a parameter removed or
//!   retyped (an integer widened excepted: every call still converts), or
//!   one that a call must now set (a call that does not fails when sent),
//!   a body whose builder now needs a field among them; a new optional
//!   parameter is one more method. With positional arguments any parameter
//!   change breaks calls;
//! - a success or error type changed. A status added or removed that
//!   leaves them is one more or one fewer status to expect;
//! - a type removed, renamed or of another kind, a trait it no longer
//!   implements (`Default`), a field removed or retyped (`T` ↔ `Option<T>`
//!   too), a variant removed, or added to a type that is read (typify's
//!   enums have no catch-all, so `match`es break), another order of an
//!   untagged enum's variants (the same body decodes into another one);
//!   in a type that travels in requests, a field added (struct literals
//!   name every field) or one that a builder must now set.
//!
//! What is sent or read without a change of code is said, as not breaking:
//! wire names, query or header, the body's encoding, serde attributes,
//! default values, the values a checked type accepts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::generate::builder_interface;
use crate::openapi::names::progenitor_sanitize;

mod renames;
mod surface;
mod types;

use surface::{Op, Param, Surface};

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
    let old = renames::renamed(old, &new, &mut out);
    operations(&old, &new, &mut out);
    types::types(&old, &new, &mut out);
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
        op_changes(op, now, &place, out);
    }
    for (name, op) in added.into_iter().filter(|(n, _)| !renamed.contains(n)) {
        add(out, false, op_place(name, op), "added");
    }
}

/// What changed in an operation kept under its name.
fn op_changes(op: &Op, now: &Op, place: &str, out: &mut Vec<Change>) {
    // A path parameter renamed (`{id}` → `{account_id}`) moves nothing.
    let path = |route: &str| {
        let parts = route
            .split('{')
            .map(|p| p.split_once('}').map_or(p, |(_, rest)| rest));
        parts.collect::<Vec<_>>().join("{}")
    };
    if path(&now.route) != path(&op.route) {
        let what = format!("moved to {} (its method stays)", now.route);
        add(out, false, place, what);
    }
    // What a new or removed parameter adds to or takes from the wire
    // is said by its line.
    let own = |wire: &&String, params: &BTreeMap<String, Param>, others: &BTreeMap<_, _>| {
        let name = wire
            .split('`')
            .nth(1)
            .map_or("body".into(), progenitor_sanitize);
        params.contains_key(&name) && !others.contains_key(&name)
    };
    let lost = op
        .wire
        .difference(&now.wire)
        .filter(|w| !own(w, &op.params, &now.params));
    let gained = now
        .wire
        .difference(&op.wire)
        .filter(|w| !own(w, &now.params, &op.params));
    let (lost, gained) = (join(lost), join(gained));
    let what = match (lost.is_empty(), gained.is_empty()) {
        (false, false) => Some(format!("sends {gained} instead of {lost}")),
        (true, false) => Some(format!("also sends {gained}")),
        (false, true) => Some(format!("no longer sends {lost}")),
        (true, true) => None,
    };
    if let Some(what) = what {
        add(out, false, place, what);
    }
    parameters(&op.params, &now.params, place, out);
    let results = [
        ("success", &op.returns.0, &now.returns.0),
        ("error", &op.returns.1, &now.returns.1),
    ];
    for (kind, was, is) in results.into_iter().filter(|(_, was, is)| was != is) {
        add(out, true, place, format!("{kind} type {was} → {is}"));
    }
    for status in op.statuses.difference(&now.statuses) {
        let class = format!("{}XX", &status[..1]);
        let what = match now.statuses.contains(&class) {
            true => format!("response {status} removed (now decoded as {class})"),
            false => format!("response {status} removed (now an unexpected response)"),
        };
        add(out, false, place, what);
    }
    for status in now.statuses.difference(&op.statuses) {
        add(out, false, place, format!("response {status} added"));
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
            add(out, !(builders && widened(&p.ty, &q.ty)), place, what);
        }
        if p.required != q.required {
            let what = format!("parameter `{name}` became {}", required(q.required));
            add(out, q.required || !builders, place, what);
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

/// Whether integer type `to` holds every value of `from`: a builder
/// method bound by `TryInto<to>` then takes all that `TryInto<from>` took.
fn widened(from: &str, to: &str) -> bool {
    let int = |t: &str| {
        let signed = t.starts_with('i');
        let bits: u32 = t.get(1..)?.parse().ok()?;
        (signed || t.starts_with('u')).then_some((signed, bits))
    };
    match (int(from), int(to)) {
        (Some((fs, fb)), Some((ts, tb))) => (fs == ts && tb >= fb) || (!fs && ts && tb > fb),
        _ => false,
    }
}

/// Items as one text, `a, b`.
fn join<T: fmt::Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| i.to_string()).collect();
    items.join(", ")
}

fn add(out: &mut Vec<Change>, breaking: bool, place: impl Into<String>, what: impl Into<String>) {
    out.push(Change {
        breaking,
        place: place.into(),
        what: what.into(),
    });
}
