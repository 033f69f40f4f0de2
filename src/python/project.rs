//! Python projects: which files share facts, and collecting those facts.
//!
//! A project is the nearest directory above a file that holds a `pyproject.toml`, `setup.py`,
//! `setup.cfg` or `.git`; without one, the directory that was walked to find the file; for a
//! file named on its own, just that file. Every `.py` file of the project (`.gitignore`
//! respected, virtual environments skipped) can contribute facts, so that an `async def`
//! imported from another file is known; a module is read and parsed only when a lookup first
//! names it, and a linted file gives its facts from the parse that lints it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ctxlint_catalogue::Language;
use rayon::prelude::*;
use ruff_python_ast::ModModule;
use ruff_python_parser::Parsed;

use crate::config::Config;
use crate::diagnostic::TargetInfo;
use crate::error::Error;
use crate::frontend::{Linted, Unit, read_source, shown};
use crate::python::facts::{Loader, ModuleFacts, ProjectFacts, Source, min_python};
use crate::python::lints;
use crate::python::names::Names;
use crate::python::walk::lint_module;
use crate::python::{LineIndex, ModuleName, is_python, parse_guarded};

/// The files that mark a project's directory. An unpacked distribution is one too: a wheel
/// has a `NAME.dist-info` directory beside its packages, an sdist a `PKG-INFO` file.
const MARKERS: &[&str] = &[
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    ".git",
    "PKG-INFO",
];

/// The project directory of the file at `path`, given the directory it was found under
/// (`None` for a file named on the command line).
pub(crate) fn project_dir(path: &Path, root: Option<&Path>) -> Option<PathBuf> {
    project_dir_with(path, root, &mut HashMap::new())
}

/// [`project_dir`], with the answers for directories already looked at (a walk asks for
/// thousands of files in a few directories).
pub(crate) fn project_dir_with(
    path: &Path,
    root: Option<&Path>,
    known: &mut HashMap<PathBuf, bool>,
) -> Option<PathBuf> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for dir in abs.ancestors().skip(1) {
        let marked = *known
            .entry(dir.to_path_buf())
            .or_insert_with(|| is_project_root(dir));
        if marked {
            return Some(dir.to_path_buf());
        }
    }
    root.map(|r| std::path::absolute(r).unwrap_or_else(|_| r.to_path_buf()))
}

/// Whether `dir` holds a project marker: a file of [`MARKERS`], or a `*.dist-info` directory.
fn is_project_root(dir: &Path) -> bool {
    MARKERS.iter().any(|m| dir.join(m).exists())
        || std::fs::read_dir(dir).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| {
                e.file_name().to_string_lossy().ends_with(".dist-info")
                    && e.file_type().is_ok_and(|t| t.is_dir())
            })
        })
}

/// Whether `dir` is a virtual environment (its packages are not the project's code).
pub(crate) fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

/// The Python files of the project in `dir`, sorted, as absolute paths.
pub(crate) fn project_files(dir: &Path) -> Vec<PathBuf> {
    // `.ctxlintignore` is not read here: it keeps files from being reported, but an ignored
    // module can still define the coroutine functions that another file imports.
    // `.gitignore` only: the other ignore files (`.ignore`, git's `info/exclude` and global
    // excludes) would cost a lookup per directory for what is rarely there.
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .require_git(false)
        .ignore(false)
        .git_exclude(false)
        .git_global(false)
        .filter_entry(|e| !(e.file_type().is_some_and(|t| t.is_dir()) && is_virtualenv(e.path())))
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|p| is_python(p))
        .collect();
    files.sort();
    files
}

/// The lower bound of `[project] requires-python` in the project's `pyproject.toml`.
fn requires_python(dir: &Path) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let spec = table.get("project")?.get("requires-python")?.as_str()?;
    min_python(spec)
}

/// The module name of `path` in the project `dir` (or alone).
pub(crate) fn module_name(path: &Path, dir: Option<&Path>) -> ModuleName {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let root = match dir {
        Some(d) => d.to_path_buf(),
        None => abs.parent().unwrap_or(Path::new("")).to_path_buf(),
    };
    ModuleName::of(&abs, &root)
}

/// A Python project (or a file on its own), as the engine schedules it.
#[derive(Debug)]
pub(crate) struct PythonUnit {
    /// The project's directory; `None` for a lone file.
    pub(crate) dir: Option<PathBuf>,
    /// The project's Python files (absolute, sorted), when the check's walk listed them; else
    /// the unit walks its directory.
    pub(crate) files: Option<Vec<PathBuf>>,
}

