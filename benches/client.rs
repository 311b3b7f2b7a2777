//! Round trips through `belvo::Client` against the same calls written by hand
//! with reqwest + serde_json, on loopback:
//!
//! - `resume/c1` and `resume/c64`: one resume (`PATCH /api/balances/`,
//!   answered 201 with a precomputed body of 1 or 100 balances) at a time,
//!   and 64 at once through one shared client (time per batch of 64);
//! - `mfa_flow/c1` and `mfa_flow/c64`: the whole MFA flow (retrieve, 428,
//!   resume with the token) against the embedded sandbox.
//!
//! After the criterion groups, a paired section alternates crate and
//! hand-written batches so that both see the same machine load, and prints
//! the ratio of their medians (skipped with `--profile-time`, `--list`,
//! `--test`, or a filter that does not contain `paired`).
//!
//! Run with `cargo bench --bench client`; see BENCHMARKS.md.

mod common;

use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use belvo::testing::{
    Sandbox, Scenario, SANDBOX_SECRET_ID, SANDBOX_SECRET_PASSWORD, SANDBOX_TOKEN,
};
use belvo::{PendingSession, Retrieval, RetrieveRequest, Token};
use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput};
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use common::{belvo_client, reqwest_client, resume_by_hand, serve_fixed, typed, ResumeBody, LINK};

/// Requests in flight at once in the `c64` groups.
const CONCURRENCY: usize = 64;
/// Body sizes (balances) of the resume benchmarks.
const SIZES: [usize; 2] = [1, 100];

/// Called once per measured iteration and never inlined, so that a profile
/// (`valgrind --tool=callgrind`) can divide instruction counts by its calls.
#[inline(never)]
fn iteration() {
    black_box(());
}

/// Everything the benchmarks share: one runtime, the local servers, the
/// sandbox and the clients (each built once and shared by all requests).
struct Fixture {
    rt: tokio::runtime::Runtime,
    pending: PendingSession,
    resume_body: ResumeBody<'static>,
    http: reqwest::Client,
    /// Per body size: balances, crate client, URL of the local server.
    servers: Vec<(usize, belvo::Client, String)>,
    _sandbox: Sandbox,
    sandbox_client: belvo::Client,
    sandbox_url: String,
    request: RetrieveRequest,
    retrieve_body: RetrieveBody,
    /// Balances one MFA flow ends with.
    flow_balances: usize,
}

impl Fixture {
    fn new() -> Fixture {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime");
        let pending: PendingSession = serde_json::from_value(json!({"session": "s", "link": LINK}))
            .expect("a pending session");
        let servers = SIZES
            .iter()
            .map(|&n| {
                let body = Bytes::from(common::balances_json(n));
                let base = rt
                    .block_on(serve_fixed(StatusCode::CREATED, body))
                    .expect("the local server starts");
                (n, belvo_client(&base), format!("{base}/api/balances/"))
            })
            .collect();
        let sandbox = rt.block_on(Sandbox::start()).expect("the sandbox starts");
        let sandbox_client = sandbox.client().expect("a sandbox client");
        let sandbox_url = format!("{}/api/balances/", sandbox.base_url());
        let date_from = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let date_to = NaiveDate::from_ymd_opt(2024, 1, 31).expect("date");
        let link = Scenario::TokenOnce.link();
        let mut fx = Fixture {
            rt,
            pending,
            resume_body: ResumeBody {
                session: "s",
                link: LINK,
                token: Some("123456"),
                save_data: true,
            },
            http: reqwest_client(),
            servers,
            _sandbox: sandbox,
            sandbox_client,
            sandbox_url,
            request: RetrieveRequest::new(link, date_from, date_to),
            retrieve_body: RetrieveBody {
                link,
                date_from,
                date_to,
                save_data: true,
            },
            flow_balances: 0,
        };
        // Both flows must end with the same balances.
        fx.flow_balances = fx.rt.block_on(flow_crate(&fx.sandbox_client, &fx.request));
        let by_hand = fx
            .rt
            .block_on(flow_hand(&fx.http, &fx.sandbox_url, &fx.retrieve_body));
        assert_eq!(by_hand.len(), fx.flow_balances);
        fx
    }

