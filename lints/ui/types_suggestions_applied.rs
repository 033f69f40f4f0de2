//! `types_suggestions.rs` with each of its suggestions applied: this must compile, and only the
//! two findings that get no suggestion remain.
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
    ctx.scope_mut(handle()).await;
    ctx.scope_mut(handle()).await;
    ctx.scope_mut(greet(name)).await;
    ctx.scope_mut(async { handle().await }).await;
    ctx.scope_mut(async move { greet(name).await }).await;
    Context::scope_mut(&mut ctx, async {}).await;
    Ctx::scope_mut(&mut ctx, handle()).await;
    (&mut ctx).scope_mut(handle()).await;

    // Not suggested: the argument would read the caller's `USER` instead of the copy's.
    ctx.run(|| greet(USER.get().unwrap_or_default())).await; //~ sync_run_wraps_future
    // Not suggested: `move` closure around a borrowing block.
    ctx.run(move || async { greet(name).await }).await; //~ sync_run_wraps_future
}
