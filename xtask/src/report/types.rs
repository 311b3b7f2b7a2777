//! The types of two generated clients compared (after the renames, found
//! by `renames.rs`, are applied to the old one): removed, added, and what
//! changed inside each, judged by whether the type travels in requests
//! (users build it) or is read (users match on it).

use std::collections::BTreeSet;

use super::surface::{Member, Surface, Type};
use super::{add, join, Change};

/// The changes of the types, and of their default values.
pub(super) fn types(old: &Surface, new: &Surface, out: &mut Vec<Change>) {
    let reach = |sent: bool| {
        let mut all = reached(old, sent);
        all.extend(reached(new, sent));
        all
    };
    let (sent, read) = (reach(true), reach(false));
    for (name, t) in &old.types {
        let place = format!("type `{name}`");
        match new.types.get(name) {
            None => add(out, true, place, "removed"),
            Some(u) if u.kind != t.kind => {
                let what = format!("is now a {} (was a {})", u.kind, t.kind);
                add(out, true, place, what);
            }
            Some(u) => {
                let sent = sent.contains(name);
                // A type no operation names is the user's to read or build.
                let read = read.contains(name) || !sent;
                let place = Place { place, sent, read };
                place.type_changes(t, u, out);
            }
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
    for (name, code) in &old.defaults {
        if new.defaults.get(name).is_some_and(|c| c != code) {
            let what = "changed (what a body left out reads as, or sends)";
            add(
                out,
                false,
                format!("default `types::defaults::{name}`"),
                what,
            );
        }
    }
}

/// A type compared, with whether it travels in requests and is read.
struct Place {
    place: String,
    sent: bool,
    read: bool,
}

impl Place {
    fn say(&self, out: &mut Vec<Change>, breaking: bool, what: String) {
        add(out, breaking, self.place.as_str(), what);
    }

    fn type_changes(&self, t: &Type, u: &Type, out: &mut Vec<Change>) {
        let lost = join(t.traits.difference(&u.traits));
        if !lost.is_empty() {
            self.say(out, true, format!("no longer implements {lost}"));
        }
        let gained = join(u.traits.difference(&t.traits));
        if !gained.is_empty() {
            self.say(out, false, format!("now implements {gained}"));
        }
        if t.serde != u.serde {
            let what = format!("serde attributes {} → {}", attrs(&t.serde), attrs(&u.serde));
            self.say(out, false, what);
        }
        if t.checks != u.checks && t.members == u.members {
            let what = "the values it accepts changed (its TryFrom, FromStr or Deserialize \
                        code): a value it now refuses fails the call";
            self.say(out, false, what.to_owned());
        }
        let untagged = u.serde.contains("untagged");
        let common = |a: &[String], b: &Type| -> Vec<String> {
            a.iter()
                .filter(|v| b.members.contains_key(*v))
                .cloned()
                .collect()
        };
        let (was, is) = (common(&t.order, u), common(&u.order, t));
        if untagged && was != is {
            let what = format!(
                "variants tried in another order, {} → {} (a body may decode into another one)",
                was.join(", "),
                is.join(", ")
            );
            self.say(out, true, what);
        }
        let role = match t.kind {
            "enum" => "variant",
            "struct" => "field",
            _ => "inner type",
        };
        for (name, m) in &t.members {
            let label = format!("{role} `{name}`");
            match u.members.get(name) {
                None => self.say(out, true, format!("{label} removed")),
                Some(n) => self.member_changes(&label, name, m, n, out),
            }
        }
        for (name, m) in u
            .members
            .iter()
            .filter(|(n, _)| !t.members.contains_key(*n))
        {
            let (breaking, what) = match t.kind {
                "enum" if self.read => (
                    true,
                    format!("variant `{name}{}` added (matches must handle it)", m.ty),
                ),
                "enum" => (
                    false,
                    format!("variant `{name}{}` added (the type is only sent)", m.ty),
                ),
                _ if self.sent => (
                    true,
                    format!(
                        "field `{name}: {}` added (struct literals must name it)",
                        m.ty
                    ),
                ),
                _ => (false, format!("field `{name}: {}` added", m.ty)),
            };
            self.say(out, breaking, what);
        }
    }

    fn member_changes(
        &self,
        label: &str,
        name: &str,
        m: &Member,
        n: &Member,
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
            let what = format!(
                "{label} retyped {} → {}{note}",
                payload(&m.ty),
                payload(&n.ty)
            );
            self.say(out, true, what);
        }
        let wire = |m: &Member| m.wire.clone().unwrap_or_else(|| name.to_owned());
        if wire(m) != wire(n) {
            let what = format!("{label} is `{}` on the wire (was `{}`)", wire(n), wire(m));
            self.say(out, false, what);
        }
        // A type that became or stopped being an `Option` says it already.
        if m.ty == n.ty && m.required != n.required {
            let (breaking, what) = match (n.required, self.sent) {
                (true, true) => (
                    true,
                    "must now be set (a builder that does not set it fails when sent)",
                ),
                (true, false) => (
                    false,
                    "became required (a body without it no longer decodes)",
                ),
                (false, _) => (false, "became optional (a body may leave it out)"),
            };
            self.say(out, breaking, format!("{label} {what}"));
        }
        // serde's attributes follow what the lines above say.
        if m.ty == n.ty && m.required == n.required && m.serde != n.serde {
            let what = format!(
                "{label} serde attributes {} → {}",
                attrs(&m.serde),
                attrs(&n.serde)
            );
            self.say(out, false, what);
        }
    }
}

/// `#[serde(a, b)]`, or `none`.
fn attrs(serde: &str) -> String {
    if serde.is_empty() {
        "none".to_owned()
    } else {
        format!("#[serde({serde})]")
    }
}

/// A variant's payload, or that it has none.
fn payload(ty: &str) -> &str {
    if ty.is_empty() {
        "no payload"
    } else {
        ty
    }
}

/// The types the operations' parameters name (`sent`) or their results
/// (else), and the types those name, on down.
fn reached(s: &Surface, sent: bool) -> BTreeSet<String> {
    let roots = s.ops.values().flat_map(|op| match sent {
        true => op
            .params
            .values()
            .map(|p| p.ty.as_str())
            .collect::<Vec<_>>(),
        false => vec![op.returns.0.as_str(), op.returns.1.as_str()],
    });
    let mut todo: Vec<&str> = roots.flat_map(type_names).collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        let Some(t) = s.types.get(name) else { continue };
        if seen.insert(name.to_owned()) {
            todo.extend(t.members.values().flat_map(|m| type_names(&m.ty)));
        }
    }
    seen
}

/// The generated types a shown type names (`Option<Vec<Account>>`:
/// `Account`, `types::String`: `String`); a path of another crate
/// (`serde_json::Value`) is none of them.
pub(super) fn type_names(ty: &str) -> impl Iterator<Item = &str> {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .map(|w| w.strip_prefix("types::").unwrap_or(w))
        .filter(|w| !w.is_empty() && !w.contains(':'))
}
