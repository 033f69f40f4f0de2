//! `context_value_mutated_in_place`: a `ContextVar`'s shared default mutated in place (`VAR.get().append(x)`) instead of a fresh value `set()` in the task.

use ctxlint_catalogue::CONTEXT_VALUE_MUTATED_IN_PLACE as LINT;
use rustc_hir::Expr;
use rustc_lint::{LateContext, LateLintPass};

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/context_value_mutated_in_place.md")]
    pub CONTEXT_VALUE_MUTATED_IN_PLACE,
    Warn,
    LINT.summary
}

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {
    crate::rust_form(&LINT)
}

dylint_linting::impl_lint_pass!(ContextValueMutatedInPlace => [CONTEXT_VALUE_MUTATED_IN_PLACE]);

/// Registers the pass.
pub fn register(_sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    store.register_late_lint_pass(Box::new(|_| Box::new(ContextValueMutatedInPlace)));
}

/// The lint pass.
#[derive(Default)]
pub struct ContextValueMutatedInPlace;

impl<'tcx> LateLintPass<'tcx> for ContextValueMutatedInPlace {
    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        // TODO: detect with types, then end in one `span_lint_and_then` with `text()`'s texts.
        let _ = (cx, expr, text());
    }
}
