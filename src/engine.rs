//! The check driver, language-neutral: finds the files, reads and prefilters them, hands each
//! language's files to its front end (see [`crate::frontend`]), which groups them into units
//! that share facts (a cargo crate, a Python project); then checks the units in parallel,
//! the largest first, and merges what they found.
//!
//! It never looks inside a unit, and it tests no file's extension: each front end claims its
//! files and derives its prefilter from the catalogue.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ctxlint_catalogue::{Language, Level, Lint};
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Finding, TargetInfo};
use crate::error::{Error, ErrorKind};
use crate::frontend::{
    self, FileToLint, FrontEnd, Hit, IGNORE_FILE, Linted, Needle, Needles, Planned, STACK_SIZE,
    Walked,
};
use crate::languages;

/// Finds whether a file's text could hold a finding: the tags of its front end's needles
/// (under the configurations of the checked paths) that it contains.
struct Prefilter {
    /// The needles every text is searched for.
    first: Search,
    /// The needles narrowed by [`Needle::only_with`], searched for in a text that the first
    /// search gave one of `second_when`.
    second: Search,
    second_when: Hit,
}

/// One automaton over some needles, with their tags.
struct Search {
    /// `None` only if the automaton could not be built, which short needles never make
    /// happen; every file then gets every tag, which is slower but still right.
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Each pattern of `automaton`, by pattern index.
    needles: Vec<Needle>,
    /// The union of the tags: once a text has shown all of them, the search stops.
    all: Hit,
}

impl Prefilter {
    fn new<'c>(front: &dyn FrontEnd, configs: impl IntoIterator<Item = &'c Config>) -> Prefilter {
        let mut all = Needles::default();
        let mut any = false;
        for config in configs {
            any = true;
            all.needles.extend(front.needles(config).needles);
        }
        if !any {
            all = front.needles(&Config::default());
        }
        Prefilter::of(all)
    }

    fn of(mut all: Needles) -> Prefilter {
        // One pattern per text, with the union of what its entries say: searched for in
        // every file, and counted whatever comes next, if any of them says so.
        let mut needles: Vec<Needle> = Vec::new();
        all.needles.sort_by(|a, b| a.text.cmp(&b.text));
        for needle in all.needles {
            match needles.last_mut() {
                Some(last) if last.text == needle.text => {
                    last.tags = last.tags.or(needle.tags);
                    last.only_with = last.only_with.zip(needle.only_with).map(|(a, b)| a.or(b));
                    if last.followed_by.is_empty() || needle.followed_by.is_empty() {
                        last.followed_by.clear();
                    } else {
                        last.followed_by.extend(needle.followed_by);
                    }
                }
                _ => needles.push(needle),
            }
        }
        let (first, second): (Vec<_>, Vec<_>) =
            needles.into_iter().partition(|n| n.only_with.is_none());
        let second_when = second
            .iter()
            .filter_map(|n| n.only_with)
            .fold(Hit::default(), Hit::or);
        Prefilter {
            first: Search::new(first),
            second: Search::new(second),
            second_when,
        }
    }

    /// How `text` meets the needles: `None` when it cannot hold a finding.
    fn hit(&self, text: &[u8]) -> Option<Hit> {
        let mut found = self.first.hit(text, Hit::default());
        if found.any(self.second_when) {
            found = self.second.hit(text, found);
        }
        (found != Hit::default()).then_some(found)
    }
}

impl Search {
    fn new(needles: Vec<Needle>) -> Search {
        // Leftmost-longest, not overlapping: a needle inside a longer one (`spawn` in
        // `spawn_blocking`) has the same tags in every front end's list, so the longer match
        // says all, and a non-overlapping search runs on the automaton's fast prefilter.
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(needles.iter().map(|n| &n.text))
            .ok();
        let all = needles.iter().fold(Hit::default(), |a, n| a.or(n.tags));
        Search {
            automaton,
            needles,
            all,
        }
    }

