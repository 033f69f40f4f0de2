//! The seam between the language-neutral engine and the languages.
//!
//! Each language is a [`FrontEnd`]: it claims its files, names the texts a file must contain
//! to hold a finding (the prefilter's needles, from the catalogue's tables), groups files into
//! [`Unit`]s that share facts (a cargo crate, a Python project), checks a unit or an editor's
//! buffer, and validates a fix. The engine walks, reads, prefilters, schedules and merges; it
//! never looks inside a unit, and no code outside the front ends tests a file's extension.
//!
//! Adding a language is a new front end (a directory of its own beside `src/rust/` and
//! `src/python/`), a line in `crate::languages`' registry, and a form in the catalogue for each
//! lint that applies to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ctxlint_catalogue::Language;

use crate::config::Config;
use crate::diagnostic::{Finding, TargetInfo};
use crate::error::{Error, ErrorKind};

/// A `.gitignore`-style file of paths that `ctxlint check` skips when walking directories
/// (files named on the command line are always checked).
pub const IGNORE_FILE: &str = ".ctxlintignore";

/// The stack of each worker thread. Parsers and walks recurse once per level of nesting, and a
/// 10,000-deep expression needs far more than the default 2 MiB in a debug build. The memory
/// is only reserved, not committed, until it is used.
pub(crate) const STACK_SIZE: usize = 1 << 30;

/// One language.
pub(crate) trait FrontEnd: Sync {
    /// The language it checks.
    fn language(&self) -> Language;

    /// Whether the file at `path` is this language's, by its name.
    fn claims(&self, path: &Path) -> bool;

    /// Whether a file named on the command line, whose name no front end claims, is this
    /// language's by its first line: a script's `#!` line names its interpreter (pre-commit
    /// passes Python scripts without a `.py` name as Python).
    fn claims_script(&self, _first_line: &str) -> bool {
        false
    }

    /// Whether a directory walk skips `dir` (a Python virtual environment holds other
    /// projects' code).
    fn skips_dir(&self, _dir: &Path) -> bool {
        false
    }

    /// The texts of which a file with a finding must contain one, under `config` (which may
    /// add runners and guards of the project's own). Derived from the catalogue's tables.
    fn needles(&self, config: &Config) -> Needles;

    /// Groups the files to lint into units, and drops the files whose tags cannot hold a
    /// finding in their unit: whether a file that only calls `.get()` or `spawn` can hold one
    /// depends on what its crate or project declares elsewhere.
    /// `walked` lists every file of the directories walked, for a unit that reads its other
    /// files' facts without a walk of its own.
    fn plan(&self, files: Vec<FileToLint>, walked: &Walked) -> Vec<Planned>;

    /// The unit of one buffer that an editor holds (it may not be on disk yet).
    fn plan_buffer(&self, path: &Path) -> Planned;

    /// The target of a file that no unit named (for JSON's `target`).
    fn fallback_target(&self, path: &Path) -> TargetInfo;

    /// Checks that `text`, the fixed text of `path`, still parses.
    ///
    /// # Errors
    /// The parse error, at its position.
    fn validate(&self, path: &Path, text: &str) -> Result<(), Error>;
}

/// What a front end's prefilter looks for: texts, each with the tags it gives a file that
/// contains it. The tags are the front end's own bits (what the text shows: "names
/// `contextvars`", "calls a `spawn`"); its [`FrontEnd::plan`] reads them to decide, per unit,
/// which files can hold a finding.
#[derive(Debug, Clone, Default)]
pub(crate) struct Needles {
    pub(crate) needles: Vec<Needle>,
}

/// One text of [`Needles`], as [`Needles::add`] makes it and its methods narrow it.
#[derive(Debug, Clone)]
pub(crate) struct Needle {
    pub(crate) text: String,
    pub(crate) tags: Hit,
    /// The tags that a file must already show, through needles without this condition, for
    /// the file to be searched for this one (`None`: every file is).
    pub(crate) only_with: Option<Hit>,
    /// The bytes one of which must come next, after blanks, for a match to count (empty:
    /// whatever comes next).
    pub(crate) followed_by: Vec<u8>,
}

