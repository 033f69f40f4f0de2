//! The configuration: lint levels and the options of `interior_mutable_default`.
//!
//! It is read from the first of these found in the checked crate's (or Python project's)
//! directory or above it: `ctxlint.toml`, a `Cargo.toml` with `[package.metadata.ctxlint]` or
//! `[workspace.metadata.ctxlint]`, or a `pyproject.toml` with `[tool.ctxlint]`. Every source
//! has the same shape:
//!
//! ```toml
//! [lints]
//! interior_mutable_default = "deny"   # allow | warn | deny
//!
//! [interior_mutable_default]
//! extra-types = ["my_crate::Shared"]  # also interior-mutable
//! ignore-types = ["bytes::Bytes"]     # known to be immutable
//! extend-immutable-calls = ["app.config.load"]  # Python calls known to return immutables
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ctxlint_catalogue::options::{ExtraGuard, ExtraRunner, Options};
use ctxlint_catalogue::{Guard, Level, Lint, Runner};
use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// The settings that apply to one crate or Python project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Levels set by the config, by lint name; lints not listed keep their default level.
    pub levels: BTreeMap<&'static str, Level>,
    /// Paths of types to treat as interior-mutable, such as `my_crate::Shared`.
    pub extra_types: Vec<String>,
    /// Paths of types known to be immutable, such as `bytes::Bytes`.
    pub ignore_types: Vec<String>,
    /// Qualified names of Python calls known to return immutable values, such as
    /// `app.settings.load` (ruff's `extend-immutable-calls`).
    pub extend_immutable_calls: Vec<String>,
    /// Runners a project adds to `sync_run_wraps_future` (`extra-runners`).
    pub extra_runners: Vec<&'static Runner>,
    /// Guards a project adds to `context_guard_across_await` (`extra-guards`).
    pub extra_guards: Vec<&'static Guard>,
    /// The directories of a Rust package whose every file is test code, at any depth
    /// (`test-dirs`; cargo's `tests` by default).
    pub test_dirs: Vec<String>,
    /// The file this configuration was read from, if any.
    pub source: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            levels: BTreeMap::new(),
            extra_types: Vec::new(),
            ignore_types: Vec::new(),
            extend_immutable_calls: Vec::new(),
            extra_runners: Vec::new(),
            extra_guards: Vec::new(),
            test_dirs: default_test_dirs(),
            source: None,
        }
    }
}

fn default_test_dirs() -> Vec<String> {
    vec!["tests".to_owned()]
}

/// The whole table, as the catalogue declares it for both drivers.
type Raw = Options;

/// The table entries a configuration adds are kept for the whole process, as the
/// catalogue's own are: interned, so that re-reading the same configuration (the server does
/// on every change of it) adds nothing.
fn intern<T: PartialEq + Send + Sync + 'static>(
    store: &'static std::sync::Mutex<Vec<&'static T>>,
    value: T,
) -> &'static T {
    let mut store = store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = store.iter().find(|known| ***known == value) {
        return known;
    }
    let leaked: &'static T = Box::leak(Box::new(value));
    store.push(leaked);
    leaked
}

fn intern_str(text: String) -> &'static str {
    static STRINGS: std::sync::Mutex<Vec<&'static String>> = std::sync::Mutex::new(Vec::new());
    intern(&STRINGS, text).as_str()
}

fn intern_runner(raw: &ExtraRunner) -> &'static Runner {
    static RUNNERS: std::sync::Mutex<Vec<&'static Runner>> = std::sync::Mutex::new(Vec::new());
    intern(&RUNNERS, raw.to_runner(|text| intern_str(text.to_owned())))
}

fn intern_guard(raw: &ExtraGuard) -> &'static Guard {
    static GUARDS: std::sync::Mutex<Vec<&'static Guard>> = std::sync::Mutex::new(Vec::new());
    static LISTS: std::sync::Mutex<Vec<&'static Vec<&'static str>>> =
        std::sync::Mutex::new(Vec::new());
    let guard = raw.to_guard(
        |text| intern_str(text.to_owned()),
        |list| intern(&LISTS, list).as_slice(),
    );
    intern(&GUARDS, guard)
}

