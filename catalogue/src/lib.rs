//! The catalogue of ctxlint's lints: the one place that names them and holds, for each
//! language a lint exists in, its messages, its documentation and the APIs it knows.
//!
//! Both drivers read this crate: the `ctxlint` CLI (for diagnostics, `ctxlint rules`,
//! `ctxlint explain`, `--help`, the README table and `docs/cli.md`) and the Dylint library in
//! `lints/` (for its lint declarations, messages, options and rewrites). A test in each driver
//! fails when its output drifts from here.
//!
//! - [`LINTS`] is the registry: one line per lint, each defined in a file of its own under
//!   `src/lints/` (`scripts/new-lint.py` writes both).
//! - [`apis`] holds every table of third-party knowledge: runners, guards, spawns, span
//!   constructors, Python's task factories and coroutine functions.
//! - [`fix`] renders a runner's rewrite from its template, for both drivers.
//! - `options` (feature `config`) declares each lint's options once, for both drivers.
//!
//! ```
//! use ctxlint_catalogue::{Language, Level};
//! let lint = ctxlint_catalogue::find("interior_mutable_default").unwrap();
//! assert_eq!(lint.default_level, Level::Warn);
//! assert!(lint.form(Language::Python).unwrap().doc.contains("### What it does"));
//! ```

pub mod apis;
pub mod contextvars;
pub mod fix;
mod lints;
#[cfg(feature = "config")]
pub mod options;

pub use apis::{ApiTable, Guard, GuardOf, Receiver, Runner, RunnerCall};
pub use fix::{Fix, Operand};
pub use lints::*;

/// What the `ctxlint` tool does, in one line: `--help`'s description and the package's.
pub const ABOUT: &str = "Catches shared-mutable context bugs in async Rust and Python code: \
                         context variables, spans and task-locals";

/// How seriously a lint is reported, as in `#[allow]` / `#[warn]` / `#[deny]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}

impl Level {
    /// The level's name as written in attributes and config files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// Parses `allow`, `warn` or `deny` (the spellings of attributes and config files).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// A language ctxlint checks. Each has a front end in the CLI; a lint has a [`Form`] in each
/// language it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// Rust, with the `contextvars` crate, `tracing`, tokio's task-locals, sentry and
    /// OpenTelemetry.
    Rust,
    /// Python, with its standard `contextvars` module and `asyncio`.
    Python,
}

impl Language {
    /// Every language, in the order forms and tables list them.
    pub const ALL: [Language; 2] = [Language::Rust, Language::Python];

    /// The language's name for people (`Rust`, `Python`).
    pub const fn name(self) -> &'static str {
        match self {
            Language::Rust => "Rust",
            Language::Python => "Python",
        }
    }

    /// The language's identifier in the Language Server Protocol (`languageId`), which editors
    /// send with every buffer.
    pub const fn lsp_id(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
        }
    }

    /// The language an LSP `languageId` names, if ctxlint checks it.
    ///
    /// ```
    /// use ctxlint_catalogue::Language;
    /// assert_eq!(Language::from_lsp_id("python"), Some(Language::Python));
    /// assert_eq!(Language::from_lsp_id("go"), None);
    /// ```
    pub fn from_lsp_id(id: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.lsp_id() == id)
    }

    /// Whether the language's users name a lint by its short code (`# noqa: CTX001` in
    /// Python), so that reports show the code beside the name.
    pub const fn names_lints_by_code(self) -> bool {
        matches!(self, Language::Python)
    }

    /// Where the documentation of a lint's form in this language lives, under the
    /// catalogue's `docs/`: Rust's at the top (the first language the lints had), the others
    /// in a directory named after the language.
    pub const fn doc_dir(self) -> &'static str {
        match self {
            Language::Rust => "",
            Language::Python => "python/",
        }
    }
}

/// One lint: its name, code, default level and summary, and its form in each language it
/// applies to.
///
/// Every text follows the rustc/clippy message convention: it starts in lowercase, has no
/// final period, and puts code in backticks.
#[derive(Debug)]
pub struct Lint {
    /// The lint's name, as written in `#[allow(NAME)]` and in the JSON `code` field. It names
    /// the bad pattern, so that `allow(NAME)` reads as "allow NAME".
    pub name: &'static str,
    /// A short code, such as `CTX001`, for `# noqa: CODE` in Python and `ctxlint rules`.
    pub code: &'static str,
    /// The level the lint has when no attribute or config changes it.
    pub default_level: Level,
    /// A one-line summary for `ctxlint rules`, the README table and the Dylint declaration.
    pub summary: &'static str,
    /// The lint's form in each language it applies to, the first one primary (SARIF's rule
    /// text and `help_uri` come from it). Never empty.
    pub forms: &'static [Form],
}