    /// `concurrency` resumes through the crate, answered with `n` balances.
    fn resume_crate(&self, size: usize, concurrency: usize) {
        let (n, client, _) = self.server(size);
        self.rt.block_on(join_all(
            (0..concurrency).map(|_| resume_crate(client, &self.pending, *n)),
        ));
    }

    /// The same, written by hand.
    fn resume_hand(&self, size: usize, concurrency: usize) {
        let (n, _, url) = self.server(size);
        self.rt.block_on(join_all(
            (0..concurrency).map(|_| resume_hand(&self.http, url, &self.resume_body, *n)),
        ));
    }

    fn server(&self, size: usize) -> &(usize, belvo::Client, String) {
        self.servers
            .iter()
            .find(|(n, _, _)| *n == size)
            .expect("a server for this size")
    }

    /// `concurrency` MFA flows through the crate.
    fn flows_crate(&self, concurrency: usize) {
        let flows = self.rt.block_on(join_all(
            (0..concurrency).map(|_| flow_crate(&self.sandbox_client, &self.request)),
        ));
        assert!(flows.iter().all(|&n| n == self.flow_balances));
    }

    /// The same, written by hand.
    fn flows_hand(&self, concurrency: usize) {
        let flows =
            self.rt
                .block_on(join_all((0..concurrency).map(|_| {
                    flow_hand(&self.http, &self.sandbox_url, &self.retrieve_body)
                })));
        assert!(flows.iter().all(|f| f.len() == self.flow_balances));
    }
}

/// One resume through the crate; panics unless it is the full 201.
async fn resume_crate(client: &belvo::Client, pending: &PendingSession, expected: usize) {
    match client
        .balances()
        .resume(pending, Some(Token::new("123456")))
        .await
    {
        Ok(Retrieval::Complete(done)) => assert_eq!(black_box(done.balances).len(), expected),
        other => panic!("unexpected resume outcome: {other:?}"),
    }
}

async fn resume_hand(http: &reqwest::Client, url: &str, body: &ResumeBody<'_>, expected: usize) {
    let balances = resume_by_hand(http, url, body)
        .await
        .expect("hand-written resume");
    assert_eq!(black_box(balances).len(), expected);
}

// ------------------------------------------------------------------ MFA flow

#[derive(Serialize)]
struct RetrieveBody {
    link: Uuid,
    date_from: NaiveDate,
    date_to: NaiveDate,
    save_data: bool,
}

/// The 428 body, as a careful engineer would type it.
#[derive(Deserialize)]
#[allow(dead_code)]
struct TokenRequired {
    session: String,
    link: String,
    #[serde(default)]
    expiry: Option<u64>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    token_generation_data: Option<TokenGenerationData>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct TokenGenerationData {
    #[serde(default)]
    instructions: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    expects_user_input: Option<bool>,
}

/// The whole flow written by hand: POST, expect 428, PATCH with the token.
async fn flow_hand(http: &reqwest::Client, url: &str, body: &RetrieveBody) -> Vec<typed::Balance> {
    let response = http
        .post(url)
        .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
        .json(body)
        .send()
        .await
        .expect("retrieve sent");
    assert_eq!(
        response.status(),
        reqwest::StatusCode::PRECONDITION_REQUIRED
    );
    let pending: TokenRequired = response.json().await.expect("a 428 body");
    let resume = ResumeBody {
        session: &pending.session,
        link: &pending.link,
        token: Some(SANDBOX_TOKEN),
        save_data: body.save_data,
    };
    http.patch(url)
        .basic_auth(SANDBOX_SECRET_ID, Some(SANDBOX_SECRET_PASSWORD))
        .json(&resume)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("resume sent")
        .json()
        .await
        .expect("balances")
}

async fn flow_crate(client: &belvo::Client, request: &RetrieveRequest) -> usize {
    let done = client
        .balances()
        .retrieve_with_mfa(request, |_| async {
            Ok::<_, Infallible>(Token::new(SANDBOX_TOKEN))
        })
        .await
        .expect("the MFA flow completes");
    black_box(done.balances).len()
}

// ---------------------------------------------------------------- criterion

fn configure<'a>(
    c: &'a mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    g
}

