//! `context_value_mutated_in_place` (`CTX004`).

use crate::{Form, Language, Level, Lint};

/// Flags a write, in place, to the object a `ContextVar`'s `get()` returns when that object
/// can be the variable's shared default.
pub static CONTEXT_VALUE_MUTATED_IN_PLACE: Lint = Lint {
    name: "context_value_mutated_in_place",
    code: "CTX004",
    default_level: Level::Warn,
    summary: "a `ContextVar`'s shared default mutated in place (`VAR.get().append(x)`) instead \
              of a fresh value `set()` in the task",
    forms: &[
        Form {
            language: Language::Rust,
            message: "the shared default of a `ContextVar` is mutated in place",
            label: "this writes through the one default value that every context shares",
            note: "a context that never `set()` the variable hands out its default (`get()` \
                   clones the handle, not what it points to), so this write reaches every task \
                   that reads the variable",
            help: "`set()` a fresh value at the start of the task and write to that, or give \
                   the variable an immutable default",
            suggestion: None,
            secondary: Some("the interior-mutable default is declared here"),
            doc: include_str!("../../docs/context_value_mutated_in_place.md"),
            apis: &[],
        },
        Form {
            language: Language::Python,
            message: "the shared default of a `ContextVar` is mutated in place",
            label: "this mutates the one default object that every context shares",
            note: "`get()` returns the default object itself to every context that never \
                   `set()` the variable, so this write is seen by every task",
            help: "build a new object in the task and `set()` it (`var.set([*var.get(), x])`), \
                   or give the variable an immutable default",
            suggestion: None,
            secondary: Some("the mutable default is declared here"),
            doc: include_str!("../../docs/python/context_value_mutated_in_place.md"),
            apis: &[],
        },
    ],
};