/// A lint in one language: the texts of its diagnostic, its documentation and the API tables
/// it reads.
#[derive(Debug)]
pub struct Form {
    /// The language.
    pub language: Language,
    /// The diagnostic's main message.
    pub message: &'static str,
    /// The label on the primary span.
    pub label: &'static str,
    /// The `note:` that explains the consequence.
    pub note: &'static str,
    /// The `help:` that says how to fix it.
    pub help: &'static str,
    /// The message of the lint's mechanical fix, for the drivers that offer one.
    pub suggestion: Option<&'static str>,
    /// The label of a secondary place, for the lints that point at one (the declaration of the
    /// variable whose default a write reaches).
    pub secondary: Option<&'static str>,
    /// The full documentation in Markdown, with the sections `### What it does`,
    /// `### Why is this bad?`, `### Known problems` and `### Example` (ending in "Use instead:").
    pub doc: &'static str,
    /// The tables of APIs this form knows, which `ctxlint explain` and `ctxlint rules` list.
    pub apis: &'static [ApiTable],
}

impl Lint {
    /// The lint's form in `language`, if it applies to that language.
    pub fn form(&self, language: Language) -> Option<&'static Form> {
        self.forms.iter().find(|f| f.language == language)
    }

    /// The primary form: the first of [`Lint::forms`] (a test checks there is one).
    pub fn primary(&self) -> &'static Form {
        match self.forms {
            [first, ..] => first,
            [] => &EMPTY_FORM,
        }
    }

    /// The languages the lint applies to, in the order of its forms.
    pub fn languages(&self) -> impl Iterator<Item = Language> + '_ {
        self.forms.iter().map(|f| f.language)
    }

    /// The first paragraph of the primary form's `### What it does`, as one line of text, for
    /// tools that show a lint's full description (SARIF's `fullDescription`).
    ///
    /// ```
    /// let what = ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE.what_it_does();
    /// assert!(what.starts_with("Checks for a synchronous call"));
    /// assert!(!what.contains('\n'));
    /// ```
    pub fn what_it_does(&self) -> String {
        let doc = self.primary().doc;
        let body = doc
            .split_once("### What it does")
            .map_or(doc, |(_, rest)| rest);
        let section = body.split("\n### ").next().unwrap_or(body);
        // Its first paragraph: tables and lists that follow do not read as one line.
        let section = section.trim_start().split("\n\n").next().unwrap_or(section);
        section.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Where the documentation of the lint's primary form is published: its page in the
    /// repository's catalogue.
    ///
    /// ```
    /// let uri = ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT.help_uri();
    /// assert!(uri.ends_with("/catalogue/docs/interior_mutable_default.md"));
    /// ```
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/catalogue/docs/{}{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.primary().language.doc_dir(),
            self.name
        )
    }

    /// The APIs the lint knows in `language`, with the fix for each, as `(api, fix)`, from the
    /// tables its form names. `ctxlint rules` and `ctxlint explain` print them.
    ///
    /// ```
    /// use ctxlint_catalogue::{Language, SYNC_RUN_WRAPS_FUTURE};
    /// let apis = SYNC_RUN_WRAPS_FUTURE.apis(Language::Rust);
    /// assert!(apis.iter().any(|(api, _)| api == "tracing::Span::in_scope"));
    /// ```
    pub fn apis(&self, language: Language) -> Vec<(String, &'static str)> {
        self.form(language)
            .into_iter()
            .flat_map(|form| form.apis)
            .flat_map(|table| table.entries())
            .collect()
    }
}

/// What [`Lint::primary`] returns for a lint without forms, which the tests forbid: it keeps
/// the function total.
static EMPTY_FORM: Form = Form {
    language: Language::Rust,
    message: "",
    label: "",
    note: "",
    help: "",
    suggestion: None,
    secondary: None,
    doc: "",
    apis: &[],
};

/// Looks a lint up by its short code, such as `CTX001`.
///
/// ```
/// assert_eq!(ctxlint_catalogue::find_code("CTX002").map(|l| l.name), Some("sync_run_wraps_future"));
/// ```
pub fn find_code(code: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|lint| lint.code == code)
}

/// Looks a lint up by name.
///
/// ```
/// assert!(ctxlint_catalogue::find("sync_run_wraps_future").is_some());
/// assert!(ctxlint_catalogue::find("no_such_lint").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|lint| lint.name == name)
}

/// Looks a lint up by name or by code, as the command line takes either.
///
/// ```
/// assert_eq!(ctxlint_catalogue::find_any("CTX001").map(|l| l.name), Some("interior_mutable_default"));
/// assert_eq!(ctxlint_catalogue::find_any("sync_run_wraps_future").map(|l| l.code), Some("CTX002"));
/// ```
pub fn find_any(name_or_code: &str) -> Option<&'static Lint> {
    find(name_or_code).or_else(|| find_code(name_or_code))
}

/// The Markdown table of lints for the README, generated from [`LINTS`].
///
/// The README holds a copy between `<!-- lints:begin -->` and `<!-- lints:end -->`; a test
/// fails when the two differ.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| lint | code | default | languages | what it flags |\n|---|---|---|---|---|\n",
    );
    for lint in LINTS {
        let languages: Vec<&str> = lint.languages().map(Language::name).collect();
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            lint.name,
            lint.code,
            lint.default_level.as_str(),
            languages.join(", "),
            lint.summary
        ));
    }
    out
}

