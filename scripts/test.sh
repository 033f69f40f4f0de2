#!/usr/bin/env bash
# Runs every test of the project. It first installs what it lacks (scripts/setup.sh: the
# pinned nightly with Miri, dylint-link, the Python and npm tools), so it works on a machine
# that has only rustup with a stable toolchain, python3 and node.
# Ends with one summary line, "tests: N passed, N failed", summed over every run.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
eval "$(scripts/setup.sh --print-env)"
export CTXLINT_TOOLS

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A failing step does not stop the others, so that the summary counts every test; the script
# exits non-zero at the end if any step failed.
failed=0
# Each step says how long it took, so that CI's time can be read per step.
step() {
    echo "==> $*"
    local began=$SECONDS
    "$@" 2>&1 | tee -a "$log" || {
        echo "==> FAILED: $*"
        failed=1
    }
    echo "==> $((SECONDS - began)) s: $*"
}

# The root workspace on its pinned stable (rust-toolchain.toml).
step cargo test --workspace --all-features --no-fail-fast
# The `language: rust` pre-commit hook, through the real `pre-commit try-repo`: it builds
# ctxlint with `cargo install` (about 4 minutes on 2 cores), hence `#[ignore]` in plain runs.
step cargo test --test pre_commit -- --ignored
# The Python wheel: maturin builds it (its own target directory, minutes), pip installs it into
# a fresh venv, and the installed `ctxlint` lints the seed examples.
step cargo test --test wheel -- --ignored
# The scaffolder's lint, built in both drivers on a copy of the checkout.
step cargo test --test new_lint -- --ignored

# The runtime's `unsafe` blocks (the pointer to the current context, the `get` cache, the
# spare references) and everything that reaches them, thread exit included, under Miri.
# Proptest needs the file system (failure persistence), hence no isolation.
MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}" step cargo "+$CTXLINT_NIGHTLY" miri test \
    -p contextvars --features tokio --lib --test pep567 --test model --test scoped \
    --test thread_exit
# The copies' tests, among them one that a write in place is ordered after other threads drop
# their copies. Miri's weak-memory emulation may let a relaxed load read a stale reference
# count, which takes the copying path and hides a missing fence; without it, removing the
# fence in `hamt::is_unique` is reported as a data race (checked by hand).
MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation} -Zmiri-disable-weak-memory-emulation" \
    step cargo "+$CTXLINT_NIGHTLY" miri test -p contextvars --features tokio --test copies

# Every fuzz target for a bounded time (CTXLINT_FUZZ_SECONDS each, 20 by default; 0 skips):
# a crash, a hang or a broken property fails the run. scripts/fuzz.sh runs longer sessions.
fuzz_seconds=${CTXLINT_FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" -gt 0 ]; then
    for target in fuzz/fuzz_targets/*.rs; do
        step scripts/fuzz.sh "$(basename "$target" .rs)" "$fuzz_seconds"
    done
else
    echo "==> fuzz: skipped because CTXLINT_FUZZ_SECONDS=0"
fi

if [ "${CTXLINT_SKIP_LINTS:-0}" = 1 ]; then
    echo "==> lints/: skipped because CTXLINT_SKIP_LINTS=1"
else
    # lints/ pins its nightly, and dylint-link is only picked up from inside it (its
    # .cargo/config.toml).
    (cd lints && step cargo test --no-fail-fast && exit "$failed") || failed=1
fi

summary=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } } END { printf "%d passed, %d failed", p, f }' "$log")
echo "tests: $summary"
exit "$failed"
