//! `--fix`: applies the machine-applicable suggestions to the files on disk.
//!
//! The rules, from the issue and from what `cargo fix` and `ruff --fix` promise:
//!
//! - only [`Applicability::MachineApplicable`] suggestions are applied, since the others may
//!   change when an argument is evaluated;
//! - a file that could not be parsed has no findings, so it is never touched;
//! - a rewrite that does not parse any more is not written (the suggestions are generated from
//!   syntax trees, so this is a guard, not an expected path);
//! - a file that changed on disk since it was read is left alone (an editor saved it);
//! - files are replaced atomically (a temporary file in the same directory, then a rename), so
//!   an interrupted run leaves either the old or the new text, never half of each;
//! - fixing is idempotent: a fixed call is a `scope_mut` (Rust) or an
//!   `asyncio.create_task(..., context=ctx)` (Python), which no lint reports, and a second run
//!   finds nothing to apply.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ctxlint_catalogue::Language;

use crate::diagnostic::{Applicability, Finding, Suggestion};
use crate::engine::{CheckOptions, CheckOutput, check, check_text};
use crate::error::{Error, ErrorKind};
use crate::languages;

/// How many check-and-fix rounds [`fix`] runs at most. A fix can uncover another one only
/// when suggestions overlap (a `run` inside the closure of another `run`); each round applies
/// the outermost of them.
const MAX_ROUNDS: usize = 4;

/// What [`fix`] did.
#[derive(Debug, Default)]
pub struct FixOutput {
    /// How many suggestions were applied in each file that changed, sorted by file.
    pub fixed: Vec<(PathBuf, usize)>,
    /// Files that had suggestions to apply but were not written, with why (a rewrite that
    /// does not parse, a file changed meanwhile, a write that failed).
    pub errors: Vec<Error>,
    /// The check after the last round: what is left for a person to look at.
    pub remaining: CheckOutput,
}

/// Applies the machine-applicable suggestions of `findings` to `source`, which must be the
/// text the findings were computed from.
///
/// Suggestions that overlap an earlier one (by start) are skipped; they are found again on
/// the next check. Returns the new text and how many suggestions were applied.
pub fn apply_suggestions<'a>(
    source: &str,
    suggestions: impl IntoIterator<Item = &'a Suggestion>,
) -> (String, usize) {
    let mut edits: Vec<&Suggestion> = suggestions
        .into_iter()
        .filter(|s| s.applicability == Applicability::MachineApplicable)
        .filter(|s| {
            s.span.byte_start <= s.span.byte_end
                && source.is_char_boundary(s.span.byte_start)
                && source.is_char_boundary(s.span.byte_end)
                && s.span.byte_end <= source.len()
        })
        .collect();
    edits.sort_by_key(|s| (s.span.byte_start, std::cmp::Reverse(s.span.byte_end)));
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    let mut applied = 0;
    for edit in edits {
        if edit.span.byte_start < at {
            continue;
        }
        out.push_str(&source[at..edit.span.byte_start]);
        out.push_str(&edit.replacement);
        at = edit.span.byte_end;
        applied += 1;
    }
    out.push_str(&source[at..]);
    (out, applied)
}

/// Checks `options.paths` and rewrites every file that has machine-applicable suggestions,
/// repeating until none is left (at most a few rounds).
///
/// # Errors
/// As [`check`]: only for problems that stop the whole run. Files that could not be written
/// are in [`FixOutput::errors`].
pub fn fix(options: &CheckOptions) -> Result<FixOutput, Error> {
    let mut counts: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut skipped: Vec<PathBuf> = Vec::new();
    let mut output = check(options)?;
    for _ in 0..MAX_ROUNDS {
        let mut by_file: BTreeMap<&Path, Vec<&Finding>> = BTreeMap::new();
        for finding in &output.findings {
            let applicable = finding
                .suggestion
                .as_ref()
                .is_some_and(|s| s.applicability == Applicability::MachineApplicable);
            if applicable && !skipped.contains(&finding.path) {
                by_file.entry(&finding.path).or_default().push(finding);
            }
        }
        if by_file.is_empty() {
            break;
        }
        let mut changed = false;
        for (path, findings) in by_file {
            let Some(source) = output.sources.get(path) else {
                continue;
            };
            let language = findings.first().map_or(Language::Rust, |f| f.language);
            let (text, applied) = apply_suggestions(
                source,
                findings.iter().filter_map(|f| f.suggestion.as_ref()),
            );
            let written = if applied == 0 {
                Err(Error::new(
                    ErrorKind::Fix,
                    Some(path),
                    "no suggestion could be applied",
                ))
            } else {
                write_fixed(path, language, source, &text)
            };
            match written {
                Ok(()) => {
                    *counts.entry(path.to_path_buf()).or_default() += applied;
                    changed = true;
                }
                Err(e) => {
                    skipped.push(path.to_path_buf());
                    errors.push(e);
                }
            }
        }
        if !changed {
            break;
        }
        output = check(options)?;
    }
    Ok(FixOutput {
        fixed: counts.into_iter().collect(),
        errors,
        remaining: output,
    })
}

