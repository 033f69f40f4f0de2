//! `sync_run_wraps_future` (CTX002) for blocks that make a context current with a guard and
//! whose value is a future: the future is made inside the context, and polled after the block,
//! once the guard is gone (`{ let _guard = span.enter(); self.inner.call(req) }.await`, as
//! HTTP tracing layers wrote it). Against blocks that drop the guard first, that make no
//! future, whose future is not polled after them, and the fixed forms.

use opentelemetry::Context as OtelContext;
use std::future::Future;
use std::pin::Pin;
use tracing::subscriber::NoSubscriber;
use tracing::{Instrument, Span, info_span};

async fn work() -> u32 {
    tracing::info!("working");
    1
}

fn now() -> u32 {
    2
}

struct Service;

impl Service {
    async fn call(&self, n: u32) -> u32 {
        n
    }
}

async fn awaited_block(span: Span) -> u32 {
    {
        let _guard = span.enter();
        work() //~ sync_run_wraps_future
    }
    .await
}

async fn bound_then_awaited(service: &Service) -> u32 {
    let span = info_span!("request");
    let fut = {
        let _guard = span.enter();
        service.call(3) //~ sync_run_wraps_future
    };
    let n = now();
    fut.await + n
}

async fn with_a_subscriber() -> u32 {
    {
        let _default = tracing::subscriber::set_default(NoSubscriber::default());
        work() //~ sync_run_wraps_future
    }
    .await
}

async fn with_an_otel_context() -> u32 {
    {
        let _attached = OtelContext::current().attach();
        work() //~ sync_run_wraps_future
    }
    .await
}

fn boxed(span: &Span) -> Pin<Box<dyn Future<Output = u32> + Send>> {
    let future = {
        let _entered = span.clone().entered();
        work() //~ sync_run_wraps_future
    };
    Box::pin(future)
}

// Silent: the guard is dropped before the future is made.
async fn dropped_first(span: Span) -> u32 {
    {
        let guard = span.enter();
        drop(guard);
        work()
    }
    .await
}

// Silent: the block makes no future; its value is ready inside the span.
async fn no_future(span: Span) -> u32 {
    let n = {
        let _guard = span.enter();
        now()
    };
    work().await + n
}

// Silent: `let _ = ..` drops the guard at once.
async fn dropped_at_once(span: Span) -> u32 {
    {
        let _ = span.enter();
        work()
    }
    .await
}

// Silent: no guard in the block.
async fn no_guard() -> u32 {
    {
        let n = now();
        work()
    }
    .await
}

/// Silent: the future is kept with its span, which a wrapper enters on every poll
/// (tower-http's `ResponseFuture`).
struct Traced<F> {
    inner: F,
    span: Span,
}

fn stored_with_its_span(span: Span) -> Traced<impl Future<Output = u32>> {
    let inner = {
        let _guard = span.enter();
        work()
    };
    Traced { inner, span }
}

// The fixed form.
async fn instrumented(span: Span) -> u32 {
    work().instrument(span).await
}

fn main() {
    let _ = (
        awaited_block(Span::none()),
        bound_then_awaited(&Service),
        with_a_subscriber(),
        with_an_otel_context(),
        boxed(&Span::none()),
        dropped_first(Span::none()),
        no_future(Span::none()),
        dropped_at_once(Span::none()),
        no_guard(),
        stored_with_its_span(Span::none()),
        instrumented(Span::none()),
    );
}
