//! The check driver: finds the files, groups them into units that share facts (Rust crates,
//! Python projects), collects each unit's facts, and runs the lints, in parallel across units and files; each
//! linted Rust file is parsed once (see `check_unit`).
//!
//! It is language-neutral: each file goes to the front end of its extension (`src/rust/` for
//! `.rs`, `src/python/` for `.py`), and every front end gives the same [`Finding`]s.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Finding, TargetInfo, fallback_target};
use crate::error::{Error, ErrorKind};
use crate::python::is_python;
use crate::rust::facts::CrateFacts;
use crate::rust::lints::MAX_DEPTH;
use crate::rust::{lint_parsed, max_nesting, parse, parse_guarded};

/// The stack of each worker thread. syn's parser and the lint walk recurse once per level of
/// nesting, and a 10,000-deep expression needs far more than the default 2 MiB in a debug
/// build. The memory is only reserved, not committed, until it is used.
const STACK_SIZE: usize = 1 << 30;

/// Texts of which any file with a finding must contain one: every lint fires only on a call
/// whose name is in the catalogue's tables (a runner, a guard, a `ContextVar`), written in the
/// same file. `with_default` covers both `ContextVar::with_default` and tracing's runners.
const PREFILTER_NEEDLES: &[&str] = &[
    "contextvars",
    "with_default",
    "in_scope",
    "sync_scope",
    "Hub::run",
    ".enter()",
    ".entered()",
    "set_default",
    ".attach()",
];

/// Finds whether a file's text could hold a finding: it contains one of
/// [`PREFILTER_NEEDLES`], or the name of a runner or guard that a configuration adds.
struct Prefilter {
    /// `None` only if the automaton could not be built, which these few short needles never
    /// make happen; every file is then checked, which is slower but still right.
    finder: Option<aho_corasick::AhoCorasick>,
}

impl Prefilter {
    fn new<'c>(configs: impl IntoIterator<Item = &'c Config>) -> Prefilter {
        let mut needles: Vec<&str> = PREFILTER_NEEDLES.to_vec();
        for config in configs {
            let runners = config.extra_runners.iter().map(|r| r.path);
            let guards = config
                .extra_guards
                .iter()
                .flat_map(|g| g.made_by.iter().copied());
            for path in runners.chain(guards) {
                // The name as written at a call: `run_in` of `my::Scope::run_in`, `enter()` of
                // `.enter()`.
                let name = path
                    .rsplit("::")
                    .next()
                    .unwrap_or(path)
                    .trim_start_matches('.');
                needles.push(name.trim_end_matches("()"));
            }
        }
        Prefilter {
            finder: aho_corasick::AhoCorasick::new(needles).ok(),
        }
    }

    fn could_hold_finding(&self, text: &[u8]) -> bool {
        self.finder.as_ref().is_none_or(|f| f.is_match(text))
    }
}

/// How many bytes of linted source one crate parses once and keeps the syntax trees of until
/// its facts are complete (see `check_unit`). It bounds the memory of a check by the thread
/// count, whatever the size of the crates; the files past it are parsed twice.
const KEEP_BYTES: u64 = 8 << 20;

/// A `.gitignore`-style file of paths that `ctxlint check` skips when walking directories
/// (files named on the command line are always checked).
pub const IGNORE_FILE: &str = ".ctxlintignore";

/// What to check and how.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files and directories to check; directories are walked for `.rs` and `.py` files,
    /// respecting `.gitignore`.
    pub paths: Vec<PathBuf>,
    /// A configuration file to use instead of discovering one per crate.
    pub config: Option<PathBuf>,
    /// Parse every file, not only those that could hold a finding. The findings are the same;
    /// this exists to test that, and to measure what the prefilter saves.
    pub no_prefilter: bool,
    /// Worker threads; `None` for one per core.
    pub jobs: Option<usize>,
}