    /// The tags of `found` and those of the needles in `text` whose condition `found` meets
    /// (the first search's needles have none); every tag when the search cannot run.
    fn hit(&self, text: &[u8], mut found: Hit) -> Hit {
        if self.needles.is_empty() {
            return found;
        }
        let Some(automaton) = &self.automaton else {
            return Hit::ALL;
        };
        // (It fails only for an anchored search, which this automaton is not built for.)
        let Ok(matches) = automaton.try_find_iter(aho_corasick::Input::new(text)) else {
            return Hit::ALL;
        };
        let before = found;
        for m in matches {
            if !is_code_word(text, m.start(), m.end()) {
                continue;
            }
            if let Some(needle) = self.needles.get(m.pattern().as_usize())
                && needle.only_with.is_none_or(|when| before.any(when))
                && (needle.followed_by.is_empty()
                    || text[m.end()..]
                        .iter()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_some_and(|b| needle.followed_by.contains(b)))
            {
                found = found.or(needle.tags);
            }
            if found.or(self.all) == found {
                break;
            }
        }
        found
    }
}

/// Whether the match at `start..end` of `text` is a whole word of code: not inside a longer
/// identifier (`set_default` in `X509_set_default_paths`), and not on a line comment
/// (`/// let _e = span.enter();` in documentation, `# loop.run_in_executor(..)`), which no
/// lint reads. Both drivers' lints look at code only, so a match that is neither cannot
/// lead to a finding; dropping it keeps whole crates of generated bindings and documented
/// libraries from being parsed.
fn is_code_word(text: &[u8], start: usize, end: usize) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let first = text.get(start).copied().is_some_and(ident);
    let last = end > start && text.get(end - 1).copied().is_some_and(ident);
    if first && start > 0 && text.get(start - 1).copied().is_some_and(ident) {
        return false;
    }
    if last && text.get(end).copied().is_some_and(ident) {
        return false;
    }
    // The line's first non-blank bytes: `//` (Rust) or `#` followed by a space (a Python
    // comment; `#[attr]` and `#!` stay code).
    let line_start = text[..start]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let line = text[line_start..start].trim_ascii_start();
    !(line.starts_with(b"//") || line.starts_with(b"# ") || line == b"#")
}

/// What to check and how.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Files and directories to check; directories are walked for the files of every
    /// language ctxlint checks (`.rs`, `.py`), respecting `.gitignore`.
    pub paths: Vec<PathBuf>,
    /// A configuration file to use instead of discovering one per crate or project.
    pub config: Option<PathBuf>,
    /// Levels set on the command line, applied over every configuration, in order.
    pub levels: Vec<(&'static Lint, Level)>,
    /// Parse every file, not only those that could hold a finding. The findings are the same;
    /// this exists to test that, and to measure what the prefilter saves.
    pub no_prefilter: bool,
    /// Worker threads; `None` for one per core.
    pub jobs: Option<usize>,
    /// Counters that [`check`] raises as it goes, for a caller that shows progress (the
    /// library draws nothing itself).
    pub progress: Option<Arc<Progress>>,
}

/// How far a [`check`] has got: counters that the engine raises as it works and that another
/// thread may read at any time, to draw a progress bar or log. Each check starts them at zero.
///
/// A check first finds the files and reads each one (to see whether it could hold a
/// finding), then parses and lints the files that could, by crate or project.
///
/// ```
/// use std::sync::Arc;
/// let progress = Arc::new(ctxlint::Progress::default());
/// let options = ctxlint::CheckOptions {
///     paths: vec!["src".into()],
///     progress: Some(Arc::clone(&progress)),
///     ..Default::default()
/// };
/// // Another thread may read `progress` while this runs.
/// let output = ctxlint::check(&options)?;
/// assert_eq!(progress.found(), output.files);
/// assert_eq!(progress.to_lint(), Some(output.linted));
/// assert_eq!(progress.linted(), output.linted);
/// # Ok::<(), ctxlint::Error>(())
/// ```
#[derive(Debug)]
pub struct Progress {
    found: AtomicUsize,
    read: AtomicUsize,
    /// `usize::MAX` until the files to lint are known.
    to_lint: AtomicUsize,
    linted: AtomicUsize,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress {
            found: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            to_lint: AtomicUsize::new(usize::MAX),
            linted: AtomicUsize::new(0),
        }
    }
}

