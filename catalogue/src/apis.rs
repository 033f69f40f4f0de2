//! Every table of third-party knowledge that the lints use, in both languages: which calls
//! run a closure in a context, which guards make one current, which spawns and binders carry
//! it, which constructors make spans and contexts, which types are interior-mutable, and
//! Python's task factories, consumers, coroutine functions and hand-offs.
//!
//! Knowledge is data here, not `if` chains in the drivers (clippy's `paths.rs` is the model):
//! a new runner, guard or spawn is one entry, and every driver that checks its language,
//! `ctxlint explain` and the CLI's prefilter pick it up. Some tables only the CLI reads: the
//! Dylint library sees with types what they spell out (an `UnsafeCell` through any type, for
//! [`INTERIOR_MUTABLE_TYPES`]), and Python has no Dylint driver.

use crate::fix::{Fix, Operand};

/// How a [`Runner`] is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunnerCall {
    /// A method: `recv.name(args)`, or `Type::name(recv, args)`.
    Method,
    /// A function or an associated function without `self`: `path(args)`.
    Function,
}

/// How a runner's receiver is recognised by the CLI, which has no types: the Dylint library
/// resolves the runner's path and needs none of this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    /// A `contextvars::Context` (a binding, a field or a call the CLI knows makes one).
    Context,
    /// A `tracing::Span`.
    Span,
    /// A key of a `tokio::task_local!` of the crate.
    TaskLocal,
    /// No receiver (a function), or one syntax cannot type: the file must at least name the
    /// runner's type (a runner of `extra-runners`).
    Named,
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
    /// What its receiver is, for the CLI.
    pub receiver: Receiver,
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

impl Runner {
    /// The runner's own name, as written at a call (`run` of `contextvars::Context::run`).
    pub fn name(&self) -> &'static str {
        self.path.rsplit("::").next().unwrap_or(self.path)
    }
}

/// Every runner the lints know, in the order `ctxlint explain` lists them.
pub static RUNNERS: &[Runner] = &[
    Runner {
        path: "contextvars::Context::run",
        aliases: &[],
        call: RunnerCall::Method,
        receiver: Receiver::Context,
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
        receiver: Receiver::Context,
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
        receiver: Receiver::Span,
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
        receiver: Receiver::Named,
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
        receiver: Receiver::Named,
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
        receiver: Receiver::TaskLocal,
        closure: 1,
        in_result: false,
        help: "scope the future instead: `KEY.scope(value, fut)`",
        fix: Fix::OnReceiver { method: "scope" },
    },
    Runner {
        path: "sentry_core::Hub::run",
        aliases: &["sentry::Hub::run", "sentry_core::hub::Hub::run"],
        call: RunnerCall::Function,
        receiver: Receiver::Named,
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

/// Finds the runner whose path or alias is `path`.
///
/// ```
/// let run = ctxlint_catalogue::apis::runner("contextvars::Context::try_run").unwrap();
/// assert!(run.in_result);
/// ```
pub fn runner(path: &str) -> Option<&'static Runner> {
    RUNNERS
        .iter()
        .find(|r| r.path == path || r.aliases.contains(&path))
}

/// What a guard's context is, for the CLI, which recognises the receiver of the method that
/// makes it (`span.enter()`): the Dylint library sees the guard's type instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuardOf {
    /// A `tracing::Span` (`span.enter()`, `span.entered()`).
    Span,
    /// An `opentelemetry::Context` (`cx.attach()`).
    OtelContext,
    /// Made by a function (`set_default(..)`), or a guard of `extra-guards`, whose method is
    /// taken at its word.
    Any,
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
    /// What the method's receiver must be, for the CLI.
    pub of: GuardOf,
    /// The `help:` of a finding: the future-side API to use instead.
    pub help: &'static str,
}