/// The result of a check.
#[derive(Debug, Default)]
pub struct CheckOutput {
    /// Every finding, sorted by file and position.
    pub findings: Vec<Finding>,
    /// Files or configurations that could not be checked, sorted by file.
    pub errors: Vec<Error>,
    /// The text of each file with a finding, for rendering.
    pub sources: HashMap<PathBuf, Arc<str>>,
    /// The cargo package and target of each file with a finding, for JSON.
    pub targets: HashMap<PathBuf, TargetInfo>,
    /// How many Rust and Python files were found.
    pub files: usize,
    /// How many files were parsed to be linted (the rest could not hold a finding).
    pub linted: usize,
}

/// One file read from disk.
struct Input {
    text: Arc<str>,
    /// Whether the prefilter lets it through.
    hit: bool,
}

/// A crate (or a standalone file) whose files share facts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Unit {
    /// The `.rs` files under a directory, less one excluded subdirectory (`src/bin` of `src`).
    Dir {
        dir: PathBuf,
        exclude: Option<PathBuf>,
    },
    /// A single file that is its own crate (an example, a test, a script).
    File(PathBuf),
    /// The Python files of a project directory (see `python::project`).
    Python(PathBuf),
    /// A Python file outside any project, on its own.
    PythonFile(PathBuf),
}

impl Unit {
    /// The directory whose configuration applies.
    fn config_dir(&self) -> PathBuf {
        match self {
            Unit::Dir { dir, .. } | Unit::Python(dir) => dir.clone(),
            Unit::File(f) | Unit::PythonFile(f) => {
                f.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        }
    }
}

/// The unit of a Python file, and its target for JSON.
fn python_unit_of(path: &Path, root: Option<&Path>) -> (Unit, TargetInfo) {
    match crate::python::project::project_dir(path, root) {
        Some(dir) => {
            let target = crate::python::project::target(Some(&dir), path);
            (Unit::Python(dir), target)
        }
        None => (
            Unit::PythonFile(path.to_path_buf()),
            crate::python::project::target(None, path),
        ),
    }
}

/// A unit to check: the files of it to lint, its target, and its configuration (or the
/// configuration's error).
type PlannedUnit = (Unit, Vec<PathBuf>, TargetInfo, Result<Arc<Config>, String>);

#[derive(Debug, Clone)]
struct Package {
    dir: PathBuf,
    name: String,
    version: String,
    edition: String,
}

/// Checks `options.paths`.
///
/// Errors about single files (unreadable, not UTF-8, a symlink loop, a syntax error, too
/// deep) go into [`CheckOutput::errors`] and never stop the other files from being checked.
///
/// # Errors
/// Only for problems that stop the whole check: an explicit `--config` file that cannot be
/// read or is invalid, or a thread pool that cannot start.
pub fn check(options: &CheckOptions) -> Result<CheckOutput, Error> {
    let explicit_config = match &options.config {
        Some(path) => Some(Config::from_file(path)?.unwrap_or_default()),
        None => None,
    };
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE);
    if let Some(jobs) = options.jobs {
        builder = builder.num_threads(jobs);
    }
    let pool = builder.build().map_err(|e| {
        Error::new(
            ErrorKind::Io,
            None,
            format!("cannot start worker threads: {e}"),
        )
    })?;
    Ok(pool.install(|| run(options, explicit_config)))
}

