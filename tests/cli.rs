//! End-to-end tests of the `ctxlint` binary: exit codes, bad input, JSON, config, crate facts,
//! the prefilter, and the subcommands.

#[path = "support/run.rs"]
mod run;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use run::{assert_error, ctxlint_in, stderr, stdout, write};

type Result<T = (), E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

const BAD_DEFAULT: &str = "use contextvars::ContextVar;\nuse std::sync::Mutex;\n\
    static X: ContextVar<Mutex<u8>> = ContextVar::with_default(\"x\", Mutex::new(0));\nfn main() {}\n";

const CLEAN: &str = "use contextvars::ContextVar;\nstatic X: ContextVar<u8> = ContextVar::with_default(\"x\", 0);\nfn main() {}\n";

#[test]
fn exit_codes() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "clean.rs", CLEAN)?;
    let clean = ctxlint_in(dir.path(), &["check", "clean.rs"])?;
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    write(dir.path(), "bad.rs", BAD_DEFAULT)?;
    let bad = ctxlint_in(dir.path(), &["check"])?;
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(stdout(&bad).contains("interior_mutable_default"));
    let missing = ctxlint_in(dir.path(), &["check", "no/such/file.rs"])?;
    assert_eq!(missing.status.code(), Some(2));
    assert_error(
        &missing,
        "no/such/file.rs: No such file or directory (os error 2)",
    );
    let usage = ctxlint_in(dir.path(), &["check", "--format", "xml"])?;
    assert_eq!(usage.status.code(), Some(2));
    let help = ctxlint_in(dir.path(), &["--help"])?;
    assert_eq!(help.status.code(), Some(0));
    Ok(())
}

#[test]
fn a_broken_pipe_exits_quietly() -> Result {
    let dir = tempfile::tempdir()?;
    let mut text =
        String::from("use contextvars::ContextVar;\nuse std::sync::Mutex;\nfn main() {\n");
    for i in 0..2000 {
        text.push_str(&format!(
            "    let v{i} = ContextVar::with_default(\"v\", std::sync::Arc::new(Mutex::new(0)));\n"
        ));
    }
    text.push_str("}\n");
    write(dir.path(), "many.rs", text)?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ctxlint"))
        .args(["check", "--color", "never", "many.rs"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut first = [0u8; 16];
    child
        .stdout
        .as_mut()
        .ok_or("no stdout")?
        .read_exact(&mut first)?;
    drop(child.stdout.take());
    let output = child.wait_with_output()?;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("error"), "{}", stderr(&output));
    Ok(())
}

#[test]
fn a_parse_error_names_the_place_and_others_are_still_checked() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "broken.rs",
        "use contextvars::ContextVar;\nfn main() {\n    let x = ;\n}\n",
    )?;
    write(dir.path(), "bad.rs", BAD_DEFAULT)?;
    let out = ctxlint_in(dir.path(), &["check", "."])?;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: ./broken.rs:3:13: cannot parse: expected an expression\n\
         ctxlint: 1 finding (0 denied) in 2 files checked (2 parsed), 1 could not be checked\n"
    );
    assert!(stdout(&out).contains("bad.rs:3:"), "{}", stdout(&out));
    Ok(())
}

#[test]
fn non_utf8_and_unreadable_files_are_errors() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "latin1.rs", b"// caf\xe9\nfn main() {}\n")?;
    write(dir.path(), "bad.rs", BAD_DEFAULT)?;
    #[cfg(unix)]
    std::os::unix::fs::symlink("nowhere.rs", dir.path().join("dangling.rs"))?;
    let out = ctxlint_in(dir.path(), &["check", "."])?;
    assert_eq!(out.status.code(), Some(2));
    assert_error(
        &out,
        "./latin1.rs: not valid UTF-8 (first bad byte at offset 6); Rust source must be UTF-8",
    );
    #[cfg(unix)]
    assert_error(
        &out,
        "./dangling.rs: No such file or directory (os error 2)",
    );
    assert!(stdout(&out).contains("bad.rs"));

    // A file without read permission (when not running as root, which reads anything).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = write(dir.path(), "locked.rs", CLEAN)?;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000))?;
        if std::fs::read(&locked).is_err() {
            let out = ctxlint_in(dir.path(), &["check", "locked.rs"])?;
            assert_eq!(out.status.code(), Some(2));
            assert_error(&out, "locked.rs: Permission denied (os error 13)");
        }
    }
    Ok(())
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_errors() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "src/bad.rs", BAD_DEFAULT)?;
    std::os::unix::fs::symlink("..", dir.path().join("src/up"))?;
    std::os::unix::fs::symlink("self.rs", dir.path().join("self.rs"))?;
    let out = ctxlint_in(dir.path(), &["check", "."])?;
    assert_eq!(out.status.code(), Some(2));
    assert_error(&out, "./self.rs: symbolic link loop");
    assert!(stdout(&out).contains("bad.rs"));
    let direct = ctxlint_in(dir.path(), &["check", "self.rs"])?;
    assert_eq!(direct.status.code(), Some(2));
    assert_error(&direct, "self.rs: symbolic link loop");
    Ok(())
}

