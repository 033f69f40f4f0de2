//! `sync_run_wraps_future`: a synchronous `Context::run` whose closure returns a future.

use clippy_utils::diagnostics::span_lint_hir_and_then;
use clippy_utils::paths::{PathNS, lookup_path_str};
use clippy_utils::source::{
    snippet_with_applicability, snippet_with_context, walk_span_to_context,
};
use clippy_utils::sugg::Sugg;
use clippy_utils::ty::implements_trait;
use clippy_utils::{fn_def_id, is_expr_async_block};
use ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE as LINT;
use std::ops::ControlFlow;

use clippy_utils::res::MaybeResPath;
use clippy_utils::visitors::for_each_expr;
use ctxlint_catalogue::apis::{CONTEXT_LOSING_SPAWNS, GUARDS, Guard, RUNNERS, Runner, RunnerCall};
use ctxlint_catalogue::fix::{Call, Held};
use ctxlint_catalogue::options::SyncRunWrapsFuture as Config;
use rustc_errors::Applicability;
use rustc_hir::def::{DefKind, Res};
use rustc_hir::def_id::DefId;
use rustc_hir::{CaptureBy, Closure, Expr, ExprKind, MatchSource, Node, PatKind, QPath, StmtKind};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_middle::ty::{self, Ty};
use rustc_span::sym;

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/sync_run_wraps_future.md")]
    pub SYNC_RUN_WRAPS_FUTURE,
    Warn,
    LINT.summary
}

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {
    crate::rust_form(&LINT)
}

dylint_linting::impl_lint_pass!(SyncRunWrapsFuture => [SYNC_RUN_WRAPS_FUTURE]);

/// Registers the pass, with the `[sync_run_wraps_future]` table of `dylint.toml`, and the
/// guards of `[context_guard_across_await]` (a block that holds one makes its future inside
/// the context).
pub fn register(sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    let config: Config = crate::read_config(sess, SYNC_RUN_WRAPS_FUTURE);
    let guards: ctxlint_catalogue::options::ContextGuardAcrossAwait = crate::read_config(
        sess,
        crate::context_guard_across_await::CONTEXT_GUARD_ACROSS_AWAIT,
    );
    let extra_guards: Vec<&'static Guard> = guards
        .extra_guards
        .iter()
        .map(|raw| {
            let guard = raw.to_guard(crate::leak_str, |list| Box::leak(list.into()));
            &*Box::leak(Box::new(guard))
        })
        .collect();
    store.register_late_lint_pass(Box::new(move |_| {
        let mut pass = SyncRunWrapsFuture::new(&config);
        pass.extra_guards = extra_guards.clone();
        Box::new(pass)
    }));
}

