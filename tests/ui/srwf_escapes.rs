//! Every way a future leaves a context: through `try_run`, wrapped in `Ok`, `Some` or a tuple,
//! through a generic helper, and through a task that does not carry the context; against the
//! task handles that do carry it, and helpers whose result is not a future.

use contextvars::{Context, ContextVar, copy_context};
use std::future::Future;

static STEP: ContextVar<u32> = ContextVar::with_default("step", 0);

async fn handle() {
    STEP.set(1);
}

fn step() -> u32 {
    STEP.get().unwrap_or(0)
}

fn try_runs(ctx: &mut Context) {
    let a = ctx.try_run(|| handle()); //~ sync_run_wraps_future
    let b = ctx.try_run(|| async { STEP.set(2) }); //~ sync_run_wraps_future
    let c = Context::try_run(ctx, || handle()); //~ sync_run_wraps_future
    let d = ctx.try_run(handle); //~ sync_run_wraps_future
    let e = ctx.try_run(|| Some(handle())); //~ sync_run_wraps_future
    // Silent: the closure returns a number.
    let n = ctx.try_run(|| step());
    // Silent: `try_run` of a synchronous function.
    let m = ctx.try_run(step);
}

// Futures from other crates: only types can tell (the CLI errs toward silence; see
// docs/dylint-only.md).
fn foreign(ctx: &mut Context) {
    let sleep = ctx.run(|| tokio::time::sleep(std::time::Duration::from_millis(1))); //~ dylint: sync_run_wraps_future
    let ready = ctx.run(|| std::future::ready(1)); //~ dylint: sync_run_wraps_future
    let pending = ctx.try_run(std::future::pending::<()>); //~ dylint: sync_run_wraps_future
}

fn wrapped(ctx: &mut Context) {
    let some = ctx.run(|| Some(handle())); //~ sync_run_wraps_future
    let pair = ctx.run(|| (handle(), 1)); //~ sync_run_wraps_future
    let ok = ctx.run(|| Ok::<_, ()>(handle())); //~ sync_run_wraps_future
    let nested = ctx.run(|| Some((1, async { STEP.set(3) }))); //~ sync_run_wraps_future
    let err = ctx.run(|| Err::<(), _>(handle())); //~ sync_run_wraps_future
    // Silent: wrappers of plain values.
    let plain_some = ctx.run(|| Some(step()));
    // Silent: a tuple of numbers.
    let plain_pair = ctx.run(|| (step(), 1));
    // Silent: `Ok` of a number.
    let plain_ok = ctx.run(|| Ok::<_, ()>(step()));
}

// Generic helpers that create the future inside the context and hand it back outside.
fn in_ctx<F: Future>(ctx: &mut Context, f: impl FnOnce() -> F) -> F {
    ctx.run(f) //~ sync_run_wraps_future
}

fn in_ctx_where<F, G>(ctx: &mut Context, f: G) -> F
where
    G: FnOnce() -> F,
    F: Future<Output = ()>,
{
    ctx.run(f) //~ sync_run_wraps_future
}

fn in_ctx_generic<F: Future<Output = ()>, G: FnOnce() -> F>(ctx: &mut Context, f: G) -> F {
    ctx.run(|| f()) //~ sync_run_wraps_future
}

fn in_ctx_value<F: std::future::Future>(ctx: &mut Context, fut: F) -> F {
    ctx.run(|| fut) //~ sync_run_wraps_future
}

fn in_ctx_try<F>(ctx: &mut Context, f: impl FnOnce() -> F) -> Option<F>
where
    F: Future,
{
    ctx.try_run(f).ok() //~ sync_run_wraps_future
}

// Silent: `R` is unconstrained, so it need not be a future.
fn in_ctx_any<R>(ctx: &mut Context, f: impl FnOnce() -> R) -> R {
    ctx.run(f)
}

// Silent: bounded, but not by `Future`.
fn in_ctx_copy<R: Copy>(ctx: &mut Context, f: impl FnOnce() -> R) -> R {
    ctx.run(f)
}

// Silent: the future is the argument of the closure, not its result.
fn in_ctx_takes<F: Future>(ctx: &mut Context, fut: F) -> usize {
    ctx.run(|| std::mem::size_of_val(&fut))
}

// Synchronous work inside `run` and `try_run`, and futures made but not returned.
fn sync_work(ctx: &mut Context) {
    // Silent: a plain value.
    let a = ctx.run(|| 1 + 1);
    // Silent: unit.
    ctx.run(|| STEP.set(5));
    // Silent: a `String`.
    let b = ctx.try_run(|| format!("{}", step()));
    // Silent: a vector of numbers.
    let c = ctx.run(|| vec![step(), step()]);
    // Silent: an `Option` of a `String`.
    let d = ctx.run(|| Some(String::from("x")));
    // Silent: the future is made and dropped inside the closure.
    let e = ctx.run(|| drop(handle()));
    // Silent: a tuple of a number and a string.
    let f = ctx.try_run(|| (1, "one"));
    // Silent: the closure returns a `Result` of a number.
    let g = ctx.run(|| Ok::<u32, ()>(step()));
    // Silent: a synchronous function item.
    let h = Context::run(ctx, step);
    // Silent: the same through `try_run`.
    let i = Context::try_run(ctx, step);
}

async fn tasks() {
    let mut ctx = copy_context();
    // Silent: the task copies the current context, which is `ctx` here (Python's
    // `ctx.run(loop.create_task, coro)`).
    let task = ctx.run(|| contextvars::spawn(handle()));
    task.await.unwrap();
    // Silent: awaiting the handle of such a task is fine too.
    ctx.run(|| contextvars::spawn(handle())).await.unwrap();
    // Silent: blocking work, in a copy of the context.
    let blocking = ctx.run(|| contextvars::spawn_blocking(step));
    // Silent: an OS thread, in a copy of the context.
    let thread = ctx.run(|| contextvars::thread::spawn(step));
    // Silent: a task whose future was bound to `ctx` before it was spawned.
    let bound = tokio::spawn(copy_context().scope(handle()));

    // A tokio task does not carry the context at all: `handle` runs outside `ctx`.
    let lost = ctx.run(|| tokio::spawn(handle())); //~ sync_run_wraps_future
    let lost_too = ctx.run(|| tokio::task::spawn(async { STEP.set(4) })); //~ sync_run_wraps_future
}

fn main() {
    let mut ctx = Context::new();
    try_runs(&mut ctx);
    sync_work(&mut ctx);
    foreign(&mut ctx);
    wrapped(&mut ctx);
    let _ = in_ctx(&mut ctx, handle);
    let _ = in_ctx_where(&mut ctx, handle);
    let _ = in_ctx_generic(&mut ctx, handle);
    let _ = in_ctx_value(&mut ctx, handle());
    let _ = in_ctx_try(&mut ctx, handle);
    let _ = in_ctx_any(&mut ctx, step);
    let _ = in_ctx_copy(&mut ctx, step);
    let _ = in_ctx_takes(&mut ctx, handle());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(tasks());
}
