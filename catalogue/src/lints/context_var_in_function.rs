//! `context_var_in_function` (`CTX005`).

use crate::{Form, Language, Level, Lint};

/// Flags a `ContextVar` created inside a function, lambda or comprehension.
pub static CONTEXT_VAR_IN_FUNCTION: Lint = Lint {
    name: "context_var_in_function",
    code: "CTX005",
    default_level: Level::Warn,
    summary: "a `ContextVar` created inside a function, lambda or comprehension instead of \
              once at module level",
    forms: &[
        Form {
            language: Language::Rust,
            message: "a `ContextVar` is created inside a function",
            label: "each call makes a new variable, which no other code can read",
            note: "a context keeps what is set in its variables until it is dropped, so a \
                   variable made per call is never read again, and the values set in it are \
                   seen by nobody else",
            help: "declare it once, as a `static` item: \
                   `static VAR: ContextVar<T> = ContextVar::new(\"var\");`",
            suggestion: None,
            secondary: None,
            doc: include_str!("../../docs/context_var_in_function.md"),
            apis: &[],
        },
        Form {
            language: Language::Python,
            message: "a `ContextVar` is created inside a function",
            label: "each call makes a new variable, which no other code can read",
            note: "a context keeps strong references to its variables, so one made per call is \
                   never freed, and the values set in it are seen by nobody else",
            help: "declare it once at module level (a class body at module level is fine too)",
            suggestion: None,
            secondary: None,
            doc: include_str!("../../docs/python/context_var_in_function.md"),
            apis: &[],
        },
    ],
};
