//! The catalogue of ctxlint's lints: the one place that names them and holds their messages
//! and documentation.
//!
//! Both drivers read this crate: the `ctxlint` CLI (for diagnostics, `ctxlint rules`,
//! `ctxlint explain` and the README table) and the Dylint library in `lints/` (for its lint
//! declarations and messages). A test in each driver fails when its output drifts from here.
//!
//! ```
//! let lint = ctxlint_catalogue::find("interior_mutable_default").unwrap();
//! assert_eq!(lint.default_level, ctxlint_catalogue::Level::Warn);
//! assert!(lint.doc.contains("### What it does"));
//! ```

/// How seriously a lint is reported, as in `#[allow]` / `#[warn]` / `#[deny]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error.
    Deny,
}

impl Level {
    /// The level's name as written in attributes and config files.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// Parses `allow`, `warn` or `deny` (the spellings of attributes and config files).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// One lint: its name, its default level, the text of its diagnostic and its documentation.
///
/// Every text field follows the rustc/clippy message convention: it starts in lowercase, has
/// no final period, and puts code in backticks.
#[derive(Debug)]
pub struct Lint {
    /// The lint's name, as written in `#[allow(NAME)]` and in the JSON `code` field. It names
    /// the bad pattern, so that `allow(NAME)` reads as "allow NAME".
    pub name: &'static str,
    /// The level the lint has when no attribute or config changes it.
    pub default_level: Level,
    /// A one-line summary for `ctxlint rules` and the README table.
    pub summary: &'static str,
    /// The diagnostic's main message.
    pub message: &'static str,
    /// The label on the primary span.
    pub label: &'static str,
    /// The `note:` that explains the consequence.
    pub note: &'static str,
    /// The `help:` that says how to fix it.
    pub help: &'static str,
    /// The message of the lint's mechanical fix, for the drivers that offer one.
    pub suggestion: Option<&'static str>,
    /// The full documentation in Markdown, with the sections `### What it does`,
    /// `### Why is this bad?`, `### Known problems` and `### Example` (ending in "Use instead:").
    pub doc: &'static str,
    /// A short code, such as `CTX001`, for `# noqa: CODE` in Python and `ctxlint rules`.
    pub code: &'static str,
    /// The texts of the lint's Python form, if it has one.
    pub python: Option<PythonText>,
}

/// The diagnostic texts and documentation of a lint's Python form (the same bug, in Python's
/// `contextvars`). The fields mean what the fields of the same name of [`Lint`] mean.
#[derive(Debug)]
pub struct PythonText {
    /// The diagnostic's main message.
    pub message: &'static str,
    /// The label on the primary span.
    pub label: &'static str,
    /// The `note:` that explains the consequence.
    pub note: &'static str,
    /// The `help:` that says how to fix it.
    pub help: &'static str,
    /// The message of the lint's mechanical fix, where there is one.
    pub suggestion: Option<&'static str>,
    /// The documentation, with the same sections as [`Lint::doc`].
    pub doc: &'static str,
}

impl Lint {
    /// The first section of [`Lint::doc`] (`### What it does`), as one line of text, for
    /// tools that show a lint's full description (SARIF's `fullDescription`).
    ///
    /// ```
    /// let what = ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE.what_it_does();
    /// assert!(what.starts_with("Checks for a synchronous call"));
    /// assert!(!what.contains('\n'));
    /// ```
    pub fn what_it_does(&self) -> String {
        let body = self
            .doc
            .split_once("### What it does")
            .map_or(self.doc, |(_, rest)| rest);
        let section = body.split("\n### ").next().unwrap_or(body);
        // Its first paragraph: tables and lists that follow do not read as one line.
        let section = section.trim_start().split("\n\n").next().unwrap_or(section);
        section.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Where the lint's documentation is published: its page in the repository's catalogue.
    ///
    /// ```
    /// let uri = ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT.help_uri();
    /// assert!(uri.ends_with("/catalogue/docs/interior_mutable_default.md"));
    /// ```
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/catalogue/docs/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.name
        )
    }
}

