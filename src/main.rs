//! The `ctxlint` command line: a thin layer over the `ctxlint` library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use ctxlint::catalogue;

/// syn's trees are many small allocations, which the system allocator serves slowly: see
/// "Full parse" in BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the memory freed to mimalloc to the system after 10 ms, as mimalloc 2 did, instead
/// of version 3's one second: a check lasts about that long, so with the default nothing that
/// was freed is given back before the end, and the peak resident set counts every syntax
/// tree ever parsed (about twice the peak, on the Python packages of `bench/python.sh`).
fn tune_allocator() {
    // `mi_option_purge_delay` in `mimalloc.h` (the same place in versions 2 and 3), which the
    // Rust bindings do not name.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: `mi_option_set` stores one option's value, an integer, and may be called at any
    // time; it is called here before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
    }
}

#[derive(Debug, Parser)]
#[command(name = "ctxlint", version, about = catalogue::ABOUT, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check Rust and Python files for context bugs (exit 0: clean, 1: findings, 2: error).
    Check(CheckArgs),
    /// List the lints with their default levels.
    Rules,
    /// Print the documentation of one lint.
    Explain {
        /// The lint's name, as in `#[allow(NAME)]`, or its short code (`CTX001`).
        name: String,
    },
    /// Serve the Language Server Protocol on standard input and output, for editors.
    Server {
        /// Use this configuration file for every buffer instead of discovering one per crate.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Run `cargo clippy --message-format=json`, pass its messages through, and append
    /// ctxlint's: one command for rust-analyzer's `check.overrideCommand` that shows both.
    #[command(name = "cargo-check")]
    CargoCheck {
        /// Arguments for `cargo clippy` (after `--`), such as `--workspace` or
        /// `--all-targets`. `--message-format=json` is always passed.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        clippy_args: Vec<String>,
    },
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Files and directories to check; directories are searched for `.rs` and `.py` files,
    /// respecting `.gitignore`.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format: `human` reports, or cargo-compatible JSON messages, one per line.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Use this configuration file (a `ctxlint.toml`, or a `Cargo.toml` with
    /// `[package.metadata.ctxlint]`) instead of looking for one beside each crate.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Parse every file, even those that cannot hold a finding (slower; same findings).
    #[arg(long)]
    no_prefilter: bool,
    /// Number of worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Do not print the summary line on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Apply the machine-applicable suggestions to the files, then report what is left.
    /// Files with syntax errors are never touched.
    #[arg(long)]
    fix: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Reports for people, with source snippets.
    Human,
    /// One `{"reason":"compiler-message",…}` object per line, as `cargo check` prints.
    Json,
    /// One SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::warning file=…::…`), shown as annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    /// Colour when standard output is a terminal.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

fn main() -> ExitCode {
    tune_allocator();
    match run() {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                // `ctxlint check | head`: the reader is gone, which is not our failure.
                return ExitCode::SUCCESS;
            }
            // Not `eprintln!`, which panics when standard error is closed.
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run() -> Result<ExitCode> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // Help and version go to stdout with exit 0; usage errors exit 2 (clap's choice too).
            let code = if err.use_stderr() { 2 } else { 0 };
            err.print().context("cannot print usage")?;
            return Ok(ExitCode::from(code));
        }
    };
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Rules => {
            for lint in catalogue::LINTS {
                writeln!(
                    stdout,
                    "{:<30} {} {:<5} {}",
                    lint.name,
                    lint.code,
                    lint.default_level.as_str(),
                    lint.summary
                )?;
                for language in lint.languages() {
                    for (api, _) in lint.apis(language) {
                        writeln!(stdout, "{:<30} {api} ({})", "", language.name())?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { name } => {
            let Some(lint) = catalogue::find_any(&name) else {
                let names: Vec<_> = catalogue::LINTS.iter().map(|l| l.name).collect();
                bail!("unknown lint `{name}`; the lints are: {}", names.join(", "));
            };
            writeln!(
                stdout,
                "# `{}` (`{}`, default: {})",
                lint.name,
                lint.code,
                lint.default_level.as_str()
            )?;
            for form in lint.forms {
                let language = form.language;
                if language.names_lints_by_code() {
                    writeln!(
                        stdout,
                        "\n## {} (`{}`, `# noqa: {}`)\n",
                        language.name(),
                        lint.code,
                        lint.code
                    )?;
                } else {
                    writeln!(stdout, "\n## {}\n", language.name())?;
                }
                writeln!(stdout, "{}", form.doc.trim_end())?;
                let apis = lint.apis(language);
                if !apis.is_empty() {
                    writeln!(
                        stdout,
                        "\n### The APIs it knows\n\n| API | what it means |\n|---|---|"
                    )?;
                    for (api, fix) in apis {
                        writeln!(stdout, "| `{api}` | {fix} |")?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => check(args, &mut stdout),
        Command::Server { config } => {
            drop(stdout);
            ctxlint::server::serve_stdio(&ctxlint::server::ServerOptions { config })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CargoCheck { clippy_args } => cargo_check(&clippy_args, &mut stdout),
    }
}

fn check(args: CheckArgs, stdout: &mut impl Write) -> Result<ExitCode> {
    let options = ctxlint::CheckOptions {
        paths: args.paths,
        config: args.config,
        levels: Vec::new(),
        no_prefilter: args.no_prefilter,
        jobs: args.jobs,
        progress: None,
    };
    let mut fix_errors = Vec::new();
    let output = if args.fix {
        let fixed = ctxlint::fix(&options).context("cannot fix")?;
        let mut stderr = std::io::stderr().lock();
        for (path, n) in &fixed.fixed {
            if !args.quiet {
                let _ = writeln!(
                    stderr,
                    "fixed {n} finding{} in {}",
                    if *n == 1 { "" } else { "s" },
                    path.display()
                );
            }
        }
        fix_errors = fixed.errors;
        fixed.remaining
    } else {
        ctxlint::check(&options).context("cannot check")?
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match args.format {
        Format::Human => stdout.write_all(output.render_human(color).as_bytes())?,
        Format::Json => stdout.write_all(output.render_json().as_bytes())?,
        Format::Sarif => stdout.write_all(output.render_sarif().as_bytes())?,
        Format::Github => stdout.write_all(output.render_github().as_bytes())?,
    }
    stdout.flush()?;
    let mut stderr = std::io::stderr().lock();
    for error in output.errors.iter().chain(&fix_errors) {
        // A closed standard error must not hide the exit code, so write errors are ignored.
        let _ = writeln!(stderr, "error: {error}");
    }
    if !args.quiet {
        let denied = output
            .findings
            .iter()
            .filter(|f| f.level == catalogue::Level::Deny)
            .count();
        let _ = writeln!(
            stderr,
            "ctxlint: {} finding{} ({denied} denied) in {} file{} checked ({} parsed), {} could not be checked",
            output.findings.len(),
            if output.findings.len() == 1 { "" } else { "s" },
            output.files,
            if output.files == 1 { "" } else { "s" },
            output.linted,
            output.errors.len(),
        );
    }
    Ok(if output.has_errors() || !fix_errors.is_empty() {
        ExitCode::from(2)
    } else if output.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `ctxlint cargo-check`: clippy's JSON messages, then ctxlint's, on standard output.
///
/// rust-analyzer's `check.overrideCommand` runs one command (dylint#1725), so this one runs
/// both. Cargo's closing `build-finished` message is held back and printed last, after
/// ctxlint's messages, so that consumers that stop reading there still see them. The exit
/// code is clippy's when it failed, else ctxlint's.
fn cargo_check(clippy_args: &[String], stdout: &mut impl Write) -> Result<ExitCode> {
    use std::io::BufRead;
    use std::process::{Command as Process, Stdio};

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut args: Vec<String> = vec!["clippy".to_owned(), "--message-format=json".to_owned()];
    args.extend(clippy_args.iter().cloned());
    let mut child = Process::new(&cargo)
        .args(&args)
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "cannot run `{} {}`",
                cargo.to_string_lossy(),
                args.join(" ")
            )
        })?;
    let mut finished = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines() {
            let line = line.context("cannot read cargo's output")?;
            if line.starts_with("{\"reason\":\"build-finished\"") {
                finished.push(line);
                continue;
            }
            writeln!(stdout, "{line}")?;
        }
    }
    let status = child.wait().context("cannot wait for cargo")?;

    // The packages of the workspace, as cargo sees them, are what ctxlint checks.
    let metadata = Process::new(&cargo)
        .args(["metadata", "--no-deps", "--format-version=1"])
        .output()
        .context("cannot run `cargo metadata`")?;
    if !metadata.status.success() {
        // Not in a cargo project (cargo already said so): there is nothing to check, and
        // walking the current directory instead could be all of `$HOME`.
        for line in finished {
            writeln!(stdout, "{line}")?;
        }
        stdout.flush()?;
        let _ = std::io::stderr().write_all(&metadata.stderr);
        return Ok(ExitCode::from(2));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&metadata.stdout).context("cannot read `cargo metadata`")?;
    let mut paths = Vec::new();
    for package in value["packages"].as_array().into_iter().flatten() {
        if let Some(manifest) = package["manifest_path"].as_str()
            && let Some(dir) = std::path::Path::new(manifest).parent()
        {
            paths.push(dir.to_path_buf());
        }
    }
    let output = if paths.is_empty() {
        ctxlint::CheckOutput::default()
    } else {
        ctxlint::check(&ctxlint::CheckOptions {
            paths,
            ..Default::default()
        })
        .context("cannot check")?
    };
    stdout.write_all(output.render_json().as_bytes())?;
    for line in finished {
        writeln!(stdout, "{line}")?;
    }
    stdout.flush()?;
    let mut stderr = std::io::stderr().lock();
    for error in &output.errors {
        let _ = writeln!(stderr, "error: {error}");
    }
    Ok(if !status.success() {
        ExitCode::from(u8::try_from(status.code().unwrap_or(101)).unwrap_or(101))
    } else if output.has_errors() {
        ExitCode::from(2)
    } else if output.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
