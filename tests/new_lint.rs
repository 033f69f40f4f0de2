//! `scripts/new-lint.py`, the scaffolder, run on a copy of this checkout: what it writes and
//! registers, what it refuses, and (ignored by default, as it compiles both drivers) that the
//! lint it writes builds in the CLI, the catalogue and the Dylint library before a line of it
//! is edited. Run the latter with `cargo test --test new_lint -- --ignored`; `scripts/test.sh`
//! does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The files a two-language lint named `demo_thing` gets, in the order the script lists them.
const CREATED: &[&str] = &[
    "catalogue/docs/demo_thing.md",
    "catalogue/docs/python/demo_thing.md",
    "catalogue/src/lints/demo_thing.rs",
    "src/rust/lints/demo_thing.rs",
    "lints/src/demo_thing.rs",
    "tests/ui/dt_cases.rs",
    "src/python/lints/demo_thing.rs",
    "tests/ui/py_dt_cases.py",
];

/// The registries it adds the lint to, with their markers.
const REGISTERED: &[(&str, &str)] = &[
    ("catalogue/src/lints/mod.rs", "modules, registry"),
    ("src/rust/lints/mod.rs", "modules, registry"),
    ("lints/src/lib.rs", "modules, registry"),
    ("tests/ui-cases/Cargo.toml", "cases"),
    ("src/python/lints/mod.rs", "modules, registry"),
];

/// Copies the checkout's sources (not its build output, git data or fuzzing corpora) to `to`.
fn copy_tree(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if matches!(
            name.to_str(),
            Some("target" | ".git" | "corpus" | "artifacts" | "node_modules")
        ) {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// A copy of the checkout in a temporary directory.
fn checkout() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    copy_tree(Path::new(ROOT), dir.path())?;
    Ok(dir)
}

fn new_lint(root: &Path, args: &[&str]) -> Result<Output> {
    Ok(Command::new("python3")
        .arg(root.join("scripts/new-lint.py"))
        .args(args)
        .current_dir(root)
        .output()?)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Scaffolds `demo_thing` (CTX099) in both languages into the copy at `root`.
fn scaffold(root: &Path) -> Result<Output> {
    new_lint(
        root,
        &[
            "demo_thing",
            "--code",
            "CTX099",
            "--lang",
            "rust,python",
            "--summary",
            "a demonstration",
        ],
    )
}

/// The script's listing, for `verb` (`created` or `would create`) and the registries.
fn listing(created: &str, registered: &str) -> String {
    CREATED
        .iter()
        .map(|f| format!("{created} {f}\n"))
        .chain(
            REGISTERED
                .iter()
                .map(|(f, markers)| format!("{registered} {f} ({markers})\n")),
        )
        .collect()
}

#[test]
fn dry_run_lists_every_file_and_writes_none() -> Result {
    let dir = checkout()?;
    let out = new_lint(dir.path(), &["demo_thing", "--code", "CTX099", "--dry-run"])?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        listing("would create", "would register in")
    );
    for file in CREATED {
        assert!(!dir.path().join(file).exists(), "{file} was written");
    }
    Ok(())
}

#[test]
fn scaffolds_a_two_language_lint_in_eight_files_to_edit() -> Result {
    let dir = checkout()?;
    let before: Vec<String> = REGISTERED
        .iter()
        .map(|(f, _)| std::fs::read_to_string(dir.path().join(f)))
        .collect::<std::io::Result<_>>()?;
    let out = scaffold(dir.path())?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let (listed, next) = stdout.split_once("\nnext: ").ok_or("no `next:` line")?;
    assert_eq!(listed, listing("created", "registered in"));
    assert!(
        next.contains("CTXLINT_BLESS=1 cargo test --test cli --test ui --test output_snapshot"),
        "{next}"
    );
    // The bound: a two-language lint is written in at most eight files by hand.
    assert_eq!(CREATED.len(), 8);
    for file in CREATED {
        let written = std::fs::read_to_string(dir.path().join(file))?;
        assert!(
            written.contains("TODO") || written.contains("demo_thing"),
            "{file}"
        );
    }
    // Each registry gains lines and loses none.
    for ((file, _), old) in REGISTERED.iter().zip(&before) {
        let new = std::fs::read_to_string(dir.path().join(file))?;
        assert!(
            new.contains("demo_thing") || new.contains("DEMO_THING") || new.contains("dt_cases"),
            "{file}"
        );
        let kept = old.lines().filter(|l| new.lines().any(|n| n == *l)).count();
        assert_eq!(kept, old.lines().count(), "{file} lost lines");
    }
    Ok(())
}

#[test]
fn refuses_a_taken_code_or_an_existing_file_and_writes_nothing() -> Result {
    let dir = checkout()?;
    let taken = new_lint(dir.path(), &["demo_thing", "--code", "CTX001"])?;
    assert_eq!(taken.status.code(), Some(2));
    assert!(
        text(&taken.stderr).contains("CTX001 is taken"),
        "{}",
        text(&taken.stderr)
    );

    std::fs::write(dir.path().join("tests/ui/dt_cases.rs"), "// mine\n")?;
    let lib = std::fs::read_to_string(dir.path().join("lints/src/lib.rs"))?;
    let exists = scaffold(dir.path())?;
    assert_eq!(exists.status.code(), Some(2));
    assert_eq!(
        text(&exists.stderr),
        "new-lint: tests/ui/dt_cases.rs exists already; nothing written\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tests/ui/dt_cases.rs"))?,
        "// mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("lints/src/lib.rs"))?,
        lib
    );
    assert!(
        !dir.path()
            .join("catalogue/src/lints/demo_thing.rs")
            .exists()
    );
    Ok(())
}

fn cargo(dir: &Path, toolchain: Option<&str>, args: &[&str], target: &Path) -> Result {
    let mut cmd = Command::new("cargo");
    if let Some(toolchain) = toolchain {
        cmd.arg(format!("+{toolchain}"));
    }
    let out = cmd
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // The copy's own `rust-toolchain.toml` chooses the toolchain, as in the checkout.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .output()?;
    assert!(
        out.status.success(),
        "cargo {args:?} in {}:\n{}\n{}",
        dir.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
    Ok(())
}

/// The scaffolded lint builds as it is written, in every crate it touches: the CLI (both
/// passes, and its registries), the catalogue (whose tests check every lint's entry), the UI
/// cases' crate, and the Dylint library on its nightly. The copies build in target
/// directories of their own under this checkout's `target/`, kept between runs.
#[test]
#[ignore = "compiles the CLI and the Dylint library (minutes); run with --ignored"]
fn the_scaffolded_lint_builds_in_both_drivers() -> Result {
    let dir = checkout()?;
    let out = scaffold(dir.path())?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let target = PathBuf::from(ROOT).join("target/new-lint");
    cargo(
        dir.path(),
        None,
        &[
            "check",
            "--locked",
            "--workspace",
            "--lib",
            "--bins",
            "--examples",
        ],
        &target.join("stable"),
    )?;
    cargo(
        dir.path(),
        None,
        &["test", "--locked", "-p", "ctxlint-catalogue", "--lib"],
        &target.join("stable"),
    )?;
    let nightly = std::env::var("CTXLINT_NIGHTLY").map_err(|_| {
        "CTXLINT_NIGHTLY is not set: run through scripts/test.sh, or set it to the nightly of \
         lints/rust-toolchain.toml"
    })?;
    cargo(
        &dir.path().join("lints"),
        Some(&nightly),
        &["check", "--locked", "--lib"],
        &target.join("nightly"),
    )?;
    Ok(())
}