/// Flags a `ContextVar::with_default` whose default value is interior-mutable.
pub static INTERIOR_MUTABLE_DEFAULT: Lint = Lint {
    name: "interior_mutable_default",
    default_level: Level::Warn,
    summary: "a `ContextVar` default with interior mutability, shared by every context",
    message: "`ContextVar` default value is interior-mutable",
    label: "every context shares this one value",
    note: "copying a context is shallow: every task and every `copy_context()` sees this same \
           object, so a mutation through it is seen everywhere",
    help: "use an immutable default, or `ContextVar::new`, and `set()` a fresh value at the \
           start of each task",
    suggestion: None,
    doc: include_str!("../docs/interior_mutable_default.md"),
    code: "CTX001",
    python: Some(PythonText {
        message: "`ContextVar` default value is mutable",
        label: "every context shares this one object",
        note: "copying a context is shallow: every task and every `copy_context()` that never \
               `set()` the variable gets this same object, so a mutation through it is seen \
               everywhere",
        help: "use an immutable default (`None`, a tuple, a frozen dataclass) and `set()` a \
               fresh object at the start of each task",
        suggestion: None,
        doc: include_str!("../docs/python/interior_mutable_default.md"),
    }),
};

/// Flags a synchronous `Context::run` whose closure returns a future.
pub static SYNC_RUN_WRAPS_FUTURE: Lint = Lint {
    name: "sync_run_wraps_future",
    default_level: Level::Warn,
    summary: "a synchronous runner (`Context::run`, `Span::in_scope`, `sync_scope`, `Hub::run`) \
              whose closure only creates a future, which then runs outside the context",
    message: "this runner returns a future that will be polled outside its context",
    label: "this creates the future inside the context but does not run it there",
    note: "the future is polled later, in the caller's context, so its writes leak into the \
           caller",
    help: "bind the future to the context with `ctx.scope(fut)`, or spawn it with \
           `contextvars::spawn(fut)`",
    suggestion: Some("poll the future inside the context instead, so that its writes stay there"),
    doc: include_str!("../docs/sync_run_wraps_future.md"),
    code: "CTX002",
    python: Some(PythonText {
        message: "`Context.run` only creates the coroutine, which then runs outside the context",
        label: "this coroutine function is called inside the context but runs outside it",
        note: "`run` returns as soon as the coroutine object exists; it runs when awaited, in \
               the caller's context, so its writes leak into the caller",
        help: "run it as a task bound to the context: \
               `asyncio.create_task(coro_fn(*args), context=ctx)` (Python 3.11+), or create \
               the task inside it: `ctx.run(asyncio.create_task, coro_fn(*args))`",
        suggestion: Some("run the coroutine as a task bound to the context"),
        doc: include_str!("../docs/python/sync_run_wraps_future.md"),
    }),
};

/// How a [`Runner`] is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunnerCall {
    /// A method: `recv.name(args)`, or `Type::name(recv, args)`.
    Method,
    /// A function or an associated function without `self`: `path(args)`.
    Function,
}

/// A synchronous call that makes a context current, calls a closure, and restores the old
/// context: the shape of `sync_run_wraps_future`. A closure that returns a future escapes it.
#[derive(Debug, PartialEq, Eq)]
pub struct Runner {
    /// The def path, as the Dylint library resolves it (`contextvars::Context::run`).
    pub path: &'static str,
    /// Other paths that name the same function (re-exports), for the CLI's path resolution.
    pub aliases: &'static [&'static str],
    /// How it is called.
    pub call: RunnerCall,
    /// The position of the closure among the arguments, not counting a method's receiver.
    pub closure: usize,
    /// Whether the closure's result comes back inside `Ok(..)` (`try_run`).
    pub in_result: bool,
    /// The `help:` of a finding: how to run the future inside the context.
    pub help: &'static str,
    /// The rewrite both drivers suggest, when the closure's future can be made outside the
    /// context without changing what it reads.
    pub fix: Fix,
}

/// The rewrite that fixes a runner's finding: the future-side call that replaces
/// `runner(.., || fut)`. Both drivers render it from here; `fut` is the future the closure
/// made, `recv` the runner's receiver and `first` its first argument before the closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// No rewrite: the `help:` says what to do (a configured runner, or a runner whose
    /// future-side API takes something the call does not have).
    None,
    /// `recv.scope_mut(fut)`, or `recv.scope(fut)` on a temporary context, which `scope`
    /// takes by value (`contextvars`).
    ContextScope,
    /// `recv.METHOD(first, fut)`, or `Type::METHOD(recv, first, fut)` for the path form
    /// (tokio's `KEY.scope(value, fut)`).
    OnReceiver {
        /// The method that binds the future.
        method: &'static str,
    },
    /// `fut.METHOD(operand)`: a method of an extension trait on futures.
    OnFuture {
        /// The extension trait's method.
        method: &'static str,
        /// What it is given.
        operand: Operand,
        /// The trait, which must be in scope for the rewrite to compile.
        trait_name: &'static str,
        /// The crates that export it; one `use` of any of them brings it in scope.
        trait_crates: &'static [&'static str],
    },
}

