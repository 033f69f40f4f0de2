#!/usr/bin/env bash
# Benchmarks `ctxlint check` on Python code against ruff's rule for the same bug (B039,
# mutable-contextvar-default), in one run, on the same files:
#   1. downloads pinned pure-Python wheels from PyPI (asyncio frameworks, servers and tracing
#      SDKs that use contextvars) and unpacks them;
#   2. times `ctxlint check` (with its text prefilter, the default, and with --no-prefilter,
#      which parses every file as ruff does) and `ruff check --select B039` on them, REPS times
#      each, interleaved, and reports the medians and their ratios;
#   3. prints every finding of both tools.
#
# Everything is kept in $CTXLINT_PY_BENCH_DIR (default: target/bench-python), so that later
# runs download nothing: the wheels, their unpacked sources, and a venv with ruff.
#
# Usage: bench/python.sh          (from anywhere; prints a Markdown report)
# Needs: cargo, python3, network access to PyPI on the first run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${CTXLINT_PY_BENCH_DIR:-$repo/target/bench-python}
reps=${REPS:-7}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$repo/target}
mkdir -p "$work"

RUFF=0.17.6
# Exact versions, so that runs compare. All are pure Python (py3-none-any): pip is told to
# accept nothing else.
PACKAGES=(
    anyio==4.16.0
    asgiref==3.13.0
    channels==4.3.2
    django==6.1.3
    fastapi==0.165.0
    httpcore==1.0.9
    httpx==0.28.1
    litestar==2.25.0
    loguru==0.7.3
    opentelemetry-api==1.45.2
    opentelemetry-sdk==1.45.2
    quart==0.22.0
    sentry-sdk==2.75.0
    starlette==1.10.0
    strawberry-graphql==0.341.2
    structlog==26.1.0
    trio==0.35.0
    uvicorn==0.54.0
)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# 1. ruff in its own venv.
venv=$work/venv
if ! "$venv/bin/ruff" --version 2>/dev/null | grep -q " $RUFF$"; then
    echo "bench: installing ruff==$RUFF into $venv (PyPI)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "ruff==$RUFF"
fi
ruff=$venv/bin/ruff