/// Every guard the lints know, in the order `ctxlint explain` lists them.
pub static GUARDS: &[Guard] = &[
    Guard {
        ty: "tracing::span::Entered",
        made_by: &[".enter()"],
        of: GuardOf::Span,
        help: "instrument the future instead of entering the span: `fut.instrument(span)` or \
               `#[tracing::instrument]` (`tracing::Instrument`)",
    },
    Guard {
        ty: "tracing::span::EnteredSpan",
        made_by: &[".entered()"],
        of: GuardOf::Span,
        help: "instrument the future instead of entering the span: `fut.instrument(span)` or \
               `#[tracing::instrument]` (`tracing::Instrument`)",
    },
    Guard {
        ty: "tracing::dispatcher::DefaultGuard",
        made_by: &[
            "tracing::dispatcher::set_default",
            "tracing::subscriber::set_default",
        ],
        of: GuardOf::Any,
        help: "give the future its subscriber instead: `fut.with_subscriber(subscriber)` \
               (`tracing::instrument::WithSubscriber`)",
    },
    Guard {
        ty: "opentelemetry::ContextGuard",
        made_by: &[".attach()"],
        of: GuardOf::OtelContext,
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

/// What a spawn runs: a future (a task) or a closure (a thread, a blocking task).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpawnTakes {
    /// A future, polled as a task of its own.
    Future,
    /// A closure, called on another thread.
    Closure,
}

/// A function that starts work on another task or thread with none of the current context:
/// the hand-offs of `spawn_without_context` in Rust, each with the runtime's spawn of the same
/// kind, which copies the context.
#[derive(Debug, PartialEq, Eq)]
pub struct Spawn {
    /// The def path, as the Dylint library resolves it.
    pub path: &'static str,
    /// Other paths that name the same function (re-exports), for the CLI's path resolution.
    pub aliases: &'static [&'static str],
    /// What it runs.
    pub takes: SpawnTakes,
    /// The spawn of `contextvars` that does the same in a copy of the current context.
    pub copying: &'static str,
    /// Whether `copying` needs the `tokio` feature of `contextvars`, which a crate may not
    /// enable: the rewrite is then shown, not applied.
    pub needs_tokio: bool,
    /// The `help:` of a finding.
    pub help: &'static str,
}

/// Every spawn `spawn_without_context` knows, in the order `ctxlint explain` lists them.
pub static RUST_SPAWNS: &[Spawn] = &[
    Spawn {
        path: "std::thread::spawn",
        aliases: &[],
        takes: SpawnTakes::Closure,
        copying: "contextvars::thread::spawn",
        needs_tokio: false,
        help: "use `contextvars::thread::spawn`, which starts the thread in a copy of the current context",
    },
    Spawn {
        path: "tokio::task::spawn",
        aliases: &["tokio::spawn"],
        takes: SpawnTakes::Future,
        copying: "contextvars::spawn",
        needs_tokio: true,
        help: "use `contextvars::spawn`, which runs the task in a copy of the current context",
    },
    Spawn {
        path: "tokio::task::spawn_blocking",
        aliases: &[],
        takes: SpawnTakes::Closure,
        copying: "contextvars::spawn_blocking",
        needs_tokio: true,
        help: "use `contextvars::spawn_blocking`, which runs the closure in a copy of the current context",
    },
    Spawn {
        path: "tokio::task::spawn_local",
        aliases: &[],
        takes: SpawnTakes::Future,
        copying: "contextvars::spawn_local",
        needs_tokio: true,
        help: "use `contextvars::spawn_local`, which runs the task in a copy of the current context",
    },
];

/// `spawn_without_context`'s `help:` for a task-local read in a task spawned inside the
/// task-local's `scope`, where the read panics.
pub static TASK_LOCAL_SPAWN_HELP: &str = "scope the spawned future too: \
    `tokio::spawn(KEY.scope(value, fut))`, with the value the task should see";