/// The value given to a [`Fix::OnFuture`] method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// The runner's receiver, by value: a place is cloned, a temporary moved (`span`).
    Receiver,
    /// The runner's first argument, as written (the subscriber, the hub).
    First,
}

/// Every runner the lints know, in the order `ctxlint explain` lists them.
pub static RUNNERS: &[Runner] = &[
    Runner {
        path: "contextvars::Context::run",
        aliases: &[],
        call: RunnerCall::Method,
        closure: 0,
        in_result: false,
        help: "bind the future to the context with `ctx.scope(fut)`, or spawn it with \
               `contextvars::spawn(fut)`",
        fix: Fix::ContextScope,
    },
    Runner {
        path: "contextvars::Context::try_run",
        aliases: &[],
        call: RunnerCall::Method,
        closure: 0,
        in_result: true,
        help: "bind the future to the context with `ctx.scope(fut)`, or spawn it with \
               `contextvars::spawn(fut)`",
        // The caller expects a `Result` from `try_run`; `scope` would change the type.
        fix: Fix::None,
    },
    Runner {
        path: "tracing::Span::in_scope",
        aliases: &["tracing::span::Span::in_scope"],
        call: RunnerCall::Method,
        closure: 0,
        in_result: false,
        help: "instrument the future with the span instead: `fut.instrument(span)` \
               (`tracing::Instrument`)",
        fix: Fix::OnFuture {
            method: "instrument",
            operand: Operand::Receiver,
            trait_name: "Instrument",
            trait_crates: &["tracing"],
        },
    },
    Runner {
        path: "tracing::subscriber::with_default",
        aliases: &["tracing_core::subscriber::with_default"],
        call: RunnerCall::Function,
        closure: 1,
        in_result: false,
        help: "give the future its subscriber instead: `fut.with_subscriber(subscriber)` \
               (`tracing::instrument::WithSubscriber`)",
        fix: Fix::OnFuture {
            method: "with_subscriber",
            operand: Operand::First,
            trait_name: "WithSubscriber",
            trait_crates: &["tracing"],
        },
    },
    Runner {
        path: "tracing::dispatcher::with_default",
        aliases: &["tracing_core::dispatcher::with_default"],
        call: RunnerCall::Function,
        closure: 1,
        in_result: false,
        help: "give the future its dispatcher instead: `fut.with_subscriber(dispatch.clone())` \
               (`tracing::instrument::WithSubscriber`)",
        // `with_default` borrows the dispatch (`&Dispatch`); no rewrite from the call alone.
        fix: Fix::None,
    },
    Runner {
        path: "tokio::task::LocalKey::sync_scope",
        aliases: &["tokio::task::task_local::LocalKey::sync_scope"],
        call: RunnerCall::Method,
        closure: 1,
        in_result: false,
        help: "scope the future instead: `KEY.scope(value, fut)`",
        fix: Fix::OnReceiver { method: "scope" },
    },
    Runner {
        path: "sentry_core::Hub::run",
        aliases: &["sentry::Hub::run", "sentry_core::hub::Hub::run"],
        call: RunnerCall::Function,
        closure: 1,
        in_result: false,
        help: "bind the future to the hub instead: `fut.bind_hub(hub)` \
               (`sentry::SentryFutureExt`)",
        fix: Fix::OnFuture {
            method: "bind_hub",
            operand: Operand::First,
            trait_name: "SentryFutureExt",
            trait_crates: &["sentry", "sentry_core"],
        },
    },
];

/// The entries a project adds to the tables with the config keys `extra-runners` and
/// `extra-guards`, in `ctxlint.toml` for the CLI and in `dylint.toml` for the Dylint library:
/// one shape in both files.
#[cfg(feature = "config")]
pub mod config {
    use serde::Deserialize;

    use crate::{Fix, Guard, Runner, RunnerCall};

