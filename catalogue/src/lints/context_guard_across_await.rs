//! `context_guard_across_await` (`CTX003`).

use crate::{ApiTable, Form, Language, Level, Lint};

/// Flags a guard that makes a context current and is still alive at an `.await`.
pub static CONTEXT_GUARD_ACROSS_AWAIT: Lint = Lint {
    name: "context_guard_across_await",
    code: "CTX003",
    default_level: Level::Warn,
    summary: "a guard that makes a context current (`Span::enter`, `set_default`, `attach`) \
              held across an `.await`",
    // Python has no guard form of the bug: `contextvars` sets values with tokens, not guards.
    forms: &[Form {
        language: Language::Rust,
        message: "this guard keeps a context current across an `.await`",
        label: "the context stays current while the task is suspended here",
        note: "while the task waits, other tasks run on this thread inside this context, and \
               the task may resume on another thread where it is not current",
        help: "bind the context to the future instead of holding a guard",
        suggestion: None,
        secondary: None,
        doc: include_str!("../../docs/context_guard_across_await.md"),
        apis: &[ApiTable::Guards],
    }],
};
