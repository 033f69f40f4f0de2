//! `sync_run_wraps_future`: a synchronous `Context::run` whose closure only creates a future.
//!
//! ### What it does
//! Checks for `ctx.run(f)` on a `contextvars::Context` where `f` returns a future: a closure
//! whose result is an `async` block, a call of an `async fn` of the crate, a `Box::pin` of
//! either, an `async fn` item, or any `run(..)` whose result is immediately `.await`ed.
//!
//! ### Why is this bad?
//! `run` only creates the future inside the context; it is polled later, outside it, so its
//! writes leak into the caller.
//!
//! The full documentation is in the catalogue (`ctxlint explain sync_run_wraps_future`).

use std::collections::HashMap;

use ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE;
use ctxlint_catalogue::apis::{
    CONTEXT_COPYING_SPAWNS, CONTEXT_LOSING_SPAWNS, RUNNERS, Receiver, Runner, RunnerCall,
};
use ctxlint_catalogue::fix::{Call, Held};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;

use crate::diagnostic::{Applicability, Suggestion};
use crate::rust::types::bound_ident;
use crate::rust::walk::Pass;
use crate::rust::walk::{Binding, FileCx, block_tail};

/// The lint's pass: runners' calls, and blocks that hold a guard while they make their value.
#[derive(Default)]
pub(crate) struct SyncRunWrapsFuture {
    /// Per body, the local names bound to the value of a guard-scoped block: name → the
    /// block's value (its span) and the guard's help.
    blocks: Vec<HashMap<String, (proc_macro2::Span, &'static str)>>,
}

impl Pass for SyncRunWrapsFuture {
    fn enter_body(&mut self, _cx: &mut FileCx<'_>, _is_async: bool) {
        self.blocks.push(HashMap::new());
    }

    fn exit_body(&mut self, _cx: &mut FileCx<'_>) {
        self.blocks.pop();
    }

    fn check_call(&mut self, cx: &mut FileCx<'_>, _expr: &syn::Expr, call: &syn::ExprCall) {
        check_call(cx, call);
        // `Box::pin(future)` of a block's value: a future, which is polled outside the guard.
        if let syn::Expr::Path(func) = &*call.func
            && is_box_pin(cx, &func.path)
            && let [syn::Expr::Path(arg)] = call.args.iter().collect::<Vec<_>>().as_slice()
        {
            self.report_bound(cx, &arg.path);
        }
    }

    fn check_method_call(&mut self, cx: &mut FileCx<'_>, call: &syn::ExprMethodCall) {
        check_method_call(cx, call);
    }

    fn check_local(&mut self, cx: &mut FileCx<'_>, local: &syn::Local) {
        let Some(ident) = bound_ident(&local.pat) else {
            return;
        };
        let name = ident.to_string();
        let block = local
            .init
            .as_ref()
            .and_then(|init| guard_scoped_value(cx, &init.expr));
        if let Some(names) = self.blocks.last_mut() {
            match block {
                Some(found) => names.insert(name, found),
                None => names.remove(&name),
            };
        }
    }

