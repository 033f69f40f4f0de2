// compile-flags: -Z macro-backtrace
//! `spawn_without_context` (CTX006) where what the spawned work reads is written inside a
//! macro: in a branch of `tokio::select!` (its future, or its body), and `tracing` events
//! whose own expansion calls `event!` again (fields, `?` and `%` values, format arguments).
//!
//! The place of "the context is read here" is the event macro's call in this file. (The
//! Dylint library runs this case with `-Z macro-backtrace`, which shows spans as rustc has
//! them: without it, rustc's terminal output moves a span inside another crate's macro back
//! to the call in this file by itself, but the JSON output does not.)

use contextvars::ContextVar;
use tokio::sync::mpsc::Receiver;
use tracing::{Instrument, debug, info, instrument, warn};

static REQUEST_ID: ContextVar<u64> = ContextVar::new("request_id");

async fn tick() {}

async fn fetch(id: u64) -> u64 {
    debug!(id, "fetching");
    id
}

async fn quiet(id: u64) -> u64 {
    id
}

// The only event of the task is in a branch body of `tokio::select!`.
#[instrument(skip_all)]
async fn select_body(mut rx: Receiver<u64>) {
    tokio::spawn(async move { //~ spawn_without_context
        loop {
            tokio::select! {
                Some(id) = rx.recv() => {
                    let _ = id;
                }
                _ = tick() => info!("tick"),
            }
        }
    });
}

// The branch's future calls a function that emits one.
#[instrument(skip_all)]
async fn select_future() {
    tokio::spawn(async move { //~ spawn_without_context
        tokio::select! {
            biased;
            n = fetch(1) => n,
            _ = tick() => 0,
        }
    });
}

// A `ContextVar` read in a branch body.
fn select_read() {
    tokio::spawn(async move { //~ spawn_without_context
        tokio::select! {
            _ = tick() => REQUEST_ID.get(),
        }
    });
}

// Events whose expansion goes through `event!` more than once.
#[instrument(skip_all)]
async fn event_forms(x: u64, err: std::io::Error) {
    tokio::spawn(async move { tracing::trace!(?x, "new event") }); //~ spawn_without_context
    tokio::spawn(async move { warn!(%err, "failed") }); //~ spawn_without_context
    tokio::spawn(async move { debug!("got {}: {:?}", x, x) }); //~ spawn_without_context
}

// Silent: the select! runs nothing that reads, or the future carries the span.
#[instrument(skip_all)]
async fn silent(mut rx: Receiver<u64>) {
    tokio::spawn(async move {
        tokio::select! {
            n = quiet(2) => n,
            _ = tick() => 0,
        }
    });
    tokio::spawn(
        async move {
            tokio::select! {
                Some(id) = rx.recv() => info!(id, "received"),
                _ = tick() => {}
            }
        }
        .in_current_span(),
    );
}

fn main() {}
