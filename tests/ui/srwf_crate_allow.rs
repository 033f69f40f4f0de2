//! A crate-level `#![allow]` silences the whole crate.
#![allow(sync_run_wraps_future)]

use contextvars::copy_context;

async fn handle() {}

#[tokio::main]
async fn main() {
    copy_context().run(|| handle()).await;
    copy_context().run(handle).await;
}