    fn check_await(&mut self, cx: &mut FileCx<'_>, await_expr: &syn::ExprAwait) {
        let mut base = &*await_expr.base;
        while let syn::Expr::Paren(p) = base {
            base = &p.expr;
        }
        match base {
            // `{ let _guard = span.enter(); fut }.await`
            syn::Expr::Block(_) => {
                if let Some((span, help)) = guard_scoped_value(cx, base) {
                    report_block(cx, span, help);
                }
            }
            // `let fut = { let _guard = span.enter(); make() }; fut.await`
            syn::Expr::Path(p) => self.report_bound(cx, &p.path),
            _ => {}
        }
    }
}

impl SyncRunWrapsFuture {
    /// Reports the guard-scoped block whose value the local `path` names, once.
    fn report_bound(&mut self, cx: &mut FileCx<'_>, path: &syn::Path) {
        let Some(ident) = path.get_ident() else {
            return;
        };
        let found = self
            .blocks
            .last_mut()
            .and_then(|names| names.remove(&ident.to_string()));
        if let Some((span, help)) = found {
            report_block(cx, span, help);
        }
    }
}

/// A block that makes a context current with a guard bound by `let` (and not dropped before
/// its end), and has a value: the value's span and the guard's help. The value, a future, is
/// created inside the context and runs after the block, once the guard is gone.
fn guard_scoped_value(
    cx: &FileCx<'_>,
    expr: &syn::Expr,
) -> Option<(proc_macro2::Span, &'static str)> {
    let syn::Expr::Block(b) = expr else {
        return None;
    };
    if b.label.is_some() {
        return None;
    }
    let tail = block_tail(&b.block)?;
    let mut guard = None;
    for stmt in &b.block.stmts {
        match stmt {
            syn::Stmt::Local(local) => {
                if let Some(init) = &local.init
                    && let Some(found) = cx.guard_of(&init.expr)
                    && bound_ident(&local.pat).is_some()
                {
                    guard = Some(found.help);
                }
            }
            // `drop(_guard);` before the value: the value is made outside the context.
            syn::Stmt::Expr(syn::Expr::Call(c), _) if guard.is_some() => {
                if let syn::Expr::Path(f) = &*c.func
                    && f.path.segments.last().is_some_and(|s| s.ident == "drop")
                {
                    guard = None;
                }
            }
            _ => {}
        }
    }
    Some((tail.span(), guard?))
}

fn report_block(cx: &mut FileCx<'_>, span: proc_macro2::Span, help: &'static str) {
    cx.emit_with_help(&SYNC_RUN_WRAPS_FUTURE, span, None, Some(help));
}

/// `Box::pin` (or `std::boxed::Box::pin`).
fn is_box_pin(cx: &FileCx<'_>, path: &syn::Path) -> bool {
    let full = cx.imports.resolve(path);
    matches!(full.as_slice(), [b, p] if b == "Box" && p == "pin")
        || matches!(full.as_slice(), [s, m, b, p] if (s == "std" || s == "alloc") && m == "boxed" && b == "Box" && p == "pin")
}

/// Checks one method call: `ctx.run(f)`, `ctx.try_run(f)`.
fn check_method_call(cx: &mut FileCx<'_>, call: &syn::ExprMethodCall) {
    if call.turbofish.is_some() {
        return;
    }
    let method = call.method.to_string();
    let Some(runner) = runners(cx).find(|r| r.call == RunnerCall::Method && r.name() == method)
    else {
        return;
    };
    let args: Vec<&syn::Expr> = call.args.iter().collect();
    let Some(arg) = args.get(runner.closure) else {
        return;
    };
    if !receiver_matches(cx, runner, &call.receiver) {
        return;
    }
    let awaited = cx.is_awaited(call);
    let first = args.first().copied().filter(|_| runner.closure > 0);
    let site = Site {
        receiver: Some(&call.receiver),
        first,
        span: call.span(),
        awaited,
        type_path: None,
    };
    check_run(cx, runner, arg, &site);
}

/// Where a runner is called: its receiver, its first argument when that is not the closure
/// (the value of `sync_scope`, the subscriber of `with_default`, the hub of `Hub::run`), the
/// call's span, whether it is `.await`ed, and `Context` of the path form `Context::run(..)`.
struct Site<'e> {
    receiver: Option<&'e syn::Expr>,
    first: Option<&'e syn::Expr>,
    span: proc_macro2::Span,
    awaited: bool,
    type_path: Option<&'e syn::Path>,
}

/// Checks one call: the path form `Context::run(&mut ctx, f)`.
fn check_call(cx: &mut FileCx<'_>, call: &syn::ExprCall) {
    let syn::Expr::Path(func) = &*call.func else {
        return;
    };
    if func.qself.is_some() {
        return;
    }
    let full = cx.imports.resolve(&func.path).join("::");
    let Some(runner) = runners(cx).find(|r| r.path == full || r.aliases.contains(&full.as_str()))
    else {
        return;
    };
    let args: Vec<&syn::Expr> = call.args.iter().collect();
    let (receiver, closure) = match runner.call {
        RunnerCall::Method => (args.first().copied(), args.get(1 + runner.closure)),
        RunnerCall::Function => (None, args.get(runner.closure)),
    };
    let Some(arg) = closure else {
        return;
    };
    if let Some(receiver) = receiver
        && !receiver_matches(cx, runner, receiver)
    {
        return;
    }
    let mut prefix = func.path.clone();
    prefix.segments.pop();
    prefix.segments.pop_punct();
    let first = match runner.call {
        RunnerCall::Method => args.get(1).copied().filter(|_| runner.closure > 0),
        RunnerCall::Function => args.first().copied().filter(|_| runner.closure > 0),
    };
    let site = Site {
        receiver,
        first,
        span: call.span(),
        awaited: cx.is_awaited(call),
        type_path: Some(&prefix),
    };
    check_run(cx, runner, arg, &site);
}

