//! `context_value_mutated_in_place`: a write through interior mutability to the value a
//! `ContextVar`'s `get()` or `with()` gives, where the variable is a `static` whose default is
//! interior-mutable (what `interior_mutable_default` reports), so that every context that
//! never `set()` it writes to the one default value.

use std::collections::HashMap;

use crate::static_of;
use clippy_utils::diagnostics::span_lint_and_then;
use clippy_utils::paths::{PathNS, lookup_path_str};
use ctxlint_catalogue::CONTEXT_VALUE_MUTATED_IN_PLACE as LINT;
use ctxlint_catalogue::apis::{
    RUST_GUARD_METHODS, RUST_INTERIOR_WRITES, RUST_MUTATORS, RUST_SAME_VALUE,
};
use rustc_hir::def::{DefKind, Res};
use rustc_hir::def_id::DefId;
use rustc_hir::{Expr, ExprKind, HirId, Node, PatKind, QPath, StmtKind, UnOp};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_span::Span;

use crate::interior_mutable_default::{InteriorMutableDefault, WITH_DEFAULT};

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

/// Registers the pass, with the `[interior_mutable_default]` table of `dylint.toml` (which
/// says which types are interior-mutable).
pub fn register(sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    let config: ctxlint_catalogue::options::InteriorMutableDefault = crate::read_config(
        sess,
        crate::interior_mutable_default::INTERIOR_MUTABLE_DEFAULT,
    );
    store.register_late_lint_pass(Box::new(move |_| {
        Box::new(ContextValueMutatedInPlace {
            config: config.clone(),
            shared: HashMap::new(),
        })
    }));
}

/// The lint pass: the statics with a shared default are found once per crate.
pub struct ContextValueMutatedInPlace {
    config: ctxlint_catalogue::options::InteriorMutableDefault,
    /// The statics made by `ContextVar::with_default` whose default is interior-mutable, with
    /// the default's span.
    shared: HashMap<DefId, Span>,
}

/// What an expression holds, of a shared default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The value itself (or a reference to it, or an `Option` of it).
    Value,
    /// A guard through which it is written.
    Guard,
}