#[test]
fn deep_nesting_is_handled() -> Result {
    let dir = tempfile::tempdir()?;
    let n = 10_000;
    // 10,000 levels: parsed and linted (the finding after it is reported).
    let deep = format!(
        "use contextvars::ContextVar;\nuse std::sync::Mutex;\nfn main() {{\n    let x = {}1{};\n    let v = ContextVar::with_default(\"v\", std::sync::Arc::new(Mutex::new(0)));\n}}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    write(dir.path(), "deep.rs", deep)?;
    let blocks = format!(
        "use contextvars::ContextVar;\nfn main() {{ let x = {}1{}; }}\n",
        "{".repeat(n),
        "}".repeat(n)
    );
    write(dir.path(), "blocks.rs", blocks)?;
    let chain = format!(
        "use contextvars::ContextVar;\nfn main() {{ let x = 1{}; }}\n",
        " + 1".repeat(n)
    );
    write(dir.path(), "chain.rs", chain)?;
    let unary = format!(
        "use contextvars::ContextVar;\nfn main() {{ let x = {}1; }}\n",
        "-".repeat(n)
    );
    write(dir.path(), "unary.rs", unary)?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("\"line_start\":5"),
        "{}",
        stdout(&out)
    );

    // Far deeper: a clear error, not a crash.
    let deeper = format!(
        "use contextvars::ContextVar;\nfn main() {{ let x = {}1{}; }}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(dir.path(), "deeper.rs", deeper)?;
    let closures = format!(
        "use contextvars::ContextVar;\nfn main() {{ let x = {}1; }}\n",
        "|| ".repeat(100_000)
    );
    write(dir.path(), "closures.rs", closures)?;
    let generics = format!(
        "use contextvars::ContextVar;\ntype T = {}u8{};\nfn main() {{}}\n",
        "Vec<".repeat(10_000),
        ">".repeat(10_000)
    );
    write(dir.path(), "generics.rs", generics)?;
    let out = ctxlint_in(dir.path(), &["check", "."])?;
    assert_eq!(out.status.code(), Some(2));
    assert_error(
        &out,
        "./deeper.rs: nesting is 100001 levels deep, more than the 20000 ctxlint handles; skipped",
    );
    assert_error(
        &out,
        "./closures.rs: nesting is 200000 levels deep, more than the 20000 ctxlint handles; skipped",
    );
    assert_error(
        &out,
        "./generics.rs: nesting is 50000 levels deep, more than the 20000 ctxlint handles; skipped",
    );
    Ok(())
}

#[test]
fn json_reads_as_cargo_messages() -> Result {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = ctxlint_in(
        root,
        &[
            "check",
            "--format",
            "json",
            "tests/ui/srwf_seed.rs",
            "tests/ui/imd_unicode.rs",
            "tests/ui/imd_seed.rs",
        ],
    )?;
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let mut count = 0;
    for message in cargo_metadata::Message::parse_stream(text.as_bytes()) {
        let cargo_metadata::Message::CompilerMessage(msg) = message? else {
            panic!("not a compiler message");
        };
        count += 1;
        let diag = &msg.message;
        let code = diag.code.as_ref().map(|c| c.code.as_str());
        assert!(matches!(
            code,
            Some("interior_mutable_default" | "sync_run_wraps_future")
        ));
        assert_eq!(
            diag.level,
            cargo_metadata::diagnostic::DiagnosticLevel::Warning
        );
        let primary = diag
            .spans
            .iter()
            .find(|s| s.is_primary)
            .ok_or("no primary span")?;
        let source = std::fs::read_to_string(root.join(&primary.file_name))?;
        // Byte offsets, lines and columns agree with the file.
        let snippet = &source[primary.byte_start as usize..primary.byte_end as usize];
        let line = source
            .lines()
            .nth(primary.line_start - 1)
            .ok_or("no line")?;
        let col: String = line
            .chars()
            .skip(primary.column_start - 1)
            .take(snippet.chars().count())
            .collect();
        assert_eq!(col, snippet.lines().next().unwrap_or(""));
        assert!(
            diag.rendered
                .as_deref()
                .is_some_and(|r| r.contains(diag.message.as_str()))
        );
        if code == Some("sync_run_wraps_future") {
            let suggestion = diag
                .children
                .iter()
                .flat_map(|c| &c.spans)
                .find(|s| s.suggested_replacement.is_some())
                .ok_or("no suggestion")?;
            assert_eq!(
                suggestion.suggested_replacement.as_deref(),
                Some("copy_ctx.scope_mut(nested())")
            );
            assert_eq!(
                suggestion.suggestion_applicability,
                Some(cargo_metadata::diagnostic::Applicability::MachineApplicable)
            );
        }
        let file = Path::new(&primary.file_name)
            .file_stem()
            .and_then(|s| s.to_str());
        assert_eq!(Some(msg.target.name.as_str()), file);
        assert!(
            msg.package_id.repr.ends_with("#ctxlint@0.1.0"),
            "{}",
            msg.package_id.repr
        );
    }
    assert_eq!(count, 5);
    Ok(())
}

#[test]
fn suggestions_state_their_applicability() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "s.rs",
        "use contextvars::copy_context;\nasync fn work(n: u32) {}\nfn n() -> u32 { 1 }\nasync fn f() {\n    let mut ctx = copy_context();\n    \
         ctx.run(|| work(1)).await;\n    let later = ctx.run(|| work(1));\n    ctx.run(|| work(n())).await;\n    ctx.run(|| async {\n        // a comment\n        work(2).await\n    }).await;\n    ctx.run(work_elsewhere).await;\n    ctx.run(work).await;\n}\nfn main() {}\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "s.rs"])?;
    let mut got = Vec::new();
    for message in cargo_metadata::Message::parse_stream(stdout(&out).as_bytes()) {
        if let cargo_metadata::Message::CompilerMessage(msg) = message? {
            for span in msg.message.children.iter().flat_map(|c| &c.spans) {
                if let Some(r) = &span.suggested_replacement {
                    got.push((r.clone(), format!("{:?}", span.suggestion_applicability)));
                }
            }
        }
    }
    let want = [
        ("ctx.scope_mut(work(1))", "Some(MachineApplicable)"),
        ("ctx.scope_mut(work(1))", "Some(MaybeIncorrect)"),
        ("ctx.scope_mut(work(n()))", "Some(MaybeIncorrect)"),
        (
            "ctx.scope_mut(async { work(2).await })",
            "Some(MaybeIncorrect)",
        ),
        ("ctx.scope_mut(work_elsewhere())", "Some(MaybeIncorrect)"),
        ("ctx.scope_mut(work())", "Some(MachineApplicable)"),
    ];
    let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(got, want);
    Ok(())
}

