//! The Python front end: the parser adapter (Ruff's parser, whose byte offsets are the file's),
//! projects and their facts (`project`, `facts`), name resolution from imports (`names`),
//! `# noqa` suppression (`suppress`), the walk over one parsed module (`walk`) and the lints it
//! runs (`lints`).
//!
//! Everything here is Python-specific; findings, levels, configuration and the renderers are
//! the language-neutral ones of the crate.

pub(crate) mod facts;
pub(crate) mod lints;
pub(crate) mod names;
pub(crate) mod project;
pub(crate) mod reads;
pub(crate) mod suppress;
pub(crate) mod vars;
pub(crate) mod walk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use ctxlint_catalogue::Language;
use ctxlint_catalogue::apis::PYTHON_HAND_OFFS;
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;
use ruff_text_size::TextRange;

use crate::config::Config;
use crate::diagnostic::{SourceSpan, TargetInfo};
use crate::error::{Error, ErrorKind};
use crate::frontend::{FileToLint, FrontEnd, Hit, Needles, Planned, Walked};
use project::PythonUnit;

/// How deep a module may nest (see [`max_nesting`]) before it is given up as too deep.
///
/// CPython itself refuses 200 nested brackets and 100 levels of indentation, so real code
/// stays far below this; the guard only keeps pathological input from exhausting the stack of
/// the parser, the walk or the syntax tree's destructor, which all recurse once per level.
pub(crate) const MAX_DEPTH: usize = 20_000;

/// The Python front end.
pub(crate) struct PythonFrontEnd;

impl FrontEnd for PythonFrontEnd {
    fn language(&self) -> Language {
        Language::Python
    }

    fn claims(&self, path: &Path) -> bool {
        is_python(path)
    }

    /// `#!/usr/bin/env python3`, `#!/usr/bin/python3.12 -u`: the interpreter's name, the
    /// path's last part, starts with `python`.
    fn claims_script(&self, first_line: &str) -> bool {
        first_line.strip_prefix("#!").is_some_and(|line| {
            line.split_whitespace().any(|word| {
                word.rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with("python"))
            })
        })
    }

    fn skips_dir(&self, dir: &Path) -> bool {
        project::is_virtualenv(dir)
    }

    /// A module that imports the standard `contextvars` module can hold a finding by
    /// itself. One that only calls `.get()` can write to the shared default of a variable
    /// another module of its project declares (`_stack.get().append(self)`), and one that
    /// hands work to a thread (`run_in_executor`, `.submit(`, `Thread(`) can run a function
    /// that reads one: both are linted when their project has a module of the first kind.
    fn needles(&self, _config: &Config) -> Needles {
        let mut needles = Needles::default();
        needles.add("contextvars", CONTEXTVARS);
        needles.add(".get()", MAY_WRITE);
        for hand_off in PYTHON_HAND_OFFS {
            // `.submit(` of the method `.submit`, `Thread(` of the class `threading.Thread`.
            let needle = match hand_off.call.strip_prefix('.') {
                Some(method) => format!(".{method}("),
                None => {
                    let name = hand_off.call.rsplit('.').next().unwrap_or(hand_off.call);
                    format!("{name}(")
                }
            };
            needles.add(needle, MAY_HAND_OFF);
        }
        needles
    }

    fn plan(&self, files: Vec<FileToLint>, walked: &Walked) -> Vec<Planned> {
        // By project directory; a file outside any project is its own unit (its key is its
        // path). The value: the files to lint, the target, their bytes.
        type Key = (Option<PathBuf>, PathBuf);
        let mut projects: BTreeMap<Key, (Vec<PathBuf>, TargetInfo, usize)> = BTreeMap::new();
        let mut certain: HashSet<Key> = HashSet::new();
        let mut known = HashMap::new();
        for file in files {
            let dir = project::project_dir_with(&file.path, file.root.as_deref(), &mut known);
            let key = match &dir {
                Some(dir) => (Some(dir.clone()), PathBuf::new()),
                None => (None, file.path.clone()),
            };
            if file.hit.any(CONTEXTVARS) {
                certain.insert(key.clone());
            }
            let (paths, _, bytes) = projects
                .entry(key)
                .or_insert_with(|| (Vec::new(), project::target(dir.as_deref(), &file.path), 0));
            paths.push(file.path);
            *bytes += file.len;
        }
        projects
            .into_iter()
            .filter(|(key, _)| certain.contains(key))
            .map(|((dir, lone), (files, target, bytes))| Planned {
                config_dir: dir
                    .clone()
                    .unwrap_or_else(|| lone.parent().map(Path::to_path_buf).unwrap_or_default()),
                unit: Box::new(PythonUnit {
                    // The project's files as the check's walk found them, when it walked the
                    // whole project: no walk of its own then.
                    files: dir.as_deref().and_then(|d| {
                        walked
                            .files_under(d)
                            .map(|all| all.iter().filter(|f| is_python(f)).cloned().collect())
                    }),
                    dir,
                }),
                files,
                bytes,
                target,
            })
            .collect()
    }

    fn plan_buffer(&self, path: &Path) -> Planned {
        let dir = project::project_dir(path, None);
        Planned {
            config_dir: dir
                .clone()
                .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default()),
            target: project::target(dir.as_deref(), path),
            unit: Box::new(PythonUnit { dir, files: None }),
            files: vec![path.to_path_buf()],
            bytes: 0,
        }
    }

    fn fallback_target(&self, path: &Path) -> TargetInfo {
        project::fallback_target(path)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), Error> {
        parse_guarded(path, text).map(drop)
    }
}

