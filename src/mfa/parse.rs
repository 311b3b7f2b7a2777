//! Reading a 428 body into a [`PendingSession`]: a pure function of the
//! body and the time of receipt.

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{FamilyName, PendingSession, TokenChallenge, TokenKind};

/// The fields of a 428 body this crate reads; any other is skipped unread.
/// Each is kept as its raw JSON text (`null` included, so an explicit null
/// is told from an absent field) and read by [`parse_token_required`]: the
/// types Belvo sends vary (`expiry` a number or a string), and a wrong one
/// gets a reason naming it rather than serde's message.
#[derive(Deserialize)]
struct TokenRequiredBody<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    session: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    link: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    expiry: Option<&'a RawValue>,
    /// Read in the same pass; `null` is absent, anything but an object an
    /// error.
    #[serde(default, borrow, deserialize_with = "challenge_object")]
    token_generation_data: Option<ChallengeBody<'a>>,
    #[serde(default, borrow, deserialize_with = "present")]
    request_id: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    message: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    detail: Option<&'a RawValue>,
}

/// `token_generation_data`, read the same way.
#[derive(Deserialize)]
struct ChallengeBody<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    instructions: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present", rename = "type")]
    kind: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    value: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    expects_user_input: Option<&'a RawValue>,
    /// The MFA guide's spelling.
    #[serde(default, borrow, deserialize_with = "present")]
    expect_user_input: Option<&'a RawValue>,
}

/// `token_generation_data`: `None` for `null`, an object's fields, or
/// serde's "invalid type" error naming the field for anything else.
fn challenge_object<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<ChallengeBody<'de>>, D::Error> {
    struct ObjectOnly;
    impl<'de> serde::de::Visitor<'de> for ObjectOnly {
        type Value = ChallengeBody<'de>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("`token_generation_data` to be an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            ChallengeBody::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    struct NullOrObject;
    impl<'de> serde::de::Visitor<'de> for NullOrObject {
        type Value = Option<ChallengeBody<'de>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            ObjectOnly.expecting(f)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            // `deserialize_struct`: serde_json calls `visit_map` for an
            // object only (an array is refused by the default `visit_seq`).
            d.deserialize_struct("token_generation_data", &[], ObjectOnly)
                .map(Some)
        }
    }
    d.deserialize_option(NullOrObject)
}

