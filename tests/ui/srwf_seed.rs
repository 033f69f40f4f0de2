//! Seed scenario 2 ("Python ContextVar"): `await copy_ctx.run(nested)` only *creates* the
//! coroutine inside the copy; it runs when awaited, in the caller's context, so the caller's
//! value changes. The fix runs it as a task bound to the copy.

use contextvars::{ContextVar, copy_context};

static USER: ContextVar<&'static str> = ContextVar::with_default("user", "anonymous");

async fn nested() {
    USER.set("nested");
}

fn nested_sync() {
    USER.set("nested");
}

async fn bad() {
    let mut copy_ctx = copy_context();
    copy_ctx.run(nested).await; //~ sync_run_wraps_future
    copy_ctx.run(|| nested()).await; //~ sync_run_wraps_future
    println!("caller sees {:?}", USER.get()); // "nested": the write leaked
}

async fn fixed() {
    // The sync case of the article is fine: `run` runs a sync function inside the copy.
    let mut copy_ctx = copy_context();
    copy_ctx.run(nested_sync);
    copy_ctx.run(|| nested_sync());
    // The async fix: a task bound to the copy, or the future scoped to it.
    contextvars::spawn(nested()).await.ok();
    copy_context().scope(nested()).await;
    copy_ctx.scope_mut(nested()).await;
    println!("caller sees {:?}", USER.get()); // still "anonymous"
}

#[tokio::main]
async fn main() {
    fixed().await;
    bad().await;
}
