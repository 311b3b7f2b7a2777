//! Short, safe messages: every `Display` of the crate's errors goes through
//! [`bounded`], so that text a server sent (messages, codes, URLs, bodies)
//! reaches a terminal or a log as one line of bounded length, with control
//! characters escaped. The full text stays available through accessors.

use std::borrow::Cow;
use std::fmt::{self, Write};

/// The longest `Display` of an error, in characters.
pub const MAX_DISPLAY_CHARS: usize = 300;

/// Room kept at the end of a cut message for `… (N chars cut)`.
const SUFFIX_ROOM: usize = 32;

/// Writes what `write` produces to `f`, as one line of at most `max`
/// characters: control characters (and Unicode line separators and bidi
/// overrides) escaped as `\n`, `\u{1b}` …; a longer text is cut, ending with
/// `… (N chars cut)`.
pub(crate) fn bounded(
    f: &mut fmt::Formatter<'_>,
    max: usize,
    write: impl FnOnce(&mut dyn Write) -> fmt::Result,
) -> fmt::Result {
    let mut w = Bounded::new(max);
    write(&mut w)?;
    w.finish(f)
}

/// Escapes a character that must not reach a terminal as is, or `None`.
fn escape(c: char) -> Option<String> {
    match c {
        '\n' => Some("\\n".into()),
        '\r' => Some("\\r".into()),
        '\t' => Some("\\t".into()),
        '\u{2028}'
        | '\u{2029}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some(c.escape_unicode().to_string()),
        c if c.is_control() => Some(c.escape_unicode().to_string()),
        _ => None,
    }
}

struct Bounded {
    max: usize,
    /// The escaped text written so far, at most `max` characters.
    kept: String,
    kept_chars: usize,
    /// Byte length of `kept` and input characters read when `kept` reached
    /// `max - SUFFIX_ROOM` characters: where a cut message ends.
    mark: Option<(usize, usize)>,
    /// Input characters read, in all.
    read: usize,
    overflow: bool,
}

impl Bounded {
    fn new(max: usize) -> Self {
        Bounded {
            max,
            kept: String::new(),
            kept_chars: 0,
            mark: None,
            read: 0,
            overflow: false,
        }
    }

    fn push(&mut self, c: char) {
        let budget = self.max.saturating_sub(SUFFIX_ROOM);
        if self.mark.is_none() && self.kept_chars >= budget {
            self.mark = Some((self.kept.len(), self.read));
        }
        self.read += 1;
        if self.overflow {
            return;
        }
        let escaped = escape(c);
        let len = escaped.as_ref().map_or(1, |e| e.chars().count());
        if self.kept_chars + len > self.max {
            self.overflow = true;
            return;
        }
        match escaped {
            Some(e) => self.kept.push_str(&e),
            None => self.kept.push(c),
        }
        self.kept_chars += len;
    }

    fn finish(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.overflow {
            return f.write_str(&self.kept);
        }
        let (end, read) = self.mark.unwrap_or((self.kept.len(), self.read));
        f.write_str(&self.kept[..end])?;
        write!(f, "… ({} chars cut)", self.read - read)
    }
}

impl Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        s.chars().for_each(|c| self.push(c));
        Ok(())
    }
}

/// A URL from a server, safe to show: user name, password, query and
/// fragment removed (they may carry secrets), and a payment link's access
/// token ([`without_access_token`]). Text that is not an absolute URL is
/// kept up to its first `?` or `#`, its token replaced too.
pub(crate) fn redact_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.has_host() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            if let Cow::Owned(path) = without_access_token(u.path()) {
                u.set_path(&path);
            }
            u.to_string()
        }
        _ => {
            let path = url.split(['?', '#']).next().unwrap_or_default();
            without_access_token(path).into_owned()
        }
    }
}

/// The segments after `/payment-links/`.
const PAYMENT_LINKS: &str = "/payment-links/";

/// A path with a payment link's access token replaced: everything after
/// `/payment-links/` (in `GET /payments/payment-links/{access_token}/`, the
/// one operation whose path carries a secret, and whatever a server
/// redirects it to) becomes `{access_token}/`. The whole rest goes, so a
/// token that the URL parser split (a `\` in it becomes `/`) goes too.
pub(crate) fn without_access_token(path: &str) -> Cow<'_, str> {
    match path.find(PAYMENT_LINKS).map(|i| i + PAYMENT_LINKS.len()) {
        Some(end) if end < path.len() => format!("{}{{access_token}}/", &path[..end]).into(),
        _ => path.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Show<'a>(&'a str, usize);

    impl fmt::Display for Show<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            bounded(f, self.1, |w| w.write_str(self.0))
        }
    }

    #[test]
    fn short_text_is_kept_and_escaped() {
        assert_eq!(Show("plain", 300).to_string(), "plain");
        assert_eq!(
            Show("a\nb\r\t\u{1b}[31mred\u{7f}", 300).to_string(),
            "a\\nb\\r\\t\\u{1b}[31mred\\u{7f}"
        );
        assert_eq!(Show("x\u{202e}y", 300).to_string(), "x\\u{202e}y");
        assert_eq!(Show("ñandú €", 300).to_string(), "ñandú €");
    }

    #[test]
    fn long_text_is_cut_with_a_count() {
        let text = "é".repeat(1000);
        let shown = Show(&text, 100).to_string();
        assert!(shown.chars().count() <= 100, "{shown}");
        let kept = shown.chars().take_while(|c| *c == 'é').count();
        assert!(shown.ends_with(&format!("… ({} chars cut)", 1000 - kept)));
        // Exactly at the bound: nothing cut.
        assert_eq!(Show(&"a".repeat(100), 100).to_string(), "a".repeat(100));
        let shown = Show(&"a".repeat(101), 100).to_string();
        assert!(shown.ends_with("… (33 chars cut)"), "{shown}");
    }

    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(
            redact_url("https://user:pw@evil.example:8443/x/?token=1#f"),
            "https://evil.example:8443/x/"
        );
        assert_eq!(redact_url("/relative?secret=1"), "/relative");
    }
}
