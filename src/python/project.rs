//! Python projects: which files share facts, and collecting those facts.
//!
//! A project is the nearest directory above a file that holds a `pyproject.toml`, `setup.py`,
//! `setup.cfg` or `.git`; without one, the directory that was walked to find the file; for a
//! file named on its own, just that file. Every `.py` file of the project (`.gitignore`
//! respected, virtual environments skipped) contributes facts, so that an `async def` imported
//! from another file is known.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Finding, TargetInfo};
use crate::error::Error;
use crate::python::facts::{ModuleFacts, ProjectFacts, min_python};
use crate::python::names::Names;
use crate::python::{ModuleName, is_python, lint_parsed, parse_guarded};

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

/// The facts of every file of the project in `dir` (`None`: a lone file, `only`), and of the
/// `checked` files (which an ignore file may hide from the project's walk), except `skip`.
/// `text_of` gives a file's text when the caller already read it.
pub(crate) fn project_facts(
    dir: Option<&Path>,
    only: &Path,
    checked: &[PathBuf],
    skip: Option<&Path>,
    text_of: &(dyn Fn(&Path) -> Option<Arc<str>> + Sync),
) -> ProjectFacts {
    let root = dir.map_or_else(
        || only.parent().unwrap_or(Path::new("")).to_path_buf(),
        Path::to_path_buf,
    );
    let mut files = match dir {
        Some(dir) => project_files(dir),
        None => vec![std::path::absolute(only).unwrap_or_else(|_| only.to_path_buf())],
    };
    for path in checked {
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        if !files.contains(&abs) {
            files.push(abs);
        }
    }
    if let Some(skip) = skip {
        let skip = std::path::absolute(skip).unwrap_or_else(|_| skip.to_path_buf());
        files.retain(|f| *f != skip);
    }
    let parts: Vec<(String, ModuleFacts)> = files
        .par_iter()
        .filter_map(|path| {
            // Files outside the checked paths still contribute facts; one that cannot be read
            // or parsed contributes none (it is only reported when it is itself checked).
            let text =
                text_of(path).or_else(|| std::fs::read_to_string(path).ok().map(Arc::from))?;
            let parsed = parse_guarded(path, &text).ok()?;
            let module = ModuleName::of(path, &root);
            let names = Names::of_module(parsed.syntax(), &module);
            Some((
                module.dotted,
                ModuleFacts::of_module(parsed.syntax(), &names),
            ))
        })
        .collect();
    let mut facts = ProjectFacts::default();
    for (module, part) in parts {
        facts.add_module(module, part);
    }
    if let Some(dir) = dir {
        facts.min_python = requires_python(dir);
    }
    facts
}

/// The lower bound of `[project] requires-python` in the project's `pyproject.toml`.
fn requires_python(dir: &Path) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string(dir.join("pyproject.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).ok()?;
    let spec = table.get("project")?.get("requires-python")?.as_str()?;
    min_python(spec)
}

/// The facts of one more module (a buffer being edited), to merge into its project's.
pub(crate) fn module_facts(
    path: &Path,
    text: &str,
    dir: Option<&Path>,
) -> Result<(ProjectFacts, ModuleName), Error> {
    let module = module_name(path, dir);
    let parsed = parse_guarded(path, text)?;
    let names = Names::of_module(parsed.syntax(), &module);
    let mut facts = ProjectFacts::default();
    facts.add_module(
        module.dotted.clone(),
        ModuleFacts::of_module(parsed.syntax(), &names),
    );
    Ok((facts, module))
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

/// Lints one Python file's text against its project's facts.
pub(crate) fn lint_text(
    path: &Path,
    text: &str,
    dir: Option<&Path>,
    facts: &ProjectFacts,
    config: &Config,
) -> (Vec<Finding>, Option<Error>) {
    match parse_guarded(path, text) {
        Err(e) => (Vec::new(), Some(e)),
        Ok(parsed) => {
            let module = module_name(path, dir);
            lint_parsed(path, text, &parsed, &module, facts, config)
        }
    }
}

/// How a Python project is named in cargo's JSON messages: the package is the project's
/// `[project] name` and `version` (or its directory's name), the target kind is `python`.
pub(crate) fn target(dir: Option<&Path>, path: &Path) -> TargetInfo {
    let mut target = crate::diagnostic::fallback_target(path);
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
