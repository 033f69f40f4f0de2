//! `context_guard_across_await`: a guard that makes a context current, held across an `.await`.

use clippy_utils::diagnostics::span_lint_and_then;
use clippy_utils::paths::{PathNS, lookup_path_str};
use ctxlint_catalogue::CONTEXT_GUARD_ACROSS_AWAIT as LINT;
use ctxlint_catalogue::apis::{GUARDS, Guard};
use ctxlint_catalogue::options::ContextGuardAcrossAwait as Config;
use rustc_hir::def_id::DefId;
use rustc_hir::{Closure, ClosureKind, CoroutineDesugaring, CoroutineKind, Expr, ExprKind};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_middle::ty;

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/context_guard_across_await.md")]
    pub CONTEXT_GUARD_ACROSS_AWAIT,
    Warn,
    LINT.summary
}

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {
    crate::rust_form(&LINT)
}

dylint_linting::impl_lint_pass!(ContextGuardAcrossAwait => [CONTEXT_GUARD_ACROSS_AWAIT]);

/// Registers the pass, with the `[context_guard_across_await]` table of `dylint.toml`.
pub fn register(sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    let config: Config = crate::read_config(sess, CONTEXT_GUARD_ACROSS_AWAIT);
    store.register_late_lint_pass(Box::new(move |_| {
        Box::new(ContextGuardAcrossAwait::new(&config))
    }));
}

/// The lint pass. The catalogue's guard types and the configured ones are resolved once per
/// crate, in `check_crate`.
#[derive(Default)]
pub struct ContextGuardAcrossAwait {
    extra: Vec<&'static Guard>,
    guards: Vec<(DefId, &'static Guard)>,
}

impl ContextGuardAcrossAwait {
    /// The pass, with the configured guards after the catalogue's.
    pub fn new(config: &Config) -> Self {
        Self {
            // Kept for the whole compilation, as the catalogue's guards are.
            extra: config
                .extra_guards
                .iter()
                .map(|raw| {
                    let guard = raw.to_guard(crate::leak_str, |list| Box::leak(list.into()));
                    &*Box::leak(Box::new(guard))
                })
                .collect(),
            ..Self::default()
        }
    }
}

impl<'tcx> LateLintPass<'tcx> for ContextGuardAcrossAwait {
    fn check_crate(&mut self, cx: &LateContext<'tcx>) {
        self.guards = GUARDS
            .iter()
            .chain(self.extra.iter().copied())
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
            kind: ClosureKind::Coroutine(CoroutineKind::Desugared(CoroutineDesugaring::Async, _)),
            def_id,
            ..
        }) = expr.kind
        else {
            return;
        };
        // Test code holds a subscriber or span for a whole test on purpose.
        if cx.sess().is_test_crate() || clippy_utils::is_in_test(cx.tcx, expr.hir_id) {
            return;
        }
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
            span_lint_and_then(
                cx,
                CONTEXT_GUARD_ACROSS_AWAIT,
                span,
                text().message,
                |diag| {
                    diag.span_label(span, text().label);
                    diag.note(text().note);
                    diag.help(guard.help);
                },
            );
        }
    }
}
