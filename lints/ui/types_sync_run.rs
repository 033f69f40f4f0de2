//! `run` closures whose futures only types reveal, and `run`s that are not `Context::run`.
use contextvars::{Context, ContextVar, copy_context};
use std::future::Future;
use std::time::Duration;

static USER: ContextVar<&'static str> = ContextVar::with_default("user", "anonymous");

async fn handle() {
    let _ = USER.set("alice");
}

/// A function returning a future type from another crate, with no `async` in sight.
fn pause() -> tokio::time::Sleep {
    tokio::time::sleep(Duration::from_millis(1))
}

/// `F` is a future only by its bound.
fn run_later<F: Future>(ctx: &mut Context, make: impl FnOnce() -> F) -> F {
    ctx.run(make) //~ sync_run_wraps_future
}

/// Same method name, another type: not flagged.
struct Runner;

impl Runner {
    fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
        f()
    }
}

type Ctx = Context;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut ctx = copy_context();
    ctx.run(|| tokio::time::sleep(Duration::ZERO)).await; //~ sync_run_wraps_future
    ctx.run(pause).await; //~ sync_run_wraps_future
    ctx.run(|| std::future::ready(1)).await; //~ sync_run_wraps_future
    let boxed: Box<dyn FnOnce() -> std::pin::Pin<Box<dyn Future<Output = ()>>>> =
        Box::new(|| Box::pin(handle()));
    ctx.run(boxed).await; //~ sync_run_wraps_future
    run_later(&mut ctx, handle).await;

    // Not futures.
    let answer = ctx.run(|| 42);
    ctx.run(|| {
        let _ = USER.set("bob");
    });
    Runner.run(|| async {}).await;
    println!("{answer}");
}
