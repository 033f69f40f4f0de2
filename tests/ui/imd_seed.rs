//! Seed scenario 1 ("contextvars isolation is a shallow copy"): a `ContextVar` whose default is
//! a mutable object. Every task mutates the one default, so all three see `count == 3`.
//! The fixed form gives each task a fresh value with `set()`.

use contextvars::ContextVar;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The Python article's `MyContext`: a counter that tasks bump.
struct MyContext {
    count: AtomicUsize,
}

impl MyContext {
    const fn new() -> Self {
        MyContext {
            count: AtomicUsize::new(0),
        }
    }
}

// Bad: the default is one `MyContext`, shared by every task.
static CTX_2: ContextVar<MyContext> = ContextVar::with_default("ctx_2", MyContext::new()); //~ interior_mutable_default

// Bad, the struct-literal spelling of the same thing.
static CTX_3: ContextVar<MyContext> = ContextVar::with_default(
    "ctx_3",
    MyContext { //~ interior_mutable_default
        count: AtomicUsize::new(0),
    },
);

// Fixed: no default; each task sets its own value.
static CTX_FIXED: ContextVar<Arc<MyContext>> = ContextVar::new("ctx_fixed");

// Fine: an immutable default (the article's `int`).
static COUNT: ContextVar<usize> = ContextVar::with_default("count", 0);

async fn bad_task() -> usize {
    CTX_2.with(|ctx| ctx.map_or(0, |c| c.count.fetch_add(1, Ordering::SeqCst) + 1))
}

async fn fixed_task() -> usize {
    CTX_FIXED.set(Arc::new(MyContext::new()));
    CTX_FIXED.with(|ctx| ctx.map_or(0, |c| c.count.fetch_add(1, Ordering::SeqCst) + 1))
}

#[tokio::main]
async fn main() {
    for _ in 0..3 {
        let shared = contextvars::spawn(bad_task()).await.unwrap_or(0);
        let own = contextvars::spawn(fixed_task()).await.unwrap_or(0);
        println!("shared: {shared}, own: {own}, count: {:?}", COUNT.get());
    }
    let _ = &CTX_3;
}