impl Needles {
    /// Adds `needle` with `tags`, looked for in every file.
    pub(crate) fn add(&mut self, needle: impl Into<String>, tags: Hit) -> &mut Needle {
        self.needles.push(Needle {
            text: needle.into(),
            tags,
            only_with: None,
            followed_by: Vec::new(),
        });
        let at = self.needles.len() - 1;
        &mut self.needles[at]
    }
}

impl Needle {
    /// Looks for it only in a file that shows one of `tags` (through needles looked for in
    /// every file): for a word as common as `async` whose tags count only beside those, a
    /// second pass over the few files that have them costs less than looking for it in every
    /// file, and stopping at each of its matches.
    pub(crate) fn only_with(&mut self, tags: Hit) -> &mut Needle {
        self.only_with = Some(tags);
        self
    }

    /// Counts a match only when one of `bytes` comes next, after blanks: `pin` for a call
    /// or a macro (`Box::pin(`, `pin!`), not the module of `std::pin::Pin`.
    pub(crate) fn followed_by(&mut self, bytes: &[u8]) -> &mut Needle {
        self.followed_by = bytes.to_vec();
        self
    }
}

/// The tags of the needles a file's text contains: a set of the front end's bits. Without the
/// prefilter, a file has every tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Hit(pub(crate) u32);

impl Hit {
    /// Every tag: the prefilter is off, or could not be built.
    pub(crate) const ALL: Hit = Hit(u32::MAX);

    /// Whether it has any of `tags`.
    pub(crate) fn any(self, tags: Hit) -> bool {
        self.0 & tags.0 != 0
    }

    /// The tags of both.
    pub(crate) const fn or(self, other: Hit) -> Hit {
        Hit(self.0 | other.0)
    }
}

/// A file that passed the prefilter, for [`FrontEnd::plan`].
#[derive(Debug, Clone)]
pub(crate) struct FileToLint {
    /// As given or found.
    pub(crate) path: PathBuf,
    /// The directory it was found under, or `None` for a file named on the command line.
    pub(crate) root: Option<PathBuf>,
    /// Its size in bytes, to schedule the largest units first.
    pub(crate) len: usize,
    /// How it met the prefilter.
    pub(crate) hit: Hit,
}

/// The directories that a check walked, each with every file found in it by the rules of a
/// unit's facts: `.gitignore` obeyed, but not the ignore files that only keep files from
/// being checked (`.ctxlintignore`, `.ignore`, git's excludes), hidden entries and the
/// directories a front end skips left out.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    /// Each walked directory (absolute) and its files (absolute, sorted).
    pub(crate) trees: Vec<(PathBuf, Arc<[PathBuf]>)>,
}

impl Walked {
    /// The files found under `dir` (absolute), sorted, if a walk covered all of it.
    pub(crate) fn files_under(&self, dir: &Path) -> Option<&[PathBuf]> {
        let (_, files) = self.trees.iter().find(|(root, _)| dir.starts_with(root))?;
        // Sorted by components, the paths under `dir` are one run.
        let start = files.partition_point(|f| f.as_path() < dir);
        let len = files[start..].partition_point(|f| f.starts_with(dir));
        files.get(start..start + len)
    }
}

/// A unit to check, as a front end planned it.
pub(crate) struct Planned {
    /// The front end's own description of the unit, which the engine never looks into.
    pub(crate) unit: Box<dyn Unit>,
    /// The files of it to lint, in order.
    pub(crate) files: Vec<PathBuf>,
    /// Their size in bytes.
    pub(crate) bytes: usize,
    /// The directory whose configuration applies.
    pub(crate) config_dir: PathBuf,
    /// How its findings name their package and target in JSON.
    pub(crate) target: TargetInfo,
}

/// Files that share facts: a crate, a Python project, or a file on its own.
pub(crate) trait Unit: Send + Sync {
    /// Lints `files` (on disk) with the unit's facts.
    fn check(&self, files: &[PathBuf], config: &Config) -> Linted;

