//! The library's typed errors.

use std::fmt;
use std::path::{Path, PathBuf};

/// An error that stopped ctxlint from checking a file or from starting at all.
///
/// Errors about one file never stop the other files from being checked: [`crate::check`]
/// collects them beside the findings.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What kind of [`Error`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or directory could not be read (missing, no permission, not a regular file, …).
    Io,
    /// A file is not valid UTF-8, so it cannot be Rust source.
    NotUtf8,
    /// Following symbolic links led back to a directory already on the path.
    SymlinkLoop,
    /// A file is not valid Rust syntax; the message names `file:line:col`.
    Parse,
    /// A file nests expressions, types or blocks deeper than ctxlint's limit.
    TooDeep,
    /// A configuration file (`ctxlint.toml` or Cargo metadata) is malformed or has unknown keys.
    Config,
    /// A lint name that the catalogue does not know.
    UnknownLint,
    /// `--fix` could not rewrite a file: the rewrite would not parse, the file changed while
    /// it was being checked, or it could not be written.
    Fix,
    /// The editor server's connection failed, or a request could not be answered.
    Server,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, path: Option<&Path>, message: impl Into<String>) -> Self {
        Error {
            kind,
            path: path.map(Path::to_path_buf),
            message: message.into(),
            source: None,
        }
    }

    /// A front end's walk went deeper than its `limit` at `at`: the rest of the file was
    /// skipped. The same words for every language.
    pub(crate) fn walk_too_deep(
        path: &Path,
        at: crate::diagnostic::SourceSpan,
        limit: usize,
    ) -> Self {
        let message = format!(
            "{}:{}:{}: expressions nest more than {limit} levels deep; the rest of the file was skipped",
            path.display(),
            at.line_start,
            at.column_start
        );
        Error::new(ErrorKind::TooDeep, Some(path), message)
    }

    pub(crate) fn io(path: &Path, err: std::io::Error) -> Self {
        // ELOOP has no stable `io::ErrorKind` yet, so look at the raw OS error (40 on Linux,
        // 62 on macOS and the BSDs).
        let is_loop = matches!(err.raw_os_error(), Some(40 | 62));
        let kind = if is_loop {
            ErrorKind::SymlinkLoop
        } else {
            ErrorKind::Io
        };
        let message = if is_loop {
            "symbolic link loop".to_owned()
        } else {
            err.to_string()
        };
        Error {
            kind,
            path: Some(path.to_path_buf()),
            message,
            source: Some(Box::new(err)),
        }
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file the error is about, if it is about one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.kind) {
            // A parse or depth error's message already starts with `file:line:col`.
            (Some(_), ErrorKind::Parse | ErrorKind::TooDeep) => f.write_str(&self.message),
            (Some(path), _) => write!(f, "{}: {}", path.display(), self.message),
            (None, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