/// One module read and parsed, with its name and facts (`None` once they were given to the
/// project's facts).
struct Module {
    text: Arc<str>,
    parsed: Parsed<ModModule>,
    name: ModuleName,
    facts: Option<ModuleFacts>,
}

/// The linted files of a check that a lookup may reach before their own turn, and the trees
/// of those it did: the lookup parses such a file (for its facts) and parks the tree here, and
/// the file's lint takes it, so that no file is parsed twice.
///
/// # Invariants
/// 1. Every parked module is a waiting file's: [`AheadOfTurn::park`] keeps a tree only while
///    its file waits, and [`AheadOfTurn::take`] ends the wait and takes the tree under one
///    lock, so no tree is parked for a lint that has started (a lookup that comes later keeps
///    the facts and drops the tree).
/// 2. `bytes` is the sum of the parked sources' lengths, at most [`AheadOfTurn::BUDGET`];
///    past it, a lookup gives the facts and drops the tree, and the file's lint parses it
///    again. No check of the packages in `bench/python.sh` comes near it, with or without the
///    prefilter.
struct AheadOfTurn {
    state: std::sync::Mutex<Ahead>,
}

#[derive(Default)]
struct Ahead {
    /// The linted files whose lint has not started (absolute paths).
    waiting: HashSet<PathBuf>,
    /// The modules parsed by a lookup before their lint, by absolute path.
    parked: HashMap<PathBuf, Module>,
    /// The bytes of source that `parked` holds.
    bytes: usize,
}

impl AheadOfTurn {
    /// 16 MiB of source: a tree takes several times its source, so this bounds the memory
    /// that parked trees can take to about a hundred MiB in the worst case.
    const BUDGET: usize = 16 << 20;

    fn new(waiting: HashSet<PathBuf>) -> AheadOfTurn {
        AheadOfTurn {
            state: std::sync::Mutex::new(Ahead {
                waiting,
                ..Ahead::default()
            }),
        }
    }

    /// Whether the lint of the file at `path` has yet to start.
    fn is_waiting(&self, path: &Path) -> bool {
        self.state.lock().is_ok_and(|s| s.waiting.contains(path))
    }

    /// Keeps `module`, read for a lookup, for the lint of its file, and gives its facts.
    fn park(&self, path: &Path, mut module: Module) -> ModuleFacts {
        let facts = module.facts.take().unwrap_or_default();
        if let Ok(mut state) = self.state.lock()
            && state.waiting.contains(path)
            && state.bytes + module.text.len() <= AheadOfTurn::BUDGET
        {
            state.bytes += module.text.len();
            state.parked.insert(path.to_path_buf(), module);
            state.debug_check();
        }
        facts
    }

    /// Ends the wait of the file at `path`, and gives its module if a lookup parked it.
    fn take(&self, path: &Path) -> Option<Module> {
        let mut state = self.state.lock().ok()?;
        state.waiting.remove(path);
        let module = state.parked.remove(path);
        if let Some(module) = &module {
            state.bytes -= module.text.len();
        }
        state.debug_check();
        module
    }
}

impl Ahead {
    /// Checks the invariants of [`AheadOfTurn`] in debug builds.
    fn debug_check(&self) {
        debug_assert!(
            self.parked.keys().all(|p| self.waiting.contains(p)),
            "invariant 1: a tree parked for a lint that has started"
        );
        debug_assert_eq!(
            self.bytes,
            self.parked.values().map(|m| m.text.len()).sum::<usize>(),
            "invariant 2: the parked bytes"
        );
        debug_assert!(self.bytes <= AheadOfTurn::BUDGET, "invariant 2: the budget");
    }
}

impl PythonUnit {
    /// Reads and parses one module of the project.
    fn read(&self, path: &Path) -> Result<Module, Error> {
        read_module(path, module_name(path, self.dir.as_deref()))
    }

    /// Parses one module's `text`, as a module of the project.
    fn parse(&self, path: &Path, text: Arc<str>) -> Result<Module, Error> {
        parse_module(path, text, module_name(path, self.dir.as_deref()))
    }

    /// The project's files in the order their facts are added (a later module of the same
    /// name, a `.pyi` after its `.py`, wins), as absolute paths: every file of the project
    /// (`.gitignore` respected), then the `linted` ones its walk did not list (an ignore file
    /// may hide them).
    fn files(&self, linted: &[PathBuf]) -> Vec<PathBuf> {
        let mut files = match (&self.files, &self.dir) {
            (Some(files), _) => files.clone(),
            (None, Some(dir)) => project_files(dir),
            (None, None) => Vec::new(),
        };
        let mut known: HashSet<PathBuf> = files.iter().cloned().collect();
        for path in linted {
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            if known.insert(abs.clone()) {
                files.push(abs);
            }
        }
        files
    }

