//! The surface of a generated client: what code that uses it names, and
//! what it sends and reads. The client's methods with their parameters,
//! result types, statuses and wire names, and the types with their fields
//! or variants and the traits they implement, read from the code progenitor
//! generates with the project's settings (the same code `build.rs`
//! compiles), not re-derived from the document.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use serde_json::Value;

use crate::generate::{generate_tokens, walk_items};

/// A generated client's surface.
#[derive(Debug, Default)]
pub(super) struct Surface {
    /// The client's operation methods by name.
    pub ops: BTreeMap<String, Op>,
    /// The types of the `types` module by name.
    pub types: BTreeMap<String, Type>,
    /// The functions of `types::defaults` (a field's default value) by
    /// name, with their code.
    pub defaults: BTreeMap<String, String>,
    /// Which operation each builder type (`builder::AccountsList`) serves.
    builders: BTreeMap<String, String>,
}

/// One operation method of the client.
#[derive(Debug, Default)]
pub(super) struct Op {
    /// `GET /accounts`, as progenitor documents `send` (or the method).
    pub route: String,
    /// The parameters by builder method (or argument) name.
    pub params: BTreeMap<String, Param>,
    /// The success and the error type of its result.
    pub returns: (String, String),
    /// The statuses it decodes (`200`, `2XX`); others are unexpected.
    pub statuses: BTreeSet<String>,
    /// What it puts on the wire: `query page`, `header X-Req`, `body json`.
    pub wire: BTreeSet<String>,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Param {
    pub ty: String,
    /// Whether a call that does not set it fails (a builder method) or
    /// must pass it (an argument).
    pub required: bool,
    /// A body that starts as its type's default builder: required when
    /// that builder needs a field set.
    defaulted: bool,
}

/// One type of the `types` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Type {
    /// `struct`, `enum`, `newtype` or `alias`.
    pub kind: &'static str,
    /// The traits it derives or implements (`Default`, `From<Vec<String>>`).
    pub traits: BTreeSet<String>,
    /// Its `#[serde(...)]` attributes (`untagged`, `deny_unknown_fields`).
    pub serde: String,
    /// Fields, variants, or the inner type (named `0`).
    pub members: BTreeMap<String, Member>,
    /// The variants in the order serde tries them.
    pub order: Vec<String>,
    /// The code of its `TryFrom`, `FromStr` and `Deserialize` impls: the
    /// values it accepts (an integer enum's values, a string's pattern).
    pub checks: String,
}

/// A field or a variant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Member {
    /// A field's type, or a variant's payload (`(String)`, empty when none).
    pub ty: String,
    /// Its name on the wire when serde renames it.
    pub wire: Option<String>,
    /// Its other `#[serde(...)]` attributes (`default`, `skip_serializing_if`).
    pub serde: String,
    /// Whether the type's builder fails unless it is set.
    pub required: bool,
}

