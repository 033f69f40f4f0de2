#!/usr/bin/env bash
# Runs the Dylint library (lints/) with `cargo dylint` end to end on real crates.io releases,
# built with their real dependency graphs, beside the CLI (`ctxlint check`) on the same source,
# and compares the two.
#
# Why: the UI cases of lints/ui are small files with a handful of dependencies. A real crate
# brings what they do not: macro-generated code, hundreds of dependencies, traits and types
# from other crates, targets (tests, examples) that see the crate from outside. This is where
# an ICE of a lint pass, or a verdict that differs from the CLI's, would show first.
#
# For each NAME@VERSION (default: the three below):
#   1. the release is downloaded once into bench/lintcheck.sh's cache (same layout:
#      $CTXLINT_LINTCHECK_DIR/src/crates/NAME-VERSION), or taken from it;
#   2. it is copied afresh into $DYLINT_REAL_DIR/crates (cargo writes Cargo.lock there, and the
#      new modification times make cargo lint the crate again instead of replaying an old run)
#      and made its own workspace;
#   3. `cargo dylint --path lints --all -- $DYLINT_REAL_CHECK_ARGS --message-format=json` runs
#      in the copy with the Cargo.lock the release shipped. A build that fails without an ICE
#      is tried again, and the report says how: with the lock re-resolved when the error is in
#      a dependency (an old one that today's nightly rejects), without --all-targets when it is
#      in the crate (a test that needs a file or a crate the package does not ship);
#   4. `$CTXLINT check --format json -q` runs on the same source;
#   5. a table per crate lists every finding of either tool and every line that
#      bench/lintcheck/rust.toml lists for that release: lint, file:line, the listed verdict,
#      dylint yes/no, CLI yes/no. A file that cargo did not compile (another target, a feature
#      not enabled) is marked: the Dylint library cannot see it, so "no" there means nothing.
#
# Usage: bench/dylint-real.sh [--offline] [NAME@VERSION...]
#   --offline   take releases from the cache only (a release not in it is an error)
# Environment:
#   CTXLINT                 the CLI binary (default: target/release/ctxlint; not built here)
#   CTXLINT_LINTCHECK_DIR   the download cache (default: target/lintcheck, read unless a
#                           release is missing)
#   DYLINT_REAL_DIR         where the copies and the outputs go (default: target/dylint-real)
#   DYLINT_REAL_CHECK_ARGS  the `cargo check` arguments (default: --all-targets)
#   CARGO_TARGET_DIR        the target directory of the library build and of the checks
#                           (default: $DYLINT_REAL_DIR/target); shared by the crates, so that
#                           the library and common dependencies are built once
#   PYTHON                  python3 >= 3.11, for tomllib (default: python3)
# Needs the pinned nightly of lints/rust-toolchain.toml, cargo-dylint and dylint-link of the
# version lints/Cargo.lock uses, and, where GitHub cannot be reached, DYLINT_CLIPPY_REPO (set
# here from lints/scripts/offline-clippy-repo.sh when it is not set).
# Exit: 0 when no crate ICEd and the tools agree on every listed line; 1 on an ICE or a
# disagreement on a listed line (or a listed line in a file cargo did not compile); 2 when a
# crate cannot be fetched or built, or the script itself fails.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list="$repo/bench/lintcheck/rust.toml"
cache=${CTXLINT_LINTCHECK_DIR:-$repo/target/lintcheck}
work=${DYLINT_REAL_DIR:-$repo/target/dylint-real}
ctxlint=${CTXLINT:-$repo/target/release/ctxlint}
python=${PYTHON:-python3}
check_args=${DYLINT_REAL_CHECK_ARGS:---all-targets}

offline=0
crates=()
while [ $# -gt 0 ]; do
    case $1 in
        --offline) offline=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "dylint-real: unknown option '$1' (see --help)" >&2; exit 2 ;;
        *@*) crates+=("$1") ;;
        *) echo "dylint-real: '$1' is not NAME@VERSION" >&2; exit 2 ;;
    esac
    shift
