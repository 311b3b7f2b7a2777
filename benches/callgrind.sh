#!/usr/bin/env bash
# Instructions per call of the client bench's rows (benches/client.rs),
# counted by callgrind: independent of machine load, unlike wall-clock times.
# See BENCHMARKS.md, "Client overhead".
#
#   benches/callgrind.sh                        # every row: crate, Decimal by hand (+ f64 for 10,000)
#   benches/callgrind.sh "c10, 1 balance"       # the rows whose name contains this
#
# Builds both bench binaries (release), starts the bench's local server, and
# runs one warmed-up batch of each side under `valgrind --tool=callgrind`,
# counting only inside the side's `measured` function (so only the client,
# never the server, which is another process). Profiles stay in
# target/callgrind/ (read them with callgrind_annotate).
set -euo pipefail
filter=${1:-}
cd "$(dirname "$0")/.."
cargo build --release -q -p belvo-bench-baseline
bin=$(cargo bench --bench client --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "client" and m.get("executable"):
        print(m["executable"])')
baseline=target/release/belvo-bench-baseline
mkdir -p target/callgrind
coproc server { "$bin" --serve; }
read -r base <&"${server[0]}"
trap 'kill "$server_PID" 2>/dev/null || true' EXIT

count() { # OUT FUNCTION PROGRAM ARGS... -> prints Ir per call
    local out=$1 fn=$2; shift 2
    local line
    line=$(valgrind --tool=callgrind --collect-atstart=no --toggle-collect="$fn" \
        --callgrind-out-file="$out" "$@" 2>"$out.log" | tail -n 1)
    local calls=${line##* }
    local ir
    ir=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
    echo $((ir / calls))
}

echo "| scenario | crate Ir per call | Decimal by hand | ratio | f64 by hand (no arbitrary_precision) | crate / f64 |"
echo "|---|---:|---:|---:|---:|---:|"
"$bin" --rows | while IFS=$'\t' read -r name balances concurrency calls; do
    [[ -z "$filter" || "$name" == *"$filter"* ]] || continue
    tag=$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')
    a=$(count "target/callgrind/$tag.crate" 'client::measured' "$bin" --bench --once "$name" crate)
    b=$(count "target/callgrind/$tag.decimal" 'client::measured' "$bin" --bench --once "$name" decimal)
    f="" r=""
    if [[ "$balances" == 10000 ]]; then
        f=$(count "target/callgrind/$tag.f64" 'belvo_bench_baseline::measured' \
            "$baseline" "$base" --once "$balances" "$concurrency" "$calls")
        r=$(python3 -c "print(f'{$a/$f:.3f}')")
    fi
    echo "| $name | $a | $b | $(python3 -c "print(f'{$a/$b:.3f}')") | $f | $r |"
done
