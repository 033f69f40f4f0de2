//! `context_guard_across_await`: a guard that makes a context current, held across an `.await`.

use clippy_utils::diagnostics::span_lint_and_then;
use clippy_utils::paths::{PathNS, lookup_path_str};
use ctxlint_catalogue::CONTEXT_GUARD_ACROSS_AWAIT as TEXT;
use ctxlint_catalogue::{GUARDS, Guard};
use rustc_hir::def_id::DefId;
use rustc_hir::{Closure, ClosureKind, CoroutineDesugaring, CoroutineKind, Expr, ExprKind};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_middle::ty;

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/context_guard_across_await.md")]
    pub CONTEXT_GUARD_ACROSS_AWAIT,
    Warn,
    TEXT.summary
}

dylint_linting::impl_lint_pass!(ContextGuardAcrossAwait => [CONTEXT_GUARD_ACROSS_AWAIT]);

/// The lint pass. The catalogue's guard types are resolved once per crate, in `check_crate`.
#[derive(Default)]
pub struct ContextGuardAcrossAwait {
    guards: Vec<(DefId, &'static Guard)>,
}

impl<'tcx> LateLintPass<'tcx> for ContextGuardAcrossAwait {
    fn check_crate(&mut self, cx: &LateContext<'tcx>) {
        self.guards = GUARDS
            .iter()
            .flat_map(|guard| {
                lookup_path_str(cx.tcx, PathNS::Type, guard.ty)
                    .into_iter()
                    .map(move |def_id| (def_id, guard))
            })
            .collect();
    }

    /// The types an `async` body holds across its `.await`s are the fields of its coroutine
    /// (as in clippy's `await_holding_*` lints): a guard among them is alive at an `.await`.
    /// One dropped before (in an inner block, by `drop`, or by `let _ =`) is not a field.
    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        if self.guards.is_empty() {
            return;
        }
        let ExprKind::Closure(Closure {
            kind:
                ClosureKind::Coroutine(CoroutineKind::Desugared(CoroutineDesugaring::Async, _)),
            def_id,
            ..
        }) = expr.kind
        else {
            return;
        };
        let Some(layout) = cx.tcx.mir_coroutine_witnesses(*def_id) else {
            return;
        };
        for field in &layout.field_tys {
            let ty::Adt(adt, _) = field.ty.kind() else {
                continue;
            };
            let Some(&(_, guard)) = self.guards.iter().find(|(id, _)| *id == adt.did()) else {
                continue;
            };
            let span = field.source_info.span;
            if span.in_external_macro(cx.sess().source_map()) {
                continue;
            }
            span_lint_and_then(cx, CONTEXT_GUARD_ACROSS_AWAIT, span, TEXT.message, |diag| {
                diag.span_label(span, TEXT.label);
                diag.note(TEXT.note);
                diag.help(guard.help);
            });
        }
    }
}
