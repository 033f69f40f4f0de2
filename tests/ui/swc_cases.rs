//! `spawn_without_context` (CTX006): work handed to `std::thread::spawn`, `tokio::spawn`,
//! `spawn_blocking` and `spawn_local` that reads a `ContextVar` of the crate, directly or
//! through the crate's functions and methods; against the spawns of `contextvars` (which copy
//! the context), futures bound to a context, and work that reads none.

use contextvars::{ContextVar, FutureExt, copy_context};

static REQUEST_ID: ContextVar<u64> = ContextVar::new("request_id");
static USER: ContextVar<&'static str> = ContextVar::with_default("user", "anonymous");

fn request_id() -> Option<u64> {
    REQUEST_ID.get()
}

fn log(message: &str) {
    println!("{:?} {message}", request_id());
}

fn audit(action: &str) {
    log(action);
}

fn compute(x: u64) -> u64 {
    x * 2
}

async fn report() {
    USER.with(|u| println!("{u:?}"));
}

async fn tick() -> u64 {
    compute(1)
}

struct Worker;

impl Worker {
    fn handle(&self) {
        audit("handle");
    }

    fn quiet(&self) -> u64 {
        compute(2)
    }
}

fn threads(worker: &'static Worker) {
    std::thread::spawn(|| REQUEST_ID.get()); //~ spawn_without_context
    std::thread::spawn(|| log("a")); //~ spawn_without_context
    std::thread::spawn(move || audit("b")); //~ spawn_without_context
    std::thread::spawn(move || worker.handle()); //~ spawn_without_context
    std::thread::spawn(|| { //~ spawn_without_context
        let user = USER.get();
        println!("{user:?}");
    });
    // Silent: the runtime's spawn copies the context, or nothing reads it.
    contextvars::thread::spawn(|| log("c"));
    std::thread::spawn(|| compute(3));
    std::thread::spawn(move || worker.quiet());
    std::thread::spawn(|| println!("no context here"));
    let mut ctx = copy_context();
    std::thread::spawn(move || ctx.run(|| compute(4)));
}

async fn tasks(worker: &'static Worker) {
    tokio::spawn(async { REQUEST_ID.get() }); //~ spawn_without_context
    tokio::spawn(async move { log("d") }); //~ spawn_without_context
    tokio::spawn(report()); //~ spawn_without_context
    tokio::task::spawn(async move { worker.handle() }); //~ spawn_without_context
    tokio::spawn(async { //~ spawn_without_context
        audit("e");
        tick().await
    });
    // Silent.
    contextvars::spawn(report());
    tokio::spawn(copy_context().scope(report()));
    tokio::spawn(report().with_current_context());
    tokio::spawn(tick());
    tokio::spawn(async { compute(5) });
}

async fn blocking(worker: &'static Worker) {
    tokio::task::spawn_blocking(|| log("f")); //~ spawn_without_context
    tokio::task::spawn_blocking(request_id); //~ spawn_without_context
    tokio::task::spawn_blocking(move || worker.handle()); //~ spawn_without_context
    tokio::task::spawn_blocking(|| USER.with(|u| u.map(|u| u.len()))); //~ spawn_without_context
    tokio::task::spawn_blocking(|| audit("g")); //~ spawn_without_context
    // Silent.
    contextvars::spawn_blocking(|| log("h"));
    tokio::task::spawn_blocking(|| compute(6));
    tokio::task::spawn_blocking(move || worker.quiet());
    tokio::task::spawn_blocking(|| ());
    let mut ctx = copy_context();
    tokio::task::spawn_blocking(move || ctx.run(|| compute(7)));
}

async fn local(worker: &'static Worker) {
    let set = tokio::task::LocalSet::new();
    set.run_until(async move {
        tokio::task::spawn_local(async { REQUEST_ID.get() }); //~ spawn_without_context
        tokio::task::spawn_local(report()); //~ spawn_without_context
        tokio::task::spawn_local(async move { worker.handle() }); //~ spawn_without_context
        tokio::task::spawn_local(async { log("i") }); //~ spawn_without_context
        tokio::task::spawn_local(async { audit("j") }); //~ spawn_without_context
        // Silent.
        contextvars::spawn_local(report());
        tokio::task::spawn_local(copy_context().scope(report()));
        tokio::task::spawn_local(tick());
        tokio::task::spawn_local(async { compute(8) });
        tokio::task::spawn_local(async move { worker.quiet() });
    })
    .await;
}

fn main() {}
