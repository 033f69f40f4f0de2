//! `scripts/offline-clippy-repo.sh` builds the history that Dylint's driver build looks for:
//! HEAD with the pinned channel and `clippy_utils/` (its `Cargo.toml` and `src/sym.rs`), and a
//! parent with `clippy_utils/` too but another channel. A second run leaves it as it is.

#![allow(clippy::unwrap_used, reason = "a test fails by panicking")]

use std::path::Path;
use std::process::Command;

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn show(repo: &Path, rev_path: &str) -> String {
    run(Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["show", rev_path]))
}

/// The value of `key = "value"` in a TOML file, by line (enough for these two files).
fn value<'a>(toml: &'a str, key: &str) -> &'a str {
    toml.lines()
        .find_map(|line| line.strip_prefix(key)?.trim_start().strip_prefix('='))
        .map(|rest| rest.trim().trim_matches('"'))
        .unwrap_or_else(|| panic!("no `{key}` in:\n{toml}"))
}

#[test]
fn builds_the_history_that_dylint_needs() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clippy-repo");
    let _ = std::fs::remove_dir_all(&dest);
    let script = manifest_dir.join("scripts/offline-clippy-repo.sh");

    let printed = run(Command::new(&script).arg(&dest));
    assert_eq!(
        Path::new(printed.trim()),
        dest,
        "the script prints the repository's path"
    );

    let pinned = value(
        &std::fs::read_to_string(manifest_dir.join("rust-toolchain.toml")).unwrap(),
        "channel",
    )
    .to_owned();
    let head_channel = show(&dest, "HEAD:rust-toolchain.toml");
    let parent_channel = show(&dest, "HEAD~1:rust-toolchain.toml");
    assert_eq!(value(&head_channel, "channel"), pinned);
    assert_ne!(
        value(&parent_channel, "channel"),
        pinned,
        "the parent needs another channel"
    );
    for rev in ["HEAD", "HEAD~1"] {
        let cargo_toml = show(&dest, &format!("{rev}:clippy_utils/Cargo.toml"));
        assert_eq!(value(&cargo_toml, "version"), "0.1.101", "{rev}");
    }
    assert!(show(&dest, "HEAD:clippy_utils/src/sym.rs").contains("Symbol"));

    let head = || {
        run(Command::new("git")
            .arg("-C")
            .arg(&dest)
            .args(["rev-parse", "HEAD"]))
    };
    let before = head();
    run(Command::new(&script).arg(&dest));
    assert_eq!(head(), before, "a second run rebuilds nothing");
}
