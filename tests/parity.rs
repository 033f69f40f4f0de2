//! Parity of the two drivers on every shared UI case: the lines the CLI reports must be the
//! lines the Dylint library reports, less the ones only types can decide.
//!
//! - The CLI's findings come from running it here.
//! - The Dylint library's come from its snapshots, `lints/ui/shared/NAME.stderr`, which its own
//!   UI test (`cd lints && cargo test`) checks against the real `cargo dylint` output on every
//!   run: a snapshot cannot drift from what the library reports.
//! - The exceptions are the `//~ dylint: NAME` markers: findings that need types, where the CLI
//!   errs toward silence. Each is listed in `docs/dylint-only.md` with its reason, and this test
//!   fails when the list and the markers differ.
//!
//! The rewrites are compared too: every one-line rewrite that the Dylint library suggests must
//! be the CLI's, character for character. (The CLI suggests more: it offers a rewrite that it
//! cannot prove harmless as "maybe incorrect", where the library, seeing the types, stays
//! silent.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// `(file, line, lint)`.
type Finding = (String, usize, String);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn cases() -> Result<Vec<PathBuf>> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root().join("tests/ui"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    cases.retain(|p| p.extension().is_some_and(|e| e == "rs"));
    cases.sort();
    Ok(cases)
}

fn name_of(case: &Path) -> String {
    case.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What the CLI reports on `case`, from its JSON output.
fn cli_findings(case: &Path) -> Result<BTreeSet<Finding>> {
    let out = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(["check", "-q", "--format", "json"])
        .arg(case)
        .output()?;
    let name = name_of(case);
    let mut found = BTreeSet::new();
    for line in std::str::from_utf8(&out.stdout)?.lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let message = &value["message"];
        let lint = message["code"]["code"].as_str().ok_or("no code")?;
        let line = message["spans"][0]["line_start"]
            .as_u64()
            .ok_or("no line")?;
        found.insert((name.clone(), usize::try_from(line)?, lint.to_owned()));
    }
    Ok(found)
}

/// `(file, line)` and the line as the rewrite leaves it, whitespace squeezed.
type Rewrite = ((String, usize), String);

/// The CLI's one-line rewrites of `case`: each suggestion applied alone, and the changed line.
fn cli_rewrites(case: &Path) -> Result<BTreeSet<Rewrite>> {
    let out = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(["check", "-q", "--format", "json"])
        .arg(case)
        .output()?;
    let source = std::fs::read_to_string(case)?;
    let name = name_of(case);
    let mut found = BTreeSet::new();
    for line in std::str::from_utf8(&out.stdout)?.lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let children = value["message"]["children"]
            .as_array()
            .ok_or("no children")?;
        for span in children
            .iter()
            .filter_map(|c| c["spans"].as_array())
            .flatten()
        {
            let Some(replacement) = span["suggested_replacement"].as_str() else {
                continue;
            };
            let (Some(start), Some(end), Some(line_start)) = (
                span["byte_start"].as_u64(),
                span["byte_end"].as_u64(),
                span["line_start"].as_u64(),
            ) else {
                return Err(format!("{name}: a suggestion without its span: {span}").into());
            };
            let (start, end) = (usize::try_from(start)?, usize::try_from(end)?);
            let fixed = format!("{}{replacement}{}", &source[..start], &source[end..]);
            let at = usize::try_from(line_start)?;
            // A rewrite of one line, laid out over one or more.
            if !source[start..end].contains('\n') {
                let new_lines = replacement.lines().count().max(1);
                let lines: Vec<&str> = fixed.lines().skip(at - 1).take(new_lines).collect();
                found.insert(((name.clone(), at), squeeze(&lines.join("\n"))));
            }
        }
    }
    Ok(found)
}

/// The Dylint library's snapshot of `case`.
struct Snapshot {
    name: String,
    path: PathBuf,
    /// Empty when there is no snapshot: the library finds nothing in the case.
    text: String,
    /// How a finding's location line starts: `--> $DIR/NAME.rs:`.
    location: String,
}

