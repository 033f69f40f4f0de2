#!/usr/bin/env bash
# Runs one fuzz target for a bounded time:
#
#     scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]
#
# TARGET is one of fuzz/fuzz_targets/*.rs: check_rust (the per-file check), fix_rust (--fix in
# memory), check_python (the per-file check of a Python source, and --fix on it), lsp_server (the language server's message loop fed arbitrary bytes). It installs
# cargo-fuzz when it is missing (scripts/setup.sh --cargo-fuzz, which says so), seeds the
# target's corpus (fuzz/corpus/TARGET, not committed) from the UI cases, and fails when the
# fuzzer finds a crash, a hang or a property that does not hold; the failing input is then in
# fuzz/artifacts/TARGET/. Replay one with `cd fuzz && cargo +nightly-2026-10-01 fuzz run
# TARGET artifacts/TARGET/crash-…`, and add it under tests/fuzz/TARGET/ so that
# `cargo test --test fuzz_regressions` keeps checking it.
#
# CTXLINT_FUZZ_SANITIZER: cargo-fuzz's --sanitizer, `none` by default. ctxlint and its fuzzed
# paths hold no `unsafe` code of their own, so AddressSanitizer would mostly slow every run
# (and the build) down; `address` is there for a deeper look.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 2 ]; then
    echo "usage: scripts/fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2
if [ ! -f "fuzz/fuzz_targets/$target.rs" ] || ! [ "$seconds" -gt 0 ] 2>/dev/null; then
    echo "fuzz: want a target and a positive number of seconds; the targets are:" \
        $(basename -s .rs fuzz/fuzz_targets/*.rs) >&2
    exit 2
fi

scripts/setup.sh --cargo-fuzz
eval "$(scripts/setup.sh --print-env)"

corpus=fuzz/corpus/$target
mkdir -p "$corpus"
case $target in
    check_rust | fix_rust)
        # The UI cases hold every shape the lints look for, and their fixes.
        cp tests/ui/*.rs "$corpus"/
        ;;
    lsp_server)
        # One editor session per UI case, framed as the stdio transport reads it.
        python3 - "$corpus" tests/ui/*.rs <<'PY'
import json, os, sys

def frame(message):
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body

corpus, cases = sys.argv[1], sys.argv[2:]
for case in cases:
    text = open(case, encoding="utf-8").read()
    uri = "file:///nonexistent-ctxlint-fuzz/" + os.path.basename(case)
    doc = {"uri": uri}
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 10**4, "character": 0}}
    action = {"textDocument": doc, "range": whole, "context": {"diagnostics": []}}
    opened = [
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
            {"uri": uri, "languageId": "rust", "version": 1, "text": text}}},
        {"jsonrpc": "2.0", "id": 1, "method": "textDocument/codeAction", "params": action},
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument":
            {"uri": uri, "version": 2}, "contentChanges": [{"text": text[: len(text) // 2]}]}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": action},
        {"jsonrpc": "2.0", "method": "textDocument/didSave",
            "params": {"textDocument": doc, "text": text}},
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/hover", "params": {}},
    ]
    closed = [
        {"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": doc}},
        {"jsonrpc": "2.0", "id": 4, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    # The buffer left open, so that its checks run when the input ends; and the whole
    # session, whose buffer may close before the worker gets to it.
    name = os.path.join(corpus, "session-" + os.path.basename(case))
    for suffix, session in (("open", opened), ("closed", opened + closed)):
        with open("%s-%s" % (name, suffix), "wb") as out:
            out.write(b"".join(frame(m) for m in session))
PY
        ;;
    check_python)
        cp tests/ui/*.py "$corpus"/
        ;;
esac

# The Python target has a dictionary of its own: Rust and LSP tokens would only dilute it.
dict=ctxlint.dict
if [ "$target" = check_python ]; then dict=python.dict; fi

# -timeout: a single input that takes this long is a hang (the slowest seed takes well under
# a second). -rss_limit_mb: libFuzzer's default (2 GiB) on this shared machine.
# Any libFuzzer flag given after SECONDS is passed on (a file or directory name there is
# replayed or used as an extra corpus).
# --no-cfg-fuzzing: under `cfg(fuzzing)`, proc-macro2 drops span locations (every span is
# 0..0 on line 0), so findings and fixes would land at the start of the file and the targets
# would test something other than what ships.
cd fuzz
exec cargo "+$CTXLINT_NIGHTLY" fuzz run --debug-assertions --no-cfg-fuzzing \
    --sanitizer "${CTXLINT_FUZZ_SANITIZER:-none}" "$target" "corpus/$target" -- \
    -dict="$dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$@"
