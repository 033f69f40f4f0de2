//! The registry of front ends: which languages ctxlint checks, and which front end takes a
//! file or a language. The engine, `--fix` and the renderers reach the front ends only through
//! it and the seam of [`crate::frontend`].

use std::path::Path;

use ctxlint_catalogue::Language;

use crate::frontend::FrontEnd;

/// Every front end, in the order their files are listed.
pub(crate) static FRONT_ENDS: &[&dyn FrontEnd] =
    &[&crate::rust::RustFrontEnd, &crate::python::PythonFrontEnd];

/// The front end that claims `path`, if any.
pub(crate) fn for_path(path: &Path) -> Option<&'static dyn FrontEnd> {
    FRONT_ENDS.iter().copied().find(|f| f.claims(path))
}

/// The front end that claims the file at `path` by its first line (a script's `#!` line),
/// for a file named on the command line whose name no front end claims.
pub(crate) fn for_script(path: &Path) -> Option<&'static dyn FrontEnd> {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    let first = head[..n].split(|b| *b == b'\n').next()?;
    let first = std::str::from_utf8(first).ok()?;
    FRONT_ENDS.iter().copied().find(|f| f.claims_script(first))
}

/// The front end of `language`.
pub(crate) fn for_language(language: Language) -> &'static dyn FrontEnd {
    FRONT_ENDS
        .iter()
        .copied()
        .find(|f| f.language() == language)
        .unwrap_or(&crate::rust::RustFrontEnd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_one_front_end() {
        for language in Language::ALL {
            let found: Vec<_> = FRONT_ENDS
                .iter()
                .filter(|f| f.language() == language)
                .collect();
            assert_eq!(found.len(), 1, "{}", language.name());
        }
    }
}