    /// One entry of `extra-runners`: `{ path = "my_crate::Scope::run_in", method = true,
    /// closure = 0, help = "use `scope.bind(fut)`" }`.
    #[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    pub struct ExtraRunner {
        /// The def path of the runner.
        pub path: String,
        /// Whether it is a method (`scope.run_in(f)`), rather than a function.
        #[serde(default)]
        pub method: bool,
        /// The position of the closure among the arguments, not counting a receiver.
        #[serde(default)]
        pub closure: usize,
        /// The `help:` of a finding.
        pub help: String,
    }

    /// One entry of `extra-guards`: `{ type = "my_crate::TenantGuard", made-by =
    /// ["my_crate::enter_tenant", ".pin_tenant()"], help = "use `bind_tenant(t, fut)`" }`.
    #[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    pub struct ExtraGuard {
        /// The def path of the guard's type.
        #[serde(rename = "type")]
        pub ty: String,
        /// The calls that return it (a path, or `.method()`): the CLI finds guards by these.
        /// The Dylint library sees the type itself and does not read them.
        pub made_by: Vec<String>,
        /// The `help:` of a finding.
        pub help: String,
    }

    impl ExtraRunner {
        /// The runner, with its strings made `'static` by `keep` (which may leak or intern
        /// them): a configured runner has no rewrite, only its help.
        pub fn to_runner(&self, mut keep: impl FnMut(&str) -> &'static str) -> Runner {
            Runner {
                path: keep(&self.path),
                aliases: &[],
                call: if self.method {
                    RunnerCall::Method
                } else {
                    RunnerCall::Function
                },
                closure: self.closure,
                in_result: false,
                help: keep(&self.help),
                fix: Fix::None,
            }
        }
    }

    impl ExtraGuard {
        /// The guard, with its strings made `'static` by `keep`, and the list of calls by
        /// `keep_list`.
        pub fn to_guard(
            &self,
            mut keep: impl FnMut(&str) -> &'static str,
            keep_list: impl FnOnce(Vec<&'static str>) -> &'static [&'static str],
        ) -> Guard {
            let made_by = self.made_by.iter().map(|call| keep(call)).collect();
            Guard {
                ty: keep(&self.ty),
                made_by: keep_list(made_by),
                help: keep(&self.help),
            }
        }
    }
}

/// A guard that makes a context current until it is dropped: held across an `.await`, the
/// context stays current while other tasks run on the thread, and is missing when this one
/// resumes elsewhere. The shape of `context_guard_across_await`.
#[derive(Debug, PartialEq, Eq)]
pub struct Guard {
    /// The guard's type, as the Dylint library resolves it (`tracing::span::Entered`).
    pub ty: &'static str,
    /// The calls that return it, as the CLI recognises them: `.name()` for a method, a path
    /// for a function.
    pub made_by: &'static [&'static str],
    /// The `help:` of a finding: the future-side API to use instead.
    pub help: &'static str,
}

/// Every guard the lints know, in the order `ctxlint explain` lists them.
pub static GUARDS: &[Guard] = &[
    Guard {
        ty: "tracing::span::Entered",
        made_by: &[".enter()"],
        help: "instrument the future instead of entering the span: `fut.instrument(span)` or \
               `#[tracing::instrument]` (`tracing::Instrument`)",
    },
    Guard {
        ty: "tracing::span::EnteredSpan",
        made_by: &[".entered()"],
        help: "instrument the future instead of entering the span: `fut.instrument(span)` or \
               `#[tracing::instrument]` (`tracing::Instrument`)",
    },
    Guard {
        ty: "tracing::dispatcher::DefaultGuard",
        made_by: &[
            "tracing::dispatcher::set_default",
            "tracing::subscriber::set_default",
        ],
        help: "give the future its subscriber instead: `fut.with_subscriber(subscriber)` \
               (`tracing::instrument::WithSubscriber`)",
    },
    Guard {
        ty: "opentelemetry::ContextGuard",
        made_by: &[".attach()"],
        help: "bind the context to the future instead: `fut.with_context(cx)` \
               (`opentelemetry::trace::FutureExt`)",
    },
];

/// Functions that start a task or thread in a *copy of the current context*: called inside a
/// runner, the task carries the runner's context, which is the correct idiom (Python's
/// `ctx.run(loop.create_task, coro)`). Their handle is not a leaked future.
pub static CONTEXT_COPYING_SPAWNS: &[&str] = &[
    "contextvars::spawn",
    "contextvars::spawn_blocking",
    "contextvars::thread::spawn",
];

