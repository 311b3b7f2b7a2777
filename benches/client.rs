//! Client overhead: `belvo::Client` side by side with the same calls written
//! by hand with reqwest + serde into the same types (`Decimal` money), and,
//! for the 10,000-balance body, with an `f64` client built without serde_json's
//! `arbitrary_precision` (the `belvo-bench-baseline` binary, a child process).
//!
//! One local server (this binary with `--serve`, a child process on
//! 127.0.0.1) answers every side, so this process's CPU time is the client's
//! alone. Clients run on one current-thread Tokio runtime; a batch is
//! CONCURRENCY spawned tasks making CALLS calls each. The sides' batches
//! alternate, the order rotating every round, and each row prints the median
//! per-call wall-clock and CPU time and the median of the per-round ratios.
//!
//! ```sh
//! cargo build --release -p belvo-bench-baseline && cargo bench --bench client
//! cargo bench --bench client -- --seconds 3 c10        # shorter, only rows whose name contains `c10`
//! benches/callgrind.sh                                 # instructions per call of every row and side
//! ```
//!
//! See BENCHMARKS.md, "Client overhead".

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, Method, StatusCode};
use axum::routing::any;
use axum::Router;
use belvo::{PendingSession, Retrieval, RetrieveRequest, Token};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use common::wire::{balances_path, process_cpu_time, Sample};
use common::{ResumeBody, LINK, SECRET_ID, SECRET_PASSWORD};

/// The token every resume sends.
const TOKEN: &str = "123456";
/// Body sizes the server can answer with.
const SIZES: [usize; 3] = [1, 100, 10_000];
/// Transactions bodies the server can answer with.
const TRANSACTION_SIZES: [usize; 2] = [1, 100];
/// Balances the MFA pair's resume is answered with.
const MFA_BALANCES: usize = 1;

/// What one call is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Call {
    /// A resume (`PATCH /api/balances/`) answered 201 with this many balances.
    Resume(usize),
    /// A retrieve answered 428, then the resume answered 201.
    MfaPair,
    /// A transactions resume (`PATCH /api/transactions/`) answered 201 with
    /// this many transactions.
    Transactions(usize),
}

/// One row of the table.
struct Row {
    name: &'static str,
    call: Call,
    concurrency: usize,
    /// Calls per task and batch.
    calls: usize,
    /// Whether the f64 baseline runs too.
    f64: bool,
}

const ROWS: &[Row] = &[
    row("sequential, 1 balance", Call::Resume(1), 1, 100, false),
    row("sequential, 100 balances", Call::Resume(100), 1, 30, false),
    row(
        "sequential, 10,000 balances",
        Call::Resume(10_000),
        1,
        2,
        true,
    ),
    row(
        "sequential, MFA pair 428 → 201",
        Call::MfaPair,
        1,
        50,
        false,
    ),
    row("c10, 1 balance", Call::Resume(1), 10, 20, false),
    row("c10, 100 balances", Call::Resume(100), 10, 4, false),
    row("c10, 10,000 balances", Call::Resume(10_000), 10, 1, true),
    row("c10, MFA pair 428 → 201", Call::MfaPair, 10, 10, false),
    row(
        "sequential, 1 transaction",
        Call::Transactions(1),
        1,
        100,
        false,
    ),
    row(
        "sequential, 100 transactions",
        Call::Transactions(100),
        1,
        10,
        false,
    ),
    row("c10, 1 transaction", Call::Transactions(1), 10, 20, false),
    row(
        "c10, 100 transactions",
        Call::Transactions(100),
        10,
        2,
        false,
    ),
];

const fn row(name: &'static str, call: Call, concurrency: usize, calls: usize, f64: bool) -> Row {
    Row {
        name,
        call,
        concurrency,
        calls,
        f64,
    }
}

impl Row {
    fn calls_per_batch(&self) -> usize {
        self.concurrency * self.calls
    }
}