/// What [`fix_text`] made of one text.
#[derive(Debug, Default)]
pub struct FixedText {
    /// The text with every machine-applicable suggestion applied (the text itself when there
    /// was none, or when the first round's rewrite would not parse).
    pub text: String,
    /// How many suggestions were applied.
    pub applied: usize,
    /// Why suggestions that were there were not applied: a rewrite that would not parse.
    pub errors: Vec<Error>,
    /// The check of [`FixedText::text`]: what is left for a person to look at.
    pub remaining: CheckOutput,
}

/// Applies the machine-applicable suggestions to `text`, the content of `path`, as [`fix`]
/// does to a file, in memory: checks it with [`check_text`] and `options`, applies, checks
/// again, for at most a few rounds. Nothing is written. `ctxlint check --fix -` prints the
/// result; `--diff` compares it with the file.
///
/// ```
/// // A file of no project (no `pyproject.toml` above it that would allow Python 3.10).
/// let path = std::env::temp_dir().join("ctxlint-doc-no-project").join("app.py");
/// let text = "import asyncio\nfrom contextvars import copy_context\n\n\
///             async def work():\n    pass\n\n\
///             async def main():\n    ctx = copy_context()\n    await ctx.run(work)\n";
/// let fixed = ctxlint::fix_text(&path, text, &Default::default())?;
/// assert_eq!(fixed.applied, 1);
/// assert!(fixed.text.contains("await asyncio.create_task(work(), context=ctx)"));
/// assert!(fixed.remaining.findings.is_empty());
/// # Ok::<(), ctxlint::Error>(())
/// ```
///
/// # Errors
/// As [`check_text`].
pub fn fix_text(path: &Path, text: &str, options: &CheckOptions) -> Result<FixedText, Error> {
    let mut fixed = FixedText {
        text: text.to_owned(),
        remaining: check_text(path, text, options)?,
        ..FixedText::default()
    };
    for _ in 0..MAX_ROUNDS {
        let findings: Vec<&Finding> = fixed
            .remaining
            .findings
            .iter()
            .filter(|f| f.path == path)
            .filter(|f| {
                f.suggestion
                    .as_ref()
                    .is_some_and(|s| s.applicability == Applicability::MachineApplicable)
            })
            .collect();
        let Some(language) = findings.first().map(|f| f.language) else {
            break;
        };
        let (text, applied) = apply_suggestions(
            &fixed.text,
            findings.iter().filter_map(|f| f.suggestion.as_ref()),
        );
        let valid = if applied == 0 {
            Err(Error::new(
                ErrorKind::Fix,
                Some(path),
                "no suggestion could be applied",
            ))
        } else {
            validate(path, language, &text)
        };
        if let Err(e) = valid {
            fixed.errors.push(e);
            break;
        }
        fixed.remaining = check_text(path, &text, options)?;
        fixed.text = text;
        fixed.applied += applied;
    }
    Ok(fixed)
}

/// What [`fix`] would change, from [`preview_fix`].
#[derive(Debug, Default)]
pub struct FixPreview {
    /// Each file that `--fix` would rewrite, sorted.
    pub files: Vec<PreviewedFile>,
    /// Files with suggestions that could not be applied (a rewrite that would not parse).
    pub errors: Vec<Error>,
    /// The check of the files as they are on disk.
    pub checked: CheckOutput,
}

/// One file of a [`FixPreview`].
#[derive(Debug)]
pub struct PreviewedFile {
    /// The file, as the check named it.
    pub path: PathBuf,
    /// Its text on disk.
    pub before: Arc<str>,
    /// Its text after `--fix`.
    pub after: String,
    /// How many suggestions `--fix` would apply.
    pub applied: usize,
}