    /// Lints `text`, an editor's buffer of `path`, with the facts of the unit's other files on
    /// disk.
    fn check_buffer(&self, path: &Path, text: &str, config: &Config) -> Linted;
}

/// What checking some files found.
#[derive(Debug, Default)]
pub(crate) struct Linted {
    pub(crate) findings: Vec<Finding>,
    pub(crate) errors: Vec<Error>,
    /// The text of each file with a finding, for rendering.
    pub(crate) sources: Vec<(PathBuf, Arc<str>)>,
}

impl Linted {
    /// Adds what `other` found.
    pub(crate) fn absorb(&mut self, other: Linted) {
        self.findings.extend(other.findings);
        self.errors.extend(other.errors);
        self.sources.extend(other.sources);
    }

    /// What linting one file's `text` found: its findings, the error that stopped it, and
    /// its text when it has a finding.
    pub(crate) fn of_file(
        path: &Path,
        text: &Arc<str>,
        (findings, error): (Vec<Finding>, Option<Error>),
    ) -> Linted {
        let sources = if findings.is_empty() {
            Vec::new()
        } else {
            vec![(path.to_path_buf(), Arc::clone(text))]
        };
        Linted {
            findings,
            errors: error.into_iter().collect(),
            sources,
        }
    }

    /// Adds the text of each file that a finding's related place is in, which the renderers
    /// need too (the declaration of a variable may be in a file with no finding).
    pub(crate) fn add_related_sources(&mut self, language: Language) {
        let mut wanted: Vec<PathBuf> = self
            .findings
            .iter()
            .filter_map(|f| f.related.as_ref().map(|r| r.path.clone()))
            .filter(|p| self.sources.iter().all(|(known, _)| known != p))
            .collect();
        wanted.sort();
        wanted.dedup();
        for path in wanted {
            if let Ok(text) = read_source(&path, language) {
                self.sources.push((path, text));
            }
        }
    }

    /// What a file that could not be read found: its error.
    pub(crate) fn error(error: Error) -> Linted {
        Linted {
            errors: vec![error],
            ..Linted::default()
        }
    }
}

/// `path` as it is shown: relative to the current directory when it is below it (the walk's
/// files are named as the user gave their directory; a unit's other files by absolute path).
pub(crate) fn shown(path: &Path) -> PathBuf {
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        return rel.to_path_buf();
    }
    path.to_path_buf()
}

/// Reads a source file of `language` as UTF-8.
///
/// # Errors
/// The read error, or [`ErrorKind::NotUtf8`] with the offset of the first bad byte.
pub(crate) fn read_source(path: &Path, language: Language) -> Result<Arc<str>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    utf8(path, bytes, language)
}

/// `bytes`, read from `path`, as text of `language`.
///
/// # Errors
/// [`ErrorKind::NotUtf8`] with the offset of the first bad byte.
pub(crate) fn utf8(path: &Path, bytes: Vec<u8>, language: Language) -> Result<Arc<str>, Error> {
    String::from_utf8(bytes)
        .map(Arc::from)
        .map_err(|e| not_utf8(path, e.utf8_error().valid_up_to(), language))
}

/// Whether `bytes`, read from `path`, are text of `language`, without keeping them: the
/// engine checks every file this way, and copying each into a string of its own to drop it
/// at once cost more than the check.
///
/// # Errors
/// [`ErrorKind::NotUtf8`] with the offset of the first bad byte.
pub(crate) fn check_utf8(path: &Path, bytes: &[u8], language: Language) -> Result<(), Error> {
    std::str::from_utf8(bytes)
        .map(drop)
        .map_err(|e| not_utf8(path, e.valid_up_to(), language))
}

fn not_utf8(path: &Path, at: usize, language: Language) -> Error {
    Error::new(
        ErrorKind::NotUtf8,
        Some(path),
        format!(
            "not valid UTF-8 (first bad byte at offset {at}); {} source must be UTF-8",
            language.name()
        ),
    )
}