/// The lint pass. The catalogue's runners, the configured ones and the spawn functions are
/// resolved once per crate, in `check_crate`.
#[derive(Default)]
pub struct SyncRunWrapsFuture {
    extra: Vec<&'static Runner>,
    runners: Vec<(DefId, &'static Runner)>,
    losing_spawns: Vec<DefId>,
    /// The guards' types (the catalogue's and the configured ones), for the block form.
    extra_guards: Vec<&'static Guard>,
    guards: Vec<(DefId, &'static Guard)>,
}

impl SyncRunWrapsFuture {
    /// The pass, with the configured runners after the catalogue's.
    pub fn new(config: &Config) -> Self {
        Self {
            // Kept for the whole compilation, as the catalogue's runners are: the library is
            // registered once per rustc session.
            extra: config
                .extra_runners
                .iter()
                .map(|raw| &*Box::leak(Box::new(raw.to_runner(crate::leak_str))))
                .collect(),
            ..Self::default()
        }
    }
}

impl<'tcx> LateLintPass<'tcx> for SyncRunWrapsFuture {
    fn check_crate(&mut self, cx: &LateContext<'tcx>) {
        self.runners = RUNNERS
            .iter()
            .chain(self.extra.iter().copied())
            .flat_map(|runner| {
                std::iter::once(runner.path)
                    .chain(runner.aliases.iter().copied())
                    .flat_map(|path| lookup_path_str(cx.tcx, PathNS::Value, path))
                    .map(move |def_id| (def_id, runner))
            })
            .collect();
        self.losing_spawns = CONTEXT_LOSING_SPAWNS
            .iter()
            .flat_map(|path| lookup_path_str(cx.tcx, PathNS::Value, path))
            .collect();
        self.guards = GUARDS
            .iter()
            .chain(self.extra_guards.iter().copied())
            .flat_map(|guard| {
                lookup_path_str(cx.tcx, PathNS::Type, guard.ty)
                    .into_iter()
                    .map(move |def_id| (def_id, guard))
            })
            .collect();
    }

    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        if let ExprKind::Block(block, None) = expr.kind {
            self.check_guard_block(cx, expr, block);
            return;
        }
        if self.runners.is_empty() {
            return;
        }
        let Some(callee) = fn_def_id(cx, expr) else {
            return;
        };
        let Some(&(_, runner)) = self.runners.iter().find(|(id, _)| *id == callee) else {
            return;
        };
        // Both forms of a method: `ctx.run(f)` and `Context::run(&mut ctx, f)`; and the
        // arguments after the receiver, of which the closure is one.
        let (receiver, rest) = match (expr.kind, runner.call) {
            (ExprKind::MethodCall(_, receiver, args, _), _) => (Some(receiver), args),
            (ExprKind::Call(_, [receiver, rest @ ..]), RunnerCall::Method) => {
                (Some(receiver), rest)
            }
            (ExprKind::Call(_, args), RunnerCall::Function) => (None, args),
            _ => return,
        };
        let arg = rest.get(runner.closure);
        // The value of `sync_scope`, the subscriber of `with_default`, the hub of `Hub::run`.
        let first = rest.first().filter(|_| runner.closure > 0);
        let Some(arg) = arg else {
            return;
        };
        // The runner returns what the closure returned (inside `Ok` for `try_run`), whatever
        // form the closure takes (a closure, an `fn` item, an `fn` pointer, a boxed closure).
        let mut returned = cx.typeck_results().expr_ty(expr);
        if runner.in_result
            && let ty::Adt(_, args) = returned.kind()
            && let Some(ok) = args.types().next()
        {
            returned = ok;
        }
        if expr.span.in_external_macro(cx.sess().source_map())
            || !(escapes(cx, returned) || self.spawns_without_context(cx, arg))
        {
            return;
        }
        // The argument as written at the call: a closure built by a macro has its span
        // inside the macro, and rustc drops lints reported in external macros.
        let span = walk_span_to_context(arg.span, expr.span.ctxt()).unwrap_or(arg.span);
        span_lint_hir_and_then(
            cx,
            SYNC_RUN_WRAPS_FUTURE,
            expr.hir_id,
            span,
            text().message,
            |diag| {
                diag.span_label(span, text().label);
                diag.note(text().note);
                let mut applicability = Applicability::MaybeIncorrect;
                let site = Site {
                    call: expr,
                    runner,
                    receiver,
                    first,
                    arg,
                };
                match suggestion(cx, &site, &mut applicability) {
                    Some(sugg) => {
                        diag.span_suggestion_verbose(expr.span, runner.help, sugg, applicability);
                    }
                    None => {
                        diag.help(runner.help);
                    }
                }
            },
        );
    }
}

impl SyncRunWrapsFuture {
    /// A block that makes a context current with a guard bound by `let` (not dropped before
    /// its value), whose value is a future polled after the block: `{ .. }.await`, a `let` of it
    /// awaited later, or `Box::pin` of that `let`. The future is made inside the context and
    /// runs outside it.
    fn check_guard_block<'tcx>(
        &self,
        cx: &LateContext<'tcx>,
        expr: &'tcx Expr<'tcx>,
        block: &'tcx rustc_hir::Block<'tcx>,
    ) {
        let Some(tail) = block.expr else {
            return;
        };
        if self.guards.is_empty() || expr.span.from_expansion() {
            return;
        }
        let mut guard = None;
        for stmt in block.stmts {
            match stmt.kind {
                StmtKind::Let(local) => {
                    let bound = matches!(local.pat.kind, PatKind::Binding(..));
                    if let Some(init) = local.init
                        && bound
                        && let ty::Adt(adt, _) = cx.typeck_results().expr_ty(init).kind()
                        && let Some(&(_, found)) =
                            self.guards.iter().find(|(id, _)| *id == adt.did())
                    {
                        guard = Some(found);
                    }
                }
                // `drop(guard);` before the value: the value is made outside the context.
                StmtKind::Semi(e) | StmtKind::Expr(e)
                    if guard.is_some()
                        && let ExprKind::Call(callee, _) = e.kind
                        && let ExprKind::Path(ref qpath) = callee.kind
                        && let Res::Def(_, def_id) = cx.qpath_res(qpath, callee.hir_id)
                        && cx.tcx.item_name(def_id).as_str() == "drop" =>
                {
                    guard = None;
                }
                _ => {}
            }
        }
        let Some(guard) = guard else {
            return;
        };
        if !escapes_as_a_future(cx, expr) {
            return;
        }
        span_lint_hir_and_then(
            cx,
            SYNC_RUN_WRAPS_FUTURE,
            expr.hir_id,
            tail.span,
            text().message,
            |diag| {
                diag.span_label(tail.span, text().label);
                diag.note(text().note);
                diag.help(guard.help);
            },
        );
    }

