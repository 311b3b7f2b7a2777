//! The belvo client's generation settings (`codegen/settings.rs`, shared with
//! `build.rs`) and the check that a converted document generates a client
//! with them. A refusal or a panic of the generator is reported with the
//! operation it comes from and the Postman item that operation was made of.

use std::cell::Cell;
use std::sync::Once;

use serde_json::Value;

use crate::openapi::METHODS;

// `generation_settings()` and the constants it uses; the same file
// `build.rs` includes.
include!("../../codegen/settings.rs");

/// The settings `build.rs` generates the belvo client with.
pub fn settings() -> progenitor::GenerationSettings {
    generation_settings()
}

/// Whether those settings call operations through builders (one method per
/// parameter) rather than with every parameter as an argument.
pub(crate) fn builder_interface() -> bool {
    matches!(INTERFACE, progenitor::InterfaceStyle::Builder)
}

/// Parses the document as OpenAPI 3.0 and runs the generator on it with
/// [`settings`], turning a refusal or a panic into an error message that
/// names the failing operation and its Postman item. The generated code is
/// parsed as Rust, as `build.rs` does, and no module may define a type
/// twice (rustc would refuse it).
///
/// # Errors
/// The document is not OpenAPI 3.0, the generator refuses it or panics, its
/// code does not parse, or it defines a type twice.
pub fn check_generates(doc: &Value) -> Result<(), String> {
    let tokens = generate_tokens(doc).map_err(|whole| explain(doc, whole))?;
    // What build.rs does next (parse the code as Rust), one item at a time,
    // each dropped once read: the syntax tree of a large client (gigabytes
    // for thousands of operations) is never held whole.
    syn::parse::Parser::parse2(check_items, tokens).map_err(|e| match e.to_string() {
        twice if twice.contains(TWICE) => twice,
        other => format!("the generated code does not parse: {other}"),
    })
}

/// What the error of a type defined twice says.
const TWICE: &str = "the generated code defines twice";

/// Parses items one after another, keeping only their names; a module's
/// items are read the same way, inside it. A type named twice is an error:
/// the generator names inline schemas after their place (`AccountCategory`
/// for `Account.category`, `AccountsListResponse`), and a component of that
/// name makes a second definition.
fn check_items(input: syn::parse::ParseStream<'_>) -> syn::Result<()> {
    let mut types = std::collections::HashSet::new();
    walk_items(input, &mut vec![], &mut |module, item| {
        let ident = match item {
            syn::Item::Mod(syn::ItemMod { ident, .. })
            | syn::Item::Struct(syn::ItemStruct { ident, .. })
            | syn::Item::Enum(syn::ItemEnum { ident, .. })
            | syn::Item::Type(syn::ItemType { ident, .. })
            | syn::Item::Trait(syn::ItemTrait { ident, .. }) => ident,
            _ => return Ok(()),
        };
        if types.insert((module.to_vec(), ident.to_string())) {
            return Ok(());
        }
        Err(syn::Error::new(
            ident.span(),
            format!(
                "{TWICE} the type `{ident}`: a schema's name is one the generator gives an inline \
             schema ({{Schema}}{{Property}}, {{OperationId}}Response); rename the schema"
            ),
        ))
    })
}

/// Parses generated code one item at a time and hands each to `visit`
/// with the path of its module, dropping it after: the syntax tree of a
/// large client (gigabytes for thousands of operations) is never held
/// whole. A module is handed over without its items, which follow it.
pub(crate) fn walk_items(
    input: syn::parse::ParseStream<'_>,
    module: &mut Vec<String>,
    visit: &mut impl FnMut(&[String], &syn::Item) -> syn::Result<()>,
) -> syn::Result<()> {
    while !input.is_empty() {
        let ahead = input.fork();
        ahead.call(syn::Attribute::parse_outer)?;
        ahead.parse::<syn::Visibility>()?;
        if !(ahead.peek(syn::Token![mod]) && ahead.peek3(syn::token::Brace)) {
            visit(module, &input.parse::<syn::Item>()?)?;
            continue;
        }
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let vis = input.parse::<syn::Visibility>()?;
        let mod_token = input.parse::<syn::Token![mod]>()?;
        let ident = input.parse::<syn::Ident>()?;
        let content;
        syn::braced!(content in input);
        content.call(syn::Attribute::parse_inner)?;
        let name = ident.to_string();
        let head = syn::ItemMod {
            attrs,
            vis,
            unsafety: None,
            mod_token,
            ident,
            content: None,
            semi: None,
        };
        visit(module, &syn::Item::Mod(head))?;
        module.push(name);
        walk_items(&content, module, visit)?;
        module.pop();
    }
    Ok(())
}

