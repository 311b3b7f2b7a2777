//! Listing (pagination, filters), detail and delete over HTTP.

use serde_json::json;
use uuid::Uuid;

use super::*;

#[tokio::test]
async fn list_paginates_with_absolute_urls() {
    let api = Api::start().await;
    let base = api.sandbox.base_url();
    let first = api.get(BALANCES_PATH).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["count"], 250);
    assert_eq!(first.body["results"].as_array().map(Vec::len), Some(100));
    assert_eq!(
        first.body["next"],
        format!("{base}/api/balances/?page=2&page_size=100")
    );
    assert!(first.body["previous"].is_null());
    assert!(first.body["results"][0]["balance"].is_number());

    let last = api.get("/api/balances/?page=3&page_size=100").await;
    assert_eq!(last.body["results"].as_array().map(Vec::len), Some(50));
    assert!(last.body["next"].is_null());
    assert_eq!(
        last.body["previous"],
        format!("{base}/api/balances/?page=2&page_size=100")
    );

    // Following `next` walks every balance once, in a stable order.
    let mut url = Some(format!("{base}/api/balances/?page_size=40"));
    let mut seen = Vec::new();
    while let Some(next) = url {
        let page = send(
            api.http
                .get(next)
                .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD)),
        )
        .await;
        seen.extend(
            page.body["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| b["id"].clone()),
        );
        url = page.body["next"].as_str().map(String::from);
    }
    assert_eq!(seen.len(), 250);
    assert_eq!(
        seen.iter().collect::<std::collections::HashSet<_>>().len(),
        250
    );

    let beyond = api.get("/api/balances/?page=4").await;
    assert_eq!(beyond.status, 404);
    assert_eq!(first_error(&beyond)["code"], "not_found");
    assert_eq!(first_error(&beyond)["message"], "Invalid page.");

    for size in ["0", "1001", "abc"] {
        let reply = api.get(&format!("/api/balances/?page_size={size}")).await;
        assert_eq!(reply.status, 400, "{size}");
        assert_eq!(first_error(&reply)["field"], "page_size");
    }
    let bad_link = api.get("/api/balances/?link=nope").await;
    assert_eq!(bad_link.status, 400);
    assert_eq!(first_error(&bad_link)["field"], "link");

    // A completed MFA flow with save_data adds its balances, filterable by link.
    let link = Scenario::Inputless.link();
    let session = session_of(&api.start_flow(Scenario::Inputless).await);
    assert_eq!(
        api.resume(json!({"session": session, "link": link}))
            .await
            .status,
        201
    );
    let all = api.get(BALANCES_PATH).await;
    assert_eq!(all.body["count"], 253);
    let mine = api
        .get(&format!("/api/balances/?link={link}&page_size=2"))
        .await;
    assert_eq!(mine.body["count"], 3);
    assert_eq!(
        mine.body["next"],
        format!("{base}/api/balances/?page=2&page_size=2&link={link}")
    );
    let none = api
        .get(&format!(
            "/api/balances/?link={}",
            Scenario::WrongToken.link()
        ))
        .await;
    assert_eq!((none.status, none.body["count"].clone()), (200, json!(0)));
    assert_eq!(api.sandbox.hits().list, 17);
}

#[tokio::test]
async fn detail_and_delete() {
    let api = Api::start().await;
    let list = api.get("/api/balances/?page_size=1").await;
    let balance = list.body["results"][0].clone();
    let path = format!(
        "{BALANCES_PATH}{}/",
        balance["id"].as_str().unwrap_or_default()
    );

    let found = api.get(&path).await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body, balance);

    for missing in [
        format!("{BALANCES_PATH}{}/", Uuid::nil()),
        "/api/balances/not-a-uuid/".into(),
    ] {
        let reply = api.get(&missing).await;
        assert_eq!(reply.status, 404, "{missing}");
        assert_eq!(first_error(&reply)["code"], "not_found");
    }

    let deleted = api.delete(&path).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.text.is_empty());
    assert_eq!(api.get(&path).await.status, 404);
    assert_eq!(api.delete(&path).await.status, 404);
    assert_eq!(api.get(BALANCES_PATH).await.body["count"], 249);
    let hits = api.sandbox.hits();
    assert_eq!((hits.detail, hits.delete), (4, 2));
}

/// A list takes the filters Belvo's collection gives it and refuses the
/// others, which Belvo would not apply (it would answer every record).
#[tokio::test]
async fn each_list_takes_its_own_filters() {
    let api = Api::start().await;
    let link = Scenario::NoMfa.link();
    let account = api.get(&format!("{BALANCES_PATH}?link={link}")).await.body["results"][0]
        ["account"]["id"]
        .clone();
    let account = account.as_str().expect("an account id").to_owned();
    let cases = [
        ("/api/balances/", "account", &account, 200),
        ("/api/balances/", "link", &link.to_string(), 200),
        ("/api/links/", "link", &link.to_string(), 400),
        ("/api/accounts/", "link", &link.to_string(), 200),
        ("/api/accounts/", "account", &account, 400),
    ];
    for (path, filter, value, status) in cases {
        let reply = api.get(&format!("{path}?{filter}={value}")).await;
        assert_eq!(reply.status, status, "{path}?{filter}: {}", reply.text);
        if status == 400 {
            assert_eq!(first_error(&reply)["code"], "unsupported_filter");
            let message = first_error(&reply)["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(&format!("`{filter}` on {path}")),
                "{message}"
            );
        } else {
            assert!(
                reply.body["count"].as_u64().is_some_and(|n| n > 0),
                "{}",
                reply.text
            );
        }
    }
}

/// The sandbox's lists take the `link` and `account` filters the document
/// (Belvo's collection) gives them, no more and no fewer: a filter Belvo
/// adds to a list, or takes away, fails here until the sandbox follows.
#[test]
fn the_filters_of_each_list_are_the_document_s() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../openapi/belvo.openapi.json"))
            .expect("document");
    let served = crate::testing::resources::RESOURCES.iter();
    for resource in served.chain([&crate::testing::links::LINKS]) {
        let list = &doc["paths"][resource.path]["get"]["parameters"];
        let mut documented: Vec<&str> = (list.as_array().into_iter().flatten())
            .filter_map(|p| p["name"].as_str())
            .filter(|name| ["link", "account"].contains(name))
            .collect();
        let mut served = resource.filters.to_vec();
        served.sort_unstable();
        documented.sort_unstable();
        assert_eq!(served, documented, "{}", resource.path);
    }
}