    /// The project's facts: every file of `files` (in [`PythonUnit::files`]' order, a later
    /// module of the same name winning), with the facts already `taken` (by absolute path),
    /// the others to be read by `loader` when reached.
    fn facts(
        &self,
        files: Vec<PathBuf>,
        mut taken: HashMap<PathBuf, (String, ModuleFacts)>,
        loader: Loader,
    ) -> ProjectFacts {
        let mut facts = ProjectFacts::with_loader(loader);
        for path in files {
            match taken.remove(&path) {
                Some((dotted, own)) => facts.add_module(dotted, own),
                None => facts.add_lazy(module_name(&path, self.dir.as_deref()), path),
            }
        }
        if let Some(dir) = &self.dir {
            facts.min_python = requires_python(dir);
        }
        facts
    }
}

impl Unit for PythonUnit {
    /// Lints each file on its own, in parallel: read, parsed, its facts offered to the
    /// project's, linted, and its tree dropped. The project's other modules are read only
    /// when a lookup reaches them, so that memory holds a tree per thread, not per file.
    ///
    /// Each file is parsed once: a linted file that another's lookup reaches before its own
    /// turn is parsed by that lookup, and its tree is kept for its lint ([`AheadOfTurn`]).
    /// One race is left: a lookup that reaches a file while its own lint is parsing it (its
    /// wait is over, its facts not yet offered) parses it too. Waiting for the offer there
    /// could deadlock two files that look each other up. With `--no-prefilter` on
    /// `bench/python.sh`'s packages (2,324 files) it hit 2 files in 2 of 7 runs; with the
    /// prefilter (the default), none.
    fn check(&self, linted: &[PathBuf], config: &Config) -> Linted {
        let absolute = |path: &PathBuf| std::path::absolute(path).unwrap_or_else(|_| path.clone());
        let ahead = Arc::new(AheadOfTurn::new(linted.iter().map(absolute).collect()));
        let loader = {
            let ahead = Arc::clone(&ahead);
            Loader(Arc::new(move |path: &Path, name: &ModuleName| {
                if !ahead.is_waiting(path) {
                    return load_facts(path, name);
                }
                let module = read_module(path, name.clone()).ok()?;
                Some(ahead.park(path, module))
            }))
        };
        let facts = self.facts(self.files(linted), HashMap::new(), loader);
        let results: Vec<Linted> = linted
            .par_iter()
            .map(|path| {
                let abs = absolute(path);
                let module = match ahead.take(&abs) {
                    Some(parked) => Ok(parked),
                    None => self.read(path),
                };
                (path, abs, module)
            })
            .map(|(path, abs, module)| match module {
                Err(e) => Linted::error(e),
                Ok(module) => {
                    if let Some(own) = module.facts {
                        facts.offer(&abs, &module.name.dotted, own);
                    }
                    let result = lint_module(
                        path,
                        &module.text,
                        &module.parsed,
                        &module.name,
                        &facts,
                        config,
                        lints::LINTS,
                    );
                    Linted::of_file(path, &module.text, result)
                }
            })
            .collect();
        let mut found = Linted::default();
        for result in results {
            found.absorb(result);
        }
        found.add_related_sources(Language::Python);
        found
    }

    fn check_buffer(&self, path: &Path, text: &str, config: &Config) -> Linted {
        // The buffer's own facts from its text (it may differ from the file on disk, or have
        // no file yet); the other modules' from disk, when reached.
        let own = match self.parse(path, Arc::from(text)) {
            Ok(module) => module,
            Err(e) => return Linted::error(e),
        };
        let this = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut files = self.files(&[]);
        files.retain(|f| *f != this);
        files.push(this.clone());
        let Some(own_facts) = own.facts.clone() else {
            return Linted::default();
        };
        let taken = HashMap::from([(this, (own.name.dotted.clone(), own_facts))]);
        let facts = self.facts(files, taken, Loader(Arc::new(load_facts)));
        let result = lint_module(
            path,
            &own.text,
            &own.parsed,
            &own.name,
            &facts,
            config,
            lints::LINTS,
        );
        let mut found = Linted::of_file(path, &own.text, result);
        found.add_related_sources(Language::Python);
        found
    }
}

/// The facts of a module read from disk, for [`ProjectFacts`]' lookups.
fn load_facts(path: &Path, name: &ModuleName) -> Option<ModuleFacts> {
    read_module(path, name.clone()).ok()?.facts
}

