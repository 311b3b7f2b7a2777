//! 1,000 concurrent MFA flows through one shared client against the embedded
//! sandbox: all complete, none gets another flow's balances, and file
//! descriptors come back. Loopback only; bounded in count and time.
//!
//! A test binary of its own: counting the process's file descriptors is only
//! meaningful when no other test opens sockets at the same time.

use std::time::Duration;

use belvo::testing::{Sandbox, Scenario, SANDBOX_TOKEN};
use belvo::{RetrieveRequest, Token};
use futures::StreamExt;

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

const FLOWS: usize = 1_000;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_flows_through_one_client() {
    let before = open_fds();
    {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let client = sandbox.client().expect("client");
        let flows = (0..FLOWS).map(|i| {
            let client = client.clone();
            // Each flow asks for its own day, so its balances say whose they are.
            let day = date(2020, 1, 1) + chrono::TimeDelta::days(i as i64);
            tokio::spawn(async move {
                let req = RetrieveRequest::new(
                    Scenario::TokenOnce.link(),
                    day - chrono::TimeDelta::days(3),
                    day,
                );
                let done = client
                    .balances()
                    .retrieve_with_mfa(&req, |_| async {
                        Ok::<_, std::io::Error>(Token::new(SANDBOX_TOKEN))
                    })
                    .await?;
                Ok::<_, belvo::Error>((day, done))
            })
        });
        let results: Vec<_> = tokio::time::timeout(
            Duration::from_secs(120),
            futures::stream::iter(flows)
                .buffer_unordered(FLOWS)
                .collect::<Vec<_>>(),
        )
        .await
        .expect("all flows finish within 2 minutes");
        assert_eq!(results.len(), FLOWS);
        for r in results {
            let (day, done) = r.expect("task").expect("flow");
            assert_eq!(done.balances.len(), 3);
            assert!(
                done.balances.iter().all(|b| b.value_date == day),
                "a flow got another flow's balances"
            );
        }
        let hits = sandbox.hits();
        assert_eq!(
            (hits.retrieve, hits.resume),
            (FLOWS as u64, FLOWS as u64),
            "one retrieve and one resume per flow"
        );
    }
    // Client and sandbox are gone: their sockets close (give the runtime a moment).
    let mut after = open_fds();
    for _ in 0..50 {
        if after <= before + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = open_fds();
    }
    assert!(
        after <= before + 2,
        "file descriptors: {before} before, {after} after"
    );
}