/// The lint sections of `docs/cli.md`, generated from [`LINTS`]: per lint, its code, level,
/// languages and summary, then the first paragraph of each form's `### What it does`.
///
/// `docs/cli.md` holds a copy between `<!-- lints:begin -->` and `<!-- lints:end -->`; a test
/// fails when the two differ.
pub fn markdown_sections() -> String {
    let mut out = String::new();
    for lint in LINTS {
        let languages: Vec<&str> = lint.languages().map(Language::name).collect();
        out.push_str(&format!(
            "### `{}` (`{}`, {}; {})\n\n{}\n",
            lint.name,
            lint.code,
            lint.default_level.as_str(),
            languages.join(", "),
            capitalized(lint.summary)
        ));
        for form in lint.forms {
            let what = first_paragraph(form.doc);
            out.push_str(&format!("\n- {}: {what}\n", form.language.name()));
        }
        out.push('\n');
    }
    out
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

/// The first paragraph of a doc's `### What it does`, on one line.
fn first_paragraph(doc: &str) -> String {
    let body = doc
        .split_once("### What it does")
        .map_or(doc, |(_, rest)| rest);
    let section = body.split("\n### ").next().unwrap_or(body);
    let section = section.trim_start().split("\n\n").next().unwrap_or(section);
    section.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message convention of rustc and clippy (`tests/lint_message_convention.rs` there).
    fn check_convention(what: &str, text: &str) {
        let first = text.chars().next().unwrap_or(' ');
        assert!(
            !first.is_uppercase(),
            "{what} starts in uppercase: {text:?}"
        );
        assert!(!text.ends_with('.'), "{what} ends with a period: {text:?}");
        assert!(!text.contains("  "), "{what} has a double space: {text:?}");
        assert_eq!(
            text.matches('`').count() % 2,
            0,
            "{what} has an unpaired backtick: {text:?}"
        );
    }

    #[test]
    fn texts_follow_the_message_convention() {
        for lint in LINTS {
            check_convention(&format!("{}.summary", lint.name), lint.summary);
            for form in lint.forms {
                let lang = form.language.name();
                for (what, text) in [
                    ("message", form.message),
                    ("label", form.label),
                    ("note", form.note),
                    ("help", form.help),
                    ("suggestion", form.suggestion.unwrap_or("")),
                    ("secondary", form.secondary.unwrap_or("")),
                ] {
                    if !text.is_empty() {
                        check_convention(&format!("{}.{lang}.{what}", lint.name), text);
                    }
                }
            }
        }
    }

    #[test]
    fn every_lint_has_one_form_per_language_at_most_and_at_least_one() {
        for lint in LINTS {
            assert!(!lint.forms.is_empty(), "{} has no form", lint.name);
            for (i, form) in lint.forms.iter().enumerate() {
                assert!(
                    lint.forms[..i].iter().all(|f| f.language != form.language),
                    "{} has two {} forms",
                    lint.name,
                    form.language.name()
                );
                assert!(!form.message.is_empty(), "{}: empty message", lint.name);
            }
        }
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        for (i, lint) in LINTS.iter().enumerate() {
            assert!(
                lint.code.len() == 6
                    && lint.code.starts_with("CTX")
                    && lint.code[3..].chars().all(|c| c.is_ascii_digit()),
                "{}: bad code {:?}",
                lint.name,
                lint.code
            );
            assert!(
                LINTS[..i].iter().all(|other| other.code != lint.code),
                "{} is used twice",
                lint.code
            );
        }
    }

    #[test]
    fn names_are_unique_snake_case() {
        for (i, lint) in LINTS.iter().enumerate() {
            assert!(
                lint.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{} is not snake_case",
                lint.name
            );
            assert!(
                LINTS[..i].iter().all(|other| other.name != lint.name),
                "{} is listed twice",
                lint.name
            );
        }
    }

    #[test]
    fn docs_have_every_section_in_order() {
        let sections = [
            "### What it does",
            "### Why is this bad?",
            "### Known problems",
            "### Example",
            "Use instead:",
        ];
        for lint in LINTS {
            for form in lint.forms {
                let mut at = 0;
                for section in sections {
                    let found = form.doc[at..].find(section);
                    assert!(
                        found.is_some(),
                        "{} ({}) lacks {section:?} (or has it out of order)",
                        lint.name,
                        form.language.name()
                    );
                    at += found.unwrap_or(0) + section.len();
                }
            }
        }
    }

    #[test]
    fn levels_round_trip() {
        for level in [Level::Allow, Level::Warn, Level::Deny] {
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
        assert_eq!(Level::parse("forbid-ish"), None);
    }

    #[test]
    fn table_lists_every_lint() {
        let table = markdown_table();
        let sections = markdown_sections();
        for lint in LINTS {
            assert!(table.contains(&format!("`{}`", lint.name)));
            assert!(sections.contains(&format!("### `{}`", lint.name)));
        }
    }
}
