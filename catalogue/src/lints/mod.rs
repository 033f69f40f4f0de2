//! The lints, one file each, and [`LINTS`], the registry that lists them.
//!
//! `scripts/new-lint.py` adds a file here and a line to each table below.

mod context_guard_across_await;
mod interior_mutable_default;
mod sync_run_wraps_future;

pub use context_guard_across_await::CONTEXT_GUARD_ACROSS_AWAIT;
pub use interior_mutable_default::INTERIOR_MUTABLE_DEFAULT;
pub use sync_run_wraps_future::SYNC_RUN_WRAPS_FUTURE;
mod context_value_mutated_in_place;
pub use context_value_mutated_in_place::CONTEXT_VALUE_MUTATED_IN_PLACE;
mod context_var_in_function;
pub use context_var_in_function::CONTEXT_VAR_IN_FUNCTION;
mod spawn_without_context;
pub use spawn_without_context::SPAWN_WITHOUT_CONTEXT;
// new-lint: modules (scripts/new-lint.py adds a lint's module above this line)

use crate::Lint;

/// Every lint, in the order they are listed by `ctxlint rules` and in the README.
pub static LINTS: &[&Lint] = &[
    &INTERIOR_MUTABLE_DEFAULT,
    &SYNC_RUN_WRAPS_FUTURE,
    &CONTEXT_GUARD_ACROSS_AWAIT,
    &CONTEXT_VALUE_MUTATED_IN_PLACE,
    &CONTEXT_VAR_IN_FUNCTION,
    &SPAWN_WITHOUT_CONTEXT,
    // new-lint: registry (scripts/new-lint.py adds lints above this line)
];
