//! The Python lints, one file each, and [`LINTS`], the registry the walk runs them from.
//!
//! A lint is a `Pass`, made fresh for each module, whose hooks the walk calls on the nodes
//! it cares about; every hook has a default that does nothing. A pass reads the walk's
//! `FileCx` (scopes, names, the project's facts) and ends in one
//! [`FileCx::emit`](crate::python::walk::FileCx::emit).
//!
//! The hooks are the walk's ([`crate::python::walk::Pass`]); `scripts/new-lint.py` adds a
//! file here and a line to [`LINTS`].

pub(crate) mod context_value_mutated_in_place;
pub(crate) mod context_var_in_function;
pub(crate) mod interior_mutable_default;
pub(crate) mod spawn_without_context;
pub(crate) mod sync_run_wraps_future;
// new-lint: modules (scripts/new-lint.py adds a lint's module above this line)

use crate::python::walk::{Registered, pass};

/// Every Python lint.
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

    /// Every lint of the catalogue with a Python form has a pass here, once.
    #[test]
    fn every_python_lint_of_the_catalogue_is_registered() {
        let python: Vec<&str> = ctxlint_catalogue::LINTS
            .iter()
            .filter(|l| l.form(ctxlint_catalogue::Language::Python).is_some())
            .map(|l| l.name)
            .collect();
        let registered: Vec<&str> = LINTS.iter().map(|r| r.lint.name).collect();
        assert_eq!(registered, python);
    }
}