/// Reads and parses the module at `path`, named `name`.
fn read_module(path: &Path, name: ModuleName) -> Result<Module, Error> {
    let text = read_source(path, Language::Python)?;
    parse_module(path, text, name)
}

/// Parses the module `text` of `path`, named `name`, and takes its facts.
fn parse_module(path: &Path, text: Arc<str>, name: ModuleName) -> Result<Module, Error> {
    #[cfg(test)]
    tests::count_parse(path);
    let parsed = parse_guarded(path, &text)?;
    let names = Names::of_module(parsed.syntax(), &name);
    let index = LineIndex::new(&text);
    let source = Source {
        path: &Arc::from(shown(path)),
        text: &text,
        index: &index,
    };
    let facts = ModuleFacts::of_module(parsed.syntax(), &names, &name.dotted, &source);
    Ok(Module {
        text,
        parsed,
        name,
        facts: Some(facts),
    })
}

/// How a Python project is named in cargo's JSON messages: the package is the project's
/// `[project] name` and `version` (or its directory's name), the target kind is `python`.
pub(crate) fn target(dir: Option<&Path>, path: &Path) -> TargetInfo {
    let mut target = fallback_target(path);
    let Some(dir) = dir else {
        return target;
    };
    let pyproject = dir.join("pyproject.toml");
    let project = std::fs::read_to_string(&pyproject)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .and_then(|t| t.get("project").and_then(|p| p.as_table()).cloned());
    let field = |key: &str| {
        project
            .as_ref()
            .and_then(|p| p.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let name = field("name").unwrap_or_else(|| {
        dir.file_name()
            .map_or_else(|| "python".to_owned(), |n| n.to_string_lossy().into_owned())
    });
    let version = field("version").unwrap_or_else(|| "0.0.0".to_owned());
    target.package_id = format!("path+file://{}#{name}@{version}", dir.display());
    target.name = name;
    target.src_path = dir.to_path_buf();
    target.manifest_path = pyproject.is_file().then_some(pyproject);
    target
}

/// The target of a Python file outside any project.
///
/// A Python file gets the kind `python` (cargo's JSON schema allows any kind, so consumers
/// can tell these messages apart) and a package id named after its directory. The edition
/// means nothing for Python, but the schema requires one of Rust's.
pub(crate) fn fallback_target(path: &Path) -> TargetInfo {
    let dir = path.parent().unwrap_or(Path::new("."));
    let package = std::path::absolute(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "python".to_owned());
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "module".to_owned());
    TargetInfo {
        package_id: format!("path+file://{}#{package}@0.0.0", dir.display()),
        name,
        kind: "python".to_owned(),
        src_path: path.to_path_buf(),
        edition: "2024".to_owned(),
        manifest_path: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many times each file was parsed, by the tests of this module (each in a
    /// directory of its own).
    static PARSES: std::sync::Mutex<Option<HashMap<PathBuf, usize>>> = std::sync::Mutex::new(None);

    pub(super) fn count_parse(path: &Path) {
        if let Ok(mut parses) = PARSES.lock() {
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
            *parses.get_or_insert_default().entry(abs).or_default() += 1;
        }
    }

    /// Every linted file is parsed once, also when another's lookup reaches it first: here
    /// each module's lint looks up the others' variables and getters, whichever runs first.
    #[test]
    fn a_check_parses_each_file_once() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::write(root.join("pyproject.toml"), "[project]\nname = \"app\"\n")?;
        std::fs::create_dir(root.join("app"))?;
        std::fs::write(root.join("app/__init__.py"), "")?;
        let mut linted = Vec::new();
        for i in 0..8 {
            let next = (i + 1) % 8;
            let text = format!(
                "import contextvars\nfrom app.m{next} import current_{next}\n\
                 var_{i} = contextvars.ContextVar('v{i}', default=None)\n\
                 def current_{i}():\n    return var_{i}.get()\n\
                 def work():\n    current_{next}().append(1)\n"
            );
            let path = root.join(format!("app/m{i}.py"));
            std::fs::write(&path, text)?;
            linted.push(path);
        }
        let unit = PythonUnit {
            dir: Some(root.to_path_buf()),
            files: None,
        };
        // On one thread: with two, a lookup can reach a file while its own lint parses it,
        // the race that `PythonUnit::check` documents, and that file is parsed twice.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
        let found = pool.install(|| unit.check(&linted, &Config::default()));
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        let parses = PARSES.lock().map_err(|e| e.to_string())?;
        let parses = parses.as_ref().ok_or("nothing parsed")?;
        for path in &linted {
            assert_eq!(parses.get(path), Some(&1), "{}", path.display());
        }
        Ok(())
    }
}
