//! `context_var_in_function`: a `ContextVar` made in a function or closure body instead of a
//! `static` item.

use clippy_utils::diagnostics::span_lint_hir_and_then;
use clippy_utils::fn_def_id;
use clippy_utils::paths::{PathNS, lookup_path_str};
use ctxlint_catalogue::CONTEXT_VAR_IN_FUNCTION as LINT;
use rustc_hir::def::DefKind;
use rustc_hir::def_id::DefId;
use rustc_hir::{Expr, ExprKind};
use rustc_lint::{LateContext, LateLintPass, LintContext};

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
    store.register_late_lint_pass(Box::new(|_| Box::<ContextVarInFunction>::default()));
}

/// The lint pass: the constructors of `ContextVar`, resolved once per crate.
#[derive(Default)]
pub struct ContextVarInFunction {
    constructors: Vec<DefId>,
}

impl<'tcx> LateLintPass<'tcx> for ContextVarInFunction {
    fn check_crate(&mut self, cx: &LateContext<'tcx>) {
        self.constructors = [
            "contextvars::ContextVar::new",
            "contextvars::ContextVar::with_default",
        ]
        .iter()
        .flat_map(|path| lookup_path_str(cx.tcx, PathNS::Value, path))
        .collect();
    }

    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        if let ExprKind::Call(..) = expr.kind
            && let Some(callee) = fn_def_id(cx, expr)
            && self.constructors.contains(&callee)
            && !expr.span.in_external_macro(cx.sess().source_map())
            && runs_per_call(cx, expr)
            && !cx.sess().is_test_crate()
            && !clippy_utils::is_in_test(cx.tcx, expr.hir_id)
        {
            span_lint_hir_and_then(
                cx,
                CONTEXT_VAR_IN_FUNCTION,
                expr.hir_id,
                expr.span,
                text().message,
                |diag| {
                    diag.span_label(expr.span, text().label);
                    diag.note(text().note);
                    diag.help(text().help);
                },
            );
        }
    }
}

/// Whether the body that holds `expr` runs on every call: a function, a method or a closure,
/// not the initialiser of a `static` or `const` item (which runs once, even when the item is
/// declared inside a function).
fn runs_per_call(cx: &LateContext<'_>, expr: &Expr<'_>) -> bool {
    let mut owner = cx.tcx.hir_enclosing_body_owner(expr.hir_id);
    loop {
        match cx.tcx.def_kind(owner) {
            DefKind::Static { .. } | DefKind::Const | DefKind::AssocConst => return false,
            // A closure inside a `static`'s initialiser runs once too.
            DefKind::Closure => match cx.tcx.opt_local_parent(owner) {
                Some(parent) => owner = parent,
                None => return true,
            },
            DefKind::Fn | DefKind::AssocFn => return true,
            _ => return false,
        }
    }
}
