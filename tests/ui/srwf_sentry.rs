//! sentry's `Hub::run`, whose closure returns a future that then runs outside the hub; against
//! synchronous work inside it and the fix, `fut.bind_hub(hub)`.

use sentry_core::{Hub, SentryFutureExt};
use std::sync::Arc;

async fn handle() -> u32 {
    Hub::current().last_event_id().map_or(0, |_| 1)
}

fn read() -> u32 {
    1
}

async fn hubs(hub: Arc<Hub>) {
    let a = Hub::run(hub.clone(), || handle()); //~ sync_run_wraps_future
    let b = Hub::run(hub.clone(), || async { handle().await }).await; //~ sync_run_wraps_future
    let c = sentry_core::Hub::run(Hub::current(), || handle()).await; //~ sync_run_wraps_future
    let d = Hub::run(hub.clone(), handle); //~ sync_run_wraps_future
    let e = Hub::run(Arc::new(Hub::new_from_top(Hub::current())), || Box::pin(handle())); //~ sync_run_wraps_future

    // Silent: synchronous work with the hub.
    let n = Hub::run(hub.clone(), || read());
    // Silent: a synchronous function item.
    let m = Hub::run(hub.clone(), read);
    // Silent: the fix, every poll with the hub.
    let o = handle().bind_hub(hub.clone()).await;
    // Silent: the fix, with a fresh hub.
    let p = handle().bind_hub(Arc::new(Hub::new_from_top(Hub::current()))).await;
    // Silent: a plain value.
    let q = Hub::run(hub, || 2);
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(hubs(Hub::current()));
}
