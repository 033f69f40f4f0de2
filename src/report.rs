//! The machine formats for CI: SARIF 2.1.0 (GitHub code scanning and every SARIF viewer),
//! GitHub Actions workflow commands (annotations on a pull request's diff), GitLab's Code
//! Quality report and JUnit XML; and the counts of `--statistics`.

use std::collections::HashMap;
use std::hash::Hasher;
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

impl CheckOutput {
    /// The findings as a GitLab Code Quality report: a JSON array with one issue per finding
    /// (a subset of Code Climate's issue format, which is what GitLab reads).
    ///
    /// Each issue has `type`, `check_name` (the lint's name), `description`, `categories`,
    /// `severity` (`minor` for a warned lint, `major` for a denied one), `location` (the path
    /// relative to the current directory, with `/`, and the first and last line) and a
    /// `fingerprint`. The fingerprint hashes the path, the lint and the text of the finding's
    /// lines (with an occurrence number for identical ones), not the line number: GitLab
    /// compares fingerprints between the branch and its target to tell new issues from fixed
    /// ones, and a finding that only moved down the file is neither. Files that could not be
    /// checked are not issues: they are on standard error, with exit code 2.
    pub fn render_gitlab(&self) -> String {
        let mut seen: HashMap<(String, &str, String), usize> = HashMap::new();
        let mut issues = Vec::new();
        self.for_each_with_source(|f, source, _, _| {
            let path = relative_path(&f.path);
            let lines = lines_of(source, f.span.line_start, f.span.line_end);
            let key = (path.clone(), f.lint.name, lines);
            let occurrence = seen.entry(key.clone()).or_default();
            *occurrence += 1;
            let fingerprint = fingerprint(&[
                key.0.as_bytes(),
                key.1.as_bytes(),
                key.2.as_bytes(),
                occurrence.to_string().as_bytes(),
            ]);
            let texts = f.texts();
            issues.push(json!({
                "type": "issue",
                "check_name": f.lint.name,
                "description": format!("{}: {}", texts.message, texts.label),
                "content": { "body": format!("{}\n\nhelp: {}", texts.note, texts.help) },
                "categories": ["Bug Risk"],
                "severity": gitlab_severity(f.level),
                "location": {
                    "path": path,
                    "lines": { "begin": f.span.line_start, "end": f.span.line_end },
                },
                "fingerprint": fingerprint,
            }));
        });
        // A `Value` always serialises; the fallback only keeps this function total.
        serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_default() + "\n"
    }

