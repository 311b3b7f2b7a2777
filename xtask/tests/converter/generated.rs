//! Runs progenitor on a converted document in both interface styles, parses
//! what it generates with syn, and checks the names rustc would refuse:
//! two fields of one struct, two arguments of one function or two methods
//! of one impl with the same identifier.

use std::collections::HashSet;

use serde_json::Value;

/// Generates the client in both interface styles; panics with the
/// generator's message or with the identifiers that collide.
pub fn generate_checked(doc: &Value) {
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(doc.clone()).expect("the document is OpenAPI 3.0");
    for style in [
        progenitor::InterfaceStyle::Positional,
        progenitor::InterfaceStyle::Builder,
    ] {
        // The project's settings (build.rs's), in both interface styles.
        let mut settings = postman_openapi::generate::settings();
        settings.with_interface(style);
        let tokens = progenitor::Generator::new(&settings)
            .generate_tokens(&spec)
            .unwrap_or_else(|e| panic!("progenitor refuses the document: {e}\n{doc:#}"));
        let file: syn::File =
            syn::parse2(tokens).unwrap_or_else(|e| panic!("generated code does not parse: {e}"));
        let mut clashes = Vec::new();
        let mut methods = std::collections::BTreeMap::new();
        check_items(&file.items, &mut methods, &mut clashes);
        for (ty, names) in methods {
            unique(&format!("methods of {ty}"), names.into_iter(), &mut clashes);
        }
        assert!(clashes.is_empty(), "identifiers that collide: {clashes:?}");
    }
}

fn unique(what: &str, names: impl Iterator<Item = String>, clashes: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for n in names {
        if !seen.insert(n.clone()) {
            clashes.push(format!("{what}: {n}"));
        }
    }
}

/// Methods are gathered by type across its inherent impls and its
/// `ClientInfo` impl: an operation named like a `ClientInfo` method shadows
/// it in generated calls.
fn check_items(
    items: &[syn::Item],
    methods: &mut std::collections::BTreeMap<String, Vec<String>>,
    clashes: &mut Vec<String>,
) {
    for item in items {
        match item {
            syn::Item::Struct(s) => unique(
                &format!("fields of {}", s.ident),
                s.fields
                    .iter()
                    .filter_map(|f| f.ident.as_ref().map(ToString::to_string)),
                clashes,
            ),
            syn::Item::Impl(i) => {
                let fns: Vec<&syn::ImplItemFn> = i
                    .items
                    .iter()
                    .filter_map(|x| match x {
                        syn::ImplItem::Fn(f) => Some(f),
                        _ => None,
                    })
                    .collect();
                let ty = &i.self_ty;
                // Inherent methods, and those generated calls rely on.
                let counted = i.trait_.as_ref().is_none_or(|(path, _)| {
                    path.segments
                        .last()
                        .is_some_and(|s| s.ident == "ClientInfo")
                });
                if !counted {
                    continue;
                }
                methods
                    .entry(quote::quote!(#ty).to_string())
                    .or_default()
                    .extend(fns.iter().map(|f| f.sig.ident.to_string()));
                for f in fns {
                    check_args(&f.sig, clashes);
                }
            }
            syn::Item::Fn(f) => check_args(&f.sig, clashes),
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    check_items(inner, methods, clashes);
                }
            }
            _ => {}
        }
    }
}

fn check_args(sig: &syn::Signature, clashes: &mut Vec<String>) {
    let names = sig.inputs.iter().filter_map(|a| match a {
        syn::FnArg::Typed(t) => match &*t.pat {
            syn::Pat::Ident(p) => Some(p.ident.to_string()),
            _ => None,
        },
        syn::FnArg::Receiver(_) => Some("self".to_owned()),
    });
    unique(&format!("arguments of {}", sig.ident), names, clashes);
}

/// The check finds what rustc would refuse: a document written by hand
/// with two query parameters progenitor names alike.
#[test]
#[should_panic(expected = "identifiers that collide")]
fn the_check_finds_colliding_arguments() {
    let param = |name: &str| serde_json::json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}});
    generate_checked(&serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {
            "operationId": "get_a",
            "parameters": [param("page_size"), param("pageSize")],
            "responses": {"200": {"description": "ok"}}
        }}}
    }));
}
