//! The lints, one file each, and [`LINTS`], the registry that lists them.
//!
//! `scripts/new-lint.py` adds a file here and a line to each table below.

mod context_guard_across_await;
mod interior_mutable_default;
mod sync_run_wraps_future;

pub use context_guard_across_await::CONTEXT_GUARD_ACROSS_AWAIT;
pub use interior_mutable_default::INTERIOR_MUTABLE_DEFAULT;
pub use sync_run_wraps_future::SYNC_RUN_WRAPS_FUTURE;
// new-lint: modules (scripts/new-lint.py adds a lint's module above this line)

use crate::Lint;

/// Every lint, in the order they are listed by `ctxlint rules` and in the README.
pub static LINTS: &[&Lint] = &[
    &INTERIOR_MUTABLE_DEFAULT,
    &SYNC_RUN_WRAPS_FUTURE,
    &CONTEXT_GUARD_ACROSS_AWAIT,
    // new-lint: registry (scripts/new-lint.py adds lints above this line)
];
