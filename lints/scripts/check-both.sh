#!/usr/bin/env bash
# A rust-analyzer `check.overrideCommand` that keeps clippy's results and adds ctxlint's.
#
# rust-analyzer runs one command and reads the JSON diagnostics it prints; this runs
# `cargo clippy` and then `cargo dylint`, both with `--message-format=json`, so that the editor
# shows both. Extra arguments go to both (for example `--all-targets`).
#
# Libraries: those of `[workspace.metadata.dylint]` (`--all`); set CTXLINT_DYLINT_ARGS to choose
# others, e.g. CTXLINT_DYLINT_ARGS="--git https://github.com/ctxlint/ctxlint --pattern lints".
set -uo pipefail

cargo clippy --message-format=json "$@"
clippy_status=$?
# shellcheck disable=SC2086 # CTXLINT_DYLINT_ARGS is a list of words on purpose.
cargo dylint ${CTXLINT_DYLINT_ARGS:---all} -- --message-format=json "$@"
dylint_status=$?
# Fail if either failed, so that a broken build is not shown as clean.
exit $((clippy_status != 0 ? clippy_status : dylint_status))
