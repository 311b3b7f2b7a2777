//! `list()` always ends: servers whose pages never stop end the stream with
//! a typed error. The timeout is only a guard so that a regression fails
//! instead of hanging; the assertions are on the error and the hits.

use std::time::Duration;

use belvo::{Error, ListQuery};
use futures::StreamExt;
use httpmock::MockServer;
use serde_json::{json, Value};

use crate::support::*;

fn item(n: u32) -> Value {
    balance(&format!("8d9e1b4e-1111-4a4a-9b9b-{n:012}"), "1")
}

/// Reads the whole list; returns the balances read and how it ended.
async fn drain(server: &MockServer) -> (usize, Option<Error>) {
    let c = client(&server.base_url());
    let read = async {
        let mut stream = c.balances().list(ListQuery::default());
        let mut n = 0;
        while let Some(item) = stream.next().await {
            match item {
                Ok(_) => n += 1,
                Err(e) => return (n, Some(e)),
            }
        }
        (n, None)
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .expect("the list ended")
}

fn page_url(server: &MockServer, page: u32) -> String {
    format!("{}/api/balances/?page={page}", server.base_url())
}

#[tokio::test]
async fn empty_pages_with_a_next_end_the_list() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param_missing("page");
            then.status(200).json_body(json!({"count": 5, "next": page_url(&server, 2), "previous": null, "results": [item(1)]}));
        })
        .await;
    // Every later page: nothing, and yet another page, moving forward.
    let mut rest = Vec::new();
    for page in 2..=50u32 {
        let body = json!({"count": 5, "next": page_url(&server, page + 1), "previous": null, "results": []});
        let m = server
            .mock_async(move |when, then| {
                when.method("GET")
                    .path("/api/balances/")
                    .query_param("page", page.to_string());
                then.status(200).json_body(body);
            })
            .await;
        rest.push(m);
    }
    let (read, err) = drain(&server).await;
    assert_eq!(read, 1);
    match err {
        Some(Error::PaginationStalled { page, reason }) => {
            assert_eq!(page, 2);
            assert!(reason.contains("no results"), "{reason}");
        }
        other => panic!("expected PaginationStalled, got {other:?}"),
    }
    first.assert_calls_async(1).await;
    rest[0].assert_calls_async(1).await;
    rest[1].assert_calls_async(0).await;
}

#[tokio::test]
async fn a_next_seen_before_ends_the_list() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param_missing("page");
            then.status(200).json_body(json!({"count": 100, "next": page_url(&server, 2), "previous": null, "results": [item(1)]}));
        })
        .await;
    // Page 2 points at itself.
    let again = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("page", "2");
            then.status(200).json_body(json!({"count": 100, "next": page_url(&server, 2), "previous": null, "results": [item(2)]}));
        })
        .await;
    let (read, err) = drain(&server).await;
    assert_eq!(read, 2);
    assert!(
        matches!(&err, Some(Error::PaginationStalled { page: 2, reason }) if reason.contains("seen before")),
        "{err:?}"
    );
    again.assert_calls_async(1).await;
}

#[tokio::test]
async fn more_pages_than_count_allows_end_the_list() {
    let server = MockServer::start_async().await;
    // count 4, two per page: 2 pages, and at most 2 more tolerated
    // (LIST_EXTRA_PAGES) for balances added while reading. Every page has
    // results and a next link that moves forward, forever.
    let mut mocks = Vec::new();
    for page in 1..=20u32 {
        let next = page_url(&server, page + 1);
        let body = json!({"count": 4, "next": next, "previous": null, "results": [item(2 * page), item(2 * page + 1)]});
        let m = server
            .mock_async(move |when, then| {
                let when = when.method("GET").path("/api/balances/");
                if page == 1 {
                    when.query_param_missing("page");
                } else {
                    when.query_param("page", page.to_string());
                }
                then.status(200).json_body(body);
            })
            .await;
        mocks.push(m);
    }
    let (read, err) = drain(&server).await;
    let bound = 4u64.div_ceil(2) + belvo::LIST_EXTRA_PAGES;
    assert_eq!(read as u64, 2 * bound);
    assert!(
        matches!(&err, Some(Error::PaginationStalled { page, reason }) if *page as u64 == bound && reason.contains("count of 4")),
        "{err:?}"
    );
    let mut hits = 0;
    for m in &mocks {
        hits += m.calls_async().await;
    }
    assert_eq!(hits as u64, bound);
}

