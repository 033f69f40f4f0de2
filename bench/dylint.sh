#!/usr/bin/env bash
# Times `cargo clippy` against `cargo dylint` with this library on the same sample crate, cold
# and warm, and prints one Markdown table row per measurement.
#
#   clippy  cold   fresh target directory: checks the sample and its dependencies
#   clippy  warm   after an edit of src/main.rs: checks the sample only
#   dylint  cold   fresh driver directory and target directory: builds the driver, this
#                  library (release) and checks everything
#   dylint  new    the driver cached, fresh target directory: a first run on a new crate
#   dylint  warm   after an edit of src/main.rs
#
# (An edit, not `touch`: cargo may decide freshness by content, and then a `touch` rebuilds
# nothing and times a no-op.)
#
# Usage: bench/dylint.sh [WORKDIR] [WARM_RUNS]
# Needs the pinned toolchain, cargo-dylint and dylint-link, and, where GitHub cannot be
# reached, DYLINT_CLIPPY_REPO (see lints/scripts/offline-clippy-repo.sh).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${1:-$(mktemp -d)}
warm_runs=${2:-3}
channel=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$repo/lints/rust-toolchain.toml")
# The sample gets its own target directory; a caller's CARGO_TARGET_DIR would share it.
unset CARGO_TARGET_DIR

sample=$work/sample
rm -rf "$sample" "$work/drivers"
# An explicit DYLINT_DRIVER_PATH must exist (only the default one is created).
mkdir -p "$sample/src" "$work/drivers"
cat >"$sample/Cargo.toml" <<TOML
[package]
name = "sample"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
contextvars = { path = "$repo/runtime", features = ["tokio"] }
tokio = { version = "1", features = ["full"] }

[workspace]
TOML
printf '[toolchain]\nchannel = "%s"\ncomponents = ["clippy"]\n' "$channel" >"$sample/rust-toolchain.toml"
# The sample is a UI case: code that uses contextvars and tokio, with findings for both lints.
cp "$repo/lints/ui/types_sync_run.rs" "$sample/src/main.rs"
cp "$repo/lints/ui/types_interior_mutable.rs" "$sample/src/interior.rs"
printf '\n#[allow(dead_code)]\nmod interior;\n' >>"$sample/src/main.rs"
sed -i 's/^fn main() {/pub fn main() {/' "$sample/src/interior.rs"

cd "$sample"
dylint=(cargo dylint --path "$repo" --pattern lints)

time_it() { # LABEL COMMAND...: prints `| LABEL | SECONDS |`
    local label=$1 start end
    shift
    start=$(date +%s.%N)
    "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; return 1; }
    end=$(date +%s.%N)
    printf '| %s | %.2f |\n' "$label" "$(echo "$end - $start" | bc)"
}

echo "| run | seconds |"
echo "|---|---|"
export CARGO_TARGET_DIR=$work/target-clippy
rm -rf "$CARGO_TARGET_DIR"
time_it "cargo clippy, cold" cargo clippy
for i in $(seq "$warm_runs"); do
    echo "// clippy edit $i" >>src/main.rs
    time_it "cargo clippy, warm ($i)" cargo clippy
done

export CARGO_TARGET_DIR=$work/target-dylint DYLINT_DRIVER_PATH=$work/drivers
rm -rf "$CARGO_TARGET_DIR"
time_it "cargo dylint, cold (driver + library + dependencies)" "${dylint[@]}"
rm -rf "$CARGO_TARGET_DIR"
time_it "cargo dylint, new crate (driver cached)" "${dylint[@]}"
time_it "cargo dylint, again, nothing changed" "${dylint[@]}"
for i in $(seq "$warm_runs"); do
    echo "// dylint edit $i" >>src/main.rs
    time_it "cargo dylint, warm ($i)" "${dylint[@]}"
done
# The findings, to show that the lints ran.
echo "// last edit" >>src/main.rs
echo
echo "findings of the last dylint run: $("${dylint[@]}" 2>&1 | grep -cE '^warning: `(ContextVar|Context::run)')"