    /// `|| tokio::spawn(fut)`: the task's future was created inside the context and is polled
    /// by a task that does not carry it. Its `JoinHandle` is not the leak, so the closure's
    /// body is looked at, not its type.
    fn spawns_without_context(&self, cx: &LateContext<'_>, arg: &Expr<'_>) -> bool {
        let ExprKind::Closure(&Closure { body, .. }) = arg.kind else {
            return false;
        };
        let mut value = cx.tcx.hir_body(body).value;
        while let ExprKind::Block(block, _) = value.kind
            && block.stmts.is_empty()
            && let Some(tail) = block.expr
        {
            value = tail;
        }
        matches!(value.kind, ExprKind::Call(..))
            && fn_def_id(cx, value).is_some_and(|id| self.losing_spawns.contains(&id))
    }
}

/// Whether the value of `block` (an expression) is polled after it: the block is awaited, or
/// bound by a `let` whose name is awaited later or given to `Box::pin`.
fn escapes_as_a_future<'tcx>(cx: &LateContext<'tcx>, block: &'tcx Expr<'tcx>) -> bool {
    if is_awaited(cx, block) {
        return true;
    }
    let Node::LetStmt(local) = cx.tcx.parent_hir_node(block.hir_id) else {
        return false;
    };
    let PatKind::Binding(_, binding, ..) = local.pat.kind else {
        return false;
    };
    let Some(body) = cx.enclosing_body else {
        return false;
    };
    let is_it = |e: &Expr<'_>| e.res_local_id() == Some(binding);
    for_each_expr(cx.tcx, cx.tcx.hir_body(body).value, |e| {
        let found = match e.kind {
            // `x.await`: `match IntoFuture::into_future(x) { .. }`.
            ExprKind::Match(scrutinee, _, MatchSource::AwaitDesugar) => {
                matches!(scrutinee.kind, ExprKind::Call(_, [arg]) if is_it(arg))
            }
            ExprKind::Call(callee, [arg]) if is_it(arg) => {
                let ExprKind::Path(ref qpath) = callee.kind else {
                    return ControlFlow::Continue(());
                };
                matches!(cx.qpath_res(qpath, callee.hir_id), Res::Def(_, def_id)
                    if cx.tcx.item_name(def_id).as_str() == "pin"
                        && cx.tcx.opt_parent(def_id).is_some_and(|p| {
                            cx.tcx.def_kind(p) == DefKind::Impl { of_trait: false }
                        })
                        && implements_future(cx, cx.typeck_results().expr_ty(arg)))
            }
            _ => false,
        };
        if found {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_some()
}

/// Whether `expr` is the operand of an `.await`.
fn is_awaited(cx: &LateContext<'_>, expr: &Expr<'_>) -> bool {
    let Node::Expr(call) = cx.tcx.parent_hir_node(expr.hir_id) else {
        return false;
    };
    let Node::Expr(parent) = cx.tcx.parent_hir_node(call.hir_id) else {
        return false;
    };
    matches!(call.kind, ExprKind::Call(..))
        && matches!(
            parent.kind,
            ExprKind::Match(_, _, MatchSource::AwaitDesugar)
        )
}

fn implements_future<'tcx>(cx: &LateContext<'tcx>, ty: Ty<'tcx>) -> bool {
    cx.tcx
        .lang_items()
        .future_trait()
        .is_some_and(|future| implements_trait(cx, ty, future, &[]))
}

/// Whether a value of `ty` carries a future out of the context: a future itself, or an
/// `Option`, `Result` or tuple that holds one. A task's `JoinHandle` is a future too, but
/// awaiting it runs nothing of the task: it is the handle of the correct idiom, not a leak.
fn escapes<'tcx>(cx: &LateContext<'tcx>, ty: Ty<'tcx>) -> bool {
    match ty.kind() {
        ty::Tuple(elems) => elems.iter().any(|t| escapes(cx, t)),
        ty::Adt(adt, args)
            if matches!(
                cx.tcx.get_diagnostic_name(adt.did()),
                Some(sym::Option | sym::Result)
            ) =>
        {
            args.types().any(|t| escapes(cx, t))
        }
        ty::Adt(adt, _)
            if cx.tcx.crate_name(adt.did().krate).as_str() == "tokio"
                && cx.tcx.item_name(adt.did()).as_str() == "JoinHandle" =>
        {
            false
        }
        _ => cx
            .tcx
            .lang_items()
            .future_trait()
            .is_some_and(|future| implements_trait(cx, ty, future, &[])),
    }
}

/// Where a runner is called, for its suggestion.
struct Site<'tcx> {
    call: &'tcx Expr<'tcx>,
    runner: &'static Runner,
    receiver: Option<&'tcx Expr<'tcx>>,
    first: Option<&'tcx Expr<'tcx>>,
    arg: &'tcx Expr<'tcx>,
}