impl Surface {
    /// The surface of the client generated from `doc`.
    ///
    /// # Errors
    /// The document does not generate, or its code does not parse.
    pub fn of(doc: &Value) -> Result<Surface, String> {
        let tokens = generate_tokens(doc)?;
        let mut s = Surface::default();
        let read = |input: syn::parse::ParseStream<'_>| {
            walk_items(input, &mut vec![], &mut |module, item| {
                s.add(module, item);
                Ok(())
            })
        };
        syn::parse::Parser::parse2(read, tokens).map_err(|e| e.to_string())?;
        // A body that starts as a default builder fails when sent unless
        // the call sets every field that builder needs.
        for p in s.ops.values_mut().flat_map(|op| op.params.values_mut()) {
            let needs = |t: &Type| t.members.values().any(|m| m.required);
            p.required |= p.defaulted && s.types.get(&p.ty).is_some_and(needs);
        }
        // A type's checks name it: as `Self`, they are the same after a rename.
        for (name, t) in &mut s.types {
            let words = t
                .checks
                .split(' ')
                .map(|w| if w == name { "Self" } else { w });
            t.checks = words.collect::<Vec<_>>().join(" ");
        }
        Ok(s)
    }

    fn add(&mut self, module: &[String], item: &syn::Item) {
        let module: Vec<&str> = module.iter().map(String::as_str).collect();
        match (module.as_slice(), item) {
            ([], syn::Item::Impl(imp)) if imp.trait_.is_none() && self_name(imp) == "Client" => {
                imp.items.iter().for_each(|i| self.client_method(i));
            }
            (["builder"], syn::Item::Impl(imp)) if imp.trait_.is_none() => {
                let Some(op) = self.builders.get(&self_name(imp)) else {
                    return;
                };
                let op = self.ops.entry(op.clone()).or_default();
                imp.items.iter().for_each(|i| builder_method(op, i));
            }
            (["types"], syn::Item::Impl(imp)) => self.trait_impl(imp),
            (["types"], _) => {
                if let Some((name, ty)) = type_of(item) {
                    self.types.insert(name, ty);
                }
            }
            // The builder of a type: which fields it needs set.
            (["types", "builder"], syn::Item::Impl(imp)) if imp.trait_.is_some() => {
                let Some(ty) = self.types.get_mut(&self_name(imp)) else {
                    return;
                };
                for (field, code) in initializers(&imp.items) {
                    if let Some(m) = ty.members.get_mut(&field) {
                        m.required |= code.starts_with("Err");
                    }
                }
            }
            (["types", "defaults"], syn::Item::Fn(f)) => {
                let code = f.block.to_token_stream().to_string();
                self.defaults.insert(f.sig.ident.to_string(), code);
            }
            _ => {}
        }
    }

    /// A trait a type implements; the code of those that check values.
    fn trait_impl(&mut self, imp: &syn::ItemImpl) {
        let Some((path, _)) = &imp.trait_ else { return };
        let Some(ty) = self.types.get_mut(&self_name(imp)) else {
            return;
        };
        let name = show_path(path, true);
        let checks = ["TryFrom", "FromStr", "Deserialize"];
        if path
            .segments
            .last()
            .is_some_and(|l| checks.iter().any(|c| l.ident == c))
        {
            ty.checks.push_str(&imp.to_token_stream().to_string());
        }
        ty.traits.insert(name);
    }

    /// A public method of the client: an operation, as a builder
    /// (`fn accounts_list(&self) -> builder::AccountsList<'_>`) or with
    /// its parameters as arguments.
    fn client_method(&mut self, item: &syn::ImplItem) {
        let syn::ImplItem::Fn(f) = item else { return };
        if f.sig.receiver().is_none() || !matches!(f.vis, syn::Visibility::Public(_)) {
            return;
        }
        let name = f.sig.ident.to_string();
        let op = self.ops.entry(name.clone()).or_default();
        op.route = route(&f.attrs);
        match &f.sig.output {
            syn::ReturnType::Type(_, ty) if f.sig.asyncness.is_none() => {
                self.builders.insert(last_name(ty), name);
            }
            output => {
                sends(op, output, f.block.to_token_stream());
                for arg in f.sig.inputs.iter().skip(1) {
                    let syn::FnArg::Typed(arg) = arg else {
                        continue;
                    };
                    let param = Param {
                        ty: show(&arg.ty),
                        required: true,
                        defaulted: false,
                    };
                    op.params
                        .insert(arg.pat.to_token_stream().to_string(), param);
                }
            }
        }
    }
}

