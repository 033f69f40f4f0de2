//! `spawn_without_context` (`CTX006`).

use crate::{ApiTable, Form, Language, Level, Lint};

/// Flags work handed to another task or thread that reads the context (a context variable, a
/// task-local, the current span) but does not carry it there.
pub static SPAWN_WITHOUT_CONTEXT: Lint = Lint {
    name: "spawn_without_context",
    code: "CTX006",
    default_level: Level::Warn,
    summary: "work handed to another thread or task (`spawn`, `run_in_executor`, `Thread`) that \
              reads the context but does not carry it there",
    forms: &[
        Form {
            language: Language::Rust,
            message: "this task or thread starts without the context that its work reads",
            label: "this runs on another task or thread, which does not carry the caller's \
                    context",
            note: "a task runs in whatever context is current on the thread that polls it, \
                   and a new thread starts with an empty one: a `ContextVar` read there is not \
                   the spawner's value, a task-local's read panics, and a `tracing` event has \
                   no parent span",
            help: "spawn it with the spawn of `contextvars` of the same kind, which copies the \
                   context",
            suggestion: Some("carry the spawner's context into the spawned work"),
            secondary: Some("the context is read here"),
            doc: include_str!("../../docs/spawn_without_context.md"),
            apis: &[ApiTable::Spawns],
        },
        Form {
            language: Language::Python,
            message: "a callable handed to another thread runs without the context it reads",
            label: "this runs on another thread, which does not copy the caller's context",
            note: "a new thread starts with an empty context, and an executor's worker keeps \
                   the one it started in: `get()` there returns the default (or raises \
                   `LookupError`), not the caller's value",
            help: "run it in a copy of the caller's context: pass \
                   `contextvars.copy_context().run` and the callable",
            suggestion: Some("run it in a copy of the caller's context"),
            secondary: Some("it reads a context variable here"),
            doc: include_str!("../../docs/python/spawn_without_context.md"),
            apis: &[ApiTable::PythonHandOffs],
        },
    ],
};
