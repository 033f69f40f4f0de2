//! `spawn_without_context` (CTX006) for `tracing`: a task or thread spawned inside a span (an
//! `#[instrument]` function, an entered span, `in_scope`, an instrumented future) whose work
//! emits events or calls `#[instrument]` functions, which then have no parent span. Against
//! spawned futures that carry a span (`.instrument(..)`, `.in_current_span()`), spawns outside
//! any span, and work that emits nothing.

use tracing::{Instrument, Span, debug, info, info_span, instrument, warn};

async fn fetch(id: u64) -> u64 {
    debug!(id, "fetching");
    id
}

#[instrument]
async fn load(id: u64) -> u64 {
    id + 1
}

fn compute(x: u64) -> u64 {
    x * 2
}

struct Conn;

impl Conn {
    async fn serve(&self) {
        warn!("serving");
    }

    async fn idle(&self) -> u64 {
        compute(1)
    }
}

#[instrument(skip_all)]
async fn serve(conn: &'static Conn) {
    tokio::spawn(async { info!("accepted") }); //~ spawn_without_context
    tokio::spawn(fetch(1)); //~ spawn_without_context
    tokio::spawn(async move { conn.serve().await }); //~ spawn_without_context
    tokio::spawn(load(2)); //~ spawn_without_context
    std::thread::spawn(|| debug!("thread")); //~ spawn_without_context
    tokio::task::spawn_blocking(|| info!("blocking")); //~ spawn_without_context
    // Silent: the future carries the span, or emits nothing.
    tokio::spawn(async { info!("accepted") }.in_current_span());
    tokio::spawn(fetch(3).instrument(Span::current()));
    tokio::spawn(async move { conn.idle().await });
    tokio::spawn(async { compute(4) });
    std::thread::spawn(|| compute(5));
}

fn entered() {
    let span = info_span!("request");
    let _enter = span.enter();
    tokio::spawn(fetch(6)); //~ spawn_without_context
    tokio::task::spawn_local(async { info!("local") }); //~ spawn_without_context
    tokio::spawn(fetch(7).in_current_span());
}

fn dropped() {
    let span = info_span!("request");
    let enter = span.enter();
    drop(enter);
    tokio::spawn(fetch(8));
    {
        let _inner = span.enter();
    }
    tokio::spawn(fetch(9));
}

fn scoped(span: Span) {
    span.in_scope(|| {
        tokio::spawn(fetch(10)); //~ spawn_without_context
    });
    tokio::spawn(fetch(11));
}

async fn instrumented() {
    async {
        tokio::spawn(async { warn!("inner") }); //~ spawn_without_context
    }
    .instrument(info_span!("outer"))
    .await;
    tokio::spawn(async { warn!("outside") });
}

fn no_span() {
    tokio::spawn(fetch(12));
    std::thread::spawn(|| debug!("thread"));
    tokio::task::spawn_blocking(|| info!("blocking"));
    tokio::task::spawn_local(async { info!("local") });
}

fn main() {}
