//! The Rust front end: the parser adapter (`syn`, with the offsets kept equal to the file's),
//! cargo's layout (`cargo`), the crate-wide facts (`facts`), name resolution from `use` items
//! (`resolve`), lint-level attributes (`suppress`), the walk over one parsed file (`walk`) and
//! the lints it runs (`lints`), and the checking of one crate (`unit`).

pub(crate) mod cargo;
pub(crate) mod facts;
pub(crate) mod lints;
pub(crate) mod reads;
pub(crate) mod resolve;
pub(crate) mod suppress;
pub(crate) mod types;
pub(crate) mod unit;
pub(crate) mod value;
pub(crate) mod walk;

use std::collections::BTreeMap;
use std::path::Path;

use ctxlint_catalogue::Language;
use ctxlint_catalogue::apis::{GUARDS, RUNNERS, RUST_SPAWNS, Receiver, RunnerCall};

use crate::config::Config;
use crate::diagnostic::TargetInfo;
use crate::error::{Error, ErrorKind};
use crate::frontend::{FileToLint, FrontEnd, Hit, Needles, Planned};
use cargo::CrateFiles;
use unit::RustUnit;

/// How deep expressions, blocks and items may nest before a file is given up as too deep.
///
/// The walk runs on threads with a large stack (see `frontend::STACK_SIZE`), which this limit
/// stays well inside; real code nests a few dozen levels.
pub(crate) const MAX_DEPTH: usize = 20_000;

/// The prefilter's tags. The file names a runner, a guard or `contextvars`: it can hold a
/// finding by itself.
const CORE: Hit = Hit(1);
/// It names `contextvars`: its crate may declare variables that other files read.
const CONTEXTVARS: Hit = Hit(1 << 1);
/// It calls a spawn.
const SPAWN: Hit = Hit(1 << 2);
/// It enters a span (`#[instrument]`) or a task-local's `.scope(`.
const SPAN: Hit = Hit(1 << 3);
/// It calls `.get()` or `.with(`: it may read or write a variable of its crate.
const MAY_WRITE: Hit = Hit(1 << 4);

/// The Rust front end.
pub(crate) struct RustFrontEnd;

impl FrontEnd for RustFrontEnd {
    fn language(&self) -> Language {
        Language::Rust
    }

    fn claims(&self, path: &Path) -> bool {
        path.extension().is_some_and(|e| e == "rs")
    }

    /// Most lints fire only on a call whose name is in the catalogue's tables (a runner, a
    /// guard, a `ContextVar` of `contextvars`), written in the same file: the crate's name
    /// for what resolves through it, a runner's or guard's own name for the others. The
    /// others need two facts: a `spawn` in a file that enters a span (`instrument`) or a
    /// task-local's `.scope(`, or a `spawn`, `.get()` or `.with(` in a crate where some file
    /// names `contextvars` (the variable they read may be declared there).
    fn needles(&self, config: &Config) -> Needles {
        let mut needles = Needles::default();
        needles.add("contextvars", CORE.or(CONTEXTVARS));
        for runner in RUNNERS {
            if runner.receiver == Receiver::Context {
                continue;
            }
            let mut segments = runner.path.rsplit("::");
            let (name, parent) = (segments.next().unwrap_or(runner.path), segments.next());
            // `Hub::run`: a name as common as `run` is looked for with its type.
            let typed = runner.call == RunnerCall::Function
                && parent.is_some_and(|p| p.starts_with(char::is_uppercase));
            let needle = match parent {
                Some(parent) if typed => format!("{parent}::{name}"),
                _ => name.to_owned(),
            };
            needles.add(needle, CORE);
        }
        for guard in GUARDS {
            for call in guard.made_by {
                let needle = if call.starts_with('.') {
                    (*call).to_owned()
                } else {
                    call.rsplit("::").next().unwrap_or(call).to_owned()
                };
                needles.add(needle, CORE);
            }
        }
        let runners = config.extra_runners.iter().map(|r| r.path);
        let guards = config
            .extra_guards
            .iter()
            .flat_map(|g| g.made_by.iter().copied());
        for path in runners.chain(guards) {
            // The name as written at a call: `run_in` of `my::Scope::run_in`, `pin` of
            // `.pin()`.
            let name = path
                .rsplit("::")
                .next()
                .unwrap_or(path)
                .trim_start_matches('.');
            needles.add(name.trim_end_matches("()"), CORE);
        }
        for spawn in RUST_SPAWNS {
            needles.add(spawn.path.rsplit("::").next().unwrap_or(spawn.path), SPAWN);
        }
        needles.add("instrument", SPAN);
        needles.add(".scope(", SPAN);
        needles.add(".get()", MAY_WRITE);
        needles.add(".with(", MAY_WRITE);
        needles
    }

    fn plan(&self, files: Vec<FileToLint>) -> Vec<Planned> {
        let mut packages = cargo::Packages::new();
        type Files = (Vec<FileToLint>, TargetInfo);
        let mut crates: BTreeMap<CrateFiles, Files> = BTreeMap::new();
        for file in files {
            let (krate, target) = cargo::crate_of(&file.path, &mut packages);
            crates
                .entry(krate)
                .or_insert_with(|| (Vec::new(), target))
                .0
                .push(file);
        }
        crates
            .into_iter()
            .filter_map(|(krate, (files, target))| {
                let uses_contextvars = files.iter().any(|f| f.hit.any(CONTEXTVARS));
                let files: Vec<FileToLint> = files
                    .into_iter()
                    .filter(|f| {
                        f.hit.any(CORE)
                            || (f.hit.any(SPAWN) && f.hit.any(SPAN))
                            || (uses_contextvars && f.hit.any(SPAWN.or(MAY_WRITE)))
                    })
                    .collect();
                if files.is_empty() {
                    return None;
                }
                Some(Planned {
                    config_dir: krate.config_dir(),
                    unit: Box::new(RustUnit::new(krate, &target)),
                    bytes: files.iter().map(|f| f.len).sum(),
                    files: files.into_iter().map(|f| f.path).collect(),
                    target,
                })
            })
            .collect()
    }

    fn plan_buffer(&self, path: &Path) -> Planned {
        let (krate, target) = cargo::crate_of(path, &mut cargo::Packages::new());
        Planned {
            config_dir: krate.config_dir(),
            unit: Box::new(RustUnit::new(krate, &target)),
            files: vec![path.to_path_buf()],
            bytes: 0,
            target,
        }
    }

    fn fallback_target(&self, path: &Path) -> TargetInfo {
        cargo::fallback_target(path)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), Error> {
        let parsed = parse_guarded(path, text).map(drop);
        proc_macro2::extra::invalidate_current_thread_spans();
        parsed
    }
}

/// [`parse`], after the nesting guard, with the errors that name the file and position.
pub(crate) fn parse_guarded(path: &Path, text: &str) -> Result<syn::File, Error> {
    let depth = max_nesting(text);
    if depth >= MAX_DEPTH {
        return Err(Error::too_deep(path, depth, MAX_DEPTH));
    }
    parse(text).map_err(|e| parse_error(path, &e))
}

/// A syn error, at its place in `path`.
fn parse_error(path: &Path, e: &syn::Error) -> Error {
    let start = e.span().start();
    Error::at(
        ErrorKind::Parse,
        path,
        start.line,
        start.column + 1,
        format!("cannot parse: {e}"),
    )
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