/// Checks one file's text as an editor holds it, which may differ from the file on disk (or
/// have no file yet). The rest of its crate is read from disk for the crate-wide facts.
///
/// Used by `ctxlint server` on every change of a buffer. Like [`check`], a syntax error or a
/// too-deep file is in [`CheckOutput::errors`], not a failure; text that never mentions
/// `contextvars` is not parsed.
///
/// # Errors
/// An explicit `config` that cannot be read or is invalid, a discovered configuration that is
/// invalid, or a thread pool that cannot start.
pub fn check_source(path: &Path, text: &str, config: Option<&Path>) -> Result<CheckOutput, Error> {
    let mut out = CheckOutput {
        files: 1,
        ..CheckOutput::default()
    };
    let input = Input {
        text: Arc::from(text),
        // Set below, once the configuration, which can add names to look for, is known.
        hit: false,
    };
    let mut packages = HashMap::new();
    let (unit, target) = if is_python(path) {
        python_unit_of(path, None)
    } else {
        unit_of(path, &mut packages)
    };
    let config = match config {
        Some(file) => Config::from_file(file)?.unwrap_or_default(),
        None => Config::discover(&unit.config_dir())?,
    };
    if !Prefilter::new([&config]).could_hold_finding(input.text.as_bytes()) {
        return Ok(out);
    }
    // The parser and the walk recurse once per level of nesting: run them on threads with
    // the large stack, as `check` does.
    let pool = source_pool()?;
    let (findings, error) = pool.install(|| {
        if let Unit::Python(_) | Unit::PythonFile(_) = &unit {
            let dir = match &unit {
                Unit::Python(dir) => Some(dir.as_path()),
                _ => None,
            };
            // The other files' facts from disk, the buffer's own from its text (it may
            // differ from the file on disk, or have no file yet).
            let mut facts =
                crate::python::project::project_facts(dir, path, &[], Some(path), &|_| None);
            return match crate::python::project::module_facts(path, text, dir) {
                Err(e) => (Vec::new(), Some(e)),
                Ok((own, _)) => {
                    facts.merge(own);
                    crate::python::project::lint_text(path, text, dir, &facts, &config)
                }
            };
        }
        // The buffer is parsed once, for its facts and its lint (syntax trees cannot move
        // between threads, so the other files' facts are collected around it); it also counts
        // when it is not on disk yet.
        let mut facts = unit_facts(&unit, Some(path));
        let result = match parse_guarded(path, text) {
            Err(e) => (Vec::new(), Some(e)),
            Ok(file) => {
                let mut own = CrateFacts::default();
                own.add_file(&file, unit_roots(&unit).iter().any(|r| r == path));
                facts.merge(own);
                facts.finish(&config);
                facts.test_target = is_test_target(&unit, &target);
                lint_parsed(path, text, &file, &facts, &config)
            }
        };
        proc_macro2::extra::invalidate_current_thread_spans();
        result
    });
    out.linted = 1;
    if !findings.is_empty() {
        out.sources
            .insert(path.to_path_buf(), Arc::clone(&input.text));
        out.targets.insert(path.to_path_buf(), target);
    }
    out.findings = findings;
    out.errors.extend(error);
    Ok(out)
}

/// The worker threads of [`check_source`], started once: a server checks a buffer on every
/// keystroke, and starting threads each time would cost more than checking.
fn source_pool() -> Result<&'static rayon::ThreadPool, Error> {
    static POOL: std::sync::OnceLock<Result<rayon::ThreadPool, String>> =
        std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .thread_name(|i| format!("ctxlint-source-{i}"))
            .build()
            .map_err(|e| e.to_string())
    });
    pool.as_ref().map_err(|e| {
        Error::new(
            ErrorKind::Io,
            None,
            format!("cannot start worker threads: {e}"),
        )
    })
}