/// `spawn_without_context`'s `help:` for a future spawned inside a span (an
/// `#[instrument]` function, an entered span) that emits events.
pub static SPAN_SPAWN_HELP: &str = "instrument the spawned future with the current span: \
    `fut.in_current_span()`, or `fut.instrument(span)` (`tracing::Instrument`)";

/// `spawn_without_context`'s `help:` for a closure spawned on a thread inside a span.
pub static SPAN_THREAD_HELP: &str = "enter the span in the closure: `let span = \
    tracing::Span::current();` then `move || span.in_scope(|| work())`";

/// The `tracing` macros that emit an event, by their last path segment: a task that emits one
/// outside its spawner's span records it without that span (an orphan).
pub static EVENT_MACROS: &[&str] = &["event", "trace", "debug", "info", "warn", "error"];

/// What a [`FutureBinder`] binds a future to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binds {
    /// A `tracing` span: the future's events are recorded inside it.
    Span,
    /// A `tracing` subscriber (dispatcher): the future's events go to it, with the spans it
    /// keeps current.
    Subscriber,
    /// A `contextvars` or OpenTelemetry context: the future runs in it.
    Context,
}

/// A method that binds a future to a span or a context, so that a task spawned with the
/// result carries it: `fut.instrument(span)`.
#[derive(Debug, PartialEq, Eq)]
pub struct FutureBinder {
    /// The method's name.
    pub method: &'static str,
    /// What it binds the future to.
    pub binds: Binds,
    /// The trait that declares it, by its last segment, for the call written as a trait
    /// function (`tracing::Instrument::in_current_span(fut)`); `None` for an inherent method.
    pub trait_name: Option<&'static str>,
}

/// Every [`FutureBinder`]: `tracing`'s `Instrument` and `WithSubscriber`, OpenTelemetry's
/// `FutureExt`, and `contextvars`' scoped futures.
pub static FUTURE_BINDERS: &[FutureBinder] = &[
    FutureBinder {
        method: "instrument",
        binds: Binds::Span,
        trait_name: Some("Instrument"),
    },
    FutureBinder {
        method: "in_current_span",
        binds: Binds::Span,
        trait_name: Some("Instrument"),
    },
    FutureBinder {
        method: "with_current_context",
        binds: Binds::Context,
        trait_name: None,
    },
    FutureBinder {
        method: "with_context",
        binds: Binds::Context,
        trait_name: None,
    },
    FutureBinder {
        method: "with_current_subscriber",
        binds: Binds::Subscriber,
        trait_name: Some("WithSubscriber"),
    },
    FutureBinder {
        method: "with_subscriber",
        binds: Binds::Subscriber,
        trait_name: Some("WithSubscriber"),
    },
];

/// The [`FutureBinder`] named `method`, if any.
///
/// ```
/// use ctxlint_catalogue::apis::{future_binder, Binds};
/// assert_eq!(future_binder("in_current_span").map(|b| b.binds), Some(Binds::Span));
/// assert!(future_binder("map").is_none());
/// ```
pub fn future_binder(method: &str) -> Option<&'static FutureBinder> {
    FUTURE_BINDERS.iter().find(|b| b.method == method)
}

/// The attribute that runs a function's body inside a span of its own (`#[instrument]`,
/// `#[tracing::instrument]`), by its last path segment.
pub static INSTRUMENT_ATTRIBUTE: &str = "instrument";

/// A method of tokio's `LocalKey` that makes a task-local's value current for the work it is
/// given (its second argument).
#[derive(Debug, PartialEq, Eq)]
pub struct TaskLocalScope {
    /// The method's name.
    pub method: &'static str,
    /// What the work is: a future (`KEY.scope(value, fut)`) or a closure
    /// (`KEY.sync_scope(value, f)`).
    pub takes: SpawnTakes,
}

/// Every [`TaskLocalScope`].
pub static TASK_LOCAL_SCOPES: &[TaskLocalScope] = &[
    TaskLocalScope {
        method: "scope",
        takes: SpawnTakes::Future,
    },
    TaskLocalScope {
        method: "sync_scope",
        takes: SpawnTakes::Closure,
    },
];