/// Serves `bodies` as pages 1, 2, …: the first without `page`, the others
/// by it.
async fn serve_pages(server: &MockServer, bodies: Vec<Value>) {
    for (page, body) in (1..).zip(bodies) {
        server
            .mock_async(move |when, then| {
                let when = when.method("GET").path("/api/balances/");
                if page == 1 {
                    when.query_param_missing("page");
                } else {
                    when.query_param("page", page.to_string());
                }
                then.status(200).json_body(body);
            })
            .await;
    }
}

#[tokio::test]
async fn a_list_within_count_reads_every_page() {
    let server = MockServer::start_async().await;
    let pages = (1..=3u32).map(|page| {
        let next = (page < 3).then(|| page_url(&server, page + 1));
        let results = match page {
            3 => vec![item(99)],
            _ => vec![item(2 * page), item(2 * page + 1)],
        };
        json!({"count": 5, "next": next, "previous": null, "results": results})
    });
    serve_pages(&server, pages.collect()).await;
    let (read, err) = drain(&server).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(read, 5);
}

#[tokio::test]
async fn a_next_that_skips_a_page_ends_the_list_instead_of_missing_records() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param_missing("page");
            then.status(200).json_body(json!({"count": 9, "next": page_url(&server, 3), "previous": null, "results": [item(1), item(2), item(3)]}));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("page", "3");
            then.status(200).json_body(json!({"count": 9, "next": null, "previous": page_url(&server, 2), "results": [item(7)]}));
        })
        .await;
    let (read, err) = drain(&server).await;
    assert_eq!(read, 3, "the first page's records, then the error");
    assert!(
        matches!(&err, Some(Error::PaginationStalled { page: 1, reason }) if reason.contains("skips to page 3")),
        "{err:?}"
    );
    third.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_list_started_at_a_later_page_goes_on_from_there() {
    // The caller asks for page 5 itself; its `previous` says where it is.
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    let fifth = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("page", "5");
            then.status(200).json_body(json!({"count": 12, "next": page_url(&server, 6), "previous": page_url(&server, 4), "results": [item(9), item(10)]}));
        })
        .await;
    let sixth = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("page", "6");
            then.status(200).json_body(json!({"count": 12, "next": null, "previous": page_url(&server, 5), "results": [item(11), item(12)]}));
        })
        .await;
    let all: Vec<_> = c
        .paginate(c.balances_list().page(5).page_size(2))
        .collect()
        .await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all.iter().all(Result::is_ok), "{all:?}");
    fifth.assert_calls_async(1).await;
    sixth.assert_calls_async(1).await;

    // DRF's link to the first page has no `page`: the page after it is 2.
    let server = MockServer::start_async().await;
    let c = client(&server.base_url());
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("page", "2");
            then.status(200).json_body(json!({"count": 6, "next": page_url(&server, 3), "previous": format!("{}/api/balances/", server.base_url()), "results": [item(3), item(4)]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/balances/").query_param("page", "3");
            then.status(200).json_body(json!({"count": 6, "next": null, "previous": page_url(&server, 2), "results": [item(5), item(6)]}));
        })
        .await;
    let all: Vec<_> = c.paginate(c.balances_list().page(2)).collect().await;
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(all.iter().all(Result::is_ok), "{all:?}");
}

/// A relative `next` (a proxy that rewrites Belvo's absolute links) is
/// followed as well: only its page number is read.
#[tokio::test]
async fn a_relative_next_is_followed() {
    let server = MockServer::start_async().await;
    let pages = vec![
        json!({"count": 3, "next": "/api/balances/?page=2", "previous": null, "results": [item(1), item(2)]}),
        json!({"count": 3, "next": null, "previous": null, "results": [item(3)]}),
    ];
    serve_pages(&server, pages).await;
    let (read, err) = drain(&server).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(read, 3);
}