/// The prefilter's tags: the module names `contextvars`.
const CONTEXTVARS: Hit = Hit(1);
/// It calls `.get()`: it may write to another module's variable's default.
const MAY_WRITE: Hit = Hit(1 << 1);
/// It may hand work to a thread.
const MAY_HAND_OFF: Hit = Hit(1 << 2);

/// Whether `path` is a Python source file, by its extension.
fn is_python(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("py") || e.eq_ignore_ascii_case("pyi"))
}

/// Parses a module after the nesting guard, with errors that name the file and position.
pub(crate) fn parse_guarded(path: &Path, text: &str) -> Result<Parsed<ModModule>, Error> {
    let depth = max_nesting(text);
    if depth >= MAX_DEPTH {
        return Err(Error::too_deep(path, depth, MAX_DEPTH));
    }
    ruff_python_parser::parse_module(text).map_err(|e| {
        let at = LineIndex::new(text).span(text, e.location);
        Error::at(
            ErrorKind::Parse,
            path,
            at.line_start,
            at.column_start,
            format!("cannot parse: {}", e.error),
        )
    })
}

/// A module's dotted name in its project, and whether it is a package's `__init__`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ModuleName {
    /// Such as `app.handlers`; empty for a file outside any package layout.
    pub(crate) dotted: String,
    /// `true` for `__init__.py`, whose relative imports start at the package itself.
    pub(crate) is_package: bool,
}

impl ModuleName {
    /// The name of the file at `path`, relative to the project directory `root`.
    pub(crate) fn of(path: &Path, root: &Path) -> ModuleName {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let mut parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| p != ".")
            .collect();
        let mut is_package = false;
        if let Some(last) = parts.last_mut() {
            let stem = last
                .rsplit_once('.')
                .map_or(last.as_str(), |(stem, _)| stem)
                .to_owned();
            *last = stem;
            if last == "__init__" {
                parts.pop();
                is_package = true;
            }
        }
        ModuleName {
            dotted: parts.join("."),
            is_package,
        }
    }

    /// The package that a relative import of `level` dots starts from.
    pub(crate) fn package_for(&self, level: u32) -> Option<String> {
        let mut parts: Vec<&str> = if self.dotted.is_empty() {
            Vec::new()
        } else {
            self.dotted.split('.').collect()
        };
        let drop = if self.is_package { level - 1 } else { level };
        for _ in 0..drop {
            parts.pop()?;
        }
        Some(parts.join("."))
    }
}

