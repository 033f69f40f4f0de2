//! Calls of `run` that a text-matching linter flags but that are fine: the closure mentions
//! `async` or an async fn without returning a future, or the receiver is not a `Context`.

use contextvars::{ContextVar, copy_context};

static HITS: ContextVar<u32> = ContextVar::with_default("hits", 0);

async fn handle() {
    HITS.set(1);
}

/// Its name says async; it is not.
fn fetch_async() -> u32 {
    HITS.get().unwrap_or(0)
}

trait Runs {
    fn run<R>(&mut self, f: impl FnOnce() -> R) -> R;
}

struct Pool;

impl Runs for Pool {
    fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
        f()
    }
}

async fn generic<T: Runs>(runner: &mut T) {
    runner.run(|| async { HITS.set(2) }).await;
    runner.run(|| handle()).await;
}

fn values() {
    let mut ctx = copy_context();
    let _ = ctx.run(|| fetch_async());
    let _ = ctx.run(|| "async { handle().await }");
    // (A future wrapped in `Some` or a tuple escapes all the same: see `srwf_escapes.rs`.)
    let _ = ctx.run(|| vec![handle()]);
    let _ = ctx.run(|| drop(handle()));
    let _ = ctx.run(|| handle);
    let _ = ctx.run(|| {
        let unused = handle();
        std::mem::forget(unused);
        HITS.get()
    });
    let _ = ctx.run(|| std::thread::spawn(fetch_async).join()); //~ spawn_without_context
    let _ = ctx.run(|| HITS.set(3));
}

#[tokio::main]
async fn main() {
    values();
    let mut pools = vec![Pool];
    pools[0].run(|| handle()).await;
    generic(&mut Pool).await;
}
