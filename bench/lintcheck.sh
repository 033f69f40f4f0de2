#!/usr/bin/env bash
# Lintcheck: runs `ctxlint check` on pinned releases of real packages (PyPI and crates.io) and
# compares its findings with the expectations listed in bench/lintcheck/python.toml and
# bench/lintcheck/rust.toml (like clippy's lintcheck and ruff's ecosystem check).
#
#   1. downloads each listed package version once into the cache ($CTXLINT_LINTCHECK_DIR,
#      default target/lintcheck): PyPI with `pip download --no-deps` (a pure-Python wheel, else
#      the sdist), crates from static.crates.io; each is unpacked into its own directory;
#   2. runs `$CTXLINT check --format json -q DIR` on each (exit 2 of one package is reported,
#      the run goes on);
#   3. prints a Markdown report: per lint, found / missed / false alarms; every missed
#      expectation and every false alarm; and every finding on a line not in the lists, per
#      package, for review.
#
# Usage: bench/lintcheck.sh [--offline] [--only NAME[,NAME...]] [--check]
#   --offline   use only the cache; packages not in it are skipped (and listed)
#   --only      check only these packages (NAME or NAME@VERSION, comma-separated)
#   --check     exit 1 when a listed expectation is missed, a listed line is falsely flagged,
#               or a package could not be downloaded (without --check the script exits 0
#               whatever it measures: it is a measurement)
# Environment:
#   CTXLINT                 the binary to run (default: target/release/ctxlint; not built here)
#   CTXLINT_LINTCHECK_DIR   the cache directory (default: target/lintcheck)
#   PYTHON                  the python3 (>= 3.11, for tomllib) with pip (default: python3)
# Exit: 0, or 1 with --check and a difference, or 2 when the script itself fails.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
lists=("$repo/bench/lintcheck/python.toml" "$repo/bench/lintcheck/rust.toml")
cache=${CTXLINT_LINTCHECK_DIR:-$repo/target/lintcheck}
ctxlint=${CTXLINT:-$repo/target/release/ctxlint}
python=${PYTHON:-python3}

offline=0
check=0
only=""
while [ $# -gt 0 ]; do
    case $1 in
        --offline) offline=1 ;;
        --check) check=1 ;;
        --only) [ $# -ge 2 ] || { echo "lintcheck: --only needs a value" >&2; exit 2; }
                only=$2; shift ;;
        --only=*) only=${1#--only=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "lintcheck: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

die() { echo "lintcheck: $*" >&2; exit 2; }
"$python" -c 'import sys, tomllib' 2>/dev/null || die "$python must be Python >= 3.11 (tomllib)"
[ -x "$ctxlint" ] || die "no ctxlint binary at $ctxlint (build it, or set CTXLINT=/path/to/ctxlint)"
mkdir -p "$cache/src" "$cache/out" "$cache/dl"
cache=$(cd "$cache" && pwd)

# The list of packages: one line each, "registry<TAB>name<TAB>version", filtered by --only.
packages=$("$python" - "$only" "${lists[@]}" <<'PY'
import os, sys, tomllib
only = {s.strip() for s in sys.argv[1].split(",") if s.strip()}
seen = set()
for path in sys.argv[2:]:
    if not os.path.exists(path):
        print(f"lintcheck: {path} does not exist, skipped", file=sys.stderr)
        continue
    with open(path, "rb") as f:
        data = tomllib.load(f)
    default = "crates" if path.endswith("rust.toml") else "pypi"
    for pkg in data.get("package", []):
        reg = pkg.get("registry", default)
        name, version = pkg["name"], pkg["version"]
        if only and name not in only and f"{name}@{version}" not in only:
            continue
        key = (reg, name, version)
        if key not in seen:
            seen.add(key)
            print(f"{reg}\t{name}\t{version}")
for wanted in sorted(only - {k[1] for k in seen} - {f"{k[1]}@{k[2]}" for k in seen}):
    print(f"lintcheck: --only {wanted}: no such package in the lists", file=sys.stderr)
PY
) || die "could not read the package lists"

# Unpacks an archive into $2 (a new directory), dropping the archive's single top directory
# (sdists and .crate files have one; wheels do not).
unpack() {
    local archive=$1 dest=$2 tmp
    tmp=$(mktemp -d "$cache/dl/unpack.XXXXXX")
    case $archive in
        *.whl) "$python" -m zipfile -e "$archive" "$dest" ;;
        *.zip) "$python" -m zipfile -e "$archive" "$tmp/x" ;;
        *.tar.gz|*.tgz|*.crate) mkdir -p "$tmp/x" && tar -xzf "$archive" -C "$tmp/x" ;;
        *.tar.bz2) mkdir -p "$tmp/x" && tar -xjf "$archive" -C "$tmp/x" ;;
        *) rm -rf "$tmp"; return 1 ;;
    esac
    if [ -d "$tmp/x" ]; then
        local entries
        entries=$(ls -A "$tmp/x")
        if [ "$(printf '%s\n' "$entries" | wc -l)" -eq 1 ] && [ -d "$tmp/x/$entries" ]; then
            mv "$tmp/x/$entries" "$dest"
        else
            mv "$tmp/x" "$dest"
        fi
    fi
    rm -rf "$tmp"
}