/// Where the ctxlint table sits in a file: at the top of a `ctxlint.toml`, or under a key path
/// of a `Cargo.toml` or `pyproject.toml`.
#[derive(Clone, Copy)]
struct Place<'a> {
    /// `package.metadata.ctxlint.`, `tool.ctxlint.`, or empty.
    prefix: &'a str,
}

impl Config {
    /// The level of `lint` under this configuration, before attributes in the code.
    pub fn level(&self, lint: &Lint) -> Level {
        self.levels
            .get(lint.name)
            .copied()
            .unwrap_or(lint.default_level)
    }

    /// This configuration with `levels` set over its own, in order (the command line's
    /// `--select`, `--ignore`, `-W`, `-A`, `-D`, which come after every file).
    pub fn with_levels(&self, levels: &[(&'static Lint, Level)]) -> Config {
        let mut config = self.clone();
        for (lint, level) in levels {
            config.levels.insert(lint.name, *level);
        }
        config
    }

    /// Parses the text of a `ctxlint.toml`. `path` only names the file in errors.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] for malformed TOML or an unknown key, and
    /// [`ErrorKind::UnknownLint`] for a lint name the catalogue does not know, each at its
    /// line and column.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, Error> {
        let raw: Raw = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        Config::from_raw(raw, text, path, Place { prefix: "" })
    }

    fn from_raw(raw: Raw, text: &str, path: &Path, place: Place<'_>) -> Result<Config, Error> {
        let options = raw;
        let mut config = Config {
            source: Some(path.to_path_buf()),
            test_dirs: options.test_dirs.unwrap_or_else(default_test_dirs),
            ..Config::default()
        };
        for (name, level) in options.lints {
            let (line, column) = key_position(text, &name);
            let Some(lint) = ctxlint_catalogue::find_any(&name) else {
                let known: Vec<_> = ctxlint_catalogue::LINTS.iter().map(|l| l.name).collect();
                return Err(Error::at(
                    ErrorKind::UnknownLint,
                    path,
                    line,
                    column,
                    format!(
                        "unknown lint `{name}` in `[{}lints]`; the lints are: {}",
                        place.prefix,
                        known.join(", ")
                    ),
                ));
            };
            let Some(level) = Level::parse(&level) else {
                return Err(Error::at(
                    ErrorKind::Config,
                    path,
                    line,
                    column,
                    format!(
                        "invalid level `{level}` for `{name}`; expected `allow`, `warn` or `deny`"
                    ),
                ));
            };
            config.levels.insert(lint.name, level);
        }
        let imd = options.interior_mutable_default;
        config.extra_types = imd.extra_types;
        config.ignore_types = imd.ignore_types;
        config.extend_immutable_calls = imd.extend_immutable_calls;
        config.extra_runners = options
            .sync_run_wraps_future
            .extra_runners
            .iter()
            .map(intern_runner)
            .collect();
        config.extra_guards = options
            .context_guard_across_await
            .extra_guards
            .iter()
            .map(intern_guard)
            .collect();
        Ok(config)
    }

    /// Reads the configuration file at `path`: a `ctxlint.toml`, a `Cargo.toml` whose
    /// `[package.metadata.ctxlint]` or `[workspace.metadata.ctxlint]` holds it, or a
    /// `pyproject.toml` whose `[tool.ctxlint]` holds it.
    ///
    /// Returns `Ok(None)` for a `Cargo.toml` or `pyproject.toml` without such a table.
    ///
    /// # Errors
    /// As [`Config::from_toml`], and [`ErrorKind::Io`] when the file cannot be read.
    pub fn from_file(path: &Path) -> Result<Option<Config>, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match name {
            "Cargo.toml" => {
                let manifest: CargoManifest =
                    toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
                for (section, found) in [
                    ("package", manifest.package),
                    ("workspace", manifest.workspace),
                ] {
                    if let Some(raw) = found.and_then(|s| s.metadata).and_then(|m| m.ctxlint) {
                        let prefix = format!("{section}.metadata.ctxlint.");
                        return Config::from_raw(raw, &text, path, Place { prefix: &prefix })
                            .map(Some);
                    }
                }
                Ok(None)
            }
            "pyproject.toml" => {
                let project: PyProject =
                    toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
                match project.tool.and_then(|t| t.ctxlint) {
                    Some(raw) => Config::from_raw(
                        raw,
                        &text,
                        path,
                        Place {
                            prefix: "tool.ctxlint.",
                        },
                    )
                    .map(Some),
                    None => Ok(None),
                }
            }
            _ => Config::from_toml(&text, path).map(Some),
        }
    }

