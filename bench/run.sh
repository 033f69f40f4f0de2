#!/usr/bin/env bash
# Benchmarks `ctxlint check` (issue 3, "Performance"), in one run:
#   1. `ctxlint check` over a corpus of popular crates (with the prefilter, the default);
#   2. the full parse (issue 11): `ctxlint check --no-prefilter` (parses and lints every file)
#      side by side with the baseline, `bench/baseline` (`syn::parse_file` and a visit of
#      every file, built as published syn is: without proc-macro2's span-locations), taking
#      turns, with the same thread count, several rounds; the median ratio is what counts.
#      It also reports the peak memory (RSS) of the full parse over the corpus and over the
#      corpus twice (every file under two names), which must not grow with the files;
#   3. cold `cargo clippy` on tracing-subscriber, against `ctxlint check` on the same crate;
#   4. `ctxlint check --fix` (issue 5) against `ctxlint check`, on a copy of the corpus: it
#      must change no file, and cost no more than `check`.
#
# The corpus is fetched with `cargo vendor` from crates.io into a temporary directory (or
# $CTXLINT_BENCH_DIR, kept between runs), with exact versions so that runs compare.
#
# Usage: bench/run.sh [--full-parse]   (prints a Markdown report; --full-parse: step 2 only)
# Environment: CTXLINT_BENCH_JOBS (threads for step 2, default: one per core),
#              CTXLINT_BENCH_ROUNDS (rounds of step 2, default 5).
# Needs: cargo, clippy, network access to crates.io on the first run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
full_only=0
if [ "${1:-}" = --full-parse ]; then full_only=1; fi
work=${CTXLINT_BENCH_DIR:-$(mktemp -d -t ctxlint-bench.XXXXXX)}
mkdir -p "$work"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# 1. The corpus.
corpus=$work/corpus
if [ ! -d "$corpus/vendor" ]; then
    mkdir -p "$corpus/src"
    echo 'fn main() {}' > "$corpus/src/main.rs"
    cat > "$corpus/Cargo.toml" <<'TOML'
[package]
name = "corpus"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
tokio = { version = "=1.54.1", features = ["full"] }
tracing = "=0.1.44"
tracing-subscriber = { version = "=0.3.23", features = ["env-filter", "json"] }
opentelemetry = "=0.33.1"
axum = "=0.8.9"
hyper = { version = "=1.12.0", features = ["full"] }
reqwest = "=0.13.5"
serde = { version = "=1.0.229", features = ["derive"] }
syn = { version = "=2.0.119", features = ["full"] }
clap = { version = "=4.6.7", features = ["derive"] }
rayon = "=1.12.0"
futures = "=0.3.34"

[workspace]
TOML
    (cd "$corpus" && cargo vendor --quiet vendor > "$corpus/vendor-config.toml")
fi

# 2. ctxlint and the baselines, release builds. The baseline is its own workspace, so that
# the root's proc-macro2 features do not reach it; the span-locations variant is kept too, to
# show what that feature alone costs.
(cd "$repo" && cargo build --release --quiet --bin ctxlint)
ctxlint=$CARGO_TARGET_DIR/release/ctxlint
baseline_manifest=$repo/bench/baseline/Cargo.toml
cargo build --release --quiet --manifest-path "$baseline_manifest" --features span-locations
cp "$CARGO_TARGET_DIR/release/parse_all" "$work/parse_all_span_locations"
cargo build --release --quiet --manifest-path "$baseline_manifest" --features mimalloc
cp "$CARGO_TARGET_DIR/release/parse_all" "$work/parse_all_mimalloc"
cargo build --release --quiet --manifest-path "$baseline_manifest"
cp "$CARGO_TARGET_DIR/release/parse_all" "$work/parse_all"
parse_all=$work/parse_all

files=$(find "$corpus/vendor" -name '*.rs' | wc -l)
lines=$(find "$corpus/vendor" -name '*.rs' -print0 | xargs -0 cat | wc -l)

run_ctxlint() { # args → seconds; fails on a crash (exit > 2)
    local start end code=0
    start=$(now)
    "$ctxlint" check --format json "$@" > "$work/out.json" 2> "$work/err.txt" || code=$?
    end=$(now)
    if [ "$code" -gt 2 ]; then
        echo "ctxlint crashed (exit $code):" >&2
        cat "$work/err.txt" >&2
        exit 1
    fi
    elapsed "$start" "$end"
}

# The builds above leave the load average high for a minute or two: wait it out.
. "$repo/bench/idle.sh"
wait_for_idle
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Warm the page cache, so that every timing reads the files from memory.
find "$corpus/vendor" -name '*.rs' -print0 | xargs -0 cat > /dev/null