#[test]
fn prefilter_changes_nothing() -> Result {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in ["tests/ui", "src", "."] {
        let with = ctxlint_in(root, &["check", "--format", "json", "-q", path])?;
        let without = ctxlint_in(
            root,
            &["check", "--format", "json", "-q", "--no-prefilter", path],
        )?;
        assert_eq!(stdout(&with), stdout(&without), "{path}");
        assert_eq!(with.status.code(), without.status.code(), "{path}");
    }
    Ok(())
}

/// A module's facts read by another module's lookup before its own turn name its file in
/// another form (`pkg/headers.py`) than the walk does (`./pkg/headers.py`); a finding's second
/// place in its own file is still shown in the finding's form, with and without the prefilter.
/// (The shape of tartiflette-aiohttp 1.4.1; one thread, so that the lookup comes first.)
#[test]
fn a_second_place_in_the_same_file_keeps_its_form() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "pkg/__init__.py",
        "from pkg.headers import set_headers\n",
    )?;
    write(
        dir.path(),
        "pkg/headers.py",
        "VAR = None\ntry:\n    import contextvars\n\n    VAR = contextvars.ContextVar(\"h\", default={})\n\
         except ImportError:\n    pass\n\n\ndef set_headers(headers):\n    VAR.get().update(headers)\n\n\n\
         def get_headers():\n    return VAR.get()\n",
    )?;
    write(
        dir.path(),
        "pkg/handler.py",
        "from .headers import get_headers\n\n\ndef prepare():\n    headers = get_headers()\n",
    )?;
    let mut reports = Vec::new();
    for flags in [&[][..], &["--no-prefilter"][..]] {
        let mut args = vec!["check", "--format", "json", "-q", "--jobs", "1"];
        args.extend(flags);
        args.push(".");
        let out = ctxlint_in(dir.path(), &args)?;
        assert_eq!(out.status.code(), Some(1), "{flags:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("context_value_mutated_in_place"), "{text}");
        assert!(!text.contains("\"pkg/headers.py\""), "{flags:?}: {text}");
        reports.push(text);
    }
    assert_eq!(reports[0], reports[1]);
    Ok(())
}

#[test]
fn facts_come_from_the_whole_crate() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.2.0\"\nedition = \"2024\"\n",
    )?;
    write(
        dir.path(),
        "src/lib.rs",
        "#![allow(dead_code)]\nmod shared;\nmod user;\n",
    )?;
    write(
        dir.path(),
        "src/shared.rs",
        "pub struct Stats { hits: std::sync::atomic::AtomicU32 }\nimpl Stats { pub const fn new() -> Self { Stats { hits: std::sync::atomic::AtomicU32::new(0) } } }\npub async fn work() {}\n",
    )?;
    write(
        dir.path(),
        "src/user.rs",
        "use contextvars::{copy_context, ContextVar};\nuse crate::shared::{work, Stats};\n\
         static S: ContextVar<Stats> = ContextVar::with_default(\"s\", Stats::new());\n\
         fn f() { let mut ctx = copy_context(); let fut = ctx.run(|| work()); }\n",
    )?;
    // Only `user.rs` is checked, but `shared.rs` tells what `Stats` and `work` are.
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "src/user.rs"])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("\"code\":\"interior_mutable_default\""),
        "{text}"
    );
    assert!(
        text.contains("\"code\":\"sync_run_wraps_future\""),
        "{text}"
    );
    assert!(text.contains("app@0.2.0"), "{text}");

    // A crate-level `#![allow]` in `lib.rs` covers every file of the crate.
    write(
        dir.path(),
        "src/lib.rs",
        "#![allow(interior_mutable_default)]\nmod shared;\nmod user;\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    let text = stdout(&out);
    assert!(!text.contains("interior_mutable_default"), "{text}");
    assert!(text.contains("sync_run_wraps_future"), "{text}");
    Ok(())
}

