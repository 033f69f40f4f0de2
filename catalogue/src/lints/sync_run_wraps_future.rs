//! `sync_run_wraps_future` (`CTX002`).

use crate::{ApiTable, Form, Language, Level, Lint};

/// Flags a synchronous runner (`Context::run`, `Span::in_scope`, …) whose closure returns a
/// future, which then runs outside the context.
pub static SYNC_RUN_WRAPS_FUTURE: Lint = Lint {
    name: "sync_run_wraps_future",
    code: "CTX002",
    default_level: Level::Warn,
    summary: "a synchronous runner (`Context::run`, `Span::in_scope`, `sync_scope`, `Hub::run`) \
              whose closure only creates a future, which then runs outside the context",
    forms: &[
        Form {
            language: Language::Rust,
            message: "this runner returns a future that will be polled outside its context",
            label: "this creates the future inside the context but does not run it there",
            note: "the future is polled later, in the caller's context, so its writes leak \
                   into the caller",
            help: "bind the future to the context with `ctx.scope(fut)`, or spawn it with \
                   `contextvars::spawn(fut)`",
            suggestion: Some(
                "poll the future inside the context instead, so that its writes stay there",
            ),
            secondary: None,
            doc: include_str!("../../docs/sync_run_wraps_future.md"),
            apis: &[ApiTable::Runners],
        },
        Form {
            language: Language::Python,
            message: "`Context.run` only creates the coroutine, which then runs outside the \
                      context",
            label: "this coroutine function is called inside the context but runs outside it",
            note: "`run` returns as soon as the coroutine object exists; it runs when awaited, \
                   in the caller's context, so its writes leak into the caller",
            help: "run it as a task bound to the context: \
                   `asyncio.create_task(coro_fn(*args), context=ctx)` (Python 3.11+), or \
                   create the task inside it: `ctx.run(asyncio.create_task, coro_fn(*args))`",
            suggestion: Some("run the coroutine as a task bound to the context"),
            secondary: None,
            doc: include_str!("../../docs/python/sync_run_wraps_future.md"),
            apis: &[
                ApiTable::PythonTaskFactories,
                ApiTable::PythonConsumers,
                ApiTable::PythonCoroutineFunctions,
            ],
        },
    ],
};
