//! `spawn_without_context` (`CTX006`) for Python: a callable handed to another thread
//! (`run_in_executor`, `Executor.submit` and `map`, `threading.Thread` and `Timer`) that reads
//! a context variable, directly or through the project's functions, and runs without the
//! caller's context.
//!
//! The full documentation is in the catalogue (`ctxlint explain spawn_without_context`).

use std::collections::HashMap;

use ctxlint_catalogue::SPAWN_WITHOUT_CONTEXT;
use ctxlint_catalogue::apis::{
    PYTHON_COROUTINE_RUNNERS, PYTHON_HAND_OFFS, PythonHandOff, PythonHandOffKind,
};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Applicability, Related, Suggestion};
use crate::python::reads::BodyFacts;
use crate::python::walk::{Binding, FileCx, Pass};

/// The lint's pass: it keeps what the functions nested in the functions being walked read,
/// since the project's facts hold top-level functions and methods only.
#[derive(Default)]
pub(crate) struct SpawnWithoutContext {
    /// One map per enclosing function, innermost last: its nested `def`s by name.
    nested: Vec<HashMap<String, BodyFacts>>,
}

impl Pass for SpawnWithoutContext {
    fn check_stmt(&mut self, cx: &mut FileCx<'_>, stmt: &Stmt) {
        if let Stmt::FunctionDef(f) = stmt
            && let Some(scope) = self.nested.last_mut()
        {
            scope.insert(f.name.as_str().to_owned(), cx.scan_function(f));
        }
    }

    fn enter_function(&mut self, _cx: &mut FileCx<'_>, _function: &StmtFunctionDef) {
        self.nested.push(HashMap::new());
    }

    fn exit_function(&mut self, _cx: &mut FileCx<'_>) {
        self.nested.pop();
    }

    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {
        // Tests hand work to threads to show what the thread sees.
        if cx.in_test() {
            return;
        }
        let Some(hand_off) = hand_off(cx, call) else {
            return;
        };
        let Some(callable) = callable_of(call, hand_off) else {
            return;
        };
        let Some(related) = self.reads(cx, call, callable, hand_off, 0) else {
            return;
        };
        let suggestion = suggest(cx, call, callable, hand_off);
        cx.emit_full(
            &SPAWN_WITHOUT_CONTEXT,
            callable.range(),
            suggestion,
            Some(related),
            Some(hand_off.help),
        );
    }
}

/// The hand-off `call` is, if it is one whose callable runs without the context.
fn hand_off(cx: &FileCx<'_>, call: &ExprCall) -> Option<&'static PythonHandOff> {
    if let Expr::Attribute(method) = &*call.func {
        let name = method.attr.as_str();
        let found = PYTHON_HAND_OFFS
            .iter()
            .find(|h| h.call.strip_prefix('.') == Some(name));
        if let Some(found) = found {
            let pool = match found.kind {
                // `loop.run_in_executor(executor, f)`: the executor is the first argument
                // (`None`: the loop's default thread pool).
                PythonHandOffKind::RunInExecutor => {
                    call.arguments.args.first().map(|e| cx.pool_of(e))
                }
                _ => Some(cx.pool_of(&method.value)),
            };
            return match (found.kind, pool) {
                (_, Some(Some(Binding::ProcessPool))) => None,
                (PythonHandOffKind::RunInExecutor, _) => Some(found),
                (_, Some(Some(Binding::ThreadPool))) => Some(found),
                // An executor syntax cannot type: by its name (`executor`, `self._pool`).
                (kind, _) if looks_like_thread_pool(&method.value, kind) => Some(found),
                _ => None,
            };
        }
    }
    let q = cx.qualified(&call.func)?;
    let found = PYTHON_HAND_OFFS.iter().find(|h| h.call == q)?;
    // Python 3.14's `Thread(context=..)` says which context the thread starts in.
    let has_context = call
        .arguments
        .keywords
        .iter()
        .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "context"));
    (!has_context).then_some(found)
}

