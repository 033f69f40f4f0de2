//! The Rust lints, one file each, and [`LINTS`], the registry the walk runs them from.
//!
//! A lint is a `Pass`: a value made fresh for each file (so that it may keep state across
//! the file, as `context_guard_across_await` keeps the guards alive in each body), whose hooks
//! the walk calls on the nodes it cares about. Every hook has a default that does nothing. A
//! lint's pass reads the walk's `FileCx` (bindings, types, levels, the crate's facts) and
//! ends in one of its `emit` calls.
//!
//! The hooks are the walk's ([`crate::rust::walk::Pass`]); `scripts/new-lint.py` adds a file
//! here and a line to [`LINTS`].

pub(crate) mod context_guard_across_await;
pub(crate) mod context_value_mutated_in_place;
pub(crate) mod context_var_in_function;
pub(crate) mod interior_mutable_default;
pub(crate) mod spawn_without_context;
pub(crate) mod sync_run_wraps_future;
// new-lint: modules (scripts/new-lint.py adds a lint's module above this line)

use crate::rust::walk::{Registered, pass};

/// Every Rust lint.
pub(crate) static LINTS: &[Registered] = &[
    Registered {
        lint: &ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT,
        new: pass::<interior_mutable_default::InteriorMutableDefault>,
    },
    Registered {
        lint: &ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE,
        new: pass::<sync_run_wraps_future::SyncRunWrapsFuture>,
    },
    Registered {
        lint: &ctxlint_catalogue::CONTEXT_GUARD_ACROSS_AWAIT,
        new: pass::<context_guard_across_await::ContextGuardAcrossAwait>,
    },
    Registered {
        lint: &ctxlint_catalogue::CONTEXT_VALUE_MUTATED_IN_PLACE,
        new: pass::<context_value_mutated_in_place::ContextValueMutatedInPlace>,
    },
    Registered {
        lint: &ctxlint_catalogue::CONTEXT_VAR_IN_FUNCTION,
        new: pass::<context_var_in_function::ContextVarInFunction>,
    },
    Registered {
        lint: &ctxlint_catalogue::SPAWN_WITHOUT_CONTEXT,
        new: pass::<spawn_without_context::SpawnWithoutContext>,
    },
    // new-lint: registry (scripts/new-lint.py adds lints above this line)
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lint of the catalogue with a Rust form has a pass here, once.
    #[test]
    fn every_rust_lint_of_the_catalogue_is_registered() {
        let rust: Vec<&str> = ctxlint_catalogue::LINTS
            .iter()
            .filter(|l| l.form(ctxlint_catalogue::Language::Rust).is_some())
            .map(|l| l.name)
            .collect();
        let registered: Vec<&str> = LINTS.iter().map(|r| r.lint.name).collect();
        assert_eq!(registered, rust);
    }
}