/// The catalogue's runners, then the configuration's `extra-runners`.
fn runners<'c>(cx: &'c FileCx<'_>) -> impl Iterator<Item = &'static Runner> + 'c {
    RUNNERS
        .iter()
        .chain(cx.config.extra_runners.iter().copied())
}

/// Whether a method runner's receiver has the runner's type, as far as syntax tells.
fn receiver_matches(cx: &FileCx<'_>, runner: &Runner, receiver: &syn::Expr) -> bool {
    match runner.receiver {
        Receiver::Context => cx.is_context_expr(receiver),
        Receiver::Span => cx.is_span_expr(receiver),
        // `KEY.sync_scope(..)` on a key of the crate's `task_local!`.
        Receiver::TaskLocal => {
            let mut receiver = receiver;
            while let syn::Expr::Reference(r) = receiver {
                receiver = &r.expr;
            }
            matches!(receiver, syn::Expr::Path(p) if p.qself.is_none()
                && p.path.segments.last().is_some_and(|s| cx.facts.task_locals.contains(&s.ident.to_string())))
        }
        // A runner from `extra-runners`: syntax cannot tell the receiver's type, so the file
        // must at least name the runner's type (`Scope` of `my_crate::Scope::run_in`).
        Receiver::Named => {
            let mut segments = runner.path.rsplit("::");
            let (_, ty) = (segments.next(), segments.next());
            ty.is_some_and(|ty| cx.source.contains(ty))
        }
    }
}

/// The check itself, for either form.
fn check_run(cx: &mut FileCx<'_>, runner: &Runner, arg: &syn::Expr, site: &Site<'_>) {
    let awaited = site.awaited;
    let future = future_of(cx, arg);
    // `run(..).await` awaits what the closure returned, so it was a future, whatever syntax
    // could tell; a task handle is the exception (it is the correct idiom).
    let certain = match &future {
        Returns::Future(_) => true,
        Returns::Unknown(_) => awaited && !runner.in_result,
        Returns::Task => false,
    };
    if !certain {
        return;
    }
    let (Returns::Future(fut) | Returns::Unknown(fut)) = future else {
        return;
    };
    let suggestion = suggest(cx, runner, site, fut.as_ref());
    cx.emit_with_help(
        &SYNC_RUN_WRAPS_FUTURE,
        arg.span(),
        suggestion,
        Some(runner.help),
    );
}

/// What the argument of `run` gives back when called.
enum Returns {
    /// Certainly a future, bare or inside `Ok`, `Some` or a tuple; the expression that
    /// creates it, where one can be written.
    Future(Option<FutureExpr>),
    /// Syntax cannot tell; the expression it returns, where one can be written.
    Unknown(Option<FutureExpr>),
    /// The handle of a task that copies the current context (`contextvars::spawn`): the
    /// correct idiom, never reported.
    Task,
}

/// The expression that creates the future, for the suggestion.
enum FutureExpr {
    /// The body of `|| BODY`.
    Body(syn::Expr),
    /// `f` of `run(f)`, to be called as `f()`; `true` when `f` is certainly a crate
    /// `async fn` (not a local binding, nor a function syntax knows nothing about).
    FnItem(syn::Path, bool),
}