    /// The findings as JUnit XML, for CI systems that show test reports: one `<testsuite>`
    /// per file, one `<testcase>` per finding with a `<failure>` (its `type` the lint's
    /// name), and one `<testcase>` with an `<error>` per file that could not be checked. A
    /// run without findings or errors is one suite with one passing test case, so that the
    /// report says the check ran.
    pub fn render_junit(&self) -> String {
        // Each suite: its name, its test cases, and how many of them fail and err.
        let mut suites: Vec<(String, Vec<String>, usize, usize)> = Vec::new();
        fn suite(suites: &mut Vec<(String, Vec<String>, usize, usize)>, name: &str) -> usize {
            match suites.iter().position(|(n, ..)| n == name) {
                Some(i) => i,
                None => {
                    suites.push((name.to_owned(), Vec::new(), 0, 0));
                    suites.len() - 1
                }
            }
        }
        for f in &self.findings {
            let path = slashes(&f.path);
            let texts = f.texts();
            let level = match f.level {
                Level::Deny => "error",
                _ => "warning",
            };
            let mut body = format!(
                "{}: {level}[{}]: {}\n{}\nnote: {}\nhelp: {}",
                f.location(),
                f.lint.code,
                texts.message,
                texts.label,
                texts.note,
                texts.help
            );
            if let Some(s) = &f.suggestion {
                body.push_str(&format!(
                    "\nsuggestion ({}): {}",
                    s.applicability.as_str(),
                    s.replacement
                ));
            }
            let case = format!(
                "    <testcase name=\"{} ({}) at line {}, column {}\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>\n",
                f.lint.name,
                f.lint.code,
                f.span.line_start,
                f.span.column_start,
                xml(&path),
                xml(&path),
                f.span.line_start,
                xml(texts.message),
                f.lint.name,
                xml(&body)
            );
            let i = suite(&mut suites, &path);
            suites[i].1.push(case);
            suites[i].2 += 1;
        }
        for e in &self.errors {
            let name = e.path().map_or_else(|| "ctxlint".to_owned(), slashes);
            let case = format!(
                "    <testcase name=\"cannot be checked\" classname=\"{}\">\n      <error message=\"{}\" type=\"{}\"/>\n    </testcase>\n",
                xml(&name),
                xml(&e.to_string()),
                format!("{:?}", e.kind()).to_lowercase(),
            );
            let i = suite(&mut suites, &name);
            suites[i].1.push(case);
            suites[i].3 += 1;
        }
        if suites.is_empty() {
            suites.push((
                "ctxlint".to_owned(),
                vec!["    <testcase name=\"no findings\" classname=\"ctxlint\"/>\n".to_owned()],
                0,
                0,
            ));
        }
        let tests: usize = suites.iter().map(|(_, cases, ..)| cases.len()).sum();
        let failures: usize = suites.iter().map(|s| s.2).sum();
        let errors: usize = suites.iter().map(|s| s.3).sum();
        let mut out = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ctxlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
        );
        for (name, cases, failures, errors) in &suites {
            out.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">\n",
                xml(name),
                cases.len()
            ));
            for case in cases {
                out.push_str(case);
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }

    /// The findings one per line, `PATH:LINE:COLUMN: LEVEL[CODE] NAME: MESSAGE`, for editors
    /// and tools that read compiler-style lines (an `errorformat` of `%f:%l:%c: %m`).
    pub fn render_concise(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let level = match f.level {
                Level::Deny => "error",
                _ => "warning",
            };
            out.push_str(&format!(
                "{}: {level}[{}] {}: {}\n",
                f.location(),
                f.lint.code,
                f.lint.name,
                f.texts().message
            ));
        }
        out
    }

    /// How many findings each lint has, most first (then in the catalogue's order): what
    /// `--statistics` prints. Lints without findings are left out.
    pub fn statistics(&self) -> Vec<(&'static Lint, usize)> {
        let mut counts: Vec<(&'static Lint, usize)> = LINTS
            .iter()
            .map(|&lint| {
                let n = self
                    .findings
                    .iter()
                    .filter(|f| f.lint.name == lint.name)
                    .count();
                (lint, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        // Stable: lints with as many findings stay in the catalogue's order.
        counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        counts
    }
}

/// Code Climate's severities (`info`, `minor`, `major`, `critical`, `blocker`): a warning is
/// `minor`, as clippy's and ruff's GitLab reports have it, and a denied lint, which fails the
/// build, `major`.
fn gitlab_severity(level: Level) -> &'static str {
    match level {
        Level::Deny => "major",
        _ => "minor",
    }
}

/// The text of lines `first..=last` of `source`, each trimmed: what a finding's fingerprint
/// hashes, so that indenting the code does not make it a new finding either.
fn lines_of(source: &str, first: usize, last: usize) -> String {
    source
        .lines()
        .skip(first.saturating_sub(1))
        .take(last.saturating_sub(first) + 1)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A stable fingerprint of `parts`: 128-bit SipHash-1-3 with zero keys, in hex. The
/// algorithm is fixed, so the same finding has the same fingerprint on every platform and
/// with every release of Rust (which `std`'s `DefaultHasher` does not promise).
fn fingerprint(parts: &[&[u8]]) -> String {
    use siphasher::sip128::Hasher128;
    let mut hasher = siphasher::sip128::SipHasher13::new();
    for part in parts {
        // The length first, so that the parts' boundaries count (`ab`+`c` is not `a`+`bc`).
        hasher.write(&(part.len() as u64).to_le_bytes());
        hasher.write(part);
    }
    format!("{:032x}", hasher.finish128().as_u128())
}

/// `path` relative to the current directory when it is below it, with `/` and without a
/// leading `./`: GitLab reads locations relative to the repository, where CI runs.
fn relative_path(path: &Path) -> String {
    let shown = crate::frontend::shown(path);
    let text = slashes(&shown);
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

/// `text` escaped for XML content and attribute values. Characters that XML 1.0 cannot hold
/// at all (control characters other than tab, line feed and carriage return) become U+FFFD.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
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
    fn xml_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(
            xml("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{fffd}\n"
        );
    }

    #[test]
    fn fingerprints_are_fixed_and_keep_parts_apart() {
        // A fixed value: a fingerprint must not change with the platform or the compiler.
        assert_eq!(
            fingerprint(&[b"src/main.rs", b"interior_mutable_default", b"x", b"1"]),
            "f60a79cdce639f437e82c34bb6a685ed"
        );
        assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
        assert_eq!(fingerprint(&[]).len(), 32);
    }

    #[test]
    fn fingerprint_lines_are_trimmed() {
        assert_eq!(lines_of("a\n  b  \n c\nd\n", 2, 3), "b\nc");
        assert_eq!(lines_of("a\n", 5, 5), "");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(percent_encode("src/a b#.rs"), "src/a%20b%23.rs");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }
}