/// Functions that start a task that does *not* carry the current context: called inside a
/// runner, the future they are given is created inside the context and polled outside it,
/// so `sync_run_wraps_future` reports them.
pub static CONTEXT_LOSING_SPAWNS: &[&str] = &[
    "tokio::spawn",
    "tokio::task::spawn",
    "tokio::task::spawn_local",
];

/// The APIs a lint knows, with the fix for each, as `(api, fix)`: the runners of
/// `sync_run_wraps_future`, the guards of `context_guard_across_await`, none for the others.
/// `ctxlint rules` and `ctxlint explain` print them.
///
/// ```
/// let apis = ctxlint_catalogue::apis(&ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE);
/// assert!(apis.iter().any(|(api, _)| api == "tracing::Span::in_scope"));
/// ```
pub fn apis(lint: &Lint) -> Vec<(String, &'static str)> {
    if lint.name == SYNC_RUN_WRAPS_FUTURE.name {
        RUNNERS
            .iter()
            .map(|r| (r.path.to_owned(), r.help))
            .collect()
    } else if lint.name == CONTEXT_GUARD_ACROSS_AWAIT.name {
        GUARDS
            .iter()
            .map(|g| (format!("{} ({})", g.ty, g.made_by.join(", ")), g.help))
            .collect()
    } else {
        Vec::new()
    }
}

/// Finds the runner whose path or alias is `path`.
///
/// ```
/// let run = ctxlint_catalogue::runner("contextvars::Context::try_run").unwrap();
/// assert!(run.in_result);
/// ```
pub fn runner(path: &str) -> Option<&'static Runner> {
    RUNNERS
        .iter()
        .find(|r| r.path == path || r.aliases.contains(&path))
}

/// Associated functions of the standard library whose value holds exactly what their
/// arguments hold, as `(type, function)`: `Arc::new(None)` shares nothing, whatever the
/// `Arc`'s type argument. Both drivers read this table to judge a `ContextVar` default by its
/// value, not only by its type.
pub static WRAPPING_CONSTRUCTORS: &[(&str, &str)] = &[
    ("Arc", "new"),
    ("Arc", "pin"),
    ("Arc", "from"),
    ("Rc", "new"),
    ("Rc", "pin"),
    ("Rc", "from"),
    ("Box", "new"),
    ("Box", "pin"),
    ("Box", "from"),
    ("Pin", "new"),
    ("ManuallyDrop", "new"),
    ("Vec", "from"),
    ("VecDeque", "from"),
    ("HashMap", "from"),
    ("BTreeMap", "from"),
    ("HashSet", "from"),
    ("BTreeSet", "from"),
];

/// Associated functions of the standard library that build an empty collection, as
/// `(type, function)`: the value holds no element, so it shares nothing whatever its type.
pub static EMPTY_CONSTRUCTORS: &[(&str, &str)] = &[
    ("Vec", "new"),
    ("Vec", "with_capacity"),
    ("VecDeque", "new"),
    ("VecDeque", "with_capacity"),
    ("LinkedList", "new"),
    ("HashMap", "new"),
    ("HashMap", "with_capacity"),
    ("HashSet", "new"),
    ("HashSet", "with_capacity"),
    ("BTreeMap", "new"),
    ("BTreeSet", "new"),
    ("BinaryHeap", "new"),
    ("BinaryHeap", "with_capacity"),
];

/// Flags a guard that makes a context current and is still alive at an `.await`.
pub static CONTEXT_GUARD_ACROSS_AWAIT: Lint = Lint {
    name: "context_guard_across_await",
    code: "CTX003",
    default_level: Level::Warn,
    summary: "a guard that makes a context current (`Span::enter`, `set_default`, `attach`) \
              held across an `.await`",
    message: "this guard keeps a context current across an `.await`",
    label: "the context stays current while the task is suspended here",
    note: "while the task waits, other tasks run on this thread inside this context, and the \
           task may resume on another thread where it is not current",
    help: "bind the context to the future instead of holding a guard",
    suggestion: None,
    doc: include_str!("../docs/context_guard_across_await.md"),
    // Python has no guard form of the bug: `contextvars` sets values with tokens, not guards.
    python: None,
};

/// Every lint, in the order they are listed by `ctxlint rules` and in the README.
pub static LINTS: &[&Lint] = &[
    &INTERIOR_MUTABLE_DEFAULT,
    &SYNC_RUN_WRAPS_FUTURE,
    &CONTEXT_GUARD_ACROSS_AWAIT,
];