/// A method of an operation's builder: `new` says which parameters a call
/// must set, one method per parameter, and `send`.
fn builder_method(op: &mut Op, item: &syn::ImplItem) {
    let syn::ImplItem::Fn(f) = item else { return };
    let name = f.sig.ident.to_string();
    match name.as_str() {
        "new" => {
            // `x_req: Err("…")` must be set; `body: Ok(Default::default())`
            // starts as the type's default builder.
            // (`client: client`, or `_client` beside a parameter `client`,
            // is the builder's own.)
            let params = initializers([item]).into_iter();
            for (field, code) in
                params.filter(|(_, code)| code.starts_with("Ok") || code.starts_with("Err"))
            {
                let p = op.params.entry(field).or_default();
                p.required |= code.starts_with("Err");
                p.defaulted |= code.starts_with("Ok") && code.contains("Default");
            }
        }
        "send" => {
            op.route = route(&f.attrs);
            sends(op, &f.sig.output, f.block.to_token_stream());
        }
        _ => {
            // `fn page<V>(self, value: V) where V: TryInto<i64>`; the
            // `body_map` beside a `body` has no such bound.
            let bounds = f.sig.generics.where_clause.iter();
            let ty = bounds.flat_map(|w| &w.predicates).find_map(try_into_target);
            if let Some(ty) = ty {
                op.params.entry(name).or_default().ty = ty;
            }
        }
    }
}

/// The fields a constructor (`new`, or a builder's `default`) sets, each
/// with the code of its value: `Err(..)` for one a call must set.
fn initializers<'a>(items: impl IntoIterator<Item = &'a syn::ImplItem>) -> Vec<(String, String)> {
    let fns = items.into_iter().filter_map(|i| match i {
        syn::ImplItem::Fn(f) => f.block.stmts.first(),
        _ => None,
    });
    let inits = fns.filter_map(|stmt| match stmt {
        syn::Stmt::Expr(syn::Expr::Struct(init), _) => Some(&init.fields),
        _ => None,
    });
    let fields = inits.flatten().map(|f| {
        let code = f.expr.to_token_stream().to_string();
        (f.member.to_token_stream().to_string(), code)
    });
    fields.collect()
}

/// What `send` (or a positional method) tells of an operation: its result
/// types, the statuses it decodes, what it puts on the wire.
fn sends(op: &mut Op, output: &syn::ReturnType, body: TokenStream) {
    if let syn::ReturnType::Type(_, ty) = output {
        let args = generic_args(ty);
        let inner = |i: usize| {
            let t = args.get(i)?;
            Some(generic_args(t).first().map_or_else(|| show(t), show))
        };
        op.returns = (inner(0).unwrap_or_default(), inner(1).unwrap_or_default());
    }
    read_send(body, &mut None, op);
}

/// Walks `send`'s code for the statuses of its `match` (`200u16 =>`,
/// `400u16..=499u16 =>`) and its wire names: `QueryParam::new("page", ..)`,
/// `header_map.append("X-Req", ..)`, `.json(&body)`.
fn read_send(code: TokenStream, prev: &mut Option<String>, op: &mut Op) {
    let mut trees = code.into_iter().peekable();
    while let Some(tree) = trees.next() {
        match &tree {
            TokenTree::Group(g) => {
                let first = g.stream().into_iter().next().map(|t| t.to_string());
                let name = first.filter(|f| f.starts_with('"'));
                let name = name.map(|f| f.trim_matches('"').to_owned());
                let wire = match prev.as_deref() {
                    Some("new") => name.map(|n| format!("query `{n}`")),
                    Some("append") => name.map(|n| format!("header `{n}`")),
                    Some(how @ ("json" | "form_urlencoded")) => Some(format!("a {how} body")),
                    Some("body") => Some("a raw body".to_owned()),
                    _ => None,
                };
                op.wire.extend(wire);
                read_send(g.stream(), &mut None, op);
            }
            TokenTree::Literal(l) => {
                let text = l.to_string();
                let code = text.strip_suffix("u16").unwrap_or(&text);
                let Ok(low) = code.parse::<u16>() else {
                    continue;
                };
                // A range is its class, as the document writes it (`2XX`).
                let range = matches!(trees.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '.');
                if range {
                    // `..=` and the upper bound.
                    while matches!(trees.peek(), Some(TokenTree::Punct(_))) {
                        trees.next();
                    }
                    trees.next();
                    op.statuses.insert(format!("{}XX", low / 100));
                } else if text.ends_with("u16") {
                    op.statuses.insert(low.to_string());
                }
            }
            _ => {}
        }
        *prev = match tree {
            TokenTree::Ident(i) => Some(i.to_string()),
            _ => None,
        };
    }
}