#[test]
fn config_sets_levels_and_types() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "bad.rs", BAD_DEFAULT)?;
    write(
        dir.path(),
        "types.rs",
        "use contextvars::ContextVar;\nuse handles::Handle;\nuse bytes::Bytes;\nuse std::sync::Mutex;\n\
         static H: ContextVar<Handle> = ContextVar::with_default(\"h\", Handle::new());\n\
         static B: ContextVar<Mutex<Bytes>> = ContextVar::with_default(\"b\", Mutex::new(Bytes::new()));\nfn main() {}\n",
    )?;
    write(
        dir.path(),
        "ctxlint.toml",
        "[lints]\ninterior_mutable_default = \"deny\"\n[interior_mutable_default]\nextra-types = [\"handles::Handle\"]\nignore-types = [\"std::sync::Mutex\"]\n",
    )?;
    let out = ctxlint_in(
        dir.path(),
        &["check", "--color", "never", "types.rs", "bad.rs"],
    )?;
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("Error: `ContextVar` default value is interior-mutable"),
        "{text}"
    );
    assert!(text.contains("types.rs:5:"), "{text}");
    assert!(!text.contains("types.rs:6:"), "{text}");
    assert!(!text.contains("bad.rs"), "{text}");

    // `allow` in Cargo.toml metadata, when there is no ctxlint.toml.
    std::fs::remove_file(dir.path().join("ctxlint.toml"))?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[package.metadata.ctxlint.lints]\ninterior_mutable_default = \"allow\"\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Unknown keys and lint names are errors that name the file.
    write(
        dir.path(),
        "ctxlint.toml",
        "[lints]\nno_such_lint = \"warn\"\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(2));
    let names: Vec<&str> = ctxlint::catalogue::LINTS.iter().map(|l| l.name).collect();
    assert_eq!(
        stderr(&out),
        format!(
            "error: ctxlint.toml:2:1: unknown lint `no_such_lint` in `[lints]`; the lints are: \
             {}\n\
             ctxlint: 0 findings (0 denied) in 1 file checked (1 parsed), 1 could not be checked\n",
            names.join(", ")
        )
    );
    write(
        dir.path(),
        "ctxlint.toml",
        "[interior_mutable_default]\nextra = []\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--config", "ctxlint.toml", "bad.rs"])?;
    assert_eq!(out.status.code(), Some(2));
    // An explicit `--config` stops the whole check.
    assert_eq!(
        stderr(&out),
        "error: cannot check: ctxlint.toml:2:1: invalid ctxlint configuration: unknown field \
         `extra`, expected one of `extra-types`, `ignore-types`, `extend-immutable-calls`\n"
    );
    Ok(())
}

#[test]
fn rules_and_explain_come_from_the_catalogue() -> Result {
    let dir = tempfile::tempdir()?;
    let rules = ctxlint_in(dir.path(), &["rules"])?;
    assert_eq!(rules.status.code(), Some(0));
    for lint in ctxlint::catalogue::LINTS {
        assert!(stdout(&rules).contains(lint.name));
        assert!(stdout(&rules).contains(lint.summary));
        assert!(stdout(&rules).contains(lint.code));
        let explain = ctxlint_in(dir.path(), &["explain", lint.name])?;
        assert_eq!(explain.status.code(), Some(0));
        for form in lint.forms {
            assert!(stdout(&explain).contains(form.doc.trim_end()));
            for (api, _) in lint.apis(form.language) {
                assert!(stdout(&explain).contains(&format!("`{api}`")), "{api}");
                assert!(stdout(&rules).contains(&api), "{api}");
            }
        }
        let by_code = ctxlint_in(dir.path(), &["explain", lint.code])?;
        assert_eq!(stdout(&by_code), stdout(&explain));
    }
    let unknown = ctxlint_in(dir.path(), &["explain", "nope"])?;
    assert_eq!(unknown.status.code(), Some(2));
    let names: Vec<&str> = ctxlint::catalogue::LINTS.iter().map(|l| l.name).collect();
    assert_error(
        &unknown,
        &format!("unknown lint `nope`; the lints are: {}", names.join(", ")),
    );
    Ok(())
}

/// Checks that the text between `begin` and `end` in `rel` is `want`; with `CTXLINT_BLESS` set,
/// writes it there instead.
fn generated_region(rel: &str, begin: &str, end: &str, want: &str) -> Result {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path)?;
    let start = text
        .find(begin)
        .ok_or_else(|| format!("{rel} has no `{begin}` marker"))?
        + begin.len();
    let stop = text
        .find(end)
        .ok_or_else(|| format!("{rel} has no `{end}` marker"))?;
    if text[start..stop] != *want {
        if std::env::var_os("CTXLINT_BLESS").is_some_and(|v| v != "0") {
            std::fs::write(&path, format!("{}{want}{}", &text[..start], &text[stop..]))?;
        } else {
            panic!(
                "{rel}'s generated text differs from the catalogue; run `CTXLINT_BLESS=1 cargo test --test cli` and review the diff"
            );
        }
    }
    Ok(())
}

/// The README's table of lints is generated from the catalogue; this fails when it drifts.
/// Regenerate it with `CTXLINT_BLESS=1 cargo test --test cli readme`.
#[test]
fn readme_table_matches_the_catalogue() -> Result {
    let want = format!("\n{}", ctxlint::catalogue::markdown_table());
    generated_region(
        "README.md",
        "<!-- lints:begin -->",
        "<!-- lints:end -->",
        &want,
    )
}

/// `docs/cli.md`'s lint sections are generated from the catalogue too.
#[test]
fn docs_lint_sections_match_the_catalogue() -> Result {
    let want = format!("\n\n{}", ctxlint::catalogue::markdown_sections());
    generated_region(
        "docs/cli.md",
        "<!-- lints:begin (generated from the catalogue by `CTXLINT_BLESS=1 cargo test --test cli docs`; do not edit) -->",
        "<!-- lints:end -->",
        &want,
    )
}

