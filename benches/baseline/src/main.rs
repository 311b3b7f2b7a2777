//! The f64 baseline of `benches/client.rs`: a hand-written reqwest + serde
//! resume decoding `f64` money, built in its own package so that serde_json
//! has no `arbitrary_precision` (see BENCHMARKS.md, "Client overhead").
//!
//! `belvo-bench-baseline BASE_URL` reads lines `BALANCES CONCURRENCY CALLS`
//! on stdin; for each, it runs CONCURRENCY tasks on one current-thread
//! runtime, each making CALLS resumes answered with BALANCES balances, and
//! answers `WALL_NS CPU_NS` (wall-clock and process CPU of the batch).
//! `belvo-bench-baseline BASE_URL --once BALANCES CONCURRENCY CALLS` runs one
//! batch after a warm-up, inside `measured`, for callgrind.

#[path = "../../common/wire.rs"]
#[allow(dead_code)]
mod wire;

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use wire::{float, process_cpu_time, ResumeBody, Sample, LINK, SECRET_ID, SECRET_PASSWORD};

async fn resume(http: &reqwest::Client, url: &str, expected: usize) {
    let body = ResumeBody {
        session: "s",
        link: LINK,
        token: Some("123456"),
        save_data: true,
    };
    let balances: Vec<float::Balance> = http
        .patch(url)
        .basic_auth(SECRET_ID, Some(SECRET_PASSWORD))
        .header(reqwest::header::ACCEPT, "application/json")
        .json(&body)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .expect("the resume is answered 201")
        .json()
        .await
        .expect("the balances decode");
    assert_eq!(std::hint::black_box(balances).len(), expected);
}

fn batch(
    rt: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    url: &str,
    args: [usize; 3],
) -> Sample {
    let [balances, concurrency, calls] = args;
    let (wall, cpu) = (Instant::now(), process_cpu_time());
    rt.block_on(async {
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (http, url) = (http.clone(), url.to_owned());
                tokio::spawn(async move {
                    for _ in 0..calls {
                        resume(&http, &url, balances).await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("a task completes");
        }
    });
    Sample {
        wall: wall.elapsed(),
        cpu: process_cpu_time() - cpu,
    }
}

#[inline(never)]
fn measured(
    rt: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    url: &str,
    args: [usize; 3],
) -> Sample {
    batch(rt, http, url, args)
}

fn parse(words: &[&str]) -> [usize; 3] {
    let n = |i: usize| -> usize {
        words
            .get(i)
            .and_then(|w| w.parse().ok())
            .unwrap_or_else(|| panic!("expected BALANCES CONCURRENCY CALLS, got {words:?}"))
    };
    [n(0), n(1), n(2)]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args
        .first()
        .expect("usage: belvo-bench-baseline BASE_URL [--once BALANCES CONCURRENCY CALLS]");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    // Configured like the crate's client (same timeouts).
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(180))
        .build()
        .expect("a reqwest client");
    let url = |balances: usize| format!("{base}{}/api/balances/", wire::balances_path(balances));
    if args.get(1).map(String::as_str) == Some("--once") {
        let words: Vec<&str> = args[2..].iter().map(String::as_str).collect();
        let a = parse(&words);
        batch(&rt, &http, &url(a[0]), a);
        let s = measured(&rt, &http, &url(a[0]), a);
        println!("{} {}", s.to_line().trim_end(), a[1] * a[2]);
        return;
    }
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.expect("a command line");
        let words: Vec<&str> = line.split_whitespace().collect();
        let a = parse(&words);
        let s = batch(&rt, &http, &url(a[0]), a);
        out.write_all(s.to_line().as_bytes())
            .and_then(|()| out.flush())
            .expect("the bench reads the answer");
    }
}