/// `T` of a bound `V: TryInto<T>`.
fn try_into_target(p: &syn::WherePredicate) -> Option<String> {
    let syn::WherePredicate::Type(p) = p else {
        return None;
    };
    p.bounds.iter().find_map(|b| {
        let syn::TypeParamBound::Trait(t) = b else {
            return None;
        };
        let last = t.path.segments.last().filter(|l| l.ident == "TryInto")?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(ty) => Some(show(ty)),
            _ => None,
        }
    })
}

/// The route progenitor's documentation gives: "Sends a `GET` request to
/// `/accounts`" is `GET /accounts`. Its line comes after the operation's
/// own description, which could hold such a line too: the last one counts.
fn route(attrs: &[syn::Attribute]) -> String {
    let docs = attrs.iter().filter_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    });
    let text = docs.collect::<Vec<_>>().join("\n");
    let route = text.lines().rev().find_map(|line| {
        let rest = line.trim().strip_prefix("Sends a `")?;
        let (method, rest) = rest.split_once("` request to `")?;
        Some(format!("{method} {}", rest.strip_suffix('`')?))
    });
    route.unwrap_or_default()
}

/// A type of the `types` module with its name.
fn type_of(item: &syn::Item) -> Option<(String, Type)> {
    let (attrs, ident, kind, members, order) = match item {
        syn::Item::Struct(s) => {
            let kind = match &s.fields {
                syn::Fields::Unnamed(_) => "newtype",
                _ => "struct",
            };
            let fields = s.fields.iter().enumerate().map(|(i, f)| {
                let name = f.ident.as_ref().map_or(i.to_string(), ToString::to_string);
                (name, member(show_in(&f.ty, true), &f.attrs))
            });
            (&s.attrs, &s.ident, kind, fields.collect(), vec![])
        }
        syn::Item::Enum(e) => {
            let variants = e.variants.iter().map(|v| {
                let ty = match &v.fields {
                    syn::Fields::Unit => String::new(),
                    fields => {
                        let shown = fields.iter().map(|f| match &f.ident {
                            Some(name) => format!("{name}: {}", show_in(&f.ty, true)),
                            None => show_in(&f.ty, true),
                        });
                        let (open, close) = match fields {
                            syn::Fields::Named(_) => ("{ ", " }"),
                            _ => ("(", ")"),
                        };
                        format!("{open}{}{close}", join(shown))
                    }
                };
                (v.ident.to_string(), member(ty, &v.attrs))
            });
            let order = e.variants.iter().map(|v| v.ident.to_string()).collect();
            (&e.attrs, &e.ident, "enum", variants.collect(), order)
        }
        syn::Item::Type(t) => {
            let inner = BTreeMap::from([("0".to_owned(), member(show_in(&t.ty, true), &[]))]);
            (&t.attrs, &t.ident, "alias", inner, vec![])
        }
        _ => return None,
    };
    let mut traits = BTreeSet::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|m| {
            traits.insert(show_path(&m.path, true));
            Ok(())
        });
    }
    let (_, serde) = serde_attrs(attrs);
    let ty = Type {
        kind,
        traits,
        serde,
        members,
        order,
        checks: String::new(),
    };
    Some((ident.to_string(), ty))
}

fn member(ty: String, attrs: &[syn::Attribute]) -> Member {
    let (wire, serde) = serde_attrs(attrs);
    Member {
        ty,
        wire,
        serde,
        required: false,
    }
}