/// `--help` describes the tool with the catalogue's sentence, as the package does.
#[test]
fn help_describes_the_tool_from_the_catalogue() -> Result {
    let dir = tempfile::tempdir()?;
    let help = ctxlint_in(dir.path(), &["--help"])?;
    assert_eq!(help.status.code(), Some(0));
    assert_eq!(
        stdout(&help).lines().next(),
        Some(ctxlint::catalogue::ABOUT)
    );
    assert_eq!(env!("CARGO_PKG_DESCRIPTION"), ctxlint::catalogue::ABOUT);
    // It ends with what the tool catches: every lint, with its code and languages.
    let text = stdout(&help);
    let lints = text.split("\nLints (").nth(1).ok_or("no list of lints")?;
    for lint in ctxlint::catalogue::LINTS {
        let line = lints
            .lines()
            .find(|l| l.contains(lint.name))
            .ok_or(lint.name)?;
        assert!(line.trim_start().starts_with(lint.code), "{line}");
        assert!(line.contains(lint.summary), "{line}");
    }
    assert!(lints.contains("(Rust, Python)"), "{lints}");
    Ok(())
}

/// Checked from inside its package (`ctxlint check user.rs` in `src/`), a file still gets its
/// crate's facts from the other files and the configuration above the current directory.
#[test]
fn a_crate_checked_from_inside_it() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
         [package.metadata.ctxlint.lints]\ninterior_mutable_default = \"deny\"\n",
    )?;
    write(dir.path(), "src/lib.rs", "mod shared;\nmod user;\n")?;
    write(
        dir.path(),
        "src/shared.rs",
        "pub struct Stats { hits: std::sync::atomic::AtomicU32 }\n\
         impl Stats { pub const fn new() -> Self { Stats { hits: std::sync::atomic::AtomicU32::new(0) } } }\n",
    )?;
    // Only `shared.rs` tells that `Stats` is interior-mutable.
    write(
        dir.path(),
        "src/user.rs",
        "use contextvars::ContextVar;\nuse crate::shared::Stats;\n\
         static S: ContextVar<Stats> = ContextVar::new(\"s\");\n\
         static T: ContextVar<Stats> = ContextVar::with_default(\"t\", Stats::new());\n",
    )?;
    for (cwd, path) in [
        (dir.path().to_path_buf(), "src/user.rs"),
        (dir.path().join("src"), "user.rs"),
    ] {
        let out = ctxlint_in(&cwd, &["check", "--format", "json", path])?;
        assert_eq!(out.status.code(), Some(1), "{path}: {}", stderr(&out));
        let text = stdout(&out);
        assert_eq!(text.lines().count(), 1, "{path}: {text}");
        assert!(text.contains("\"level\":\"error\""), "{path}: {text}");
        assert!(text.contains("\"line_start\":4"), "{path}: {text}");
    }
    Ok(())
}

#[test]
fn ctxlintignore_and_color() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "gen/bad.rs", BAD_DEFAULT)?;
    write(dir.path(), ".ctxlintignore", "gen/\n")?;
    let walked = ctxlint_in(dir.path(), &["check", "."])?;
    assert_eq!(walked.status.code(), Some(0), "{}", stdout(&walked));
    // A file named on the command line is always checked.
    let named = ctxlint_in(dir.path(), &["check", "--color", "always", "gen/bad.rs"])?;
    assert_eq!(named.status.code(), Some(1));
    assert!(
        stdout(&named).contains("\u{1b}["),
        "no colour: {}",
        stdout(&named)
    );
    let plain = ctxlint_in(dir.path(), &["check", "--color", "never", "gen/bad.rs"])?;
    assert!(!stdout(&plain).contains('\u{1b}'));
    // Not a terminal, so `auto` is plain.
    let auto = ctxlint_in(dir.path(), &["check", "gen/bad.rs"])?;
    assert!(!stdout(&auto).contains('\u{1b}'));
    Ok(())
}

/// The ignore files keep files from being checked, not from giving their facts: a coroutine
/// function defined in an ignored module is still known where it is imported. Nested
/// `.ignore` files count, one above the walked directory too, and a `!` re-includes a file.
#[test]
fn ignored_files_still_give_facts() -> Result {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "pyproject.toml", "[project]\nname = \"app\"\n")?;
    write(dir.path(), ".ctxlintignore", "app/gen/\n")?;
    let bad = "from contextvars import ContextVar\nseen = ContextVar(\"seen\", default=[])\n";
    write(
        dir.path(),
        "app/gen/tasks.py",
        format!("{bad}async def work():\n    pass\n"),
    )?;
    write(
        dir.path(),
        "app/main.py",
        "from contextvars import copy_context\nfrom app.gen.tasks import work\n\
         async def f():\n    ctx = copy_context()\n    await ctx.run(work)\n",
    )?;
    write(dir.path(), "app/sub/.ignore", "*.py\n")?;
    write(dir.path(), "app/sub/bad.py", bad)?;
    // A link loop inside the ignored directory is not walked, so it is no error.
    #[cfg(unix)]
    std::os::unix::fs::symlink("../..", dir.path().join("app/gen/up"))?;
    let dirs = [
        (dir.path().to_path_buf(), "."),
        (dir.path().to_path_buf(), "app"),
        (dir.path().join("app"), "."),
    ];
    let check = |want: &[&str], checked: &str| -> Result {
        for (cwd, path) in &dirs {
            let out = ctxlint_in(cwd, &["check", "--format", "concise", path])?;
            let text = stdout(&out);
            let found: Vec<&str> = text
                .lines()
                .filter_map(|l| l.split(':').next())
                .map(|f| f.trim_start_matches("./").trim_start_matches("app/"))
                .collect();
            assert_eq!(found, want, "{path} in {cwd:?}: {text}");
            assert!(stderr(&out).contains(checked), "{}", stderr(&out));
            assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        }
        Ok(())
    };
    // No ignore file re-includes: the one walk's files, less those the ignore files name.
    check(&["main.py"], "1 file checked")?;
    // One does (`!keep.py`): a second walk by the walker's own rules.
    write(dir.path(), "app/other/.ctxlintignore", "*.py\n!keep.py\n")?;
    write(dir.path(), "app/other/keep.py", bad)?;
    write(dir.path(), "app/other/drop.py", bad)?;
    check(&["main.py", "other/keep.py"], "2 files checked")?;
    // As with ripgrep, a directory named on the command line is walked even when an ignore
    // file above it names it.
    let named = ctxlint_in(dir.path(), &["check", "--format", "concise", "app/gen"])?;
    assert!(
        stdout(&named).starts_with("app/gen/tasks.py:2:"),
        "{}",
        stdout(&named)
    );
    Ok(())
}

