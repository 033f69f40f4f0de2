//! The per-lint section of `README.md` is generated from the catalogue; this test fails when it
//! is stale. `CTXLINT_BLESS=1 cargo test --test readme` rewrites it.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::fmt::Write as _;
use std::path::Path;

const BEGIN: &str = "<!-- lints:begin (generated from ../catalogue by `CTXLINT_BLESS=1 cargo test --test readme`; do not edit) -->\n";
const END: &str = "<!-- lints:end -->\n";

/// One `### \`NAME\`` section per lint, in the catalogue's order, with the doc's own headings
/// moved one level down so that they nest under it.
fn generated() -> String {
    let mut out = String::new();
    for lint in ctxlint_catalogue::LINTS {
        // The lints this library declares: those with a Rust form.
        let Some(form) = lint.form(ctxlint_catalogue::Language::Rust) else {
            continue;
        };
        write!(out, "\n### `{}`\n\n", lint.name).unwrap();
        writeln!(
            out,
            "Default level: `{}`. {}.\n",
            lint.default_level.as_str(),
            capitalise(lint.summary)
        )
        .unwrap();
        let mut in_code = false;
        for line in form.doc.lines() {
            in_code ^= line.starts_with("```");
            if !in_code && line.starts_with('#') {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[test]
fn readme_lint_section_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the markers:\n{BEGIN}{END}");
    };
    let current = &readme[begin + BEGIN.len()..end];
    let expected = generated();
    if current == expected {
        return;
    }
    if std::env::var_os("CTXLINT_BLESS").is_some() {
        let updated = format!(
            "{}{expected}{}",
            &readme[..begin + BEGIN.len()],
            &readme[end..]
        );
        std::fs::write(&path, updated).unwrap();
    } else {
        panic!(
            "README.md's lint section is stale: run `CTXLINT_BLESS=1 cargo test --test readme` in `lints/`"
        );
    }
}