/// A present field, `null` included (plain `Option` reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// What a JSON value is, from its first byte (the value is well-formed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    fn of(raw: &RawValue) -> Kind {
        match raw.get().as_bytes().first() {
            Some(b'n') => Kind::Null,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'"') => Kind::String,
            Some(b'[') => Kind::Array,
            Some(b'{') => Kind::Object,
            _ => Kind::Number,
        }
    }

    fn article(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// A JSON string's value (escapes resolved). `raw` is a well-formed string.
fn string(raw: &RawValue) -> Result<String, String> {
    let json = raw.get();
    // Without a backslash, the value is the text between the quotes (the
    // parser has checked it); only escapes need decoding.
    match json.get(1..json.len().saturating_sub(1)) {
        Some(text) if !json.contains('\\') => Ok(text.to_owned()),
        _ => serde_json::from_str(json).map_err(|e| format!("a string that does not decode ({e})")),
    }
}

/// A field that must be a string when present: `None` for absent or null.
fn text(key: &str, raw: Option<&RawValue>) -> Result<Option<String>, String> {
    match raw.map(|r| (Kind::of(r), r)) {
        None | Some((Kind::Null, _)) => Ok(None),
        Some((Kind::String, r)) => string(r).map(Some),
        Some((other, _)) => Err(format!(
            "`{key}` is {} instead of a string",
            other.article()
        )),
    }
}

/// A field kept only when it is a string.
fn optional_text(raw: Option<&RawValue>) -> Option<String> {
    raw.filter(|r| Kind::of(r) == Kind::String)
        .and_then(|r| string(r).ok())
}

/// Reads a 428 body in any of the three shapes Belvo documents: an object
/// (`{code, message, request_id, session, expiry, link,
/// token_generation_data}`), an array holding one such object, or the legacy
/// `{detail, session, expiry, link}`. `expiry`, a number of seconds or a
/// string of one, becomes an absolute deadline from `received_at`; one that
/// gives none (negative, not a number) leaves the session without a
/// deadline, with a warning.
///
/// The session belongs to no family ([`FamilyName::unassigned`]), so no
/// resume accepts it: the client's own operations return their sessions
/// tagged with their family.
///
/// # Errors
/// A reason naming what is missing or wrong.
pub fn parse_token_required(
    body: &[u8],
    received_at: DateTime<Utc>,
    save_data: bool,
) -> Result<PendingSession, String> {
    let not_json = |e: serde_json::Error| format!("the body is not JSON ({e})");
    let first = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    let fields: TokenRequiredBody<'_> = match first {
        Some(b'{') => object(serde_json::from_slice(body))?,
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_slice(body).map_err(not_json)?;
            match items.first() {
                None => return Err("the body is an empty array".into()),
                Some(o) if Kind::of(o) == Kind::Object => object(serde_json::from_str(o.get()))?,
                Some(_) => return Err("the body is an array without an object".into()),
            }
        }
        _ => {
            serde_json::from_slice::<IgnoredAny>(body).map_err(not_json)?;
            return Err("the body is neither an object nor an array".into());
        }
    };
    let session = text("session", fields.session)?
        .filter(|s| !s.trim().is_empty())
        .ok_or("no `session`")?;
    let link = text("link", fields.link)?
        .filter(|s| !s.trim().is_empty())
        .ok_or("no `link`")?;
    let expiry = fields.expiry.filter(|r| Kind::of(r) != Kind::Null);
    let expires_at = expiry.and_then(|raw| deadline(raw, received_at));
    let challenge = fields.token_generation_data.map(challenge).transpose()?;
    Ok(PendingSession {
        session,
        link,
        // The generic layer tags the session with the family of the
        // operation that answered; until then (and for a 428 where no
        // family's operation was called: a list, a detail, a delete) it
        // belongs to none, so that no resume accepts it.
        family: FamilyName::unassigned(),
        expires_at,
        challenge,
        save_data,
        request_id: optional_text(fields.request_id),
        message: optional_text(fields.message).or_else(|| optional_text(fields.detail)),
        // The generic layer tags it with the client's base URL.
        base_url: None,
    })
}

/// The fields of an object: a malformed body is "not JSON"; a well-formed
/// one that still does not read (a field given twice) says so.
fn object<T>(read: Result<T, serde_json::Error>) -> Result<T, String> {
    read.map_err(|e| {
        if e.is_data() {
            format!("the body is not a token-required object ({e})")
        } else {
            format!("the body is not JSON ({e})")
        }
    })
}

/// The session's deadline: `received_at` plus `expiry`, a JSON number of
/// seconds or a string of one (`600`, `"600"`, `6e2`; `600.5` is 600).
///
/// An `expiry` that gives no deadline (negative, not a number, beyond any
/// date) leaves the session without one, and says so in a warning: the
/// session and its link are what the resume needs, and Belvo, which holds
/// the session, still decides when it expires. Refusing the whole 428 for
/// it would lose a bank session the user is in the middle of.
fn deadline(raw: &RawValue, received_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    read_deadline(raw, received_at)
        .inspect_err(|reason| {
            tracing::warn!(%reason, "a 428's `expiry` gives no deadline: the session is kept without one");
        })
        .ok()
}

/// The deadline, or why `expiry` gives none.
fn read_deadline(raw: &RawValue, received_at: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let secs = expiry_seconds(raw)?;
    let at = TimeDelta::try_seconds(secs).and_then(|d| received_at.checked_add_signed(d));
    at.ok_or_else(|| format!("`expiry` {secs} seconds is beyond any date"))
}

