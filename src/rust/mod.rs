//! The Rust front end: the parser adapter (`syn`, with the offsets kept equal to the file's),
//! the crate-wide facts, name resolution from `use` items, lint-level attributes, and the walk
//! that runs the lints over one parsed file.

pub(crate) mod facts;
pub(crate) mod lints;
pub(crate) mod resolve;
pub(crate) mod suppress;
pub(crate) mod value;

use std::path::Path;

use syn::visit::Visit;

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::error::{Error, ErrorKind};
use facts::CrateFacts;
use lints::{FileCx, MAX_DEPTH};

/// [`parse`], after the nesting guard, with the errors that name the file and position.
pub(crate) fn parse_guarded(path: &Path, text: &str) -> Result<syn::File, Error> {
    let depth = max_nesting(text);
    if depth >= MAX_DEPTH {
        let message = format!(
            "{}: nesting is {depth} levels deep, more than the {MAX_DEPTH} ctxlint handles; skipped",
            path.display()
        );
        return Err(Error::new(ErrorKind::TooDeep, Some(path), message));
    }
    parse(text).map_err(|e| {
        let start = e.span().start();
        let message = format!(
            "{}:{}:{}: cannot parse: {e}",
            path.display(),
            start.line,
            start.column + 1
        );
        Error::new(ErrorKind::Parse, Some(path), message)
    })
}

pub(crate) fn lint_parsed(
    path: &Path,
    text: &str,
    file: &syn::File,
    facts: &CrateFacts,
    config: &Config,
) -> (Vec<Finding>, Option<Error>) {
    let mut cx = FileCx::new(facts, config, path, text, file);
    cx.visit_file(file);
    let error = cx
        .too_deep
        .map(|at| Error::walk_too_deep(path, at, MAX_DEPTH));
    (cx.findings, error)
}

/// Parses a file, keeping byte offsets equal to the file's: syn's `parse_file` strips a BOM
/// and a shebang line before parsing, which would shift every span. A cargo-script
/// frontmatter block (`---cargo` … `---` after the shebang) is blanked out too, since syn does
/// not know it.
pub(crate) fn parse(text: &str) -> syn::Result<syn::File> {
    let mut prefix = 0;
    if text.starts_with('\u{feff}') {
        prefix = '\u{feff}'.len_utf8();
    }
    let rest = &text[prefix..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        prefix += rest.find('\n').unwrap_or(rest.len());
    }
    let rest = &text[prefix..];
    let body = rest.trim_start_matches(['\n', '\r', ' ', '\t']);
    if body.starts_with("---") {
        let start = prefix + (rest.len() - body.len());
        // The block ends with the next line that starts with `---`.
        let mut end = None;
        let mut at = start + body.find('\n').unwrap_or(body.len());
        while at < text.len() {
            let line = &text[at + 1..];
            if line.starts_with("---") {
                end = Some(at + 1 + line.find('\n').unwrap_or(line.len()));
                break;
            }
            match line.find('\n') {
                Some(next) => at += 1 + next,
                None => break,
            }
        }
        if let Some(end) = end {
            prefix = end;
        }
    }
    if prefix == 0 {
        return syn::parse_str(text);
    }
    // Blank the prefix byte by byte, keeping its newlines, so that offsets and lines stay.
    let blanked: String = text[..prefix]
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .chain(text[prefix..].chars())
        .collect();
    syn::parse_str(&blanked)
}

/// A cheap upper bound of how deep syn will recurse on `text`, in units of one bracket level.
///
/// It counts the deepest nesting of brackets; the longest run of prefix operators and closure
/// bars (`- ! & * |`, which nest without brackets); and the deepest nesting of `<` within one
/// statement, weighted by [`ANGLE_WEIGHT`] because syn needs several times more stack for a
/// level of generic arguments than for a bracket. It is counted without lexing (strings and
/// comments count too): it only guards the parser against pathological input, and real code
/// stays far below [`MAX_DEPTH`].
pub(crate) fn max_nesting(text: &str) -> usize {
    let (mut depth, mut max, mut run, mut angle) = (0usize, 0usize, 0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
                run = 0;
                angle = 0;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                run = 0;
                angle = 0;
            }
            b'-' | b'!' | b'&' | b'*' | b'|' => {
                run += 1;
                max = max.max(run);
            }
            // A comparison's `<` is never closed; `;` ends its statement.
            b'<' => {
                angle += 1;
                max = max.max(angle.saturating_mul(ANGLE_WEIGHT));
                run = 0;
            }
            b'>' => {
                angle = angle.saturating_sub(1);
                run = 0;
            }
            b';' => {
                angle = 0;
                run = 0;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => run = 0,
        }
    }
    max
}

/// How many bracket levels one level of `<` counts for in [`max_nesting`]: measured, syn's
/// parse of nested generic arguments takes about five times the stack of nested parentheses.
const ANGLE_WEIGHT: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_offsets_after_a_shebang_and_bom() {
        for text in [
            "#!/usr/bin/env rust\nfn main() {}\n",
            "\u{feff}fn main() {}\n",
        ] {
            let file = parse(text);
            assert!(file.is_ok(), "{text:?}");
        }
    }

    #[test]
    fn nesting_is_counted() {
        assert_eq!(max_nesting("fn f() { (1, [2]) }"), 3);
        assert_eq!(max_nesting("fn f() { - - !!x }"), 4);
        assert_eq!(max_nesting("type T = Vec<Vec<u8>>;"), 2 * ANGLE_WEIGHT);
        // Comparisons do not add up across statements.
        assert_eq!(max_nesting(&"a < b;".repeat(1000)), ANGLE_WEIGHT);
    }
}
