//! `interior_mutable_default`: a `ContextVar::with_default` whose default is interior-mutable.

use clippy_utils::diagnostics::span_lint_hir_and_then;
use clippy_utils::fn_def_id;
use clippy_utils::paths::{PathNS, lookup_path_str};
use clippy_utils::source::walk_span_to_context;
use clippy_utils::ty::InteriorMut;
use ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT as LINT;
use ctxlint_catalogue::options::InteriorMutableDefault as Config;
use rustc_hir::def::{CtorKind, DefKind, Res};
use rustc_hir::def_id::DefId;
use rustc_hir::{Expr, ExprKind, StructTailExpr};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_middle::ty::{Ty, TyCtxt, TypeckResults};

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/interior_mutable_default.md")]
    pub INTERIOR_MUTABLE_DEFAULT,
    Warn,
    LINT.summary
}

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {
    crate::rust_form(&LINT)
}

dylint_linting::impl_lint_pass!(InteriorMutableDefault<'_> => [INTERIOR_MUTABLE_DEFAULT]);

/// The def path of the function whose second argument is checked.
pub const WITH_DEFAULT: &str = "contextvars::ContextVar::with_default";

/// Registers the pass, with the `[interior_mutable_default]` table of `dylint.toml`.
pub fn register(sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    let config: Config = crate::read_config(sess, INTERIOR_MUTABLE_DEFAULT);
    store.register_late_lint_pass(Box::new(move |tcx| {
        Box::new(InteriorMutableDefault::new(tcx, &config))
    }));
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

/// Whether a value holds something interior-mutable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// It holds nothing interior-mutable, whatever its type.
    No,
    /// Its type is interior-mutable, and its value does not show otherwise.
    Yes,
}

impl<'tcx> InteriorMutableDefault<'tcx> {
    /// Whether `default`, the default of a `ContextVar::with_default` in the body that
    /// `typeck` types, holds something interior-mutable: what this lint reports.
    pub fn is_shared(
        &mut self,
        cx: &LateContext<'tcx>,
        typeck: &'tcx TypeckResults<'tcx>,
        default: &'tcx Expr<'tcx>,
    ) -> bool {
        self.verdict(cx, typeck, default, 0) == Verdict::Yes
    }

    /// Judges the value, not only its type, as clippy's `declare_interior_mutable_const`
    /// judges the variant a constant holds: `None`, a data-less variant, an empty `Vec`, or an
    /// `Arc::new(None)` holds nothing interior-mutable, whatever its type. Where the value is
    /// built by code that cannot be seen into (a function call, a constant), its type decides.
    fn verdict(
        &mut self,
        cx: &LateContext<'tcx>,
        typeck: &'tcx TypeckResults<'tcx>,
        expr: &'tcx Expr<'tcx>,
        depth: usize,
    ) -> Verdict {
        // Constants that name constants are shallow in real code; a cycle does not compile.
        if depth > 16 || !self.is_interior_mut(cx, typeck.expr_ty_adjusted(expr)) {
            return if depth > 16 {
                Verdict::Yes
            } else {
                Verdict::No
            };
        }
        let depth = depth + 1;
        // A type listed in `extra-types` is interior-mutable whatever its fields hold.
        if let Some(adt) = typeck.expr_ty_adjusted(expr).ty_adt_def()
            && self.extra_types.contains(&adt.did())
        {
            return Verdict::Yes;
        }
        match expr.kind {
            ExprKind::Lit(_) => Verdict::No,
            ExprKind::Path(ref qpath) => match typeck.qpath_res(qpath, expr.hir_id) {
                // A unit struct or a unit variant: no fields, nothing held.
                Res::Def(DefKind::Ctor(_, CtorKind::Const), _) => Verdict::No,
                // A constant of this crate: what its own value holds.
                Res::Def(DefKind::Const | DefKind::AssocConst, def_id)
                    if let Some(local) = def_id.as_local()
                        && let Some(body) = cx.tcx.hir_maybe_body_owned_by(local) =>
                {
                    self.verdict(cx, cx.tcx.typeck(local), body.value, depth)
                }
                _ => Verdict::Yes,
            },
            ExprKind::Call(func, args) => {
                if let ExprKind::Path(ref qpath) = func.kind
                    && let Res::Def(DefKind::Ctor(_, CtorKind::Fn), _) =
                        typeck.qpath_res(qpath, func.hir_id)
                {
                    // `Some(x)`, a tuple struct or a tuple variant: what its fields hold.
                    return self.all(cx, typeck, args.iter(), depth);
                }
                match std_constructor(cx, typeck, func) {
                    Some(Constructor::Wrapping) => self.all(cx, typeck, args.iter(), depth),
                    Some(Constructor::Empty) => Verdict::No,
                    None => Verdict::Yes,
                }
            }
            ExprKind::Struct(_, fields, tail) => {
                let given = self.all(cx, typeck, fields.iter().map(|f| f.expr), depth);
                match tail {
                    StructTailExpr::Base(base) if given == Verdict::No => {
                        self.verdict(cx, typeck, base, depth)
                    }
                    StructTailExpr::None | StructTailExpr::Base(_) => given,
                    _ => Verdict::Yes,
                }
            }
            ExprKind::Tup(elems) | ExprKind::Array(elems) => {
                self.all(cx, typeck, elems.iter(), depth)
            }
            ExprKind::Repeat(elem, _)
            | ExprKind::AddrOf(_, _, elem)
            | ExprKind::DropTemps(elem) => self.verdict(cx, typeck, elem, depth),
            ExprKind::Block(block, _) if block.stmts.is_empty() => match block.expr {
                Some(tail) => self.verdict(cx, typeck, tail, depth),
                None => Verdict::No,
            },
            _ => Verdict::Yes,
        }
    }

    fn all(
        &mut self,
        cx: &LateContext<'tcx>,
        typeck: &'tcx TypeckResults<'tcx>,
        exprs: impl Iterator<Item = &'tcx Expr<'tcx>>,
        depth: usize,
    ) -> Verdict {
        for expr in exprs {
            if self.verdict(cx, typeck, expr, depth) == Verdict::Yes {
                return Verdict::Yes;
            }
        }
        Verdict::No
    }
}

/// How a standard-library constructor's value relates to its arguments.
enum Constructor {
    /// It holds exactly its arguments (`Arc::new(x)`).
    Wrapping,
    /// It holds nothing (`Vec::new()`).
    Empty,
}

/// Looks the callee of `call` up in the catalogue's tables of standard-library constructors,
/// by the name of its `impl`'s type and its own name.
fn std_constructor(
    cx: &LateContext<'_>,
    typeck: &TypeckResults<'_>,
    func: &Expr<'_>,
) -> Option<Constructor> {
    let ExprKind::Path(ref qpath) = func.kind else {
        return None;
    };
    let Res::Def(DefKind::AssocFn, def_id) = typeck.qpath_res(qpath, func.hir_id) else {
        return None;
    };
    if !matches!(
        cx.tcx.crate_name(def_id.krate).as_str(),
        "std" | "alloc" | "core"
    ) {
        return None;
    }
    let impl_id = cx.tcx.impl_of_assoc(def_id)?;
    let adt = cx
        .tcx
        .type_of(impl_id)
        .instantiate_identity()
        .skip_norm_wip()
        .ty_adt_def()?;
    let ty = cx.tcx.item_name(adt.did());
    let method = cx.tcx.item_name(def_id);
    let is = |table: &[(&str, &str)]| {
        table
            .iter()
            .any(|(t, m)| *t == ty.as_str() && *m == method.as_str())
    };
    if is(ctxlint_catalogue::apis::WRAPPING_CONSTRUCTORS) {
        Some(Constructor::Wrapping)
    } else if is(ctxlint_catalogue::apis::EMPTY_CONSTRUCTORS) {
        Some(Constructor::Empty)
    } else {
        None
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
            && self.verdict(cx, cx.typeck_results(), default, 0) == Verdict::Yes
        {
            // The argument as written at the call: for `vec![Mutex::new(0)]` the expression's
            // own span is inside `vec!`, and rustc drops lints reported in external macros.
            let span = walk_span_to_context(default.span, expr.span.ctxt()).unwrap_or(default.span);
            span_lint_hir_and_then(
                cx,
                INTERIOR_MUTABLE_DEFAULT,
                expr.hir_id,
                span,
                text().message,
                |diag| {
                    diag.span_label(span, text().label);
                    diag.note(text().note);
                    diag.help(text().help);
                },
            );
        }
    }
}
