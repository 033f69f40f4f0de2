//! The library's typed errors: a kind, and where (a file, and a line and column in it) as
//! fields, apart from the message, so that every renderer can place them (SARIF's regions, the
//! editor's log) and no message repeats its path.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An error that stopped ctxlint from checking a file or from starting at all.
///
/// Errors about one file never stop the other files from being checked: [`crate::check`]
/// collects them beside the findings. It displays as `path:line:col: message` (each part only
/// when known), as compilers print errors.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    path: Option<PathBuf>,
    position: Option<Position>,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

/// A place in a file: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1, in characters.
    pub column: usize,
}

/// What kind of [`Error`] happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A file or directory could not be read (missing, no permission, not a regular file, …).
    Io,
    /// A file is not valid UTF-8, so it cannot be source code.
    NotUtf8,
    /// Following symbolic links led back to a directory already on the path.
    SymlinkLoop,
    /// A file is not valid syntax of its language; [`Error::position`] says where.
    Parse,
    /// A file nests expressions, types or blocks deeper than ctxlint's limit.
    TooDeep,
    /// A configuration file (`ctxlint.toml`, Cargo metadata or `pyproject.toml`) is malformed
    /// or has unknown keys.
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
    /// An error of `kind` about `path` (if any), with a message that does not repeat the path.
    pub(crate) fn new(kind: ErrorKind, path: Option<&Path>, message: impl Into<String>) -> Self {
        Error {
            kind,
            path: path.map(Path::to_path_buf),
            position: None,
            message: message.into(),
            source: None,
        }
    }

    /// An error at `line:column` of `path`.
    pub(crate) fn at(
        kind: ErrorKind,
        path: &Path,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Error {
            position: Some(Position { line, column }),
            ..Error::new(kind, Some(path), message)
        }
    }

    /// A front end's walk went deeper than its `limit` at `at`: the rest of the file was
    /// skipped. The same words for every language.
    pub(crate) fn walk_too_deep(
        path: &Path,
        at: crate::diagnostic::SourceSpan,
        limit: usize,
    ) -> Self {
        Error::at(
            ErrorKind::TooDeep,
            path,
            at.line_start,
            at.column_start,
            format!(
                "expressions nest more than {limit} levels deep; the rest of the file was skipped"
            ),
        )
    }

    /// A file nests deeper than `limit` (the front end's cheap count before parsing).
    pub(crate) fn too_deep(path: &Path, depth: usize, limit: usize) -> Self {
        Error::new(
            ErrorKind::TooDeep,
            Some(path),
            format!(
                "nesting is {depth} levels deep, more than the {limit} ctxlint handles; skipped"
            ),
        )
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
            position: None,
            message,
            source: Some(Arc::new(err)),
        }
    }

    /// The same error, about `path` when it names no file yet.
    pub(crate) fn or_path(mut self, path: &Path) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_path_buf());
        }
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file the error is about, if it is about one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where in [`Error::path`] the error is, when it is at one place.
    pub fn position(&self) -> Option<Position> {
        self.position
    }

    /// What went wrong, without the path and position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}", path.display())?;
            if let Some(at) = self.position {
                write!(f, ":{}:{}", at.line, at.column)?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_the_place_once() {
        let path = Path::new("src/a.rs");
        assert_eq!(
            Error::at(ErrorKind::Parse, path, 3, 7, "cannot parse: expected `;`").to_string(),
            "src/a.rs:3:7: cannot parse: expected `;`"
        );
        assert_eq!(
            Error::new(ErrorKind::Config, Some(path), "unknown key").to_string(),
            "src/a.rs: unknown key"
        );
        assert_eq!(
            Error::new(ErrorKind::Io, None, "no threads").to_string(),
            "no threads"
        );
        assert_eq!(
            Error::too_deep(path, 30_000, 20_000).to_string(),
            "src/a.rs: nesting is 30000 levels deep, more than the 20000 ctxlint handles; skipped"
        );
    }
}