# Brings one package into $cache/src/REGISTRY/NAME-VERSION; returns 1 if it cannot.
fetch() {
    local reg=$1 name=$2 version=$3
    local dest="$cache/src/$reg/$name-$version"
    [ -f "$dest/.lintcheck-complete" ] && return 0
    [ "$offline" = 1 ] && return 1
    rm -rf "$dest"
    mkdir -p "$cache/src/$reg"
    local dl="$cache/dl/$reg/$name-$version"
    rm -rf "$dl"
    mkdir -p "$dl"
    case $reg in
        pypi)
            echo "lintcheck: downloading $name==$version (PyPI)" >&2
            # A pure-Python wheel if there is one, else the sdist.
            if ! "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
                    --only-binary=:all: --implementation py --abi none --platform any \
                    --python-version 3.12 --dest "$dl" "$name==$version" >/dev/null 2>&1; then
                "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
                    --no-binary=:all: --dest "$dl" "$name==$version" >&2 || return 1
            fi ;;
        crates)
            echo "lintcheck: downloading $name $version (crates.io)" >&2
            curl -fsSL --retry 2 -o "$dl/$name-$version.crate" \
                "https://static.crates.io/crates/$name/$name-$version.crate" || return 1 ;;
        *) echo "lintcheck: unknown registry '$reg' for $name" >&2; return 1 ;;
    esac
    local archive
    archive=$(find "$dl" -maxdepth 1 -type f | head -n 1)
    [ -n "$archive" ] || return 1
    unpack "$archive" "$dest" || { rm -rf "$dest"; return 1; }
    printf '%s\n' "$(basename "$archive")" > "$dest/.lintcheck-complete"
    rm -rf "$dl"
}

# Fetch and check each package. The status of each goes to $cache/out/status.tsv:
# registry, name, version, state (checked|skipped|unavailable), ctxlint exit code, archive.
status="$cache/out/status.tsv"
: > "$status"
while IFS=$'\t' read -r reg name version; do
    [ -n "$reg" ] || continue
    dest="$cache/src/$reg/$name-$version"
    out="$cache/out/$reg/$name-$version"
    mkdir -p "$cache/out/$reg"
    if ! fetch "$reg" "$name" "$version"; then
        if [ "$offline" = 1 ]; then state=skipped; else state=unavailable; fi
        printf '%s\t%s\t%s\t%s\t\t\n' "$reg" "$name" "$version" "$state" >> "$status"
        continue
    fi
    rc=0
    "$ctxlint" check --format json -q "$dest" > "$out.json" 2> "$out.stderr" || rc=$?
    printf '%s\t%s\t%s\tchecked\t%s\t%s\n' "$reg" "$name" "$version" "$rc" \
        "$(cat "$dest/.lintcheck-complete")" >> "$status"
done <<< "$packages"

# The report.
report_rc=0
"$python" - "$cache" "$status" "$ctxlint" "$check" "$only" "${lists[@]}" <<'PY' || report_rc=$?
import json, os, subprocess, sys, tomllib
from collections import defaultdict

cache, status_path, ctxlint, check, only = sys.argv[1:6]
lists = sys.argv[6:]
only = {s.strip() for s in only.split(",") if s.strip()}

def rel(path, root):
    p = path if os.path.isabs(path) else os.path.join(root, path)
    return os.path.relpath(os.path.normpath(p), root).replace(os.sep, "/")

# Expectations: (reg, name, version) -> list of expects; key (file, line) -> lints expected.
expects = defaultdict(list)
order = []
for path in lists:
    if not os.path.exists(path):
        continue
    with open(path, "rb") as f:
        data = tomllib.load(f)
    default = "crates" if path.endswith("rust.toml") else "pypi"
    for pkg in data.get("package", []):
        key = (pkg.get("registry", default), pkg["name"], pkg["version"])
        if only and key[1] not in only and f"{key[1]}@{key[2]}" not in only:
            continue
        if key not in expects:
            order.append(key)
        for e in pkg.get("expect", []):
            file = e["file"].replace("\\", "/")
            while file.startswith("./"):
                file = file[2:]
            expects[key].append({**e, "file": file})

status = {}
with open(status_path) as f:
    for row in f:
        reg, name, version, state, rc, archive = (row.rstrip("\n").split("\t") + [""] * 6)[:6]
        status[(reg, name, version)] = {"state": state, "rc": rc, "archive": archive}

lints = ["interior_mutable_default", "sync_run_wraps_future", "context_guard_across_await",
         "context_value_mutated_in_place", "context_var_in_function", "spawn_without_context"]
stats = defaultdict(lambda: {"expected": 0, "found": 0, "missed": 0, "false": 0})
none_lines = none_silent = 0
missed, false_alarms, unlisted, errors, skipped = [], [], defaultdict(list), [], []
checked = 0