done
[ ${#crates[@]} -gt 0 ] || crates=(kuri@0.2.0 watchexec@2.3.2 volo-http@0.4.3)

die() { echo "dylint-real: $*" >&2; exit 2; }
"$python" -c 'import tomllib' 2>/dev/null || die "$python must be Python >= 3.11 (tomllib)"
[ -x "$ctxlint" ] || die "no ctxlint binary at $ctxlint (build it, or set CTXLINT=/path/to/ctxlint)"
ctxlint=$(cd "$(dirname "$ctxlint")" && pwd)/$(basename "$ctxlint")
command -v cargo-dylint >/dev/null || die "cargo-dylint is not installed"
mkdir -p "$work/crates" "$work/out"
work=$(cd "$work" && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$work/target}
# The driver build clones rust-clippy unless it is pointed at a local repository.
if [ -z "${DYLINT_CLIPPY_REPO:-}" ]; then
    DYLINT_CLIPPY_REPO=$("$repo/lints/scripts/offline-clippy-repo.sh")
    export DYLINT_CLIPPY_REPO
fi

# Brings NAME-VERSION into the cache as bench/lintcheck.sh does (a .crate has one top
# directory, dropped; `.lintcheck-complete` names the archive), so the two share downloads.
fetch() {
    local name=$1 version=$2 dest="$cache/src/crates/$1-$2" tmp
    [ -f "$dest/.lintcheck-complete" ] && return 0
    [ "$offline" = 0 ] || return 1
    echo "dylint-real: downloading $name $version (crates.io)" >&2
    mkdir -p "$cache/src/crates" "$cache/dl"
    tmp=$(mktemp -d "$cache/dl/dylint-real.XXXXXX")
    curl -fsSL --retry 2 -o "$tmp/$name-$version.crate" \
        "https://static.crates.io/crates/$name/$name-$version.crate" || { rm -rf "$tmp"; return 1; }
    mkdir "$tmp/x"
    tar -xzf "$tmp/$name-$version.crate" -C "$tmp/x"
    [ -d "$tmp/x/$name-$version" ] || { rm -rf "$tmp"; return 1; }
    rm -rf "$dest"
    mv "$tmp/x/$name-$version" "$dest"
    printf '%s\n' "$name-$version.crate" >"$dest/.lintcheck-complete"
    rm -rf "$tmp"
}

# Finds an ICE in a run's outputs: a panic of rustc (a lint pass runs inside it) that cargo
# forwards to stderr, rustc's JSON diagnostic, or an ICE report file (RUSTC_ICE). Prints the
# first evidence on one line; returns 1 when there is none.
find_ice() {
    local json=$1 err=$2 ice_dir=$3 hit
    # `thread 'rustc' (PID) panicked at FILE:LINE:` and, on the next line, the message.
    hit=$(grep -h -m1 -A1 -E "^thread 'rustc'( \([0-9]+\))? panicked" "$err" 2>/dev/null || true)
    [ -n "$hit" ] || hit=$(grep -h -m1 -E "internal compiler error|compiler unexpectedly panicked" \
        "$err" 2>/dev/null || true)
    [ -n "$hit" ] || hit=$(grep -h -m1 -o '"rendered":"error: internal compiler error[^\]*' \
        "$json" 2>/dev/null | cut -d'"' -f4 || true)
    [ -n "$hit" ] || hit=$(find "$ice_dir" -name 'rustc-ice-*' -print -quit 2>/dev/null || true)
    [ -n "$hit" ] || return 1
    printf '%s\n' "$hit" | tr '\t\n' '  ' | cut -c1-300
}

# The first compile error of a failed run, for the report: "local" or "dependency" (where it
# is), a tab, and the error.
first_error() {
    "$python" - "$1" <<'PY'
import json, sys
for raw in open(sys.argv[1], errors="replace"):
    try:
        msg = json.loads(raw)
    except ValueError:
        continue
    m = msg.get("message") or {}
    if msg.get("reason") == "compiler-message" and m.get("level") == "error":
        pid = msg.get("package_id", "")
        where = "local" if pid.startswith("path+file://") else "dependency"
        target = "/".join((msg.get("target") or {}).get("kind") or [])
        print(f"{where}\t{pid.rsplit('#', 1)[-1]} ({target}): {m.get('message', '')}"[:240])
        break
PY
}

# The lints the library declares, as `cargo dylint list` reports them: only these codes of
# the dylint run are compared (rustc's own warnings are not).
# The first `cargo dylint` builds the driver and the library when they are not built yet: it
# is timed apart, so that the crates' times are those of linting them.
start=$(date +%s.%N)
lint_names=$(cd "$repo/lints" && cargo dylint list --path "$repo/lints" 2>"$work/out/list.stderr" |
    sed -n 's/^    \([a-z_][a-z0-9_]*\) .*/\1/p' | tr '\n' ' ')
[ -n "$lint_names" ] || die "cargo dylint list --path lints named no lint (see $work/out/list.stderr)"
list_s=$(echo "$(date +%s.%N) - $start" | bc)
versions="$(cargo dylint --version), $(cd "$repo/lints" && rustc --version), $("$ctxlint" --version)"

summary="$work/out/summary.tsv"
: >"$summary"
for spec in "${crates[@]}"; do
    name=${spec%@*} version=${spec#*@}
    label="$name-$version"
    out="$work/out/$label"
    rm -rf "$out"
    mkdir -p "$out/ice"
    if ! fetch "$name" "$version"; then
        printf '%s\t%s\tunavailable\t\t\t\t\t\n' "$name" "$version" >>"$summary"
        continue
    fi
    src="$cache/src/crates/$label"
    copy="$work/crates/$label"
    rm -rf "$copy"
    cp -R "$src" "$copy"
    rm -f "$copy/.lintcheck-complete"
    # A published manifest has no [workspace]; without one, cargo would take a workspace
    # around the copy (this repository's, when DYLINT_REAL_DIR is inside it) as its own.
    grep -q '^\[workspace\]' "$copy/Cargo.toml" || printf '\n[workspace]\n' >>"$copy/Cargo.toml"

    lock=shipped
    [ -f "$copy/Cargo.lock" ] || lock=resolved
    args=$check_args
    ice="" note="" state=checked
    echo "dylint-real: cargo dylint on $label ($lock Cargo.lock, $args)" >&2
    start=$(date +%s.%N)
    # Up to two more tries, each for one kind of failure that says nothing about the lints.
    for attempt in 1 2 3; do
        rc=0
        # shellcheck disable=SC2086 # the check arguments are words
        (cd "$copy" && RUSTC_ICE="$out/ice" cargo dylint --path "$repo/lints" --all -- \
            $args --message-format=json) >"$out/dylint.json" 2>"$out/dylint.stderr" || rc=$?
        if ice=$(find_ice "$out/dylint.json" "$out/dylint.stderr" "$out/ice"); then
            break
        fi
        ice=""
        [ "$rc" != 0 ] || break
        error=$(first_error "$out/dylint.json")
        where=${error%%$'\t'*} error=${error#*$'\t'}
        # No compile error: cargo or cargo-dylint itself failed (a download, the library build).
        [ -n "$error" ] || where=other error=$(grep -m1 -E '^(error|Error)' "$out/dylint.stderr" || true)
        if [ "$attempt" -lt 3 ] && [ "$where" = dependency ] && [ "$lock" = shipped ]; then
            # A dependency pinned by the shipped lock that today's nightly rejects (time 0.3.28,
            # say): the versions cargo resolves now are as real as the pinned ones.
            note="${note:+$note; }the shipped Cargo.lock did not build ($error): re-resolved"
            rm -f "$copy/Cargo.lock"
            lock=resolved
        elif [ "$attempt" -lt 3 ] && [ "$where" = local ] && [[ " $args " == *" --all-targets "* ]]; then
            # A test or example that needs what the package does not ship (a file of the
            # repository, an unpublished crate, a feature): the default targets still show
            # whether the library lints the crate's code.
            note="${note:+$note; }--all-targets did not build ($error): default targets"
            args=${args//--all-targets/}
        else
            state=failed
            note="${note:+$note; }cargo dylint exited $rc: $error"
            break
        fi
        echo "dylint-real: $label: $note" >&2
    done
    dylint_s=$(echo "$(date +%s.%N) - $start" | bc)

    start=$(date +%s.%N)
    rc=0
    "$ctxlint" check --format json -q "$src" >"$out/cli.json" 2>"$out/cli.stderr" || rc=$?
    cli_s=$(echo "$(date +%s.%N) - $start" | bc)
    # 0 clean, 1 findings; anything else is an error of the CLI.
    if [ "$rc" -gt 1 ]; then
        state=failed
        note="${note:+$note; }ctxlint check exited $rc: $(head -c 200 "$out/cli.stderr" | tr '\t\n' '  ')"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%s\n' "$name" "$version" "$state" "$lock" \
        "$ice" "$dylint_s" "$cli_s" "$note" >>"$summary"
done

# The report, and the exit code: 3 for an ICE or a listed disagreement, 4 for a crate that
# could not be fetched or checked.
report_rc=0
"$python" - "$summary" "$work" "$cache" "$list" "$lint_names" "$list_s" "$versions" <<'PY' || report_rc=$?
import json, os, sys, tomllib
from collections import defaultdict

summary, work, cache, list_path, lint_names, list_s, versions = sys.argv[1:8]
ours = set(lint_names.split())

def rel(path, root):
    p = path if os.path.isabs(path) else os.path.join(root, path)
    return os.path.relpath(os.path.normpath(p), root).replace(os.sep, "/")

def findings(path, root, package=None, only=None):
    """(lint, file, line) of each message with a lint code (of `only`, if given), at its
    primary span."""
    found = set()
    for raw in open(path, errors="replace"):
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-message":
            continue
        if package and not msg.get("package_id", "").startswith(package):
            continue
        m = msg.get("message") or {}
        code = (m.get("code") or {}).get("code")
        spans = m.get("spans") or []
        if not code or not spans or (only is not None and code not in only):
            continue
        span = next((s for s in spans if s.get("is_primary")), spans[0])
        found.add((code, rel(span["file_name"], root), int(span["line_start"])))
    return found

def compiled_files(path, root):
    """The crate's source files that rustc read, from the dep-info (.d) file beside each of
    the package's artifacts: a file in none of them was not linted by the Dylint library."""
    files = set()
    for raw in open(path, errors="replace"):
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact":
            continue
        if not msg.get("package_id", "").startswith("path+file://"):
            continue
        for art in msg.get("filenames") or []:
            stem = os.path.basename(art).split(".")[0]
            stem = stem[3:] if stem.startswith("lib") else stem
            dep = os.path.join(os.path.dirname(art), stem + ".d")
            if not os.path.exists(dep):
                continue
            text = open(dep, errors="replace").read().replace("\\\n", " ")
            for line in text.splitlines():
                if ":" not in line or line.startswith("#"):
                    continue
                _, deps = line.split(":", 1)
                for f in deps.split():
                    r = rel(f, root)
                    if not r.startswith("../"):
                        files.add(r)
    return files

with open(list_path, "rb") as f:
    listed = defaultdict(dict)
    for pkg in tomllib.load(f).get("package", []):
        if pkg.get("registry", "crates") != "crates":
            continue
        for e in pkg.get("expect", []):
            listed[(pkg["name"], pkg["version"])][(e["file"], int(e["line"]))] = e["lint"]

failed_listed = failed_crate = False
p = print
p("# The Dylint library against the CLI on real crates")
p()
p(f"- {versions}")
p(f"- lints compared: {', '.join(sorted(ours))}")
p(f"- `cargo dylint list --path lints` (builds the driver and the library if needed): "
  f"{float(list_s):.1f} s")
p()
p("| crate | checked | Cargo.lock | ICE | dylint s | CLI s | note |")
p("|---|---|---|---|---:|---:|---|")
rows = [r.rstrip("\n").split("\t") for r in open(summary) if r.strip()]
for name, version, state, lock, ice, ds, cs, note in rows:
    p(f"| {name} {version} | {state} | {lock} | {ice or 'none'} | {ds} | {cs} | {note} |")
    failed_crate |= state != "checked"
    failed_listed |= bool(ice)
for name, version, state, lock, ice, ds, cs, note in rows:
    label = f"{name}-{version}"
    p()
    p(f"## {name} {version}")
    p()
    if state == "unavailable":
        p("not in the cache and could not be downloaded")
        continue
    if state == "failed":
        p(f"not compared: {note}")
        continue
    out = os.path.join(work, "out", label)
    copy = os.path.join(work, "crates", label)
    src = os.path.join(cache, "src", "crates", label)
    p(f"ICE: {ice}" if ice else "ICE: none")
    p()
    # rustc's and cargo's own warnings carry codes too: only the library's lints count.
    dyl = findings(os.path.join(out, "dylint.json"), copy, "path+file://", ours)
    cli = findings(os.path.join(out, "cli.json"), src)
    seen = compiled_files(os.path.join(out, "dylint.json"), copy)
    expect = listed.get((name, version), {})
    keys = set(dyl) | set(cli)
    keys |= {(lint, f, l) for (f, l), lint in expect.items() if lint != "none"}
    # A `none` line has a row of its own unless a finding is on it. On it, only the lints the
    # library declares are compared: a CLI-only lint cannot be found by the other side.
    on_line = lambda s, f, l: sorted(k[0] for k in s if k[1:] == (f, l))
    ours_on_line = lambda s, f, l: [c for c in on_line(s, f, l) if c in ours]
    for (f, l), lint in expect.items():
        if lint == "none" and not any(k[1:] == (f, l) for k in keys):
            keys.add(("none", f, l))
    p("| lint | file:line | listed | dylint | CLI | verdict |")
    p("|---|---|---|---|---|---|")
    for lint, f, l in sorted(keys, key=lambda k: (k[1], k[2], k[0])):
        want = expect.get((f, l))
        compiled = not seen or f in seen
        if lint == "none":
            d, c = on_line(dyl, f, l), on_line(cli, f, l)
            dy, cy = ", ".join(d) or "no", ", ".join(c) or "no"
            same = d == ours_on_line(cli, f, l)
        elif lint not in ours:
            dy, cy = "n/a (not a lint of the library)", "yes" if (lint, f, l) in cli else "no"
            p(f"| `{lint}` | `{f}:{l}` | {want or '-'} | {dy} | {cy} | not compared |")
            continue
        else:
            same = ((lint, f, l) in dyl) == ((lint, f, l) in cli)
            dy = "yes" if (lint, f, l) in dyl else "no"
            cy = "yes" if (lint, f, l) in cli else "no"
        if not compiled:
            dy += " (file not compiled)"
        if want is None:
            verdict = "agree" if same else "differ (unlisted line)"
        elif not compiled:
            verdict = "NOT COMPARED: file not compiled"
            failed_listed = True
        elif not same:
            verdict = "DISAGREE on a listed line"
            failed_listed = True
        else:
            # Whether the list is right is bench/lintcheck.sh's question; shown, not judged.
            hit = not on_line(dyl, f, l) if want == "none" else (want, f, l) in dyl
            verdict = "agree" if hit else "agree (both differ from the list)"
        p(f"| `{lint}` | `{f}:{l}` | {want or '-'} | {dy} | {cy} | {verdict} |")
sys.exit(3 if failed_listed else 4 if failed_crate else 0)
PY
case $report_rc in
    0) exit 0 ;;
    3) exit 1 ;;
    4) exit 2 ;;
    *) die "the report failed (exit $report_rc)" ;;
esac
