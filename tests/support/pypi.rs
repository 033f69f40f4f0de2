//! A command-line tool from PyPI for the tests that drive one (`pre-commit`, `maturin`):
//! scripts/setup.sh's, or else one pip-installed into a venv under the target directory.
//! Included with `#[path]` by the tests that use it, so that the others do not compile it.

use std::path::PathBuf;
use std::process::Command;

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// Whether pip's error output says PyPI could not be reached.
pub fn unreachable(stderr: &str) -> bool {
    [
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
        "Network is unreachable",
        "No matching distribution found",
    ]
    .iter()
    .any(|s| stderr.contains(s))
}

/// The command `bin` of `requirement` (`"maturin==1.16.0"`): from scripts/setup.sh's venv
/// (`$CTXLINT_TOOLS/venv`), which serves every target directory, when it has it; else from a
/// venv of its own under this target directory, installed once. `None`, after saying that
/// `what` is skipped, when PyPI cannot be reached and this is not CI.
#[allow(
    dead_code,
    reason = "not every test that includes this file runs a tool"
)]
pub fn tool(bin: &str, requirement: &str, what: &str) -> Result<Option<PathBuf>> {
    if let Some(tools) = std::env::var_os("CTXLINT_TOOLS") {
        let bin = PathBuf::from(tools).join("venv/bin").join(bin);
        if bin.exists() {
            return Ok(Some(bin));
        }
    }
    own_tool(bin, requirement, what)
}

/// [`tool`] from the venv of its own under this target directory.
fn own_tool(bin: &str, requirement: &str, what: &str) -> Result<Option<PathBuf>> {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(requirement.replace("==", "-"));
    let path = root.join("bin").join(bin);
    if !path.exists() {
        let venv = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&root)
            .output()?;
        if !venv.status.success() {
            return Err(format!(
                "python3 -m venv {} failed:\n{}",
                root.display(),
                String::from_utf8_lossy(&venv.stderr)
            )
            .into());
        }
        let pip = Command::new(root.join("bin/python"))
            .args(["-m", "pip", "install", "-q", requirement])
            .output()?;
        if !pip.status.success() {
            let stderr = String::from_utf8_lossy(&pip.stderr);
            if unreachable(&stderr) && std::env::var_os("CI").is_none() {
                eprintln!("SKIPPED: {what}: PyPI is unreachable:\n{stderr}");
                return Ok(None);
            }
            return Err(format!("pip install {requirement} failed:\n{stderr}").into());
        }
    }
    Ok(Some(path))
}

/// A Python interpreter that can import `module`, which `requirement` (`"junitparser==5.0.3"`)
/// installs: scripts/setup.sh's venv (`$CTXLINT_TOOLS/venv`) when it can, else a venv of its
/// own under this target directory, installed once. `None`, after saying that `what` is
/// skipped, when PyPI cannot be reached and this is not CI.
#[allow(
    dead_code,
    reason = "not every test that includes this file drives Python modules"
)]
pub fn python_with(module: &str, requirement: &str, what: &str) -> Result<Option<PathBuf>> {
    let imports = |python: &std::path::Path| {
        Command::new(python)
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if let Some(tools) = std::env::var_os("CTXLINT_TOOLS") {
        let python = PathBuf::from(tools).join("venv/bin/python");
        if imports(&python) {
            return Ok(Some(python));
        }
    }
    let Some(bin) = own_tool("python", requirement, what)? else {
        return Ok(None);
    };
    if !imports(&bin) {
        return Err(format!("{} cannot import {module}", bin.display()).into());
    }
    Ok(Some(bin))
}
