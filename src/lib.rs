//! `ctxlint`: catches shared-mutable context bugs in async Rust and Python code (context
//! variables, `tracing` spans, task-locals), without compiling anything.
//!
//! It parses each file with the front end of its language (`syn` for Rust, Ruff's parser for
//! Python) and runs the lints of the catalogue, [`ctxlint_catalogue`] (shared with the Dylint
//! library), which holds their names, messages, docs and the APIs they know:
//! [`catalogue::LINTS`] lists them, and `ctxlint rules` prints them. The layers are drawn in
//! `docs/architecture.md`.
//!
//! ```
//! # fn main() -> Result<(), ctxlint::Error> {
//! let dir = std::env::temp_dir().join(format!("ctxlint-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).ok();
//! let file = dir.join("main.rs");
//! std::fs::write(&file, r#"
//!     use contextvars::ContextVar;
//!     use std::sync::Mutex;
//!     static SEEN: ContextVar<Mutex<u32>> = ContextVar::with_default("seen", Mutex::new(0));
//!     fn main() {}
//! "#).ok();
//! let output = ctxlint::check(&ctxlint::CheckOptions { paths: vec![file], ..Default::default() })?;
//! assert_eq!(output.findings.len(), 1);
//! assert_eq!(output.findings[0].lint.name, "interior_mutable_default");
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```

mod config;
mod diagnostic;
mod engine;
mod error;
mod fix;
mod frontend;
mod languages;
mod python;
mod report;
mod rust;
pub mod server;

pub use config::Config;
pub use ctxlint_catalogue as catalogue;
pub use diagnostic::{Applicability, Finding, Related, SourceSpan, Suggestion, TargetInfo, Texts};
pub use engine::{
    CheckOptions, CheckOutput, Progress, check, check_source, check_source_as, check_text,
};
pub use error::{Error, ErrorKind, Position};
pub use fix::{
    FixOutput, FixPreview, FixedText, PreviewedFile, apply_suggestions, fix, fix_text, preview_fix,
    unified_diff,
};
pub use frontend::IGNORE_FILE;
pub use report::SARIF_SCHEMA;

impl CheckOutput {
    /// Calls `each` for every finding, in order, with its file's text, that text's line index,
    /// and the text of its related place's file. The index is built once per run of findings
    /// in the same file: building it scans the whole file, and a file can hold many findings.
    fn for_each_with_source(
        &self,
        mut each: impl FnMut(&Finding, &str, &ariadne::Source<&str>, Option<&str>),
    ) {
        let mut index: Option<(&std::path::Path, ariadne::Source<&str>)> = None;
        for finding in &self.findings {
            let source = self.sources.get(&finding.path).map_or("", |s| &**s);
            let index = match &mut index {
                Some((path, index)) if *path == finding.path => index,
                slot => {
                    &slot
                        .insert((&finding.path, ariadne::Source::from(source)))
                        .1
                }
            };
            let related = finding
                .related
                .as_ref()
                .and_then(|r| self.sources.get(&r.path))
                .map(|s| &**s);
            each(finding, source, index, related);
        }
    }

    /// The findings as people read them: one ariadne report per finding, in order.
    pub fn render_human(&self, color: bool) -> String {
        let mut out = String::new();
        self.for_each_with_source(|finding, source, index, related| {
            out.push_str(&finding.render_in(source, index, related, color));
        });
        out
    }

    /// The findings as cargo's JSON messages, one object per line.
    pub fn render_json(&self) -> String {
        let mut out = String::new();
        self.for_each_with_source(|finding, source, index, related| {
            let target = self.targets.get(&finding.path).cloned().unwrap_or_else(|| {
                languages::for_language(finding.language).fallback_target(&finding.path)
            });
            out.push_str(
                &finding
                    .to_json_in(source, index, related, &target)
                    .to_string(),
            );
            out.push('\n');
        });
        out
    }

    /// Whether any file could not be checked.
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}
