//! Findings, and their two renderings: an ariadne report for people and a rustc-style JSON
//! diagnostic (as cargo prints it) for tools.

use std::path::PathBuf;

use ctxlint_catalogue::{Language, Level, Lint};
use serde_json::{Value, json};

/// A place in a source file, in every unit that consumers want.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceSpan {
    /// Byte offset of the first byte.
    pub byte_start: usize,
    /// Byte offset just past the last byte.
    pub byte_end: usize,
    /// 1-based line of the start.
    pub line_start: usize,
    /// 1-based line of the end.
    pub line_end: usize,
    /// 1-based column of the start, counted in characters (as rustc does).
    pub column_start: usize,
    /// 1-based column of the end, counted in characters.
    pub column_end: usize,
}

/// How sure a suggestion is, with the meanings rustc gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Applicability {
    /// Certainly right: tools may apply it without asking.
    MachineApplicable,
    /// Probably right, but a person should look, for example because it changes when an
    /// argument is evaluated.
    MaybeIncorrect,
}

impl Applicability {
    /// The name rustc uses in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "MachineApplicable",
            Applicability::MaybeIncorrect => "MaybeIncorrect",
        }
    }
}

/// A replacement of the source text in a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// What it replaces.
    pub span: SourceSpan,
    /// The new text.
    pub replacement: String,
    /// Whether it can be applied without review.
    pub applicability: Applicability,
}

/// One lint finding.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Which lint fired.
    pub lint: &'static Lint,
    /// Its level after config and attributes (never [`Level::Allow`]).
    pub level: Level,
    /// The language of the file, as the front end that found it says.
    pub language: Language,
    /// The file, as it was given or found.
    pub path: PathBuf,
    /// The primary span.
    pub span: SourceSpan,
    /// A fix, where one is mechanical.
    pub suggestion: Option<Suggestion>,
    /// The `help:` when it is not the lint's own: each runner and guard has its own fix.
    pub help: Option<&'static str>,
    /// A second place the finding points at, with the form's secondary label: the
    /// declaration of the variable whose shared default a write reaches, maybe in another file.
    pub related: Option<Related>,
}

/// A secondary place of a [`Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file, as shown to the reader.
    pub path: PathBuf,
    /// The span in it.
    pub span: SourceSpan,
}

/// How the package and target of a finding are named in cargo's JSON messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    /// Cargo's package id, such as `path+file:///src/app#app@0.1.0`.
    pub package_id: String,
    /// The target's name (the crate name).
    pub name: String,
    /// The target kind: `lib`, `bin`, `example`, `test` or `bench`.
    pub kind: String,
    /// The target's root source file.
    pub src_path: PathBuf,
    /// The package's edition.
    pub edition: String,
    /// The package's `Cargo.toml`, if it has one.
    pub manifest_path: Option<PathBuf>,
}

/// The diagnostic texts of a finding, in its language (see [`Finding::texts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Texts {
    /// The main message.
    pub message: &'static str,
    /// The label on the primary span.
    pub label: &'static str,
    /// The `note:`.
    pub note: &'static str,
    /// The `help:`.
    pub help: &'static str,
    /// The message of the suggestion, if the lint has one.
    pub suggestion: Option<&'static str>,
    /// The label of the related place, if the lint points at one.
    pub secondary: Option<&'static str>,
}

impl Finding {
    /// The lint's texts in the finding's language: a Python finding gets the Python form's
    /// messages (`ContextVar(..., default=...)`, `asyncio.create_task`), a Rust one the Rust
    /// form's.
    pub fn texts(&self) -> Texts {
        let form = self
            .lint
            .form(self.language)
            .unwrap_or_else(|| self.lint.primary());
        Texts {
            message: form.message,
            label: form.label,
            note: form.note,
            // A runner or guard has a fix of its own.
            help: self.help.unwrap_or(form.help),
            suggestion: form.suggestion,
            secondary: form.secondary,
        }
    }

    /// The report as people read it, rendered with ariadne. `source` is the file's text, and
    /// `related` the text of the related place's file, when it is another one.
    pub fn render(&self, source: &str, related: Option<&str>, color: bool) -> String {
        self.render_in(source, &ariadne::Source::from(source), related, color)
    }

