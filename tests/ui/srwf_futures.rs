//! Every way a `run` closure can return a future, and closures that look like it but don't.

use contextvars::{ContextVar, copy_context};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

static STEP: ContextVar<u32> = ContextVar::with_default("step", 0);

async fn handle() {
    STEP.set(1);
}

async fn handle_with(step: u32, _label: &str) {
    STEP.set(step);
}

fn compute() -> u32 {
    STEP.get().unwrap_or(0) + 1
}

fn make_future() -> impl Future<Output = ()> {
    async { STEP.set(2); }
}

struct Service {
    step: u32,
}

impl Service {
    async fn call(&self) {
        STEP.set(self.step);
    }

    fn describe(&self) -> String {
        format!("step {}", self.step)
    }
}

async fn futures() {
    let mut ctx = copy_context();
    let service = Service { step: 3 };
    let step = 4;
    ctx.run(|| async { STEP.set(1) }); //~ sync_run_wraps_future
    ctx.run(|| async move { STEP.set(step) }).await; //~ sync_run_wraps_future
    ctx.run(|| handle()).await; //~ sync_run_wraps_future
    ctx.run(|| handle_with(5, "five")).await; //~ sync_run_wraps_future
    ctx.run(|| handle_with(step + 1, "six")).await; //~ sync_run_wraps_future
    ctx.run(|| service.call()).await; //~ sync_run_wraps_future
    ctx.run(|| Box::pin(handle())).await; //~ sync_run_wraps_future
    let pinned: Pin<Box<dyn Future<Output = ()>>> = ctx.run(|| Box::pin(async { STEP.set(7); })); //~ sync_run_wraps_future
    pinned.await;
    ctx.run(handle).await; //~ sync_run_wraps_future
    let pending = ctx.run(handle); //~ sync_run_wraps_future
    pending.await;
    ctx.run(|| make_future()).await; //~ sync_run_wraps_future
    ctx.run(|| tokio::time::sleep(Duration::from_millis(1))).await; //~ sync_run_wraps_future
    let fut = async { STEP.set(8) };
    ctx.run(|| fut).await; //~ sync_run_wraps_future
    ctx.run(|| { //~ sync_run_wraps_future
        let step = 9;
        async move { STEP.set(step) }
    })
    .await;
    ctx.run(async || STEP.set(10)).await; //~ sync_run_wraps_future

    // Silent: the closures return plain values.
    let n = ctx.run(|| 5);
    let m = ctx.run(compute);
    let k = ctx.run(|| compute() + 1);
    let text = ctx.run(|| service.describe());
    // Silent: a future is created and dropped inside, but the result is a number.
    let dropped = ctx.run(|| {
        let unused = async { STEP.set(11) };
        drop(unused);
        12
    });
    // Silent: the future is driven to completion inside `run`.
    let runtime = tokio::runtime::Builder::new_current_thread().build();
    if let Ok(runtime) = runtime {
        let done = std::thread::spawn(move || {
            let mut inner = copy_context();
            inner.run(|| runtime.block_on(async { STEP.set(13) }))
        });
        let _ = done.join();
    }
    // Silent: a local closure called `handle` shadows the async fn.
    let handle = || 14;
    let shadowed = ctx.run(handle);
    println!("{n} {m} {k} {text} {dropped} {shadowed}");
}

#[tokio::main]
async fn main() {
    futures().await;
}
