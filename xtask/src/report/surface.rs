//! The surface of a generated client: what code that uses it names. The
//! client's methods with their parameters and result types, and the types
//! with their fields or variants, read from the code progenitor generates
//! with the project's settings (the same code `build.rs` compiles), not
//! re-derived from the document.

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
    /// Which operation each builder type (`builder::AccountsList`) serves.
    builders: BTreeMap<String, String>,
}

/// One operation method of the client.
#[derive(Debug, Default)]
pub(super) struct Op {
    /// `GET /accounts`, from the method's documentation.
    pub route: String,
    /// The parameters by builder method (or argument) name.
    pub params: BTreeMap<String, Param>,
    /// The success and the error type of its result.
    pub returns: (String, String),
    /// The statuses it decodes (the others are unexpected responses).
    pub statuses: BTreeSet<String>,
}

/// One parameter of an operation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Param {
    pub ty: String,
    /// Whether a call that does not set it fails (a builder method) or
    /// must pass it (an argument).
    pub required: bool,
    /// Its name on the wire, for a query or header parameter.
    pub wire: Option<String>,
}

/// One type of the `types` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Type {
    /// `struct`, `enum`, `newtype` or `alias`.
    pub kind: &'static str,
    pub derives: BTreeSet<String>,
    /// Its `#[serde(...)]` attributes (`untagged`, `deny_unknown_fields`).
    pub serde: String,
    /// Fields, variants, or the inner type (named `0`).
    pub members: BTreeMap<String, Member>,
    /// The code of its `TryFrom`, `FromStr` and `Deserialize` impls: the
    /// values it accepts (an integer enum's values, a string's pattern).
    pub checks: String,
}

/// A field or a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Member {
    /// A field's type, or a variant's payload (`(String)`, empty when none).
    pub ty: String,
    /// Its name on the wire when serde renames it.
    pub wire: Option<String>,
    /// Whether serde fills it in when a body leaves it out.
    pub default: bool,
}

impl Surface {
    /// The surface of the client generated from `doc`.
    ///
    /// # Errors
    /// The document does not generate, or its code does not parse.
    pub fn of(doc: &Value) -> Result<Surface, String> {
        let tokens = generate_tokens(doc)?;
        let mut surface = Surface::default();
        let read = |input: syn::parse::ParseStream<'_>| {
            walk_items(input, &mut vec![], &mut |module, item| {
                surface.add(module, item);
                Ok(())
            })
        };
        syn::parse::Parser::parse2(read, tokens).map_err(|e| e.to_string())?;
        Ok(surface)
    }

    fn add(&mut self, module: &[String], item: &syn::Item) {
        match (module, item) {
            ([], syn::Item::Impl(imp)) if imp.trait_.is_none() && self_name(imp) == "Client" => {
                imp.items.iter().for_each(|i| self.client_method(i));
            }
            ([m], syn::Item::Impl(imp)) if m == "builder" && imp.trait_.is_none() => {
                let Some(op) = self.builders.get(&self_name(imp)).cloned() else {
                    return;
                };
                let op = self.ops.entry(op).or_default();
                imp.items.iter().for_each(|i| builder_method(op, i));
            }
            ([m], syn::Item::Impl(imp)) if m == "types" => {
                let checks = ["TryFrom", "FromStr", "Deserialize"];
                let path = imp.trait_.as_ref().and_then(|(p, _)| p.segments.last());
                let Some(ty) = self.types.get_mut(&self_name(imp)) else {
                    return;
                };
                if path.is_some_and(|s| checks.iter().any(|c| s.ident == c)) {
                    ty.checks.push_str(&imp.to_token_stream().to_string());
                }
            }
            ([m], _) if m == "types" => {
                if let Some((name, ty)) = type_of(item) {
                    self.types.insert(name, ty);
                }
            }
            _ => {}
        }
    }

    /// A public method of the client: an operation, as a builder
    /// (`fn accounts_list(&self) -> builder::AccountsList<'_>`) or with
    /// its parameters as arguments.
    fn client_method(&mut self, item: &syn::ImplItem) {
        let syn::ImplItem::Fn(f) = item else { return };
        let is_op = f.sig.receiver().is_some() && matches!(f.vis, syn::Visibility::Public(_));
        if !is_op {
            return;
        }
        let name = f.sig.ident.to_string();
        let op = self.ops.entry(name.clone()).or_default();
        op.route = route(&f.attrs).unwrap_or_default();
        match &f.sig.output {
            syn::ReturnType::Type(_, ty) if f.sig.asyncness.is_none() => {
                self.builders.insert(last_name(ty), name);
            }
            output => {
                op.returns = returns(output);
                op.statuses = statuses(f.block.to_token_stream());
                for arg in f.sig.inputs.iter().skip(1) {
                    let syn::FnArg::Typed(arg) = arg else {
                        continue;
                    };
                    let param = Param {
                        ty: show(&arg.ty),
                        required: true,
                        wire: None,
                    };
                    let name = arg.pat.to_token_stream().to_string();
                    op.params.insert(name, param);
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
            // `Self { client, page: Ok(None), x_req: Err("…") }`.
            let Some(syn::Stmt::Expr(syn::Expr::Struct(init), _)) = f.block.stmts.first() else {
                return;
            };
            for field in &init.fields {
                let unset = field.expr.to_token_stream().into_iter().next();
                let member = field.member.to_token_stream().to_string();
                if unset.is_some_and(|t| t.to_string() == "Err") {
                    op.params.entry(member).or_default().required = true;
                }
            }
        }
        "send" => {
            op.returns = returns(&f.sig.output);
            let body = f.block.to_token_stream();
            op.statuses = statuses(body.clone());
            wire_names(body, op);
        }
        _ => {
            // `fn page<V>(self, value: V) where V: TryInto<i64>`; the
            // `body_map` beside a `body` has no such bound.
            let bound = f
                .sig
                .generics
                .where_clause
                .iter()
                .flat_map(|w| &w.predicates);
            let ty = bound.filter_map(try_into_target).next();
            if let Some(ty) = ty {
                op.params.entry(name).or_default().ty = ty;
            }
        }
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
        let last = t.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        match args.args.first()? {
            syn::GenericArgument::Type(ty) if last.ident == "TryInto" => Some(show(ty)),
            _ => None,
        }
    })
}