    /// [`Finding::render`] with the file's line index built once by the caller, since
    /// building it is linear in the file's size and a file may have many findings.
    pub(crate) fn render_in(
        &self,
        text: &str,
        source: &ariadne::Source<&str>,
        related: Option<&str>,
        color: bool,
    ) -> String {
        use ariadne::{Config, IndexType, Label, Report, ReportKind};
        let name = self.path.display().to_string();
        let range = self.span.byte_start..self.span.byte_end;
        let kind = match self.level {
            Level::Deny => ReportKind::Error,
            _ => ReportKind::Warning,
        };
        let texts = self.texts();
        // Python users know lints by their short code, which `# noqa` takes; the name is
        // what `# ctxlint: allow(NAME)` and the configuration take.
        let code = if self.language.names_lints_by_code() {
            format!("{} {}", self.lint.code, self.lint.name)
        } else {
            self.lint.name.to_owned()
        };
        let mut report = Report::build(kind, (name.clone(), range.clone()))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_code(code)
            .with_message(texts.message)
            .with_label(Label::new((name.clone(), range)).with_message(texts.label))
            .with_note(texts.note)
            .with_help(texts.help);
        if let Some(s) = &self.suggestion {
            report = report.with_help(format!(
                "{} ({}):\n{}",
                texts.suggestion.unwrap_or("try"),
                applicability_words(s.applicability),
                s.replacement
            ));
        }
        let mut out = Vec::new();
        let written = match (&self.related, texts.secondary) {
            (Some(place), Some(label)) => {
                let other = place.path.display().to_string();
                let range = place.span.byte_start..place.span.byte_end;
                // ariadne starts a new group, with the report's own location as its header,
                // at a label above the one before: in the same file, the labels go in line
                // order.
                let order = if place.path == self.path && place.span < self.span {
                    -1
                } else {
                    1
                };
                report = report.with_label(
                    Label::new((other.clone(), range))
                        .with_message(label)
                        .with_order(order),
                );
                if place.path == self.path {
                    report.finish().write((name, source), &mut out)
                } else {
                    let cache = ariadne::sources([(name, text), (other, related.unwrap_or(""))]);
                    report.finish().write(cache, &mut out)
                }
            }
            _ => report.finish().write((name, source), &mut out),
        };
        match written {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            // Writing to a Vec cannot fail; fall back to a one-line form all the same.
            Err(_) => format!(
                "{}: {}: {}\n",
                self.location(),
                self.lint.name,
                texts.message
            ),
        }
    }

    /// `path:line:col`, for one-line forms.
    pub fn location(&self) -> String {
        format!(
            "{}:{}:{}",
            self.path.display(),
            self.span.line_start,
            self.span.column_start
        )
    }

    /// The finding as one cargo JSON message (`{"reason":"compiler-message",…}`), readable by
    /// `cargo_metadata::Message` and rust-analyzer. `related` is the text of the related
    /// place's file, when it is another one.
    pub fn to_json(&self, source: &str, related: Option<&str>, target: &TargetInfo) -> Value {
        self.to_json_in(source, &ariadne::Source::from(source), related, target)
    }

    pub(crate) fn to_json_in(
        &self,
        source: &str,
        index: &ariadne::Source<&str>,
        related: Option<&str>,
        target: &TargetInfo,
    ) -> Value {
        let level = level_name(self.level);
        let texts = self.texts();
        let file_name = self.path.display().to_string();
        let mut children = vec![
            json!({
                "message": texts.note, "code": null, "level": "note",
                "spans": [], "children": [], "rendered": null,
            }),
            json!({
                "message": texts.help, "code": null, "level": "help",
                "spans": [], "children": [], "rendered": null,
            }),
        ];
        if let Some(s) = &self.suggestion {
            let mut span = span_json(&file_name, source, s.span, false, None);
            span["suggested_replacement"] = json!(s.replacement);
            span["suggestion_applicability"] = json!(s.applicability.as_str());
            children.push(json!({
                "message": texts.suggestion.unwrap_or("try"), "code": null, "level": "help",
                "spans": [span], "children": [], "rendered": null,
            }));
        }
        let mut spans = vec![span_json(
            &file_name,
            source,
            self.span,
            true,
            Some(texts.label),
        )];
        if let (Some(place), Some(label)) = (&self.related, texts.secondary) {
            let text = if place.path == self.path {
                source
            } else {
                related.unwrap_or("")
            };
            let name = place.path.display().to_string();
            spans.push(span_json(&name, text, place.span, false, Some(label)));
        }
        json!({
            "reason": "compiler-message",
            "package_id": target.package_id,
            "manifest_path": target.manifest_path,
            "target": {
                "kind": [target.kind],
                "crate_types": [if target.kind == "lib" { "lib" } else { "bin" }],
                "name": target.name,
                "src_path": target.src_path,
                "edition": target.edition,
                "doc": target.kind == "lib",
                "doctest": target.kind == "lib",
                "test": true,
            },
            "message": {
                "$message_type": "diagnostic",
                "message": texts.message,
                "code": { "code": self.lint.name, "explanation": null },
                "level": level,
                "spans": spans,
                "children": children,
                "rendered": self.render_in(source, index, related, false),
            },
        })
    }
}

fn applicability_words(a: Applicability) -> &'static str {
    match a {
        Applicability::MachineApplicable => "machine-applicable",
        Applicability::MaybeIncorrect => "maybe incorrect",
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        _ => "warning",
    }
}

fn span_json(
    file_name: &str,
    source: &str,
    span: SourceSpan,
    primary: bool,
    label: Option<&str>,
) -> Value {
    // rustc's `text` holds every line the span touches, with 1-based character columns of the
    // highlighted part.
    let mut text = Vec::new();
    for (index, line) in source
        .lines()
        .enumerate()
        .skip(span.line_start.saturating_sub(1))
    {
        let number = index + 1;
        if number > span.line_end {
            break;
        }
        let len = line.chars().count() + 1;
        let start = if number == span.line_start {
            span.column_start
        } else {
            1
        };
        let end = if number == span.line_end {
            span.column_end
        } else {
            len
        };
        text.push(json!({ "text": line, "highlight_start": start, "highlight_end": end }));
    }
    json!({
        "file_name": file_name,
        "byte_start": span.byte_start,
        "byte_end": span.byte_end,
        "line_start": span.line_start,
        "line_end": span.line_end,
        "column_start": span.column_start,
        "column_end": span.column_end,
        "is_primary": primary,
        "text": text,
        "label": label,
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}
