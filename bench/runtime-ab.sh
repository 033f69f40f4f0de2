#!/usr/bin/env bash
# Compares builds of the runtime's criterion bench (`runtime/benches/contextvars.rs`) in one
# run: each round runs every binary once, in turn, so that the machine's slow and fast phases
# fall on all of them alike; then prints, per bench and binary, criterion's median estimate of
# every round and their minimum and median.
#
# Usage: bench/runtime-ab.sh BINARY... [-- FILTER]
#   BINARY  a bench executable, as `cargo bench -p contextvars --features tokio --bench
#           contextvars --no-run` prints it (copy it aside before building the other side)
#   FILTER  criterion's filter, a regular expression over the bench names (default: all)
# Environment: ROUNDS (default 3), SECS (measurement time per bench, default 3).
#
# Example, the working tree against the commit before it:
#   cargo bench -p contextvars --features tokio --bench contextvars --no-run  # note the path
#   cp <path> /tmp/now; git stash; cargo bench ... --no-run; cp <path> /tmp/before; git stash pop
#   bench/runtime-ab.sh /tmp/before /tmp/now -- 'get/|run/|poll/'
set -euo pipefail

binaries=()
filter=
while (($#)); do
    if [[ $1 == -- ]]; then
        filter=${2:-}
        break
    fi
    binaries+=("$1")
    shift
done
if ((${#binaries[@]} == 0)); then
    echo "usage: $0 BINARY... [-- FILTER]" >&2
    exit 2
fi
for bin in "${binaries[@]}"; do
    [[ -x $bin ]] || { echo "error: $bin is not an executable" >&2; exit 2; }
done

rounds=${ROUNDS:-3}
secs=${SECS:-3}
for ((round = 1; round <= rounds; round++)); do
    for bin in "${binaries[@]}"; do
        echo "round $round/$rounds: $bin" >&2
        # One line per bench: the binary, the bench's name, criterion's median and its unit.
        "$bin" --bench --warm-up-time 1 --measurement-time "$secs" ${filter:+"$filter"} 2>&1 |
            BIN="$bin" python3 -c '
import os, re, sys
name = None
for line in sys.stdin:
    m = re.match(r"^(\S+/\S+)", line)
    if m:
        name = m.group(1)
    t = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
    if t and name:
        print(os.environ["BIN"], name, t.group(1), t.group(2))
        name = None
'
    done
done | python3 -c '
import collections, statistics, sys
scale = {"ps": 0.001, "ns": 1.0, "µs": 1000.0, "us": 1000.0, "ms": 1e6}
times = collections.defaultdict(list)
order = []
for line in sys.stdin:
    binary, name, value, unit = line.split()
    if (name, binary) not in times:
        order.append((name, binary))
    times[(name, binary)].append(float(value) * scale[unit])
width = max((len(name) for name, _ in order), default=0)
for name, binary in sorted(order):
    values = times[(name, binary)]
    rounds = " ".join(f"{v:.2f}" for v in values)
    print(f"{name:{width}}  {binary}  min {min(values):.2f}  median {statistics.median(values):.2f}"
          f"  ns  (rounds: {rounds})")
'
