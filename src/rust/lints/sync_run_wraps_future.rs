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

use ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE;
use quote::quote;
use syn::spanned::Spanned;

use crate::diagnostic::{Applicability, SourceSpan, Suggestion};
use crate::rust::lints::{FileCx, block_tail};

/// Checks one method call: `ctx.run(f)`.
pub(crate) fn check_method_call(cx: &mut FileCx<'_>, call: &syn::ExprMethodCall) {
    if call.method != "run" || call.args.len() != 1 || call.turbofish.is_some() {
        return;
    }
    let Some(arg) = call.args.first() else {
        return;
    };
    let awaited = cx.is_awaited(call);
    check_run(cx, &call.receiver, arg, call.span(), awaited, None);
}

/// Checks one call: the path form `Context::run(&mut ctx, f)`.
pub(crate) fn check_call(cx: &mut FileCx<'_>, call: &syn::ExprCall) {
    let syn::Expr::Path(func) = &*call.func else {
        return;
    };
    if func.qself.is_some() || !cx.imports.is_contextvars(&func.path, &["Context", "run"]) {
        return;
    }
    let args: Vec<&syn::Expr> = call.args.iter().collect();
    let [receiver, arg] = args.as_slice() else {
        return;
    };
    let mut prefix = func.path.clone();
    prefix.segments.pop();
    prefix.segments.pop_punct();
    let awaited = cx.is_awaited(call);
    check_run(cx, receiver, arg, call.span(), awaited, Some(&prefix));
}

/// The check itself, for either form. `type_path` is `Context` of `Context::run(..)`.
fn check_run(
    cx: &mut FileCx<'_>,
    receiver: &syn::Expr,
    arg: &syn::Expr,
    call_span: proc_macro2::Span,
    awaited: bool,
    type_path: Option<&syn::Path>,
) {
    if !cx.is_context_expr(receiver) {
        return;
    }
    let future = future_of(cx, arg);
    if !awaited && !matches!(future, Returns::Future(_)) {
        return;
    }
    let (Returns::Future(fut) | Returns::Unknown(fut)) = future;
    let suggestion = suggest(cx, receiver, type_path, call_span, fut.as_ref(), awaited);
    cx.emit(&SYNC_RUN_WRAPS_FUTURE, arg.span(), suggestion);
}

/// What the argument of `run` gives back when called.
enum Returns {
    /// Certainly a future; the expression that creates it, where one can be written.
    Future(Option<FutureExpr>),
    /// Syntax cannot tell; the expression it returns, where one can be written.
    Unknown(Option<FutureExpr>),
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
            let fut = Some(FutureExpr::Body(body.clone()));
            if cx.is_future_expr(body) {
                Returns::Future(fut)
            } else {
                Returns::Unknown(fut)
            }
        }
        syn::Expr::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return Returns::Unknown(None);
            };
            let name = last.ident.to_string();
            let shadowed = p.path.segments.len() == 1 && cx.binding(&name).is_some();
            let known = !shadowed && cx.facts.fn_is_async(&name);
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

/// The rewrite `RECV.run(|| FUT)` → `RECV.scope_mut(FUT)` (and `RECV.run(f)` →
/// `RECV.scope_mut(f())`), generated with `quote`.
///
/// It is machine-applicable only when certainly right: the result is immediately `.await`ed
/// (so the future is not stored), and the future expression is an `async` block, a call
/// whose arguments are literals or paths, or a fn item. Otherwise arguments that `run` would
/// have evaluated inside the context are evaluated outside it, so a person must look.
fn suggest(
    cx: &FileCx<'_>,
    recv: &syn::Expr,
    type_path: Option<&syn::Path>,
    call_span: proc_macro2::Span,
    fut: Option<&FutureExpr>,
    awaited: bool,
) -> Option<Suggestion> {
    let call = |fut: proc_macro2::TokenStream| match type_path {
        Some(path) => quote!(#path::scope_mut(#recv, #fut)),
        None => quote!(#recv.scope_mut(#fut)),
    };
    let (tokens, certain) = match fut? {
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
            (call(quote!(#body)), simple)
        }
        FutureExpr::FnItem(path, known) => (call(quote!(#path())), *known),
    };
    let span = SourceSpan::from_span(call_span);
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
    let replacement = pretty_expr(tokens, &indent)?;
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

/// Formats an expression with `prettyplease`, indenting its continuation lines by `indent`.
fn pretty_expr(tokens: proc_macro2::TokenStream, indent: &str) -> Option<String> {
    let item: syn::ItemFn = syn::parse2(quote!(fn f() { #tokens })).ok()?;
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
