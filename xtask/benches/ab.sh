#!/usr/bin/env bash
# Compares the converter of the working tree with the one of a git revision,
# in one process, on the benchmark collection (see BENCHMARKS.md, "Converter").
#
#   xtask/benches/ab.sh BASE [PAIRS]     # e.g. xtask/benches/ab.sh main 60
#
# Both versions are linked into one small program (on mimalloc, as
# `cargo xtask` runs), which checks that they write the same text, then
# times them in PAIRS alternating pairs (default 60), swapping which goes
# first, and prints the median times and the median of the per-pair ratios
# (working tree / BASE; below 1 is faster). This VM's speed drifts by tens of
# percent within a minute, so separate processes, or blocks of runs of one
# version then the other, measure the drift more than the change. Run it
# with BASE=HEAD on a clean tree to see the noise floor (an A/A run).
#
# BASE is checked out in target/ab/base (a git worktree, package renamed
# so that both can be linked); the program is built in target/ab/target.
# The collection is BELVO_BIG_COLLECTION, or the one `cargo bench -p xtask
# --bench convert` writes (run that once first).
set -euo pipefail
base=${1:?usage: xtask/benches/ab.sh BASE [PAIRS]}
pairs=${2:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
collection=${BELVO_BIG_COLLECTION:-$root/target/tmp/big-2000.postman_collection.json}
if [ ! -f "$collection" ]; then
    echo "no collection at $collection: run \`cargo bench -p xtask --bench convert\` once," \
        "or set BELVO_BIG_COLLECTION" >&2
    exit 1
fi
rev=$(git rev-parse --verify "$base^{commit}")
ab=$root/target/ab
mkdir -p "$ab"
if [ -d "$ab/base" ]; then
    git -C "$ab/base" checkout --quiet --force --detach "$rev"
else
    git worktree add --quiet --force --detach "$ab/base" "$rev"
fi
# Two packages of one name cannot be linked together: rename BASE's.
sed -i 's/^name = "xtask"$/name = "xtask_base"/; s/^name = "postman_openapi"$/name = "postman_openapi_base"/' \
    "$ab/base/xtask/Cargo.toml"
mkdir -p "$ab/harness/src"
cat >"$ab/harness/Cargo.toml" <<EOF
[package]
name = "converter-ab"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
base = { package = "xtask_base", path = "$ab/base/xtask" }
tree = { package = "xtask", path = "$root/xtask" }
mimalloc = { version = "0.1", default-features = false }

[workspace]
EOF
cat >"$ab/harness/src/main.rs" <<'EOF'
use std::time::Instant;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("collection path");
    let pairs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(60).max(2);
    let bytes = std::fs::read(&path).expect("read the collection");
    let opts = Default::default();
    let one = |tree: bool| {
        let start = Instant::now();
        let text = if tree {
            tree::convert_to_string(&bytes, &opts).expect("working tree converts")
        } else {
            base::convert_to_string(&bytes, &Default::default()).expect("BASE converts")
        };
        let ms = start.elapsed().as_secs_f64() * 1e3;
        (ms, text)
    };
    let same = one(false).1 == one(true).1;
    let (mut b, mut t, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..pairs {
        let (x, y) = if k % 2 == 0 {
            let x = one(false).0;
            (x, one(true).0)
        } else {
            let y = one(true).0;
            (one(false).0, y)
        };
        b.push(x);
        t.push(y);
        ratio.push(y / x);
    }
    let by_order = |first: usize| median(ratio.iter().skip(first).step_by(2).copied().collect());
    println!(
        "outputs {}; {pairs} pairs: BASE {:.1} ms, working tree {:.1} ms (medians); \
         working tree / BASE, median of pairs: {:.3} (BASE first {:.3}, working tree first {:.3})",
        if same { "identical" } else { "DIFFER" },
        median(b),
        median(t),
        median(ratio.clone()),
        by_order(0),
        by_order(1),
    );
}
EOF
CARGO_TARGET_DIR="$ab/target" cargo build --quiet --release --manifest-path "$ab/harness/Cargo.toml"
"$ab/target/release/converter-ab" "$collection" "$pairs"
