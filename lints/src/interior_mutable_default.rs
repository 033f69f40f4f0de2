//! `interior_mutable_default`: a `ContextVar::with_default` whose default is interior-mutable.

use clippy_utils::diagnostics::span_lint_hir_and_then;
use clippy_utils::fn_def_id;
use clippy_utils::paths::{PathNS, lookup_path_str};
use clippy_utils::source::walk_span_to_context;
use clippy_utils::ty::InteriorMut;
use ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT as TEXT;
use rustc_hir::def_id::DefId;
use rustc_hir::{Expr, ExprKind};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_middle::ty::{Ty, TyCtxt};
use serde::Deserialize;

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/interior_mutable_default.md")]
    pub INTERIOR_MUTABLE_DEFAULT,
    Warn,
    TEXT.summary
}

dylint_linting::impl_lint_pass!(InteriorMutableDefault<'_> => [INTERIOR_MUTABLE_DEFAULT]);

/// The def path of the function whose second argument is checked.
const WITH_DEFAULT: &str = "contextvars::ContextVar::with_default";

/// The `[interior_mutable_default]` table of `dylint.toml`.
///
/// ```toml
/// [interior_mutable_default]
/// extra-types = ["my_crate::Handle"]     # treated as interior-mutable
/// ignore-types = ["my_crate::Cache"]     # never treated as interior-mutable
/// ```
///
/// Types are written as def paths (`crate::module::Type`), as in clippy's
/// `ignore-interior-mutability` option.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Types to flag although rustc sees no `UnsafeCell` in them, for example a handle that
    /// mutates shared state through a raw pointer or FFI.
    pub extra_types: Vec<String>,
    /// Types never to flag, and not to look into, for example a cache that is safe to share.
    pub ignore_types: Vec<String>,
}

impl Config {
    /// Reads the table, reporting a malformed one as a compile error rather than a panic.
    pub fn read(sess: &rustc_session::Session) -> Self {
        match dylint_linting::config::<Self>(TEXT.name) {
            Ok(config) => config.unwrap_or_default(),
            Err(error) => {
                sess.dcx().err(format!(
                    "invalid `[{}]` table in `dylint.toml`: {error}",
                    TEXT.name
                ));
                Self::default()
            }
        }
    }
}

/// The lint pass. Paths are resolved once per crate, when the pass is built.
pub struct InteriorMutableDefault<'tcx> {
    with_default: Vec<DefId>,
    extra_types: Vec<DefId>,
    interior_mut: InteriorMut<'tcx>,
}

impl<'tcx> InteriorMutableDefault<'tcx> {
    /// Resolves `with_default` and the configured types in the crate being compiled.
    pub fn new(tcx: TyCtxt<'tcx>, config: &Config) -> Self {
        Self {
            with_default: lookup_path_str(tcx, PathNS::Value, WITH_DEFAULT),
            extra_types: config
                .extra_types
                .iter()
                .flat_map(|path| lookup_path_str(tcx, PathNS::Type, path))
                .collect(),
            interior_mut: InteriorMut::new(tcx, &config.ignore_types),
        }
    }

    /// `InteriorMut` sees through `Arc`, `Box`, `Vec`, tuples, arrays and struct fields down to
    /// an `UnsafeCell`. An extra type counts when it is the type or one of its type arguments
    /// (`Arc<Handle>`, `Vec<Handle>`).
    fn is_interior_mut(&mut self, cx: &LateContext<'tcx>, ty: Ty<'tcx>) -> bool {
        self.interior_mut.is_interior_mut_ty(cx, ty)
            || ty.walk().any(|arg| {
                arg.as_type()
                    .and_then(Ty::ty_adt_def)
                    .is_some_and(|adt| self.extra_types.contains(&adt.did()))
            })
    }
}

impl<'tcx> LateLintPass<'tcx> for InteriorMutableDefault<'tcx> {
    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        // `with_default` has no `self`, so only the path-call form `ContextVar::with_default(..)`
        // exists; the callee is compared by DefId, so `use` renames and aliases are seen through.
        if let ExprKind::Call(_, [_, default]) = expr.kind
            && !self.with_default.is_empty()
            && let Some(callee) = fn_def_id(cx, expr)
            && self.with_default.contains(&callee)
            && !expr.span.in_external_macro(cx.sess().source_map())
            && self.is_interior_mut(cx, cx.typeck_results().expr_ty_adjusted(default))
        {
            // The argument as written at the call: for `vec![Mutex::new(0)]` the expression's
            // own span is inside `vec!`, and rustc drops lints reported in external macros.
            let span = walk_span_to_context(default.span, expr.span.ctxt()).unwrap_or(default.span);
            span_lint_hir_and_then(
                cx,
                INTERIOR_MUTABLE_DEFAULT,
                expr.hir_id,
                span,
                TEXT.message,
                |diag| {
                    diag.span_label(span, TEXT.label);
                    diag.note(TEXT.note);
                    diag.help(TEXT.help);
                },
            );
        }
    }
}
