#!/usr/bin/env python3
"""Scaffolds a new lint, as clippy's `cargo dev new_lint` and ruff's `add_rule.py` do.

    scripts/new-lint.py NAME --code CTX004 --lang rust,python --summary "what it flags"

It writes every file the lint needs and registers it everywhere, so that adding a lint means
writing its detection code, its texts and its cases:

  catalogue/src/lints/NAME.rs        the catalogue entry: code, level, summary, one form per
                                     language (texts to edit)          [edit]
  catalogue/docs/NAME.md             the Rust form's documentation     [edit]
  catalogue/docs/python/NAME.md      the Python form's documentation   [edit]
  src/rust/lints/NAME.rs             the CLI's Rust pass               [edit]
  src/python/lints/NAME.rs           the CLI's Python pass             [edit]
  lints/src/NAME.rs                  the Dylint library's pass         [edit]
  tests/ui/PREFIX_cases.rs           a Rust UI case, shared by both drivers  [edit]
  tests/ui/py_PREFIX_cases.py        a Python UI case                  [edit]

(PREFIX is the initials of the lint's words, as the existing cases' `imd_`, `srwf_`.)

and registers the lint in catalogue/src/lints/mod.rs, src/rust/lints/mod.rs,
src/python/lints/mod.rs, lints/src/lib.rs and tests/ui-cases/Cargo.toml, at their
`new-lint:` markers. The README's table, `docs/cli.md`'s lint sections and the Dylint README
are generated from the catalogue: the script prints the bless commands that rewrite them.

Nothing is overwritten: the script stops before writing anything when a file it would create
exists, or a registry lacks its marker. `--dry-run` lists what it would do.
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def prefix_of(name: str) -> str:
    """The UI case prefix: the initials of the lint's words (`context_var_in_function` → `cvif`)."""
    return "".join(part[0] for part in name.split("_"))


DOC = """### What it does
TODO: one paragraph: what the lint checks for, in {language}.

### Why is this bad?
TODO: what goes wrong at run time.

### Known problems
TODO: what the CLI cannot see from syntax (list it in `docs/dylint-only.md` if the Dylint
library sees it), and the false positives known so far.

### Example
```{fence}
TODO: the bad code
```

Use instead:
```{fence}
TODO: the fixed code
```
"""

CATALOGUE_FORM = """        Form {{
            language: Language::{language},
            message: "todo: the diagnostic's message, lowercase, no final period",
            label: "todo: the label on the span",
            note: "todo: the consequence",
            help: "todo: how to fix it",
            suggestion: None,
            secondary: None,
            doc: include_str!("../../docs/{doc}"),
            apis: &[],
        }},
"""

CATALOGUE = """//! `{name}` (`{code}`).

use crate::{{Form, Language, Level, Lint}};

/// {summary_sentence}
pub static {upper}: Lint = Lint {{
    name: "{name}",
    code: "{code}",
    default_level: Level::Warn,
    summary: "{summary}",
    forms: &[
{forms}    ],
}};
"""

RUST_PASS = """//! `{name}` (`{code}`): {summary}.
//!
//! The full documentation is in the catalogue (`ctxlint explain {name}`).

use ctxlint_catalogue::{upper};

use crate::rust::walk::{{FileCx, Pass}};

/// The lint's pass. It is made fresh for each file, so it may keep state across the file.
#[derive(Default)]
pub(crate) struct {camel};

impl Pass for {camel} {{
    fn check_call(&mut self, cx: &mut FileCx<'_>, _expr: &syn::Expr, call: &syn::ExprCall) {{
        // TODO: detect, then end in one `cx.emit(&{upper}, span, suggestion)`.
        let _ = (cx, call, &{upper});
    }}
}}
"""