fn future_of(cx: &FileCx<'_>, arg: &syn::Expr) -> Returns {
    match arg {
        syn::Expr::Closure(c) if c.inputs.is_empty() => {
            if c.asyncness.is_some() {
                return Returns::Future(None);
            }
            let body = strip_block(&c.body);
            match spawn_of(cx, body) {
                Some(Spawn::CopiesContext) => return Returns::Task,
                Some(Spawn::LosesContext) => return Returns::Future(None),
                None => {}
            }
            let fut = Some(FutureExpr::Body(body.clone()));
            if cx.is_future_expr(body) {
                Returns::Future(fut)
            } else if holds_future(cx, body) {
                Returns::Future(None)
            } else {
                Returns::Unknown(fut)
            }
        }
        syn::Expr::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return Returns::Unknown(None);
            };
            let name = last.ident.to_string();
            let binding = match p.path.get_ident() {
                Some(_) => cx.binding(&name),
                None => None,
            };
            let known = match binding {
                Some(binding) => binding == Binding::FutureFn,
                None => cx.facts.fn_is_async(&name),
            };
            // Calling any callable path gives what `run` would have returned, so the rewrite
            // holds for unknown paths too, with less certainty.
            let fut = Some(FutureExpr::FnItem(p.path.clone(), known));
            if known {
                Returns::Future(fut)
            } else {
                Returns::Unknown(fut)
            }
        }
        syn::Expr::Paren(p) => future_of(cx, &p.expr),
        _ => Returns::Unknown(None),
    }
}

/// Whether a spawned task carries the current context.
enum Spawn {
    /// `contextvars::spawn` and its kin: the task runs in a copy of the current context.
    CopiesContext,
    /// `tokio::spawn` and its kin: the task runs in no context of ours.
    LosesContext,
}

/// Whether `expr` is a call of a known spawn function, and which kind.
fn spawn_of(cx: &FileCx<'_>, expr: &syn::Expr) -> Option<Spawn> {
    let syn::Expr::Call(call) = expr else {
        return None;
    };
    let syn::Expr::Path(func) = &*call.func else {
        return None;
    };
    if func.qself.is_some() {
        return None;
    }
    let full = cx.imports.resolve(&func.path).join("::");
    if CONTEXT_COPYING_SPAWNS.contains(&full.as_str()) {
        Some(Spawn::CopiesContext)
    } else if CONTEXT_LOSING_SPAWNS.contains(&full.as_str()) {
        Some(Spawn::LosesContext)
    } else {
        None
    }
}

/// A future wrapped in `Ok(..)`, `Err(..)`, `Some(..)` or a tuple: it escapes all the same.
fn holds_future(cx: &FileCx<'_>, expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Tuple(t) => t
            .elems
            .iter()
            .any(|e| cx.is_future_expr(e) || holds_future(cx, e)),
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(f)
                if f.qself.is_none()
                    && f.path.segments.len() == 1
                    && matches!(
                        f.path.segments[0].ident.to_string().as_str(),
                        "Ok" | "Err" | "Some"
                    ) =>
            {
                c.args
                    .iter()
                    .any(|e| cx.is_future_expr(e) || holds_future(cx, e))
            }
            _ => false,
        },
        syn::Expr::Paren(p) => holds_future(cx, &p.expr),
        _ => false,
    }
}

/// `{ expr }` → `expr`, repeatedly.
fn strip_block(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Block(b)
            if b.block.stmts.len() == 1 && b.attrs.is_empty() && b.label.is_none() =>
        {
            block_tail(&b.block).map_or(expr, strip_block)
        }
        _ => expr,
    }
}