    /// Finds the configuration for a crate or Python project in `dir`: the nearest
    /// `ctxlint.toml`, `Cargo.toml` with a `ctxlint` metadata table, or `pyproject.toml` with a
    /// `[tool.ctxlint]` table (in that order within one directory), looking in `dir` and then
    /// its ancestors. Without any, the default configuration.
    ///
    /// # Errors
    /// As [`Config::from_file`] for the file found.
    pub fn discover(dir: &Path) -> Result<Config, Error> {
        for dir in search_path(dir) {
            for name in ["ctxlint.toml", "Cargo.toml", "pyproject.toml"] {
                let file = dir.join(name);
                if file.is_file()
                    && let Some(config) = Config::from_file(&file)?
                {
                    return Ok(config);
                }
            }
        }
        Ok(Config::default())
    }
}

/// The directories [`Config::discover`] looks in, nearest first: `dir` and its ancestors.
///
/// A relative path's ancestors end at the current directory (`src` gives `src`, then the
/// empty path), but the search must not: a crate checked from one of its subdirectories has
/// its configuration above. So the search goes on from the current directory's parent. The
/// relative forms come first, so that a configuration found at or below the current
/// directory is named as the user would write it. A path that climbs (`../x`) is made
/// absolute first: its relative ancestors would go down again, towards the current directory.
fn search_path(dir: &Path) -> Vec<PathBuf> {
    use std::path::Component;
    if dir.is_absolute() {
        return dir.ancestors().map(Path::to_path_buf).collect();
    }
    let Ok(cwd) = std::env::current_dir() else {
        return dir.ancestors().map(Path::to_path_buf).collect();
    };
    if dir.components().any(|c| c == Component::ParentDir) {
        let mut absolute = PathBuf::new();
        for component in cwd.join(dir).components() {
            match component {
                Component::ParentDir => {
                    absolute.pop();
                }
                Component::CurDir => {}
                other => absolute.push(other),
            }
        }
        return absolute.ancestors().map(Path::to_path_buf).collect();
    }
    dir.ancestors()
        .map(Path::to_path_buf)
        .chain(cwd.ancestors().skip(1).map(Path::to_path_buf))
        .collect()
}

/// The parts of a `Cargo.toml` that can hold a ctxlint table; the rest is cargo's business.
#[derive(Deserialize)]
struct CargoManifest {
    package: Option<CargoSection>,
    workspace: Option<CargoSection>,
}

#[derive(Deserialize)]
struct CargoSection {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    ctxlint: Option<Raw>,
}

/// The parts of a `pyproject.toml` that can hold a ctxlint table.
#[derive(Deserialize)]
struct PyProject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    ctxlint: Option<Raw>,
}

