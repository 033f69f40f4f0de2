//! The machine formats for CI: SARIF 2.1.0 (GitHub code scanning and every SARIF viewer) and
//! GitHub Actions workflow commands (annotations on a pull request's diff).

use std::path::Path;

use ctxlint_catalogue::{LINTS, Level, Lint};
use serde_json::{Value, json};

use crate::diagnostic::{Applicability, Finding};
use crate::engine::CheckOutput;

/// The schema that [`CheckOutput::render_sarif`] follows, as `$schema` names it.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

impl CheckOutput {
    /// The findings as one SARIF 2.1.0 log, with one run.
    ///
    /// Every lint of the catalogue is a rule (id, name, short and full description, help text
    /// and `helpUri`), so that a viewer can show rules without results too. Each result has a
    /// physical location with a region (lines, columns in Unicode code points as rustc counts
    /// them, and byte offsets), and `fixes` for its machine-applicable suggestion. Files that
    /// could not be checked are tool notifications, and make the invocation unsuccessful.
    pub fn render_sarif(&self) -> String {
        let rules: Vec<Value> = LINTS.iter().map(|lint| sarif_rule(lint)).collect();
        let results: Vec<Value> = self.findings.iter().map(sarif_result).collect();
        let notifications: Vec<Value> = self
            .errors
            .iter()
            .map(|e| {
                let mut n = json!({
                    "level": "error",
                    "message": { "text": e.to_string() },
                    "descriptor": { "id": format!("{:?}", e.kind()).to_lowercase() },
                });
                if let Some(path) = e.path() {
                    let mut location = json!({ "artifactLocation": artifact(path) });
                    if let Some(at) = e.position() {
                        location["region"] =
                            json!({ "startLine": at.line, "startColumn": at.column });
                    }
                    n["locations"] = json!([{ "physicalLocation": location }]);
                }
                n
            })
            .collect();
        let log = json!({
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "ctxlint",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "informationUri": env!("CARGO_PKG_REPOSITORY"),
                        "rules": rules,
                    }
                },
                "invocations": [{
                    "executionSuccessful": self.errors.is_empty(),
                    "toolExecutionNotifications": notifications,
                }],
                // rustc's columns, which ctxlint reports, count characters.
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {
                    "%SRCROOT%": { "description": { "text": "the directory ctxlint ran in" } }
                },
                "results": results,
            }],
        });
        // A `Value` always serialises; the fallback only keeps this function total.
        serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
    }

    /// The findings as GitHub Actions workflow commands, one per line:
    /// `::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.
    ///
    /// A denied lint is an `error`, a warned one a `warning`; files that could not be checked
    /// are `error`s too. GitHub shows them as annotations on the pull request's diff.
    pub fn render_github(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let command = match f.level {
                Level::Deny => "error",
                _ => "warning",
            };
            let texts = f.texts();
            let mut message = format!("{}\n{}\nhelp: {}", texts.message, texts.note, texts.help);
            if let Some(s) = &f.suggestion {
                message.push_str(&format!(
                    "\nsuggestion ({}): {}",
                    s.applicability.as_str(),
                    s.replacement
                ));
            }
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(&slashes(&f.path)),
                f.span.line_start,
                f.span.column_start,
                f.span.line_end,
                f.span.column_end,
                escape_property(&format!("ctxlint({})", f.lint.name)),
                escape_data(&message),
            ));
        }
        for e in &self.errors {
            let file = e
                .path()
                .map(|p| format!(" file={},", escape_property(&slashes(p))))
                .unwrap_or_else(|| " ".to_owned());
            out.push_str(&format!(
                "::error{file}title=ctxlint::{}\n",
                escape_data(&e.to_string())
            ));
        }
        out
    }
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Allow => "none",
        Level::Warn => "warning",
        Level::Deny => "error",
    }
}

fn sarif_rule(lint: &Lint) -> Value {
    json!({
        "id": lint.name,
        // SARIF1001: a rule's name must differ from its id; `InteriorMutableDefault` is the
        // convention of other analysers (and readable as a title).
        "name": pascal_case(lint.name),
        "shortDescription": { "text": lint.summary },
        "fullDescription": { "text": lint.what_it_does() },
        "help": { "text": lint.primary().help, "markdown": lint.primary().doc },
        "helpUri": lint.help_uri(),
        "defaultConfiguration": { "level": sarif_level(lint.default_level) },
    })
}

fn pascal_case(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn sarif_result(f: &Finding) -> Value {
    let texts = f.texts();
    let rule_index = LINTS.iter().position(|l| l.name == f.lint.name);
    let region = |s: &crate::diagnostic::SourceSpan| {
        json!({
            "startLine": s.line_start,
            "startColumn": s.column_start,
            "endLine": s.line_end,
            "endColumn": s.column_end,
            "byteOffset": s.byte_start,
            "byteLength": s.byte_end - s.byte_start,
        })
    };
    let mut result = json!({
        "ruleId": f.lint.name,
        "level": sarif_level(f.level),
        "message": { "text": format!("{}: {}", texts.message, texts.label) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact(&f.path),
                "region": region(&f.span),
            }
        }],
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if let Some(s) = &f.suggestion
        && s.applicability == Applicability::MachineApplicable
    {
        result["fixes"] = json!([{
            "description": { "text": texts.suggestion.unwrap_or("apply the suggestion") },
            "artifactChanges": [{
                "artifactLocation": artifact(&f.path),
                "replacements": [{
                    "deletedRegion": region(&s.span),
                    "insertedContent": { "text": s.replacement },
                }],
            }],
        }]);
    }
    result
}

/// A SARIF artifact location: relative paths against `%SRCROOT%` (what code scanning maps to
/// the repository), absolute ones as `file://` URIs.
fn artifact(path: &Path) -> Value {
    let text = slashes(path);
    let text = text.strip_prefix("./").unwrap_or(&text);
    if path.is_absolute() {
        json!({ "uri": format!("file://{}", percent_encode(text)) })
    } else {
        json!({ "uri": percent_encode(text), "uriBaseId": "%SRCROOT%" })
    }
}

fn slashes(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Percent-encodes what may not stand in a URI path (RFC 3986 `pchar` and `/`).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The escaping of a workflow command's message, as the Actions toolkit does it
/// (`escapeData` in `@actions/core`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The escaping of a workflow command's property values (`escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_like_the_toolkit() {
        assert_eq!(escape_data("a%b\nc\r"), "a%25b%0Ac%0D");
        assert_eq!(escape_property("C:\\x,y"), "C%3A\\x%2Cy");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(percent_encode("src/a b#.rs"), "src/a%20b%23.rs");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }
}
