//! Methods whose future escapes `run`, seen through the crate's traits: a trait method declared
//! to return `impl Future`, a boxed future, an associated type bounded by `Future`, an
//! `async fn` in a trait; called on a concrete type, a generic, a trait object, or by path.

use contextvars::{Context, ContextVar};
use std::future::Future;
use std::pin::Pin;

static STEP: ContextVar<u32> = ContextVar::with_default("step", 0);

trait Handler {
    fn call(&self) -> impl Future<Output = ()> + Send;
}

struct Greeter;

impl Handler for Greeter {
    fn call(&self) -> impl Future<Output = ()> + Send {
        async {
            STEP.set(1);
        }
    }
}

trait Job {
    fn start(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

struct Cleanup;

impl Job for Cleanup {
    fn start(&self) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async {
            STEP.set(2);
        })
    }
}

trait Service {
    type Response: Future<Output = ()>;
    fn serve(&self) -> Self::Response;
}

struct Echo;

impl Service for Echo {
    type Response = std::future::Ready<()>;
    fn serve(&self) -> Self::Response {
        std::future::ready(())
    }
}

trait Worker {
    async fn work(&self);
}

struct Miner;

impl Worker for Miner {
    async fn work(&self) {
        STEP.set(3);
    }
}

trait Tally {
    fn tally(&self) -> u32;
}

impl Tally for Greeter {
    fn tally(&self) -> u32 {
        STEP.get().unwrap_or(0)
    }
}

fn concrete(ctx: &mut Context, greeter: &Greeter, cleanup: &Cleanup, echo: &Echo, miner: &Miner) {
    let a = ctx.run(|| greeter.call()); //~ sync_run_wraps_future
    let b = ctx.run(|| cleanup.start()); //~ sync_run_wraps_future
    let c = ctx.run(|| echo.serve()); //~ sync_run_wraps_future
    let d = ctx.run(|| miner.work()); //~ sync_run_wraps_future
    let e = ctx.run(|| Handler::call(greeter)); //~ sync_run_wraps_future
    let f = ctx.run(|| Worker::work(miner)); //~ sync_run_wraps_future
    // Silent: a trait method that returns a number.
    let n = ctx.run(|| greeter.tally());
    // Silent: the same, by path.
    let m = ctx.run(|| Tally::tally(greeter));
}

fn generic<H: Handler, S: Service>(ctx: &mut Context, handler: &H, service: &S) {
    let a = ctx.run(|| handler.call()); //~ sync_run_wraps_future
    let b = ctx.run(|| service.serve()); //~ sync_run_wraps_future
}

fn dynamic(ctx: &mut Context, job: &dyn Job, tally: &dyn Tally) {
    let a = ctx.run(|| job.start()); //~ sync_run_wraps_future
    // Silent: a trait object whose method returns a number.
    let n = ctx.run(|| tally.tally());
}

fn main() {
    let mut ctx = Context::new();
    concrete(&mut ctx, &Greeter, &Cleanup, &Echo, &Miner);
    generic(&mut ctx, &Greeter, &Echo);
    dynamic(&mut ctx, &Cleanup, &Greeter);
}