// -------------------------------------------------------------------- server

/// The 428 body of the MFA pair, shaped like Belvo's documented example.
fn token_required_body() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "code": "token_required",
        "message": "A MFA token is required by the institution to login",
        "request_id": "8b4f2c1e1a2d4b3c9e0f1a2b3c4d5e6f",
        "session": "2c6bd4a3b5e44e3f8a5e6b7c8d9e0f1a",
        "expiry": 9600,
        "link": LINK,
        "token_generation_data": {
            "instructions": "Use the code sent to your phone",
            "type": "numeric",
            "value": null,
            "expects_user_input": true
        }
    }))
    .expect("JSON")
}

/// `--serve`: answers `/b{n}/api/balances/` with 201 and `n` balances,
/// `/mfa/api/balances/` with 428 to a POST and 201 (one balance) otherwise,
/// and `/t{n}/api/transactions/` with 201 and `n` transactions.
/// Prints its base URL, and exits when its standard input closes.
fn serve() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let mut app = Router::new();
    for n in SIZES {
        let body = Bytes::from(common::balances_json(n));
        app = app.route(
            &format!("{}/api/balances/", balances_path(n)),
            any(move |_request: Bytes| {
                let body = body.clone();
                async move { (StatusCode::CREATED, json_type(), body) }
            }),
        );
    }
    for n in TRANSACTION_SIZES {
        let body = Bytes::from(common::transactions_json(n));
        app = app.route(
            &format!("{}/api/transactions/", Sides::path(Call::Transactions(n))),
            any(move |_request: Bytes| {
                let body = body.clone();
                async move { (StatusCode::CREATED, json_type(), body) }
            }),
        );
    }
    let (pending, done) = (
        Bytes::from(token_required_body()),
        Bytes::from(common::balances_json(MFA_BALANCES)),
    );
    app = app.route(
        "/mfa/api/balances/",
        any(move |method: Method, _request: Bytes| {
            let (pending, done) = (pending.clone(), done.clone());
            async move {
                if method == Method::POST {
                    (StatusCode::PRECONDITION_REQUIRED, json_type(), pending)
                } else {
                    (StatusCode::CREATED, json_type(), done)
                }
            }
        }),
    );
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        println!("http://{addr}");
        axum::serve(listener, app).await.expect("the server runs");
    });
}

