//! Types renamed between two generated clients. A rename is told by where
//! a type is used and by what it holds: a type of the old client and one
//! of the new that exactly the same places name (fields, variants,
//! operation parameters and results, once the renames found before are
//! applied), and that share at least half their fields or variants (by
//! name), are
//! one type renamed. Besides a type gone and a type new, a name the new
//! client gives to a type unlike the old one of that name counts on both
//! sides: the converter numbers names (`Account2` becomes `Account3` when
//! a new `Account2` comes before it), and the overrides pin names to
//! numbered schemas. A pairing must be the best for both types.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;

use super::surface::{Surface, Type};
use super::types::type_names;
use super::{add, Change};

/// Says each type renamed and returns `old` with the new names, so that
/// what a rename changes elsewhere (every field and result that named the
/// type) is not said again, and what changed in the type itself is.
pub(super) fn renamed(mut old: Surface, new: &Surface, out: &mut Vec<Change>) -> Surface {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    // A rename can make another one visible: typify names an inline type
    // after its parent (`AccountCategory`), which a renamed parent holds.
    loop {
        let found = round(&old, new, &map);
        if found.is_empty() {
            break;
        }
        map.extend(found);
    }
    // A name the new client gives may be one the old keeps for another
    // type: that pair is no rename (and its own name then stays).
    loop {
        let clash = |to: &String| old.types.contains_key(to) && !map.contains_key(to);
        let Some(was) = map.iter().find(|(_, to)| clash(to)).map(|(w, _)| w.clone()) else {
            break;
        };
        map.remove(&was);
    }
    for (was, is) in &map {
        let what = format!("renamed to `{is}` (code that names it must follow)");
        add(out, true, format!("type `{was}`"), what);
    }
    if !map.is_empty() {
        rename_all(&mut old, &map);
    }
    old
}

/// A type that may have been renamed: its name, and the type.
type Candidate<'a> = (&'a String, &'a Type);

/// Candidates by kind and places.
type Groups<'a> = BTreeMap<(&'static str, Vec<String>), Vec<Candidate<'a>>>;

/// The renames one round finds, with those of `map` applied: pairs of a
/// candidate of each side, of one kind and the same places, each the
/// other's best by members shared, sharing at least half.
fn round(old: &Surface, new: &Surface, map: &BTreeMap<String, String>) -> Vec<(String, String)> {
    // A type whose namesake on the other side is like it is no candidate;
    // nor is one no place names.
    let was = groups(old, map, |n, t| {
        !map.contains_key(n) && new.types.get(n).is_none_or(|u| !alike(t, u, map))
    });
    let targets: BTreeSet<&String> = map.values().collect();
    let is = groups(new, &BTreeMap::new(), |n, u| {
        !targets.contains(n) && old.types.get(n).is_none_or(|t| !alike(t, u, map))
    });
    // The one candidate of `among` that shares the most with `me`, if one.
    let best = |me: &Candidate, among: &[Candidate], me_old: bool| {
        let scores = among.iter().map(|c| {
            let score = if me_old {
                shared(me.1, c.1, map)
            } else {
                shared(c.1, me.1, map)
            };
            (score, c.0.clone())
        });
        let mut scores: Vec<(usize, String)> = scores.filter(|(s, _)| *s > 0).collect();
        scores.sort();
        match scores.as_slice() {
            [.., (a, _), (b, _)] if a == b => None,
            [.., (_, n)] => Some(n.clone()),
            [] => None,
        }
    };
    let mut found = vec![];
    for (key, olds) in &was {
        let Some(news) = is.get(key) else { continue };
        for t in olds {
            let Some(to) = best(t, news, true) else {
                continue;
            };
            let Some(u) = news.iter().find(|c| *c.0 == to) else {
                continue;
            };
            let half = 2 * shared(t.1, u.1, map) >= t.1.members.len().max(u.1.members.len());
            if half && best(u, olds, false).as_ref() == Some(t.0) {
                found.push((t.0.clone(), to));
            }
        }
    }
    found
}

/// The types of `s` that `keep` keeps and some place names, by kind and
/// places.
fn groups<'a>(
    s: &'a Surface,
    map: &BTreeMap<String, String>,
    keep: impl Fn(&String, &Type) -> bool,
) -> Groups<'a> {
    let mut places = places(s, map);
    let mut out: Groups = BTreeMap::new();
    for (n, t) in s.types.iter().filter(|(n, t)| keep(n, t)) {
        if let Some(mut p) = places.remove(n.as_str()) {
            p.sort();
            out.entry((t.kind, p)).or_default().push((n, t));
        }
    }
    out
}

/// How many fields or variants `t` (old, renames of `map` applied) and
/// `u` share by name (their types may change with the rename). Two types
/// without any share their emptiness.
fn shared(t: &Type, u: &Type, map: &BTreeMap<String, String>) -> usize {
    if t.members.is_empty() && u.members.is_empty() {
        return 1;
    }
    let same = |(k, m): (&String, &super::surface::Member)| {
        u.members.contains_key(&renamed_key(k, &m.ty, map))
    };
    t.members.iter().filter(|m| same(*m)).count()
}

