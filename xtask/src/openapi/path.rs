//! Paths and operation ids.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::error::{ConvertError, Location};
use crate::postman::{pieces, Piece, Request};

/// A request's path as an OpenAPI template.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Template {
    /// `/api/{id}/{v}/`.
    pub path: String,
    /// The path parameters, in order, each once.
    pub names: Vec<String>,
    /// Those written `{n}` in the URL.
    pub braced: Vec<String>,
    /// Those that were a literal id in the URL (`/orders/1`), with it
    /// (none for a token, which the document must not hold).
    pub literals: Vec<(String, Option<String>)>,
}

/// `["api", ":id", "{{v}}", "{n}", "orders", "1", ""]` →
/// `/api/{id}/{v}/{n}/orders/{order_id}/`.
///
/// `{n}` is OpenAPI's (and most web frameworks') form of a path variable,
/// which people write in Postman too; Postman sends it as it is, but the
/// author meant a variable, so it is one. A literal id after a resource's
/// name (`orders/1`, `users/6878f054dec5e339b644bad0`, a UUID), as a
/// request saved with the value it was tried with has it, is a variable too
/// (`order_id`), or the client could only call that one record. The caller
/// says both. `endpoints` are the collection's ([`endpoints`]): a
/// number or key after a word in the singular is an id too when the path up
/// to it is one of them (`/inventory` listed, `/inventory/1` its item).
///
/// # Errors
/// A variable name OpenAPI cannot hold, or a stray brace.
pub fn path_template(
    segments: &[String],
    endpoints: &HashSet<String>,
    loc: &dyn Fn() -> Location,
) -> Result<Template, ConvertError> {
    let mut t = Template::default();
    // A variable: checked, listed once, written as `{name}`.
    let var = |n: &str, t: &mut Template| {
        let ok = !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
        if !ok {
            return Err(loc().error(format!("path variable `{n}` is not a usable name")));
        }
        super::push_new(&mut t.names, n.to_owned());
        let _ = write!(t.path, "{{{n}}}");
        Ok(())
    };
    let mut previous: Option<&str> = None;
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() && i + 1 != segments.len() {
            continue; // `a//b`
        }
        t.path.push('/');
        let after = previous.take();
        if let Some(name) = seg.strip_prefix(':') {
            var(name, &mut t)?;
            continue;
        }
        // A Telegram bot's token (`bot123456:AAF…`), saved in the URL as the
        // Bot API has it: a credential, whose value the document does not keep.
        if seg.strip_prefix("bot").is_some_and(telegram_token) {
            let free = |n: &str| !t.names.iter().any(|x| x == n);
            let name = super::names::numbered("bot_token", free);
            t.path.push_str("bot");
            var(&name, &mut t)?;
            t.literals.push((name, None));
            continue;
        }
        let listed = || endpoints.contains(&endpoint(&segments[..i]));
        if let Some((name, kind)) = literal_id(seg, after, listed, &t.names) {
            var(&name, &mut t)?;
            let value = (!matches!(kind, IdKind::Token)).then(|| seg.clone());
            t.literals.push((name, value));
            continue;
        }
        let stray = || loc().error(format!("path segment `{seg}` has a stray brace"));
        let mut literal = true;
        for piece in pieces(seg) {
            match piece {
                Piece::Text(mut text) => {
                    while let Some((before, after)) = text.split_once('{') {
                        let (name, rest) = after.split_once('}').ok_or_else(stray)?;
                        if before.contains('}') {
                            return Err(stray());
                        }
                        t.path.push_str(before);
                        var(name, &mut t)?;
                        t.braced.push(name.to_owned());
                        (text, literal) = (rest, false);
                    }
                    if text.contains('}') {
                        return Err(stray());
                    }
                    t.path.push_str(text);
                }
                Piece::Var(name) | Piece::Unclosed(name) => {
                    var(name.trim(), &mut t)?;
                    literal = false;
                }
            }
        }
        previous = literal.then_some(seg.as_str());
    }
    if t.path.is_empty() {
        t.path.push('/');
    }
    Ok(t)
}

/// The paths [`path_template`] takes for lists of records: the requests'
/// ([`endpoint`]), and those that different ids (numbers or keys) end in
/// different requests (`teacher/2` and `teacher/3`: `teacher` is a list,
/// the number a teacher's id). A number inside paths is rather a version,
/// however it varies (`oauth2/1/token`, `oauth2/2/files`).
pub fn endpoints<'a>(paths: impl Iterator<Item = &'a [String]>) -> HashSet<String> {
    let mut listed = HashSet::new();
    // By the path before it, the first id seen ending a path.
    let mut first_ids: HashMap<String, &str> = HashMap::new();
    for segments in paths {
        listed.insert(endpoint(segments));
        let Some(i) = segments.iter().rposition(|s| !s.is_empty()) else {
            continue;
        };
        let last = segments[i].as_str();
        if matches!(id_kind(last), Some(IdKind::Number | IdKind::Key)) {
            let before = endpoint(&segments[..i]);
            let first = *first_ids.entry(before.clone()).or_insert(last);
            if first != last {
                listed.insert(before);
            }
        }
    }
    listed
}

/// A path as [`path_template`] looks it up: its segments but empty ones,
/// joined with `/` (`["inventory", ""]` → `inventory`).
pub fn endpoint(segments: &[String]) -> String {
    let mut parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    parts.retain(|s| !s.is_empty());
    parts.join("/")
}

