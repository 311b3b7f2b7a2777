//! Decoding a 10,000-balance response body: into the generated
//! `Vec<belvo::types::Balance>` (Decimal money), into hand-written structs
//! (Decimal; f64 with typed ids and dates; f64 with plain strings) and into
//! `serde_json::Value`.
//!
//! Run with `cargo bench --bench decode`; see BENCHMARKS.md.

mod common;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde::de::DeserializeOwned;

use common::{float, strings, typed};

const BALANCES: usize = 10_000;

fn decode<T: DeserializeOwned>(body: &[u8]) -> T {
    serde_json::from_slice(black_box(body)).expect("the body decodes")
}

/// Called once per measured iteration and never inlined, so that a profile
/// (`valgrind --tool=callgrind`) can divide instruction counts by its calls.
#[inline(never)]
fn iteration() {
    black_box(());
}

/// One measured decode.
fn step<T: DeserializeOwned>(body: &[u8]) -> T {
    iteration();
    decode(body)
}

fn bench(c: &mut Criterion) {
    let body = common::balances_json(BALANCES);
    // Every variant reads every balance, and the exact ones agree.
    let generated: Vec<belvo::types::Balance> = decode(&body);
    let by_hand: Vec<typed::Balance> = decode(&body);
    assert_eq!(generated.len(), BALANCES);
    assert_eq!(by_hand.len(), BALANCES);
    assert!(generated
        .iter()
        .zip(&by_hand)
        .all(|(g, h)| g.balance == h.balance && g.id == h.id));
    assert_eq!(decode::<Vec<float::Balance>>(&body).len(), BALANCES);
    assert_eq!(decode::<Vec<strings::Balance>>(&body).len(), BALANCES);

    let mut g = c.benchmark_group("decode_10k");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Bytes(body.len() as u64));
    g.bench_function("generated_decimal", |b| {
        b.iter(|| step::<Vec<belvo::types::Balance>>(&body))
    });
    g.bench_function("handwritten_decimal", |b| {
        b.iter(|| step::<Vec<typed::Balance>>(&body))
    });
    g.bench_function("handwritten_f64", |b| {
        b.iter(|| step::<Vec<float::Balance>>(&body))
    });
    g.bench_function("handwritten_f64_strings", |b| {
        b.iter(|| step::<Vec<strings::Balance>>(&body))
    });
    g.bench_function("value", |b| b.iter(|| step::<serde_json::Value>(&body)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