/// Whether `t` and `u` (of the same name) are one type: of one kind, and
/// sharing half their members.
fn alike(t: &Type, u: &Type, map: &BTreeMap<String, String>) -> bool {
    t.kind == u.kind && 2 * shared(t, u, map) >= t.members.len().max(u.members.len())
}

/// A variant named after the type it holds (`Error(Error)`) is renamed
/// with it.
fn renamed_key(key: &str, ty: &str, map: &BTreeMap<String, String>) -> String {
    match map.get(key) {
        Some(to) if ty == format!("({key})") => to.clone(),
        _ => key.to_owned(),
    }
}

/// Where each type is used in `s`: the fields and variants that hold it,
/// and the parameters and results of operations, each place with the
/// renames of `map` applied. A variant named after the type it holds
/// (`Error(Error)`) is named `*`, and a type's own field `*self` (a
/// tree's `children`). One pass over `s`.
fn places<'a>(s: &'a Surface, map: &BTreeMap<String, String>) -> BTreeMap<&'a str, Vec<String>> {
    let mut out: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (ty_name, t) in &s.types {
        for (key, m) in &t.members {
            for name in type_names(&m.ty) {
                let key = if key == name { "*" } else { key };
                let container = match ty_name == name {
                    true => "*self".to_owned(),
                    false => renaming(ty_name, map),
                };
                out.entry(name)
                    .or_default()
                    .push(format!("{container} {key}"));
            }
        }
    }
    for (op_name, op) in &s.ops {
        let params = op
            .params
            .iter()
            .map(|(p, q)| (format!("{op_name}({p})"), &q.ty));
        let results = [("success", &op.returns.0), ("error", &op.returns.1)];
        let results = results.map(|(r, ty)| (format!("{op_name} {r}"), ty));
        for (place, ty) in params.chain(results) {
            for name in type_names(ty) {
                out.entry(name).or_default().push(place.clone());
            }
        }
    }
    out
}

/// `s` with the types of `map` renamed wherever a type is named: fields,
/// variant payloads, parameters, results, traits (`From<Error>`), and a
/// variant named after the type it holds.
fn rename_all(s: &mut Surface, map: &BTreeMap<String, String>) {
    let rename = |text: &mut String| *text = renaming(text, map);
    for op in s.ops.values_mut() {
        op.params.values_mut().for_each(|p| rename(&mut p.ty));
        rename(&mut op.returns.0);
        rename(&mut op.returns.1);
    }
    // typify names a field's default after its type: `account_name`.
    let snake: Vec<(String, String)> = (map.iter())
        .map(|(was, is)| {
            (
                format!("{}_", was.to_snake_case()),
                format!("{}_", is.to_snake_case()),
            )
        })
        .collect();
    let default = |text: &str| {
        let found = snake.iter().find(|(was, _)| text.starts_with(was.as_str()));
        found.map_or(text.to_owned(), |(was, is)| {
            text.replacen(was.as_str(), is, 1)
        })
    };
    s.defaults = std::mem::take(&mut s.defaults)
        .into_iter()
        .map(|(k, v)| (default(&k), v))
        .collect();
    for (name, mut t) in std::mem::take(&mut s.types) {
        let mut keys = BTreeMap::new();
        for (key, mut m) in std::mem::take(&mut t.members) {
            let new_key = renamed_key(&key, &m.ty, map);
            if new_key != key {
                // Its parsing code names the variant: `Self::Kind(v)`.
                t.checks = t
                    .checks
                    .replace(&format!("Self :: {key} "), &format!("Self :: {new_key} "));
            }
            rename(&mut m.ty);
            // (Few fields have a default: most skip the search.)
            let defaults = m.serde.contains("defaults::").then_some(&snake);
            for (was, is) in defaults.into_iter().flatten() {
                m.serde = m
                    .serde
                    .replace(&format!("defaults::{was}"), &format!("defaults::{is}"));
            }
            t.members.insert(new_key.clone(), m);
            keys.insert(key, new_key);
        }
        t.order
            .iter_mut()
            .for_each(|v| *v = keys.get(v).cloned().unwrap_or_default());
        t.traits = t.traits.iter().map(|x| renaming(x, map)).collect();
        s.types.insert(map.get(&name).cloned().unwrap_or(name), t);
    }
}

/// `text` with every type name in `map` (a whole word, or `types::` and
/// the word) replaced; a path of another crate (`serde_json::Value`) is
/// not a generated type.
fn renaming(text: &str, map: &BTreeMap<String, String>) -> String {
    let (mut out, mut word) = (String::new(), String::new());
    for c in text.chars().map(Some).chain([None]) {
        match c {
            Some(c) if c.is_alphanumeric() || c == '_' || c == ':' => word.push(c),
            _ => {
                let (prefix, bare) = match word.strip_prefix("types::") {
                    Some(bare) => ("types::", bare),
                    None => ("", word.as_str()),
                };
                match map.get(bare) {
                    Some(to) => out.push_str(&format!("{prefix}{to}")),
                    None => out.push_str(&word),
                }
                word.clear();
                out.extend(c);
            }
        }
    }
    out
}