/// The Rust code the belvo build generates from `doc` (formatted), the same
/// as `build.rs` writes to `OUT_DIR/codegen.rs`.
///
/// # Errors
/// See [`check_generates`]; also generated tokens that do not parse as Rust.
pub fn generate_code(doc: &Value) -> Result<String, String> {
    let tokens = generate_tokens(doc).map_err(|whole| explain(doc, whole))?;
    let file =
        syn::parse2(tokens).map_err(|e| format!("the generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

pub(crate) fn generate_tokens(doc: &Value) -> Result<proc_macro2::TokenStream, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .map_err(|e| format!("not a valid OpenAPI 3.0 document: {e}"))?;
    quietly(|| progenitor::Generator::new(&settings()).generate_tokens(&spec))
        .and_then(|r| r.map_err(|e| format!("progenitor refused it: {e}")))
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}
static QUIET_HOOK: Once = Once::new();

/// Runs `f`, turning a panic into its message; the panic is not printed.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    // Silence the panic message on this thread only. Swapping the global hook
    // around the call would race with other threads (tests run in parallel)
    // and could leave the silent hook installed for good.
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|panic| {
        let msg = (panic.downcast_ref::<String>().map(String::as_str))
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("no message");
        format!("progenitor panicked: {msg}")
    })
}

/// Says which operations the generator fails on: each operation is tried
/// alone (with the document's components), and those that fail are named.
/// When every operation generates alone, the operations that clash are the
/// ones without which the document generates.
fn explain(doc: &Value, whole: String) -> String {
    if whole.starts_with("not a valid OpenAPI") {
        return whole;
    }
    let failing: Vec<String> = operations(doc)
        .filter_map(|(path, method)| {
            let err = generate_tokens(&only_operation(doc, path, method)).err()?;
            Some(format!("{}: {err}", describe(doc, path, method)))
        })
        .collect();
    match failing.as_slice() {
        [] => clash(doc, whole),
        [one] => one.clone(),
        many => format!("{} operations fail:\n  {}", many.len(), many.join("\n  ")),
    }
}

/// Names the operations without which the document generates.
fn clash(doc: &Value, whole: String) -> String {
    let culprits: Vec<String> = operations(doc)
        .filter(|(path, method)| generate_tokens(&without_operation(doc, path, method)).is_ok())
        .map(|(path, method)| describe(doc, path, method))
        .collect();
    if culprits.is_empty() {
        format!(
            "{whole} (every operation generates on its own and no single one causes it: \
             the clash is in the shared components)"
        )
    } else {
        format!(
            "{whole}; the operations that clash:\n  {}",
            culprits.join("\n  ")
        )
    }
}

/// A copy of `doc` without one operation.
fn without_operation(doc: &Value, path: &str, method: &str) -> Value {
    let mut copy = doc.clone();
    if let Some(item) = copy["paths"][path].as_object_mut() {
        item.remove(method);
    }
    copy
}

/// The operations of a document: their path and (lower-case) method.
pub(crate) fn operations(doc: &Value) -> impl Iterator<Item = (&str, &'static str)> {
    doc["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(move |m| item.get(**m).is_some_and(Value::is_object))
                .map(move |m| (path.as_str(), *m))
        })
}

/// A copy of `doc` with one operation only.
fn only_operation(doc: &Value, path: &str, method: &str) -> Value {
    let mut alone = doc.clone();
    let mut item = doc["paths"][path].clone();
    if let Some(members) = item.as_object_mut() {
        members.retain(|key, _| key == method || !METHODS.contains(&key.as_str()));
    }
    alone["paths"] = serde_json::json!({ path: item });
    alone
}

/// The operation of `doc` on `path` and `method`, as `operation `id` (GET
/// /path), Postman item "Folder / Name"`: the converter writes an item's
/// name as the summary and its folders as the tags.
pub fn describe(doc: &Value, path: &str, method: &str) -> String {
    let op = &doc["paths"][path][method];
    let id = op["operationId"]
        .as_str()
        .map_or_else(|| "without operationId".to_owned(), |id| format!("`{id}`"));
    let mut out = format!("operation {id} ({} {path})", method.to_uppercase());
    if let Some(summary) = op["summary"].as_str() {
        let tags = op["tags"].as_array().into_iter().flatten();
        let item: Vec<_> = tags.filter_map(Value::as_str).chain([summary]).collect();
        out.push_str(&format!(", Postman item \"{}\"", item.join(" / ")));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn items_are_checked_inside_modules_too() {
        let check = |code: &str| {
            let tokens: proc_macro2::TokenStream = code.parse().expect("tokens");
            syn::parse::Parser::parse2(super::check_items, tokens)
        };
        assert!(check(
            "#[allow(x)] pub mod a { #![allow(y)] pub struct S; mod b { fn f() {} } } impl S {}"
        )
        .is_ok());
        // A keyword where a name goes, deep inside a module, as a document's
        // odd name could make it: found.
        assert!(check("pub mod a { pub mod b { pub fn type() {} } }").is_err());
        assert!(check("pub mod a { pub struct S }").is_err());
    }
}
