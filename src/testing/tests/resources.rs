//! The flow machinery is not tied to balances: a second resource, described
//! only by its table entry and a fixture function, gets list, retrieve, the
//! 428 and its session, detail and delete, and its own rules for dates,
//! resume and `save_data`.

use serde_json::json;

use super::*;
use crate::testing::resources::{
    Batch, Dates, Record, Request, Resource, Resume, Shape, Shapes, BALANCES,
};

const OWNERS_PATH: &str = "/api/owners/";

/// Two owners per link, whatever the day.
fn owners(batch: &Batch) -> Vec<Record> {
    (0..2)
        .map(|i| {
            let id = Uuid::new_v5(
                &Uuid::NAMESPACE_OID,
                format!("{}/{i}", batch.link).as_bytes(),
            );
            Record {
                id,
                link: batch.link,
                account: None,
                body: json!({"id": id, "link": batch.link, "display_name": format!("Owner {i}")}),
            }
        })
        .collect()
}

/// Balances, and a resource whose retrieve takes no dates, has no resume and
/// no `save_data`.
static SERVED: &[Resource] = &[
    BALANCES,
    Resource {
        path: OWNERS_PATH,
        request: Request {
            dates: Dates::None,
            account: false,
            token: true,
            save_data: false,
            choices: &[],
            flags: &[],
        },
        resume: Resume::None,
        shapes: Shapes {
            retrieve: Shape::Many,
            resume: Shape::Many,
            detail: Shape::One,
        },
        records: owners,
        filters: &["link"],
    },
];

async fn serve() -> Api {
    let sandbox = Sandbox::serve(SandboxConfig::default(), SERVED)
        .await
        .expect("sandbox starts");
    Api {
        sandbox,
        http: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn a_second_resource_is_one_table_entry() {
    let api = serve().await;

    // Seeded once (no dates), beside the 250 balances.
    let listed = api.get(OWNERS_PATH).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["count"], 2);
    assert_eq!(api.get(BALANCES_PATH).await.body["count"], 250);

    // No dates needed; save_data is ignored like any unknown field: 201, stored.
    let link = Scenario::TokenOnce.link();
    let created = send(
        api.authed(reqwest::Method::POST, OWNERS_PATH)
            .json(&json!({"link": link, "token": SANDBOX_TOKEN, "save_data": "ignored"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body[0]["link"], link.to_string());
    assert_eq!(api.get(OWNERS_PATH).await.body["count"], 4);

    // The 428 works the same; without a resume route its session cannot be
    // completed, not even through another resource's resume.
    let paused = send(
        api.authed(reqwest::Method::POST, OWNERS_PATH)
            .json(&json!({"link": Scenario::Inputless.link()})),
    )
    .await;
    let session = session_of(&paused);
    let patch = json!({"session": session, "link": Scenario::Inputless.link()});
    let no_resume = send(api.authed(reqwest::Method::PATCH, OWNERS_PATH).json(&patch)).await;
    assert_eq!(no_resume.status, 404, "{}", no_resume.text);
    let elsewhere = api.resume(patch).await;
    assert_eq!(first_error(&elsewhere)["code"], "session_expired");

    // Detail and delete by id.
    let id = created.body[0]["id"].as_str().expect("id").to_owned();
    let path = format!("{OWNERS_PATH}{id}/");
    assert_eq!(api.get(&path).await.body, created.body[0]);
    assert_eq!(api.delete(&path).await.status, 204);
    assert_eq!(api.get(&path).await.status, 404);

    // The PATCH without a route is no resume: only the one on balances counts.
    let hits = api.sandbox.hits();
    assert_eq!((hits.retrieve, hits.resume), (2, 1));
}
