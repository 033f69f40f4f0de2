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

use ctxlint_catalogue::config::{ExtraGuard, ExtraRunner};
use ctxlint_catalogue::{Guard, Level, Lint, Runner};
use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// The settings that apply to one crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// The file this configuration was read from, if any.
    pub source: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    lints: BTreeMap<String, String>,
    #[serde(default)]
    interior_mutable_default: Option<RawImd>,
    #[serde(default)]
    sync_run_wraps_future: Option<RawSrwf>,
    #[serde(default)]
    context_guard_across_await: Option<RawGuards>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSrwf {
    #[serde(default)]
    extra_runners: Vec<ExtraRunner>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGuards {
    #[serde(default)]
    extra_guards: Vec<ExtraGuard>,
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawImd {
    #[serde(default)]
    extra_types: Vec<String>,
    #[serde(default)]
    ignore_types: Vec<String>,
    #[serde(default)]
    extend_immutable_calls: Vec<String>,
}

impl Config {
    /// The level of `lint` under this configuration, before attributes in the code.
    pub fn level(&self, lint: &Lint) -> Level {
        self.levels
            .get(lint.name)
            .copied()
            .unwrap_or(lint.default_level)
    }

    /// Parses the text of a `ctxlint.toml`. `path` only names the file in errors.
    ///
    /// # Errors
    /// [`ErrorKind::Config`] for malformed TOML or an unknown key, and
    /// [`ErrorKind::UnknownLint`] for a lint name the catalogue does not know.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, Error> {
        let value: toml::Table = toml::from_str(text).map_err(|e| config_error(path, &e))?;
        Config::from_table(value, path, "")
    }

    fn from_table(table: toml::Table, path: &Path, prefix: &str) -> Result<Config, Error> {
        let raw: Raw = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| {
                Error::new(
                    ErrorKind::Config,
                    Some(path),
                    format!(
                        "{}: invalid ctxlint configuration{}: {}",
                        path.display(),
                        if prefix.is_empty() {
                            String::new()
                        } else {
                            format!(" in `{prefix}`")
                        },
                        e.message()
                    ),
                )
            })?;
        let mut config = Config {
            source: Some(path.to_path_buf()),
            ..Config::default()
        };
        for (name, level) in raw.lints {
            let Some(lint) = ctxlint_catalogue::find(&name) else {
                let known: Vec<_> = ctxlint_catalogue::LINTS.iter().map(|l| l.name).collect();
                return Err(Error::new(
                    ErrorKind::UnknownLint,
                    Some(path),
                    format!(
                        "{}: unknown lint `{name}` in `{prefix}[lints]`; the lints are: {}",
                        path.display(),
                        known.join(", ")
                    ),
                ));
            };
            let Some(level) = Level::parse(&level) else {
                return Err(Error::new(
                    ErrorKind::Config,
                    Some(path),
                    format!(
                        "{}: invalid level `{level}` for `{name}`; expected `allow`, `warn` or `deny`",
                        path.display()
                    ),
                ));
            };
            config.levels.insert(lint.name, level);
        }
        if let Some(imd) = raw.interior_mutable_default {
            config.extra_types = imd.extra_types;
            config.ignore_types = imd.ignore_types;
            config.extend_immutable_calls = imd.extend_immutable_calls;
        }
        if let Some(srwf) = raw.sync_run_wraps_future {
            config.extra_runners = srwf.extra_runners.iter().map(intern_runner).collect();
        }
        if let Some(guards) = raw.context_guard_across_await {
            config.extra_guards = guards.extra_guards.iter().map(intern_guard).collect();
        }
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
        if path.file_name().is_some_and(|n| n == "Cargo.toml") {
            let table: toml::Table = toml::from_str(&text).map_err(|e| config_error(path, &e))?;
            for section in ["package", "workspace"] {
                let found = table
                    .get(section)
                    .and_then(|s| s.get("metadata"))
                    .and_then(|m| m.get("ctxlint"));
                if let Some(found) = found {
                    let prefix = format!("{section}.metadata.ctxlint.");
                    let Some(found) = found.as_table() else {
                        return Err(Error::new(
                            ErrorKind::Config,
                            Some(path),
                            format!(
                                "{}: `{section}.metadata.ctxlint` is not a table",
                                path.display()
                            ),
                        ));
                    };
                    return Config::from_table(found.clone(), path, &prefix).map(Some);
                }
            }
            return Ok(None);
        }
        if path.file_name().is_some_and(|n| n == "pyproject.toml") {
            let table: toml::Table = toml::from_str(&text).map_err(|e| config_error(path, &e))?;
            let Some(found) = table.get("tool").and_then(|t| t.get("ctxlint")) else {
                return Ok(None);
            };
            let Some(found) = found.as_table() else {
                return Err(Error::new(
                    ErrorKind::Config,
                    Some(path),
                    format!("{}: `tool.ctxlint` is not a table", path.display()),
                ));
            };
            return Config::from_table(found.clone(), path, "tool.ctxlint.").map(Some);
        }
        Config::from_toml(&text, path).map(Some)
    }

    /// Finds the configuration for a crate or Python project in `dir`: the nearest
    /// `ctxlint.toml`, `Cargo.toml` with a `ctxlint` metadata table, or `pyproject.toml` with a
    /// `[tool.ctxlint]` table (in that order within one directory), looking in `dir` and then
    /// its ancestors. Without any, the default configuration.
    ///
    /// # Errors
    /// As [`Config::from_file`] for the file found.
    pub fn discover(dir: &Path) -> Result<Config, Error> {
        for dir in dir.ancestors() {
            let ctxlint_toml = dir.join("ctxlint.toml");
            if ctxlint_toml.is_file()
                && let Some(config) = Config::from_file(&ctxlint_toml)?
            {
                return Ok(config);
            }
            let cargo_toml = dir.join("Cargo.toml");
            if cargo_toml.is_file()
                && let Some(config) = Config::from_file(&cargo_toml)?
            {
                return Ok(config);
            }
            let pyproject = dir.join("pyproject.toml");
            if pyproject.is_file()
                && let Some(config) = Config::from_file(&pyproject)?
            {
                return Ok(config);
            }
        }
        Ok(Config::default())
    }
}

