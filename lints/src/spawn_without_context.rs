//! `spawn_without_context`: work handed to a spawn (`std::thread::spawn`, `tokio::spawn`,
//! `spawn_blocking`, `spawn_local`) that reads the context but does not carry it there: a
//! `contextvars::ContextVar`, a tokio task-local inside its `scope`, or, inside a span,
//! `tracing` events that lose their parent.
//!
//! The work is followed through the functions and methods it calls whose bodies the crate
//! has (resolved by rustc, not by name), up to [`MAX_CALL_DEPTH`] calls deep.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use crate::static_of;
use clippy_utils::diagnostics::span_lint_hir_and_then;
use clippy_utils::macros::macro_backtrace;
use clippy_utils::paths::{PathNS, lookup_path_str};
use clippy_utils::source::snippet_with_applicability;
use clippy_utils::visitors::for_each_expr;
use clippy_utils::{fn_def_id, is_expr_async_block, is_in_test};
use ctxlint_catalogue::SPAWN_WITHOUT_CONTEXT as LINT;
use ctxlint_catalogue::apis::{
    Binds, EVENT_MACROS, INSTRUMENT_ATTRIBUTE, RUST_SPAWNS, SPAN_SPAWN_HELP, SPAN_THREAD_HELP,
    SPAN_TYPES, Spawn, SpawnTakes, TASK_LOCAL_SPAWN_HELP, TASK_LOCAL_TYPES, future_binder,
    task_local_scope,
};
use rustc_errors::Applicability;
use rustc_hir::def::{DefKind, Res};
use rustc_hir::def_id::{DefId, LocalDefId};
use rustc_hir::{Expr, ExprKind, HirId, ItemKind, Node, PatKind, QPath, StmtKind};
use rustc_lint::{LateContext, LateLintPass, LintContext};
use rustc_middle::ty::{self, TypeckResults};
use rustc_span::Span;

dylint_linting::declare_lint! {
    #[doc = include_str!("../../catalogue/docs/spawn_without_context.md")]
    pub SPAWN_WITHOUT_CONTEXT,
    Warn,
    LINT.summary
}

/// How many calls deep a read is looked for below the work handed to a spawn (the CLI's
/// bound too).
const MAX_CALL_DEPTH: usize = 4;

/// The methods of `contextvars::ContextVar` and `tokio::task::LocalKey` that read the value.
const READ_METHODS: &[&str] = &["get", "try_get", "with", "try_with"];

/// The lint's texts: the catalogue's Rust form.
fn text() -> &'static ctxlint_catalogue::Form {
    crate::rust_form(&LINT)
}

dylint_linting::impl_lint_pass!(SpawnWithoutContext => [SPAWN_WITHOUT_CONTEXT]);

/// Registers the pass.
pub fn register(_sess: &rustc_session::Session, store: &mut rustc_lint::LintStore) {
    store.register_late_lint_pass(Box::new(|_| Box::<SpawnWithoutContext>::default()));
}

/// The lint pass. The spawns and the types it looks for are resolved once per crate.
#[derive(Default)]
pub struct SpawnWithoutContext {
    spawns: Vec<(DefId, &'static Spawn)>,
    context_var: Vec<DefId>,
    context: Vec<DefId>,
    local_key: Vec<DefId>,
    span: Vec<DefId>,
    /// The guards of an entered span (`Entered`, `EnteredSpan`).
    entered: Vec<DefId>,
    /// `tracing::Instrument`.
    instrument: Vec<DefId>,
    /// Where a function has `#[instrument]` (its body holds code that the attribute wrote),
    /// by function.
    instrumented: HashMap<LocalDefId, Option<Span>>,
}

/// What a spawn's work reaches.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    ContextVar,
    TaskLocal(DefId),
    Event,
}

/// What the future handed to a spawn already carries.
#[derive(Default)]
struct Carried {
    span: bool,
    context: bool,
    keys: Vec<DefId>,
}