/// The [`TaskLocalScope`] named `method`, if any.
///
/// ```
/// use ctxlint_catalogue::apis::{task_local_scope, SpawnTakes};
/// assert_eq!(task_local_scope("scope").map(|s| s.takes), Some(SpawnTakes::Future));
/// assert!(task_local_scope("with").is_none());
/// ```
pub fn task_local_scope(method: &str) -> Option<&'static TaskLocalScope> {
    TASK_LOCAL_SCOPES.iter().find(|s| s.method == method)
}

/// The paths of tokio's `LocalKey`, the type of a `task_local!` key.
pub static TASK_LOCAL_TYPES: &[&str] = &["tokio::task::LocalKey"];

/// Python: how a call hands a callable to another thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PythonHandOffKind {
    /// `loop.run_in_executor(executor, f, *args)`.
    RunInExecutor,
    /// `executor.submit(f, *args, **kwargs)`.
    Submit,
    /// `executor.map(f, *iterables)`.
    Map,
    /// `threading.Thread(target=f, args=..)` and `threading.Timer(interval, f, args)`.
    Thread,
}

/// A Python call that runs a callable on another thread, which starts with an empty context
/// (or, in an executor, with whatever context its worker thread was started in).
#[derive(Debug, PartialEq, Eq)]
pub struct PythonHandOff {
    /// `.name` for a method of any receiver, or a qualified class or function name.
    pub call: &'static str,
    /// What kind of hand-off it is.
    pub kind: PythonHandOffKind,
    /// The callable's position among the positional arguments.
    pub position: usize,
    /// Its keyword, where it may be passed by keyword.
    pub keyword: Option<&'static str>,
    /// The `help:` of a finding.
    pub help: &'static str,
}

/// Every Python hand-off `spawn_without_context` knows.
pub static PYTHON_HAND_OFFS: &[PythonHandOff] = &[
    PythonHandOff {
        call: ".run_in_executor",
        kind: PythonHandOffKind::RunInExecutor,
        position: 1,
        keyword: None,
        help: "run it in a copy of the caller's context: `loop.run_in_executor(executor, contextvars.copy_context().run, f, *args)`, or use `asyncio.to_thread(f, *args)`",
    },
    PythonHandOff {
        call: ".submit",
        kind: PythonHandOffKind::Submit,
        position: 0,
        keyword: None,
        help: "run it in a copy of the caller's context: `executor.submit(contextvars.copy_context().run, f, *args)`",
    },
    PythonHandOff {
        call: ".map",
        kind: PythonHandOffKind::Map,
        position: 0,
        keyword: None,
        help: "give each call its own copy of the caller's context: `ctx = contextvars.copy_context()` then `executor.map(lambda x: ctx.copy().run(f, x), items)` (one `Context` cannot be entered by two threads at once)",
    },
    PythonHandOff {
        call: "threading.Thread",
        kind: PythonHandOffKind::Thread,
        position: 1,
        keyword: Some("target"),
        help: "start the thread in a copy of the caller's context: `Thread(target=contextvars.copy_context().run, args=(f, *args))` (or `context=contextvars.copy_context()` on Python 3.14+)",
    },
    PythonHandOff {
        call: "threading.Timer",
        kind: PythonHandOffKind::Thread,
        position: 1,
        keyword: Some("function"),
        help: "start the thread in a copy of the caller's context: `Thread(target=contextvars.copy_context().run, args=(f, *args))` (or `context=contextvars.copy_context()` on Python 3.14+)",
    },
];

/// Python: the thread pools whose `submit` and `map` run a callable on a worker thread.
pub static PYTHON_THREAD_POOLS: &[&str] = &[
    "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.thread.ThreadPoolExecutor",
];