/// `expiry` as whole seconds, rounded down. Read through `f64`: a duration,
/// not money; every whole number of seconds up to 2^53 (285 million years)
/// is exact there, and a fraction within about 1e-13 s of the next whole
/// second (`599.99999999999999999`) reads as that second.
fn expiry_seconds(raw: &RawValue) -> Result<i64, String> {
    let decoded;
    let text = match Kind::of(raw) {
        Kind::Number => raw.get(),
        Kind::String => {
            decoded = string(raw)?;
            decoded.trim()
        }
        other => {
            return Err(format!(
                "`expiry` is {} instead of a number",
                other.article()
            ))
        }
    };
    // Server text, quoted escaped (`{:?}`) and cut short in the warning.
    let shown: String = text.chars().take(40).collect();
    let secs = match text.parse::<f64>() {
        Ok(secs) if is_number(text) && secs.is_finite() => secs,
        _ => return Err(format!("`expiry` {shown:?} is not a number of seconds")),
    };
    // By its text: `-1e-400` reads as -0.0.
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    if secs < 0.0 || (text.starts_with('-') && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)))
    {
        return Err(format!("`expiry` {shown:?} is negative"));
    }
    // `as` saturates: a count beyond i64 is beyond any date (said above).
    Ok(secs.floor() as i64)
}

/// JSON number syntax: `-?digits(.digits)?([eE][+-]?digits)?`.
fn is_number(text: &str) -> bool {
    fn digits(s: &str) -> (bool, &str) {
        let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
        (rest.len() < s.len(), rest)
    }
    let s = text.strip_prefix('-').unwrap_or(text);
    let (ok, mut s) = digits(s);
    if !ok {
        return false;
    }
    if let Some(r) = s.strip_prefix('.') {
        let (ok, r) = digits(r);
        if !ok {
            return false;
        }
        s = r;
    }
    if let Some(r) = s.strip_prefix(['e', 'E']) {
        let (ok, r) = digits(r.strip_prefix(['+', '-']).unwrap_or(r));
        if !ok {
            return false;
        }
        s = r;
    }
    s.is_empty()
}

fn challenge(t: ChallengeBody<'_>) -> Result<TokenChallenge, String> {
    // A string, or a number's text; anything else is left out.
    let text = |raw: Option<&RawValue>| match raw.map(|r| (Kind::of(r), r)) {
        Some((Kind::String, r)) => string(r).ok(),
        Some((Kind::Number, r)) => Some(r.get().to_owned()),
        _ => None,
    };
    // The MFA guide spells it `expect_user_input`.
    let expects = match t.expects_user_input.or(t.expect_user_input) {
        None => true,
        Some(r) => match Kind::of(r) {
            Kind::Null => true,
            Kind::Bool => r.get() == "true",
            Kind::String => match string(r)? {
                s if s.eq_ignore_ascii_case("true") => true,
                s if s.eq_ignore_ascii_case("false") => false,
                _ => return Err(not_boolean(Kind::String)),
            },
            other => return Err(not_boolean(other)),
        },
    };
    Ok(TokenChallenge {
        instructions: text(t.instructions),
        kind: text(t.kind)
            .as_deref()
            .filter(|k| !k.trim().is_empty())
            .map_or(TokenKind::Unspecified, TokenKind::from),
        value: text(t.value),
        expects_user_input: expects,
    })
}

