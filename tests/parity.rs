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

/// What the Dylint library reports on `case`, from its snapshot: a `warning: MESSAGE` (or
/// `error:`) header with a catalogue message, then its `--> $DIR/NAME.rs:LINE:COL`.
fn dylint_findings(case: &Path) -> Result<BTreeSet<Finding>> {
    let name = name_of(case);
    let snapshot = root().join(format!("lints/ui/shared/{name}.stderr"));
    // A case that the library finds nothing in has no snapshot.
    let text = std::fs::read_to_string(&snapshot).unwrap_or_default();
    let location = format!("--> $DIR/{name}.rs:");
    let mut found = BTreeSet::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let message = line
            .strip_prefix("warning: ")
            .or_else(|| line.strip_prefix("error: "));
        let Some(lint) =
            message.and_then(|m| ctxlint::catalogue::LINTS.iter().find(|l| l.message == m))
        else {
            continue;
        };
        let at: usize = lines
            .by_ref()
            .find_map(|l| l.trim().strip_prefix(location.as_str()))
            .and_then(|rest| rest.split(':').next()?.parse().ok())
            .ok_or_else(|| format!("{}: no location after `{line}`", snapshot.display()))?;
        found.insert((name.clone(), at, lint.name.to_owned()));
    }
    Ok(found)
}

/// The `//~ dylint: NAME` markers of `case`.
fn dylint_only_markers(case: &Path) -> Result<BTreeSet<Finding>> {
    let name = name_of(case);
    let mut out = BTreeSet::new();
    for (i, line) in std::fs::read_to_string(case)?.lines().enumerate() {
        if let Some((_, rest)) = line.split_once("//~")
            && let Some(names) = rest.trim_start().strip_prefix("dylint:")
        {
            for lint in names.split(',') {
                out.insert((name.clone(), i + 1, lint.trim().to_owned()));
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
