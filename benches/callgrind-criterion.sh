#!/usr/bin/env bash
# Instructions per iteration of one criterion benchmark (the decode bench),
# counted by callgrind (independent of machine load, unlike wall-clock times).
# For the client bench, see benches/callgrind.sh. See BENCHMARKS.md.
#
#   benches/callgrind-criterion.sh decode decode_10k/generated_decimal
#
# Builds the bench binary (release), runs the one benchmark under
# `valgrind --tool=callgrind` with criterion's `--profile-time`, and divides
# the instructions of the measuring thread (inside criterion's `Bencher::iter`)
# and of any Tokio worker threads by the number of iterations (calls of the
# bench's `iteration()` marker). Needs valgrind and python3. The profile is
# kept in target/callgrind/.
set -euo pipefail
bench=${1:?usage: benches/callgrind-criterion.sh BENCH ID [SECONDS]}
id=${2:?usage: benches/callgrind-criterion.sh BENCH ID [SECONDS]}
secs=${3:-3}
cd "$(dirname "$0")/.."
bin=$(cargo bench --bench "$bench" --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$bench")
mkdir -p target/callgrind
out=target/callgrind/$bench.$(echo "$id" | tr '/' '_')
valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" --bench --profile-time "$secs" "^${id}\$" >"$out.log" 2>&1
callgrind_annotate --threshold=100 --inclusive=yes --tree=caller "$out" >"$out.txt" 2>/dev/null
python3 - "$out.txt" "$bench" "$id" <<'PY'
import re, sys
text, bench, ident = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
def inclusive(name):
    m = re.search(r'^\s*([\d,]+) \([ \d.]+%\)  \*  \S*?:' + re.escape(name) + r' \[', text, re.M)
    return int(m.group(1).replace(',', '')) if m else 0
iterations = 0
for block in text.split('\n\n'):
    if re.search(r'\*  \S*?:' + re.escape(bench) + r'::iteration \[', block):
        iterations = sum(int(c.replace(',', '')) for c in re.findall(r'<[^\n]*\(([\d,]+)x\)', block))
if not iterations:
    sys.exit(f"no calls of {bench}::iteration found in {sys.argv[1]}")
measuring = inclusive('criterion::bencher::Bencher<M>::iter') / iterations
workers = inclusive('tokio::runtime::scheduler::multi_thread::worker::run') / iterations
print(f"{ident}: {iterations} iterations; Ir per iteration: measuring thread {measuring:,.0f}, "
      f"workers {workers:,.0f}, total {measuring + workers:,.0f}")
PY
