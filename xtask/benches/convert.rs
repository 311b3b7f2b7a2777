//! Time and peak memory of `postman_openapi::convert_to_string` (the text
//! `sync-postman` writes) against the `postman2openapi` crate, on one
//! generated 2,000-request collection, in the same run.
//!
//! ```text
//! cargo bench -p xtask --bench convert                        # mimalloc, as `cargo xtask` runs
//! cargo bench -p xtask --bench convert --no-default-features  # the system allocator
//! ```
//!
//! The collection is read from `BELVO_BIG_COLLECTION` when set; otherwise it
//! is generated once with `python3 xtask/benches/gen_big_collection.py
//! --requests 2000` into cargo's scratch folder under `target/`.
//!
//! Peak memory, and the bytes and number of allocations, come from a
//! counting global allocator, switched on only while one conversion per tool is
//! measured; the timings run with the counters off (one relaxed load per
//! allocation), so that threads do not contend for the counters.

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use postman2openapi::{TargetFormat, TranspileOptions};
use postman_openapi::{convert, convert_to_string, Options};

// ------------------------------------------------------------------ allocator

struct Counting;

/// Counting is on only inside [`heap_use`]: two threads updating the
/// same counters on every allocation would make the timings measure the
/// counters' cache line rather than the converters.
static COUNTING: AtomicBool = AtomicBool::new(false);
/// Live bytes since counting started (frees of older memory count too, so it
/// can go below zero).
static CURRENT: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);
/// Bytes asked for (a `realloc` asks for its new size) and how many times.
static ALLOCATED: AtomicI64 = AtomicI64::new(0);
static ALLOCATIONS: AtomicI64 = AtomicI64::new(0);