/// The runner's fix (the catalogue's template) for `runner(.., || fut)`, only when moving the
/// creation of the future out of the context runs no code that could read the context: the
/// future is an `async` block, or a call of an `async fn` whose operands are plain variables,
/// constants or literals (an `async fn` runs none of its body when called). Anything else,
/// such as `|| handle(USER.get())`, would read the caller's value instead of the context's,
/// so it gets no suggestion.
///
/// For `contextvars`, a receiver that is a temporary `Context` (`copy_context().run(..)`) gets
/// `scope`, which takes the context by value: `scope_mut` would borrow a temporary that dies
/// at the end of the statement. A place or a `&mut Context` keeps `scope_mut`.
///
/// The applicability is at most `MaybeIncorrect`: the result becomes a future that holds the
/// context (or a borrow of it, or the span, or the hub) until it is dropped, where the runner
/// held it only briefly, and an extension trait's method needs the trait in scope.
fn suggestion(
    cx: &LateContext<'_>,
    site: &Site<'_>,
    applicability: &mut Applicability,
) -> Option<String> {
    let call = site.call;
    // A rewrite inside a macro's expansion could not be applied to the source.
    if call.span.from_expansion() || site.arg.span.from_expansion() {
        return None;
    }
    let future = future_snippet(cx, site.arg, applicability)?;
    // Operands as written at the call, even when a macro made them (`info_span!(..)`), so that
    // the rewrite shows the macro call, not its expansion.
    let ctxt = call.span.ctxt();
    let snippet = |e: &Expr<'_>, applicability: &mut Applicability| {
        snippet_with_context(cx, e.span, ctxt, "..", applicability)
            .0
            .into_owned()
    };
    let sugg = |e: &Expr<'_>, applicability: &mut Applicability| {
        Sugg::hir_with_context(cx, e, ctxt, "..", applicability)
    };
    // The path form's prefix: `Context::` of `Context::run(&mut ctx, f)`.
    let type_prefix = |applicability: &mut Applicability| {
        let ExprKind::Call(func, _) = call.kind else {
            return None;
        };
        let func = snippet_with_applicability(cx, func.span, "..", applicability);
        let name = site.runner.path.rsplit("::").next()?;
        func.strip_suffix(name).map(str::to_owned)
    };
    // The receiver as the template needs it: an argument of the path form as written, the
    // receiver of the method form parenthesised where needed, and how it is held (a place or a
    // reference is borrowed or cloned, a temporary given away).
    let path_form = !matches!(call.kind, ExprKind::MethodCall(..));
    let receiver = site.receiver.map(|receiver| {
        let held = if receiver.is_place_expr(|_| false)
            || cx.typeck_results().expr_ty(receiver).is_ref()
        {
            Held::Place
        } else {
            Held::Temporary
        };
        let text = if path_form {
            snippet(receiver, applicability)
        } else {
            sugg(receiver, applicability).maybe_paren().to_string()
        };
        (text, held)
    });
    let first = site.first.map(|first| snippet(first, applicability));
    let prefix = if path_form {
        Some(type_prefix(applicability)?)
    } else {
        None
    };
    site.runner.fix.render(&Call {
        future: &future,
        receiver: receiver.as_ref().map(|(text, held)| (text.as_str(), *held)),
        first: first.as_deref(),
        path_prefix: prefix.as_deref(),
    })
}

