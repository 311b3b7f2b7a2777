//! Schema inference from examples: merging samples, placeholders, unions
//! and the components repeated shapes become.

use postman_openapi::infer::node::{
    merge, one_of, placeholder, to_schema, Format, Kind, Node, Scalar,
};
use postman_openapi::infer::{infer, pascal, singular, Claim, Registry};
use serde_json::{json, Value};

#[test]
fn merging_objects_keeps_every_property_once_in_order() {
    let seen = |n: &Node| -> Vec<(String, u32, Kind)> {
        let Kind::Object(o) = &n.kind else {
            panic!("an object: {n:?}")
        };
        o.props
            .iter()
            .map(|(k, p)| (k.clone(), p.seen, p.node.kind.clone()))
            .collect()
    };
    let int = || Kind::Scalar(Scalar::Integer, Format::Unknown);
    let num = || Kind::Scalar(Scalar::Number, Format::Unknown);
    let text = || Kind::Scalar(Scalar::String, Format::Unknown);
    let boolean = || Kind::Scalar(Scalar::Boolean, Format::Unknown);
    // Different names, interleaved: a union in name order.
    let m = merge(
        infer(&json!({"a": 1, "c": "x", "e": 1})),
        infer(&json!({"b": true, "c": "y", "d": 2.5})),
    );
    assert_eq!(
        seen(&m),
        [
            ("a".to_owned(), 1, int()),
            ("b".to_owned(), 1, boolean()),
            ("c".to_owned(), 2, text()),
            ("d".to_owned(), 1, num()),
            ("e".to_owned(), 1, int()),
        ]
    );
    // The same names: merged pairwise.
    let m = merge(
        m.clone(),
        infer(&json!({"a": 2.5, "b": false, "c": "z", "d": 1, "e": 2})),
    );
    assert_eq!(
        seen(&m),
        [
            ("a".to_owned(), 2, num()),
            ("b".to_owned(), 2, boolean()),
            ("c".to_owned(), 3, text()),
            ("d".to_owned(), 2, num()),
            ("e".to_owned(), 2, int()),
        ]
    );
    // One side empty, either way round.
    for (x, y) in [(json!({}), json!({"k": 1})), (json!({"k": 1}), json!({}))] {
        assert_eq!(
            seen(&merge(infer(&x), infer(&y))),
            [("k".to_owned(), 1, int())]
        );
    }
}

#[test]
fn variants_most_specific_first_then_by_text() {
    let v = vec![
        (0, json!({"type": "string"})),
        (2, json!({"$ref": "#/components/schemas/B"})),
        (0, json!({"type": "integer"})),
        (2, json!({"$ref": "#/components/schemas/A"})),
        (1, json!({"type": "array"})),
    ];
    let mut want = v.clone();
    want.sort_by_key(|(s, v)| (std::cmp::Reverse(*s), v.to_string()));
    let want: Vec<Value> = want.into_iter().map(|(_, v)| v).collect();
    let union = one_of(v);
    assert_eq!(union, json!({ "oneOf": want }));
    assert_eq!(union["oneOf"][0], json!({"$ref": "#/components/schemas/A"}));
    assert_eq!(union["oneOf"][4], json!({"type": "string"}));
}

#[test]
fn formats_read_and_merge() {
    let format = |n: Node| match n.kind {
        Kind::Scalar(_, Format::Known(f)) => f,
        other => panic!("a known format: {other:?}"),
    };
    assert_eq!(format(infer(&json!("<uuid>"))), "uuid");
    assert_eq!(format(infer(&json!("<iban-code>"))), "iban-code");
    // A placeholder's format and the same format given are one format.
    let copied = Node {
        kind: Kind::Scalar(Scalar::String, Format::Known("uuid".to_owned())),
        nullable: false,
    };
    assert_eq!(format(merge(infer(&json!("<uuid>")), copied)), "uuid");
}