/// An allocation (or reallocation) of `size` bytes.
fn asked(size: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATED.fetch_add(size as i64, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

fn grew(n: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        let now = CURRENT.fetch_add(n as i64, Ordering::Relaxed) + n as i64;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn shrank(n: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        CURRENT.fetch_sub(n as i64, Ordering::Relaxed);
    }
}

/// The allocator underneath, the one `cargo xtask` ships with (mimalloc) unless
/// the bench is built with `--no-default-features`. Both converters run on it.
#[cfg(feature = "mimalloc")]
const INNER: mimalloc::MiMalloc = mimalloc::MiMalloc;
#[cfg(not(feature = "mimalloc"))]
const INNER: std::alloc::System = std::alloc::System;
const INNER_NAME: &str = if cfg!(feature = "mimalloc") {
    "mimalloc"
} else {
    "system allocator"
};

// SAFETY: every call is forwarded to `INNER` unchanged; only sizes are counted.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { INNER.alloc(layout) };
        if !p.is_null() {
            asked(layout.size());
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { INNER.alloc_zeroed(layout) };
        if !p.is_null() {
            asked(layout.size());
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { INNER.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { INNER.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            asked(new_size);
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one run of `f` asked of the heap.
struct HeapUse {
    /// Highest live heap bytes above what was live before `f` ran.
    peak: usize,
    /// Bytes allocated in all (memory the allocator may have to take fresh
    /// from the kernel, which clears it first).
    allocated: usize,
    allocations: usize,
}

fn heap_use<T>(f: impl FnOnce() -> T) -> HeapUse {
    for counter in [&CURRENT, &PEAK, &ALLOCATED, &ALLOCATIONS] {
        counter.store(0, Ordering::SeqCst);
    }
    COUNTING.store(true, Ordering::SeqCst);
    let out = f();
    COUNTING.store(false, Ordering::SeqCst);
    let read = |c: &AtomicI64| usize::try_from(c.load(Ordering::SeqCst)).unwrap_or(0);
    drop(out);
    HeapUse {
        peak: read(&PEAK),
        allocated: read(&ALLOCATED),
        allocations: read(&ALLOCATIONS),
    }
}

// ---------------------------------------------------------------------- input

fn collection_path() -> PathBuf {
    if let Some(p) = std::env::var_os("BELVO_BIG_COLLECTION") {
        return PathBuf::from(p);
    }
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("big-2000.postman_collection.json");
    if path.exists() {
        return path;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/gen_big_collection.py");
    let status = Command::new("python3")
        .arg(script)
        .args(["--requests", "2000", "--out"])
        .arg(&path)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run python3 to generate the benchmark collection ({e}); install python3 \
                 or point BELVO_BIG_COLLECTION at a Postman collection"
            )
        });
    assert!(
        status.success(),
        "`python3 {script} --requests 2000 --out {}` failed ({status}); set BELVO_BIG_COLLECTION \
         to a Postman collection instead",
        path.display()
    );
    path
}

// ------------------------------------------------------------------ converters

/// What `sync-postman` writes: the document text (serialized from the typed
/// document, without one whole-document `Value`).
fn ours(bytes: &[u8]) -> String {
    convert_to_string(bytes, &Options::default()).expect("postman_openapi converts the collection")
}

fn theirs(text: &str) -> String {
    postman2openapi::from_str(
        text,
        TranspileOptions {
            format: TargetFormat::Json,
        },
    )
    .expect("postman2openapi converts the collection")
}

/// Times `a` and `b` alternately, `runs` times each: on a shared VM whose
/// speed drifts by tens of percent over a minute, alternating keeps both
/// tools under the same conditions. Returns both medians, the median of
/// the per-pair ratios `b / a`, and each tool's process CPU time summed over
/// its runs (all threads, and what it left to the thread pool: each run is
/// followed by [`settle`] inside its CPU window, outside its wall time).
fn paired(runs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> Paired {
    let run = |f: &mut dyn FnMut()| {
        let (cpu, start) = (cpu_time(), Instant::now());
        f();
        let wall = start.elapsed();
        settle();
        (wall, cpu_time().saturating_sub(cpu))
    };
    let (mut ta, mut tb, mut ratios) = (vec![], vec![], vec![]);
    let (mut cpu_a, mut cpu_b) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..runs {
        let ((x, cx), (y, cy)) = (run(&mut a), run(&mut b));
        ratios.push(y.as_secs_f64() / x.as_secs_f64());
        (cpu_a, cpu_b) = (cpu_a + cx, cpu_b + cy);
        ta.push(x);
        tb.push(y);
    }
    ta.sort();
    tb.sort();
    ratios.sort_by(f64::total_cmp);
    Paired {
        wall: (ta[runs / 2], tb[runs / 2]),
        ratio: ratios[runs / 2],
        cpu: (cpu_a, cpu_b),
    }
}

/// What [`paired`] measured.
struct Paired {
    /// Median wall time of each tool.
    wall: (Duration, Duration),
    /// Median of the per-pair wall-time ratios.
    ratio: f64,
    /// Process CPU time of each tool, summed over its runs.
    cpu: (Duration, Duration),
}

/// Lets what a tool left to the thread pool (`postman_openapi` frees its
/// large trees there once the text is made) finish before anything else is
/// measured, so that it counts in its own CPU time and never in the other
/// tool's time or heap.
fn settle() {
    std::thread::sleep(Duration::from_millis(50));
}

/// CPU time of the whole process so far, all threads, user and system, from
/// `/proc/self/stat` (in clock ticks of 10 ms; zero where there is no
/// `/proc`). Summed over 15 runs of 150 ms or more, the tick is under 1 %.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses: state
    // first, then `utime` and `stime` as the 12th and 13th.
    let fields = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = fields
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn main() {
    let path = collection_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let bytes = text.as_bytes();

    // Warm up both once, then measure peak memory of one conversion each.
    let (a, b) = (ours(bytes), theirs(&text));
    let requests = text.matches("\"request\"").count();
    eprintln!(
        "input: {} ({:.1} MiB, {requests} requests); outputs: ours {:.1} MiB, postman2openapi {:.1} MiB",
        path.display(),
        mib(bytes.len()),
        mib(a.len()),
        mib(b.len())
    );
    drop((a, b));
    settle();
    let heap_ours = heap_use(|| ours(bytes));
    settle();
    let heap_theirs = heap_use(|| theirs(&text));
    let Paired {
        wall: (t_ours, t_theirs),
        ratio,
        cpu: (cpu_ours, cpu_theirs),
    } = paired(
        15,
        || drop(black_box(ours(black_box(bytes)))),
        || drop(black_box(theirs(black_box(&text)))),
    );
    eprintln!(
        "summary ({INNER_NAME}): time (15 alternating runs, medians) postman_openapi {:.1} ms, \
         postman2openapi {:.1} ms, median ratio {ratio:.2}x; \
         CPU (all threads, 15 runs) postman_openapi {:.2} s, postman2openapi {:.2} s, \
         ratio {:.2}x; \
         peak heap postman_openapi {:.1} MiB, postman2openapi {:.1} MiB, ratio {:.2}x; \
         allocated postman_openapi {:.1} MiB in {:.2} M allocations, \
         postman2openapi {:.1} MiB in {:.2} M",
        t_ours.as_secs_f64() * 1e3,
        t_theirs.as_secs_f64() * 1e3,
        cpu_ours.as_secs_f64(),
        cpu_theirs.as_secs_f64(),
        cpu_theirs.as_secs_f64() / cpu_ours.as_secs_f64().max(1e-9),
        mib(heap_ours.peak),
        mib(heap_theirs.peak),
        heap_theirs.peak as f64 / heap_ours.peak as f64,
        mib(heap_ours.allocated),
        heap_ours.allocations as f64 / 1e6,
        mib(heap_theirs.allocated),
        heap_theirs.allocations as f64 / 1e6,
    );

    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(10))
        .configure_from_args();
    let mut group = c.benchmark_group("convert_2000_requests");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("postman_openapi convert_to_string", |b| {
        b.iter(|| ours(black_box(bytes)))
    });
    group.bench_function("postman_openapi convert only", |b| {
        b.iter(|| convert(black_box(bytes), &Options::default()).expect("converts"))
    });
    group.bench_function("postman2openapi from_str json", |b| {
        b.iter(|| theirs(black_box(&text)))
    });
    group.finish();
    c.final_summary();
}
