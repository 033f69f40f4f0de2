//! Where `scope_mut` is suggested (creating the future runs none of its code) and where not.
use contextvars::{Context, ContextVar, copy_context};

static USER: ContextVar<&'static str> = ContextVar::with_default("user", "anonymous");

async fn handle() {
    let _ = USER.set("alice");
}

async fn greet(name: &str) -> usize {
    name.len()
}

type Ctx = Context;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut ctx = copy_context();
    let name = "carol";

    // Suggested.
    ctx.run(|| handle()).await; //~ sync_run_wraps_future
    ctx.run(handle).await; //~ sync_run_wraps_future
    ctx.run(|| greet(name)).await; //~ sync_run_wraps_future
    ctx.run(|| async { handle().await }).await; //~ sync_run_wraps_future
    ctx.run(move || async move { greet(name).await }).await; //~ sync_run_wraps_future
    Context::run(&mut ctx, || async {}).await; //~ sync_run_wraps_future
    Ctx::run(&mut ctx, handle).await; //~ sync_run_wraps_future
    (&mut ctx).run(handle).await; //~ sync_run_wraps_future

    // Not suggested: the argument would read the caller's `USER` instead of the copy's.
    ctx.run(|| greet(USER.get().unwrap_or_default())).await; //~ sync_run_wraps_future
    // Not suggested: `move` closure around a borrowing block.
    ctx.run(move || async { greet(name).await }).await; //~ sync_run_wraps_future
}
