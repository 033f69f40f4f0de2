//! `--format gitlab` and `--format junit`, checked by real validators from PyPI (scripts/setup.sh
//! installs them into `$CTXLINT_TOOLS/venv`; without it, each is installed once under the
//! target directory):
//!
//! - the GitLab Code Quality report against `tests/schemas/gitlab-code-quality.json` with
//!   Python's `jsonschema` (where the schema comes from: `tests/schemas/README.md`);
//! - the JUnit XML read by `junitparser`, whose counts and failures must match the findings.
//!
//! Their snapshots on the UI cases are in `tests/output_snapshot.rs`.

#[path = "support/pypi.rs"]
mod pypi;
#[path = "support/run.rs"]
mod run;

use std::path::Path;
use std::process::Command;

use run::ctxlint_in;

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const JSONSCHEMA: &str = "jsonschema==4.26.0";
const JUNITPARSER: &str = "junitparser==5.0.3";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A project with a denied lint, a warned one, two findings on identical lines, and a file
/// that cannot be parsed.
fn fixture() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let write = |rel: &str, text: &str| -> Result {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
        std::fs::write(path, text)?;
        Ok(())
    };
    write(
        "ctxlint.toml",
        "[lints]\ninterior_mutable_default = \"deny\"\n",
    )?;
    write(
        "src/main.rs",
        "use contextvars::{copy_context, ContextVar};\nuse std::sync::Mutex;\n\
         static SEEN: ContextVar<Mutex<u8>> = ContextVar::with_default(\"seen\", Mutex::new(0));\n\
         async fn work() {}\n\
         async fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n    \
         ctx.run(|| work()).await;\n}\nfn main() {}\n",
    )?;
    write("src/broken.rs", "use contextvars::Context;\nfn f( {\n")?;
    write(
        "app/<odd> & \"name\".py",
        "from contextvars import ContextVar\nx = ContextVar(\"x\", default={})\n",
    )?;
    Ok(dir)
}

/// Runs a Python snippet with `args`; its standard output, or a failure with its error.
fn python(python: &Path, code: &str, args: &[&Path]) -> Result<String> {
    let out = Command::new(python)
        .arg("-c")
        .arg(code)
        .args(args)
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "python failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn gitlab_of(dir: &Path, paths: &[&str]) -> Result<(String, serde_json::Value)> {
    let mut args = vec!["check", "-q", "--format", "gitlab"];
    args.extend_from_slice(paths);
    let out = ctxlint_in(dir, &args)?;
    let text = String::from_utf8(out.stdout)?;
    let value = serde_json::from_str(&text)?;
    Ok((text, value))
}

const VALIDATE: &str = "import json, sys, jsonschema\n\
    schema = json.load(open(sys.argv[1]))\n\
    jsonschema.Draft7Validator.check_schema(schema)\n\
    report = json.load(open(sys.argv[2]))\n\
    for e in jsonschema.Draft7Validator(schema).iter_errors(report):\n    \
    print(list(e.absolute_path), e.message)\n\
    prints = [issue['fingerprint'] for issue in report]\n\
    if len(set(prints)) != len(prints):\n    print('fingerprints are not unique')\n";