# 2. The corpus: one directory per wheel, named after the wheel.
wheels=$work/wheels
src=$work/src
stamp=$work/packages.txt
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "${PACKAGES[*]}" ]; then
    echo "bench: downloading ${#PACKAGES[@]} wheels into $wheels (PyPI)" >&2
    rm -rf "$wheels" "$src"
    mkdir -p "$wheels" "$src"
    "$venv/bin/pip" download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --implementation py --abi none --platform any \
        --python-version 3.12 --dest "$wheels" "${PACKAGES[@]}"
    for whl in "$wheels"/*.whl; do
        name=$(basename "$whl" .whl)
        "$venv/bin/python" -m zipfile -e "$whl" "$src/$name"
    done
    echo "${PACKAGES[*]}" > "$stamp"
fi

# 3. ctxlint, release build.
(cd "$repo" && cargo build --release --quiet --bin ctxlint)
ctxlint=$CARGO_TARGET_DIR/release/ctxlint

files=$(find "$src" -name '*.py' -o -name '*.pyi' | wc -l)
lines=$(find "$src" \( -name '*.py' -o -name '*.pyi' \) -print0 | xargs -0 cat | wc -l)
cv_files=$(grep -rl --include='*.py' -e contextvars -e ContextVar "$src" | wc -l)
# Both tools walk the same files: ruff lists what it checks (untimed).
ruff_files=$("$ruff" check --isolated --no-cache --select B039 --show-files "$src" | grep -cE '\.pyi?$' || true)

# Warm the page cache, so that every timing reads the files from memory.
find "$src" -name '*.py' -print0 | xargs -0 cat > /dev/null

# The builds above leave the load average high for a minute or two: wait it out.
. "$repo/bench/idle.sh"
wait_for_idle
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run_tool() { # name max-exit outfile errfile command... -> "seconds peak-KiB"; fails above max-exit
    local name=$1 max=$2 out=$3 err=$4 start end code=0
    shift 4
    start=$(now)
    # GNU time writes the peak resident set (KiB) to its own file, not to the tool's stderr.
    /usr/bin/time -f '%M' -o "$work/rss.txt" "$@" > "$out" 2> "$err" || code=$?
    end=$(now)
    if [ "$code" -gt "$max" ]; then
        echo "$name failed (exit $code):" >&2
        tail -n 20 "$err" >&2
        exit 1
    fi
    echo "$(elapsed "$start" "$end") $(tail -n 1 "$work/rss.txt")"
}

# Both run in the corpus on `.`, so that both print paths relative to it.
cd "$src"
ctx_cmd=("$ctxlint" check --format json .)
full_cmd=("$ctxlint" check --format json --no-prefilter .)
# --isolated: no configuration file of the unpacked packages; --no-cache: both tools start cold
# on every run, as ctxlint has no cache.
ruff_cmd=("$ruff" check --isolated --no-cache --select B039 --output-format concise .)

t_ctx=()
t_full=()
t_ruff=()
r_ctx=()
r_full=()
r_ruff=()
for _ in $(seq "$reps"); do
    # ctxlint exits with 2 when a file could not be checked (its summary says so): reported.
    read -r t r < <(run_tool ctxlint 2 "$work/ctxlint.json" "$work/ctxlint.err" "${ctx_cmd[@]}")
    t_ctx+=("$t") r_ctx+=("$r")
    read -r t r < <(run_tool ctxlint 2 "$work/full.json" "$work/full.err" "${full_cmd[@]}")
    t_full+=("$t") r_full+=("$r")
    read -r t r < <(run_tool ruff 1 "$work/ruff.txt" "$work/ruff.err" "${ruff_cmd[@]}")
    t_ruff+=("$t") r_ruff+=("$r")
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
m_ctx=$(median "${t_ctx[@]}")
m_full=$(median "${t_full[@]}")
m_ruff=$(median "${t_ruff[@]}")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
rss_ctx=$(mib "$(median "${r_ctx[@]}")")
rss_full=$(mib "$(median "${r_full[@]}")")
rss_ruff=$(mib "$(median "${r_ruff[@]}")")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# Each round ran both tools close together: the median of the rounds' own ratios is less moved
# by one slow moment of the machine than the ratio of the two medians.
pair_ratios=()
for i in "${!t_ctx[@]}"; do
    pair_ratios+=("$(awk -v a="${t_ruff[$i]}" -v b="${t_ctx[$i]}" 'BEGIN { printf "%.2f", a / b }')")
done
m_pairs=$(median "${pair_ratios[@]}")

# Findings as `file:line:col: lint: message`, with paths relative to the corpus.
ctx_findings=$("$venv/bin/python" - "$work/ctxlint.json" <<'PY'
import json, sys
path, prefix = sys.argv[1], "./"
for line in open(path, encoding="utf-8"):
    msg = json.loads(line).get("message", {})
    span = (msg.get("spans") or [{}])[0]
    code = (msg.get("code") or {}).get("code", "?")
    name = span.get("file_name", "?").removeprefix(prefix)
    print(f"{name}:{span.get('line_start')}:{span.get('column_start')}: {code}: {msg.get('message')}")
PY
)
ruff_findings=$(grep -E '^\./|^[^ ]+\.pyi?:[0-9]' "$work/ruff.txt" | sed 's|^\./||' || true)
same=$(cmp -s "$work/ctxlint.json" "$work/full.json" && echo "the same" || echo "NOT the same")
count() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

cat <<REPORT
| tool | median of $reps runs (s) | median peak RSS (MiB) | all runs (s) |
|---|---|---|---|
| \`ctxlint check\` | $m_ctx | $rss_ctx | ${t_ctx[*]} |
| \`ctxlint check --no-prefilter\` | $m_full | $rss_full | ${t_full[*]} |
| \`ruff check --select B039\` (ruff $RUFF) | $m_ruff | $rss_ruff | ${t_ruff[*]} |
| ruff / \`ctxlint check\` (goal: at least 2) | $(ratio "$m_ruff" "$m_ctx")× | $(ratio "$rss_ruff" "$rss_ctx")× | |
| the same, median of the rounds' own ratios | ${m_pairs}× | | ${pair_ratios[*]} |
| ruff / \`ctxlint check --no-prefilter\` | $(ratio "$m_ruff" "$m_full")× | $(ratio "$rss_ruff" "$rss_full")× | |

- load average before / after: $load_before / $load_after

- corpus: ${#PACKAGES[@]} wheels, $files \`.py\` and \`.pyi\` files ($lines lines), $cv_files of them mention
  \`contextvars\` or \`ContextVar\`; ruff checked $ruff_files files
- ctxlint's summary: \`$(tail -n 1 "$work/ctxlint.err")\`; with --no-prefilter:
  \`$(tail -n 1 "$work/full.err")\`; findings with and without the prefilter are $same
- commands, in the corpus directory: \`ctxlint ${ctx_cmd[*]:1}\`, \`ctxlint ${full_cmd[*]:1}\`
  (release build) and \`ruff ${ruff_cmd[*]:1}\`
- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(rustc --version)

ctxlint findings ($(count "$ctx_findings")):

\`\`\`
$ctx_findings
\`\`\`

ruff B039 findings ($(count "$ruff_findings")):

\`\`\`
$ruff_findings
\`\`\`
REPORT