fn run(options: &CheckOptions, explicit_config: Option<Config>) -> CheckOutput {
    let mut out = CheckOutput::default();
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let files = walk(&paths, &mut out.errors);
    out.files = files.len();

    // The files that could hold a finding. Every file is read (and its UTF-8 checked) here,
    // but no text is kept: the unit stage reads again the ones that pass, so that memory does
    // not grow with the number of files. Without the prefilter, every readable file passes.
    // The names that configurations add to the lints' tables: those of the explicit
    // configuration, or of the configurations found at the checked paths.
    let root_configs: Vec<Config> = match &explicit_config {
        Some(config) => vec![config.clone()],
        None => paths
            .iter()
            .filter_map(|p| {
                let dir = if p.is_dir() { p.as_path() } else { p.parent()? };
                Config::discover(dir).ok()
            })
            .collect(),
    };
    let prefilter = Prefilter::new(&root_configs);
    let prefilter = (!options.no_prefilter).then_some(&prefilter);
    let read: Vec<Result<(bool, usize), Error>> = files
        .par_iter()
        .map(|(path, _)| read_input(path, prefilter).map(|input| (input.hit, input.text.len())))
        .collect();
    let mut hits: Vec<(&(PathBuf, Option<PathBuf>), usize)> = Vec::new();
    for (file, r) in files.iter().zip(read) {
        match r {
            Ok((true, len)) => hits.push((file, len)),
            Ok((false, _)) => {}
            Err(e) => out.errors.push(e),
        }
    }
    out.linted = hits.len();

    // Group the files that could hold a finding by crate.
    let mut packages: HashMap<PathBuf, Option<Package>> = HashMap::new();
    // With the bytes of its files, to schedule the largest first.
    let mut units: BTreeMap<Unit, (Vec<PathBuf>, TargetInfo, usize)> = BTreeMap::new();
    for ((path, root), len) in hits {
        let (unit, target) = if is_python(path) {
            python_unit_of(path, root.as_deref())
        } else {
            unit_of(path, &mut packages)
        };
        let (files, _, bytes) = units.entry(unit).or_insert_with(|| (Vec::new(), target, 0));
        files.push(path.clone());
        *bytes += len;
    }
    // Each crate's linted Rust files are parsed on one thread (see `check_unit`): start with the
    // largest in bytes (what the parse costs; a crate of few but generated files can be larger
    // than one of many), so that no large crate is left alone at the end while the other
    // threads idle.
    let mut units: Vec<_> = units.into_iter().collect();
    units.sort_by_key(|(_, (_, _, bytes))| std::cmp::Reverse(*bytes));

    let mut configs: HashMap<PathBuf, Result<Arc<Config>, String>> = HashMap::new();
    let units: Vec<PlannedUnit> = units
        .into_iter()
        .map(|(unit, (files, target, _))| {
            let config = match &explicit_config {
                Some(c) => Ok(Arc::new(c.clone())),
                None => {
                    let dir = unit.config_dir();
                    configs
                        .entry(dir.clone())
                        .or_insert_with(|| {
                            Config::discover(&dir)
                                .map(Arc::new)
                                .map_err(|e| e.to_string())
                        })
                        .clone()
                }
            };
            (unit, files, target, config)
        })
        .collect();

    let mut config_errors: Vec<String> = Vec::new();
    let results: Vec<UnitResult> = units
        .par_iter()
        // One job per crate: left to split as it likes, rayon hands a worker a run of crates
        // that it then checks in turn, which no idle worker can take from it (the other
        // worker idled through the last half of a full parse of the corpus).
        .with_max_len(1)
        .filter_map(|(unit, files, target, config)| {
            let config = config.as_ref().ok()?;
            Some(match unit {
                Unit::Python(_) | Unit::PythonFile(_) => {
                    check_python_unit(unit, files, target, config)
                }
                _ => check_unit(unit, files, target, config, KEEP_BYTES, SHARE_BYTES),
            })
        })
        .collect();
    for (_, _, _, config) in &units {
        if let Err(e) = config
            && !config_errors.contains(e)
        {
            config_errors.push(e.clone());
        }
    }
    for e in config_errors {
        out.errors.push(Error::new(ErrorKind::Config, None, e));
    }
    for result in results {
        for (path, text) in result.found.sources {
            out.targets.insert(path.clone(), result.target.clone());
            out.sources.insert(path, text);
        }
        out.findings.extend(result.found.findings);
        out.errors.extend(result.found.errors);
    }
    out.findings
        .sort_by(|a, b| (&a.path, a.span, a.lint.name).cmp(&(&b.path, b.span, b.lint.name)));
    out.errors
        .sort_by(|a, b| (a.path(), a.to_string()).cmp(&(b.path(), b.to_string())));
    out
}