/// The route a method's documentation gives: "Sends a `GET` request to
/// `/accounts`" is `GET /accounts`.
fn route(attrs: &[syn::Attribute]) -> Option<String> {
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
    docs.flat_map(|d| d.lines().map(str::to_owned).collect::<Vec<_>>())
        .find_map(|line| {
            let rest = line.trim().strip_prefix("Sends a `")?;
            let (method, rest) = rest.split_once("` request to `")?;
            Some(format!("{method} {}", rest.strip_suffix('`')?))
        })
}

/// The success and error types of `Result<ResponseValue<T>, Error<E>>`.
fn returns(output: &syn::ReturnType) -> (String, String) {
    let syn::ReturnType::Type(_, ty) = output else {
        return Default::default();
    };
    let args = generic_args(ty);
    let inner = |i: usize| {
        args.get(i)
            .map(|t| generic_args(t).first().map_or_else(|| show(t), show))
    };
    (inner(0).unwrap_or_default(), inner(1).unwrap_or_default())
}

/// The statuses a `send` decodes: the `200u16 =>` arms of its match.
fn statuses(body: TokenStream) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for tree in body {
        match tree {
            TokenTree::Group(g) => out.extend(statuses(g.stream())),
            TokenTree::Literal(l) => {
                if let Some(code) = l.to_string().strip_suffix("u16") {
                    out.insert(code.to_owned());
                }
            }
            _ => {}
        }
    }
    out
}

/// The wire names of query and header parameters: the string beside the
/// parameter in `QueryParam::new("pageSize", &page_size)` and
/// `header_map.append("X-Req", x_req…)`.
fn wire_names(body: TokenStream, op: &mut Op) {
    for tree in body {
        let TokenTree::Group(g) = tree else { continue };
        let parts: Vec<String> = g
            .stream()
            .into_iter()
            .take(4)
            .map(|t| t.to_string())
            .collect();
        let param = match parts.as_slice() {
            [wire, comma, amp, p, ..] if comma == "," && amp == "&" => Some((wire, p)),
            [wire, comma, p, ..] if comma == "," => Some((wire, p)),
            _ => None,
        };
        let named =
            param.and_then(|(wire, p)| Some((syn::parse_str::<syn::LitStr>(wire).ok()?, p)));
        match named.and_then(|(wire, p)| Some((wire, op.params.get_mut(p)?))) {
            Some((wire, param)) => param.wire = Some(wire.value()),
            None => wire_names(g.stream(), op),
        }
    }
}

