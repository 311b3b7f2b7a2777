//! Extraction of repeated object shapes into named components.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use unicode_normalization::char::is_combining_mark;

use super::node::{merge, Kind, Node, Obj};

/// Where a candidate name for a component comes from. Every claim but
/// `Fallback` counts the same: the name seen most often wins, and a generic
/// word loses a tie to a specific one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Claim {
    /// Made up from the operation (`{Op}Request`).
    Fallback = 0,
    /// A generic word (`Error`).
    Generic = 1,
    /// From an example's name.
    Context = 2,
    /// From the resource the path names.
    Resource = 3,
    /// From the property that holds the object.
    Property = 4,
}

/// Extracted object shapes, keyed by their property names.
#[derive(Debug, Default)]
pub struct Registry {
    entries: Vec<Entry>,
    /// Hash of an object's property names → the entries with that hash.
    by_key: FxHashMap<u64, Vec<usize>>,
}

#[derive(Debug, Default)]
struct Entry {
    node: Node,
    /// Reached from a response body.
    in_response: bool,
    /// Candidate names and how often each was claimed.
    names: Vec<(Claim, String, u32)>,
}

/// What components are keyed by: an object's property names, each with the
/// component its array items are, if any (pages of results, `{count, next,
/// previous, results}`, of different resources are different schemas).
fn signature(obj: &Obj) -> impl Iterator<Item = (&String, Option<usize>)> {
    obj.props.iter().map(|(k, p)| (k, listed(&p.node)))
}

/// Whether the registered `node` has the signature of `obj`.
fn same_signature(node: &Node, obj: &Obj) -> bool {
    matches!(&node.kind, Kind::Object(o) if signature(o).eq(signature(obj)))
}

