//! `spawn_without_context` (`CTX006`): work handed to a spawn (`std::thread::spawn`,
//! `tokio::spawn`, `spawn_blocking`, `spawn_local`) that reads the context but does not carry
//! it there: a `contextvars::ContextVar` of the crate, a tokio task-local inside its `scope`,
//! or, inside a span, `tracing` events that lose their parent.
//!
//! The full documentation is in the catalogue (`ctxlint explain spawn_without_context`).
//!
//! It runs inside the one walk of the file, on its hooks. The state is where the walk is:
//! in an `#[instrument]` function, with a span guard live (`let _e = span.enter();`), or
//! inside code that runs in a span or a task-local's scope (the receiver of
//! `.instrument(span)`, the closure of `span.in_scope(..)`, the future of `KEY.scope(v, ..)`),
//! kept as byte ranges of the file. At a spawn, what the work reads is found by
//! [`CrateFacts::first_reach`](crate::rust::facts::CrateFacts::first_reach).

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use ctxlint_catalogue::SPAWN_WITHOUT_CONTEXT;
use ctxlint_catalogue::apis::{
    Binds, GuardOf, INSTRUMENT_ATTRIBUTE, RUST_SPAWNS, SPAN_SPAWN_HELP, SPAN_THREAD_HELP, Spawn,
    SpawnTakes, TASK_LOCAL_SPAWN_HELP, future_binder, task_local_scope,
};
use syn::spanned::Spanned;

use crate::diagnostic::{Applicability, Suggestion};
use crate::rust::facts::Reach;
use crate::rust::reads::Body;
use crate::rust::types::bound_ident;
use crate::rust::walk::{FileCx, Pass};

/// The lint's pass.
#[derive(Default)]
pub(crate) struct SpawnWithoutContext {
    /// For each enclosing function, innermost last: whether it has `#[instrument]`.
    fns: Vec<bool>,
    /// The span guards bound by `let` and still live, with the block depth they were bound
    /// at (counted across bodies: a closure called in place runs while they are live).
    guards: Vec<(String, usize)>,
    depth: usize,
    /// Code that runs inside a span: receivers of `.instrument(..)`, closures of `in_scope`.
    in_span: Vec<Range<usize>>,
    /// Code that runs inside a task-local's scope: the key, and the future or closure.
    scoped: Vec<(String, Range<usize>)>,
}

/// What the future handed to a spawn already carries.
#[derive(Default)]
struct Carried {
    /// A span (`.instrument(span)`, `.in_current_span()`).
    span: bool,
    /// A `contextvars` context (`ctx.scope(fut)`, `.with_current_context()`).
    context: bool,
    /// These task-locals (`KEY.scope(v, fut)`).
    keys: Vec<String>,
}

impl Pass for SpawnWithoutContext {
    fn enter_fn(&mut self, _cx: &mut FileCx<'_>, attrs: &[syn::Attribute]) {
        let instrumented = attrs.iter().any(|a| {
            a.path()
                .segments
                .last()
                .is_some_and(|s| s.ident == INSTRUMENT_ATTRIBUTE)
        });
        self.fns.push(instrumented);
    }

    fn exit_fn(&mut self, _cx: &mut FileCx<'_>) {
        self.fns.pop();
    }

    fn enter_block(&mut self, _cx: &mut FileCx<'_>) {
        self.depth += 1;
    }

    fn exit_block(&mut self, _cx: &mut FileCx<'_>) {
        let depth = self.depth;
        self.guards.retain(|(_, d)| *d < depth);
        self.depth = depth.saturating_sub(1);
    }

    fn check_stmt(&mut self, _cx: &mut FileCx<'_>, stmt: &syn::Stmt) {
        // `drop(guard);` ends the guard.
        if let syn::Stmt::Expr(syn::Expr::Call(call), _) = stmt
            && let syn::Expr::Path(f) = &*call.func
            && f.path.is_ident("drop")
            && let Some(syn::Expr::Path(arg)) = call.args.first()
            && let Some(name) = arg.path.get_ident()
        {
            let name = name.to_string();
            self.guards.retain(|(n, _)| *n != name);
        }
    }