/// What checking some files found.
#[derive(Default)]
struct Linted {
    findings: Vec<Finding>,
    errors: Vec<Error>,
    /// The text of each file with a finding, for rendering.
    sources: Vec<(PathBuf, Arc<str>)>,
}

impl Linted {
    /// Adds what `other` found.
    fn absorb(&mut self, other: Linted) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.sources.extend(other.sources);
    }
}

/// What checking one crate found.
struct UnitResult {
    found: Linted,
    target: TargetInfo,
}

/// Whether `unit` is one of cargo's integration tests: `tests/NAME.rs`, or `tests/NAME/` with a
/// `main.rs`. A file deeper under `tests/` is not a target of its own (it is a fixture or a
/// module), so it is not known to be test code.
fn is_test_target(unit: &Unit, target: &TargetInfo) -> bool {
    target.kind == "test"
        && match unit {
            Unit::File(file) => file
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|dir| dir == "tests"),
            _ => true,
        }
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
    unit: &Unit,
    linted: &[PathBuf],
    target: &TargetInfo,
    config: &Config,
    keep_bytes: u64,
    share_bytes: u64,
) -> UnitResult {
    let members = unit_files(unit);
    let roots = unit_roots(unit);
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
    let mut parts: Vec<Option<CrateFacts>> = members
        .par_iter()
        .map(|path| {
            if kept_set.contains(path.as_path()) {
                return None;
            }
            let text = std::fs::read_to_string(path).ok()?;
            let facts = file_facts(&text, roots.contains(path));
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
        facts.test_target = is_test_target(unit, target);
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
    UnitResult {
        found,
        target: target.clone(),
    }
}

/// The kept files of a crate go to threads in shares of about this many bytes, at most one
/// share per thread of the pool: a smaller crate is parsed on its own thread, as splitting it
/// would cost more than it saves.
const SHARE_BYTES: u64 = 1 << 20;

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
    trees: Vec<(&'p PathBuf, Arc<str>, syn::File)>,
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
            let text = match read_input(path, None) {
                Ok(input) => input.text,
                Err(e) => {
                    parsed.errors.push(e);
                    continue;
                }
            };
            match parse_guarded(path, &text) {
                Ok(file) => {
                    // A kept file that is one of the crate's files gives its facts from the
                    // same tree; one named in another form (`./src/a.rs`) was parsed with the
                    // others.
                    if let Ok(at) = self.members.binary_search(path) {
                        let mut facts = CrateFacts::default();
                        facts.add_file(&file, self.roots.contains(path));
                        parsed.parts.push((at, facts));
                    }
                    parsed.trees.push((path, text, file));
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
        for (path, text, file) in &parsed.trees {
            let (found, error) = lint_parsed(path, text, file, facts, self.config);
            if !found.is_empty() {
                linted.sources.push(((*path).clone(), Arc::clone(text)));
            }
            linted.findings.extend(found);
            linted.errors.extend(error);
        }
        linted
    }
}

/// Checks the `linted` files of one Python project (or lone file), reading them from disk.
fn check_python_unit(
    unit: &Unit,
    linted: &[PathBuf],
    target: &TargetInfo,
    config: &Config,
) -> UnitResult {
    let dir = match unit {
        Unit::Python(dir) => Some(dir.as_path()),
        _ => None,
    };
    let only = linted.first().map_or(Path::new(""), PathBuf::as_path);
    let facts = crate::python::project::project_facts(dir, only, linted, None, &|_| None);
    let results: Vec<Linted> = linted
        .par_iter()
        .map(|path| {
            let mut result = Linted::default();
            match read_input(path, None) {
                Err(e) => result.errors.push(e),
                Ok(input) => {
                    let (findings, error) =
                        crate::python::project::lint_text(path, &input.text, dir, &facts, config);
                    if !findings.is_empty() {
                        result.sources.push((path.clone(), input.text));
                    }
                    result.findings = findings;
                    result.errors.extend(error);
                }
            }
            result
        })
        .collect();
    let mut found = Linted::default();
    for result in results {
        found.absorb(result);
    }
    UnitResult {
        found,
        target: target.clone(),
    }
}

/// Finds the `.rs` and `.py` files under `paths` (and the files named directly), sorted, each
/// with the directory it was found under.
fn walk(paths: &[PathBuf], errors: &mut Vec<Error>) -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => errors.push(Error::io(path, e)),
            Ok(meta) if meta.is_file() => files.push((path.clone(), None)),
            Ok(meta) if !meta.is_dir() => {
                errors.push(Error::new(
                    ErrorKind::Io,
                    Some(path),
                    "not a file or directory",
                ));
            }
            Ok(_) => {
                let walker = ignore::WalkBuilder::new(path)
                    .follow_links(true)
                    .require_git(false)
                    .add_custom_ignore_filename(IGNORE_FILE)
                    // A virtual environment holds other projects' Python code.
                    .filter_entry(|e| {
                        !(e.file_type().is_some_and(|t| t.is_dir())
                            && crate::python::project::is_virtualenv(e.path()))
                    })
                    .build();
                for entry in walker {
                    match entry {
                        Ok(entry) => {
                            let p = entry.path();
                            let wanted = p.extension().is_some_and(|e| e == "rs") || is_python(p);
                            if wanted && entry.file_type().is_some_and(|t| t.is_file()) {
                                files.push((entry.into_path(), Some(path.clone())));
                            }
                        }
                        Err(e) => errors.push(walk_error(path, e)),
                    }
                }
            }
        }
    }
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

fn walk_error(root: &Path, err: ignore::Error) -> Error {
    match err {
        ignore::Error::Loop { child, .. } => Error::new(
            ErrorKind::SymlinkLoop,
            Some(&child),
            "symbolic link loop (the link leads back to a directory above it); skipped",
        ),
        ignore::Error::WithPath { path, err } => match *err {
            ignore::Error::Io(io) => Error::io(&path, io),
            other => {
                let mut e = walk_error(&path, other);
                if e.path().is_none() {
                    e = Error::new(e.kind(), Some(&path), e.to_string());
                }
                e
            }
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, *err)
        }
        ignore::Error::Io(io) => Error::io(root, io),
        other => Error::new(ErrorKind::Io, Some(root), other.to_string()),
    }
}