/// The `rename` of `#[serde(...)]` attributes, and the others as written
/// (`default, skip_serializing_if = "..."`).
fn serde_attrs(attrs: &[syn::Attribute]) -> (Option<String>, String) {
    let (mut rename, mut others) = (None, vec![]);
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            let key = show_path(&m.path, true);
            if m.input.peek(syn::Token![=]) {
                let value: syn::Expr = m.value()?.parse()?;
                match (&*key, &value) {
                    (
                        "rename",
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }),
                    ) => {
                        rename = Some(s.value());
                    }
                    _ => others.push(format!("{key} = {}", value.to_token_stream())),
                }
            } else if m.input.peek(syn::token::Paren) {
                let inner: TokenStream = m.input.fork().parse()?;
                m.parse_nested_meta(|_| Ok(()))?;
                others.push(format!("{key}{inner}"));
            } else {
                others.push(key);
            }
            Ok(())
        });
    }
    (rename, others.join(", "))
}

/// A type as code names it: a generated type by its name (`Account`), a
/// type of std by its own (`Option<Vec<String>>`), any other with its
/// crate (`serde_json::Value`, which a component named `Value` is not). A
/// generated type named like a type of std or progenitor is `types::String`.
fn show(ty: &syn::Type) -> String {
    show_in(ty, false)
}

/// [`show`] of a type written in the `types` module, where typify names
/// std's types by their paths and a name alone is a generated type;
/// progenitor's builders name std's and its own types by their name alone.
fn show_in(ty: &syn::Type, in_types: bool) -> String {
    let show = |t: &syn::Type| show_in(t, in_types);
    match ty {
        syn::Type::Path(p) => show_path(&p.path, in_types),
        syn::Type::Reference(r) => format!("&{}", show(&r.elem)),
        syn::Type::Tuple(t) => format!("({})", join(t.elems.iter().map(show))),
        syn::Type::Slice(s) => format!("[{}]", show(&s.elem)),
        other => other.to_token_stream().to_string(),
    }
}

fn show_path(path: &syn::Path, in_types: bool) -> String {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let last = names.last().cloned().unwrap_or_default();
    let std_rooted =
        matches!(names[..], [ref first, ..] if ["std", "core", "alloc"].contains(&first.as_str()));
    let generated = match names.first().map(String::as_str) {
        _ if std_rooted => false,
        Some("types" | "super" | "self" | "crate") => true,
        _ => names.len() == 1 && in_types,
    };
    let taken = [
        "String",
        "Vec",
        "Option",
        "Box",
        "HashMap",
        "HashSet",
        "BTreeMap",
        "BTreeSet",
        "ByteStream",
        "ResponseValue",
    ];
    let mut shown = match generated {
        true if taken.contains(&last.as_str()) => format!("types::{last}"),
        _ if generated || std_rooted || names.len() == 1 => last,
        _ => names.join("::"),
    };
    let args = path.segments.last().map(|s| &s.arguments);
    if let Some(syn::PathArguments::AngleBracketed(a)) = args {
        let args = a.args.iter().filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(show_in(t, in_types)),
            _ => None,
        });
        let args = join(args);
        if !args.is_empty() {
            shown.push_str(&format!("<{args}>"));
        }
    }
    shown
}

/// The type arguments of a path type (`Option<T>`: `T`).
fn generic_args(ty: &syn::Type) -> Vec<syn::Type> {
    let syn::Type::Path(p) = ty else {
        return vec![];
    };
    let Some(syn::PathArguments::AngleBracketed(a)) = p.path.segments.last().map(|s| &s.arguments)
    else {
        return vec![];
    };
    let types = a.args.iter().filter_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    });
    types.collect()
}

/// The name a path type ends with (`builder::AccountsList<'_>`:
/// `AccountsList`).
fn last_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
    .unwrap_or_default()
}

fn self_name(imp: &syn::ItemImpl) -> String {
    last_name(&imp.self_ty)
}

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(", ")
}
