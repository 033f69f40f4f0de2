//! The `ctxlint` command line: a thin layer over the `ctxlint` library.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, mpsc};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use ctxlint::catalogue::{self, Level, Lint};

/// syn's trees are many small allocations, which the system allocator serves slowly: see
/// "Full parse" in BENCHMARKS.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in `mimalloc.h` (the same place in versions 2 and 3), which the
/// Rust bindings do not name: how many milliseconds freed memory waits before it is returned
/// to the system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Returns the memory freed to mimalloc to the system after 10 ms, as mimalloc 2 did, instead
/// of version 3's one second: a check lasts about that long, so with the default nothing that
/// was freed is given back before the end, and the peak resident set counts every syntax
/// tree ever parsed (about twice the peak, on the Python packages of `bench/python.sh`).
fn tune_allocator() {
    set_purge_delay(10);
}

/// Sets mimalloc's purge delay, in milliseconds. Called only while the process has one thread.
fn set_purge_delay(ms: std::ffi::c_long) {
    // SAFETY: `mi_option_set` stores one option's value, an integer, and may be called at any
    // time; both callers run before the check starts any other thread.
    unsafe {
        libmimalloc_sys::mi_option_set(PURGE_DELAY, ms);
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
    // Boxed: the other commands' arguments are a word or two.
    Check(Box<CheckArgs>),
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
    /// Files and directories to check (default: `.`); directories are searched for `.rs`,
    /// `.py` and `.pyi` files, respecting `.gitignore`. `-` reads one file's text from standard
    /// input, named by `--stdin-filename`.
    paths: Vec<PathBuf>,
    /// The name of the text on standard input (`-`): its extension chooses the language, its
    /// place the configuration and the crate or project, and findings are reported under it.
    #[arg(long, value_name = "PATH")]
    stdin_filename: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Use this configuration file (a `ctxlint.toml`, a `Cargo.toml` with
    /// `[package.metadata.ctxlint]` or a `pyproject.toml` with `[tool.ctxlint]`) instead of
    /// looking for one beside each crate or project.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only these lints (names or codes, comma-separated), as warnings; the others are
    /// allowed. Like every level flag, it overrides the configuration, and a later flag
    /// overrides an earlier one.
    #[arg(long, value_name = "NAME", value_delimiter = ',', value_parser = lint_name)]
    select: Vec<&'static Lint>,
    /// Allow these lints (names or codes, comma-separated), as `-A` does.
    #[arg(long, value_name = "NAME", value_delimiter = ',', value_parser = lint_name)]
    ignore: Vec<&'static Lint>,
    /// Report this lint as a warning (a name, a code, or `ctxlint::NAME`; repeatable).
    #[arg(short = 'W', long = "warn", value_name = "NAME", value_delimiter = ',', value_parser = lint_name)]
    warn: Vec<&'static Lint>,
    /// Do not report this lint (repeatable).
    #[arg(short = 'A', long = "allow", value_name = "NAME", value_delimiter = ',', value_parser = lint_name)]
    allow: Vec<&'static Lint>,
    /// Report this lint as an error (repeatable).
    #[arg(short = 'D', long = "deny", value_name = "NAME", value_delimiter = ',', value_parser = lint_name)]
    deny: Vec<&'static Lint>,
    /// Apply the machine-applicable suggestions to the files, then report what is left.
    /// Files with syntax errors are never touched. With `-`, print the fixed text on standard
    /// output and the report on standard error.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Print what `--fix` would change, as a unified diff, and change nothing (exit 1 when
    /// there is something to fix).
    #[arg(long)]
    diff: bool,
    /// Print how many findings each lint has (code, name, count), most first, instead of
    /// the findings.
    #[arg(long)]
    statistics: bool,
    /// Exit with 0 even when there are findings (or fixes, with `--diff`); errors still exit
    /// with 2.
    #[arg(long)]
    exit_zero: bool,
    /// Write the report to this file instead of standard output (the summary line stays on
    /// standard error).
    #[arg(long, short = 'o', value_name = "FILE")]
    output_file: Option<PathBuf>,
    /// Parse every file, even those that cannot hold a finding (slower; same findings).
    #[arg(long)]
    no_prefilter: bool,
    /// Number of worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Print neither the summary line nor the progress bar on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// The end of `ctxlint --help`: what the tool catches, from the catalogue.
fn lints_help() -> String {
    let mut out = String::from(
        "Lints (`ctxlint rules` lists the APIs each one knows, `ctxlint explain NAME` documents it):\n",
    );
    for lint in catalogue::LINTS {
        let languages: Vec<&str> = lint.languages().map(|l| l.name()).collect();
        out.push_str(&format!(
            "  {}  {:<31} {} ({})\n",
            lint.code,
            lint.name,
            lint.summary,
            languages.join(", ")
        ));
    }
    out.push_str(
        "\nSuppress one with `#[allow(NAME)]` in Rust or `# noqa: CODE` in Python; set levels in \
         `ctxlint.toml`, `[package.metadata.ctxlint]` or `[tool.ctxlint]`, or with -W, -A, -D.",
    );
    out
}

/// A lint named on the command line: its name, its code, or `ctxlint::NAME`, as attributes
/// take it.
fn lint_name(text: &str) -> Result<&'static Lint, String> {
    let name = text.strip_prefix("ctxlint::").unwrap_or(text);
    catalogue::find_any(name).ok_or_else(|| {
        let names: Vec<_> = catalogue::LINTS.iter().map(|l| l.name).collect();
        format!("unknown lint `{text}`; the lints are: {}", names.join(", "))
    })
}

/// The levels that `--select`, `--ignore`, `-W`, `-A` and `-D` set, in the order they were
/// given, so that a later flag overrides an earlier one (as rustc and clippy order them).
/// `--select A,B` allows every other lint and warns `A` and `B`, at its place.
fn cli_levels(matches: &ArgMatches) -> Vec<(&'static Lint, Level)> {
    let mut set: Vec<(usize, &'static Lint, Level)> = Vec::new();
    for (id, level) in [
        ("select", Level::Warn),
        ("ignore", Level::Allow),
        ("warn", Level::Warn),
        ("allow", Level::Allow),
        ("deny", Level::Deny),
    ] {
        let (Ok(Some(lints)), Some(indices)) = (
            matches.try_get_many::<&'static Lint>(id),
            matches.indices_of(id),
        ) else {
            continue;
        };
        let lints: Vec<&'static Lint> = lints.copied().collect();
        if id == "select" {
            // Every lint that no `--select` names is allowed where the first one stands.
            let first = indices.clone().min().unwrap_or(0);
            for lint in catalogue::LINTS {
                if !lints.iter().any(|l| l.name == lint.name) {
                    set.push((first, lint, Level::Allow));
                }
            }
        }
        for (lint, at) in lints.into_iter().zip(indices) {
            set.push((at, lint, level));
        }
    }
    // Stable: the allowed lints of `--select` come before the selected ones at its place.
    set.sort_by_key(|(at, ..)| *at);
    set.into_iter()
        .map(|(_, lint, level)| (lint, level))
        .collect()
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
    /// A GitLab Code Quality report (Code Climate issues in a JSON array).
    Gitlab,
    /// JUnit XML: a test suite per file, a failing test case per finding.
    Junit,
    /// One line per finding, `PATH:LINE:COLUMN: LEVEL[CODE] NAME: MESSAGE`, for editors.
    Concise,
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
    // Parsed in two steps because the order of the level flags matters, and only the matches
    // know it.
    let parsed = Cli::command()
        .after_help(lints_help())
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
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
        Command::Check(args) => {
            drop(stdout);
            let levels = matches
                .subcommand_matches("check")
                .map(cli_levels)
                .unwrap_or_default();
            check(*args, levels)
        }
        Command::Server { config } => {
            drop(stdout);
            ctxlint::server::serve_stdio(&ctxlint::server::ServerOptions { config })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CargoCheck { clippy_args } => cargo_check(&clippy_args, &mut stdout),
    }
}

/// How long a check runs before the progress bar shows: quick runs, the usual case in an
/// editor or a hook, never flash one.
const PROGRESS_DELAY: Duration = Duration::from_secs(1);

fn check(args: CheckArgs, levels: Vec<(&'static Lint, Level)>) -> Result<ExitCode> {
    let stdin = stdin_name(&args)?;
    if args.statistics && !matches!(args.format, Format::Human | Format::Json) {
        bail!(
            "`--statistics` prints a table (`--format human`) or JSON (`--format json`), not `--format {}`",
            format_name(args.format)
        );
    }
    // Opened first, so that a report that cannot be written stops the run before the work.
    let mut report: Box<dyn Write> = match &args.output_file {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    if args.no_prefilter {
        // A full parse frees and allocates the syntax trees of every file, some of them tens
        // of megabytes, without a pause: memory given back after 10 ms is taken again a moment
        // later, and the kernel zeroes each page anew (on the corpus of `bench/run.sh`, 12 GiB
        // purged and 4.6 s of system time in a 12 s run; 2 s with mimalloc's own delay of one
        // second). It is a batch run, whose peak is what counts: freed pages are kept for the
        // next file (-1: never purged), for a peak resident set about 8 % higher.
        set_purge_delay(-1);
    }
    let progress = Arc::new(ctxlint::Progress::default());
    let options = ctxlint::CheckOptions {
        paths: if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        },
        config: args.config.clone(),
        levels,
        no_prefilter: args.no_prefilter,
        jobs: args.jobs,
        progress: Some(Arc::clone(&progress)),
    };
    // The bar is for people: on a terminal, with the human report, and not for standard input
    // (one file) or `-q`.
    let show_progress = stdin.is_none()
        && args.format == Format::Human
        && !args.quiet
        && std::io::stderr().is_terminal();

    if args.diff {
        let (preview, errors) = match &stdin {
            Some(name) => {
                let text = read_stdin(name)?;
                let fixed = ctxlint::fix_text(name, &text, &options).context("cannot check")?;
                let diff = if fixed.applied > 0 {
                    ctxlint::unified_diff(name, &text, &fixed.text)
                } else {
                    String::new()
                };
                let mut errors = fixed.remaining.errors;
                errors.extend(fixed.errors);
                (
                    (diff, usize::from(fixed.applied > 0), fixed.applied),
                    errors,
                )
            }
            None => {
                let preview =
                    with_progress(show_progress, &progress, || ctxlint::preview_fix(&options))
                        .context("cannot check")?;
                let applied = preview.files.iter().map(|f| f.applied).sum();
                let mut errors = preview.checked.errors.clone();
                errors.extend(preview.errors.iter().cloned());
                (
                    (preview.unified_diff(), preview.files.len(), applied),
                    errors,
                )
            }
        };
        let (diff, files, applied) = preview;
        report.write_all(diff.as_bytes())?;
        report.flush()?;
        let mut stderr = std::io::stderr().lock();
        for error in &errors {
            let _ = writeln!(stderr, "error: {error}");
        }
        if !args.quiet {
            let _ = writeln!(
                stderr,
                "ctxlint: would fix {applied} finding{} in {files} file{}",
                plural(applied),
                plural(files)
            );
        }
        return Ok(if !errors.is_empty() {
            ExitCode::from(2)
        } else if applied > 0 && !args.exit_zero {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }

    let mut fix_errors = Vec::new();
    // With `--fix` on standard input, standard output holds the fixed text, so the report
    // goes to standard error (as ruff does), unless `--output-file` takes it.
    let mut report_to_stderr = false;
    let output = match &stdin {
        Some(name) => {
            let text = read_stdin(name)?;
            if args.fix {
                let fixed = ctxlint::fix_text(name, &text, &options).context("cannot fix")?;
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(fixed.text.as_bytes())?;
                stdout.flush()?;
                if !args.quiet && fixed.applied > 0 {
                    let _ = writeln!(
                        std::io::stderr(),
                        "fixed {} finding{} in {}",
                        fixed.applied,
                        plural(fixed.applied),
                        name.display()
                    );
                }
                fix_errors = fixed.errors;
                report_to_stderr = args.output_file.is_none();
                fixed.remaining
            } else {
                ctxlint::check_text(name, &text, &options).context("cannot check")?
            }
        }
        None if args.fix => {
            let fixed = with_progress(show_progress, &progress, || ctxlint::fix(&options))
                .context("cannot fix")?;
            let mut stderr = std::io::stderr().lock();
            for (path, n) in &fixed.fixed {
                if !args.quiet {
                    let _ = writeln!(
                        stderr,
                        "fixed {n} finding{} in {}",
                        plural(*n),
                        path.display()
                    );
                }
            }
            fix_errors = fixed.errors;
            fixed.remaining
        }
        None => with_progress(show_progress, &progress, || ctxlint::check(&options))
            .context("cannot check")?,
    };
    if report_to_stderr {
        report = Box::new(std::io::stderr().lock());
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            let terminal = match (&args.output_file, report_to_stderr) {
                (Some(_), _) => false,
                (None, true) => std::io::stderr().is_terminal(),
                (None, false) => std::io::stdout().is_terminal(),
            };
            terminal && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = if args.statistics {
        render_statistics(&output, args.format)
    } else {
        match args.format {
            Format::Human => output.render_human(color),
            Format::Json => output.render_json(),
            Format::Sarif => output.render_sarif(),
            Format::Github => output.render_github(),
            Format::Gitlab => output.render_gitlab(),
            Format::Junit => output.render_junit(),
            Format::Concise => output.render_concise(),
        }
    };
    report.write_all(text.as_bytes())?;
    report.flush()?;
    drop(report);
    let mut stderr = std::io::stderr().lock();
    for error in output.errors.iter().chain(&fix_errors) {
        // A closed standard error must not hide the exit code, so write errors are ignored.
        let _ = writeln!(stderr, "error: {error}");
    }
    if !args.quiet {
        let denied = output
            .findings
            .iter()
            .filter(|f| f.level == Level::Deny)
            .count();
        let _ = writeln!(
            stderr,
            "ctxlint: {} finding{} ({denied} denied) in {} file{} checked ({} parsed), {} could not be checked",
            output.findings.len(),
            plural(output.findings.len()),
            output.files,
            plural(output.files),
            output.linted,
            output.errors.len(),
        );
    }
    Ok(if output.has_errors() || !fix_errors.is_empty() {
        ExitCode::from(2)
    } else if output.findings.is_empty() || args.exit_zero {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn format_name(format: Format) -> String {
    format
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_owned())
}

/// The name standard input is checked under, when it is: `-` among the paths (alone), or
/// `--stdin-filename` without paths (as ruff takes it).
fn stdin_name(args: &CheckArgs) -> Result<Option<PathBuf>> {
    let dash = args.paths.iter().any(|p| p == Path::new("-"));
    if dash && args.paths.len() > 1 {
        bail!("`-` (standard input) cannot be checked together with other paths");
    }
    match (&args.stdin_filename, dash) {
        (Some(name), true) => Ok(Some(name.clone())),
        (Some(name), false) if args.paths.is_empty() => Ok(Some(name.clone())),
        (Some(_), false) => {
            bail!("`--stdin-filename` names standard input, `-`, which is not among the paths")
        }
        (None, true) => bail!(
            "checking standard input (`-`) needs `--stdin-filename PATH`: its extension chooses the language, and its place the configuration"
        ),
        (None, false) => Ok(None),
    }
}

/// Standard input as the text of `name`.
fn read_stdin(name: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid UTF-8 (first bad byte at offset {})",
            name.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// `--statistics`: a line per lint with findings (count, code, name), most first, as
/// `ruff --statistics` prints them; or the same as a JSON array.
fn render_statistics(output: &ctxlint::CheckOutput, format: Format) -> String {
    let counts = output.statistics();
    if format == Format::Json {
        let rows: Vec<serde_json::Value> = counts
            .iter()
            .map(
                |(lint, n)| serde_json::json!({ "code": lint.code, "name": lint.name, "count": n }),
            )
            .collect();
        // A `Value` always serialises.
        return serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
    }
    let width = counts
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    counts
        .iter()
        .map(|(lint, n)| format!("{n:>width$}  {}  {}\n", lint.code, lint.name))
        .collect()
}

/// Runs `work`, with a progress bar of `progress` on standard error when `show` and once
/// `work` has taken longer than [`PROGRESS_DELAY`]. The bar is cleared before `work`'s result
/// is returned, so the report never mixes with it.
fn with_progress<T>(show: bool, progress: &Arc<ctxlint::Progress>, work: impl FnOnce() -> T) -> T {
    if !show {
        return work();
    }
    let delay = std::env::var("CTXLINT_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(PROGRESS_DELAY, Duration::from_millis);
    let (done, finished) = mpsc::channel::<()>();
    let watched = Arc::clone(progress);
    let drawer = std::thread::spawn(move || draw_progress(&watched, delay, &finished));
    let result = work();
    drop(done);
    // A drawer that panicked only loses the bar.
    let _ = drawer.join();
    result
}

/// Draws `progress` every 100 ms, after `delay`, until `finished` closes.
fn draw_progress(progress: &ctxlint::Progress, delay: Duration, finished: &mpsc::Receiver<()>) {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use mpsc::RecvTimeoutError::Timeout;
    if !matches!(finished.recv_timeout(delay), Err(Timeout)) {
        return;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:8} [{bar:30}] {pos}/{len} files")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let update = || {
        let (message, done, total) = match progress.to_lint() {
            Some(total) => ("checking", progress.linted(), total),
            None if progress.read() == 0 => ("finding", 0, progress.found()),
            None => ("reading", progress.read(), progress.found()),
        };
        bar.set_message(message);
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    loop {
        update();
        if !matches!(
            finished.recv_timeout(Duration::from_millis(100)),
            Err(Timeout)
        ) {
            break;
        }
    }
    // The last counts, once, before the bar goes: a check shorter than a frame would
    // otherwise clear a bar that never showed what it counted.
    update();
    bar.force_draw();
    bar.finish_and_clear();
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