/// A directory of mixed Rust and Python code, with both bugs in both languages: every output
/// format reports all four findings, each with its language's texts.
#[test]
fn mixed_rust_and_python_in_every_format() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"mixed\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )?;
    write(
        dir.path(),
        "src/main.rs",
        "use contextvars::{copy_context, ContextVar};\nuse std::sync::Mutex;\n\
         static SEEN: ContextVar<Mutex<u32>> = ContextVar::with_default(\"seen\", Mutex::new(0));\n\
         async fn work() {}\nasync fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n}\nfn main() {}\n",
    )?;
    write(
        dir.path(),
        "py/pyproject.toml",
        "[project]\nname = \"mixedpy\"\nversion = \"1.2.3\"\n",
    )?;
    write(
        dir.path(),
        "py/app/tasks.py",
        "async def work():\n    pass\n",
    )?;
    write(
        dir.path(),
        "py/app/main.py",
        "from contextvars import ContextVar, copy_context\nfrom .tasks import work\n\
         seen = ContextVar(\"seen\", default=[])\n\
         async def f():\n    ctx = copy_context()\n    await ctx.run(work)\n",
    )?;
    let want = [
        ("py/app/main.py", 3, "interior_mutable_default"),
        ("py/app/main.py", 6, "sync_run_wraps_future"),
        ("src/main.rs", 3, "interior_mutable_default"),
        ("src/main.rs", 7, "sync_run_wraps_future"),
    ];

    let human = ctxlint_in(dir.path(), &["check", "--color", "never", "."])?;
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    let text = stdout(&human);
    for (file, line, _) in want {
        assert!(
            text.contains(&format!("{file}:{line}:")),
            "{file}:{line} in:\n{text}"
        );
    }
    assert!(text.contains("[CTX001 interior_mutable_default]"), "{text}");
    assert!(
        text.contains("asyncio.create_task(work(), context=ctx)"),
        "{text}"
    );
    assert!(text.contains("ctx.scope_mut(work())"), "{text}");

    let json = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    let mut found = Vec::new();
    for line in stdout(&json).lines() {
        let message: cargo_metadata::Message = serde_json::from_str(line)?;
        let cargo_metadata::Message::CompilerMessage(m) = message else {
            return Err("not a compiler message".into());
        };
        let span = m.message.spans.first().ok_or("no span")?;
        let code = m.message.code.as_ref().ok_or("no code")?.code.clone();
        if span.file_name.ends_with(".py") {
            assert_eq!(m.target.kind, ["python".into()]);
            assert!(
                m.package_id.repr.contains("#mixedpy@1.2.3"),
                "{}",
                m.package_id
            );
            assert!(
                m.message
                    .message
                    .contains("`ContextVar` default value is mutable")
                    || m.message
                        .message
                        .contains("`Context.run` only creates the coroutine")
            );
        }
        let file = span.file_name.trim_start_matches("./").to_owned();
        found.push((file, span.line_start, code));
    }
    found.sort();
    let want_owned: Vec<(String, usize, String)> = want
        .iter()
        .map(|(f, l, c)| ((*f).to_owned(), *l, (*c).to_owned()))
        .collect();
    assert_eq!(found, want_owned);

    let sarif = ctxlint_in(dir.path(), &["check", "--format", "sarif", "."])?;
    let log: serde_json::Value = serde_json::from_str(&stdout(&sarif))?;
    let mut results: Vec<(String, u64, String)> = log["runs"][0]["results"]
        .as_array()
        .ok_or("no results")?
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                loc["region"]["startLine"].as_u64().unwrap_or(0),
                r["ruleId"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    results.sort();
    let want_sarif: Vec<(String, u64, String)> = want
        .iter()
        .map(|(f, l, c)| ((*f).to_owned(), *l as u64, (*c).to_owned()))
        .collect();
    assert_eq!(results, want_sarif);

    let github = ctxlint_in(dir.path(), &["check", "--format", "github", "."])?;
    let lines: Vec<String> = stdout(&github).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (file, line, lint) in want {
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("file=./{file},line={line},"))
                    && l.contains(&format!("title=ctxlint({lint})"))),
            "{file}:{line} {lint} in {lines:?}"
        );
    }
    Ok(())
}

