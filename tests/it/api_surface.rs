//! A compact view of the generated API (operations, their builders' setters
//! and `send`, types, fields), pinned with insta so that a spec change shows
//! up in review.

const CODEGEN: &str = include_str!(concat!(env!("OUT_DIR"), "/codegen.rs"));

fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(", )", ")")
}

/// Keeps the signatures of the client's operations (`fn balances_list(&self)
/// -> builder::BalancesList`), of their builders' setters (generic over `V`;
/// the types' own builders use `T`) and of `send`.
fn push_operation(out: &mut Vec<String>, signature: &str) {
    let sig = squash(signature.trim_end_matches('{'));
    if sig.starts_with("pub async fn ")
        || sig.contains("-> builder::")
        || sig.contains("<V>(mut self")
    {
        out.push(sig);
    }
}

#[test]
fn generated_api_surface() {
    let mut out = Vec::new();
    let mut signature: Option<String> = None;
    let mut field: Option<String> = None;
    let mut in_enum = false;
    for line in CODEGEN.lines() {
        let t = line.trim();
        if let Some(f) = field.as_mut() {
            f.push_str(t);
            if t.ends_with(',') && f.matches('<').count() == f.matches('>').count() {
                out.push(format!("    {}", squash(f.trim_end_matches(','))));
                field = None;
            }
            continue;
        }
        if in_enum {
            if t == "}" {
                in_enum = false;
            } else if t.ends_with("),") || (t.ends_with(',') && !t.starts_with('#')) {
                out.push(format!("    {}", t.trim_end_matches(',')));
            }
            continue;
        }
        if let Some(sig) = signature.as_mut() {
            sig.push(' ');
            sig.push_str(t);
            if t.ends_with('{') {
                push_operation(&mut out, sig);
                signature = None;
            }
            continue;
        }
        if t.starts_with("pub async fn ") || t.starts_with("pub fn ") {
            if t.ends_with('{') {
                push_operation(&mut out, t);
            } else {
                signature = Some(t.to_owned());
            }
        } else if t.starts_with("pub struct ") || t.starts_with("pub enum ") {
            in_enum = t.starts_with("pub enum ") && t.ends_with('{');
            out.push(t.trim_end_matches('{').trim().to_owned());
        } else if t.starts_with("pub ") && t.contains(": ") && !t.contains("fn ") {
            if t.ends_with(',') {
                out.push(format!("    {}", squash(t.trim_end_matches(','))));
            } else {
                field = Some(t.to_owned());
            }
        }
    }
    let surface = out.join("\n");
    for op in [
        "balances_list",
        "balances_retrieve",
        "balances_resume",
        "balances_detail",
        "balances_delete",
    ] {
        assert!(
            surface.contains(&format!("pub fn {op}(&self) -> builder::")),
            "{op} missing from the generated client"
        );
    }
    assert!(
        surface.contains("pub balance: ::rust_decimal::Decimal"),
        "money must be Decimal"
    );
    insta::assert_snapshot!("generated_api_surface", surface);
}
