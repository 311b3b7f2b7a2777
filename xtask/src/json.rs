//! A JSON value that borrows its strings from the text it was read from.
//!
//! The converter reads a large collection and ten thousand example bodies,
//! and looks at each value once. `serde_json::Value` allocates every key and
//! string and a B-tree node per object member; freeing those trees was a
//! third of a conversion. [`Json`] keeps unescaped strings as slices of the
//! input and an object as one sorted vector. It means exactly what the
//! `Value` read from the same text means: members sorted by key, a repeated
//! key keeping its last value, numbers as `serde_json::Number` (so
//! `arbitrary_precision` behaves the same), and it serialises to the same
//! compact text. serde_json has no borrowed value type, hence this one.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;

/// A JSON value (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string, borrowed from the input when it had no escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object.
    Object(Object<'a>),
}

/// An object's members, sorted by key, each key once (the last value given
/// for it), as in `serde_json::Map`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object<'a>(Vec<(Cow<'a, str>, Json<'a>)>);

impl<'a> Object<'a> {
    /// Builds an object from members in input order.
    pub fn from_members(mut members: Vec<(Cow<'a, str>, Json<'a>)>) -> Self {
        if !members.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable, so that of equal keys the last given stays last …
            members.sort_by(|a, b| a.0.cmp(&b.0));
            // … and is the one kept.
            let mut out: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(members.len());
            for m in members {
                match out.last_mut() {
                    Some(last) if last.0 == m.0 => *last = m,
                    _ => out.push(m),
                }
            }
            members = out;
        }
        Object(members)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Members in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Json<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// Values in key order.
    pub fn values(&self) -> impl Iterator<Item = &Json<'a>> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> Json<'a> {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(o) => o.get(key),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The items of an array.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// A boolean's value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// A string.
    pub fn is_string(&self) -> bool {
        matches!(self, Json::String(_))
    }

    /// An array.
    pub fn is_array(&self) -> bool {
        matches!(self, Json::Array(_))
    }
}

/// The same compact text `serde_json::Value` prints.
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl From<&serde_json::Value> for Json<'static> {
    fn from(v: &serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.clone()),
            Value::String(s) => Json::String(Cow::Owned(s.clone())),
            Value::Array(a) => Json::Array(a.iter().map(Json::from).collect()),
            Value::Object(m) => Json::Object(Object::from_members(
                m.iter()
                    .map(|(k, v)| (Cow::Owned(k.clone()), Json::from(v)))
                    .collect(),
            )),
        }
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.serialize(s),
            Json::String(t) => s.serialize_str(t),
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Json<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde_json's own nesting limit comes first.
        JsonSeed(u8::MAX).deserialize(d)
    }
}

/// Reads a [`Json`] that may open at most this many arrays or objects, one
/// inside the other (itself included); one more is an error. The pruned
/// collection reader reads an item apart from its document, and keeps the
/// document's nesting limit this way.
#[derive(Clone, Copy)]
pub(crate) struct JsonSeed(pub(crate) u8);

impl<'de> DeserializeSeed<'de> for JsonSeed {
    type Value = Json<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(JsonVisitor(self.0))
    }
}

/// The error for a value nested deeper than a [`JsonSeed`] allows.
pub(crate) fn too_deep<E: de::Error>() -> E {
    E::custom("nested too deeply")
}

/// Builds a [`Json`], with how many more arrays or objects it may open.
struct JsonVisitor(u8);

/// The key under which serde_json hands a number to a visitor when its
/// `arbitrary_precision` feature is on (another crate in the build may turn
/// it on); `serde_json::Value` reads it the same way.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        JsonSeed(self.0).deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json<'de>, A::Error> {
        let inner = JsonSeed(self.0.checked_sub(1).ok_or_else(too_deep)?);
        let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0));
        while let Some(v) = a.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Json::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json<'de>, A::Error> {
        let mut members = Vec::new();
        // A number under `arbitrary_precision` comes as a one-member map
        // that is not an object and does not count toward the limit.
        let inner = || self.0.checked_sub(1).map(JsonSeed).ok_or_else(too_deep);
        while let Some(key) = a.next_key::<Key<'de>>()? {
            if members.is_empty() && key.0 == NUMBER_TOKEN {
                let text: Key<'de> = a.next_value()?;
                let n = text.0.parse::<Number>().map_err(de::Error::custom)?;
                return Ok(Json::Number(n));
            }
            members.push((key.0, a.next_value_seed(inner()?)?));
        }
        inner()?;
        Ok(Json::Object(Object::from_members(members)))
    }
}

/// A string borrowed from the input when it has no escapes.
pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn both(text: &str) -> (Json<'_>, Value) {
        (
            serde_json::from_str(text).expect("json"),
            serde_json::from_str(text).expect("value"),
        )
    }

    #[test]
    fn means_what_a_value_means() {
        for text in [
            r#"{"b": 1, "a": [true, null, "x\"y"], "b": {"z": 1.5, "y": -3}}"#,
            r#"[1e300, 12345678901234567890, -0, 0.1, "\u00e9"]"#,
            r#"{"k": {}, "j": [], "": "", "a\nb": 2}"#,
        ] {
            let (j, v) = both(text);
            assert_eq!(j.to_string(), v.to_string(), "{text}");
            assert_eq!(j, Json::from(&v), "{text}");
        }
    }

    #[test]
    fn the_last_of_repeated_keys_wins() {
        let (j, _) = both(r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(j.get("a"), Some(&Json::Number(3.into())));
        assert_eq!(j.as_object().map(Object::len), Some(2));
    }

    #[test]
    fn unescaped_strings_are_borrowed() {
        let (j, _) = both(r#"{"plain": "text", "escaped": "a\tb"}"#);
        assert!(matches!(
            j.get("plain"),
            Some(Json::String(Cow::Borrowed(_)))
        ));
        assert!(matches!(
            j.get("escaped"),
            Some(Json::String(Cow::Owned(_)))
        ));
    }
}