/// A type of the `types` module with its name.
fn type_of(item: &syn::Item) -> Option<(String, Type)> {
    let (attrs, ident, kind, members) = match item {
        syn::Item::Struct(s) => {
            let (kind, members) = match &s.fields {
                syn::Fields::Unnamed(f) => ("newtype", fields(&f.unnamed)),
                fields_ => ("struct", fields(fields_)),
            };
            (&s.attrs, &s.ident, kind, members)
        }
        syn::Item::Enum(e) => {
            let variants = e.variants.iter().map(|v| {
                let ty = match &v.fields {
                    syn::Fields::Unit => String::new(),
                    syn::Fields::Unnamed(f) => {
                        format!("({})", join(f.unnamed.iter().map(|f| show(&f.ty))))
                    }
                    syn::Fields::Named(f) => {
                        format!("{{ {} }}", join(f.named.iter().map(field_text)))
                    }
                };
                (v.ident.to_string(), member(ty, &v.attrs))
            });
            (&e.attrs, &e.ident, "enum", variants.collect())
        }
        syn::Item::Type(t) => {
            let inner = BTreeMap::from([("0".to_owned(), member(show(&t.ty), &[]))]);
            (&t.attrs, &t.ident, "alias", inner)
        }
        _ => return None,
    };
    let mut derives = BTreeSet::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|m| {
            derives.extend(m.path.segments.last().map(|s| s.ident.to_string()));
            Ok(())
        });
    }
    let serde = attrs.iter().filter(|a| a.path().is_ident("serde"));
    let serde = join(serde.map(|a| a.meta.to_token_stream().to_string()));
    let ty = Type {
        kind,
        derives,
        serde,
        members,
        checks: String::new(),
    };
    Some((ident.to_string(), ty))
}

/// Fields by name (a tuple struct's by position).
fn fields<'a>(fields: impl IntoIterator<Item = &'a syn::Field>) -> BTreeMap<String, Member> {
    let named = fields.into_iter().enumerate().map(|(i, f)| {
        let name = f
            .ident
            .as_ref()
            .map_or_else(|| i.to_string(), ToString::to_string);
        (name, member(show(&f.ty), &f.attrs))
    });
    named.collect()
}

fn field_text(f: &syn::Field) -> String {
    let name = f
        .ident
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    format!("{name}: {}", show(&f.ty))
}

/// A member with what its `#[serde(...)]` says: a `rename`, a `default`.
fn member(ty: String, attrs: &[syn::Attribute]) -> Member {
    let (mut wire, mut default) = (None, false);
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = a.parse_nested_meta(|m| {
            if m.input.peek(syn::Token![=]) {
                let value: syn::Expr = m.value()?.parse()?;
                if let (true, syn::Expr::Lit(lit)) = (m.path.is_ident("rename"), &value) {
                    if let syn::Lit::Str(s) = &lit.lit {
                        wire = Some(s.value());
                    }
                }
            } else if m.input.peek(syn::token::Paren) {
                m.parse_nested_meta(|_| Ok(()))?;
            }
            default |= m.path.is_ident("default");
            Ok(())
        });
    }
    Member { ty, wire, default }
}

/// A type as code names it, without module paths: `Option<Vec<Account>>`.
fn show(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return String::new();
            };
            let args = generic_args(ty);
            if args.is_empty() {
                last.ident.to_string()
            } else {
                format!("{}<{}>", last.ident, join(args.iter().map(show)))
            }
        }
        syn::Type::Reference(r) => format!("&{}", show(&r.elem)),
        syn::Type::Tuple(t) => format!("({})", join(t.elems.iter().map(show))),
        syn::Type::Slice(s) => format!("[{}]", show(&s.elem)),
        other => other.to_token_stream().to_string(),
    }
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