/// Line starts of a text, to turn byte offsets into 1-based lines and character columns.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }

    /// The span of `range` in `text`.
    pub(crate) fn span(&self, text: &str, range: TextRange) -> SourceSpan {
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        let (line_start, column_start) = self.position(text, start);
        let (line_end, column_end) = self.position(text, end);
        SourceSpan {
            byte_start: start,
            byte_end: end,
            line_start,
            line_end,
            column_start,
            column_end,
        }
    }
}

/// A cheap upper bound of how deep the parser will recurse on `text`.
///
/// Within one logical line (a newline outside brackets ends it) it counts bracket depth plus
/// every operator character and operator keyword, since a chain of binary operators, unary
/// operators, attribute accesses or conditional expressions nests one level per operator; it
/// also counts the indentation of each line, an upper bound of the block nesting. String
/// literals and comments are skipped, so that long data does not count.
pub(crate) fn max_nesting(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut ops, mut max) = (0usize, 0usize, 0usize);
    let mut at_line_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if at_line_start {
            let indent = bytes[i..]
                .iter()
                .take_while(|c| **c == b' ' || **c == b'\t')
                .count();
            max = max.max(indent);
            at_line_start = false;
        }
        match b {
            b'\n' => {
                if depth == 0 {
                    ops = 0;
                }
                at_line_start = true;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                let triple = bytes.get(i..i + 3) == Some(&[b, b, b][..]);
                let close: &[u8] = if triple { &[b, b, b] } else { &[b] };
                i += close.len();
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i..].starts_with(close) {
                        i += close.len();
                        break;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^' | b'~' | b'<' | b'>'
            | b'=' | b'!' | b'.' | b':' => ops += 1,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                let word_len = bytes[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                let word = &bytes[i..i + word_len];
                if matches!(
                    word,
                    b"not"
                        | b"and"
                        | b"or"
                        | b"if"
                        | b"else"
                        | b"lambda"
                        | b"await"
                        | b"in"
                        | b"is"
                        | b"yield"
                ) {
                    ops += 1;
                }
                i += word_len;
                max = max.max(depth + ops);
                continue;
            }
            _ => {}
        }
        max = max.max(depth + ops);
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_claimed_by_their_interpreter() {
        let python = PythonFrontEnd;
        for line in [
            "#!/usr/bin/env python3",
            "#!/usr/bin/python3.12 -u",
            "#! /opt/venv/bin/python",
            "#!/usr/bin/env -S python3 -X dev",
        ] {
            assert!(python.claims_script(line), "{line}");
        }
        for line in ["#!/bin/sh", "#!/usr/bin/env node", "# python", "import os"] {
            assert!(!python.claims_script(line), "{line}");
        }
    }

    #[test]
    fn module_names_follow_the_layout() {
        let root = Path::new("proj");
        let name = ModuleName::of(Path::new("proj/app/handlers.py"), root);
        assert_eq!(name.dotted, "app.handlers");
        assert!(!name.is_package);
        assert_eq!(name.package_for(1).as_deref(), Some("app"));
        let init = ModuleName::of(Path::new("proj/app/__init__.py"), root);
        assert_eq!(init.dotted, "app");
        assert!(init.is_package);
        assert_eq!(init.package_for(1).as_deref(), Some("app"));
        assert_eq!(init.package_for(2).as_deref(), Some(""));
        assert_eq!(init.package_for(3), None);
    }

    #[test]
    fn nesting_counts_brackets_operators_and_indentation_but_not_strings() {
        assert_eq!(max_nesting("x = ((1))\n"), 3);
        assert_eq!(max_nesting("x = 1 + 1 + 1\n"), 3);
        assert_eq!(max_nesting("x = not not y\n"), 3);
        assert_eq!(max_nesting("x = '+-+-+-+-' # ((((((\n"), 1);
        assert_eq!(max_nesting("if x:\n        pass\n"), 8);
        // Logical lines are independent.
        assert_eq!(max_nesting(&"a = b + c\n".repeat(1000)), 2);
    }

    #[test]
    fn spans_count_characters() {
        let text = "é = 1\nx = [é]\n";
        let index = LineIndex::new(text);
        let span = index.span(text, TextRange::new(12.into(), 14.into()));
        assert_eq!(
            (span.line_start, span.column_start, span.column_end),
            (2, 6, 7)
        );
    }
}
