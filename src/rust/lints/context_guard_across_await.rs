//! `context_guard_across_await`: a guard that makes a context current, still alive at an
//! `.await` of the same `async` body.
//!
//! ### What it does
//! Checks `async fn`s and `async` blocks for a `let` binding of a guard from the catalogue's
//! table ([`ctxlint_catalogue::GUARDS`]: `Span::enter`, `Span::entered`, `set_default`,
//! OpenTelemetry's `Context::attach`) that is still in scope, and not dropped, at an `.await`.
//!
//! ### Why is this bad?
//! The guard keeps its context current on the thread while the task is suspended: other
//! tasks polled there run inside it, and the task resumes where it is not current.
//!
//! The full documentation is in the catalogue (`ctxlint explain context_guard_across_await`).
//!
//! Syntax only tells a guard by the call that makes it, on a receiver whose type the walk
//! knows (a span macro, `Span::current()`, a parameter typed `Span`, …). Everything else is
//! left alone: a miss here is caught by the Dylint library, which reads the types the
//! coroutine holds across each `.await`.

use ctxlint_catalogue::{CONTEXT_GUARD_ACROSS_AWAIT, GUARDS, Guard};
use syn::visit::Visit;

use crate::rust::lints::FileCx;

/// A guard bound by `let` in the body being checked.
struct Live {
    name: String,
    span: proc_macro2::Span,
    guard: &'static Guard,
    /// How many blocks deep it was bound: it goes out of scope with its block.
    depth: usize,
    reported: bool,
}

/// Checks one `async` body: the block of an `async fn` or an `async` block.
pub(crate) fn check_async_body(cx: &mut FileCx<'_>, block: &syn::Block) {
    let mut live = Vec::new();
    scan_block(cx, block, &mut live, 0);
}

fn scan_block(cx: &mut FileCx<'_>, block: &syn::Block, live: &mut Vec<Live>, depth: usize) {
    let depth = depth + 1;
    cx.with_scope(|cx| {
        for stmt in &block.stmts {
            match stmt {
                syn::Stmt::Local(local) => {
                    if let Some(init) = &local.init {
                        scan_expr(cx, &init.expr, live, depth);
                        if let Some((_, diverge)) = &init.diverge {
                            scan_expr(cx, diverge, live, depth);
                        }
                    }
                    let guard = local.init.as_ref().and_then(|i| guard_of(cx, &i.expr));
                    // `let _ = guard` drops it at once; other patterns are left alone.
                    if let Some(guard) = guard
                        && let Some(ident) = bound_ident(&local.pat)
                    {
                        live.push(Live {
                            name: ident.to_string(),
                            span: ident.span(),
                            guard,
                            depth,
                            reported: false,
                        });
                    }
                    let init = local.init.as_ref().map(|i| &*i.expr);
                    cx.bind_pat(&local.pat, None, init);
                }
                syn::Stmt::Expr(expr, _) => match dropped(expr) {
                    Some(name) => live.retain(|l| l.name != name),
                    None => scan_expr(cx, expr, live, depth),
                },
                syn::Stmt::Macro(m) => {
                    if mentions_await(&m.mac.tokens) {
                        report(cx, live);
                    }
                }
                syn::Stmt::Item(_) => {}
            }
        }
    });
    live.retain(|l| l.depth < depth);
}

fn scan_expr(cx: &mut FileCx<'_>, expr: &syn::Expr, live: &mut Vec<Live>, depth: usize) {
    match expr {
        syn::Expr::Block(b) => scan_block(cx, &b.block, live, depth),
        syn::Expr::If(i) => {
            scan_expr(cx, &i.cond, live, depth);
            scan_block(cx, &i.then_branch, live, depth);
            if let Some((_, other)) = &i.else_branch {
                scan_expr(cx, other, live, depth);
            }
        }
        syn::Expr::Match(m) => {
            scan_expr(cx, &m.expr, live, depth);
            for arm in &m.arms {
                if let Some((_, guard)) = &arm.guard {
                    scan_expr(cx, guard, live, depth);
                }
                scan_expr(cx, &arm.body, live, depth);
            }
        }
        syn::Expr::While(w) => {
            scan_expr(cx, &w.cond, live, depth);
            scan_block(cx, &w.body, live, depth);
        }
        syn::Expr::Loop(l) => scan_block(cx, &l.body, live, depth),
        syn::Expr::ForLoop(f) => {
            scan_expr(cx, &f.expr, live, depth);
            scan_block(cx, &f.body, live, depth);
        }
        _ => {
            let mut finder = AwaitFinder { found: false };
            finder.visit_expr(expr);
            if finder.found {
                report(cx, live);
            }
        }
    }
}