impl<'tcx> LateLintPass<'tcx> for ContextValueMutatedInPlace {
    fn check_crate(&mut self, cx: &LateContext<'tcx>) {
        let with_default = lookup_path_str(cx.tcx, PathNS::Value, WITH_DEFAULT);
        if with_default.is_empty() {
            return;
        }
        let mut verdict = InteriorMutableDefault::new(cx.tcx, &self.config);
        for item in cx.tcx.hir_crate_items(()).free_items() {
            let def_id = item.owner_id.def_id;
            if !matches!(cx.tcx.def_kind(def_id), DefKind::Static { .. }) {
                continue;
            }
            let Some(body) = cx.tcx.hir_maybe_body_owned_by(def_id) else {
                continue;
            };
            // Outside a body, so with the static's own typeck results (not `cx`'s).
            let typeck = cx.tcx.typeck(def_id);
            if let ExprKind::Call(callee, [_, default]) = body.value.kind
                && let ExprKind::Path(ref qpath) = callee.kind
                && let Res::Def(_, callee) = typeck.qpath_res(qpath, callee.hir_id)
                && with_default.contains(&callee)
                && verdict.is_shared(cx, typeck, default)
            {
                self.shared.insert(def_id.to_def_id(), default.span);
            }
        }
    }

    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        if self.shared.is_empty() || expr.span.in_external_macro(cx.sess().source_map()) {
            return;
        }
        let found = match expr.kind {
            ExprKind::MethodCall(segment, receiver, ..) => {
                let method = segment.ident.name.as_str();
                match self.kind_of(cx, receiver) {
                    Some((Kind::Value, var)) if RUST_INTERIOR_WRITES.contains(&method) => {
                        Some((expr.span, var))
                    }
                    Some((Kind::Guard, var)) if RUST_MUTATORS.contains(&method) => {
                        Some((expr.span, var))
                    }
                    _ => None,
                }
            }
            // `*guard += 1`, `guard.count = 0`.
            ExprKind::Assign(place, ..) | ExprKind::AssignOp(_, place, _) => {
                let mut base = place;
                while let ExprKind::Unary(UnOp::Deref, inner)
                | ExprKind::Field(inner, _)
                | ExprKind::Index(inner, ..) = base.kind
                {
                    base = inner;
                }
                match self.kind_of(cx, base) {
                    Some((Kind::Guard, var)) if base.hir_id != place.hir_id => {
                        Some((place.span, var))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        let Some((span, var)) = found else {
            return;
        };
        let declared = self.shared.get(&var).copied();
        span_lint_and_then(
            cx,
            CONTEXT_VALUE_MUTATED_IN_PLACE,
            span,
            text().message,
            |diag| {
                diag.span_label(span, text().label);
                if let (Some(at), Some(label)) = (declared, text().secondary) {
                    diag.span_label(at, label);
                }
                diag.note(text().note);
                diag.help(text().help);
            },
        );
    }
}

impl ContextValueMutatedInPlace {
    /// The static that `expr` names, when its default is shared and no fresh value was
    /// `set()` into it earlier in an enclosing block.
    fn shared_static(&self, cx: &LateContext<'_>, expr: &Expr<'_>) -> Option<DefId> {
        let def_id = static_of(expr)?;
        (self.shared.contains_key(&def_id) && !set_before(cx, expr.hir_id, def_id))
            .then_some(def_id)
    }

    /// What `expr` holds of a shared default, and of which static.
    fn kind_of(&self, cx: &LateContext<'_>, expr: &Expr<'_>) -> Option<(Kind, DefId)> {
        match expr.kind {
            ExprKind::Path(QPath::Resolved(None, path)) => match path.res {
                Res::Local(id) => self.origin(cx, id),
                _ => None,
            },
            ExprKind::MethodCall(segment, receiver, args, _) => {
                let method = segment.ident.name.as_str();
                if method == "get"
                    && args.is_empty()
                    && let Some(var) = self.shared_static(cx, receiver)
                {
                    return Some((Kind::Value, var));
                }
                let (kind, var) = self.kind_of(cx, receiver)?;
                if RUST_SAME_VALUE.contains(&method) {
                    Some((kind, var))
                } else if kind == Kind::Value && RUST_GUARD_METHODS.contains(&method) {
                    Some((Kind::Guard, var))
                } else {
                    None
                }
            }
            ExprKind::Field(base, _)
            | ExprKind::AddrOf(_, _, base)
            | ExprKind::Unary(UnOp::Deref, base)
            | ExprKind::DropTemps(base) => self.kind_of(cx, base),
            _ => None,
        }
    }

    /// What the local bound at `binding` holds: the value a `let` (or `if let Some(..)`)
    /// binds it to, or the parameter of the closure given to `VAR.with(..)`.
    fn origin(&self, cx: &LateContext<'_>, binding: HirId) -> Option<(Kind, DefId)> {
        let mut inside_some = false;
        for (_, node) in cx.tcx.hir_parent_iter(binding) {
            match node {
                Node::Pat(pat) => match pat.kind {
                    PatKind::TupleStruct(..) if !inside_some => inside_some = true,
                    _ => return None,
                },
                Node::LetStmt(local) => return self.kind_of(cx, local.init?),
                Node::Expr(e) => {
                    return match e.kind {
                        ExprKind::Let(let_expr) => self.kind_of(cx, let_expr.init),
                        _ => None,
                    };
                }
                Node::Param(_) => {
                    // The closure, then the call it is given to.
                    let mut parents = cx.tcx.hir_parent_iter(binding).skip_while(|(_, n)| {
                        !matches!(
                            n,
                            Node::Expr(Expr {
                                kind: ExprKind::Closure(..),
                                ..
                            })
                        )
                    });
                    parents.next()?;
                    let (_, Node::Expr(call)) = parents.next()? else {
                        return None;
                    };
                    let ExprKind::MethodCall(segment, receiver, ..) = call.kind else {
                        return None;
                    };
                    return (segment.ident.name.as_str() == "with")
                        .then(|| self.shared_static(cx, receiver))
                        .flatten()
                        .map(|var| (Kind::Value, var));
                }
                _ => return None,
            }
        }
        None
    }
}

/// Whether a statement `VAR.set(..)` (or `let _ = VAR.set(..)`) of the static `var` comes
/// before the statement holding `at`, in its block or an enclosing one.
fn set_before(cx: &LateContext<'_>, at: HirId, var: DefId) -> bool {
    let mut stmt_id = None;
    for (id, node) in cx.tcx.hir_parent_iter(at) {
        match node {
            Node::Stmt(_) => stmt_id = Some(id),
            Node::Block(block) => {
                let earlier = block.stmts.iter().take_while(|s| Some(s.hir_id) != stmt_id);
                for stmt in earlier {
                    let value = match stmt.kind {
                        StmtKind::Expr(e) | StmtKind::Semi(e) => Some(e),
                        StmtKind::Let(local) => local.init,
                        StmtKind::Item(_) => None,
                    };
                    if let Some(value) = value
                        && let ExprKind::MethodCall(segment, receiver, ..) = value.kind
                        && segment.ident.name.as_str() == "set"
                        && static_of(receiver) == Some(var)
                    {
                        return true;
                    }
                }
                stmt_id = None;
            }
            Node::Item(_) | Node::ImplItem(_) | Node::TraitItem(_) => return false,
            _ => {}
        }
    }
    false
}