/// Whether a receiver that syntax cannot type is named as a thread pool: `executor`,
/// `self._executor`, and for `submit` also `pool`, `self._save_pool` (`map` on a `pool` is
/// as often `multiprocessing`'s, whose workers are processes).
fn looks_like_thread_pool(receiver: &Expr, kind: PythonHandOffKind) -> bool {
    let name = match receiver {
        Expr::Name(n) => n.id.as_str(),
        Expr::Attribute(a) => a.attr.as_str(),
        _ => return false,
    }
    .to_ascii_lowercase();
    name.contains("executor")
        || (kind == PythonHandOffKind::Submit
            && (name.ends_with("pool") || name.contains("thread")))
}

/// The callable a hand-off runs.
fn callable_of<'c>(call: &'c ExprCall, hand_off: &PythonHandOff) -> Option<&'c Expr> {
    if let Some(keyword) = hand_off.keyword
        && let Some(k) = call
            .arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == keyword))
    {
        return Some(&k.value);
    }
    let args = &call.arguments.args;
    // A starred argument before the callable hides its position.
    if args
        .iter()
        .take(hand_off.position + 1)
        .any(|a| matches!(a, Expr::Starred(_)))
    {
        return None;
    }
    args.get(hand_off.position)
}

impl SpawnWithoutContext {
    /// Where running `callable` first reads a project `ContextVar`; `None` when it reads none
    /// that the project's source shows, or carries the context itself (`ctx.run`).
    fn reads(
        &self,
        cx: &FileCx<'_>,
        call: &ExprCall,
        callable: &Expr,
        hand_off: &PythonHandOff,
        depth: usize,
    ) -> Option<Related> {
        if depth > 4 {
            return None;
        }
        let body_read = |body: &BodyFacts| {
            cx.facts.first_read(body).map(|(_, at)| Related {
                path: at.path.to_path_buf(),
                span: at.span,
            })
        };
        match callable {
            Expr::Name(n) => {
                let name = n.id.as_str();
                if let Some(body) = self.nested.iter().rev().find_map(|m| m.get(name)) {
                    return body_read(body);
                }
                let q = cx.qualified(callable)?;
                if PYTHON_COROUTINE_RUNNERS.contains(&q.as_str()) {
                    return self.coroutine_reads(cx, call, hand_off, depth);
                }
                body_read(cx.facts.body(&q)?)
            }
            Expr::Attribute(a) => {
                // `ctx.run`, `copy_context().run`: the callable runs in that context.
                if a.attr.as_str() == "run" && cx.is_context_expr(&a.value) {
                    return None;
                }
                if let (Expr::Name(base), Some((class, first))) = (&*a.value, cx.method())
                    && base.id.as_str() == first
                {
                    return body_read(cx.facts.body(&format!("{class}.{}", a.attr.as_str()))?);
                }
                let q = cx.qualified(callable)?;
                if PYTHON_COROUTINE_RUNNERS.contains(&q.as_str()) {
                    return self.coroutine_reads(cx, call, hand_off, depth);
                }
                body_read(cx.facts.body(&q)?)
            }
            Expr::Lambda(l) => body_read(&cx.scan_lambda(l)),
            // `functools.partial(f, ..)` runs `f`.
            Expr::Call(c)
                if cx
                    .qualified(&c.func)
                    .is_some_and(|q| q == "functools.partial") =>
            {
                let f = c.arguments.args.first()?;
                self.reads(cx, c, f, hand_off, depth + 1)
            }
            _ => None,
        }
    }

    /// `submit(asyncio.run, coro_fn(..))`: `asyncio.run` runs the coroutine in a new event
    /// loop on the worker thread, in the worker's context.
    fn coroutine_reads(
        &self,
        cx: &FileCx<'_>,
        call: &ExprCall,
        hand_off: &PythonHandOff,
        depth: usize,
    ) -> Option<Related> {
        let Expr::Call(coroutine) = call.arguments.args.get(hand_off.position + 1)? else {
            return None;
        };
        self.reads(cx, coroutine, &coroutine.func, hand_off, depth + 1)
    }
}