impl Snapshot {
    /// The line a finding's location gives, if `line` is one: `--> $DIR/NAME.rs:LINE:COL`.
    fn location_line(&self, line: &str) -> Option<usize> {
        let rest = line.trim().strip_prefix(self.location.as_str())?;
        rest.split(':').next()?.parse().ok()
    }
}

fn dylint_snapshot(case: &Path) -> Snapshot {
    let name = name_of(case);
    let path = root().join(format!("lints/ui/shared/{name}.stderr"));
    Snapshot {
        text: std::fs::read_to_string(&path).unwrap_or_default(),
        location: format!("--> $DIR/{name}.rs:"),
        name,
        path,
    }
}

/// The Dylint library's one-line rewrites of `case`, from its snapshot: rustc shows one as
/// `LL - old line` then `LL + new line`, after the finding's `--> $DIR/NAME.rs:LINE:COL`.
fn dylint_rewrites(case: &Path) -> Result<BTreeSet<Rewrite>> {
    let snapshot = dylint_snapshot(case);
    let mut found = BTreeSet::new();
    // The finding's line: the first location after its header (later ones are notes, such as
    // where the lint's level was set).
    let (mut at, mut header) = (None, false);
    let mut lines = snapshot.text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("warning: ") || line.starts_with("error: ") {
            (at, header) = (None, true);
        } else if header && let Some(line) = snapshot.location_line(line) {
            (at, header) = (Some(line), false);
        } else if line.starts_with("LL - ")
            && let Some(next) = lines.peek()
            && let Some(new) = next.strip_prefix("LL + ")
            && !lines.clone().nth(1).is_some_and(|l| l.starts_with("LL +"))
        {
            let at = at.ok_or_else(|| {
                format!("{}: a rewrite before any location", snapshot.path.display())
            })?;
            found.insert(((snapshot.name.clone(), at), squeeze(new)));
        }
    }
    Ok(found)
}

/// `text` with every run of whitespace made one space, and none inside brackets' edges: the
/// CLI lays a long rewrite out over several lines, rustc shows it on one.
fn squeeze(text: &str) -> String {
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [("( ", "("), (" )", ")"), ("[ ", "["), (" ]", "]")] {
        out = out.replace(from, to);
    }
    out
}

/// What the Dylint library reports on `case`, from its snapshot: a `warning: MESSAGE` (or
/// `error:`) header with a catalogue message, then its `--> $DIR/NAME.rs:LINE:COL`.
fn dylint_findings(case: &Path) -> Result<BTreeSet<Finding>> {
    let snapshot = dylint_snapshot(case);
    let mut found = BTreeSet::new();
    let mut lines = snapshot.text.lines();
    while let Some(line) = lines.next() {
        let message = line
            .strip_prefix("warning: ")
            .or_else(|| line.strip_prefix("error: "));
        let Some(lint) = message.and_then(|m| {
            ctxlint::catalogue::LINTS.iter().find(|l| {
                l.form(ctxlint::catalogue::Language::Rust)
                    .is_some_and(|f| f.message == m)
            })
        }) else {
            continue;
        };
        let at = lines
            .by_ref()
            .find_map(|l| snapshot.location_line(l))
            .ok_or_else(|| format!("{}: no location after `{line}`", snapshot.path.display()))?;
        found.insert((snapshot.name.clone(), at, lint.name.to_owned()));
    }
    Ok(found)
}

/// The `//~ dylint: NAME` markers of `case` (also after a `;`: `//~ a; dylint: b`).
fn dylint_only_markers(case: &Path) -> Result<BTreeSet<Finding>> {
    let name = name_of(case);
    let mut out = BTreeSet::new();
    for (i, line) in std::fs::read_to_string(case)?.lines().enumerate() {
        // `//~ a, b; dylint: c`: the part after `dylint:` is only the Dylint library's.
        let Some((_, rest)) = line.split_once("//~") else {
            continue;
        };
        for part in rest.split(';') {
            if let Some(names) = part.trim_start().strip_prefix("dylint:") {
                for lint in names.split(',') {
                    out.insert((name.clone(), i + 1, lint.trim().to_owned()));
                }
            }
        }
    }
    Ok(out)
}

