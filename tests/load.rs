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

/// How many flows the open-file limit allows, after raising its soft value
/// as far as the hard one lets. Each flow holds up to two connections at
/// once (its retrieve's and its resume's, while the first goes back to the
/// pool), each two loopback sockets (the client's end and the sandbox's):
/// the usual soft limit, 1,024, is too few for a thousand, and `cargo test`
/// failed with "Too many open files" on a machine left at its defaults. A
/// hard limit too low even then runs fewer flows, and says so.
#[cfg(unix)]
fn flows_the_limit_allows() -> usize {
    let need = (4 * FLOWS + 256) as libc::rlim_t;
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return FLOWS;
    }
    if limit.rlim_cur < need {
        let raised = libc::rlimit {
            rlim_cur: need.min(limit.rlim_max),
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit reads only the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = raised.rlim_cur;
        }
    }
    let allowed = (limit.rlim_cur.saturating_sub(256) / 4) as usize;
    if allowed < FLOWS {
        eprintln!(
            "open-file limit {}: {allowed} flows, not {FLOWS}",
            limit.rlim_cur
        );
    }
    allowed.min(FLOWS)
}

#[cfg(not(unix))]
fn flows_the_limit_allows() -> usize {
    FLOWS
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_flows_through_one_client() {
    let flows = flows_the_limit_allows();
    assert!(
        flows >= 100,
        "the open-file limit allows only {flows} flows"
    );
    let before = open_fds();
    {
        let sandbox = Sandbox::start().await.expect("sandbox");
        let client = sandbox.client().expect("client");
        let tasks = (0..flows).map(|i| {
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
            futures::stream::iter(tasks)
                .buffer_unordered(flows)
                .collect::<Vec<_>>(),
        )
        .await
        .expect("all flows finish within 2 minutes");
        assert_eq!(results.len(), flows);
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
            (flows as u64, flows as u64),
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