/// `[tool.ctxlint]` in `pyproject.toml`: levels and `extend-immutable-calls` (qualified names,
/// as ruff's setting); a too-deep Python file is an error, not a crash.
#[test]
fn python_config_and_deep_nesting() -> Result {
    let dir = tempfile::tempdir()?;
    let source = "from contextvars import ContextVar\nfrom app.settings import load\n\
                  a = ContextVar(\"a\", default=load())\nb = ContextVar(\"b\", default=[])\n";
    write(dir.path(), "app/main.py", source)?;
    write(dir.path(), "pyproject.toml", "[project]\nname = \"app\"\n")?;
    let before = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(stdout(&before).lines().count(), 2, "{}", stdout(&before));
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\n[tool.ctxlint.lints]\ninterior_mutable_default = \"deny\"\n\
         [tool.ctxlint.interior_mutable_default]\nextend-immutable-calls = [\"app.settings.load\"]\n",
    )?;
    let after = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    let lines: Vec<String> = stdout(&after).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("\"level\":\"error\""), "{}", lines[0]);
    assert!(lines[0].contains("\"line_start\":4"), "{}", lines[0]);

    let deep = format!(
        "import contextvars\nx = {}1{}\n",
        "(".repeat(30_000),
        ")".repeat(30_000)
    );
    write(dir.path(), "deep/deep.py", &deep)?;
    let out = ctxlint_in(dir.path(), &["check", "deep/deep.py"])?;
    assert_eq!(out.status.code(), Some(2));
    assert_error(
        &out,
        "deep/deep.py: nesting is 30001 levels deep, more than the 20000 ctxlint handles; skipped",
    );
    Ok(())
}

/// A Python script without a `.py` name, named on the command line (as pre-commit passes one
/// whose `#!` line names Python), is checked as Python; a file that no front end claims by
/// its name or its first line is still Rust's.
#[test]
fn a_script_named_on_the_command_line_is_checked_by_its_interpreter() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "bin/serve",
        "#!/usr/bin/env python3\nfrom contextvars import ContextVar\n\
         seen = ContextVar(\"seen\", default=[])\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "concise", "bin/serve"])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "bin/serve:3:35: warning[CTX001] interior_mutable_default: `ContextVar` default value is mutable\n"
    );
    write(dir.path(), "bin/tool", BAD_DEFAULT)?;
    let other = ctxlint_in(dir.path(), &["check", "--format", "concise", "bin/tool"])?;
    assert_eq!(other.status.code(), Some(1), "{}", stderr(&other));
    assert_eq!(
        stdout(&other),
        "bin/tool:3:65: warning[CTX001] interior_mutable_default: `ContextVar` default value is interior-mutable\n"
    );
    // A directory's walk still takes files by their names only.
    let walked = ctxlint_in(dir.path(), &["check", "."])?;
    assert_eq!(walked.status.code(), Some(0), "{}", stderr(&walked));
    Ok(())
}

/// `extra-runners` and `extra-guards` add a project's own APIs to the lints' tables, with their
/// own help; the prefilter learns their names.
#[test]
fn extra_runners_and_guards_from_the_config() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "ctxlint.toml",
        "[sync_run_wraps_future]\n\
         extra-runners = [\n\
           { path = \"scopes::Scope::run_in\", method = true, closure = 0, help = \"use `scope.bind(fut)`\" },\n\
           { path = \"scopes::with_tenant\", closure = 1, help = \"use `scopes::bind_tenant(t, fut)`\" },\n\
         ]\n\
         [context_guard_across_await]\n\
         extra-guards = [{ type = \"scopes::TenantGuard\", made-by = [\"scopes::enter_tenant\", \".pin_scope()\"], help = \"use `scopes::bind_tenant(t, fut)`\" }]\n",
    )?;
    // No built-in name appears in this file: only the configured ones let it through.
    write(
        dir.path(),
        "app.rs",
        "use scopes::{Scope, with_tenant, enter_tenant};\n\
         async fn work() {}\n\
         async fn f(scope: &Scope) {\n\
             let a = scope.run_in(|| work());\n\
             let b = with_tenant(7, || work());\n\
             let _g = enter_tenant(7);\n\
             work().await;\n\
         }\n\
         async fn g(scope: &Scope) {\n\
             let _p = scope.pin_scope();\n\
             work().await;\n\
             let n = scope.run_in(|| 1);\n\
         }\n\
         fn main() {}\n",
    )?;
    let out = ctxlint_in(
        dir.path(),
        &["check", "--color", "never", "--format", "json", "app.rs"],
    )?;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let mut found = Vec::new();
    for line in stdout(&out).lines() {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let message = &value["message"];
        let help = message["children"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["level"] == "help")
            .and_then(|c| c["message"].as_str())
            .unwrap_or_default()
            .to_owned();
        found.push((
            message["spans"][0]["line_start"].as_u64().unwrap_or(0),
            message["code"]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            help,
        ));
    }
    assert_eq!(
        found,
        [
            (
                4,
                "sync_run_wraps_future".to_owned(),
                "use `scope.bind(fut)`".to_owned()
            ),
            (
                5,
                "sync_run_wraps_future".to_owned(),
                "use `scopes::bind_tenant(t, fut)`".to_owned()
            ),
            (
                6,
                "context_guard_across_await".to_owned(),
                "use `scopes::bind_tenant(t, fut)`".to_owned()
            ),
            (
                10,
                "context_guard_across_await".to_owned(),
                "use `scopes::bind_tenant(t, fut)`".to_owned()
            ),
        ]
    );
    // Without the configuration, the same file has no finding.
    std::fs::remove_file(dir.path().join("ctxlint.toml"))?;
    let out = ctxlint_in(dir.path(), &["check", "app.rs"])?;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    Ok(())
}