/// Python: process pools. Their workers are other processes, which no copy of a `Context`
/// (not picklable) can reach: `spawn_without_context` leaves them alone.
pub static PYTHON_PROCESS_POOLS: &[&str] = &[
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
    "multiprocessing.Pool",
    "multiprocessing.pool.Pool",
];

/// The `tracing` macros that make a span (`info_span!(..)`), by their last path segment.
pub static SPAN_MACROS: &[&str] = &[
    "span",
    "trace_span",
    "debug_span",
    "info_span",
    "warn_span",
    "error_span",
];

/// The paths of `tracing::Span`, as written after resolution (`tracing::Span`,
/// `tracing::span::Span`).
pub static SPAN_TYPES: &[&[&str]] = &[&["tracing", "Span"], &["tracing", "span", "Span"]];

/// The associated functions of `tracing::Span` that return a span.
pub static SPAN_CONSTRUCTORS: &[&str] = &["current", "none", "new", "new_root", "child_of"];

/// The paths of OpenTelemetry's `Context`.
pub static OTEL_CONTEXT_TYPES: &[&[&str]] = &[
    &["opentelemetry", "Context"],
    &["opentelemetry", "context", "Context"],
];

/// Methods of an OpenTelemetry `Context` that return a `Context` (a builder chain keeps the
/// receiver's type).
pub static OTEL_CONTEXT_METHODS: &[&str] = &[
    "clone",
    "with_value",
    "with_span",
    "with_remote_span_context",
];

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

/// The well-known interior-mutable types, as `(crate roots, type names)`; a name ending in
/// `*` is a prefix (`Atomic*`). The CLI reads it by resolved path; the Dylint library sees an
/// `UnsafeCell` through any type and does not need it.
pub static INTERIOR_MUTABLE_TYPES: &[(&[&str], &[&str])] = &[
    (
        &["std", "core", "alloc"],
        &[
            "Atomic*",
            "Cell",
            "RefCell",
            "UnsafeCell",
            "SyncUnsafeCell",
            "OnceCell",
            "LazyCell",
            "Mutex",
            "RwLock",
            "ReentrantLock",
            "OnceLock",
            "LazyLock",
            "Once",
            "Condvar",
            "Barrier",
        ],
    ),
    (
        &["parking_lot", "lock_api"],
        &[
            "Mutex",
            "RwLock",
            "ReentrantMutex",
            "FairMutex",
            "Once",
            "Condvar",
        ],
    ),
    (
        &["tokio"],
        &[
            "Mutex",
            "RwLock",
            "OnceCell",
            "SetOnce",
            "Semaphore",
            "Notify",
            "Barrier",
        ],
    ),
    (
        &["futures", "futures_util", "futures_locks"],
        &["Mutex", "RwLock", "BiLock"],
    ),
    (&["once_cell"], &["OnceCell", "Lazy"]),
    (&["spin"], &["Mutex", "RwLock", "Once", "Lazy"]),
    (&["arc_swap"], &["ArcSwap", "ArcSwapOption", "ArcSwapAny"]),
    (&["portable_atomic"], &["Atomic*"]),
];

/// Whether `(root, name)` is in [`INTERIOR_MUTABLE_TYPES`].
///
/// ```
/// use ctxlint_catalogue::apis::is_interior_mutable_type;
/// assert!(is_interior_mutable_type("std", "AtomicU8"));
/// assert!(is_interior_mutable_type("tokio", "Mutex"));
/// assert!(!is_interior_mutable_type("std", "Vec"));
/// ```
pub fn is_interior_mutable_type(root: &str, name: &str) -> bool {
    INTERIOR_MUTABLE_TYPES.iter().any(|(roots, names)| {
        roots.contains(&root)
            && names.iter().any(|n| match n.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => *n == name,
            })
    })
}