impl<'tcx> LateLintPass<'tcx> for SpawnWithoutContext {
    fn check_crate(&mut self, cx: &LateContext<'tcx>) {
        self.spawns = RUST_SPAWNS
            .iter()
            .flat_map(|spawn| {
                std::iter::once(spawn.path)
                    .chain(spawn.aliases.iter().copied())
                    .flat_map(|path| lookup_path_str(cx.tcx, PathNS::Value, path))
                    .map(move |def_id| (def_id, spawn))
            })
            .collect();
        let types = |paths: &[&str]| -> Vec<DefId> {
            paths
                .iter()
                .flat_map(|p| lookup_path_str(cx.tcx, PathNS::Type, p))
                .collect()
        };
        self.context_var = types(&["contextvars::ContextVar"]);
        self.context = types(&["contextvars::Context"]);
        self.local_key = types(TASK_LOCAL_TYPES);
        let span_paths: Vec<String> = SPAN_TYPES.iter().map(|p| p.join("::")).collect();
        self.span = span_paths
            .iter()
            .flat_map(|p| lookup_path_str(cx.tcx, PathNS::Type, p))
            .collect();
        self.entered = types(&["tracing::span::Entered", "tracing::span::EnteredSpan"]);
        self.instrument = types(&["tracing::Instrument", "tracing::instrument::Instrument"]);
    }

    fn check_expr(&mut self, cx: &LateContext<'tcx>, expr: &'tcx Expr<'tcx>) {
        if self.spawns.is_empty() {
            return;
        }
        let ExprKind::Call(func, [arg, ..]) = expr.kind else {
            return;
        };
        let Some(callee) = fn_def_id(cx, expr) else {
            return;
        };
        let Some(&(_, spawn)) = self.spawns.iter().find(|(id, _)| *id == callee) else {
            return;
        };
        if expr.span.in_external_macro(cx.sess().source_map())
            || cx.sess().is_test_crate()
            || is_in_test(cx.tcx, expr.hir_id)
        {
            return;
        }
        let (work, carried) = self.unwrap(cx, arg);
        // A read of a `ContextVar`: the runtime's spawn of the same kind.
        if !carried.context
            && let Some(read) = self.first_reach(cx, work, Reach::ContextVar)
        {
            let applicability = if spawn.needs_tokio {
                Applicability::MaybeIncorrect
            } else {
                Applicability::MachineApplicable
            };
            emit(cx, expr.hir_id, func.span, read, |diag| {
                diag.span_suggestion_verbose(
                    func.span,
                    spawn.help,
                    spawn.copying.to_owned(),
                    applicability,
                );
            });
            return;
        }
        // A task-local read inside its `scope`.
        for key in self.scoped_keys(cx, expr.hir_id) {
            if carried.keys.contains(&key) {
                continue;
            }
            if let Some(read) = self.first_reach(cx, work, Reach::TaskLocal(key)) {
                emit(cx, expr.hir_id, func.span, read, |diag| {
                    diag.help(TASK_LOCAL_SPAWN_HELP);
                });
                return;
            }
        }
        // Events inside a span.
        if carried.span || !self.in_span(cx, expr.hir_id) {
            return;
        }
        let Some(event) = self.first_reach(cx, work, Reach::Event) else {
            return;
        };
        let instrument = &self.instrument;
        emit(cx, expr.hir_id, func.span, event, |diag| {
            match spawn.takes {
                SpawnTakes::Future => {
                    let mut applicability = Applicability::MachineApplicable;
                    let snippet =
                        snippet_with_applicability(cx, arg.span, "..", &mut applicability);
                    // The method where the trait is in scope, else through the trait's path.
                    let module = cx.tcx.parent_module(expr.hir_id);
                    let in_scope = cx.tcx.hir_module_items(module).free_items().any(|id| {
                        let ItemKind::Use(tree) = cx.tcx.hir_item(id).kind else {
                            return false;
                        };
                        tree.resolutions().flat_map(|r| r.present_items()).any(
                            |r| matches!(r, Res::Def(DefKind::Trait, d) if instrument.contains(&d)),
                        )
                    });
                    // An `async` block is a closure in HIR, but needs no parentheses.
                    let needs_parens = matches!(
                        arg.kind,
                        ExprKind::Binary(..)
                            | ExprKind::Unary(..)
                            | ExprKind::Cast(..)
                            | ExprKind::Closure(..)
                            | ExprKind::AddrOf(..)
                    ) && !is_expr_async_block(arg);
                    let sugg = match (in_scope, needs_parens) {
                        (true, true) => format!("({snippet}).in_current_span()"),
                        (true, false) => format!("{snippet}.in_current_span()"),
                        (false, _) => format!("tracing::Instrument::in_current_span({snippet})"),
                    };
                    diag.span_suggestion_verbose(arg.span, SPAN_SPAWN_HELP, sugg, applicability);
                }
                SpawnTakes::Closure => {
                    diag.help(SPAN_THREAD_HELP);
                }
            }
        });
    }
}