# The fast runs are noisy on a shared machine: take the best of five.
best_of_5() {
    local best="" t
    for _ in 1 2 3 4 5; do
        t=$(run_ctxlint "$@")
        best=$(awk -v a="$t" -v b="${best:-$t}" 'BEGIN { print (a < b ? a : b) }')
    done
    echo "$best"
}
# Step 2: the full parse against the baseline, in turns. Each command's peak RSS comes from
# /usr/bin/time (GNU, `%M` in KiB).
jobs=${CTXLINT_BENCH_JOBS:-$(nproc)}
rounds=${CTXLINT_BENCH_ROUNDS:-5}
timed() { # out-file, command... → sets t_last (seconds), rss_last (peak KiB); stdout → out-file
    local out=$1 start end code=0
    shift
    start=$(now)
    /usr/bin/time -f '%M' -o "$work/rss.txt" "$@" > "$out" 2> "$work/err.txt" || code=$?
    end=$(now)
    if [ "$code" -gt 2 ]; then
        echo "$* failed (exit $code):" >&2
        cat "$work/err.txt" >&2
        exit 1
    fi
    t_last=$(elapsed "$start" "$end")
    rss_last=$(tail -n 1 "$work/rss.txt")
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
: > "$work/full.txt"
for round in $(seq "$rounds"); do
    timed "$work/parsed.txt" "$parse_all" --jobs "$jobs" "$corpus/vendor"
    t_base=$t_last rss_base=$rss_last
    timed "$work/out.json" "$ctxlint" check --format json --no-prefilter --jobs "$jobs" "$corpus/vendor"
    t_full=$t_last rss_full=$rss_last
    summary_full=$(tail -n 1 "$work/err.txt")
    errors_full=$(grep -c '^error' "$work/err.txt" || true)
    echo "$round $t_base $t_full $rss_base $rss_full" >> "$work/full.txt"
done
parsed=$(cat "$work/parsed.txt")
timed "$work/parsed-span.txt" "$work/parse_all_span_locations" --jobs "$jobs" "$corpus/vendor"
t_span=$t_last rss_span=$rss_last
timed "$work/parsed-mimalloc.txt" "$work/parse_all_mimalloc" --jobs "$jobs" "$corpus/vendor"
t_mi=$t_last rss_mi=$rss_last
med_base=$(awk '{ print $2 }' "$work/full.txt" | median)
med_full=$(awk '{ print $3 }' "$work/full.txt" | median)
med_ratio=$(awk '{ printf "%.3f\n", $3 / $2 }' "$work/full.txt" | median)
rounds_table=$(awk '{ printf "| %d | %.2f | %.2f | %.2f | %d | %d |\n", $1, $2, $3, $3 / $2, $4 / 1024, $5 / 1024 }' "$work/full.txt")
# Memory against the number of files: the corpus seen twice, through two links to it, is
# twice the files (each checked under both names) in crates of the same sizes.
twice=$work/corpus-twice
rm -rf "$twice"
mkdir -p "$twice"
ln -s "$corpus/vendor" "$twice/a"
ln -s "$corpus/vendor" "$twice/b"
timed "$work/out-twice.json" "$ctxlint" check --format json --no-prefilter --jobs "$jobs" "$twice"
t_twice=$t_last rss_twice=$rss_last
summary_twice=$(tail -n 1 "$work/err.txt")

full_report() {
    cat <<REPORT
#### Full parse: \`ctxlint check --no-prefilter\` against the baseline ($jobs threads, $rounds rounds, in turns)

| round | baseline (s) | \`--no-prefilter\` (s) | ratio | baseline peak RSS (MiB) | \`--no-prefilter\` peak RSS (MiB) |
|---|---|---|---|---|---|
$rounds_table
| **median** | **$med_base** | **$med_full** | **$med_ratio** (goal: at most 1.5) | | |

- corpus: $files files, $lines lines
- baseline (\`bench/baseline\`, syn $(grep -m1 -A1 'name = "syn"' "$repo/bench/baseline/Cargo.lock" 2>/dev/null | sed -n 's/version = //p' | tr -d '"' || echo '?') without span-locations): $parsed
- the same baseline built with proc-macro2's span-locations, one run: $t_span s, peak RSS $((rss_span / 1024)) MiB
- the same baseline built with mimalloc, the allocator of the ctxlint binary, one run: $t_mi s, peak RSS $((rss_mi / 1024)) MiB; \`--no-prefilter\` against it: $(awk -v a="$med_full" -v b="$t_mi" 'BEGIN { printf "%.2f", a / b }')×
- \`--no-prefilter\` summary: \`$summary_full\`; files that could not be checked: $errors_full
- peak RSS of \`--no-prefilter\` over the corpus twice ($((files * 2)) files): $((rss_twice / 1024)) MiB ($t_twice s; \`$summary_twice\`)
- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(rustc --version), load average before/after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg)
REPORT
}
if [ "$full_only" = 1 ]; then
    full_report
    exit 0
fi

t_check=$(best_of_5 "$corpus/vendor")
findings=$(wc -l < "$work/out.json")
summary=$(tail -n 1 "$work/err.txt")
errors=$(grep -c '^error' "$work/err.txt" || true)

# 4. --fix on a copy (so that a bug cannot damage the corpus), against check on the same copy.
fixdir=$work/fix-corpus
rm -rf "$fixdir"
cp -r "$corpus/vendor" "$fixdir"
digest() { find "$fixdir" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16; }
before=$(digest)
find "$fixdir" -name '*.rs' -print0 | xargs -0 cat > /dev/null
t_check_copy=$(best_of_5 "$fixdir")
t_fix=$(best_of_5 --fix "$fixdir")
summary_fix=$(tail -n 1 "$work/err.txt")
after=$(digest)
if [ "$before" = "$after" ]; then fix_changed="none (digest $before before and after)"; else fix_changed="SOME: digest $before before, $after after"; fi

# 3. tracing-subscriber as a workspace of its own, built from the vendored sources.
ts_src=$(find "$corpus/vendor" -maxdepth 1 -type d -name 'tracing-subscriber*' | sort | tail -n 1)
ts=$work/tracing-subscriber
rm -rf "$ts"
cp -r "$ts_src" "$ts"
rm -f "$ts/.cargo-checksum.json"
printf '\n[workspace]\n' >> "$ts/Cargo.toml"
# Its dependencies (dev and optional ones too) come from crates.io; fetch them untimed, so that
# the timing is of building and linting, not of downloading.
(cd "$ts" && cargo fetch --quiet)
t_ctx_ts=$(best_of_5 "$ts")
rm -rf "$work/clippy-target"
start=$(now)
(cd "$ts" && CARGO_TARGET_DIR=$work/clippy-target cargo clippy --offline --quiet 2> "$work/clippy.txt") || {
    echo "cargo clippy failed:" >&2
    tail -n 20 "$work/clippy.txt" >&2
    exit 1
}
t_clippy=$(elapsed "$start" "$(now)")

# 5. Scale: the corpus four times over (every file under four names, through links to it, so
# four times the crates of the same sizes). Time must grow at most linearly, and peak memory
# stay flat. Best of 3 of each, with the peak RSS of the best run.
four=$work/corpus-4x
rm -rf "$four"
mkdir -p "$four"
for copy in a b c d; do ln -s "$corpus/vendor" "$four/$copy"; done
best_timed() { # command... → prints "seconds peak-MiB"
    local best="" best_rss=""
    for _ in 1 2 3; do
        timed "$work/scale.json" "$@"
        if [ -z "$best" ] || awk -v a="$t_last" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$t_last best_rss=$rss_last
        fi
    done
    echo "$best $((best_rss / 1024))"
}
read -r s1 m1 < <(best_timed "$ctxlint" check --format json --jobs "$jobs" "$corpus/vendor")
read -r s4 m4 < <(best_timed "$ctxlint" check --format json --jobs "$jobs" "$four")
read -r f1 fm1 < <(best_timed "$ctxlint" check --format json --no-prefilter --jobs "$jobs" "$corpus/vendor")
read -r f4 fm4 < <(best_timed "$ctxlint" check --format json --no-prefilter --jobs "$jobs" "$four")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
cat <<REPORT
#### Scale: the corpus once and four times ($files and $((files * 4)) files), best of 3

| run | ×1 (s) | ×4 (s) | time ×4 / ×1 (linear: 4.0) | peak RSS ×1 (MiB) | peak RSS ×4 (MiB) |
|---|---|---|---|---|---|
| \`ctxlint check\` | $s1 | $s4 | $(ratio "$s4" "$s1") | $m1 | $m4 |
| \`ctxlint check --no-prefilter\` | $f1 | $f4 | $(ratio "$f4" "$f1") | $fm1 | $fm4 |

REPORT
cat <<REPORT
| what | seconds (best of 5 for \`ctxlint check\`, else one run) |
|---|---|
| \`ctxlint check\` over the corpus ($files files, $lines lines) | $t_check |
| baseline: parse and visit every file with syn (median of $rounds) | $med_base |
| speed-up over the baseline (goal: at least 15) | $(ratio "$med_base" "$t_check")× |
| \`ctxlint check --no-prefilter\` (parses and lints every file; median of $rounds) | $med_full |
| cold \`cargo clippy\` on tracing-subscriber | $t_clippy |
| \`ctxlint check\` on tracing-subscriber | $t_ctx_ts |
| speed-up over clippy (goal: at least 30) | $(ratio "$t_clippy" "$t_ctx_ts")× |
| \`ctxlint check\` on a copy of the corpus | $t_check_copy |
| \`ctxlint check --fix\` on the same copy | $t_fix |

- findings on the corpus: $findings; files that could not be checked: $errors (with the prefilter), $errors_full (without)
- summary with the prefilter: \`$summary\`
- summary without: \`$summary_full\`
- files changed by \`--fix\`: $fix_changed; its summary: \`$summary_fix\`
- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(rustc --version)
REPORT

full_report