PYTHON_PASS = """//! `{name}` (`{code}`) for Python: {summary}.
//!
//! The full documentation is in the catalogue (`ctxlint explain {name}`).

use ctxlint_catalogue::{upper};
use ruff_python_ast::ExprCall;

use crate::python::walk::{{FileCx, Pass}};

/// The lint's pass. It is made fresh for each module, so it may keep state across it.
#[derive(Default)]
pub(crate) struct {camel};

impl Pass for {camel} {{
    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {{
        // TODO: detect, then end in one `cx.emit(&{upper}, range, suggestion)`.
        let _ = (cx, call, &{upper});
    }}
}}
"""

DYLINT_PASS = """//! `{name}`: {summary}.

use ctxlint_catalogue::{upper} as LINT;
use rustc_hir::Expr;
use rustc_lint::{{LateContext, LateLintPass}};

dylint_linting::declare_lint! {{
    #[doc = include_str!("../../catalogue/docs/{name}.md")]
    pub {upper},
    Warn,
    LINT.summary
}}

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {{
    crate::rust_form(&LINT)
}}

dylint_linting::impl_lint_pass!({camel} => [{upper}]);

/// Registers the pass.
pub fn register(_sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {{
    store.register_late_lint_pass(Box::new(|_| Box::new({camel})));
}}

/// The lint pass.
#[derive(Default)]
pub struct {camel};

impl<'tcx> LateLintPass<'tcx> for {camel} {{
    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {{
        // TODO: detect with types, then end in one `span_lint_and_then` with `text()`'s texts.
        let _ = (cx, expr, text());
    }}
}}
"""

RUST_CASE = """//! `{name}` ({code}): TODO: what this case shows. End each line where a finding's span
//! starts with the marker (two slashes, a tilde, the lint's name); every other line must stay
//! silent.

fn main() {{}}
"""

PYTHON_CASE = """# `{name}` ({code}): TODO: what this case shows. End each line where a finding's span
# starts with the marker (a hash, a tilde, the lint's name); every other line must stay
# silent.
import contextvars
"""


