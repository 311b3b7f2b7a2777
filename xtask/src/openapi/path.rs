//! Paths and operation ids.

use std::fmt::Write;

use crate::error::{ConvertError, Location};
use crate::postman::{pieces, Piece};

/// `["api", ":id", "{{v}}", "{n}", ""]` → `/api/{id}/{v}/{n}/`, the parameter
/// names, and the names written `{n}`.
///
/// `{n}` is OpenAPI's (and most web frameworks') form of a path variable,
/// which people write in Postman too; Postman sends it as it is, but the
/// author meant a variable, so it is one (and the caller says so).
///
/// # Errors
/// A variable name OpenAPI cannot hold, or a stray brace.
pub fn path_template(
    segments: &[String],
    loc: &dyn Fn() -> Location,
) -> Result<(String, Vec<String>, Vec<String>), ConvertError> {
    let mut out = String::new();
    let (mut names, mut braced): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    // A variable: checked, listed once, written as `{name}`.
    let var = |n: &str, out: &mut String, names: &mut Vec<String>| {
        let ok = !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        if !ok {
            return Err(loc().error(format!("path variable `{n}` is not a usable name")));
        }
        if !names.iter().any(|x| x == n) {
            names.push(n.to_owned());
        }
        let _ = write!(out, "{{{n}}}");
        Ok(())
    };
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() && i + 1 != segments.len() {
            continue; // `a//b`
        }
        out.push('/');
        if let Some(name) = seg.strip_prefix(':') {
            var(name, &mut out, &mut names)?;
            continue;
        }
        let stray = || loc().error(format!("path segment `{seg}` has a stray brace"));
        for piece in pieces(seg) {
            match piece {
                Piece::Text(mut text) => {
                    while let Some((before, after)) = text.split_once('{') {
                        let (name, rest) = after.split_once('}').ok_or_else(stray)?;
                        if before.contains('}') {
                            return Err(stray());
                        }
                        out.push_str(before);
                        var(name, &mut out, &mut names)?;
                        braced.push(name.to_owned());
                        text = rest;
                    }
                    if text.contains('}') {
                        return Err(stray());
                    }
                    out.push_str(text);
                }
                Piece::Var(name) | Piece::Unclosed(name) => {
                    var(name.trim(), &mut out, &mut names)?;
                }
            }
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Ok((out, names, braced))
}

/// The operationId of an item: its folders and name (`Folder / Item`) in
/// snake_case.
pub fn operation_id(item: &str, method: &str, path: &str) -> String {
    let mut id = snake(item);
    if id.is_empty() {
        id = snake(&format!("{method} {path}"));
    }
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "op_");
    }
    id
}

/// `Balances Resume` → `balances_resume`; `listBalances` → `list_balances`;
/// `Información` → `informacion`.
pub fn snake(text: &str) -> String {
    let text = crate::infer::without_accents(text);
    let mut out = String::with_capacity(text.len());
    // Words end at anything but an ASCII letter or digit, and before an
    // upper-case letter that follows a lower-case one or a digit.
    let (mut gap, mut prev_lower) = (false, false);
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            (gap, prev_lower) = (true, false);
            continue;
        }
        if (gap || (c.is_ascii_uppercase() && prev_lower)) && !out.is_empty() {
            out.push('_');
        }
        gap = false;
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}