/// Looks a lint up by its short code, such as `CTX001`.
///
/// ```
/// assert_eq!(ctxlint_catalogue::find_code("CTX002").map(|l| l.name), Some("sync_run_wraps_future"));
/// ```
pub fn find_code(code: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|lint| lint.code == code)
}

/// Looks a lint up by name.
///
/// ```
/// assert!(ctxlint_catalogue::find("sync_run_wraps_future").is_some());
/// assert!(ctxlint_catalogue::find("no_such_lint").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|lint| lint.name == name)
}

/// The Markdown table of lints for the README, generated from [`LINTS`].
///
/// The README holds a copy between `<!-- lints:begin -->` and `<!-- lints:end -->`; a test
/// fails when the two differ.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| lint | code | default | languages | what it flags |\n|---|---|---|---|---|\n",
    );
    for lint in LINTS {
        out.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            lint.name,
            lint.code,
            lint.default_level.as_str(),
            if lint.python.is_some() {
                "Rust, Python"
            } else {
                "Rust"
            },
            lint.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message convention of rustc and clippy (`tests/lint_message_convention.rs` there).
    fn check_convention(what: &str, text: &str) {
        let first = text.chars().next().unwrap_or(' ');
        assert!(
            !first.is_uppercase(),
            "{what} starts in uppercase: {text:?}"
        );
        assert!(!text.ends_with('.'), "{what} ends with a period: {text:?}");
        assert!(!text.contains("  "), "{what} has a double space: {text:?}");
        assert_eq!(
            text.matches('`').count() % 2,
            0,
            "{what} has an unpaired backtick: {text:?}"
        );
    }

    #[test]
    fn texts_follow_the_message_convention() {
        for lint in LINTS {
            for (what, text) in [
                ("summary", lint.summary),
                ("message", lint.message),
                ("label", lint.label),
                ("note", lint.note),
                ("help", lint.help),
                ("suggestion", lint.suggestion.unwrap_or("")),
            ] {
                if text.is_empty() {
                    continue;
                }
                check_convention(&format!("{}.{what}", lint.name), text);
            }
            if let Some(py) = &lint.python {
                for (what, text) in [
                    ("python.message", py.message),
                    ("python.label", py.label),
                    ("python.note", py.note),
                    ("python.help", py.help),
                    ("python.suggestion", py.suggestion.unwrap_or("")),
                ] {
                    if !text.is_empty() {
                        check_convention(&format!("{}.{what}", lint.name), text);
                    }
                }
            }
        }
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        for (i, lint) in LINTS.iter().enumerate() {
            assert!(
                lint.code.len() == 6
                    && lint.code.starts_with("CTX")
                    && lint.code[3..].chars().all(|c| c.is_ascii_digit()),
                "{}: bad code {:?}",
                lint.name,
                lint.code
            );
            assert!(
                LINTS[..i].iter().all(|other| other.code != lint.code),
                "{} is used twice",
                lint.code
            );
        }
    }

    #[test]
    fn names_are_unique_snake_case() {
        for (i, lint) in LINTS.iter().enumerate() {
            assert!(
                lint.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{} is not snake_case",
                lint.name
            );
            assert!(
                LINTS[..i].iter().all(|other| other.name != lint.name),
                "{} is listed twice",
                lint.name
            );
        }
    }

    #[test]
    fn docs_have_every_section_in_order() {
        let sections = [
            "### What it does",
            "### Why is this bad?",
            "### Known problems",
            "### Example",
            "Use instead:",
        ];
        let docs = LINTS.iter().map(|l| (l.name, l.doc)).chain(
            LINTS
                .iter()
                .filter_map(|l| l.python.as_ref().map(|p| (l.name, p.doc))),
        );
        for (name, doc) in docs {
            let mut at = 0;
            for section in sections {
                let found = doc[at..].find(section);
                assert!(
                    found.is_some(),
                    "{name} lacks {section:?} (or has it out of order)"
                );
                at += found.unwrap_or(0) + section.len();
            }
        }
    }

    #[test]
    fn levels_round_trip() {
        for level in [Level::Allow, Level::Warn, Level::Deny] {
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
        assert_eq!(Level::parse("forbid-ish"), None);
    }

    #[test]
    fn table_lists_every_lint() {
        let table = markdown_table();
        for lint in LINTS {
            assert!(table.contains(&format!("`{}`", lint.name)));
        }
    }
}