class Plan:
    def __init__(self, dry_run: bool):
        self.dry_run = dry_run
        self.creates: list[tuple[Path, str]] = []
        self.edits: list[tuple[Path, str, str]] = []
        self.problems: list[str] = []

    def create(self, rel: str, text: str):
        path = ROOT / rel
        if path.exists():
            self.problems.append(f"{rel} exists already")
        self.creates.append((path, text))

    def insert(self, rel: str, marker: str, text: str):
        """Inserts `text` before the line holding `new-lint: MARKER`."""
        path = ROOT / rel
        if not path.exists():
            self.problems.append(f"{rel} is missing")
            return
        self.edits.append((path, marker, text))

    def run(self):
        for path, marker, _ in self.edits:
            if f"new-lint: {marker}" not in path.read_text():
                self.problems.append(
                    f"{path.relative_to(ROOT)} has no `new-lint: {marker}` marker"
                )
        if self.problems:
            for p in self.problems:
                print(f"new-lint: {p}; nothing written", file=sys.stderr)
            sys.exit(2)
        for path, text in self.creates:
            print(f"{'would create' if self.dry_run else 'created'} {path.relative_to(ROOT)}")
            if not self.dry_run:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        markers: dict[Path, list[str]] = {}
        for path, marker, _ in self.edits:
            markers.setdefault(path, []).append(marker)
        for path, names in markers.items():
            verb = "would register in" if self.dry_run else "registered in"
            print(f"{verb} {path.relative_to(ROOT)} ({', '.join(names)})")
        for path, marker, text in self.edits:
            if self.dry_run:
                continue
            lines = path.read_text().splitlines(keepends=True)
            at = next(i for i, line in enumerate(lines) if f"new-lint: {marker}" in line)
            lines.insert(at, text)
            path.write_text("".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the lint's name, snake_case, naming the bad pattern")
    parser.add_argument("--code", required=True, help="its short code, such as CTX004")
    parser.add_argument("--lang", default="rust,python", help="rust, python, or both")
    parser.add_argument("--summary", default="todo: what it flags, in one line")
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()

    name, code = args.name, args.code
    if not re.fullmatch(r"[a-z]+(_[a-z]+)*", name):
        parser.error(f"`{name}` is not snake_case")
    if not re.fullmatch(r"CTX\d{3}", code):
        parser.error(f"`{code}` is not a code such as CTX004")
    langs = [l.strip() for l in args.lang.split(",") if l.strip()]
    if not langs or any(l not in ("rust", "python") for l in langs):
        parser.error("--lang takes rust, python, or rust,python")
    registry = "".join(p.read_text() for p in (ROOT / "catalogue/src/lints").glob("*.rs"))
    if f'"{code}"' in registry:
        parser.error(f"{code} is taken")

    upper = name.upper()
    fields = dict(
        name=name,
        code=code,
        upper=upper,
        camel=camel(name),
        summary=args.summary.replace('"', '\\"'),
        summary_sentence=args.summary[:1].upper() + args.summary[1:] + ".",
    )
    plan = Plan(args.dry_run)

    forms = ""
    if "rust" in langs:
        forms += CATALOGUE_FORM.format(language="Rust", doc=f"{name}.md")
        plan.create(f"catalogue/docs/{name}.md", DOC.format(language="Rust", fence="rust"))
    if "python" in langs:
        forms += CATALOGUE_FORM.format(language="Python", doc=f"python/{name}.md")
        plan.create(
            f"catalogue/docs/python/{name}.md", DOC.format(language="Python", fence="python")
        )
    plan.create(f"catalogue/src/lints/{name}.rs", CATALOGUE.format(forms=forms, **fields))
    plan.insert("catalogue/src/lints/mod.rs", "modules", f"mod {name};\npub use {name}::{upper};\n")
    plan.insert("catalogue/src/lints/mod.rs", "registry", f"    &{upper},\n")

    if "rust" in langs:
        case = f"{prefix_of(name)}_cases"
        plan.create(f"src/rust/lints/{name}.rs", RUST_PASS.format(**fields))
        plan.insert("src/rust/lints/mod.rs", "modules", f"pub(crate) mod {name};\n")
        plan.insert(
            "src/rust/lints/mod.rs",
            "registry",
            f"    Registered {{\n        lint: &ctxlint_catalogue::{upper},\n"
            f"        new: pass::<{name}::{camel(name)}>,\n    }},\n",
        )
        plan.create(f"lints/src/{name}.rs", DYLINT_PASS.format(**fields))
        plan.insert("lints/src/lib.rs", "modules", f"pub mod {name};\n")
        plan.insert(
            "lints/src/lib.rs", "registry", f"        ({name}::{upper}, {name}::register),\n"
        )
        plan.create(f"tests/ui/{case}.rs", RUST_CASE.format(**fields))
        plan.insert(
            "tests/ui-cases/Cargo.toml",
            "cases",
            f'[[example]]\nname = "{case}"\npath = "../ui/{case}.rs"\n\n',
        )
    if "python" in langs:
        plan.create(f"src/python/lints/{name}.rs", PYTHON_PASS.format(**fields))
        plan.insert("src/python/lints/mod.rs", "modules", f"pub(crate) mod {name};\n")
        plan.insert(
            "src/python/lints/mod.rs",
            "registry",
            f"    Registered {{\n        lint: &ctxlint_catalogue::{upper},\n"
            f"        new: pass::<{name}::{camel(name)}>,\n    }},\n",
        )
        plan.create(f"tests/ui/py_{prefix_of(name)}_cases.py", PYTHON_CASE.format(**fields))
    plan.run()
    if not args.dry_run:
        print(
            "\nnext: write the texts, docs, passes and cases marked TODO, then regenerate what "
            "is generated from the catalogue and the cases:\n"
            "  CTXLINT_BLESS=1 cargo test --test cli --test ui --test output_snapshot\n"
            "  (cd lints && CTXLINT_BLESS=1 cargo test)"
        )


if __name__ == "__main__":
    main()