/// The rows of `docs/dylint-only.md`: `| tests/ui/NAME.rs:LINE | lint | reason |`.
fn documented() -> Result<BTreeSet<Finding>> {
    let text = std::fs::read_to_string(root().join("docs/dylint-only.md"))?;
    let mut out = BTreeSet::new();
    for row in text.lines().filter(|l| l.starts_with("| `tests/ui/")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (Some(at), Some(lint), Some(reason)) = (cells.get(1), cells.get(2), cells.get(3))
        else {
            return Err(format!("docs/dylint-only.md: malformed row `{row}`").into());
        };
        assert!(
            !reason.is_empty(),
            "docs/dylint-only.md: `{row}` gives no reason"
        );
        let at = at.trim_matches('`').trim_start_matches("tests/ui/");
        let (file, line) = at.split_once(':').ok_or("no line")?;
        let name = file.trim_end_matches(".rs").to_owned();
        out.insert((name, line.parse()?, lint.trim_matches('`').to_owned()));
    }
    Ok(out)
}

#[test]
fn the_drivers_report_the_same_lines() -> Result<()> {
    let mut problems = Vec::new();
    let mut all_exceptions = BTreeSet::new();
    let (mut cli_total, mut dylint_total) = (0, 0);
    for case in cases()? {
        let cli = cli_findings(&case)?;
        let dylint = dylint_findings(&case)?;
        let exceptions = dylint_only_markers(&case)?;
        cli_total += cli.len();
        dylint_total += dylint.len();
        for missing in exceptions.difference(&dylint) {
            problems.push(format!(
                "{missing:?} is marked `//~ dylint:` but the Dylint library does not report it"
            ));
        }
        let expected: BTreeSet<Finding> = dylint.difference(&exceptions).cloned().collect();
        for only in expected.difference(&cli) {
            problems.push(format!("{only:?}: only the Dylint library reports it"));
        }
        for only in cli.difference(&expected) {
            problems.push(format!("{only:?}: only the CLI reports it"));
        }
        all_exceptions.extend(exceptions);
    }
    let listed = documented()?;
    for unlisted in all_exceptions.difference(&listed) {
        problems.push(format!(
            "{unlisted:?} is a `//~ dylint:` marker missing from docs/dylint-only.md"
        ));
    }
    for stale in listed.difference(&all_exceptions) {
        problems.push(format!(
            "{stale:?} is in docs/dylint-only.md but no `//~ dylint:` marker says so"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} parity problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Not vacuous: both drivers found things, and the CLI found all but the exceptions.
    assert!(cli_total > 0 && cli_total + all_exceptions.len() == dylint_total);
    Ok(())
}

#[test]
fn the_drivers_suggest_the_same_rewrites() -> Result<()> {
    let mut problems = Vec::new();
    let mut compared = 0;
    for case in cases()? {
        let cli = cli_rewrites(&case)?;
        for (at, dylint_line) in dylint_rewrites(&case)? {
            compared += 1;
            // Whitespace aside (see `squeeze`).
            match cli.iter().find(|(cli_at, _)| *cli_at == at) {
                Some((_, cli_line)) if *cli_line == dylint_line => {}
                Some((_, cli_line)) => problems.push(format!(
                    "{at:?}: the drivers rewrite differently\n  CLI:    {cli_line}\n  Dylint: {dylint_line}"
                )),
                None => problems.push(format!(
                    "{at:?}: only the Dylint library suggests a rewrite: {dylint_line}"
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} rewrite problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Not vacuous: the shared cases hold rewrites of every runner with a template.
    assert!(compared >= 20, "only {compared} rewrites compared");
    Ok(())
}