/// Reports a finding at `at` (the spawn's path), with `read` as its second place.
fn emit(
    cx: &LateContext<'_>,
    hir_id: HirId,
    at: Span,
    read: Span,
    fix: impl FnOnce(&mut rustc_errors::Diag<'_>),
) {
    span_lint_hir_and_then(
        cx,
        SPAWN_WITHOUT_CONTEXT,
        hir_id,
        at,
        text().message,
        |diag| {
            diag.span_label(at, text().label);
            if let Some(secondary) = text().secondary {
                diag.span_label(read, secondary);
            }
            diag.note(text().note);
            fix(diag);
        },
    );
}

impl SpawnWithoutContext {
    fn is_adt(&self, ty: ty::Ty<'_>, of: &[DefId]) -> bool {
        matches!(ty.peel_refs().kind(), ty::Adt(adt, _) if of.contains(&adt.did()))
    }

    /// The work inside the binders around it (`fut.instrument(span)`, `ctx.scope(fut)`,
    /// `KEY.scope(v, fut)`), and what they carry.
    fn unwrap<'tcx>(
        &self,
        cx: &LateContext<'tcx>,
        arg: &'tcx Expr<'tcx>,
    ) -> (&'tcx Expr<'tcx>, Carried) {
        let mut carried = Carried::default();
        let mut work = arg;
        while let ExprKind::MethodCall(segment, receiver, args, _) = work.kind {
            let method = segment.ident.name.as_str();
            if let Some(binder) = future_binder(method) {
                match binder.binds {
                    Binds::Span | Binds::Subscriber => carried.span = true,
                    Binds::Context => carried.context = true,
                }
                work = receiver;
            } else if task_local_scope(method).is_some_and(|s| s.takes == SpawnTakes::Future) {
                let receiver_ty = cx.typeck_results().expr_ty(receiver);
                if self.is_adt(receiver_ty, &self.local_key)
                    && let Some(key) = static_of(receiver)
                    && let [_, fut] = args
                {
                    carried.keys.push(key);
                    work = fut;
                } else if self.is_adt(receiver_ty, &self.context)
                    && let [fut] = args
                {
                    carried.context = true;
                    work = fut;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        (work, carried)
    }

    /// Where running `work` first reaches `what`: in it, or in the bodies of the functions
    /// and methods it calls, breadth first. A called function with `#[instrument]` makes a
    /// span whose parent is lost: it counts as an event.
    fn first_reach<'tcx>(
        &mut self,
        cx: &LateContext<'tcx>,
        work: &'tcx Expr<'tcx>,
        what: Reach,
    ) -> Option<Span> {
        type Level<'tcx> = Vec<(
            &'tcx Expr<'tcx>,
            &'tcx TypeckResults<'tcx>,
            Option<LocalDefId>,
        )>;
        let mut level: Level<'tcx> = vec![(work, cx.typeck_results(), None)];
        let mut seen: HashSet<DefId> = HashSet::new();
        for _ in 0..=MAX_CALL_DEPTH {
            let mut next: Level<'tcx> = Vec::new();
            for (expr, typeck, owner) in level {
                if what == Reach::Event
                    && let Some(owner) = owner
                    && let Some(at) = self.instrument_attr(cx, owner)
                {
                    return Some(at);
                }
                let mut callees = Vec::new();
                let found = for_each_expr(cx.tcx, expr, |e| {
                    if let Some(at) = self.reaches(cx, typeck, e, what) {
                        return ControlFlow::Break(at);
                    }
                    if let Some(callee) = callee(typeck, e) {
                        callees.push(callee);
                    }
                    ControlFlow::Continue(())
                });
                if found.is_some() {
                    return found;
                }
                for callee in callees {
                    if !seen.insert(callee) {
                        continue;
                    }
                    let Some(local) = callee.as_local() else {
                        continue;
                    };
                    if let Some(body) = cx.tcx.hir_maybe_body_owned_by(local) {
                        next.push((body.value, cx.tcx.typeck(local), Some(local)));
                    }
                }
            }
            if next.is_empty() {
                return None;
            }
            level = next;
        }
        None
    }

    /// Whether `e` is what is looked for: a read of a `ContextVar` or of the task-local, or a
    /// `tracing` event macro's code (at the macro call in the source).
    fn reaches<'tcx>(
        &self,
        cx: &LateContext<'tcx>,
        typeck: &'tcx TypeckResults<'tcx>,
        e: &'tcx Expr<'tcx>,
        what: Reach,
    ) -> Option<Span> {
        match what {
            // At the event macro's call in the source: the call that `macro_backtrace` finds
            // first is the innermost, and an event macro's expansion calls `event!` again, so
            // that call is inside `tracing` (rustc's terminal output moves such a span back to
            // the source by itself, its JSON output does not).
            Reach::Event => macro_backtrace(e.span)
                .find(|m| {
                    cx.tcx.crate_name(m.def_id.krate).as_str() == "tracing"
                        && EVENT_MACROS.contains(&cx.tcx.item_name(m.def_id).as_str())
                })
                .map(|m| m.span.source_callsite()),
            Reach::ContextVar | Reach::TaskLocal(_) => {
                let ExprKind::MethodCall(segment, receiver, ..) = e.kind else {
                    return None;
                };
                if !READ_METHODS.contains(&segment.ident.name.as_str()) {
                    return None;
                }
                let receiver_ty = typeck.expr_ty(receiver);
                let read = match what {
                    Reach::ContextVar => self.is_adt(receiver_ty, &self.context_var),
                    Reach::TaskLocal(key) => {
                        self.is_adt(receiver_ty, &self.local_key)
                            && static_of(receiver) == Some(key)
                    }
                    Reach::Event => false,
                };
                read.then_some(e.span)
            }
        }
    }

    /// Where the function whose body is owned by `owner` has `#[instrument]`: the attribute
    /// wrote code into its body (a span made and entered), found by the macro that made it.
    fn instrument_attr(&mut self, cx: &LateContext<'_>, owner: LocalDefId) -> Option<Span> {
        if let Some(at) = self.instrumented.get(&owner) {
            return *at;
        }
        let at = cx.tcx.hir_maybe_body_owned_by(owner).and_then(|body| {
            for_each_expr(cx.tcx, body.value, |e| {
                match macro_backtrace(e.span).find(|m| {
                    matches!(m.kind, rustc_span::MacroKind::Attr)
                        && cx.tcx.item_name(m.def_id).as_str() == INSTRUMENT_ATTRIBUTE
                }) {
                    Some(m) => ControlFlow::Break(m.span),
                    None => ControlFlow::Continue(()),
                }
            })
        });
        self.instrumented.insert(owner, at);
        at
    }

    /// The task-locals whose `scope` (or `sync_scope`) the node at `at` is inside.
    fn scoped_keys(&self, cx: &LateContext<'_>, at: HirId) -> Vec<DefId> {
        let mut keys = Vec::new();
        let mut child = at;
        for (id, node) in cx.tcx.hir_parent_iter(at) {
            if let Node::Expr(e) = node
                && let ExprKind::MethodCall(segment, receiver, [_, work], _) = e.kind
                && task_local_scope(segment.ident.name.as_str()).is_some()
                && work.hir_id == child
                && self.is_adt(cx.typeck_results().expr_ty(receiver), &self.local_key)
                && let Some(key) = static_of(receiver)
            {
                keys.push(key);
            }
            if matches!(node, Node::Item(_) | Node::ImplItem(_) | Node::TraitItem(_)) {
                break;
            }
            child = id;
        }
        keys
    }

    /// Whether the node at `at` runs inside a span: in a function with `#[instrument]`, with
    /// a span guard live in an enclosing block, in the closure of `span.in_scope(..)`, or in
    /// a future that is `.instrument(..)`ed.
    fn in_span(&mut self, cx: &LateContext<'_>, at: HirId) -> bool {
        let mut child = at;
        for (id, node) in cx.tcx.hir_parent_iter(at) {
            match node {
                Node::Expr(e) => {
                    if let ExprKind::MethodCall(segment, receiver, args, _) = e.kind {
                        let method = segment.ident.name.as_str();
                        if future_binder(method).is_some_and(|b| b.binds == Binds::Span)
                            && receiver.hir_id == child
                        {
                            return true;
                        }
                        if method == "in_scope"
                            && args.first().is_some_and(|a| a.hir_id == child)
                            && self.is_adt(cx.typeck_results().expr_ty(receiver), &self.span)
                        {
                            return true;
                        }
                    }
                }
                Node::Block(block) => {
                    if self.guard_live_before(cx, block, child) {
                        return true;
                    }
                }
                Node::Item(_) | Node::ImplItem(_) | Node::TraitItem(_) => {
                    let owner = cx.tcx.hir_enclosing_body_owner(at);
                    let fn_owner = fn_of(cx, owner);
                    return self.instrument_attr(cx, fn_owner).is_some();
                }
                _ => {}
            }
            child = id;
        }
        false
    }

    /// Whether a span guard bound by `let` before the statement `child` of `block` is still
    /// live there (not dropped by `drop(guard)` in between).
    fn guard_live_before(
        &self,
        cx: &LateContext<'_>,
        block: &rustc_hir::Block<'_>,
        child: HirId,
    ) -> bool {
        let typeck = cx.typeck_results();
        let mut live: Vec<HirId> = Vec::new();
        for stmt in block.stmts {
            if stmt.hir_id == child {
                break;
            }
            match stmt.kind {
                StmtKind::Let(local) => {
                    if let PatKind::Binding(_, binding, ..) = local.pat.kind
                        && let Some(init) = local.init
                        && self.is_adt(typeck.expr_ty(init), &self.entered)
                    {
                        live.push(binding);
                    }
                }
                StmtKind::Semi(e) | StmtKind::Expr(e) => {
                    if let ExprKind::Call(callee, [dropped]) = e.kind
                        && let ExprKind::Path(ref qpath) = callee.kind
                        && let Res::Def(_, def_id) = cx.qpath_res(qpath, callee.hir_id)
                        && cx.tcx.item_name(def_id).as_str() == "drop"
                        && let ExprKind::Path(QPath::Resolved(None, path)) = dropped.kind
                        && let Res::Local(id) = path.res
                    {
                        live.retain(|l| *l != id);
                    }
                }
                StmtKind::Item(_) => {}
            }
        }
        !live.is_empty()
    }
}

/// The function or method whose body holds `owner` (a closure's, an `async` block's).
fn fn_of(cx: &LateContext<'_>, owner: LocalDefId) -> LocalDefId {
    let mut owner = owner;
    while matches!(
        cx.tcx.def_kind(owner),
        DefKind::Closure | DefKind::SyntheticCoroutineBody
    ) && let Some(parent) = cx.tcx.opt_local_parent(owner)
    {
        owner = parent;
    }
    owner
}

/// The function or method `e` calls (or names, handed on to be called), resolved.
fn callee(typeck: &TypeckResults<'_>, e: &Expr<'_>) -> Option<DefId> {
    match e.kind {
        ExprKind::MethodCall(..) => typeck.type_dependent_def_id(e.hir_id),
        ExprKind::Path(ref qpath) => match typeck.qpath_res(qpath, e.hir_id) {
            Res::Def(DefKind::Fn | DefKind::AssocFn, def_id) => Some(def_id),
            _ => None,
        },
        _ => None,
    }
}