#[test]
fn test_code_is_every_file_under_tests_unless_configured() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )?;
    write(dir.path(), "src/lib.rs", "pub fn f() {}\n")?;
    // A helper module of the integration tests: not a test target of its own, but test code.
    let helper = "pub async fn with_subscriber(d: tracing::Dispatch) {\n    \
                  let _guard = tracing::dispatcher::set_default(&d);\n    \
                  tick().await;\n}\nasync fn tick() {}\n";
    write(dir.path(), "tests/common/mod.rs", helper)?;
    write(
        dir.path(),
        "tests/it.rs",
        "mod common;\n#[test]\nfn t() {}\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // The same helper outside `tests/` is judged.
    write(dir.path(), "src/helper.rs", helper)?;
    write(dir.path(), "src/lib.rs", "pub fn f() {}\nmod helper;\n")?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("src/helper.rs"), "{text}");
    assert!(!text.contains("tests/common"), "{text}");
    std::fs::remove_file(dir.path().join("src/helper.rs"))?;
    write(dir.path(), "src/lib.rs", "pub fn f() {}\n")?;

    // `test-dirs = []` judges `tests/` as any other code.
    write(dir.path(), "ctxlint.toml", "test-dirs = []\n")?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("tests/common/mod.rs"), "{text}");
    assert!(text.contains("context_guard_across_await"), "{text}");
    Ok(())
}

#[test]
fn python_tests_may_make_context_vars() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\nversion = \"0.1\"\n",
    )?;
    let body = "from contextvars import ContextVar\n\ndef make():\n    \
                return ContextVar(\"v\")\n";
    // pytest's conventions: `test_*.py`, `*_test.py`, `conftest.py`, and `test*` functions
    // anywhere.
    for name in ["test_vars.py", "vars_test.py", "conftest.py"] {
        write(dir.path(), &format!("tests/{name}"), body)?;
    }
    write(
        dir.path(),
        "app/checks.py",
        "from contextvars import ContextVar\n\ndef test_isolated():\n    \
         v = ContextVar(\"v\")\n    assert v.get(None) is None\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // The same function in a module that is not a test is reported, at the call.
    write(dir.path(), "app/vars.py", body)?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("\"code\":\"context_var_in_function\""),
        "{text}"
    );
    assert!(text.contains("app/vars.py"), "{text}");
    assert!(!text.contains("tests/"), "{text}");
    Ok(())
}

#[test]
fn a_thread_gets_context_when_the_project_needs_python_3_14() -> Result {
    let dir = tempfile::tempdir()?;
    let module = "import contextvars\nimport threading\n\nuser = contextvars.ContextVar(\"user\")\n\n\
                  def show():\n    print(user.get())\n\n\
                  def start():\n    threading.Thread(target=show, daemon=True).start()\n";
    // `--fix` on the module, in a project that requires `requires`: the fixed text.
    let fix = |requires: &str| -> Result<String> {
        write(dir.path(), "app.py", module)?;
        write(
            dir.path(),
            "pyproject.toml",
            format!(
                "[project]\nname = \"app\"\nversion = \"0.1\"\nrequires-python = \"{requires}\"\n"
            ),
        )?;
        let out = ctxlint_in(dir.path(), &["check", "--fix", "app.py"])?;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        Ok(std::fs::read_to_string(dir.path().join("app.py"))?)
    };
    // Before 3.14 (or with no bound), the callable is wrapped.
    let fixed = fix(">=3.10")?;
    assert!(
        fixed.contains(
            "threading.Thread(target=contextvars.copy_context().run, args=(show,), daemon=True)"
        ),
        "{fixed}"
    );
    // From 3.14, `Thread` takes the context to start in.
    let fixed = fix(">=3.14")?;
    assert!(
        fixed.contains(
            "threading.Thread(target=show, daemon=True, context=contextvars.copy_context())"
        ),
        "{fixed}"
    );
    // A thread given `context=` is left alone.
    let out = ctxlint_in(dir.path(), &["check", "app.py"])?;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    Ok(())
}

#[test]
fn a_spawn_follows_calls_into_files_that_are_not_linted() -> Result {
    let dir = tempfile::tempdir()?;
    write(
        dir.path(),
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    )?;
    write(dir.path(), "src/lib.rs", "mod jobs;\nmod server;\n")?;
    // `jobs.rs` names no spawn, span or `contextvars`: its facts come from its signatures,
    // and its body is read when the spawn is followed into it.
    write(
        dir.path(),
        "src/jobs.rs",
        "/// Émits an event.\npub async fn work(id: u64) {\n    let _ = id;\n    \
         if id > 1 { tracing::debug!(id, \"working\"); }\n}\n",
    )?;
    write(
        dir.path(),
        "src/server.rs",
        "#[tracing::instrument]\npub async fn serve() {\n    \
         tokio::spawn(crate::jobs::work(2));\n}\n",
    )?;
    let out = ctxlint_in(dir.path(), &["check", "--format", "json", "."])?;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let finding: serde_json::Value = serde_json::from_str(
        text.lines()
            .find(|l| l.contains("spawn_without_context"))
            .ok_or("no finding")?,
    )?;
    let spans = finding["message"]["spans"].as_array().ok_or("no spans")?;
    let read = spans
        .iter()
        .find(|s| s["label"] == "the context is read here")
        .ok_or("no secondary label")?;
    // The event's place in `jobs.rs`, as if the file had been parsed whole: line 4, after
    // the `if`'s block opens (`é` in the doc comment is one column, two bytes).
    assert!(
        read["file_name"]
            .as_str()
            .is_some_and(|f| f.ends_with("src/jobs.rs")),
        "{read}"
    );
    assert_eq!(read["line_start"], 4, "{read}");
    assert_eq!(read["column_start"], 17, "{read}");
    let jobs = std::fs::read_to_string(dir.path().join("src/jobs.rs"))?;
    let start = read["byte_start"].as_u64().ok_or("byte_start")? as usize;
    assert!(jobs[start..].starts_with("tracing::debug!"), "{read}");
    Ok(())
}