#[test]
fn placeholders_give_type_and_format() {
    assert_eq!(placeholder("<uuid>"), Some((Scalar::String, Some("uuid"))));
    assert_eq!(
        placeholder("<integer>"),
        Some((Scalar::Integer, Some("int32")))
    );
    assert_eq!(
        placeholder("<long>"),
        Some((Scalar::Integer, Some("int64")))
    );
    assert_eq!(
        placeholder("<dateTime>"),
        Some((Scalar::String, Some("date-time")))
    );
    assert_eq!(placeholder("<number>"), Some((Scalar::Number, None)));
    assert_eq!(placeholder("<boolean>"), Some((Scalar::Boolean, None)));
    assert_eq!(placeholder("<ipv4>"), Some((Scalar::String, Some("ipv4"))));
    assert_eq!(placeholder("<not a placeholder>"), None);
    assert_eq!(placeholder("uuid"), None);
}

#[test]
fn missing_fields_become_optional_and_nulls_nullable() {
    let a = infer(&json!({"id": "<uuid>", "name": "x", "extra": 1}));
    let b = infer(&json!({"id": "<uuid>", "name": null}));
    let reg = Registry::default();
    let s = to_schema(&merge(a, b), &[], &reg);
    assert_eq!(s["required"], json!(["id"]));
    assert_eq!(s["properties"]["name"]["nullable"], json!(true));
    assert_eq!(s["properties"]["id"]["format"], json!("uuid"));
    assert_eq!(s["properties"]["extra"]["type"], json!("integer"));
}

#[test]
fn differing_shapes_become_one_of() {
    let n = merge(infer(&json!({"a": 1})), infer(&json!([{"a": 1}])));
    let s = to_schema(&n, &[], &Registry::default());
    assert_eq!(s["oneOf"].as_array().map(Vec::len), Some(2));
}

#[test]
fn integer_and_number_merge_to_number() {
    let n = merge(infer(&json!(1)), infer(&json!(1.5)));
    assert_eq!(
        to_schema(&n, &[], &Registry::default()),
        json!({"type": "number"})
    );
}

#[test]
fn map_keys_become_additional_properties() {
    let n = infer(&json!({"additionalProp1": "<string>", "additionalProp2": "<string>"}));
    let s = to_schema(&n, &[], &Registry::default());
    assert_eq!(
        s,
        json!({"type": "object", "additionalProperties": {"type": "string"}})
    );
}

#[test]
fn names_are_readable() {
    assert_eq!(pascal("token_generation_data"), "TokenGenerationData");
    assert_eq!(pascal("MFA Token Required"), "MfaTokenRequired");
    assert_eq!(pascal("accountId"), "AccountId");
    assert_eq!(pascal("2fa"), "Schema2fa");
    assert_eq!(singular("balances"), "balance");
    assert_eq!(singular("categories"), "category");
    assert_eq!(singular("addresses"), "address");
    assert_eq!(singular("status"), "status");
}

#[test]
fn clashing_names_get_numbers() {
    let mut reg = Registry::default();
    for (body, name) in [
        (json!({"a": 1}), Some("Thing")),
        (json!({"b": 1}), Some("Thing")),
        (json!({"c": 1}), Some("Thing2")),
        (json!({"d": 1}), None),
    ] {
        let mut n = infer(&body);
        let claims: Vec<(Claim, String)> = name
            .map(|n| (Claim::Context, n.to_owned()))
            .into_iter()
            .collect();
        reg.extract(&mut n, &claims, false);
    }
    // The second "Thing" becomes "Thing2", which the third had claimed:
    // the later one gives way, with a number (typify would drop a `_`
    // before it, and `Thing2_2` is `Thing22` in the generated code).
    assert_eq!(reg.names(), ["Thing", "Thing2", "Thing22", "Schema3"]);
}

#[test]
fn repeated_shapes_share_one_component() {
    let mut reg = Registry::default();
    let mut a = infer(&json!({"account": {"id": "<uuid>"}, "v": 1}));
    let mut b = infer(&json!([{"account": {"id": "<uuid>"}, "v": 2}]));
    reg.extract(&mut a, &[(Claim::Context, "Balance".into())], false);
    reg.extract(&mut b, &[(Claim::Context, "Balance".into())], true);
    assert_eq!(
        reg.names(),
        vec!["Account".to_owned(), "Balance".to_owned()]
    );
    assert_eq!(a.kind, Kind::Ref(1));
}