/// Reports every live guard not reported yet: each once, at its binding.
fn report(cx: &mut FileCx<'_>, live: &mut [Live]) {
    for guard in live.iter_mut().filter(|l| !l.reported) {
        guard.reported = true;
        cx.emit_with_help(
            &CONTEXT_GUARD_ACROSS_AWAIT,
            guard.span,
            None,
            Some(guard.guard.help),
        );
    }
}

/// The guard that `expr` makes, from the catalogue's table.
fn guard_of(cx: &FileCx<'_>, expr: &syn::Expr) -> Option<&'static Guard> {
    match expr {
        syn::Expr::MethodCall(m) if m.args.is_empty() => {
            let made_by = format!(".{}()", m.method);
            let guard = GUARDS
                .iter()
                .find(|g| g.made_by.contains(&made_by.as_str()))?;
            let receiver_ok = if guard.ty.starts_with("tracing::") {
                cx.is_span_expr(&m.receiver)
            } else if guard.ty.starts_with("opentelemetry::") {
                cx.is_otel_context_expr(&m.receiver)
            } else {
                false
            };
            receiver_ok.then_some(guard)
        }
        syn::Expr::Call(c) => {
            let syn::Expr::Path(f) = &*c.func else {
                return None;
            };
            if f.qself.is_some() {
                return None;
            }
            let full = cx.imports.resolve(&f.path).join("::");
            GUARDS.iter().find(|g| g.made_by.contains(&full.as_str()))
        }
        syn::Expr::Paren(p) => guard_of(cx, &p.expr),
        _ => None,
    }
}

/// The name a `let` pattern binds, when it binds exactly one (`_guard`, `g: Entered`), but not
/// `_`, which drops the value at once.
fn bound_ident(pat: &syn::Pat) -> Option<&syn::Ident> {
    match pat {
        syn::Pat::Ident(p) if p.subpat.is_none() => Some(&p.ident),
        syn::Pat::Type(t) => bound_ident(&t.pat),
        _ => None,
    }
}

/// `drop(x)`, `mem::drop(x)`, `std::mem::drop(x)` or `x.exit()`: the name of `x`.
fn dropped(expr: &syn::Expr) -> Option<String> {
    let name_of = |e: &syn::Expr| match e {
        syn::Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        _ => None,
    };
    match expr {
        syn::Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            syn::Expr::Path(f) if f.path.segments.last().is_some_and(|s| s.ident == "drop") => {
                c.args.first().and_then(name_of)
            }
            _ => None,
        },
        syn::Expr::MethodCall(m) if m.method == "exit" && m.args.is_empty() => name_of(&m.receiver),
        _ => None,
    }
}

/// Whether a macro's tokens hold `.await` (`tokio::select!`, `join!`, `assert!(f().await)`).
fn mentions_await(tokens: &proc_macro2::TokenStream) -> bool {
    let mut after_dot = false;
    for token in tokens.clone() {
        match token {
            proc_macro2::TokenTree::Ident(i) if after_dot && i == "await" => return true,
            proc_macro2::TokenTree::Group(g) if mentions_await(&g.stream()) => return true,
            proc_macro2::TokenTree::Punct(p) => {
                after_dot = p.as_char() == '.';
                continue;
            }
            _ => {}
        }
        after_dot = false;
    }
    false
}

/// Finds an `.await` of this body: not inside a closure or an `async` block, which are bodies
/// of their own, nor inside a nested item.
struct AwaitFinder {
    found: bool,
}

impl<'ast> Visit<'ast> for AwaitFinder {
    fn visit_expr_await(&mut self, _: &'ast syn::ExprAwait) {
        self.found = true;
    }

    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}

    fn visit_expr_async(&mut self, _: &'ast syn::ExprAsync) {}

    fn visit_item(&mut self, _: &'ast syn::Item) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.found |= mentions_await(&mac.tokens);
    }
}
