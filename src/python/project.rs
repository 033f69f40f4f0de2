//! Python projects: which files share facts, and collecting those facts.
//!
//! A project is the nearest directory above a file that holds a `pyproject.toml`, `setup.py`,
//! `setup.cfg` or `.git`; without one, the directory that was walked to find the file; for a
//! file named on its own, just that file. Every `.py` file of the project (`.gitignore`
//! respected, virtual environments skipped) contributes facts, so that an `async def` imported
//! from another file is known.

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
use crate::python::facts::{ModuleFacts, ProjectFacts, Source, min_python};
use crate::python::lints;
use crate::python::names::Names;
use crate::python::walk::lint_module;
use crate::python::{LineIndex, ModuleName, is_python, parse_guarded};

/// The files that mark a project's directory.
const MARKERS: &[&str] = &["pyproject.toml", "setup.py", "setup.cfg", ".git"];

/// The project directory of the file at `path`, given the directory it was found under
/// (`None` for a file named on the command line).
pub(crate) fn project_dir(path: &Path, root: Option<&Path>) -> Option<PathBuf> {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    for dir in abs.ancestors().skip(1) {
        if MARKERS.iter().any(|m| dir.join(m).exists()) {
            return Some(dir.to_path_buf());
        }
    }
    root.map(|r| std::path::absolute(r).unwrap_or_else(|_| r.to_path_buf()))
}

/// Whether `dir` is a virtual environment (its packages are not the project's code).
pub(crate) fn is_virtualenv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

/// The Python files of the project in `dir`, sorted, as absolute paths.
pub(crate) fn project_files(dir: &Path) -> Vec<PathBuf> {
    // `.ctxlintignore` is not read here: it keeps files from being reported, but an ignored
    // module can still define the coroutine functions that another file imports.
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .require_git(false)
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

/// How many bytes of linted source one project parses once and keeps the syntax trees of
/// until its facts are complete; the files past it are parsed twice (for the facts, then to be
/// linted), so that memory stays bounded whatever the project's size.
const KEEP_BYTES: usize = 8 << 20;

/// A Python project (or a file on its own), as the engine schedules it.
#[derive(Debug)]
pub(crate) struct PythonUnit {
    /// The project's directory; `None` for a lone file.
    pub(crate) dir: Option<PathBuf>,
}

/// One module read and parsed, with its name and facts.
struct Module {
    text: Arc<str>,
    parsed: Parsed<ModModule>,
    name: ModuleName,
    facts: ModuleFacts,
}

impl PythonUnit {
    /// Reads and parses one module.
    fn read(&self, path: &Path) -> Result<Module, Error> {
        let text = read_source(path, Language::Python)?;
        self.parse(path, text)
    }

    /// Parses one module's `text` and takes its facts.
    fn parse(&self, path: &Path, text: Arc<str>) -> Result<Module, Error> {
        let parsed = parse_guarded(path, &text)?;
        let name = module_name(path, self.dir.as_deref());
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
            facts,
        })
    }

    /// The project's files in the order their facts are added (a later module of the same
    /// name, a `.pyi` after its `.py`, wins), as absolute paths: every file of the project
    /// (`.gitignore` respected), then the `linted` ones its walk did not list (an ignore file
    /// may hide them).
    fn files(&self, linted: &[PathBuf]) -> Vec<PathBuf> {
        let mut files = match &self.dir {
            Some(dir) => project_files(dir),
            None => Vec::new(),
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

    /// The project's facts from `modules` (name and facts, in [`PythonUnit::files`]' order).
    fn facts(&self, modules: impl IntoIterator<Item = (String, ModuleFacts)>) -> ProjectFacts {
        let mut facts = ProjectFacts::default();
        for (name, part) in modules {
            facts.add_module(name, part);
        }
        if let Some(dir) = &self.dir {
            facts.min_python = requires_python(dir);
        }
        facts
    }
}

impl Unit for PythonUnit {
    /// Parses each linted file once (up to [`KEEP_BYTES`]), keeping its tree until the
    /// project's facts are in, and every other file of the project for its facts only.
    fn check(&self, linted: &[PathBuf], config: &Config) -> Linted {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        // The linted files, read and parsed in parallel; a file that cannot be read or parsed
        // gives its error (and no facts).
        let read: Vec<Result<Module, Error>> = linted.par_iter().map(|p| self.read(p)).collect();
        let mut budget = KEEP_BYTES;
        // By absolute path: the facts of each linted file, and its tree while the budget lasts.
        let mut taken: HashMap<PathBuf, (String, ModuleFacts)> = HashMap::new();
        let mut kept: Vec<(&PathBuf, Module)> = Vec::new();
        let mut later: Vec<&PathBuf> = Vec::new();
        let mut found = Linted::default();
        for (path, module) in linted.iter().zip(read) {
            match module {
                Err(e) => found.errors.push(e),
                Ok(module) => {
                    taken.insert(
                        abs(path),
                        (module.name.dotted.clone(), module.facts.clone()),
                    );
                    if module.text.len() <= budget {
                        budget -= module.text.len();
                        kept.push((path, module));
                    } else {
                        // Past the budget: its tree is dropped now, and parsed again to be
                        // linted once the facts are in.
                        later.push(path);
                    }
                }
            }
        }
        let files = self.files(linted);
        let others: Vec<Option<(String, ModuleFacts)>> = files
            .par_iter()
            .map(|path| {
                if taken.contains_key(path) {
                    return None;
                }
                // Files outside the checked paths still contribute facts; one that cannot be
                // read or parsed contributes none (it is only reported when it is checked).
                let module = self.read(path).ok()?;
                Some((module.name.dotted, module.facts))
            })
            .collect();
        // The facts move into the project's (a module's facts hold every body's reads and
        // calls: copying them would double the memory of a large project).
        let order = files
            .iter()
            .zip(others)
            .filter_map(|(path, other)| taken.remove(path).or(other));
        let facts = self.facts(order);
        let lint = |path: &Path, module: &Module| {
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
        };
        let results: Vec<Linted> = kept
            .par_iter()
            .map(|(path, module)| lint(path, module))
            .chain(later.par_iter().map(|path| match self.read(path) {
                Err(e) => Linted::error(e),
                Ok(module) => lint(path, &module),
            }))
            .collect();
        for result in results {
            found.absorb(result);
        }
        found.add_related_sources(Language::Python);
        found
    }

    fn check_buffer(&self, path: &Path, text: &str, config: &Config) -> Linted {
        // The other files' facts from disk, the buffer's own from its text (it may differ from
        // the file on disk, or have no file yet).
        let own = match self.parse(path, Arc::from(text)) {
            Ok(module) => module,
            Err(e) => return Linted::error(e),
        };
        let this = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let mut files = self.files(&[]);
        files.retain(|f| *f != this);
        let others: Vec<(String, ModuleFacts)> = files
            .par_iter()
            .filter_map(|path| {
                let module = self.read(path).ok()?;
                Some((module.name.dotted, module.facts))
            })
            .collect();
        let facts = self.facts(
            others
                .into_iter()
                .chain([(own.name.dotted.clone(), own.facts.clone())]),
        );
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