/// Rust: methods that write through a shared reference to an interior-mutable value: the
/// atomics' writes, `Cell`'s, `OnceLock`'s initialisation. Called on a `ContextVar`'s shared
/// default, they write to every context's value.
pub static RUST_INTERIOR_WRITES: &[&str] = &[
    "fetch_add",
    "fetch_sub",
    "fetch_and",
    "fetch_nand",
    "fetch_or",
    "fetch_xor",
    "fetch_max",
    "fetch_min",
    "fetch_update",
    "store",
    "swap",
    "compare_exchange",
    "compare_exchange_weak",
    "set",
    "replace",
    "take",
    "get_or_init",
    "get_or_try_init",
];

/// Rust: methods that give a guard through which the value behind a lock or a `RefCell` is
/// written: `Mutex::lock`, `RwLock::write`, `RefCell::borrow_mut` and their `try_` forms.
pub static RUST_GUARD_METHODS: &[&str] = &[
    "lock",
    "try_lock",
    "write",
    "try_write",
    "borrow_mut",
    "try_borrow_mut",
];

/// Rust: methods that change the collection (or value) they are called on, through a guard.
pub static RUST_MUTATORS: &[&str] = &[
    "push",
    "push_str",
    "push_back",
    "push_front",
    "pop",
    "pop_back",
    "pop_front",
    "insert",
    "remove",
    "swap_remove",
    "clear",
    "extend",
    "extend_from_slice",
    "append",
    "retain",
    "truncate",
    "drain",
    "dedup",
    "sort",
    "sort_by",
    "sort_by_key",
    "sort_unstable",
    "resize",
    "entry",
    "get_mut",
    "iter_mut",
    "last_mut",
    "first_mut",
    "split_off",
];

/// Rust: methods that give the same value they are called on (or a reference to it, or a
/// handle that shares it: `Arc::clone`): a write through their result is a write to it.
pub static RUST_SAME_VALUE: &[&str] = &[
    "unwrap",
    "expect",
    "as_ref",
    "as_deref",
    "clone",
    "deref",
    "unwrap_or_default",
];

/// Python: callables that are right to `run` in a context (a task created inside a context
/// takes a copy of it, the idiom before Python 3.11); any method named `create_task` counts
/// too (a loop's, a `TaskGroup`'s).
pub static PYTHON_TASK_FACTORIES: &[&str] = &["asyncio.create_task", "asyncio.ensure_future"];

/// Python: methods that create a task from a coroutine, on any receiver.
pub static PYTHON_TASK_FACTORY_METHODS: &[&str] = &["create_task"];

/// Python: calls whose argument must be an awaitable: handing them `ctx.run(f)` shows that
/// `run` returned one.
pub static PYTHON_CONSUMERS: &[&str] = &[
    "asyncio.run",
    "asyncio.run_coroutine_threadsafe",
    "asyncio.create_task",
    "asyncio.ensure_future",
    "asyncio.gather",
    "asyncio.wait_for",
    "asyncio.shield",
];

/// Python: functions that run a coroutine to completion on a new event loop in the calling
/// thread (in a copy of that thread's context): a thread started with one runs the coroutine
/// there, so what the coroutine reads is what the thread reads.
pub static PYTHON_COROUTINE_RUNNERS: &[&str] = &["asyncio.run"];

/// Python: methods (of an event loop, a runner or a task group) whose argument must be an
/// awaitable.
pub static PYTHON_CONSUMER_METHODS: &[&str] = &["run_until_complete", "create_task"];

/// Python: coroutine functions of the standard library: calling one only creates a coroutine.
pub static PYTHON_COROUTINE_FUNCTIONS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait",
    "asyncio.wait_for",
    "asyncio.to_thread",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
];

/// Python: methods that change the object they are called on, of the built-in mutable
/// containers (`list`, `dict`, `set`, `bytearray`, `collections.deque`): a call of one on the
/// object a `ContextVar`'s `get()` returned writes to it in place.
pub static PYTHON_MUTATORS: &[&str] = &[
    "append",
    "appendleft",
    "extend",
    "extendleft",
    "insert",
    "remove",
    "pop",
    "popleft",
    "popitem",
    "clear",
    "sort",
    "reverse",
    "rotate",
    "update",
    "setdefault",
    "add",
    "discard",
    "difference_update",
    "intersection_update",
    "symmetric_difference_update",
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__ior__",
];

