//! `interior_mutable_default` (`CTX001`).

use crate::{Form, Language, Level, Lint};

/// Flags a `ContextVar` default that is mutable (Rust: interior-mutable), which every context
/// shares.
pub static INTERIOR_MUTABLE_DEFAULT: Lint = Lint {
    name: "interior_mutable_default",
    code: "CTX001",
    default_level: Level::Warn,
    summary: "a `ContextVar` default with interior mutability, shared by every context",
    forms: &[
        Form {
            language: Language::Rust,
            message: "`ContextVar` default value is interior-mutable",
            label: "every context shares this one value",
            note: "copying a context is shallow: every task and every `copy_context()` sees \
                   this same object, so a mutation through it is seen everywhere",
            help: "use an immutable default, or `ContextVar::new`, and `set()` a fresh value \
                   at the start of each task",
            suggestion: None,
            secondary: None,
            doc: include_str!("../../docs/interior_mutable_default.md"),
            apis: &[],
        },
        Form {
            language: Language::Python,
            message: "`ContextVar` default value is mutable",
            label: "every context shares this one object",
            note: "copying a context is shallow: every task and every `copy_context()` that \
                   never `set()` the variable gets this same object, so a mutation through it \
                   is seen everywhere",
            help: "use an immutable default (`None`, a tuple, a frozen dataclass) and `set()` \
                   a fresh object at the start of each task",
            suggestion: None,
            secondary: None,
            doc: include_str!("../../docs/python/interior_mutable_default.md"),
            apis: &[],
        },
    ],
};