impl Progress {
    /// How many files of a language ctxlint checks were found so far.
    pub fn found(&self) -> usize {
        self.found.load(Ordering::Relaxed)
    }

    /// How many of the found files were read.
    pub fn read(&self) -> usize {
        self.read.load(Ordering::Relaxed)
    }

    /// How many files are to be parsed and linted, once every file was read; `None` before.
    pub fn to_lint(&self) -> Option<usize> {
        let n = self.to_lint.load(Ordering::Relaxed);
        (n != usize::MAX).then_some(n)
    }

    /// How many of the files to lint were linted.
    pub fn linted(&self) -> usize {
        self.linted.load(Ordering::Relaxed)
    }

    fn restart(&self) {
        self.found.store(0, Ordering::Relaxed);
        self.read.store(0, Ordering::Relaxed);
        self.to_lint.store(usize::MAX, Ordering::Relaxed);
        self.linted.store(0, Ordering::Relaxed);
    }

    fn add(counter: &AtomicUsize, n: usize) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
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
    /// The package and target of each file with a finding, for JSON.
    pub targets: HashMap<PathBuf, TargetInfo>,
    /// How many files of a language ctxlint checks were found.
    pub files: usize,
    /// How many files were parsed to be linted (the rest could not hold a finding).
    pub linted: usize,
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
/// have no file yet). The rest of its crate or project is read from disk for the shared facts.
/// The language is the one whose front end claims `path`.
///
/// Used by `ctxlint server` on every change of a buffer. Like [`check`], a syntax error or a
/// too-deep file is in [`CheckOutput::errors`], not a failure; text that cannot hold a
/// finding is not parsed.
///
/// # Errors
/// An explicit `config` that cannot be read or is invalid, a discovered configuration that is
/// invalid, or a thread pool that cannot start.
pub fn check_source(path: &Path, text: &str, config: Option<&Path>) -> Result<CheckOutput, Error> {
    check_source_as(path, text, None, config)
}

/// [`check_source`] in a given `language` (an editor says which, whatever the buffer's name),
/// or the language of `path` when `None`. A buffer of no language ctxlint checks has nothing
/// to report.
///
/// # Errors
/// As [`check_source`].
pub fn check_source_as(
    path: &Path,
    text: &str,
    language: Option<Language>,
    config: Option<&Path>,
) -> Result<CheckOutput, Error> {
    check_buffer(path, text, language, config, &[], true)
}

/// Checks `text` as the content of `path` (`ctxlint check - --stdin-filename PATH`), with the
/// configuration, levels and prefilter choice of `options`; its paths, jobs and progress are
/// not used. `path` decides the language and where the configuration and the rest of the
/// crate or project are found, and names the findings; it need not exist.
///
/// ```
/// let path = std::env::temp_dir().join("ctxlint-doc-no-project").join("app.py");
/// let text = "from contextvars import ContextVar\nseen = ContextVar('seen', default=[])\n";
/// let output = ctxlint::check_text(&path, text, &Default::default())?;
/// assert_eq!(output.findings[0].lint.code, "CTX001");
/// assert_eq!(output.findings[0].path, path);
/// # Ok::<(), ctxlint::Error>(())
/// ```
///
/// # Errors
/// As [`check_source`].
pub fn check_text(path: &Path, text: &str, options: &CheckOptions) -> Result<CheckOutput, Error> {
    check_buffer(
        path,
        text,
        None,
        options.config.as_deref(),
        &options.levels,
        !options.no_prefilter,
    )
}

fn check_buffer(
    path: &Path,
    text: &str,
    language: Option<Language>,
    config: Option<&Path>,
    levels: &[(&'static Lint, Level)],
    prefilter: bool,
) -> Result<CheckOutput, Error> {
    let mut out = CheckOutput {
        files: 1,
        ..CheckOutput::default()
    };
    let Some(front) = language
        .map(languages::for_language)
        .or_else(|| languages::for_path(path))
    else {
        out.files = 0;
        return Ok(out);
    };
    let planned = front.plan_buffer(path);
    let config = match config {
        Some(file) => Config::from_file(file)?.unwrap_or_default(),
        None => Config::discover(&planned.config_dir)?,
    }
    .with_levels(levels);
    // An editor's buffer is checked when it could hold a finding at all: its crate or
    // project is read from disk anyway.
    if prefilter
        && Prefilter::new(front, [&config])
            .hit(text.as_bytes())
            .is_none()
    {
        return Ok(out);
    }
    // The parser and the walk recurse once per level of nesting: run them on threads with
    // the large stack, as `check` does.
    let pool = source_pool()?;
    let found = pool.install(|| planned.unit.check_buffer(path, text, &config));
    out.linted = 1;
    if !found.findings.is_empty() {
        out.sources.insert(path.to_path_buf(), Arc::from(text));
        out.targets.insert(path.to_path_buf(), planned.target);
    }
    out.findings = found.findings;
    out.errors = found.errors;
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

/// A file found by the walk, with the directory it was found under and its front end.
#[derive(Clone)]
struct Found {
    path: PathBuf,
    root: Option<PathBuf>,
    front: &'static dyn FrontEnd,
}

fn run(options: &CheckOptions, explicit_config: Option<Config>) -> CheckOutput {
    let mut out = CheckOutput::default();
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let progress = options.progress.as_deref();
    if let Some(p) = progress {
        p.restart();
    }
    let (files, walked) = walk(&paths, &mut out.errors, progress);
    out.files = files.len();

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
    let prefilters: Vec<Prefilter> = languages::FRONT_ENDS
        .iter()
        .map(|front| Prefilter::new(*front, &root_configs))
        .collect();
    let prefilter_of = |front: &dyn FrontEnd| {
        let at = languages::FRONT_ENDS
            .iter()
            .position(|f| f.language() == front.language());
        at.and_then(|at| prefilters.get(at))
            .filter(|_| !options.no_prefilter)
    };

    // The files that could hold a finding. Every file is read (and its UTF-8 checked) here,
    // but no text is kept: the units read again the ones that pass, so that memory does not
    // grow with the number of files. Without the prefilter, every readable file passes.
    let read: Vec<Result<Option<(Hit, usize)>, Error>> = files
        .par_iter()
        // One buffer per job, reused from file to file: a fresh one for each file had the
        // kernel fault in and zero new pages for every file read.
        .map_init(Vec::new, |bytes, found| {
            if let Some(p) = progress {
                Progress::add(&p.read, 1);
            }
            read_into(&found.path, bytes).map_err(|e| Error::io(&found.path, e))?;
            let hit = match prefilter_of(found.front) {
                Some(prefilter) => prefilter.hit(bytes),
                None => Some(Hit::ALL),
            };
            frontend::check_utf8(&found.path, bytes, found.front.language())?;
            Ok(hit.map(|hit| (hit, bytes.len())))
        })
        .collect();
    let mut hits: Vec<Vec<FileToLint>> = languages::FRONT_ENDS.iter().map(|_| Vec::new()).collect();
    for (found, r) in files.into_iter().zip(read) {
        match r {
            Ok(Some((hit, len))) => {
                let at = languages::FRONT_ENDS
                    .iter()
                    .position(|f| f.language() == found.front.language())
                    .unwrap_or(0);
                hits[at].push(FileToLint {
                    path: found.path,
                    root: found.root,
                    len,
                    hit,
                });
            }
            Ok(None) => {}
            Err(e) => out.errors.push(e),
        }
    }
    let mut units: Vec<Planned> = languages::FRONT_ENDS
        .iter()
        .zip(hits)
        .flat_map(|(front, hits)| front.plan(hits, &walked))
        .collect();
    out.linted = units.iter().map(|u| u.files.len()).sum();
    if let Some(p) = progress {
        p.to_lint.store(out.linted, Ordering::Relaxed);
    }
    // A unit's files are parsed together: start with the largest in bytes (what the parse
    // costs), so that no large unit is left alone at the end while the other threads idle.
    // The sort is stable, so that units of one size keep the front ends' order.
    units.sort_by_key(|u| std::cmp::Reverse(u.bytes));

    let mut configs: HashMap<PathBuf, Result<Arc<Config>, Error>> = HashMap::new();
    let configured: Vec<(Planned, Result<Arc<Config>, Error>)> = units
        .into_iter()
        .map(|unit| {
            let config = match &explicit_config {
                Some(c) => Ok(Arc::new(c.with_levels(&options.levels))),
                None => configs
                    .entry(unit.config_dir.clone())
                    .or_insert_with(|| {
                        Config::discover(&unit.config_dir)
                            .map(|c| Arc::new(c.with_levels(&options.levels)))
                    })
                    .clone(),
            };
            (unit, config)
        })
        .collect();

    let results: Vec<(Linted, &TargetInfo)> = configured
        .par_iter()
        // One job per unit: left to split as it likes, rayon hands a worker a run of units
        // that it then checks in turn, which no idle worker can take from it (the other
        // worker idled through the last half of a full parse of the corpus).
        .with_max_len(1)
        .filter_map(|(unit, config)| {
            let config = config.as_ref().ok()?;
            let linted = unit.unit.check(&unit.files, config);
            if let Some(p) = progress {
                Progress::add(&p.linted, unit.files.len());
            }
            Some((linted, &unit.target))
        })
        .collect();
    let mut config_errors: Vec<&Error> = Vec::new();
    for (_, config) in &configured {
        if let Err(e) = config
            && !config_errors
                .iter()
                .any(|known| known.to_string() == e.to_string())
        {
            config_errors.push(e);
        }
    }
    out.errors.extend(config_errors.into_iter().cloned());
    for (found, target) in results {
        for (path, text) in found.sources {
            out.targets.insert(path.clone(), target.clone());
            out.sources.insert(path, text);
        }
        out.findings.extend(found.findings);
        out.errors.extend(found.errors);
    }
    // A second place in the finding's own file may have been found through another form of
    // its path (a module's facts read by a lookup, `src/a.py`, before the file's own turn as
    // `./src/a.py`): it is shown in the finding's form, so that a report draws one file once.
    for finding in &mut out.findings {
        if let Some(related) = &mut finding.related
            && related.path != finding.path
            && same_file(&related.path, &finding.path)
        {
            related.path.clone_from(&finding.path);
        }
    }
    out.findings
        .sort_by(|a, b| (&a.path, a.span, a.lint.name).cmp(&(&b.path, b.span, b.lint.name)));
    out.errors
        .sort_by(|a, b| (a.path(), a.to_string()).cmp(&(b.path(), b.to_string())));
    out
}

/// Reads the file at `path` into `bytes`, in place of what they held.
fn read_into(path: &Path, bytes: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Read;
    bytes.clear();
    std::fs::File::open(path)?.read_to_end(bytes).map(drop)
}

/// Whether two shown paths name one file: equal once absolute (`./src/a.py`, `src/a.py`).
fn same_file(a: &Path, b: &Path) -> bool {
    matches!((std::path::absolute(a), std::path::absolute(b)), (Ok(a), Ok(b)) if a == b)
}

/// Finds the files of every front end under `paths` (and the files named directly: a script
/// goes to the front end its `#!` line names, and the first front end takes the others that
/// none claims), sorted, each with the directory it was found under; and, for each directory
/// walked, every file in it that a unit may read for its facts (see [`Walked`]).
fn walk(
    paths: &[PathBuf],
    errors: &mut Vec<Error>,
    progress: Option<&Progress>,
) -> (Vec<Found>, Walked) {
    let mut files = Vec::new();
    let mut walked = Walked::default();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => errors.push(Error::io(path, e)),
            Ok(meta) if meta.is_file() => files.push(Found {
                path: path.clone(),
                root: None,
                front: languages::for_path(path)
                    .or_else(|| languages::for_script(path))
                    .unwrap_or(languages::FRONT_ENDS[0]),
            }),
            Ok(meta) if !meta.is_dir() => {
                errors.push(Error::new(
                    ErrorKind::Io,
                    Some(path),
                    "not a file or directory",
                ));
            }
            Ok(_) => {
                // One walk by the rules of a unit's facts (`.gitignore` only), which gives the
                // files to check too: as they are, or less those that the other ignore files
                // name. Only git's excludes, or an ignore file that re-includes (`!`), take a
                // second walk by the rules of checking. A project's file list then costs no
                // walk of its own.
                let tree = walk_tree(path, Rules::Facts, progress);
                let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                let absolute: Vec<PathBuf> = tree
                    .found
                    .iter()
                    .map(|f| match f.path.strip_prefix(path) {
                        Ok(rel) => abs.join(rel),
                        Err(_) => std::path::absolute(&f.path).unwrap_or_else(|_| f.path.clone()),
                    })
                    .collect();
                let (mut ignore_files, git_above) = ignores_above(&abs);
                ignore_files.extend(tree.ignore_files.iter().cloned());
                let matchers = if tree.git_excludes || git_above || global_excludes() {
                    None
                } else {
                    Matchers::of(&ignore_files)
                };
                match matchers {
                    Some(m) => {
                        // A directory that an ignore file names is not walked by the rules of
                        // checking, so its errors (a link loop, an unreadable directory) are
                        // not the check's.
                        errors.extend(
                            tree.errors
                                .iter()
                                .filter(|e| {
                                    e.path().is_none_or(|p| {
                                        let p = std::path::absolute(p)
                                            .unwrap_or_else(|_| p.to_path_buf());
                                        !m.ignores(&p, &abs)
                                    })
                                })
                                .cloned(),
                        );
                        files.extend(
                            tree.found
                                .iter()
                                .zip(&absolute)
                                .filter(|(_, file)| !m.ignores(file, &abs))
                                .map(|(f, _)| f.clone()),
                        );
                    }
                    None => {
                        let checked = walk_tree(path, Rules::Check, progress);
                        errors.extend(checked.errors);
                        files.extend(checked.found);
                    }
                }
                let mut all = absolute;
                all.sort();
                walked.trees.push((abs, all.into()));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    if let Some(p) = progress {
        // Files named on the command line, and those found twice, counted once.
        p.found.store(files.len(), Ordering::Relaxed);
    }
    (files, walked)
}

/// Which ignore files a walk obeys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rules {
    /// `.gitignore` only: the files a unit may read for its facts (an ignored module can still
    /// define what a checked one imports).
    Facts,
    /// Every ignore file: `.gitignore`, `.ignore`, [`IGNORE_FILE`], git's `info/exclude` and
    /// the global excludes. The files to check.
    Check,
}

/// What one walk of a directory found.
#[derive(Default)]
struct Tree {
    found: Vec<Found>,
    errors: Vec<Error>,
    /// The ignore files seen that [`Rules::Facts`] does not obey: `.ignore` and
    /// [`IGNORE_FILE`].
    ignore_files: Vec<PathBuf>,
    /// Whether a `.git` was seen whose excludes may hold patterns.
    git_excludes: bool,
}

/// Walks `path` in parallel (a walk of many small directories waits on the file system more
/// than it computes, and each thread's waits overlap), hidden entries and the directories a
/// front end skips left out.
fn walk_tree(path: &Path, rules: Rules, progress: Option<&Progress>) -> Tree {
    let check = rules == Rules::Check;
    let found = std::sync::Mutex::new(Tree::default());
    let mut builder = ignore::WalkBuilder::new(path);
    builder
        .follow_links(true)
        .require_git(false)
        .ignore(check)
        .git_exclude(check)
        .git_global(check)
        // Hidden entries are seen, to notice the ignore files among them, and then left out
        // as the walker would.
        .hidden(false);
    if check {
        builder.add_custom_ignore_filename(IGNORE_FILE);
    }
    let found_ref = &found;
    // The filter outlives this call (the builder wants it `'static`).
    let seen_ignores: Arc<std::sync::Mutex<(Vec<PathBuf>, bool)>> = Arc::default();
    let seen = Arc::clone(&seen_ignores);
    builder
        .filter_entry(move |e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if e.depth() > 0 && e.file_name().as_encoded_bytes().starts_with(b".") {
                let name = e.file_name();
                if !check && let Ok(mut seen) = seen.lock() {
                    if name == IGNORE_FILE || name == ".ignore" {
                        seen.0.push(e.path().to_path_buf());
                    } else if name == ".git" && git_excludes_something(e.path()) {
                        seen.1 = true;
                    }
                }
                return false;
            }
            !(is_dir && languages::FRONT_ENDS.iter().any(|f| f.skips_dir(e.path())))
        })
        .build_parallel()
        .run(|| {
            Box::new(move |entry| {
                let item = match entry {
                    Ok(entry) => match languages::for_path(entry.path()) {
                        Some(front) if entry.file_type().is_some_and(|t| t.is_file()) => {
                            Some(Ok(Found {
                                path: entry.into_path(),
                                root: Some(path.to_path_buf()),
                                front,
                            }))
                        }
                        _ => None,
                    },
                    Err(e) => Some(Err(walk_error(path, e))),
                };
                if let Some(item) = item
                    && let Ok(mut tree) = found_ref.lock()
                {
                    match item {
                        Ok(file) => {
                            if let Some(p) = progress {
                                Progress::add(&p.found, 1);
                            }
                            tree.found.push(file);
                        }
                        Err(e) => tree.errors.push(e),
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut tree = found.into_inner().unwrap_or_else(|p| p.into_inner());
    let (ignore_files, git_excludes) = std::mem::take(
        &mut *seen_ignores
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    tree.ignore_files = ignore_files;
    tree.git_excludes = git_excludes;
    // In a stable order, whatever the threads' order.
    tree.errors.sort_by_key(ToString::to_string);
    tree
}

/// Whether the git directory (or `.git` file of a worktree) at `git` may exclude files: its
/// `info/exclude` holds a pattern, or it is a worktree's file (whose excludes are elsewhere).
fn git_excludes_something(git: &Path) -> bool {
    if git.is_file() {
        return true;
    }
    std::fs::read_to_string(git.join("info").join("exclude")).is_ok_and(|text| {
        text.lines()
            .map(str::trim)
            .any(|l| !l.is_empty() && !l.starts_with('#'))
    })
}

/// Whether git's global excludes (`core.excludesFile`, or `$XDG_CONFIG_HOME/git/ignore`) hold
/// a pattern. Read once.
fn global_excludes() -> bool {
    static GLOBAL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *GLOBAL.get_or_init(|| ignore::gitignore::Gitignore::global().0.num_ignores() > 0)
}

/// The ignore files above `abs` that apply to its walk (the walker reads those of the parent
/// directories too) and that [`Rules::Facts`] does not obey, and whether a `.git` above it
/// may exclude files.
fn ignores_above(abs: &Path) -> (Vec<PathBuf>, bool) {
    let mut files = Vec::new();
    let mut git = false;
    for dir in abs.ancestors().skip(1) {
        for name in [IGNORE_FILE, ".ignore"] {
            let file = dir.join(name);
            if file.is_file() {
                files.push(file);
            }
        }
        let dot_git = dir.join(".git");
        git |= dot_git.exists() && git_excludes_something(&dot_git);
    }
    (files, git)
}

/// The `.ignore` and [`IGNORE_FILE`] files of a walk, read as the walker reads them, when none
/// re-includes a path (`!`): then a path is left out when any of them names it or a directory
/// above it, whatever their order.
struct Matchers(Vec<ignore::gitignore::Gitignore>);

impl Matchers {
    /// The matchers of `files`, or `None` when one cannot be read or re-includes a path (the
    /// walker's order of precedence would then matter).
    fn of(files: &[PathBuf]) -> Option<Matchers> {
        let mut matchers = Vec::with_capacity(files.len());
        for file in files {
            // Absolute, as the paths it is asked about.
            let file = std::path::absolute(file).ok()?;
            let text = std::fs::read_to_string(&file).ok()?;
            if text.lines().any(|l| l.trim_start().starts_with('!')) {
                return None;
            }
            let dir = file.parent()?;
            let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
            if builder.add(&file).is_some() {
                return None;
            }
            matchers.push(builder.build().ok()?);
        }
        Some(Matchers(matchers))
    }

    /// Whether the file at `abs`, found by a walk of `root`, is left out: the file, or a
    /// directory between it and `root`, is named by an ignore file of a directory above it.
    /// As in the walker, the walked directory itself and those above it are never matched,
    /// and an ignore file speaks only of what is inside its directory.
    fn ignores(&self, abs: &Path, root: &Path) -> bool {
        abs.ancestors()
            .take_while(|p| *p != root && p.starts_with(root))
            .enumerate()
            .any(|(i, p)| {
                self.0.iter().any(|m| {
                    p != m.path() && p.starts_with(m.path()) && m.matched(p, i > 0).is_ignore()
                })
            })
    }
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
            other => walk_error(&path, other).or_path(&path),
        },
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, *err)
        }
        ignore::Error::Io(io) => Error::io(root, io),
        other => Error::new(ErrorKind::Io, Some(root), other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the Rust front end plans `text`, with the prefilter, as a file on its own.
    fn rust_plans(text: &str) -> bool {
        let Some(front) = languages::FRONT_ENDS
            .iter()
            .find(|f| f.language() == Language::Rust)
        else {
            return false;
        };
        let Some(hit) = Prefilter::new(*front, [&Config::default()]).hit(text.as_bytes()) else {
            return false;
        };
        let file = FileToLint {
            path: PathBuf::from("/nonexistent/ctxlint-test/lib.rs"),
            root: None,
            len: text.len(),
            hit,
        };
        !front.plan(vec![file], &Walked::default()).is_empty()
    }

    /// A pin is a call or a macro: a guarded block whose only sign of a future is `Box::pin`
    /// is linted (`sync_run_wraps_future` reports it), one that only names `std::pin::Pin` is
    /// not.
    #[test]
    fn a_pin_counts_as_a_call_or_a_macro() {
        let guarded = |pin: &str| {
            format!(
                "{pin}\nfn boxed(span: &Span) -> Pin<Box<dyn Future<Output = u32>>> {{\n    \
                 let future = {{ let _entered = span.clone().entered(); work() }};\n    \
                 Box::new(future)\n}}\n"
            )
        };
        for pin in [
            "fn f() { Box::pin(future) }",
            "fn f() { Box::pin (future) }",
            "fn f() { std::pin::pin!(future); }",
            "fn f() { tokio::pin! { future } }",
        ] {
            assert!(rust_plans(&guarded(pin)), "{pin}");
        }
        for pin in [
            "use std::pin::Pin;",
            "#[pin_project] struct S { #[pin] f: F }",
        ] {
            assert!(!rust_plans(&guarded(pin)), "{pin}");
        }
    }

    /// The second search changes which files are linted in no way: on this repository's
    /// files (the UI cases among them), every front end plans the same files with it as with
    /// every needle searched for in every file.
    #[test]
    fn the_second_search_plans_the_same_files() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files: Vec<PathBuf> = ignore::Walk::new(repo)
            .filter_map(Result::ok)
            .map(ignore::DirEntry::into_path)
            .filter(|p| p.is_file() && !p.starts_with(repo.join("target")))
            .collect();
        let mut skipped = 0;
        for front in languages::FRONT_ENDS {
            let config = Config::default();
            let two = Prefilter::new(*front, [&config]);
            let mut needles = front.needles(&config);
            for needle in &mut needles.needles {
                needle.only_with = None;
            }
            let one = Prefilter::of(needles);
            let (mut by_two, mut by_one) = (Vec::new(), Vec::new());
            for path in files.iter().filter(|p| front.claims(p)) {
                let Ok(text) = std::fs::read(path) else {
                    continue;
                };
                let (a, b) = (two.hit(&text), one.hit(&text));
                skipped += usize::from(a != b);
                for (hit, to) in [(a, &mut by_two), (b, &mut by_one)] {
                    if let Some(hit) = hit {
                        to.push(FileToLint {
                            path: path.clone(),
                            root: Some(repo.to_path_buf()),
                            len: text.len(),
                            hit,
                        });
                    }
                }
            }
            let planned = |hits: Vec<FileToLint>| -> Vec<Vec<PathBuf>> {
                front
                    .plan(hits, &Walked::default())
                    .into_iter()
                    .map(|p| p.files)
                    .collect()
            };
            let (two, one) = (planned(by_two), planned(by_one));
            assert!(!one.is_empty(), "{:?} plans no file", front.language());
            assert_eq!(two, one, "{:?}", front.language());
        }
        // Some file's tags differ, or this test would not show anything.
        assert!(skipped > 0);
    }
}
