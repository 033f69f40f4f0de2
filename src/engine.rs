//! The check driver: finds the files, groups them into units that share facts (Rust crates,
//! Python projects), collects each unit's facts, and runs the lints on every file in parallel.
//!
//! It is language-neutral: each file goes to the front end of its extension (`src/rust/` for
//! `.rs`, `src/python/` for `.py`), and every front end gives the same [`Finding`]s.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Finding, TargetInfo, fallback_target};
use crate::error::{Error, ErrorKind};
use crate::python::facts::ProjectFacts;
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
    path: PathBuf,
    /// The directory it was found under, when it was found by walking one.
    root: Option<PathBuf>,
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

/// A unit to check: its files (indices into the inputs), its target, and its configuration
/// (or the configuration's error).
type PlannedUnit = (Unit, Vec<usize>, TargetInfo, Result<Arc<Config>, String>);

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
        path: path.to_path_buf(),
        root: None,
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
        let mut facts = unit_facts(&unit, &HashMap::new(), Some(path));
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
    let read: Vec<Result<Input, Error>> = files
        .par_iter()
        .map(|(path, root)| {
            read_input(
                path,
                root.as_deref(),
                (!options.no_prefilter).then_some(&prefilter),
            )
        })
        .collect();
    let mut inputs = Vec::new();
    for r in read {
        match r {
            Ok(input) => inputs.push(input),
            Err(e) => out.errors.push(e),
        }
    }

    // Group the files that could hold a finding by crate.
    let mut packages: HashMap<PathBuf, Option<Package>> = HashMap::new();
    let mut units: BTreeMap<Unit, (Vec<usize>, TargetInfo)> = BTreeMap::new();
    for (index, input) in inputs.iter().enumerate() {
        if !input.hit {
            continue;
        }
        let (unit, target) = if is_python(&input.path) {
            python_unit_of(&input.path, input.root.as_deref())
        } else {
            unit_of(&input.path, &mut packages)
        };
        units
            .entry(unit)
            .or_insert_with(|| (Vec::new(), target))
            .0
            .push(index);
    }
    out.linted = units.values().map(|(files, _)| files.len()).sum();

    let mut configs: HashMap<PathBuf, Result<Arc<Config>, String>> = HashMap::new();
    let units: Vec<PlannedUnit> = units
        .into_iter()
        .map(|(unit, (files, target))| {
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

    let by_path: HashMap<&Path, &Input> = inputs.iter().map(|i| (i.path.as_path(), i)).collect();
    let mut config_errors: Vec<String> = Vec::new();
    let results: Vec<(Vec<Finding>, Vec<Error>, TargetInfo)> = units
        .par_iter()
        .filter_map(|(unit, files, target, config)| {
            let config = config.as_ref().ok()?;
            let (findings, errors): (Vec<_>, Vec<_>) = match unit {
                Unit::Python(_) | Unit::PythonFile(_) => {
                    let dir = match unit {
                        Unit::Python(dir) => Some(dir.as_path()),
                        _ => None,
                    };
                    let checked: Vec<PathBuf> =
                        files.iter().map(|&i| inputs[i].path.clone()).collect();
                    let facts = python_facts(dir, &checked, &by_path);
                    files
                        .par_iter()
                        .map(|&i| {
                            let input = &inputs[i];
                            crate::python::project::lint_text(
                                &input.path,
                                &input.text,
                                dir,
                                &facts,
                                config,
                            )
                        })
                        .unzip()
                }
                _ => {
                    let mut facts = collect_facts(unit, &by_path, config);
                    facts.test_target = is_test_target(unit, target);
                    files
                        .par_iter()
                        .map(|&i| lint_file(&inputs[i], &facts, config))
                        .unzip()
                }
            };
            Some((
                findings.concat(),
                errors.into_iter().flatten().collect(),
                target.clone(),
            ))
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
    for (findings, errors, target) in results {
        for finding in &findings {
            if let Some(input) = by_path.get(finding.path.as_path()) {
                out.sources
                    .insert(finding.path.clone(), Arc::clone(&input.text));
                out.targets.insert(finding.path.clone(), target.clone());
            }
        }
        out.findings.extend(findings);
        out.errors.extend(errors);
    }
    out.findings
        .sort_by(|a, b| (&a.path, a.span, a.lint.name).cmp(&(&b.path, b.span, b.lint.name)));
    out.errors
        .sort_by(|a, b| (a.path(), a.to_string()).cmp(&(b.path(), b.to_string())));
    out
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

fn read_input(
    path: &Path,
    root: Option<&Path>,
    prefilter: Option<&Prefilter>,
) -> Result<Input, Error> {
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
        path: path.to_path_buf(),
        root: root.map(Path::to_path_buf),
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

fn collect_facts(unit: &Unit, inputs: &HashMap<&Path, &Input>, config: &Config) -> CrateFacts {
    let mut facts = unit_facts(unit, inputs, None);
    facts.finish(config);
    facts
}

/// The files whose crate-level attributes count for the whole crate.
fn unit_roots(unit: &Unit) -> Vec<PathBuf> {
    match unit {
        Unit::Dir { dir, .. } => vec![dir.join("lib.rs"), dir.join("main.rs")],
        Unit::File(f) => vec![f.clone()],
        Unit::Python(_) | Unit::PythonFile(_) => Vec::new(),
    }
}

/// The facts of every file of `unit` but `skip`, not yet finished.
fn unit_facts(unit: &Unit, inputs: &HashMap<&Path, &Input>, skip: Option<&Path>) -> CrateFacts {
    let mut files = unit_files(unit);
    files.retain(|f| Some(f.as_path()) != skip);
    let roots = unit_roots(unit);
    let parts: Vec<CrateFacts> = files
        .par_iter()
        .map(|path| {
            let mut facts = CrateFacts::default();
            let text: Option<Arc<str>> = match inputs.get(path.as_path()) {
                Some(input) => Some(Arc::clone(&input.text)),
                // Files of the crate outside the checked paths still contribute facts; one
                // that cannot be read or parsed contributes none (it is only reported when
                // it is itself checked).
                None => std::fs::read_to_string(path).ok().map(Arc::from),
            };
            if let Some(text) = text {
                if max_nesting(&text) < MAX_DEPTH
                    && let Ok(file) = parse(&text)
                {
                    facts.add_file(&file, roots.contains(path));
                }
                proc_macro2::extra::invalidate_current_thread_spans();
            }
            facts
        })
        .collect();
    let mut facts = CrateFacts::default();
    for part in parts {
        facts.merge(part);
    }
    facts
}

/// The facts of a Python project (`dir`, or the lone file of `checked`) and of its checked
/// files, reusing the texts already read.
fn python_facts(
    dir: Option<&Path>,
    checked: &[PathBuf],
    inputs: &HashMap<&Path, &Input>,
) -> ProjectFacts {
    let only = checked.first().map_or(Path::new(""), PathBuf::as_path);
    // The inputs are keyed by path as given; the project's files are absolute.
    let by_abs: HashMap<PathBuf, Arc<str>> = inputs
        .values()
        .filter(|i| is_python(&i.path))
        .filter_map(|i| {
            std::path::absolute(&i.path)
                .ok()
                .map(|p| (p, Arc::clone(&i.text)))
        })
        .collect();
    crate::python::project::project_facts(dir, only, checked, None, &|p: &Path| {
        by_abs.get(p).cloned()
    })
}

fn lint_file(input: &Input, facts: &CrateFacts, config: &Config) -> (Vec<Finding>, Option<Error>) {
    let path = &input.path;
    let text = &*input.text;
    let result = match parse_guarded(path, text) {
        Err(e) => (Vec::new(), Some(e)),
        Ok(file) => lint_parsed(path, text, &file, facts, config),
    };
    // Spans are plain numbers in the findings now; free the thread's source map so that a
    // long run does not keep every parsed file alive (or overflow its 32-bit offsets).
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}
