//! Checking one crate: its files' facts, then its linted files, each parsed once where the
//! memory budget allows.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::TargetInfo;
use crate::error::Error;
use crate::frontend::{self, Linted, STACK_SIZE, Unit};
use crate::rust::cargo::CrateFiles;
use crate::rust::facts::CrateFacts;
use crate::rust::resolve::Imports;
use crate::rust::{blank_fn_bodies, lints, parse, parse_blanked, parse_guarded, too_deep, walk};
use ctxlint_catalogue::Language;

/// How many bytes of linted source one crate parses once and keeps the syntax trees of until
/// its facts are complete (see [`check_unit`]). It bounds the memory of a check by the thread
/// count, whatever the size of the crates; the files past it are parsed twice. At 8 MiB, the
/// generated bindings of `bench/run.sh`'s corpus (`windows-sys`, `aws-lc-sys`, `web-sys`: 11
/// to 21 MiB each) had a quarter of their files parsed twice, about a tenth of the time of
/// `--no-prefilter`; at 32 MiB none is, for about 200 MiB more peak memory (BENCHMARKS.md).
const KEEP_BYTES: u64 = 32 << 20;

/// The kept files of a crate go to threads in shares of about this many bytes, at most one
/// share per thread of the pool: a smaller crate is parsed on its own thread, as splitting it
/// would cost more than it saves.
const SHARE_BYTES: u64 = 1 << 20;

/// One crate, as the engine schedules it.
#[derive(Debug)]
pub(crate) struct RustUnit {
    files: CrateFiles,
    /// Where the crate's files are in their package (`tests/common/mod.rs`, `src`), to tell
    /// test code by its place; `None` outside a package.
    in_package: Option<PathBuf>,
}

impl RustUnit {
    pub(crate) fn new(files: CrateFiles, target: &TargetInfo) -> RustUnit {
        let in_package = target.manifest_path.as_ref().and_then(|manifest| {
            let dir = manifest.parent()?;
            let at = match &files {
                CrateFiles::Dir { dir, .. } => dir,
                CrateFiles::File(file) => file,
            };
            let abs = std::path::absolute(at).ok()?;
            abs.strip_prefix(dir).ok().map(Path::to_path_buf)
        });
        RustUnit { files, in_package }
    }

    /// Whether the whole crate is test code by its place: its files are in one of the
    /// package's `test-dirs` (cargo's `tests/` by default), at any depth: an integration
    /// test, or a helper module of the tests such as `tests/common/mod.rs`.
    fn is_test_code(&self, config: &Config) -> bool {
        let first = self
            .in_package
            .as_ref()
            .and_then(|p| p.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        first.is_some_and(|dir| config.test_dirs.contains(&dir))
    }

    /// The facts of every file of the crate but `skip`, read from disk, not yet finished.
    fn facts_without(&self, skip: Option<&Path>) -> CrateFacts {
        let mut files = self.files.files();
        files.retain(|f| Some(f.as_path()) != skip);
        let roots = self.files.roots();
        let parts: Vec<Option<CrateFacts>> = files
            .par_iter()
            .map(|path| {
                // Files of the crate outside the checked paths still contribute facts.
                let text = std::fs::read_to_string(path).ok()?;
                let facts = file_facts(path, text, roots.contains(path));
                proc_macro2::extra::invalidate_current_thread_spans();
                facts
            })
            .collect();
        let mut facts = CrateFacts::default();
        for part in parts.into_iter().flatten() {
            facts.merge(part);
        }
        facts
    }
}

impl Unit for RustUnit {
    fn check(&self, files: &[PathBuf], config: &Config) -> Linted {
        let mut found = check_unit(self, files, config, KEEP_BYTES, SHARE_BYTES);
        found.add_related_sources(Language::Rust);
        found
    }

