//! Lint levels from attributes reach what the passes emit: `deny` makes an error, `allow` and
//! `expect` silence, on items, statements and modules.
use contextvars::{ContextVar, copy_context};
use std::sync::Mutex;

#[deny(interior_mutable_default)]
static DENIED: ContextVar<Mutex<u8>> = ContextVar::with_default("denied", Mutex::new(0)); //~ interior_mutable_default

#[allow(interior_mutable_default)]
static ALLOWED: ContextVar<Mutex<u8>> = ContextVar::with_default("allowed", Mutex::new(0));

async fn handle() {}

#[deny(sync_run_wraps_future)]
mod strict {
    pub async fn go() {
        contextvars::copy_context().run(super::handle).await; //~ sync_run_wraps_future
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    #[expect(sync_run_wraps_future)]
    copy_context().run(handle).await;
    strict::go().await;
    let _ = (&DENIED, &ALLOWED);
}