fn resume(c: &mut Criterion, fx: &Fixture) {
    for (concurrency, name) in [(1usize, "resume/c1"), (CONCURRENCY, "resume/c64")] {
        let mut g = configure(c, name);
        g.throughput(Throughput::Elements(concurrency as u64));
        for size in SIZES {
            g.bench_with_input(BenchmarkId::new("belvo", size), &size, |b, &size| {
                b.iter(|| {
                    iteration();
                    fx.resume_crate(size, concurrency);
                })
            });
            g.bench_with_input(BenchmarkId::new("reqwest", size), &size, |b, &size| {
                b.iter(|| {
                    iteration();
                    fx.resume_hand(size, concurrency);
                })
            });
        }
        g.finish();
    }
}

fn mfa_flow(c: &mut Criterion, fx: &Fixture) {
    for (concurrency, name) in [(1usize, "mfa_flow/c1"), (CONCURRENCY, "mfa_flow/c64")] {
        let mut g = configure(c, name);
        g.throughput(Throughput::Elements(concurrency as u64));
        g.bench_function("belvo", |b| {
            b.iter(|| {
                iteration();
                fx.flows_crate(concurrency);
            })
        });
        g.bench_function("reqwest", |b| {
            b.iter(|| {
                iteration();
                fx.flows_hand(concurrency);
            })
        });
        g.finish();
    }
}

// ------------------------------------------------------------------- paired

/// Whether to run the paired section, given the command line.
fn paired_wanted() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "--profile-time" | "--list" | "--test"))
    {
        return false;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    filters.is_empty() || filters.iter().any(|f| f.contains("paired"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Alternates `a` (the crate) and `b` (by hand), swapping which goes first
/// every round, for at most `rounds` rounds or `budget`; prints the medians
/// and their ratio.
fn paired(name: &str, rounds: usize, budget: Duration, a: impl Fn(), b: impl Fn()) {
    // Warm-up.
    a();
    b();
    let time = |f: &dyn Fn()| {
        let start = Instant::now();
        f();
        start.elapsed().as_secs_f64()
    };
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    let start = Instant::now();
    for round in 0..rounds {
        if round % 2 == 0 {
            ta.push(time(&a));
            tb.push(time(&b));
        } else {
            tb.push(time(&b));
            ta.push(time(&a));
        }
        if start.elapsed() > budget {
            break;
        }
    }
    let n = ta.len();
    let (ma, mb) = (median(ta), median(tb));
    println!(
        "| {name} | {:.1} µs | {:.1} µs | {:.3} | {n} |",
        ma * 1e6,
        mb * 1e6,
        ma / mb
    );
}

fn paired_all(fx: &Fixture) {
    let budget = Duration::from_secs(4);
    println!("\nPaired (alternating batches, medians):\n");
    println!("| benchmark | belvo | reqwest + serde | ratio | rounds |");
    println!("|---|---:|---:|---:|---:|");
    for (concurrency, rounds) in [(1usize, 4000), (CONCURRENCY, 400)] {
        for size in SIZES {
            paired(
                &format!("resume/c{concurrency}/{size}"),
                rounds,
                budget,
                || fx.resume_crate(size, concurrency),
                || fx.resume_hand(size, concurrency),
            );
        }
    }
    for (concurrency, rounds) in [(1usize, 4000), (CONCURRENCY, 400)] {
        paired(
            &format!("mfa_flow/c{concurrency}"),
            rounds,
            budget,
            || fx.flows_crate(concurrency),
            || fx.flows_hand(concurrency),
        );
    }
}

fn main() {
    let fx = Fixture::new();
    let mut c = Criterion::default().configure_from_args();
    resume(&mut c, &fx);
    mfa_flow(&mut c, &fx);
    c.final_summary();
    if paired_wanted() {
        paired_all(&fx);
    }
}