/// The name of the variable a literal id stands for, when `seg` is one, and
/// its kind: a UUID, a 24-digit hexadecimal object id or a JSON web token,
/// or a number or a random key after a resource's name in the plural
/// (`orders` → `order_id`), or after one in the singular when the path up
/// to it is `listed` ([`endpoints`]: `/inventory` and `/inventory/1`, or
/// `/teacher/2` and `/teacher/3`). A number after `api`, a version (`v2`),
/// another word in the singular or nothing is not an id (`/2/files`,
/// `/api/1/users`, `/auth/1/session`).
fn literal_id(
    seg: &str,
    previous: Option<&str>,
    listed: impl FnOnce() -> bool,
    taken: &[String],
) -> Option<(String, IdKind)> {
    let resource = previous.filter(|p| {
        let version = p
            .strip_prefix(['v', 'V'])
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        // (An id before it was made a variable, or is a number.)
        p.starts_with(|c: char| c.is_ascii_alphabetic())
            && !p.eq_ignore_ascii_case("api")
            && !version
    });
    // A number after a word in the singular is rather a version or a code
    // (`/auth/1/session`, `/status/200`, `/Login/123456`), unless the path
    // is listed.
    let one = resource.map(crate::infer::singular);
    let plural = one.as_deref().is_some_and(|o| Some(o) != resource);
    let kind = id_kind(seg)?;
    let countable = matches!(kind, IdKind::Number | IdKind::Key);
    if countable && !(plural || (resource.is_some() && listed())) {
        return None;
    }
    let base = one.map_or_else(|| "id".to_owned(), |one| format!("{}_id", snake(&one)));
    let free = |n: &str| !taken.iter().any(|t| t == n);
    Some((super::names::numbered(&base, free), kind))
}

/// `123456789:AAFoPl3FvZ-wXe4KwAazd0HnKi_GO2hiwNk`: a bot's id, a colon
/// and 30 or more base64url characters.
fn telegram_token(text: &str) -> bool {
    let Some((id, secret)) = text.split_once(':') else {
        return false;
    };
    let base64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    id.len() >= 5
        && id.bytes().all(|b| b.is_ascii_digit())
        && secret.len() >= 30
        && secret.bytes().all(base64url)
}

/// What kind of id a path segment looks like.
enum IdKind {
    /// A UUID (with or without hyphens) or a 24-digit hexadecimal object
    /// id: an id wherever it is.
    Opaque,
    /// Digits: an id after a resource's name in the plural, or under a
    /// listed path ([`endpoints`]).
    Number,
    /// A random key of 14 or more letters and digits, two digits among them
    /// or after a lower-case prefix (Spotify's `6TsAG8Ve1icEC8ydeHm3C8`,
    /// Stripe's `cus_NffrFeUfNV2Hib`), maybe with hyphenated parts (Mercado
    /// Pago's `134573981-vMGNoV1zyS9Kj1`): an id where a number would be
    /// one. (`resetPassword2fa`, one digit and no prefix, is a word.)
    Key,
    /// A JSON web token (`eyJ…`, three base64url parts): a credential
    /// wherever it is, whose value the document does not repeat.
    Token,
}

fn id_kind(seg: &str) -> Option<IdKind> {
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = seg.split('-').map(str::len).eq([8, 4, 4, 4, 12]) && seg.split('-').all(hex);
    // A UUID, with its hyphens or without (32 digits, as an MD5 too), or a
    // MongoDB object id (24).
    if uuid || ([24, 32].contains(&seg.len()) && hex(seg)) {
        return Some(IdKind::Opaque);
    }
    let base64url = |s: &str| {
        !s.is_empty() && (s.bytes()).all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if seg.starts_with("eyJ") && seg.split('.').count() == 3 && seg.split('.').all(base64url) {
        return Some(IdKind::Token);
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(seg) && seg.len() <= 19 {
        return Some(IdKind::Number);
    }
    let prefix = |p: &str| (2..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase());
    let prefixed = seg.split_once('_').filter(|(p, _)| prefix(p));
    let key = prefixed.map_or(seg, |(_, k)| k);
    // Parts joined by hyphens, one of them random (Mercado Pago's
    // `134573981-vMGNoV1zyS9Kj1`); a slug's words are not.
    let alnum = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric());
    let random = |p: &str| {
        let digits = p.bytes().filter(u8::is_ascii_digit).count();
        p.len() >= 14 && (digits >= 2 || (prefixed.is_some() && digits == 1))
    };
    let mut parts = key.split('-');
    (parts.clone().all(alnum) && parts.any(random)).then_some(IdKind::Key)
}

/// The operationId of an item: its folders and name (`Folder / Item`) in
/// snake_case. A name that is a URL, as Postman and Thunder Client name a
/// request nobody named, gives way to the method and path
/// (`get_api_products_product_id`, not the host and a saved id).
pub fn operation_id(req: &Request, path: &str) -> String {
    let route = format!("{} {path}", req.method);
    let name = req.name.trim();
    // A path alone (`/auth/login`) is a name people write.
    let url =
        !name.contains(char::is_whitespace) && (name.contains("://") || name.starts_with("{{"));
    let name = if url { &route } else { &req.name };
    let mut id = snake(
        &[&req.folders[..], std::slice::from_ref(name)]
            .concat()
            .join(" / "),
    );
    if id.is_empty() {
        id = snake(&route);
    }
    if id.starts_with(|c: char| c.is_ascii_digit()) {
        id.insert_str(0, "op_");
    }
    id
}

/// `Balances Resume` → `balances_resume`; `listBalances` → `list_balances`;
/// `Información` → `informacion`.
pub fn snake(text: &str) -> String {
    let text = crate::infer::in_ascii(text);
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