/// A TOML error (of syntax, or of a key that the tables do not know), at its line and column.
fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> Error {
    let message = format!(
        "invalid ctxlint configuration: {}",
        err.message().trim_end()
    );
    match err.span() {
        Some(span) => {
            let (line, column) = position(text, span.start);
            Error::at(ErrorKind::Config, path, line, column, message)
        }
        None => Error::new(ErrorKind::Config, Some(path), message),
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where a key of `[lints]` is written: the first line that starts with it, then `=` (or a
/// quoted form of it). Line 1, column 1 when it is not found (a table written inline).
fn key_position(text: &str, key: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        for written in [key.to_owned(), format!("\"{key}\"")] {
            if let Some(rest) = trimmed.strip_prefix(&written)
                && rest.trim_start().starts_with('=')
            {
                return (i + 1, line[..indent].chars().count() + 1);
            }
        }
    }
    (1, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        Config::from_toml(text, Path::new("ctxlint.toml"))
    }

    #[test]
    fn reads_levels_and_types() -> Result<(), Error> {
        let config = parse(
            "[lints]\ninterior_mutable_default = \"deny\"\nCTX002 = \"allow\"\n\
             [interior_mutable_default]\nextra-types = [\"a::B\"]\nignore-types = [\"c::D\"]\n",
        )?;
        assert_eq!(
            config.level(&ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT),
            Level::Deny
        );
        assert_eq!(
            config.level(&ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE),
            Level::Allow
        );
        assert_eq!(
            config.level(&ctxlint_catalogue::CONTEXT_GUARD_ACROSS_AWAIT),
            Level::Warn
        );
        assert_eq!(config.extra_types, ["a::B"]);
        assert_eq!(config.ignore_types, ["c::D"]);
        assert_eq!(config.test_dirs, ["tests"]);
        assert_eq!(parse("test-dirs = []\n")?.test_dirs, Vec::<String>::new());
        Ok(())
    }

    #[test]
    fn pyproject_tool_table() -> Result<(), Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("pyproject.toml");
        let write = |text: &str| std::fs::write(&path, text).map_err(|e| Error::io(&path, e));
        write(
            "[project]\nname = \"app\"\n[tool.ctxlint.lints]\nsync_run_wraps_future = \"deny\"\n\
             [tool.ctxlint.interior_mutable_default]\nextend-immutable-calls = [\"app.load\"]\n",
        )?;
        let config = Config::discover(dir.path())?;
        assert_eq!(
            config.level(&ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE),
            Level::Deny
        );
        assert_eq!(config.extend_immutable_calls, ["app.load"]);
        write("[project]\nname = \"app\"\n")?;
        assert_eq!(Config::from_file(&path)?, None);
        write("[project]\nname = \"app\"\n[tool.ctxlint]\nlintz = 1\n")?;
        let err = Config::from_file(&path).err();
        let err = err.map(|e| (e.kind(), e.position(), e.message().to_owned()));
        assert_eq!(
            err,
            Some((
                ErrorKind::Config,
                Some(crate::error::Position { line: 4, column: 1 }),
                "invalid ctxlint configuration: unknown field `lintz`, expected one of `lints`, \
                 `test-dirs`, `interior_mutable_default`, `sync_run_wraps_future`, \
                 `context_guard_across_await`"
                    .to_owned()
            ))
        );
        write("[tool.ctxlint.lints]\nnope = \"warn\"\n")?;
        let err = Config::from_file(&path)
            .err()
            .map(|e| e.message().to_owned());
        let names: Vec<&str> = ctxlint_catalogue::LINTS.iter().map(|l| l.name).collect();
        assert_eq!(
            err,
            Some(format!(
                "unknown lint `nope` in `[tool.ctxlint.lints]`; the lints are: {}",
                names.join(", ")
            ))
        );
        Ok(())
    }

    #[test]
    fn unknown_lint_names_the_file_once() {
        let err = parse("[lints]\nno_such_lint = \"deny\"\n").err();
        let err = err.map(|e| (e.kind(), e.to_string()));
        assert_eq!(
            err,
            Some((
                ErrorKind::UnknownLint,
                format!(
                    "ctxlint.toml:2:1: unknown lint `no_such_lint` in `[lints]`; the lints are: {}",
                    ctxlint_catalogue::LINTS
                        .iter()
                        .map(|l| l.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            ))
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_are_errors_at_their_place() {
        for (text, expected) in [
            (
                "[interior_mutable_default]\nextra_types = []\n",
                "ctxlint.toml:2:1: invalid ctxlint configuration: unknown field `extra_types`, \
                 expected one of `extra-types`, `ignore-types`, `extend-immutable-calls`",
            ),
            (
                "[lintz]\n",
                "ctxlint.toml:1:2: invalid ctxlint configuration: unknown field `lintz`, \
                 expected one of `lints`, `test-dirs`, `interior_mutable_default`, \
                 `sync_run_wraps_future`, `context_guard_across_await`",
            ),
            (
                "[lints]\ninterior_mutable_default = \"loud\"\n",
                "ctxlint.toml:2:1: invalid level `loud` for `interior_mutable_default`; \
                 expected `allow`, `warn` or `deny`",
            ),
            (
                "[lints\n",
                "ctxlint.toml:1:7: invalid ctxlint configuration: unclosed table, expected `]`",
            ),
            (
                "[sync_run_wraps_future]\nextra-runners = [{ path = \"a::b\" }]\n",
                "ctxlint.toml:2:18: invalid ctxlint configuration: missing field `help`",
            ),
        ] {
            let err = parse(text).err();
            assert_eq!(
                err.as_ref().map(|e| (e.kind(), e.to_string())),
                Some((ErrorKind::Config, expected.to_owned())),
                "{text:?}"
            );
        }
    }
}
