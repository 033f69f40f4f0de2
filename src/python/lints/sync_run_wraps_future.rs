//! `sync_run_wraps_future` (`CTX002`) for Python: `ctx.run(coro_fn, *args)`, which only
//! creates the coroutine inside the context; it runs later, outside it.
//!
//! The full documentation is in the catalogue (`ctxlint explain sync_run_wraps_future`).

use ctxlint_catalogue::SYNC_RUN_WRAPS_FUTURE;
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use ctxlint_catalogue::apis::{PYTHON_TASK_FACTORIES, PYTHON_TASK_FACTORY_METHODS};

use crate::diagnostic::{Applicability, Suggestion};
use crate::python::walk::FileCx;
use crate::python::walk::Pass;

/// The lint's pass: it looks at calls only.
#[derive(Default)]
pub(crate) struct SyncRunWrapsFuture;

impl Pass for SyncRunWrapsFuture {
    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {
        check_call(cx, call);
    }
}

/// Checks one call: `RECV.run(f, *args, **kwargs)` with `RECV` a `Context`.
fn check_call(cx: &mut FileCx<'_>, call: &ExprCall) {
    let Expr::Attribute(method) = &*call.func else {
        return;
    };
    if method.attr.as_str() != "run" || !cx.is_context_expr(&method.value) {
        return;
    }
    let Some(f) = call.arguments.args.first() else {
        return;
    };
    if matches!(f, Expr::Starred(_)) || is_task_factory(cx, f) {
        return;
    }
    let known = cx.is_coro_fn(f);
    let awaited = cx.is_awaited(call);
    // `run` returned an awaitable when its result is awaited or handed to the event loop,
    // whatever `f` is.
    if !known && !awaited && !cx.is_consumed(call) {
        return;
    }
    let suggestion = suggest(cx, call, &method.value, f, known, awaited);
    cx.emit(&SYNC_RUN_WRAPS_FUTURE, f.range(), suggestion);
}

fn is_task_factory(cx: &FileCx<'_>, f: &Expr) -> bool {
    match f {
        // `loop.create_task`, `asyncio.get_running_loop().create_task`, a `TaskGroup`'s.
        Expr::Attribute(a) if PYTHON_TASK_FACTORY_METHODS.contains(&a.attr.as_str()) => true,
        _ => cx
            .qualified(f)
            .is_some_and(|q| PYTHON_TASK_FACTORIES.contains(&q.as_str())),
    }
}

/// The rewrite `RECV.run(f, a, b)` → `asyncio.create_task(f(a, b), context=RECV)`.
///
/// Machine-applicable only where it is certainly what the code meant and certainly runs: the
/// `run` is `await`ed inside an `async def` (so a loop is running and the coroutine is not kept
/// for later); `f` is a known coroutine function written as a name or attribute (or a lambda
/// or `partial` over one); every argument is a plain name or a literal, and the receiver a
/// plain name, so that evaluating them in another order changes nothing; `asyncio` is
/// imported; there is no comment inside the call to lose; and the project does not declare
/// support for a Python older than 3.11, which lacks `context=`.
fn suggest(
    cx: &FileCx<'_>,
    call: &ExprCall,
    recv: &Expr,
    f: &Expr,
    known: bool,
    awaited: bool,
) -> Option<Suggestion> {
    let run_args: Vec<&Expr> = call.arguments.args.iter().skip(1).collect();
    let run_keywords = &call.arguments.keywords;
    let mut plain = run_args.iter().all(|a| is_plain(a))
        && run_keywords
            .iter()
            .all(|k| k.arg.is_some() && is_plain(&k.value));
    let coroutine = match f {
        Expr::Name(_) | Expr::Attribute(_) => {
            let mut args: Vec<&str> = run_args.iter().map(|a| cx.text(*a)).collect();
            args.extend(run_keywords.iter().map(|k| cx.text(k)));
            format!("{}({})", cx.text(f), args.join(", "))
        }
        Expr::Lambda(l)
            if l.parameters.is_none() && run_args.is_empty() && run_keywords.is_empty() =>
        {
            let Expr::Call(body) = &*l.body else {
                return None;
            };
            plain &= body.arguments.args.iter().all(is_plain)
                && body
                    .arguments
                    .keywords
                    .iter()
                    .all(|k| k.arg.is_some() && is_plain(&k.value))
                && matches!(&*body.func, Expr::Name(_) | Expr::Attribute(_));
            cx.text(body).to_owned()
        }
        // `partial(g, p, k=v)(a)` is `g(p, a, k=v)`.
        Expr::Call(partial) => {
            let (g, bound) = partial.arguments.args.split_first()?;
            if !matches!(g, Expr::Name(_) | Expr::Attribute(_)) {
                return None;
            }
            plain &= bound.iter().all(is_plain)
                && partial
                    .arguments
                    .keywords
                    .iter()
                    .all(|k| k.arg.is_some() && is_plain(&k.value));
            let mut args: Vec<&str> = bound.iter().map(|a| cx.text(a)).collect();
            args.extend(run_args.iter().map(|a| cx.text(*a)));
            args.extend(partial.arguments.keywords.iter().map(|k| cx.text(k)));
            args.extend(run_keywords.iter().map(|k| cx.text(k)));
            format!("{}({})", cx.text(g), args.join(", "))
        }
        _ => return None,
    };
    let alias = cx.names.module_alias("asyncio");
    let replacement = format!(
        "{}.create_task({coroutine}, context={})",
        alias.unwrap_or("asyncio"),
        cx.text(recv)
    );
    let old_python = cx.facts.min_python.is_some_and(|v| v < (3, 11));
    let certain = known
        && awaited
        && plain
        && cx.in_async_function()
        && alias.is_some()
        && matches!(recv, Expr::Name(_))
        && !cx.text(call).contains('#')
        && !old_python;
    Some(Suggestion {
        span: cx.span(call.range()),
        replacement,
        applicability: if certain {
            Applicability::MachineApplicable
        } else {
            Applicability::MaybeIncorrect
        },
    })
}

/// A name or a literal: evaluating it has no effect and gives the same value anywhere.
fn is_plain(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Name(_)
            | Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::BytesLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::NoneLiteral(_)
    )
}