/// The component the items of an array property are, if they are one.
fn listed(node: &Node) -> Option<usize> {
    match &node.kind {
        Kind::Array(items) => match items.kind {
            Kind::Ref(id) => Some(id),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `obj`, claimed by `name`, is another resource's object of the
/// shape of entry `e`: one that holds components the entry's property (or
/// its union) is not (an envelope, `{data, message}`, whose `data` is an
/// order here and a user there), claimed for a resource (by its path) the
/// entry's names do not include. Merged, every such operation would answer
/// one type named after the first, its `data` any of the payloads; within
/// one resource (or where properties claim it) objects of one shape still
/// merge, their differing parts a union.
fn another_resource(e: &Entry, obj: &Obj, name: &[(Claim, String)]) -> bool {
    let Kind::Object(mine) = &e.node.kind else {
        return false;
    };
    let holds_other = (mine.props.values().zip(obj.props.values())).any(|(a, b)| {
        let entry = || components(&a.node);
        entry().next().is_some() && components(&b.node).any(|y| !entry().any(|x| x == y))
    });
    let resource = |c: &Claim| *c == Claim::Resource;
    let known = |n: &String| e.names.iter().any(|(c, m, _)| resource(c) && m == n);
    let theirs = name.iter().find(|(c, _)| resource(c));
    holds_other
        && e.names.iter().any(|(c, ..)| resource(c))
        && theirs.is_some_and(|(_, n)| !known(n))
}

/// The components a node is, or (a union) may be.
fn components(node: &Node) -> impl Iterator<Item = usize> + '_ {
    let each = match &node.kind {
        Kind::OneOf(variants) => variants.as_slice(),
        _ => std::slice::from_ref(node),
    };
    each.iter().filter_map(|v| match v.kind {
        Kind::Ref(id) => Some(id),
        _ => None,
    })
}

/// Names the generated code uses unqualified in its `types` module (typify's
/// builders call `Default::default()`), which a type of the same name would
/// shadow: found by compiling a client with a component named after every
/// item of Rust's prelude and of progenitor's imports.
pub const SHADOWING: [&str; 1] = ["Default"];

impl Registry {
    /// Replaces every object with properties under `node` by a reference to a
    /// component, registering (or merging into) components as it goes.
    /// `name` is the candidate name for `node` itself; `in_response` says
    /// whether `node` is (part of) a response body.
    pub fn extract(&mut self, node: &mut Node, name: &[(Claim, String)], in_response: bool) {
        match &mut node.kind {
            Kind::Object(obj) => {
                for (key, prop) in &mut obj.props.0 {
                    let word = match prop.node.kind {
                        // Nothing to extract below a scalar: skip making its name.
                        Kind::Any | Kind::Scalar(..) | Kind::Ref(_) => continue,
                        Kind::Array(_) => singular(key),
                        Kind::Object(_) | Kind::OneOf(_) => key.clone(),
                    };
                    let claim = [(Claim::Property, pascal(&word))];
                    self.extract(&mut prop.node, &claim, in_response);
                }
                if let Some(add) = obj.additional.as_mut() {
                    let claim: Vec<_> = name
                        .iter()
                        .map(|(c, n)| ((*c).min(Claim::Context), format!("{n}Value")))
                        .collect();
                    self.extract(add, &claim, in_response);
                }
                // Only objects with properties become components; a bare map
                // or `{}` stays inline.
                if obj.props.is_empty() {
                    return;
                }
                let mut h = FxHasher::default();
                signature(obj).for_each(|part| part.hash(&mut h));
                let hash = h.finish();
                let known = self.by_key.get(&hash).and_then(|ids| {
                    ids.iter().copied().find(|&id| {
                        let e = &self.entries[id];
                        same_signature(&e.node, obj) && !another_resource(e, obj, name)
                    })
                });
                let shape = Node::new(std::mem::take(&mut node.kind));
                let id = known.unwrap_or_else(|| {
                    let id = self.entries.len();
                    self.by_key.entry(hash).or_default().push(id);
                    self.entries.push(Entry::default());
                    id
                });
                // A new entry's node is `Any`, which the shape replaces.
                let e = &mut self.entries[id];
                e.node = merge(std::mem::take(&mut e.node), shape);
                e.in_response |= in_response;
                let names = &mut e.names;
                for (claim, n) in name {
                    match names.iter_mut().find(|(c, m, _)| c == claim && m == n) {
                        Some((_, _, count)) => *count += 1,
                        None => names.push((*claim, n.clone(), 1)),
                    }
                }
                node.kind = Kind::Ref(id);
            }
            Kind::Array(items) => self.extract(items, name, in_response),
            Kind::OneOf(vs) => {
                for v in vs {
                    self.extract(v, name, in_response);
                }
            }
            Kind::Any | Kind::Scalar(..) | Kind::Ref(_) => {}
        }
    }

    /// Chooses a unique, readable name for every component: the strongest
    /// claim, then the most frequent, then a specific word over a generic
    /// one, then alphabetical. A name taken gets the first free number
    /// (`Op1002` is `Op10022`, then `Op10023` when an `op10022` took that):
    /// a separator before the number would not help, as typify drops it.
    pub fn names(&self) -> Vec<String> {
        // FxHash: 10⁴ components, each name looked up once or twice, on
        // the one thread between drafting and emission.
        let mut taken = FxHashSet::from_iter(SHADOWING.map(str::to_owned));
        let mut out: Vec<String> = Vec::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate() {
            let best: String = e
                .names
                .iter()
                // Only equal names can tie, so which of them wins is moot.
                .max_by_key(|(c, n, k)| {
                    (*c != Claim::Fallback, *k, *c != Claim::Generic, Reverse(n))
                })
                .map_or_else(|| format!("Schema{i}"), |(_, n, _)| n.clone());
            let mut name = best.clone();
            for n in 2.. {
                if taken.insert(name.clone()) {
                    break;
                }
                name = format!("{best}{n}");
            }
            out.push(name);
        }
        out
    }

    /// Merges, in the unions under the components, the variants that every
    /// body matches: the components `open[id]` says require no property
    /// (`in_responses[id]` in a response component, where the
    /// nullable-responses policy makes every property optional but the
    /// pinned ones). A generated untagged enum takes the first variant that
    /// decodes, and unknown properties are ignored, so the first of them
    /// took every body and dropped what the others hold (a payment's `pse`
    /// information read as its `pse` details). They become one object with
    /// all their properties, none required, tried after the variants that
    /// require some. (The unions of an operation's statuses, made later by
    /// `openapi/unify.rs`, are not merged: two successes of different open
    /// objects stay a union.)
    pub fn merge_open_unions(&mut self, open: &[bool], in_responses: Option<&[bool]>) {
        for id in 0..self.entries.len() {
            let open = match in_responses {
                Some(relaxed) if self.in_response(id) => relaxed,
                _ => open,
            };
            let mut node = std::mem::take(&mut self.entries[id].node);
            self.merge_open(&mut node, open, &mut vec![id]);
            self.entries[id].node = node;
        }
    }

    /// [`merge_open_unions`](Self::merge_open_unions) below `node`; `within`
    /// holds the components being merged, which are not merged again
    /// inside themselves (a shape that holds itself).
    fn merge_open(&self, node: &mut Node, open: &[bool], within: &mut Vec<usize>) {
        let is_open = |v: &Node| match v.kind {
            Kind::Ref(id) => open.get(id) == Some(&true) && !within.contains(&id),
            _ => false,
        };
        match &mut node.kind {
            Kind::Object(o) => {
                let props = o.props.0.iter_mut().map(|(_, p)| &mut p.node);
                for n in props.chain(o.additional.as_deref_mut()) {
                    self.merge_open(n, open, within);
                }
            }
            Kind::Array(items) => self.merge_open(items, open, within),
            Kind::OneOf(vs) if vs.iter().filter(|v| is_open(v)).count() > 1 => {
                let (opened, mut rest): (Vec<Node>, Vec<Node>) =
                    std::mem::take(vs).into_iter().partition(is_open);
                let ids: Vec<usize> = (opened.iter())
                    .filter_map(|v| match v.kind {
                        Kind::Ref(id) => Some(id),
                        _ => None,
                    })
                    .collect();
                let shapes = ids.iter().map(|&id| self.entries[id].node.clone());
                let mut merged = shapes.reduce(merge).unwrap_or_default();
                if let Kind::Object(o) = &mut merged.kind {
                    o.props.0.iter_mut().for_each(|(_, p)| p.seen = 0);
                }
                let depth = within.len();
                within.extend(&ids);
                self.merge_open(&mut merged, open, within);
                within.truncate(depth);
                rest.push(merged);
                let nullable = node.nullable;
                *node = match rest.len() {
                    1 => rest.remove(0),
                    _ => Node::new(Kind::OneOf(rest)),
                };
                node.nullable |= nullable;
            }
            Kind::OneOf(vs) => vs.iter_mut().for_each(|v| self.merge_open(v, open, within)),
            Kind::Any | Kind::Scalar(..) | Kind::Ref(_) => {}
        }
    }

    /// Whether component `id` is (part of) a response body.
    pub fn in_response(&self, id: usize) -> bool {
        self.entries[id].in_response
    }

    /// The node of component `id`.
    pub fn node(&self, id: usize) -> &Node {
        &self.entries[id].node
    }
}

/// `balances` → `balance`, `categories` → `category`, `addresses` → `address`.
pub fn singular(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    if let Some(stem) = word.strip_suffix("ies").filter(|_| lower.len() > 4) {
        return format!("{stem}y");
    }
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| lower.ends_with(s));
    if ends(&["sses", "shes", "ches", "xes"]) {
        return word[..word.len() - 2].to_owned();
    }
    if ends(&["ss", "us", "is"]) || lower.len() < 3 {
        return word.to_owned();
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

/// `token_generation_data` → `TokenGenerationData`, `MFA Token Required` →
/// `MfaTokenRequired`, `accountId` → `AccountId`.
pub fn pascal(text: &str) -> String {
    let text = in_ascii(text);
    let mut out = String::with_capacity(text.len());
    // Words of ASCII letters and digits: their bytes are their characters.
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let start = out.len();
        out.push_str(word);
        if !word.bytes().any(|b| b.is_ascii_lowercase()) {
            out[start + 1..].make_ascii_lowercase();
        }
        out[start..start + 1].make_ascii_uppercase();
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Schema");
    }
    out
}

/// `text` in ASCII, for names: letters of other scripts transliterated by
/// deunicode (`Información` → `Informacion`, `Straße` → `Strasse`,
/// `Получить заказ` → `Poluchit zakaz`, `获取` → `Huo Qu`), combining
/// accents dropped, and anything else (emoji, symbols) a word break. Names
/// are made of ASCII letters and digits; an accented letter broke a word
/// (`informaci_n`), and a name in Cyrillic was no name at all (`op_3`).
pub fn in_ascii(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if c.is_alphanumeric() {
            // (A soft sign is an apostrophe, inside a word: `Pol'zovatel'`.)
            let letters = deunicode::deunicode_char(c).unwrap_or(" ");
            out.extend(letters.chars().filter(|&l| l != '\''));
        } else if !is_combining_mark(c) {
            out.push(' ');
        }
    }
    Cow::Owned(out)
}