/// Python: the mutators of each built-in mutable base class, by the qualified names of the
/// class: a project subclass that overrides every one of them to raise is immutable.
pub static PYTHON_BUILTIN_MUTATORS: &[(&[&str], &[&str])] = &[
    (
        &[
            "dict",
            "collections.OrderedDict",
            "collections.defaultdict",
            "collections.Counter",
            "typing.Dict",
        ],
        &[
            "__setitem__",
            "__delitem__",
            "clear",
            "pop",
            "popitem",
            "setdefault",
            "update",
        ],
    ),
    (
        &["list", "collections.UserList", "typing.List"],
        &[
            "__setitem__",
            "__delitem__",
            "append",
            "extend",
            "insert",
            "pop",
            "remove",
            "clear",
            "sort",
            "reverse",
        ],
    ),
    (
        &["set", "typing.Set"],
        &[
            "add",
            "discard",
            "remove",
            "pop",
            "clear",
            "update",
            "difference_update",
            "intersection_update",
            "symmetric_difference_update",
        ],
    ),
];

/// Python: calls that return a new mutable container.
pub static PYTHON_MUTABLE_CALLS: &[&str] = &[
    "list",
    "dict",
    "set",
    "bytearray",
    "collections.deque",
    "collections.defaultdict",
    "collections.OrderedDict",
    "collections.Counter",
    "collections.ChainMap",
    "array.array",
];

/// Python: calls of the standard library that return immutable values: what ruff's `B039`
/// treats as immutable, and more of the same kind (the value types of `datetime`,
/// `ipaddress`, `uuid`).
pub static PYTHON_IMMUTABLE_CALLS: &[&str] = &[
    "bool",
    "bytes",
    "complex",
    "float",
    "frozenset",
    "int",
    "object",
    "range",
    "str",
    "tuple",
    "datetime.date",
    "datetime.datetime",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "datetime.date.today",
    "datetime.date.fromisoformat",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.fromisoformat",
    "datetime.datetime.fromtimestamp",
    "decimal.Decimal",
    "fractions.Fraction",
    "ipaddress.ip_address",
    "ipaddress.ip_network",
    "ipaddress.IPv4Address",
    "ipaddress.IPv6Address",
    "ipaddress.IPv4Network",
    "ipaddress.IPv6Network",
    "operator.attrgetter",
    "operator.itemgetter",
    "operator.methodcaller",
    // Functions of `os`, `os.path`, `socket`, `platform` and `time` that return a string or a
    // number.
    "os.getcwd",
    "os.getenv",
    "os.getpid",
    "os.path.abspath",
    "os.path.basename",
    "os.path.dirname",
    "os.path.expanduser",
    "os.path.join",
    "os.path.normpath",
    "os.path.realpath",
    "platform.node",
    "platform.system",
    "socket.gethostname",
    "sys.intern",
    "time.monotonic",
    "time.perf_counter",
    "time.time",
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "pathlib.PurePosixPath",
    "pathlib.WindowsPath",
    "pathlib.PureWindowsPath",
    "re.compile",
    "types.MappingProxyType",
    "uuid.UUID",
    "uuid.uuid1",
    "uuid.uuid3",
    "uuid.uuid4",
    "uuid.uuid5",
];

/// Python: return annotations that show a function's result is immutable.
pub static PYTHON_IMMUTABLE_TYPES: &[&str] = &[
    "None",
    "bool",
    "bytes",
    "complex",
    "float",
    "frozenset",
    "int",
    "str",
    "tuple",
    "typing.Tuple",
    "typing.FrozenSet",
    "decimal.Decimal",
    "fractions.Fraction",
    "datetime.date",
    "datetime.datetime",
    "datetime.time",
    "datetime.timedelta",
    "uuid.UUID",
];

