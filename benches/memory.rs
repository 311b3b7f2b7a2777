//! Peak heap while decoding a 10,000-balance body, and during one whole
//! resume call that receives it, measured with a counting global allocator.
//! Prints a table; no criterion (allocation counts do not vary by run).
//!
//! Run with `cargo bench --bench memory`; see BENCHMARKS.md.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::http::StatusCode;
use belvo::{PendingSession, Retrieval, Token};
use bytes::BytesMut;
use serde::de::DeserializeOwned;
use serde_json::json;

use common::{float, strings, typed, ResumeBody, LINK};

/// Counts live heap bytes and their high-water mark.
struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn grow(by: usize) {
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grow(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
            grow(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const BALANCES: usize = 10_000;

/// What one measured step allocated.
struct Usage {
    /// Highest live heap above the start.
    peak: usize,
    /// Live heap above the start when the step returned (its result).
    retained: usize,
    allocations: usize,
}

fn measure<T>(step: impl FnOnce() -> T) -> (T, Usage) {
    let start = CURRENT.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let count = ALLOCATIONS.load(Ordering::Relaxed);
    let out = black_box(step());
    let usage = Usage {
        peak: PEAK.load(Ordering::Relaxed).saturating_sub(start),
        retained: CURRENT.load(Ordering::Relaxed).saturating_sub(start),
        allocations: ALLOCATIONS.load(Ordering::Relaxed) - count,
    };
    (out, usage)
}

fn decode_row<T: DeserializeOwned>(name: &str, body: &[u8]) {
    let (value, usage) = measure(|| serde_json::from_slice::<T>(body).expect("the body decodes"));
    drop(value);
    row(name, body.len(), &usage);
}

fn row(name: &str, body: usize, u: &Usage) {
    println!(
        "| {name} | {body} | {} | {:.2} | {} | {} |",
        u.peak,
        u.peak as f64 / body as f64,
        u.retained,
        u.allocations
    );
}

/// The smallest peak of `runs` runs of `call` (the first run is a warm-up,
/// so the connection pool is open).
fn call_row<F, Fut>(rt: &tokio::runtime::Runtime, name: &str, body: usize, runs: usize, call: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = usize>,
{
    assert_eq!(rt.block_on(call()), BALANCES);
    let best = (0..runs)
        .map(|_| {
            let (n, usage) = measure(|| rt.block_on(call()));
            assert_eq!(n, BALANCES);
            usage
        })
        .min_by_key(|u| u.peak)
        .expect("at least one run");
    row(name, body, &best);
}

fn main() {
    let body = common::balances_json(BALANCES);
    println!(
        "Decoding {BALANCES} balances ({} bytes of JSON):\n",
        body.len()
    );
    println!(
        "| into | body bytes | peak heap bytes | peak / body | retained bytes | allocations |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    decode_row::<Vec<belvo::types::Balance>>(
        "`Vec<belvo::types::Balance>` (generated, Decimal)",
        &body,
    );
    decode_row::<Vec<typed::Balance>>("hand-written, Decimal", &body);
    decode_row::<Vec<float::Balance>>("hand-written, f64", &body);
    decode_row::<Vec<strings::Balance>>("hand-written, f64 + String", &body);
    decode_row::<serde_json::Value>("`serde_json::Value`", &body);

    // One whole resume receiving the same body from a local server (its
    // buffers count too: same server for both rows).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let len = body.len();
    let base = rt
        .block_on(common::serve_fixed(StatusCode::CREATED, Bytes::from(body)))
        .expect("the local server starts");
    let client = common::belvo_client(&base);
    let http = common::reqwest_client();
    let url = format!("{base}/api/balances/");
    let pending: PendingSession =
        serde_json::from_value(json!({"session": "s", "link": LINK})).expect("a pending session");
    let by_hand = ResumeBody {
        session: "s",
        link: LINK,
        token: Some("123456"),
        save_data: true,
    };
    println!("\nOne resume receiving it over loopback (smallest of 5 runs):\n");
    println!(
        "| call | body bytes | peak heap bytes | peak / body | retained bytes | allocations |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    call_row(&rt, "`client.balances().resume(..)`", len, 5, || async {
        match client
            .balances()
            .resume(&pending, Some(Token::new("123456")))
            .await
        {
            Ok(Retrieval::Complete(done)) => done.balances.len(),
            other => panic!("unexpected resume outcome: {other:?}"),
        }
    });
    call_row(
        &rt,
        "reqwest + serde_json (Decimal structs)",
        len,
        5,
        || async {
            common::resume_by_hand::<Vec<typed::Balance>>(&http, &url, &by_hand)
                .await
                .expect("hand-written resume")
                .len()
        },
    );

    // Only reading the body, three ways (the decode is left out).
    println!("\nReading the body only (smallest of 5 runs):\n");
    println!(
        "| read | body bytes | peak heap bytes | peak / body | retained bytes | allocations |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let send = || http.patch(&url).json(&by_hand).send();
    call_row(
        &rt,
        "hold every chunk, then concatenate (src/client.rs `buffer`)",
        len,
        5,
        || async {
            let mut response = send().await.expect("sent");
            let mut chunks: Vec<Bytes> = Vec::new();
            let mut total = 0;
            while let Some(chunk) = response.chunk().await.expect("a chunk") {
                total += chunk.len();
                chunks.push(chunk);
            }
            let mut all = Vec::with_capacity(total);
            for c in &chunks {
                all.extend_from_slice(c);
            }
            drop(chunks);
            count(&Bytes::from(all))
        },
    );
    call_row(
        &rt,
        "append each chunk to a BytesMut sized from Content-Length",
        len,
        5,
        || async {
            let mut response = send().await.expect("sent");
            let size = response.content_length().unwrap_or(0);
            let mut all = BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
            while let Some(chunk) = response.chunk().await.expect("a chunk") {
                all.extend_from_slice(&chunk);
            }
            count(&all.freeze())
        },
    );
    call_row(&rt, "`reqwest::Response::bytes()`", len, 5, || async {
        count(&send().await.expect("sent").bytes().await.expect("a body"))
    });
}

/// Checks that `body` is the whole 10,000-balance body; returns [`BALANCES`].
fn count(body: &[u8]) -> usize {
    assert_eq!(body.first(), Some(&b'['));
    assert_eq!(body.last(), Some(&b']'));
    BALANCES
}
