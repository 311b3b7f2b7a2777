#!/usr/bin/env bash
# Instructions of one conversion of the benchmark collection, by each
# converter, counted by callgrind (independent of machine load, unlike
# wall-clock times; all threads counted). See BENCHMARKS.md, "Converter".
#
#   xtask/benches/callgrind.sh            # mimalloc, as `cargo xtask` runs
#   xtask/benches/callgrind.sh --no-default-features
#
# Needs valgrind and python3. Profiles are kept in target/callgrind/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(cargo bench -p xtask --bench convert --no-run --message-format=json "$@" 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "convert" and m.get("executable"):
        print(m["executable"])')
mkdir -p target/callgrind
for which in ours theirs; do
    out=target/callgrind/convert.$which
    BELVO_BENCH_ONCE=$which valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --bench \
        >"$out.log" 2>&1
    printf '%-7s %s\n' "$which" "$(grep -o 'refs: *[0-9,]*' "$out.log" | tr -s ' ')"
done