#[test]
fn gitlab_report_matches_the_schema() -> Result {
    let Some(py) = pypi::python_with("jsonschema", JSONSCHEMA, "the GitLab report's schema")?
    else {
        return Ok(());
    };
    let schema = root().join("tests/schemas/gitlab-code-quality.json");
    let dir = fixture()?;
    let (text, value) = gitlab_of(dir.path(), &["."])?;
    let issues = value.as_array().ok_or("not an array")?;
    assert_eq!(issues.len(), 4, "{text}");
    let file = dir.path().join("report.json");
    std::fs::write(&file, &text)?;
    assert_eq!(python(&py, VALIDATE, &[&schema, &file])?, "");

    // Severity: a denied lint is `major`, a warned one `minor`; paths are relative.
    let summary: Vec<(String, String, u64)> = issues
        .iter()
        .map(|i| {
            (
                i["location"]["path"].as_str().unwrap_or("").to_owned(),
                i["severity"].as_str().unwrap_or("").to_owned(),
                i["location"]["lines"]["begin"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("app/<odd> & \"name\".py".to_owned(), "major".to_owned(), 2),
            ("src/main.rs".to_owned(), "major".to_owned(), 3),
            ("src/main.rs".to_owned(), "minor".to_owned(), 7),
            ("src/main.rs".to_owned(), "minor".to_owned(), 8),
        ]
    );

    // The validator really validates: a severity GitLab does not know, an absolute path.
    for (pointer, bad) in [
        ("/0/severity", serde_json::json!("warning")),
        ("/0/location/path", serde_json::json!("/abs/app.py")),
        ("/0/location/lines/begin", serde_json::json!(0)),
    ] {
        let mut broken = value.clone();
        *broken.pointer_mut(pointer).ok_or("no such field")? = bad;
        std::fs::write(&file, serde_json::to_string(&broken)?)?;
        let errors = python(&py, VALIDATE, &[&schema, &file])?;
        assert!(!errors.is_empty(), "{pointer} was not checked");
    }
    let mut twice = value.clone();
    if let Some(issues) = twice.as_array_mut() {
        let first = issues[0].clone();
        issues.push(first);
    }
    std::fs::write(&file, serde_json::to_string(&twice)?)?;
    assert!(python(&py, VALIDATE, &[&schema, &file])?.contains("not unique"));
    Ok(())
}

/// A fingerprint names a finding by its file, lint and line text: lines added above it do not
/// change it (GitLab would report the finding as fixed and a new one as found), identical lines
/// still get distinct ones, and another file or lint gets another.
#[test]
fn gitlab_fingerprints_survive_moves() -> Result {
    let dir = fixture()?;
    let prints = |dir: &Path| -> Result<Vec<(String, u64, String)>> {
        let (_, value) = gitlab_of(dir, &["src"])?;
        Ok(value
            .as_array()
            .ok_or("not an array")?
            .iter()
            .map(|i| {
                (
                    i["check_name"].as_str().unwrap_or("").to_owned(),
                    i["location"]["lines"]["begin"].as_u64().unwrap_or(0),
                    i["fingerprint"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect())
    };
    let before = prints(dir.path())?;
    assert_eq!(before.len(), 3);
    assert_ne!(
        before[1].2, before[2].2,
        "identical lines share a fingerprint"
    );
    assert!(before.iter().all(|(.., f)| f.len() == 32));

    let main = dir.path().join("src/main.rs");
    let text = std::fs::read_to_string(&main)?;
    std::fs::write(&main, format!("// a comment\n\n{text}"))?;
    let after = prints(dir.path())?;
    let lines: Vec<u64> = after.iter().map(|(_, l, _)| *l).collect();
    assert_eq!(lines, [5, 9, 10]);
    let same = |v: &[(String, u64, String)]| -> Vec<(String, String)> {
        v.iter().map(|(c, _, f)| (c.clone(), f.clone())).collect()
    };
    assert_eq!(same(&after), same(&before));

    // The same line in another file is another finding.
    std::fs::copy(&main, dir.path().join("src/other.rs"))?;
    let both = prints(dir.path())?;
    assert_eq!(both.len(), 6);
    let mut unique: Vec<&String> = both.iter().map(|(.., f)| f).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 6);
    Ok(())
}

const JUNIT: &str = "import sys, junitparser\n\
    xml = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
    suites = list(xml) if isinstance(xml, junitparser.JUnitXml) else [xml]\n\
    for suite in suites:\n    \
    cases = list(suite)\n    \
    failures = sum(1 for c in cases for r in c.result if isinstance(r, junitparser.Failure))\n    \
    errors = sum(1 for c in cases for r in c.result if isinstance(r, junitparser.Error))\n    \
    assert suite.tests == len(cases), (suite.name, suite.tests, len(cases))\n    \
    assert suite.failures == failures, (suite.name, suite.failures, failures)\n    \
    assert suite.errors == errors, (suite.name, suite.errors, errors)\n    \
    for case in cases:\n        \
    for r in case.result:\n            \
    print(suite.name, '|', case.name, '|', type(r).__name__, '|', r.type, '|', r.message)\n        \
    if not case.result:\n            \
    print(suite.name, '|', case.name, '|', 'passed')\n";

fn junit_lines(py: &Path, dir: &Path, paths: &[&str]) -> Result<(Option<i32>, String)> {
    let mut args = vec!["check", "-q", "--format", "junit"];
    args.extend_from_slice(paths);
    let out = ctxlint_in(dir, &args)?;
    let file = dir.join("report.xml");
    std::fs::write(&file, &out.stdout)?;
    Ok((out.status.code(), python(py, JUNIT, &[&file])?))
}

#[test]
fn junit_report_reads_with_junitparser() -> Result {
    let Some(py) = pypi::python_with("junitparser", JUNITPARSER, "the JUnit report")? else {
        return Ok(());
    };
    let dir = fixture()?;
    let (code, lines) = junit_lines(&py, dir.path(), &["."])?;
    assert_eq!(code, Some(2));
    let expected = [
        "./app/<odd> & \"name\".py | interior_mutable_default (CTX001) at line 2, column 29 | Failure | interior_mutable_default | `ContextVar` default value is mutable",
        "./src/broken.rs | cannot be checked | Error | parse | ./src/broken.rs:2:7: cannot parse: unbalanced delimiters, or an unterminated string, character or block comment",
        "./src/main.rs | interior_mutable_default (CTX001) at line 3, column 71 | Failure | interior_mutable_default | `ContextVar` default value is interior-mutable",
        "./src/main.rs | sync_run_wraps_future (CTX002) at line 7, column 13 | Failure | sync_run_wraps_future | this runner returns a future that will be polled outside its context",
        "./src/main.rs | sync_run_wraps_future (CTX002) at line 8, column 13 | Failure | sync_run_wraps_future | this runner returns a future that will be polled outside its context",
    ];
    let mut got: Vec<&str> = lines.lines().collect();
    got.sort_unstable();
    assert_eq!(got, expected);

    // A clean run is one passing test case.
    let clean = tempfile::tempdir()?;
    std::fs::write(clean.path().join("ok.py"), "import contextvars\n")?;
    let (code, lines) = junit_lines(&py, clean.path(), &["."])?;
    assert_eq!(code, Some(0));
    assert_eq!(lines, "ctxlint | no findings | passed\n");
    Ok(())
}

#[test]
fn reports_can_go_to_a_file() -> Result {
    let dir = fixture()?;
    let report = dir.path().join("gl-code-quality-report.json");
    let out = ctxlint_in(
        dir.path(),
        &[
            "check",
            "--format",
            "gitlab",
            "--output-file",
            "gl-code-quality-report.json",
            "src/main.rs",
        ],
    )?;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "ctxlint: 3 findings (1 denied) in 1 file checked (1 parsed), 0 could not be checked\n"
    );
    let (text, _) = gitlab_of(dir.path(), &["src/main.rs"])?;
    assert_eq!(std::fs::read_to_string(&report)?, text);
    Ok(())
}