/// The future to bind, when creating it outside the context is harmless.
fn future_snippet(
    cx: &LateContext<'_>,
    arg: &Expr<'_>,
    applicability: &mut Applicability,
) -> Option<String> {
    match arg.kind {
        // `ctx.run(handle)` with `async fn handle()`.
        ExprKind::Path(ref qpath) if is_async_fn(cx, cx.qpath_res(qpath, arg.hir_id)) => {
            Some(format!(
                "{}()",
                snippet_with_applicability(cx, arg.span, "..", applicability)
            ))
        }
        ExprKind::Closure(&Closure {
            body,
            capture_clause,
            fn_decl,
            ..
        }) if fn_decl.inputs.is_empty() => {
            let value = cx.tcx.hir_body(body).value;
            // A future made by a macro (`|| my_future!()`) would be rewritten as its expansion.
            if value.span.from_expansion() {
                return None;
            }
            let harmless = if is_expr_async_block(value) {
                // Without the closure's `move`, a non-`move` block would borrow what the closure
                // moved; keep those as they are.
                capture_clause == CaptureBy::Ref || is_move_block(value)
            } else {
                capture_clause == CaptureBy::Ref && is_plain_async_call(cx, value)
            };
            harmless.then(|| {
                snippet_with_applicability(cx, value.span, "..", applicability).into_owned()
            })
        }
        _ => None,
    }
}

fn is_async_fn(cx: &LateContext<'_>, res: Res) -> bool {
    matches!(res, Res::Def(_, def_id) if is_async_def(cx, def_id))
}

/// Checks the kind first: `asyncness` is only defined for functions, and a callee can also be a
/// tuple struct or variant constructor.
fn is_async_def(cx: &LateContext<'_>, def_id: DefId) -> bool {
    matches!(cx.tcx.def_kind(def_id), DefKind::Fn | DefKind::AssocFn)
        && cx.tcx.asyncness(def_id).is_async()
}

fn is_move_block(expr: &Expr<'_>) -> bool {
    matches!(
        expr.kind,
        ExprKind::Closure(&Closure {
            capture_clause: CaptureBy::Value { .. },
            ..
        })
    )
}

/// `handle(a, 1)` or `a.handle(b)` where the callee is an `async fn` and every operand is a
/// variable, constant or literal.
fn is_plain_async_call(cx: &LateContext<'_>, expr: &Expr<'_>) -> bool {
    let operands_are_plain = match expr.kind {
        ExprKind::Call(_, args) => args.iter().all(is_plain_operand),
        ExprKind::MethodCall(_, receiver, args, _) => {
            is_plain_operand(receiver) && args.iter().all(is_plain_operand)
        }
        _ => return false,
    };
    operands_are_plain && fn_def_id(cx, expr).is_some_and(|def_id| is_async_def(cx, def_id))
}

fn is_plain_operand(expr: &Expr<'_>) -> bool {
    match expr.kind {
        ExprKind::Path(QPath::Resolved(None, _)) | ExprKind::Lit(_) => true,
        ExprKind::AddrOf(_, _, inner) => is_plain_operand(inner),
        _ => false,
    }
}