fn read_input(path: &Path, prefilter: Option<&Prefilter>) -> Result<Input, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let hit = prefilter.is_none_or(|p| p.could_hold_finding(&bytes));
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        Error::new(
            ErrorKind::NotUtf8,
            Some(path),
            format!(
                "not valid UTF-8 (first bad byte at offset {at}); {} source must be UTF-8",
                if is_python(path) { "Python" } else { "Rust" }
            ),
        )
    })?;
    Ok(Input {
        text: Arc::from(text),
        hit,
    })
}

/// The crate that `path` belongs to, by cargo's layout conventions.
fn unit_of(path: &Path, packages: &mut HashMap<PathBuf, Option<Package>>) -> (Unit, TargetInfo) {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let alone = (Unit::File(path.to_path_buf()), fallback_target(path));
    let Some(package) = find_package(&abs, packages) else {
        return alone;
    };
    let Ok(rel) = abs.strip_prefix(&package.dir) else {
        return alone;
    };
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    // `path` is as the user gave it; rebuild the unit directory in the same form.
    let base = ancestor_of(path, parts.len());
    let target = |kind: &str, name: String, src: PathBuf| TargetInfo {
        package_id: format!(
            "path+file://{}#{}@{}",
            package.dir.display(),
            package.name,
            package.version
        ),
        name,
        kind: kind.to_owned(),
        src_path: src,
        edition: package.edition.clone(),
        manifest_path: Some(package.dir.join("Cargo.toml")),
    };
    let crate_name = package.name.replace('-', "_");
    match parts
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["src", "bin", dir, _, ..] => {
            let dir = base.join("src").join("bin").join(dir);
            let t = target("bin", crate_name, dir.join("main.rs"));
            (Unit::Dir { dir, exclude: None }, t)
        }
        ["src", "bin", file] => {
            let name = file.trim_end_matches(".rs").to_owned();
            (
                Unit::File(path.to_path_buf()),
                target("bin", name, path.to_path_buf()),
            )
        }
        ["src", ..] => {
            let dir = base.join("src");
            let (kind, root) = if package.dir.join("src/lib.rs").is_file() {
                ("lib", "lib.rs")
            } else {
                ("bin", "main.rs")
            };
            let t = target(kind, crate_name, package.dir.join("src").join(root));
            (
                Unit::Dir {
                    exclude: Some(dir.join("bin")),
                    dir,
                },
                t,
            )
        }
        [folder @ ("examples" | "tests" | "benches"), sub, _, ..]
            if package.dir.join(folder).join(sub).join("main.rs").is_file() =>
        {
            let kind = kind_of(folder);
            let dir = base.join(folder).join(sub);
            let t = target(kind, (*sub).to_owned(), dir.join("main.rs"));
            (Unit::Dir { dir, exclude: None }, t)
        }
        [folder @ ("examples" | "tests" | "benches"), .., file] => {
            let name = file.trim_end_matches(".rs").to_owned();
            (
                Unit::File(path.to_path_buf()),
                target(kind_of(folder), name, path.to_path_buf()),
            )
        }
        _ => {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                Unit::File(path.to_path_buf()),
                target("custom-build", name, path.to_path_buf()),
            )
        }
    }
}