fn config_error(path: &Path, err: &toml::de::Error) -> Error {
    let at = match err.span() {
        Some(span) => {
            // toml spans are byte offsets; turn them into `line:col` for the reader.
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let before = text.get(..span.start).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!(":{line}:{col}")
        }
        None => String::new(),
    };
    Error::new(
        ErrorKind::Config,
        Some(path),
        format!("{}{at}: invalid TOML: {}", path.display(), err.message()),
    )
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
            "[lints]\ninterior_mutable_default = \"deny\"\n\
             [interior_mutable_default]\nextra-types = [\"a::B\"]\nignore-types = [\"c::D\"]\n",
        )?;
        assert_eq!(
            config.level(&ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT),
            Level::Deny
        );
        assert_eq!(
            config.level(&ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE),
            Level::Warn
        );
        assert_eq!(config.extra_types, ["a::B"]);
        assert_eq!(config.ignore_types, ["c::D"]);
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
        write("[tool.ctxlint]\nlintz = 1\n")?;
        let err = Config::from_file(&path).err();
        assert!(
            matches!(&err, Some(e) if e.to_string().contains("tool.ctxlint")),
            "{err:?}"
        );
        Ok(())
    }

    #[test]
    fn unknown_lint_names_the_file() {
        let err = parse("[lints]\nno_such_lint = \"deny\"\n").err();
        let err = err.map(|e| (e.kind(), e.to_string()));
        assert!(
            matches!(&err, Some((ErrorKind::UnknownLint, m)) if m.contains("ctxlint.toml") && m.contains("no_such_lint")),
            "{err:?}"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        for text in [
            "[interior_mutable_default]\nextra_types = []\n",
            "[lintz]\n",
            "[lints]\ninterior_mutable_default = \"loud\"\n",
            "[lints\n",
        ] {
            let err = parse(text).err();
            assert!(
                matches!(&err, Some(e) if e.kind() == ErrorKind::Config && e.to_string().contains("ctxlint.toml")),
                "{text:?}: {err:?}"
            );
        }
    }
}