fn not_boolean(kind: Kind) -> String {
    format!(
        "`expects_user_input` is {} instead of a boolean",
        kind.article()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
            .single()
            .expect("valid time")
    }

    const OBJECT: &str = r#"{"code":"token_required","message":"A MFA token is required","request_id":"r1",
        "session":"2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111","expiry":9600,"link":"683005d6-f45c-4adb-b289-f1a12f50f80c",
        "token_generation_data":{"instructions":"Enter the SMS code","type":"numeric","value":"hint","expects_user_input":true}}"#;

    #[test]
    fn object_shape() {
        let p = parse_token_required(OBJECT.as_bytes(), at(), true).expect("parses");
        assert_eq!(p.session(), "2c4b2a7e6f7b4fd1a3a0a0e9b7c9d111");
        assert_eq!(p.link(), "683005d6-f45c-4adb-b289-f1a12f50f80c");
        assert_eq!(p.expires_at(), Some(at() + TimeDelta::seconds(9600)));
        assert_eq!(p.challenge().map(|c| &c.kind), Some(&TokenKind::Numeric));
        assert!(p.needs_token());
        assert_eq!(p.request_id(), Some("r1"));
    }

    #[test]
    fn array_shape_and_string_expiry() {
        let body = format!("[{}]", OBJECT.replace("9600", "\"720\""));
        let p = parse_token_required(body.as_bytes(), at(), false).expect("parses");
        assert_eq!(p.expires_at(), Some(at() + TimeDelta::seconds(720)));
        assert!(!p.save_data());
    }

    #[test]
    fn expiry_is_any_number_of_seconds() {
        // Numbers stay text in serde_json here (arbitrary_precision): each
        // spelling is read exactly.
        for expiry in [
            "600",
            "600.0",
            "600.000",
            "6e2",
            "6E2",
            "6.0e2",
            "60000e-2",
            "\"600\"",
            "\"600.0\"",
            "\" 600 \"",
            "\"6e2\"",
        ] {
            let body = format!(r#"{{"session":"s","link":"l","expiry":{expiry}}}"#);
            let p = parse_token_required(body.as_bytes(), at(), true)
                .unwrap_or_else(|e| panic!("{expiry}: {e}"));
            assert_eq!(
                p.expires_at(),
                Some(at() + TimeDelta::seconds(600)),
                "{expiry}"
            );
        }
        // Rounded down, and however long Belvo says.
        for (expiry, secs) in [
            ("0", 0),
            ("-0", 0),
            ("0.0", 0),
            ("1e-40", 0),
            ("600.5", 600),
            ("\"600.9\"", 600),
            ("6.0001e2", 600),
            ("86400", 86_400),
            ("\"86400.0000000000000000000000000000001\"", 86_400),
            ("\"86401.0\"", 86_401),
            ("172800", 172_800),
            ("99999999999", 99_999_999_999),
        ] {
            let body = format!(r#"{{"session":"s","link":"l","expiry":{expiry}}}"#);
            let p = parse_token_required(body.as_bytes(), at(), true).expect(expiry);
            assert_eq!(p.expires_at(), Some(at() + TimeDelta::seconds(secs)));
        }
    }

    #[test]
    fn legacy_shape() {
        let body = r#"{"detail":"Token Required","session":"abc","expiry":"600","link":"l"}"#;
        let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
        assert_eq!(p.message(), Some("Token Required"));
        assert!(p.challenge().is_none());
        assert!(p.needs_token());
    }

    /// The kinds Belvo documents, in any case, each its own; without
    /// `expects_user_input` (default true) each asks for a token but
    /// `inputless`.
    #[test]
    fn documented_kinds() {
        let kinds = [
            ("numeric", TokenKind::Numeric),
            ("qr", TokenKind::Qr),
            ("text", TokenKind::Text),
            ("Text", TokenKind::Text),
            ("inputless", TokenKind::Inputless),
        ];
        for (written, kind) in kinds {
            let body = format!(
                r#"{{"session":"s","link":"l","token_generation_data":{{"type":"{written}"}}}}"#
            );
            let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
            assert_eq!(p.challenge().map(|c| &c.kind), Some(&kind), "{written}");
            assert_eq!(p.needs_token(), kind != TokenKind::Inputless, "{written}");
        }
    }

    #[test]
    fn inputless_and_guide_spelling() {
        let body = r#"{"session":"s","link":"l","token_generation_data":{"type":"inputless","expect_user_input":false}}"#;
        let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
        assert!(!p.needs_token());
        let body = r#"{"session":"s","link":"l","token_generation_data":{"type":"qr","value":"QR","expects_user_input":false}}"#;
        let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
        assert!(!p.needs_token());
        let body = r#"{"session":"s","link":"l","token_generation_data":{"type":"push_v2"}}"#;
        let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
        assert_eq!(
            p.challenge().map(|c| c.kind.clone()),
            Some(TokenKind::Other("push_v2".into()))
        );
        // No type, or a null one: not guessed; a token is still asked for,
        // and the kind survives a store and a load.
        for data in [
            r#"{"instructions":"Enter the code"}"#,
            r#"{"type":null}"#,
            r#"{"type":" "}"#,
        ] {
            let body = format!(r#"{{"session":"s","link":"l","token_generation_data":{data}}}"#);
            let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
            assert_eq!(
                p.challenge().map(|c| &c.kind),
                Some(&TokenKind::Unspecified)
            );
            assert!(p.needs_token());
            let stored = serde_json::to_string(&p).expect("stores");
            let loaded: PendingSession = serde_json::from_str(&stored).expect("loads");
            assert_eq!(loaded, p, "{stored}");
        }
    }

    #[test]
    fn bad_bodies_name_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("<html>502</html>", "not JSON"),
            ("[]", "empty array"),
            (r#"{"link":"l"}"#, "no `session`"),
            (r#"{"session":"s"}"#, "no `link`"),
            (r#"{"session":7,"link":"l"}"#, "instead of a string"),
        ];
        for (body, needle) in cases {
            let err = parse_token_required(body.as_bytes(), at(), true).expect_err(body);
            assert!(err.contains(needle), "{body}: {err}");
        }
    }

    #[test]
    fn an_expiry_that_gives_no_deadline_keeps_the_session() {
        let cases: &[(&str, &str)] = &[
            ("-5", "`expiry` \"-5\" is negative"),
            ("\"-600.0\"", "negative"),
            ("-1e-3", "negative"),
            ("-1e-400", "negative"),
            ("\"soon\"", "`expiry` \"soon\" is not a number of seconds"),
            ("\"NaN\"", "not a number"),
            ("\"inf\"", "not a number"),
            ("\"0x258\"", "not a number"),
            ("\"6e\"", "not a number"),
            ("\"\"", "not a number"),
            (
                "\"\\u001b]8;;x\"",
                "`expiry` \"\\u{1b}]8;;x\" is not a number",
            ),
            ("true", "`expiry` is a boolean instead of a number"),
            ("[600]", "an array instead"),
            ("1e400", "not a number"),
            ("1e30", "beyond any date"),
            ("9223372036854775807", "beyond any date"),
        ];
        for (expiry, reason) in cases {
            let body = format!(r#"{{"session":"s","link":"l","expiry":{expiry}}}"#);
            let p = parse_token_required(body.as_bytes(), at(), true).expect(&body);
            assert_eq!((p.session(), p.link()), ("s", "l"), "{body}");
            assert_eq!(p.expires_at(), None, "{body}");
            let raw: &RawValue = serde_json::from_str(expiry).expect(expiry);
            let why = read_deadline(raw, at()).expect_err(expiry);
            assert!(why.contains(reason), "{expiry}: {why}");
        }
    }

    #[test]
    fn fields_are_read_by_their_json_type() {
        // Blank before the body, unknown fields of every type skipped, the
        // array's first object read and the rest ignored.
        let body = " \n\t[{\"x\":{\"session\":1},\"session\":\"s\\u00e9\",\"y\":[1e400,null],\"link\":\"l\",\
            \"request_id\":7,\"message\":null,\"detail\":\"d\",\"token_generation_data\":{\"type\":5,\
            \"value\":12.50,\"instructions\":[],\"expects_user_input\":null,\"expect_user_input\":false}},7]";
        let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
        assert_eq!(p.session(), "s\u{e9}");
        assert_eq!(p.request_id(), None);
        assert_eq!(p.message(), Some("d"));
        let c = p.challenge().expect("a challenge");
        assert_eq!(c.kind, TokenKind::Other("5".into()));
        assert_eq!(c.value.as_deref(), Some("12.50"));
        assert_eq!(c.instructions, None);
        // An explicit null is "not said" (true), and hides the other spelling.
        assert!(c.expects_user_input);
        let cases: &[(&str, &str)] = &[
            ("", "not JSON"),
            ("  ", "not JSON"),
            (r#"{"session":"s","link":"l""#, "not JSON"),
            (r#"{"session":"s","link":"l"} x"#, "not JSON"),
            (r#""s""#, "neither an object nor an array"),
            ("null", "neither an object nor an array"),
            (
                r#"[1,{"session":"s","link":"l"}]"#,
                "array without an object",
            ),
            (
                r#"{"session":"s","link":[]}"#,
                "`link` is an array instead of a string",
            ),
            (
                r#"{"session":{},"link":"l"}"#,
                "`session` is an object instead of a string",
            ),
            (r#"{"session":" ","link":"l"}"#, "no `session`"),
            (
                r#"{"session":"s","link":"l","token_generation_data":"sms"}"#,
                "invalid type: string \"sms\", expected `token_generation_data` to be an object",
            ),
            (
                r#"{"session":"s","link":"l","token_generation_data":[]}"#,
                "invalid type: sequence, expected `token_generation_data` to be an object",
            ),
            (
                r#"{"session":"s","link":"l","token_generation_data":7}"#,
                "expected `token_generation_data` to be an object",
            ),
            (
                r#"{"session":"s","link":"l","token_generation_data":{"expects_user_input":"maybe"}}"#,
                "`expects_user_input` is a string instead of a boolean",
            ),
            (
                r#"{"session":"s","link":"l","token_generation_data":{"expect_user_input":1}}"#,
                "`expects_user_input` is a number instead of a boolean",
            ),
        ];
        for (body, needle) in cases {
            let err = parse_token_required(body.as_bytes(), at(), true).expect_err(body);
            assert!(err.contains(needle), "{body}: {err}");
        }
        let body =
            r#"{"session":"s","link":"l","token_generation_data":{"expects_user_input":"FALSE"}}"#;
        let p = parse_token_required(body.as_bytes(), at(), true).expect("parses");
        assert!(!p.needs_token());
    }

    #[test]
    fn pending_session_round_trips_with_its_deadline() {
        let p = parse_token_required(OBJECT.as_bytes(), at(), true).expect("parses");
        let stored = serde_json::to_string(&p).expect("serializes");
        let back: PendingSession = serde_json::from_str(&stored).expect("deserializes");
        assert_eq!(back, p);
        assert!(back.is_expired_at(at() + TimeDelta::seconds(9600)));
        assert!(!back.is_expired_at(at() + TimeDelta::seconds(9599)));
    }

    #[test]
    fn the_family_is_stored_and_a_0_1_session_is_balances() {
        let p = parse_token_required(OBJECT.as_bytes(), at(), true).expect("parses");
        let other = p.clone().with_family(FamilyName::from("accounts"));
        let stored = serde_json::to_value(&other).expect("serializes");
        assert_eq!(stored["family"], "accounts");
        let back: PendingSession = serde_json::from_value(stored).expect("deserializes");
        assert_eq!(back.family(), &FamilyName::Accounts);
        // A family a later version adds is kept as it was stored.
        let later = p.clone().with_family(FamilyName::from("payroll"));
        let later: PendingSession =
            serde_json::from_value(serde_json::to_value(&later).expect("serializes"))
                .expect("deserializes");
        assert_eq!(later.family(), &FamilyName::Other("payroll".into()));
        // Parsed alone, a session belongs to no family.
        assert_eq!(p.family(), &FamilyName::unassigned());
        let balances = p.with_family(FamilyName::Balances);
        let mut v0_1 = serde_json::to_value(&balances).expect("serializes");
        assert_eq!(v0_1["family"], "balances");
        v0_1.as_object_mut().expect("object").remove("family");
        let old: PendingSession = serde_json::from_value(v0_1).expect("0.1 loads");
        assert_eq!(old.family(), &FamilyName::Balances);
        assert_eq!(old, balances);
    }
}

#[cfg(test)]
mod props {
    //! Property tests: the 428 parser never panics, whatever the body, and
    //! whatever it accepts has a session, a link and a sane deadline.
    //! `PROPTEST_CASES=100000 cargo test -p belvo --lib props` runs longer.
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
            prop_oneof![
                Just("session"),
                Just("link"),
                Just("expiry"),
                Just("600"),
                Just("-1"),
                Just("inputless")
            ]
            .prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(4, 48, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("session".to_owned()),
                        Just("link".to_owned()),
                        Just("expiry".to_owned()),
                        Just("token_generation_data".to_owned()),
                        Just("type".to_owned()),
                        Just("expects_user_input".to_owned()),
                        "[a-z_]{1,8}",
                    ],
                    inner,
                    0..7
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn check(body: &[u8]) {
        let now = Utc::now();
        if let Ok(p) = parse_token_required(body, now, true) {
            assert!(!p.session().trim().is_empty() && !p.link().trim().is_empty());
            if let Some(d) = p.expires_at() {
                assert!(d >= now);
            }
            let back: PendingSession =
                serde_json::from_str(&serde_json::to_string(&p).expect("serializes"))
                    .expect("round trip");
            assert_eq!(back, p);
        }
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..256)) {
            check(&body);
        }

        #[test]
        fn arbitrary_json_never_panics(v in json()) {
            check(&serde_json::to_vec(&v).expect("json"));
        }
    }
}