fn kind_of(folder: &str) -> &'static str {
    match folder {
        "examples" => "example",
        "tests" => "test",
        _ => "bench",
    }
}

/// `path` with its last `n` components removed (as the user wrote it).
fn ancestor_of(path: &Path, n: usize) -> PathBuf {
    let mut p = path;
    for _ in 0..n {
        p = p.parent().unwrap_or(Path::new(""));
    }
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p.to_path_buf()
    }
}

fn find_package(abs: &Path, cache: &mut HashMap<PathBuf, Option<Package>>) -> Option<Package> {
    for dir in abs.ancestors().skip(1) {
        if let Some(found) = cache.get(dir) {
            if found.is_some() {
                return found.clone();
            }
            continue;
        }
        let package = read_package(dir);
        cache.insert(dir.to_path_buf(), package.clone());
        if package.is_some() {
            return package;
        }
    }
    None
}

fn read_package(dir: &Path) -> Option<Package> {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let package = table.get("package")?;
    let string = |key: &str, default: &str| {
        package
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_owned()
    };
    Some(Package {
        dir: dir.to_path_buf(),
        name: string("name", "unknown"),
        version: string("version", "0.0.0"),
        edition: string("edition", "2021"),
    })
}

/// The `.rs` files of a Rust unit.
fn unit_files(unit: &Unit) -> Vec<PathBuf> {
    match unit {
        Unit::File(f) => vec![f.clone()],
        Unit::Python(_) | Unit::PythonFile(_) => Vec::new(),
        Unit::Dir { dir, exclude } => {
            let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
                .require_git(false)
                .add_custom_ignore_filename(IGNORE_FILE)
                .build()
                .filter_map(Result::ok)
                .map(ignore::DirEntry::into_path)
                .filter(|p| p.extension().is_some_and(|e| e == "rs"))
                .filter(|p| exclude.as_ref().is_none_or(|x| !p.starts_with(x)))
                .collect();
            files.sort();
            files
        }
    }
}

