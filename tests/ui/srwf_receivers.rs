//! Which receivers are a `contextvars::Context`: bindings from `copy_context()`,
//! `Context::new()`, `Context::default()` or a `.clone()` of one; parameters and fields typed
//! `Context` or `&mut Context`; all through `use` renames. Other types with a `run` method,
//! and shadowed bindings, stay silent.

use contextvars::Context as Ctx;
use contextvars::{Context, ContextVar, copy_context};

static REQUEST: ContextVar<u64> = ContextVar::with_default("request", 0);

async fn handle() {
    REQUEST.set(1);
}

/// Not a `contextvars::Context`, but it has a `run` with the same shape.
struct Runner;

impl Runner {
    fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
        f()
    }
}

mod other {
    /// Called `Context`, but this crate's own.
    pub struct Context;

    impl Context {
        pub fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
            f()
        }
    }
}

struct Worker {
    ctx: Context,
    runner: Runner,
}

impl Worker {
    async fn work(&mut self) {
        self.ctx.run(|| handle()).await; //~ sync_run_wraps_future
        // Silent: `self.runner` is a `Runner`.
        self.runner.run(|| handle()).await;
    }
}

async fn by_param(ctx: &mut Context, owned: Context, renamed: &mut Ctx, other: &mut other::Context) {
    ctx.run(|| handle()).await; //~ sync_run_wraps_future
    let mut owned = owned;
    owned.run(|| handle()).await; //~ sync_run_wraps_future
    renamed.run(|| handle()).await; //~ sync_run_wraps_future
    // Silent: `other::Context` only shares the name.
    other.run(|| handle()).await;
}

async fn by_binding() {
    let mut copied = copy_context();
    copied.run(|| handle()).await; //~ sync_run_wraps_future
    let mut fresh = Context::new();
    fresh.run(|| handle()).await; //~ sync_run_wraps_future
    let mut defaulted = Ctx::default();
    defaulted.run(|| handle()).await; //~ sync_run_wraps_future
    let mut cloned = copied.clone();
    cloned.run(|| handle()).await; //~ sync_run_wraps_future
    let mut typed: Context = Default::default();
    typed.run(|| handle()).await; //~ sync_run_wraps_future
    copy_context().run(|| handle()).await; //~ sync_run_wraps_future
    contextvars::copy_context().run(|| handle()).await; //~ sync_run_wraps_future
    Context::run(&mut fresh, || handle()).await; //~ sync_run_wraps_future
    let by_ref = &mut typed;
    // Silent for syntax: a `let` without a type from a plain reference is not followed.
    let _ = by_ref;

    // Silent: a `Runner`, whatever it is called.
    let mut runner = Runner;
    runner.run(|| handle()).await;
    runner.run(|| async { REQUEST.set(2) }).await;
    let mut ctx = Runner;
    ctx.run(|| handle()).await;

    // Silent: the shadowing binding is a `Runner`.
    let mut shadow = copy_context();
    shadow.run(|| 1);
    {
        let mut shadow = Runner;
        shadow.run(|| handle()).await;
    }
    // ... and here the outer `Context` is visible again.
    shadow.run(|| handle()).await; //~ sync_run_wraps_future

    // Silent: `other::Context` through a binding.
    let mut lookalike = other::Context;
    lookalike.run(|| handle()).await;
}

#[tokio::main]
async fn main() {
    let mut worker = Worker {
        ctx: copy_context(),
        runner: Runner,
    };
    worker.work().await;
    let mut ctx = copy_context();
    let mut renamed = Ctx::new();
    by_param(&mut ctx, copy_context(), &mut renamed, &mut other::Context).await;
    by_binding().await;
}