    fn check_buffer(&self, path: &Path, text: &str, config: &Config) -> Linted {
        // The buffer is parsed once, for its facts and its lint (syntax trees cannot move
        // between threads, so the other files' facts are collected around it); it also counts
        // when it is not on disk yet.
        let mut facts = self.facts_without(Some(path));
        let text: Arc<str> = Arc::from(text);
        let result = match parse_guarded(path, &text) {
            Err(e) => (Vec::new(), Some(e)),
            Ok(file) => {
                let imports = Arc::new(Imports::of_file(&file));
                let is_root = self.files.roots().iter().any(|r| r == path);
                let mut own = CrateFacts::default();
                own.add_file_with(&file, is_root, path, false, Arc::clone(&imports));
                facts.merge(own);
                facts.finish(config);
                facts.test_target = self.is_test_code(config);
                walk::lint_file_with(path, &text, &file, imports, &facts, config, lints::LINTS)
            }
        };
        proc_macro2::extra::invalidate_current_thread_spans();
        let mut found = Linted::of_file(path, &text, result);
        found.add_related_sources(Language::Rust);
        found
    }
}

/// Reads, parses and lints one file on its own, freeing the thread's spans after: its
/// findings, the error that stopped its check, and its text when it has a finding.
fn lint_file(path: &Path, facts: &CrateFacts, config: &Config) -> Linted {
    let text = match frontend::read_source(path, Language::Rust) {
        Ok(text) => text,
        Err(e) => return Linted::error(e),
    };
    let result = match parse_guarded(path, &text) {
        Err(e) => (Vec::new(), Some(e)),
        Ok(file) => walk::lint_file(path, &text, &file, facts, config, lints::LINTS),
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    Linted::of_file(path, &text, result)
}

/// The facts of one file's text, which is not linted: from its items and signatures, its
/// function bodies blanked first (what a body reads is read on demand). None when it cannot be
/// parsed (such a file is only reported when it is itself checked). The caller frees the
/// thread's spans.
fn file_facts(path: &Path, text: String, is_root: bool) -> Option<CrateFacts> {
    if too_deep(&text).is_some() {
        return None;
    }
    let mut bytes = text.into_bytes();
    blank_fn_bodies(&mut bytes);
    // Whole bodies become spaces between ASCII braces: still UTF-8.
    let signatures = String::from_utf8(bytes).ok()?;
    let file = parse_blanked(&signatures).ok()?;
    let mut facts = CrateFacts::default();
    let imports = Arc::new(Imports::of_file(&file));
    facts.add_file_with(&file, is_root, path, true, imports);
    Some(facts)
}

/// The facts of a linted file read whole: its trees are not kept (past the memory budget), so
/// it is parsed again to be linted, and its own bodies are scanned now.
fn full_file_facts(path: &Path, text: &str, is_root: bool) -> Option<CrateFacts> {
    if too_deep(text).is_some() {
        return None;
    }
    let file = parse(text).ok()?;
    let mut facts = CrateFacts::default();
    facts.add_file(&file, is_root, path);
    Some(facts)
}

/// Checks the `linted` files of one crate, parsing each file of the crate once (up to
/// `keep_bytes` of linted source, [`KEEP_BYTES`] in a check; the rest twice).
///
/// The lints need the facts of the whole crate, so a linted file's syntax tree must wait until
/// every file's facts are in. syn's trees cannot move to another thread (their spans index a
/// per-thread source map), so the linted files are parsed, kept and linted here, on this
/// thread, while the crate's other files, whose trees are dropped as soon as their facts are
/// taken, are parsed in parallel first. No rayon call runs while the trees are alive: a worker
/// waiting on one may run another crate's job, which frees its thread's spans when done.
fn check_unit(
    unit: &RustUnit,
    linted: &[PathBuf],
    config: &Config,
    keep_bytes: u64,
    share_bytes: u64,
) -> Linted {
    let members = unit.files.files();
    let roots = unit.files.roots();
    // Kept trees take about twenty times their source in memory: past the budget, a linted
    // file is parsed twice instead (for its facts with the other files, then to lint it).
    let mut budget = keep_bytes;
    let mut kept: Vec<(&PathBuf, u64)> = Vec::new();
    let mut later: Vec<&PathBuf> = Vec::new();
    for path in linted {
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        if len <= budget {
            budget -= len;
            kept.push((path, len));
        } else {
            later.push(path);
        }
    }
    let kept_set: HashSet<&Path> = kept.iter().map(|(p, _)| p.as_path()).collect();
    let later_set: HashSet<&Path> = later.iter().map(|p| p.as_path()).collect();
    let mut parts: Vec<Option<CrateFacts>> = members
        .par_iter()
        .map(|path| {
            if kept_set.contains(path.as_path()) {
                return None;
            }
            let text = std::fs::read_to_string(path).ok()?;
            let is_root = roots.contains(path);
            let facts = if later_set.contains(path.as_path()) {
                full_file_facts(path, &text, is_root)
            } else {
                file_facts(path, text, is_root)
            };
            proc_macro2::extra::invalidate_current_thread_spans();
            facts
        })
        .collect();

    // The kept files, in shares of about `SHARE_BYTES`, one thread each (this one takes the
    // first): each parses its share and keeps the trees, sends the facts, waits for the
    // crate's, then lints. Plain threads, not rayon's, so that no thread holding trees runs
    // another crate's job while it waits.
    let shares = shares_of(kept, share_bytes, rayon::current_num_threads());
    let cx = ShareCx {
        members: &members,
        roots: &roots,
        config,
    };
    let mut found = Linted::default();
    let facts = std::thread::scope(|scope| {
        let (parts_tx, parts_rx) = std::sync::mpsc::channel();
        let mut mine = Vec::new();
        let mut helpers = Vec::new();
        for (i, share) in shares.into_iter().enumerate() {
            if i == 0 {
                mine.push(share);
                continue;
            }
            let (facts_tx, facts_rx) = std::sync::mpsc::channel::<Arc<CrateFacts>>();
            let parts_tx = parts_tx.clone();
            let spawned = std::thread::Builder::new()
                .stack_size(STACK_SIZE)
                .spawn_scoped(scope, {
                    let share = share.clone();
                    let cx = &cx;
                    move || {
                        let mut parsed = cx.parse(&share);
                        // The receiver lives until every helper has sent or died.
                        let _ = parts_tx.send(std::mem::take(&mut parsed.parts));
                        // Dropped now, not when this thread ends: the caller stops waiting
                        // for parts once every helper has sent or died, and a helper that
                        // still held a sender while it waits for the facts would keep it
                        // waiting if another one had panicked before it sent.
                        drop(parts_tx);
                        // Without facts (the caller panicked), there is nothing to lint.
                        facts_rx.recv().ok().map(|facts| cx.lint(parsed, &facts))
                    }
                });
            match spawned {
                Ok(handle) => helpers.push((facts_tx, handle)),
                // No thread to be had: this one parses that share too.
                Err(_) => mine.push(share),
            }
        }
        drop(parts_tx);
        let mut parsed: Vec<Parsed> = mine.iter().map(|share| cx.parse(share)).collect();
        let own_parts: Vec<(usize, CrateFacts)> =
            parsed.iter_mut().flat_map(|p| p.parts.drain(..)).collect();
        for (at, part) in own_parts
            .into_iter()
            .chain(parts_rx.iter().take(helpers.len()).flatten())
        {
            parts[at] = Some(part);
        }
        // In the crate's file order, as the facts' order of crate-level attributes depends on
        // it.
        let mut facts = CrateFacts::default();
        for part in parts.drain(..).flatten() {
            facts.merge(part);
        }
        facts.finish(config);
        facts.test_target = unit.is_test_code(config);
        let facts = Arc::new(facts);
        for (facts_tx, _) in &helpers {
            // A helper that is gone panicked; `join` below reports it.
            let _ = facts_tx.send(Arc::clone(&facts));
        }
        for p in parsed {
            found.absorb(cx.lint(p, &facts));
        }
        for (_, handle) in helpers {
            match handle.join() {
                // Every helper still alive was sent the facts.
                Ok(linted) => found.absorb(linted.unwrap_or_default()),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        facts
    });
    // Spans are plain numbers in the findings now; free this thread's source map so that a
    // long run does not keep every parsed file alive (or overflow its 32-bit offsets). The
    // helpers' maps went with their threads.
    proc_macro2::extra::invalidate_current_thread_spans();

    // The files past the budget, in parallel again now that no tree is kept.
    let rest: Vec<Linted> = later
        .par_iter()
        .map(|path| lint_file(path, &facts, config))
        .collect();
    for linted in rest {
        found.absorb(linted);
    }
    found
}

/// Splits `kept` (paths with their sizes) into at most `threads` shares of about
/// `share_bytes` ([`SHARE_BYTES`] in a check) or more, balanced by size (each file, the
/// largest first, to the smallest share), each in the original order. Always at least one
/// share, maybe empty.
fn shares_of(kept: Vec<(&PathBuf, u64)>, share_bytes: u64, threads: usize) -> Vec<Vec<&PathBuf>> {
    let total: u64 = kept.iter().map(|(_, len)| len).sum();
    let count = usize::try_from(total / share_bytes.max(1))
        .unwrap_or(usize::MAX)
        .clamp(1, threads.max(1));
    let mut order: Vec<usize> = (0..kept.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(kept[i].1));
    let mut sizes = vec![0u64; count];
    let mut owner = vec![0usize; kept.len()];
    for i in order {
        let smallest = (0..count).min_by_key(|&s| sizes[s]).unwrap_or(0);
        sizes[smallest] += kept[i].1;
        owner[i] = smallest;
    }
    let mut shares = vec![Vec::new(); count];
    for (i, (path, _)) in kept.into_iter().enumerate() {
        shares[owner[i]].push(path);
    }
    shares
}

/// What the threads of one crate share.
struct ShareCx<'a> {
    members: &'a [PathBuf],
    roots: &'a [PathBuf],
    config: &'a Config,
}

/// One share of a crate's kept files, parsed on the thread that keeps the trees.
struct Parsed<'p> {
    trees: Vec<(&'p PathBuf, Arc<str>, syn::File, Arc<Imports>)>,
    /// The facts of each tree that is one of the crate's files, by its index in the members.
    parts: Vec<(usize, CrateFacts)>,
    errors: Vec<Error>,
}

impl ShareCx<'_> {
    /// Reads and parses `share`, keeping the trees, and takes their facts.
    fn parse<'p>(&self, share: &[&'p PathBuf]) -> Parsed<'p> {
        let mut parsed = Parsed {
            trees: Vec::with_capacity(share.len()),
            parts: Vec::new(),
            errors: Vec::new(),
        };
        for &path in share {
            let text = match frontend::read_source(path, Language::Rust) {
                Ok(text) => text,
                Err(e) => {
                    parsed.errors.push(e);
                    continue;
                }
            };
            match parse_guarded(path, &text) {
                Ok(file) => {
                    // The facts and the walk both resolve names with the file's imports.
                    let imports = Arc::new(Imports::of_file(&file));
                    // A kept file that is one of the crate's files gives its facts from the
                    // same tree; one named in another form (`./src/a.rs`) was parsed with the
                    // others. Its function bodies are read from the file when a lint follows
                    // a call into one, as the other files' are: scanning every body of every
                    // kept tree up front cost 8 % of `--no-prefilter`, for the few that
                    // `spawn_without_context` follows.
                    if let Ok(at) = self.members.binary_search(path) {
                        let mut facts = CrateFacts::default();
                        let is_root = self.roots.contains(path);
                        facts.add_file_with(&file, is_root, path, true, Arc::clone(&imports));
                        parsed.parts.push((at, facts));
                    }
                    parsed.trees.push((path, text, file, imports));
                }
                Err(e) => parsed.errors.push(e),
            }
        }
        parsed
    }

    /// Lints a parsed share with the crate's facts; what it found includes the errors of its
    /// parse.
    fn lint(&self, parsed: Parsed, facts: &CrateFacts) -> Linted {
        let mut linted = Linted {
            errors: parsed.errors,
            ..Linted::default()
        };
        for (path, text, file, imports) in parsed.trees {
            let (found, error) = walk::lint_file_with(
                path,
                &text,
                &file,
                imports,
                facts,
                self.config,
                lints::LINTS,
            );
            if !found.is_empty() {
                linted.sources.push((path.clone(), text));
            }
            linted.findings.extend(found);
            linted.errors.extend(error);
        }
        linted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

    /// Findings, errors and files with a finding, sorted, as text.
    type Rendered = (Vec<String>, Vec<String>, Vec<PathBuf>);

    fn render(found: &Linted) -> Rendered {
        let mut findings: Vec<String> = found.findings.iter().map(|f| format!("{f:?}")).collect();
        findings.sort();
        let mut errors: Vec<String> = found.errors.iter().map(ToString::to_string).collect();
        errors.sort();
        let mut sources: Vec<PathBuf> = found.sources.iter().map(|(p, _)| p.clone()).collect();
        sources.sort();
        (findings, errors, sources)
    }

    /// A file parsed once (its tree kept for the lint) and a file parsed twice (past the
    /// memory budget) give the same findings, whatever the budget lets through.
    #[test]
    fn shares_are_balanced_by_size_and_keep_the_files_order() {
        let paths: Vec<PathBuf> = (0..5).map(|i| PathBuf::from(format!("{i}.rs"))).collect();
        let sizes = [5u64, 1, 4, 2, 3];
        let kept = || paths.iter().zip(sizes).collect::<Vec<_>>();
        let names = |shares: Vec<Vec<&PathBuf>>| -> Vec<Vec<String>> {
            shares
                .into_iter()
                .map(|share| share.iter().map(|p| p.display().to_string()).collect())
                .collect()
        };
        // 15 bytes in shares of 5: three shares, of 5 (0), 4 + 1 (2, 1) and 3 + 2 (3, 4)
        // bytes, each in the files' order.
        assert_eq!(
            names(shares_of(kept(), 5, 8)),
            [vec!["0.rs"], vec!["1.rs", "2.rs"], vec!["3.rs", "4.rs"]]
        );
        // No more shares than threads, and never none.
        assert_eq!(shares_of(kept(), 1, 2).len(), 2);
        assert_eq!(shares_of(kept(), 100, 8).len(), 1);
        assert_eq!(shares_of(Vec::new(), 1, 8), vec![Vec::<&PathBuf>::new()]);
    }

    #[test]
    fn the_memory_budget_does_not_change_what_is_found() -> Result {
        let dir = tempfile::tempdir()?;
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src)?;
        let files = [
            (
                "lib.rs",
                "pub mod jobs;\npub mod state;\nuse contextvars::{copy_context, ContextVar};\n\
                 static S: ContextVar<state::Stats> = ContextVar::with_default(\"s\", state::Stats::new());\n\
                 pub fn f() {\n    let mut ctx = copy_context();\n    let fut = ctx.run(|| jobs::work());\n}\n",
            ),
            ("jobs.rs", "pub async fn work() {}\n"),
            (
                "state.rs",
                "pub struct Stats { hits: std::sync::atomic::AtomicU32 }\n\
                 impl Stats { pub const fn new() -> Self { Stats { hits: std::sync::atomic::AtomicU32::new(0) } } }\n",
            ),
            (
                "main.rs",
                "#![deny(interior_mutable_default)]\nuse contextvars::ContextVar;\n\
                 static T: ContextVar<std::sync::Mutex<u8>> = ContextVar::with_default(\"t\", std::sync::Mutex::new(0));\n\
                 fn main() {}\n",
            ),
            ("broken.rs", "use contextvars::Context;\nfn f( {\n"),
        ];
        for (name, text) in files {
            std::fs::write(src.join(name), text)?;
        }
        let crate_files = CrateFiles::Dir {
            dir: src.clone(),
            exclude: Some(src.join("bin")),
        };
        let linted = crate_files.files();
        assert_eq!(linted.len(), files.len());
        let target = crate::rust::cargo::fallback_target(&src.join("lib.rs"));
        let unit = RustUnit::new(crate_files, &target);
        let config = Config::default();
        let all_kept = render(&check_unit(&unit, &linted, &config, u64::MAX, u64::MAX));
        assert_eq!(all_kept.0.len(), 3, "{:?}", all_kept.0);
        assert_eq!(all_kept.1.len(), 1, "{:?}", all_kept.1);
        // `broken.rs` and `jobs.rs` come first in the crate's order: a budget of their size
        // keeps them and parses the others twice.
        let first_two = std::fs::metadata(src.join("broken.rs"))?.len()
            + std::fs::metadata(src.join("jobs.rs"))?.len();
        for budget in [0, first_two] {
            let result = render(&check_unit(&unit, &linted, &config, budget, u64::MAX));
            assert_eq!(result, all_kept, "budget {budget}");
        }
        // Shares of one byte: a thread per kept file, up to the pool's four; with a budget
        // that keeps some files and parses the others twice too.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build()?;
        for budget in [u64::MAX, first_two] {
            let result = pool.install(|| render(&check_unit(&unit, &linted, &config, budget, 1)));
            assert_eq!(result, all_kept, "budget {budget}, shares of one byte");
        }
        Ok(())
    }
}
