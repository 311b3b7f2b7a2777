//! Types renamed between two generated clients. A rename is told by where
//! a type is used, not by its body (which may change with it): a type gone
//! and a type new that exactly the same fields, variants, parameters and
//! results name, once the renames found before are applied, are one type
//! renamed. A type no one names, or whose places another gone or new type
//! shares, is not paired.

use std::collections::BTreeMap;

use super::surface::Surface;
use super::types::type_names;
use super::{add, Change};

/// Says each type renamed and returns `old` with the new names, so that
/// what a rename changes elsewhere (every field and result that named the
/// type) is not said again, and what changed in the type itself is.
pub(super) fn renamed(mut old: Surface, new: &Surface, out: &mut Vec<Change>) -> Surface {
    // A rename can make another one visible: typify names an inline type
    // after its parent (`AccountCategory`), which a renamed parent holds.
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let mut by_places: BTreeMap<_, (Vec<&String>, Vec<&String>)> = BTreeMap::new();
        let gone = old
            .types
            .iter()
            .filter(|(n, _)| !new.types.contains_key(*n));
        for (name, t) in gone.filter(|(n, _)| !map.contains_key(*n)) {
            let places = places(&old, name, &map);
            by_places.entry((t.kind, places)).or_default().0.push(name);
        }
        let added = new
            .types
            .iter()
            .filter(|(n, _)| !old.types.contains_key(*n));
        for (name, t) in added.filter(|(n, _)| !map.values().any(|v| v == *n)) {
            let places = places(new, name, &BTreeMap::new());
            by_places.entry((t.kind, places)).or_default().1.push(name);
        }
        let found: Vec<(String, String)> = (by_places.into_iter())
            .filter(|((_, places), (was, is))| {
                !places.is_empty() && was.len() == 1 && is.len() == 1
            })
            .map(|(_, (was, is))| (was[0].clone(), is[0].clone()))
            .collect();
        if found.is_empty() {
            break;
        }
        map.extend(found);
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

/// Where `name` is used in `s`: the fields and variants that hold it, and
/// the parameters and results of operations, each place with the renames
/// of `map` applied. A variant named after the type it holds (`Error(Error)`)
/// is named `*`: it is renamed with it.
fn places(s: &Surface, name: &str, map: &BTreeMap<String, String>) -> Vec<String> {
    let uses = |ty: &str| type_names(ty).any(|w| w == name);
    let mut out = vec![];
    for (ty_name, t) in &s.types {
        for (key, _) in t.members.iter().filter(|(_, m)| uses(&m.ty)) {
            let key = if key == name { "*" } else { key };
            out.push(format!("{} {key}", renaming(ty_name, map)));
        }
    }
    for (op_name, op) in &s.ops {
        let params = op.params.iter().filter(|(_, p)| uses(&p.ty));
        out.extend(params.map(|(p, _)| format!("{op_name}({p})")));
        if uses(&op.returns.0) {
            out.push(format!("{op_name} success"));
        }
        if uses(&op.returns.1) {
            out.push(format!("{op_name} error"));
        }
    }
    out.sort();
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
    for (name, mut t) in std::mem::take(&mut s.types) {
        let mut keys = BTreeMap::new();
        for (key, mut m) in std::mem::take(&mut t.members) {
            let new_key = match map.get(&key) {
                Some(to) if m.ty == format!("({key})") => to.clone(),
                _ => key.clone(),
            };
            rename(&mut m.ty);
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