    fn check_local(&mut self, cx: &mut FileCx<'_>, local: &syn::Local) {
        if let Some(init) = &local.init
            && cx
                .guard_of(&init.expr)
                .is_some_and(|g| g.of == GuardOf::Span)
            && let Some(ident) = bound_ident(&local.pat)
        {
            self.guards.push((ident.to_string(), self.depth));
        }
    }

    fn check_method_call(&mut self, cx: &mut FileCx<'_>, call: &syn::ExprMethodCall) {
        let method = call.method.to_string();
        if future_binder(&method).is_some_and(|b| b.binds == Binds::Span) {
            self.in_span.push(range(&call.receiver));
        } else if method == "in_scope" && cx.is_span_expr(&call.receiver) {
            if let Some(closure) = call.args.first() {
                self.in_span.push(range(closure));
            }
        } else if task_local_scope(&method).is_some()
            && let Some(key) = task_local(cx, &call.receiver)
            && let Some(work) = call.args.iter().nth(1)
        {
            self.scoped.push((key, range(work)));
        }
    }

    fn check_call(&mut self, cx: &mut FileCx<'_>, _expr: &syn::Expr, call: &syn::ExprCall) {
        if cx.in_test() {
            return;
        }
        let Some(spawn) = spawn_of(cx, call) else {
            return;
        };
        let Some(arg) = call.args.first() else {
            return;
        };
        let (work, carried) = unwrap(cx, arg);
        let path: Arc<Path> = Arc::from(cx.path());
        let body = Body::of_expr(work, &cx.imports, &path);
        let at = call.func.span();
        let level = cx.level(&SPAWN_WITHOUT_CONTEXT);
        // A read of the crate's `ContextVar`s: the runtime's spawn of the same kind.
        if !carried.context
            && let Some(read) = cx.facts.first_reach(&body, Reach::ContextVar, "")
        {
            let suggestion = Suggestion {
                span: crate::rust::source_span(at),
                replacement: spawn.copying.to_owned(),
                applicability: if spawn.needs_tokio {
                    // Only when the crate enables `contextvars`' `tokio` feature, which the
                    // source does not say.
                    Applicability::MaybeIncorrect
                } else {
                    Applicability::MachineApplicable
                },
            };
            cx.emit_full(
                &SPAWN_WITHOUT_CONTEXT,
                level,
                at,
                Some(suggestion),
                Some(spawn.help),
                Some(read),
            );
            return;
        }
        // A task-local read inside its `scope`: the spawned task does not have it.
        let start = call.span().byte_range().start;
        let keys: Vec<&str> = self
            .scoped
            .iter()
            .filter(|(key, r)| r.contains(&start) && !carried.keys.contains(key))
            .map(|(key, _)| key.as_str())
            .collect();
        for key in keys {
            if let Some(read) = cx.facts.first_reach(&body, Reach::TaskLocal, key) {
                cx.emit_full(
                    &SPAWN_WITHOUT_CONTEXT,
                    level,
                    at,
                    None,
                    Some(TASK_LOCAL_SPAWN_HELP),
                    Some(read),
                );
                return;
            }
        }
        // Events inside a span: the task's have no parent.
        let in_span = self.fns.last() == Some(&true)
            || !self.guards.is_empty()
            || self.in_span.iter().any(|r| r.contains(&start));
        if carried.span || !in_span {
            return;
        }
        let Some(event) = cx.facts.first_reach(&body, Reach::Event, "") else {
            return;
        };
        let (help, suggestion) = match spawn.takes {
            SpawnTakes::Future => (SPAN_SPAWN_HELP, in_current_span(cx, arg)),
            SpawnTakes::Closure => (SPAN_THREAD_HELP, None),
        };
        cx.emit_full(
            &SPAWN_WITHOUT_CONTEXT,
            level,
            at,
            suggestion,
            Some(help),
            Some(event),
        );
    }
}

/// The byte range of a node in its file.
fn range(node: &impl Spanned) -> Range<usize> {
    node.span().byte_range()
}