impl FixPreview {
    /// The changes as one unified diff (`--- PATH` / `+++ PATH` headers and hunks with three
    /// lines of context), file after file: what `ctxlint check --diff` prints.
    pub fn unified_diff(&self) -> String {
        let mut out = String::new();
        for file in &self.files {
            out.push_str(&unified_diff(&file.path, &file.before, &file.after));
        }
        out
    }
}

/// The unified diff of `path` from `before` to `after`, with the path as both headers (as
/// `ruff --diff` prints it; `patch -p0` applies it).
pub fn unified_diff(path: &Path, before: &str, after: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

/// Finds what [`fix`] would change in the files of `options.paths`, without writing: each
/// file with machine-applicable suggestions is fixed in memory by [`fix_text`].
///
/// # Errors
/// As [`check`].
pub fn preview_fix(options: &CheckOptions) -> Result<FixPreview, Error> {
    let checked = check(options)?;
    let mut preview = FixPreview::default();
    let mut paths: Vec<&Path> = checked
        .findings
        .iter()
        .filter(|f| {
            f.suggestion
                .as_ref()
                .is_some_and(|s| s.applicability == Applicability::MachineApplicable)
        })
        .map(|f| f.path.as_path())
        .collect();
    paths.dedup();
    for path in paths {
        let Some(before) = checked.sources.get(path) else {
            continue;
        };
        let fixed = fix_text(path, before, options)?;
        preview.errors.extend(fixed.errors);
        if fixed.applied > 0 {
            preview.files.push(PreviewedFile {
                path: path.to_path_buf(),
                before: Arc::clone(before),
                after: fixed.text,
                applied: fixed.applied,
            });
        }
    }
    preview.checked = checked;
    Ok(preview)
}

/// Checks that `text`, a fix of `path` (a file of `language`), still parses.
fn validate(path: &Path, language: Language, text: &str) -> Result<(), Error> {
    languages::for_language(language)
        .validate(path, text)
        .map_err(|e| {
            // The parser's line and column are in the fixed text, which is written nowhere:
            // as the error's position they would point a renderer (SARIF's region, an editor)
            // at an unrelated place of the file on disk. They stay words of the message.
            let at = e
                .position()
                .map(|p| format!("{}:{}: ", p.line, p.column))
                .unwrap_or_default();
            Error::new(
                ErrorKind::Fix,
                Some(path),
                format!(
                    "the fixed text would not parse ({at}{}); left unchanged",
                    e.message()
                ),
            )
        })
}

/// Writes `text` over `path` (a file of `language`), which held `before` when it was checked.
fn write_fixed(path: &Path, language: Language, before: &str, text: &str) -> Result<(), Error> {
    validate(path, language, text)?;
    let now = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if now != before.as_bytes() {
        return Err(Error::new(
            ErrorKind::Fix,
            Some(path),
            "changed on disk while it was being checked; left unchanged",
        ));
    }
    write_atomically(path, text.as_bytes()).map_err(|e| Error::io(path, e))
}

/// Replaces `path` by a file holding `bytes`, through a rename in the same directory, keeping
/// the original's permissions. A symbolic link is resolved first, so that the link stays.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let permissions = std::fs::metadata(&target)?.permissions();
    let temp = dir.join(format!(".{name}.ctxlint-fix.{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.set_permissions(permissions)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    })();
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::SourceSpan;

    fn suggestion(start: usize, end: usize, text: &str, certain: bool) -> Suggestion {
        Suggestion {
            span: SourceSpan {
                byte_start: start,
                byte_end: end,
                line_start: 1,
                line_end: 1,
                column_start: start + 1,
                column_end: end + 1,
            },
            replacement: text.to_owned(),
            applicability: if certain {
                Applicability::MachineApplicable
            } else {
                Applicability::MaybeIncorrect
            },
        }
    }

    #[test]
    fn only_machine_applicable_and_non_overlapping_edits_apply() {
        let source = "aaa bbb ccc";
        let edits = [
            suggestion(8, 11, "C", true),
            suggestion(0, 3, "A", true),
            suggestion(1, 2, "x", true),  // inside the first: skipped
            suggestion(4, 7, "B", false), // maybe incorrect: skipped
            suggestion(9, 99, "!", true), // out of range: skipped
        ];
        assert_eq!(apply_suggestions(source, &edits), ("A bbb C".to_owned(), 2));
    }

    #[test]
    fn edits_on_char_boundaries_only() {
        let source = "é";
        let edits = [suggestion(1, 2, "x", true)];
        assert_eq!(apply_suggestions(source, &edits), ("é".to_owned(), 0));
    }
}