/// Reads, parses and lints one file on its own, freeing the thread's spans after: its
/// findings, the error that stopped its check, and its text when it has a finding.
fn lint_file(path: &Path, facts: &CrateFacts, config: &Config) -> Linted {
    let text = match read_input(path, None) {
        Ok(input) => input.text,
        Err(e) => {
            return Linted {
                errors: vec![e],
                ..Linted::default()
            };
        }
    };
    let (findings, error) = match parse_guarded(path, &text) {
        Err(e) => (Vec::new(), Some(e)),
        Ok(file) => lint_parsed(path, &text, &file, facts, config),
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    let sources = if findings.is_empty() {
        Vec::new()
    } else {
        vec![(path.to_path_buf(), text)]
    };
    Linted {
        findings,
        errors: error.into_iter().collect(),
        sources,
    }
}

/// The files whose crate-level attributes count for the whole crate.
fn unit_roots(unit: &Unit) -> Vec<PathBuf> {
    match unit {
        Unit::Dir { dir, .. } => vec![dir.join("lib.rs"), dir.join("main.rs")],
        Unit::File(f) => vec![f.clone()],
        Unit::Python(_) | Unit::PythonFile(_) => Vec::new(),
    }
}

/// The facts of one file's text; none when it cannot be parsed (such a file is only reported
/// when it is itself checked). The caller frees the thread's spans.
fn file_facts(text: &str, is_root: bool) -> Option<CrateFacts> {
    if max_nesting(text) >= MAX_DEPTH {
        return None;
    }
    let file = parse(text).ok()?;
    let mut facts = CrateFacts::default();
    facts.add_file(&file, is_root);
    Some(facts)
}

/// The facts of every file of `unit` but `skip`, read from disk, not yet finished.
fn unit_facts(unit: &Unit, skip: Option<&Path>) -> CrateFacts {
    let mut files = unit_files(unit);
    files.retain(|f| Some(f.as_path()) != skip);
    let roots = unit_roots(unit);
    let parts: Vec<Option<CrateFacts>> = files
        .par_iter()
        .map(|path| {
            // Files of the crate outside the checked paths still contribute facts.
            let text = std::fs::read_to_string(path).ok()?;
            let facts = file_facts(&text, roots.contains(path));
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

#[cfg(test)]
mod tests {
    use super::*;

    type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

    /// Findings, errors and files with a finding, sorted, as text.
    type Rendered = (Vec<String>, Vec<String>, Vec<PathBuf>);

    fn render(result: &UnitResult) -> Rendered {
        let found = &result.found;
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
        let unit = Unit::Dir {
            dir: src.clone(),
            exclude: Some(src.join("bin")),
        };
        let linted = unit_files(&unit);
        assert_eq!(linted.len(), files.len());
        let target = fallback_target(&src.join("lib.rs"));
        let config = Config::default();
        let all_kept = render(&check_unit(
            &unit,
            &linted,
            &target,
            &config,
            u64::MAX,
            u64::MAX,
        ));
        assert_eq!(all_kept.0.len(), 3, "{:?}", all_kept.0);
        assert_eq!(all_kept.1.len(), 1, "{:?}", all_kept.1);
        // `broken.rs` and `jobs.rs` come first in the crate's order: a budget of their size
        // keeps them and parses the others twice.
        let first_two = std::fs::metadata(src.join("broken.rs"))?.len()
            + std::fs::metadata(src.join("jobs.rs"))?.len();
        for budget in [0, first_two] {
            let result = render(&check_unit(
                &unit,
                &linted,
                &target,
                &config,
                budget,
                u64::MAX,
            ));
            assert_eq!(result, all_kept, "budget {budget}");
        }
        // Shares of one byte: a thread per kept file, up to the pool's four; with a budget
        // that keeps some files and parses the others twice too.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(4).build()?;
        for budget in [u64::MAX, first_two] {
            let result =
                pool.install(|| render(&check_unit(&unit, &linted, &target, &config, budget, 1)));
            assert_eq!(result, all_kept, "budget {budget}, shares of one byte");
        }
        Ok(())
    }
}