/// The spawn `call` makes, by its resolved path.
fn spawn_of(cx: &FileCx<'_>, call: &syn::ExprCall) -> Option<&'static Spawn> {
    let syn::Expr::Path(func) = &*call.func else {
        return None;
    };
    if func.qself.is_some() {
        return None;
    }
    let full = cx.imports.resolve(&func.path).join("::");
    RUST_SPAWNS
        .iter()
        .find(|s| s.path == full || s.aliases.contains(&full.as_str()))
}

/// The task-local key that `expr` names, if the crate declares it with `task_local!`.
fn task_local(cx: &FileCx<'_>, expr: &syn::Expr) -> Option<String> {
    let syn::Expr::Path(p) = expr else {
        return None;
    };
    let name = p.path.segments.last()?.ident.to_string();
    cx.facts.task_locals.contains(&name).then_some(name)
}

/// The work inside the binders around it (`fut.instrument(span)`, `ctx.scope(fut)`,
/// `KEY.scope(v, fut)`), and what they carry.
fn unwrap<'e>(cx: &FileCx<'_>, arg: &'e syn::Expr) -> (&'e syn::Expr, Carried) {
    let mut carried = Carried::default();
    let mut work = arg;
    loop {
        match work {
            syn::Expr::Paren(p) => work = &p.expr,
            syn::Expr::MethodCall(m) if let Some(binder) = future_binder(&m.method.to_string()) => {
                match binder.binds {
                    Binds::Span | Binds::Subscriber => carried.span = true,
                    Binds::Context => carried.context = true,
                }
                work = &m.receiver;
            }
            syn::Expr::MethodCall(m)
                if task_local_scope(&m.method.to_string())
                    .is_some_and(|s| s.takes == SpawnTakes::Future) =>
            {
                if let Some(key) = task_local(cx, &m.receiver) {
                    carried.keys.push(key);
                    match m.args.iter().nth(1) {
                        Some(fut) => work = fut,
                        None => break,
                    }
                } else if cx.is_context_expr(&m.receiver) {
                    carried.context = true;
                    match m.args.first() {
                        Some(fut) => work = fut,
                        None => break,
                    }
                } else {
                    break;
                }
            }
            // The same binders called as trait functions, as the fix writes them where the
            // trait is not imported: `tracing::Instrument::in_current_span(fut)`.
            syn::Expr::Call(c)
                if let syn::Expr::Path(path) = &*c.func
                    && let [.., parent, method] =
                        path.path.segments.iter().collect::<Vec<_>>().as_slice()
                    && future_binder(&method.ident.to_string())
                        .is_some_and(|b| b.trait_name.is_some_and(|t| parent.ident == t))
                    && let Some(fut) = c.args.first() =>
            {
                carried.span = true;
                work = fut;
            }
            _ => break,
        }
    }
    (work, carried)
}

/// `fut` → `fut.in_current_span()`, when `tracing::Instrument` is in scope; otherwise the same
/// call through the trait's path, which needs no import.
fn in_current_span(cx: &FileCx<'_>, arg: &syn::Expr) -> Option<Suggestion> {
    let r = range(arg);
    let text = cx.source.get(r.clone())?;
    let imported = ["Instrument", "instrument::Instrument"].iter().any(|name| {
        let path: Vec<String> = name.split("::").map(str::to_owned).collect();
        let full = cx.imports.resolve_segments(path, false);
        full.first().is_some_and(|root| root == "tracing")
    });
    let needs_parens = matches!(
        arg,
        syn::Expr::Binary(_)
            | syn::Expr::Unary(_)
            | syn::Expr::Cast(_)
            | syn::Expr::Closure(_)
            | syn::Expr::Range(_)
            | syn::Expr::Reference(_)
    );
    let replacement = if imported {
        if needs_parens {
            format!("({text}).in_current_span()")
        } else {
            format!("{text}.in_current_span()")
        }
    } else {
        format!("tracing::Instrument::in_current_span({text})")
    };
    Some(Suggestion {
        span: crate::rust::source_span(arg.span()),
        replacement,
        applicability: Applicability::MachineApplicable,
    })
}
