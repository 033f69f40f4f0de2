//! Suppression comments of Python code, by line: `# noqa` (everything on the line),
//! `# noqa: CTX001, CTX002` (those codes, as flake8 and ruff read them), and
//! `# ctxlint: allow(NAME)` (the lint's name, as `#[allow(NAME)]` in Rust).

use std::collections::HashMap;

use ruff_python_ast::ModModule;
use ruff_python_ast::token::TokenKind;
use ruff_python_parser::Parsed;
use ruff_text_size::Ranged;

use crate::python::LineIndex;

/// What one comment suppresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Suppress {
    /// A bare `# noqa`.
    All,
    /// The lints of these codes and names.
    Some(Vec<String>),
}

/// The suppression comments of a module, by 1-based line.
#[derive(Debug, Default)]
pub(crate) struct Suppressions {
    by_line: HashMap<usize, Vec<Suppress>>,
}

impl Suppressions {
    /// Reads the comments of a parsed module (from its tokens, so `#` inside a string is not
    /// a comment).
    pub(crate) fn of(parsed: &Parsed<ModModule>, text: &str, index: &LineIndex) -> Suppressions {
        let mut out = Suppressions::default();
        for token in parsed.tokens().iter() {
            if token.kind() != TokenKind::Comment {
                continue;
            }
            let range = token.range();
            let Some(comment) = text.get(range.start().to_usize()..range.end().to_usize()) else {
                continue;
            };
            let found = parse_comment(comment);
            if !found.is_empty() {
                let line = index.span(text, range).line_start;
                out.by_line.entry(line).or_default().extend(found);
            }
        }
        out
    }

    /// Whether a comment on one of `lines` suppresses the lint `name` of code `code`.
    pub(crate) fn suppresses(
        &self,
        lines: impl IntoIterator<Item = usize>,
        name: &str,
        code: &str,
    ) -> bool {
        lines.into_iter().any(|line| {
            self.by_line.get(&line).is_some_and(|all| {
                all.iter().any(|s| match s {
                    Suppress::All => true,
                    Suppress::Some(list) => list.iter().any(|x| x == name || x == code),
                })
            })
        })
    }
}

/// The suppressions that one comment (with its `#`) holds. A comment may hold several
/// directives (`# type: ignore  # noqa: CTX001`).
fn parse_comment(comment: &str) -> Vec<Suppress> {
    let mut out = Vec::new();
    for part in comment.split('#').map(str::trim) {
        let lower = part.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("noqa") {
            let original = &part[4..];
            match rest.trim_start().strip_prefix(':') {
                Some(_) => {
                    let after = original.trim_start()[1..].trim_start();
                    let codes: Vec<String> = after
                        .split([',', ' ', '\t'])
                        .map(str::trim)
                        .take_while(|c| c.is_empty() || is_code(c))
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect();
                    // `# noqa:` with no valid code is treated as ruff does: as a bare `noqa`.
                    out.push(if codes.is_empty() {
                        Suppress::All
                    } else {
                        Suppress::Some(codes)
                    });
                }
                // `# noqa` followed by prose (`# noqa because …`) is still a bare `noqa`, but
                // `# noqanything` is not one.
                None if rest.is_empty() || rest.starts_with(char::is_whitespace) => {
                    out.push(Suppress::All);
                }
                None => {}
            }
        } else if let Some(rest) = part.strip_prefix("ctxlint:") {
            let rest = rest.trim_start();
            if let Some(args) = rest
                .strip_prefix("allow(")
                .and_then(|r| r.split_once(')'))
                .map(|(args, _)| args)
            {
                let names: Vec<String> = args
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
                if !names.is_empty() {
                    out.push(Suppress::Some(names));
                }
            }
        }
    }
    out
}

/// A flake8-style code: letters then digits (`CTX001`, `B039`).
fn is_code(text: &str) -> bool {
    let letters = text.chars().take_while(char::is_ascii_uppercase).count();
    letters > 0 && text.len() > letters && text[letters..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_form() {
        assert_eq!(parse_comment("# noqa"), [Suppress::All]);
        assert_eq!(parse_comment("# NOQA because it is fine"), [Suppress::All]);
        assert_eq!(
            parse_comment("# noqa: CTX001, B039"),
            [Suppress::Some(vec!["CTX001".into(), "B039".into()])]
        );
        assert_eq!(
            parse_comment("#noqa:CTX002"),
            [Suppress::Some(vec!["CTX002".into()])]
        );
        assert_eq!(
            parse_comment("# type: ignore  # noqa: CTX001"),
            [Suppress::Some(vec!["CTX001".into()])]
        );
        assert_eq!(
            parse_comment("# ctxlint: allow(sync_run_wraps_future)"),
            [Suppress::Some(vec!["sync_run_wraps_future".into()])]
        );
        assert!(parse_comment("# noqanything").is_empty());
        assert!(parse_comment("# a comment about noqa").is_empty());
        assert!(parse_comment("# ctxlint: deny(x)").is_empty());
    }
}