fn json_type() -> [(header::HeaderName, &'static str); 1] {
    [(header::CONTENT_TYPE, "application/json")]
}

/// A child process of this machine's bench binaries, ended when dropped.
struct Process {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Process {
    fn start(program: PathBuf, args: &[&str]) -> Process {
        let mut child = Command::new(&program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Process {
            child,
            stdin,
            stdout,
        }
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("a line from the child");
        line
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The f64 baseline binary, next to this bench's directory in `target/release`.
fn baseline_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's path");
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("belvo-bench-baseline"))
        .expect("target/<profile>/");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release -p belvo-bench-baseline` first",
        bin.display()
    );
    bin
}

// ------------------------------------------------------------------- clients

/// The retrieve body, written by hand.
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
    expiry: Option<u64>,
    request_id: Option<String>,
    message: Option<String>,
    token_generation_data: Option<TokenGenerationData>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct TokenGenerationData {
    instructions: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    value: Option<String>,
    expects_user_input: Option<bool>,
}

fn link() -> Uuid {
    LINK.parse().expect("a uuid")
}

fn dates() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2024, 1, 31).expect("date"),
    )
}

/// One call through the crate.
async fn crate_call(client: &belvo::Client, pending: &PendingSession, call: Call) {
    let balances = match call {
        Call::Resume(n) => {
            let done = client
                .balances()
                .resume(pending, Some(Token::new(TOKEN)))
                .await;
            (complete(done), n)
        }
        Call::MfaPair => {
            let (from, to) = dates();
            let request = RetrieveRequest::new(link(), from, to);
            let pending = match client.balances().retrieve(&request).await {
                Ok(Retrieval::TokenRequired(p)) => p,
                other => panic!("expected a 428, got {other:?}"),
            };
            let done = client
                .balances()
                .resume(&pending, Some(Token::new(TOKEN)))
                .await;
            (complete(done), MFA_BALANCES)
        }
        Call::Transactions(n) => {
            let done = client
                .transactions()
                .resume(pending, Some(Token::new(TOKEN)))
                .await;
            let records = match done {
                Ok(Retrieval::Complete(done)) => std::hint::black_box(done.records).len(),
                other => panic!("expected the transactions, got {other:?}"),
            };
            (records, n)
        }
    };
    assert_eq!(balances.0, balances.1);
}

fn complete(r: Result<Retrieval, belvo::Error>) -> usize {
    match r {
        Ok(Retrieval::Complete(done)) => std::hint::black_box(done.balances).len(),
        other => panic!("expected the balances, got {other:?}"),
    }
}

/// The same call written by hand, decoding into `Decimal` structs.
async fn hand_call(http: &reqwest::Client, url: &str, call: Call) {
    let (session, link_text, expected) = match call {
        Call::Transactions(n) => {
            let body = ResumeBody {
                session: "s",
                link: LINK,
                token: Some(TOKEN),
                save_data: true,
            };
            let records: Vec<belvo::types::Transaction> = common::resume_by_hand(http, url, &body)
                .await
                .expect("the resume is answered 201");
            assert_eq!(std::hint::black_box(records).len(), n);
            return;
        }
        Call::Resume(n) => ("s".to_owned(), LINK.to_owned(), n),
        Call::MfaPair => {
            let (date_from, date_to) = dates();
            let body = RetrieveBody {
                link: link(),
                date_from,
                date_to,
                save_data: true,
            };
            let response = http
                .post(url)
                .basic_auth(SECRET_ID, Some(SECRET_PASSWORD))
                .header(header::ACCEPT, "application/json")
                .json(&body)
                .send()
                .await
                .expect("the retrieve is answered");
            assert_eq!(response.status(), StatusCode::PRECONDITION_REQUIRED);
            let pending: TokenRequired = response.json().await.expect("a 428 body");
            (pending.session, pending.link, MFA_BALANCES)
        }
    };
    let body = ResumeBody {
        session: &session,
        link: &link_text,
        token: Some(TOKEN),
        save_data: true,
    };
    let balances: Vec<belvo::types::Balance> = common::resume_by_hand(http, url, &body)
        .await
        .expect("the resume is answered 201");
    assert_eq!(
        std::hint::black_box::<Vec<belvo::types::Balance>>(balances).len(),
        expected
    );
}

/// Runs `concurrency` tasks of `calls` calls each and measures the batch.
fn batch<F, Fut>(rt: &tokio::runtime::Runtime, concurrency: usize, task: F) -> Sample
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (wall, cpu) = (Instant::now(), process_cpu_time());
    rt.block_on(async {
        let tasks: Vec<_> = (0..concurrency).map(|_| tokio::spawn(task())).collect();
        for t in tasks {
            t.await.expect("a task completes");
        }
    });
    Sample {
        wall: wall.elapsed(),
        cpu: process_cpu_time() - cpu,
    }
}

/// The sides of the comparison: one client each, built once and shared by
/// all batches (so that connections are pooled as in a real program).
struct Sides {
    rt: tokio::runtime::Runtime,
    base: String,
    /// Crate clients by server path (the crate's base URL includes it).
    crates: Vec<(String, belvo::Client)>,
    http: reqwest::Client,
    baseline: Option<Process>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Crate,
    Decimal,
    F64,
}

impl Sides {
    fn path(call: Call) -> String {
        match call {
            Call::Resume(n) => balances_path(n),
            Call::MfaPair => "/mfa".to_owned(),
            Call::Transactions(n) => format!("/t{n}"),
        }
    }

    /// The resource path a call goes to.
    fn resource(call: Call) -> &'static str {
        match call {
            Call::Transactions(_) => "/api/transactions/",
            Call::Resume(_) | Call::MfaPair => "/api/balances/",
        }
    }

    fn new(base: String) -> Sides {
        let crates = [
            Call::Resume(1),
            Call::Resume(100),
            Call::Resume(10_000),
            Call::MfaPair,
            Call::Transactions(1),
            Call::Transactions(100),
        ]
        .into_iter()
        .map(|call| {
            let path = Self::path(call);
            let client = common::belvo_client(&format!("{base}{path}"));
            (path, client)
        })
        .collect();
        Sides {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a Tokio runtime"),
            base,
            crates,
            http: common::reqwest_client(),
            baseline: None,
        }
    }

    fn run(&mut self, side: Side, row: &Row) -> Sample {
        let (call, calls) = (row.call, row.calls);
        let path = Self::path(call);
        match side {
            Side::Crate => {
                let client = &self
                    .crates
                    .iter()
                    .find(|(p, _)| *p == path)
                    .expect("a client for this path")
                    .1;
                let family = match call {
                    Call::Transactions(_) => "transactions",
                    Call::Resume(_) | Call::MfaPair => "balances",
                };
                let pending: PendingSession =
                    serde_json::from_value(json!({"session": "s", "link": LINK, "family": family}))
                        .expect("a pending session");
                batch(&self.rt, row.concurrency, || {
                    let (client, pending) = (client.clone(), pending.clone());
                    async move {
                        for _ in 0..calls {
                            crate_call(&client, &pending, call).await;
                        }
                    }
                })
            }
            Side::Decimal => {
                let http = &self.http;
                let url = format!("{}{path}{}", self.base, Self::resource(call));
                batch(&self.rt, row.concurrency, || {
                    let (http, url) = (http.clone(), url.clone());
                    async move {
                        for _ in 0..calls {
                            hand_call(&http, &url, call).await;
                        }
                    }
                })
            }
            Side::F64 => {
                let Call::Resume(n) = call else {
                    unreachable!("the f64 baseline only resumes")
                };
                let p = self.baseline.as_mut().expect("the f64 baseline runs");
                writeln!(p.stdin, "{n} {} {calls}", row.concurrency)
                    .and_then(|()| p.stdin.flush())
                    .expect("the f64 baseline reads");
                let line = p.line();
                Sample::from_line(&line)
                    .unwrap_or_else(|| panic!("the f64 baseline answered {line:?}"))
            }
        }
    }
}

// -------------------------------------------------------------------- report

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Alternates the sides (rotating who goes first) until `budget` is spent
/// (at least `MIN_ROUNDS` rounds), then prints the row.
fn compare(sides: &mut Sides, row: &Row, budget: Duration) {
    const MIN_ROUNDS: usize = 7;
    let order: &[Side] = if row.f64 {
        &[Side::Crate, Side::Decimal, Side::F64]
    } else {
        &[Side::Crate, Side::Decimal]
    };
    for &side in order {
        sides.run(side, row); // warm-up: connections, allocator
    }
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); order.len()];
    let start = Instant::now();
    let mut round = 0;
    while round < MIN_ROUNDS || start.elapsed() < budget {
        for k in 0..order.len() {
            let i = (round + k) % order.len();
            samples[i].push(sides.run(order[i], row));
        }
        round += 1;
    }
    let per_call = |s: &[Sample], f: fn(&Sample) -> Duration| {
        median(s.iter().map(|x| f(x).as_secs_f64()).collect()) / row.calls_per_batch() as f64 * 1e6
    };
    let ratio = |a: &[Sample], b: &[Sample], f: fn(&Sample) -> Duration| {
        median(
            a.iter()
                .zip(b)
                .map(|(x, y)| f(x).as_secs_f64() / f(y).as_secs_f64())
                .collect(),
        )
    };
    let wall = |s: &Sample| s.wall;
    let cpu = |s: &Sample| s.cpu;
    let (c, d) = (&samples[0], &samples[1]);
    print!(
        "| {} | {:.0} / {:.0} µs | {:.0} / {:.0} µs | **{:.3}** | **{:.3}** |",
        row.name,
        per_call(c, wall),
        per_call(d, wall),
        per_call(c, cpu),
        per_call(d, cpu),
        ratio(c, d, wall),
        ratio(c, d, cpu),
    );
    if let Some(f) = samples.get(2) {
        print!(
            " {:.0} µs; crate {:.3} / {:.3}, Decimal by hand {:.3} / {:.3} |",
            per_call(f, wall),
            ratio(c, f, wall),
            ratio(c, f, cpu),
            ratio(d, f, wall),
            ratio(d, f, cpu),
        );
    } else {
        print!(" |");
    }
    println!(" {round} |");
}

/// Runs one batch of one side inside a function callgrind can toggle on.
#[inline(never)]
fn measured(sides: &mut Sides, side: Side, row: &Row) -> Sample {
    sides.run(side, row)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve") {
        return serve();
    }
    if args.iter().any(|a| a == "--rows") {
        // For benches/callgrind.sh: name, balances (0: the MFA pair),
        // concurrency, calls per task.
        for r in ROWS {
            let n = match r.call {
                Call::Resume(n) => n,
                Call::MfaPair => 0,
                // callgrind.sh measures the balances rows.
                Call::Transactions(_) => continue,
            };
            println!("{}\t{n}\t{}\t{}", r.name, r.concurrency, r.calls);
        }
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // and must stay quick.
    if !args.iter().any(|a| a == "--bench") {
        println!("client bench: run with `cargo bench --bench client` (see BENCHMARKS.md)");
        return;
    }
    let mut server = Process::start(
        std::env::current_exe().expect("the bench's path"),
        &["--serve"],
    );
    let base = server.line().trim().to_owned();
    let mut sides = Sides::new(base);
    // `--once ROW SIDE`: one warmed-up batch, for callgrind.
    if let Some(i) = args.iter().position(|a| a == "--once") {
        let name = &args[i + 1];
        let row = ROWS
            .iter()
            .find(|r| r.name == name.as_str())
            .unwrap_or_else(|| panic!("no row named {name:?}"));
        let side = match args[i + 2].as_str() {
            "crate" => Side::Crate,
            "decimal" => Side::Decimal,
            other => panic!("side {other:?}: expected crate or decimal"),
        };
        sides.run(side, row);
        let s = measured(&mut sides, side, row);
        println!("{} {}", s.to_line().trim_end(), row.calls_per_batch());
        return;
    }
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .map_or(6.0, |s| s.parse::<f64>().expect("--seconds N"));
    let filter: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[*i - 1] != "--seconds"))
        .map(|(_, a)| a)
        .collect();
    let rows: Vec<&Row> = ROWS
        .iter()
        .filter(|r| filter.is_empty() || filter.iter().any(|f| r.name.contains(f.as_str())))
        .collect();
    if rows.iter().any(|r| r.f64) {
        sides.baseline = Some(Process::start(baseline_binary(), &[&sides.base]));
    }
    println!("\nClient overhead: crate / hand-written (Decimal), medians; {seconds} s per row\n");
    println!("| scenario | wall per call: crate / by hand | CPU per call: crate / by hand | wall ratio | CPU ratio | f64 by hand (no arbitrary_precision): wall; ratios wall / CPU | rounds |");
    println!("|---|---:|---:|---:|---:|---|---:|");
    for row in rows {
        // The 10,000-balance rows are 100× slower per batch: give them more time.
        let budget = if row.f64 { seconds * 1.5 } else { seconds };
        compare(&mut sides, row, Duration::from_secs_f64(budget));
    }
}
