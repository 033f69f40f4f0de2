//! `context_var_in_function`: a `ContextVar` created inside a function, lambda or comprehension instead of once at module level.

use ctxlint_catalogue::CONTEXT_VAR_IN_FUNCTION as LINT;
use rustc_hir::Expr;
use rustc_lint::{LateContext, LateLintPass};

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/context_var_in_function.md")]
    pub CONTEXT_VAR_IN_FUNCTION,
    Warn,
    LINT.summary
}

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {
    crate::rust_form(&LINT)
}

dylint_linting::impl_lint_pass!(ContextVarInFunction => [CONTEXT_VAR_IN_FUNCTION]);

/// Registers the pass.
pub fn register(_sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    store.register_late_lint_pass(Box::new(|_| Box::new(ContextVarInFunction)));
}

/// The lint pass.
#[derive(Default)]
pub struct ContextVarInFunction;

impl<'tcx> LateLintPass<'tcx> for ContextVarInFunction {
    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        // TODO: detect with types, then end in one `span_lint_and_then` with `text()`'s texts.
        let _ = (cx, expr, text());
    }
}