for key in order:
    reg, name, version = key
    st = status.get(key, {"state": "unavailable", "rc": "", "archive": ""})
    label = f"{name} {version}"
    if st["state"] != "checked":
        skipped.append((label, reg, st["state"]))
        continue
    checked += 1
    root = os.path.join(cache, "src", reg, f"{name}-{version}")
    out = os.path.join(cache, "out", reg, f"{name}-{version}")
    if st["rc"] not in ("0", "1"):
        err = open(out + ".stderr", errors="replace").read().strip().splitlines()
        errors.append((label, st["rc"], err[:5]))
    findings = defaultdict(list)  # (file, line) -> [(lint, message)]
    with open(out + ".json", errors="replace") as f:
        for raw in f:
            raw = raw.strip()
            if not raw.startswith("{"):
                continue
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            m = msg.get("message") or {}
            code = (m.get("code") or {}).get("code")
            spans = m.get("spans") or []
            if not code or not spans:
                continue
            span = next((s for s in spans if s.get("is_primary")), spans[0])
            where = (rel(span["file_name"], root), int(span["line_start"]))
            findings[where].append((code, m.get("message", "")))
    wanted = defaultdict(set)
    for e in expects[key]:
        wanted[(e["file"], int(e["line"]))].add(e["lint"])
    for e in expects[key]:
        where = (e["file"], int(e["line"]))
        got = {c for c, _ in findings.get(where, [])}
        item = (label, f"{e['file']}:{e['line']}", e["lint"], e.get("code", ""), sorted(got))
        if e["lint"] == "none":
            none_lines += 1
            none_silent += not got
            continue
        s = stats[e["lint"]]
        s["expected"] += 1
        if e["lint"] in got:
            s["found"] += 1
        else:
            s["missed"] += 1
            missed.append(item)
    for where, lints_wanted in wanted.items():
        for got in sorted({c for c, _ in findings.get(where, [])} - lints_wanted):
            stats[got]["false"] += 1
            exp = ", ".join(sorted(lints_wanted))
            code = next((e.get("code", "") for e in expects[key]
                         if (e["file"], int(e["line"])) == where), "")
            false_alarms.append((label, f"{where[0]}:{where[1]}", got, exp, code))
    for where in sorted(findings):
        if where in wanted:
            continue
        for code, message in findings[where]:
            unlisted[label].append((f"{where[0]}:{where[1]}", code, message))

try:
    version = subprocess.run([ctxlint, "--version"], capture_output=True, text=True).stdout.strip()
except OSError:
    version = "?"
p = print
p("# ctxlint lintcheck")
p()
p(f"- binary: `{ctxlint}` ({version or 'no --version'})")
p(f"- packages: {checked} checked, {len(skipped)} not checked, {len(errors)} with ctxlint errors")
p(f"- listed lines that must stay silent (`none`): {none_silent} of {none_lines} silent")
p()
p("| lint | expected | found | missed | false alarms |")
p("|---|---:|---:|---:|---:|")
for lint in lints + sorted(set(stats) - set(lints)):
    s = stats.get(lint)
    if s is None:
        continue
    p(f"| `{lint}` | {s['expected']} | {s['found']} | {s['missed']} | {s['false']} |")
tot = {k: sum(s[k] for s in stats.values()) for k in ("expected", "found", "missed", "false")}
p(f"| **total** | {tot['expected']} | {tot['found']} | {tot['missed']} | {tot['false']} |")
p()
p(f"## Missed ({len(missed)})")
p()
for label, where, lint, code, got in missed:
    also = f" (got {', '.join(f'`{g}`' for g in got)})" if got else ""
    p(f"- {label} `{where}` `{lint}`{also}: `{code}`")
if not missed:
    p("none")
p()
p(f"## False alarms ({len(false_alarms)})")
p()
for label, where, got, exp, code in false_alarms:
    p(f"- {label} `{where}` got `{got}`, listed as `{exp}`: `{code}`")
if not false_alarms:
    p("none")
p()
n = sum(len(v) for v in unlisted.values())
p(f"## Findings on lines not in the lists ({n}, for review)")
p()
for label in sorted(unlisted, key=str.lower):
    p(f"### {label}")
    p()
    for where, code, message in unlisted[label]:
        p(f"- `{where}` `{code}`: {message}")
    p()
if not unlisted:
    p("none")
    p()
if errors:
    p(f"## ctxlint errors ({len(errors)})")
    p()
    for label, rc, err in errors:
        p(f"- {label}: exit {rc}" + "".join(f"\n  - `{line}`" for line in err))
    p()
if skipped:
    p(f"## Not checked ({len(skipped)})")
    p()
    for label, reg, state in skipped:
        why = "not in the cache (--offline)" if state == "skipped" else "could not be downloaded"
        p(f"- {label} ({reg}): {why}")
    p()
unavailable = any(state == "unavailable" for _, _, state in skipped)
sys.exit(3 if check == "1" and (missed or false_alarms or unavailable) else 0)
PY
case $report_rc in
    0) exit 0 ;;
    3) exit 1 ;;
    *) die "the report failed (exit $report_rc)" ;;
esac