/// Python: bases whose subclasses are immutable.
pub static PYTHON_IMMUTABLE_BASES: &[&str] = &[
    "typing.NamedTuple",
    "typing_extensions.NamedTuple",
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
    "enum.Flag",
    "enum.IntFlag",
    "enum.ReprEnum",
];

/// Python: calls that create an immutable class: `P = namedtuple("P", "x y")`.
pub static PYTHON_IMMUTABLE_CLASS_FACTORIES: &[&str] = &[
    "collections.namedtuple",
    "typing.NamedTuple",
    "typing_extensions.NamedTuple",
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
    "enum.Flag",
    "enum.IntFlag",
];

/// Python: class decorators that make a class frozen when called with `frozen=True`.
pub static PYTHON_FROZEN_WITH_ARGUMENT: &[&str] = &[
    "dataclasses.dataclass",
    "attr.s",
    "attr.attrs",
    "attr.define",
    "attrs.define",
    "pydantic.dataclasses.dataclass",
];

/// Python: class decorators that always make a class frozen.
pub static PYTHON_FROZEN_ALWAYS: &[&str] = &["attr.frozen", "attrs.frozen"];

/// A table of APIs that a lint's form knows, as `ctxlint rules` and `ctxlint explain` list
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiTable {
    /// [`RUNNERS`], each with its fix.
    Runners,
    /// [`GUARDS`], each with the calls that make it and its fix.
    Guards,
    /// [`PYTHON_TASK_FACTORIES`] and [`PYTHON_TASK_FACTORY_METHODS`]: the correct idiom.
    PythonTaskFactories,
    /// [`PYTHON_CONSUMERS`] and [`PYTHON_CONSUMER_METHODS`]: they show `run` made an
    /// awaitable.
    PythonConsumers,
    /// [`PYTHON_COROUTINE_FUNCTIONS`].
    PythonCoroutineFunctions,
    /// [`RUST_SPAWNS`], each with the spawn that copies the context.
    Spawns,
    /// [`PYTHON_HAND_OFFS`].
    PythonHandOffs,
}

impl ApiTable {
    /// The table's entries, as `(api, what the lint does with it)`.
    pub fn entries(self) -> Vec<(String, &'static str)> {
        match self {
            ApiTable::Runners => RUNNERS
                .iter()
                .map(|r| (r.path.to_owned(), r.help))
                .collect(),
            ApiTable::Guards => GUARDS
                .iter()
                .map(|g| (format!("{} ({})", g.ty, g.made_by.join(", ")), g.help))
                .collect(),
            ApiTable::PythonTaskFactories => PYTHON_TASK_FACTORIES
                .iter()
                .map(|f| (*f).to_owned())
                .chain(PYTHON_TASK_FACTORY_METHODS.iter().map(|m| format!(".{m}")))
                .map(|api| {
                    (
                        api,
                        "the correct idiom: a task created inside the context copies it",
                    )
                })
                .collect(),
            ApiTable::PythonConsumers => PYTHON_CONSUMERS
                .iter()
                .map(|f| (*f).to_owned())
                .chain(PYTHON_CONSUMER_METHODS.iter().map(|m| format!(".{m}")))
                .map(|api| (api, "takes an awaitable: a `run` handed to it made one"))
                .collect(),
            ApiTable::Spawns => RUST_SPAWNS
                .iter()
                .map(|s| (s.path.to_owned(), s.help))
                .collect(),
            ApiTable::PythonHandOffs => PYTHON_HAND_OFFS
                .iter()
                .map(|h| (h.call.to_owned(), h.help))
                .collect(),
            ApiTable::PythonCoroutineFunctions => PYTHON_COROUTINE_FUNCTIONS
                .iter()
                .map(|f| {
                    (
                        (*f).to_owned(),
                        "a coroutine function: `run` only creates it",
                    )
                })
                .collect(),
        }
    }
}
