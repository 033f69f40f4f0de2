//! `run` inside function-like macros whose tokens parse as expressions.

use contextvars::{ContextVar, copy_context};

static TRACE: ContextVar<&'static str> = ContextVar::with_default("trace", "none");

async fn first() {
    TRACE.set("first");
}

async fn second() {
    TRACE.set("second");
}

#[tokio::main]
async fn main() {
    let mut a = copy_context();
    let mut b = copy_context();
    tokio::join!(
        a.run(|| first()), //~ sync_run_wraps_future
        b.run(|| second()), //~ sync_run_wraps_future
    );
    let futures = vec![a.run(|| async { TRACE.set("vec"); })]; //~ sync_run_wraps_future
    for f in futures {
        f.await;
    }
    assert!(b.run(|| 1) == 1);
    assert_eq!(a.run(|| TRACE.get()), Some("none"));
    println!("{:?}", b.run(|| TRACE.get()));
    // Silent: the correct forms inside macros.
    tokio::join!(a.clone().scope(first()), b.clone().scope(second()));
}