/// The runner's rewrite, from the catalogue's template (see
/// [`ctxlint_catalogue::fix::Fix::render`]): `RECV.run(|| FUT)` → `RECV.scope_mut(FUT)` (and
/// `RECV.run(f)` → `RECV.scope_mut(f())`), `span.in_scope(|| FUT)` →
/// `FUT.instrument(span.clone())`, and so on; laid out with `prettyplease`.
///
/// It is machine-applicable only when certainly right: the result is immediately `.await`ed
/// (so the future is not stored), and the future expression is an `async` block, a call
/// whose arguments are literals or paths, or a fn item. Otherwise arguments that `run` would
/// have evaluated inside the context are evaluated outside it, so a person must look.
fn suggest(
    cx: &FileCx<'_>,
    runner: &Runner,
    site: &Site<'_>,
    fut: Option<&FutureExpr>,
) -> Option<Suggestion> {
    let (future, simple) = match fut? {
        FutureExpr::Body(body) => {
            let simple = match body {
                syn::Expr::Async(_) => true,
                syn::Expr::Call(c) => {
                    matches!(&*c.func, syn::Expr::Path(_))
                        && c.args
                            .iter()
                            .all(|a| matches!(a, syn::Expr::Lit(_) | syn::Expr::Path(_)))
                }
                _ => false,
            };
            (operand(body), simple)
        }
        FutureExpr::FnItem(path, known) => (quote!(#path()).to_string(), *known),
    };
    let receiver = site.receiver.map(|recv| {
        let held = match (runner.fix, site.type_path) {
            // A context made right there is given away: `scope_mut` would borrow a temporary
            // that dies with the statement.
            (ctxlint_catalogue::Fix::ContextScope, None) if is_new_context(cx, recv) => {
                Held::Temporary
            }
            (ctxlint_catalogue::Fix::ContextScope, _) => Held::Place,
            // Taken by value: a place is cloned, a temporary moved.
            _ => match recv {
                syn::Expr::Macro(_) | syn::Expr::Call(_) => Held::Temporary,
                _ => Held::Place,
            },
        };
        // An argument of the path form as written; a receiver of the method form as an
        // operand of `.`.
        let text = match site.type_path {
            Some(_) => recv.to_token_stream().to_string(),
            None => operand(recv),
        };
        (text, held)
    });
    let first = site.first.map(|first| first.to_token_stream().to_string());
    let prefix = site.type_path.map(|path| quote!(#path::).to_string());
    let call = Call {
        future: &future,
        receiver: receiver.as_ref().map(|(text, held)| (text.as_str(), *held)),
        first: first.as_deref(),
        path_prefix: prefix.as_deref(),
    };
    let tokens = runner.fix.render(&call)?;
    // The trait the rewrite needs must be in scope for it to compile.
    let imported = runner.fix.needs_trait().is_none_or(|(name, crates)| {
        crates
            .iter()
            .any(|krate| cx.imports.is_imported_from(name, krate))
    });
    let certain = simple && imported;
    let (call_span, awaited) = (site.span, site.awaited);
    let span = crate::rust::source_span(call_span);
    let original = cx.source.get(span.byte_start..span.byte_end)?;
    // The pretty-printer drops comments, so a rewrite of commented code needs review.
    let has_comment = original.contains("//") || original.contains("/*");
    let line_start = cx.source[..span.byte_start]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent: String = cx.source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let replacement = pretty_expr(&tokens, &indent)?;
    let applicability = if certain && awaited && !has_comment {
        Applicability::MachineApplicable
    } else {
        Applicability::MaybeIncorrect
    };
    Some(Suggestion {
        span,
        replacement,
        applicability,
    })
}

/// An expression as the operand of a method call in a template: parenthesised unless it
/// binds tighter than `.` (`a + b` → `(a + b)`).
fn operand(expr: &syn::Expr) -> String {
    let tight = matches!(
        expr,
        syn::Expr::Path(_)
            | syn::Expr::Call(_)
            | syn::Expr::MethodCall(_)
            | syn::Expr::Macro(_)
            | syn::Expr::Async(_)
            | syn::Expr::Block(_)
            | syn::Expr::Paren(_)
            | syn::Expr::Field(_)
            | syn::Expr::Await(_)
            | syn::Expr::Index(_)
            | syn::Expr::Try(_)
            | syn::Expr::Lit(_)
            | syn::Expr::Tuple(_)
            | syn::Expr::Array(_)
            | syn::Expr::Struct(_)
    );
    if tight {
        expr.to_token_stream().to_string()
    } else {
        format!("({})", expr.to_token_stream())
    }
}

/// A `Context` that the expression makes, owned and temporary: `copy_context()`,
/// `Context::new()`, `ctx.clone()`.
fn is_new_context(cx: &FileCx<'_>, expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Call(_) => cx.is_context_expr(expr),
        syn::Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
            cx.is_context_expr(expr)
        }
        syn::Expr::Paren(p) => is_new_context(cx, &p.expr),
        _ => false,
    }
}

/// Formats an expression, written as tokens' text, with `prettyplease`, indenting its
/// continuation lines by `indent`.
fn pretty_expr(tokens: &str, indent: &str) -> Option<String> {
    let item: syn::ItemFn = syn::parse_str(&format!("fn f() {{ {tokens} }}")).ok()?;
    let text = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![syn::Item::Fn(item)],
    });
    let lines: Vec<&str> = text.lines().collect();
    let body = lines.get(1..lines.len().saturating_sub(1))?;
    let mut out = String::new();
    for (i, line) in body.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(indent);
        }
        out.push_str(line.strip_prefix("    ").unwrap_or(line));
    }
    Some(out)
}