/// The rewrite that runs the callable in a copy of the caller's context: `f` becomes
/// `contextvars.copy_context().run, f` among the arguments (or `target=run, args=(f, ..)`
/// for a thread; `context=copy_context()` where the project needs Python 3.14). None for
/// `map`, whose calls would share one `Context`, which two threads cannot enter at once.
///
/// Machine-applicable when the module already imports `contextvars` (or `copy_context`), the
/// callable is a positional argument or `target=`, and a thread's `args` is absent, a tuple
/// or a list display, or a name.
fn suggest(
    cx: &FileCx<'_>,
    call: &ExprCall,
    callable: &Expr,
    hand_off: &PythonHandOff,
) -> Option<Suggestion> {
    let (copy, imported) = match (
        cx.names.module_alias("contextvars"),
        cx.names.module_alias("contextvars.copy_context"),
    ) {
        (Some(module), _) => (format!("{module}.copy_context()"), true),
        (None, Some(function)) => (format!("{function}()"), true),
        (None, None) => ("contextvars.copy_context()".to_owned(), false),
    };
    let applicability = if imported {
        Applicability::MachineApplicable
    } else {
        Applicability::MaybeIncorrect
    };
    let text = |r: TextRange| {
        cx.source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    };
    let (span, replacement) = match hand_off.kind {
        PythonHandOffKind::Map => return None,
        PythonHandOffKind::RunInExecutor | PythonHandOffKind::Submit => (
            callable.range(),
            format!("{copy}.run, {}", cx.text(callable)),
        ),
        PythonHandOffKind::Thread => {
            if cx.facts.min_python.is_some_and(|v| v >= (3, 14)) {
                // `Thread(target=f, context=copy_context())`.
                let last = call.arguments.iter_source_order().last()?.range();
                (last, format!("{}, context={copy}", text(last)))
            } else {
                thread_rewrite(cx, call, callable, &copy)?
            }
        }
    };
    Some(Suggestion {
        span: cx.span(span),
        replacement,
        applicability,
    })
}

/// `Thread(target=f, args=(a,))` → `Thread(target=copy.run, args=(f, a))`, as one edit over
/// the range that holds both.
fn thread_rewrite(
    cx: &FileCx<'_>,
    call: &ExprCall,
    callable: &Expr,
    copy: &str,
) -> Option<(TextRange, String)> {
    let keyword = |name: &str| {
        call.arguments
            .keywords
            .iter()
            .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
    };
    // Positional arguments after the callable (`Timer(1, f, [x])`) would need moving too.
    let callable_at = call
        .arguments
        .args
        .iter()
        .position(|a| a.range() == callable.range());
    if callable_at.is_some_and(|i| i + 1 < call.arguments.args.len()) {
        return None;
    }
    let f = cx.text(callable);
    let Some(args) = keyword("args") else {
        return Some((callable.range(), format!("{copy}.run, args=({f},)")));
    };
    let packed = match &args.value {
        Expr::Tuple(t) if t.parenthesized => {
            let inner = t.range();
            let inner = TextRange::new(
                inner.start() + TextSize::from(1),
                inner.end() - TextSize::from(1),
            );
            let items = cx
                .source
                .get(inner.start().to_usize()..inner.end().to_usize())?;
            if items.trim().is_empty() {
                format!("({f},)")
            } else {
                format!("({f}, {})", items.trim())
            }
        }
        Expr::List(l) => {
            let items: Vec<&str> = l.elts.iter().map(|e| cx.text(e)).collect();
            format!("({f}, {})", items.join(", "))
        }
        Expr::Name(_) => format!("({f}, *{})", cx.text(&args.value)),
        _ => return None,
    };
    // Both values, replaced inside the text that spans them, whatever their order.
    let (first, second) = if callable.range().start() < args.value.range().start() {
        (
            (callable.range(), format!("{copy}.run")),
            (args.value.range(), packed),
        )
    } else {
        (
            (args.value.range(), packed),
            (callable.range(), format!("{copy}.run")),
        )
    };
    let span = TextRange::new(first.0.start(), second.0.end());
    let between = cx
        .source
        .get(first.0.end().to_usize()..second.0.start().to_usize())?;
    Some((span, format!("{}{between}{}", first.1, second.1)))
}
