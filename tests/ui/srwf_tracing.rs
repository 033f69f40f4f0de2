//! tracing's synchronous runners: `Span::in_scope`, `subscriber::with_default` and
//! `dispatcher::with_default`, whose closure returns a future that then runs outside the span or
//! subscriber; against synchronous work inside them, `#[tracing::instrument]`, and the fixed
//! forms (`instrument`, `with_subscriber`).

use std::future::Future;
use tracing::instrument::WithSubscriber;
use tracing::subscriber::NoSubscriber;
use tracing::{Dispatch, Instrument, Span, dispatcher, info_span};

async fn fetch() -> u32 {
    tracing::info!("fetching");
    1
}

fn parse(text: &str) -> u32 {
    tracing::debug!("parsing");
    text.len() as u32
}

#[tracing::instrument]
async fn instrumented(id: u32) -> u32 {
    tracing::info!("inside the span of `instrumented`");
    id
}

struct Job {
    span: Span,
}

impl Job {
    async fn run(&self) -> u32 {
        self.span.in_scope(|| fetch()).await //~ sync_run_wraps_future
    }

    fn fixed(&self) -> impl Future<Output = u32> + '_ {
        // Silent: the future is instrumented, so every poll is inside the span.
        fetch().instrument(self.span.clone())
    }
}

async fn in_scope(span: Span) {
    let a = span.in_scope(|| async { fetch().await }); //~ sync_run_wraps_future
    let b = span.in_scope(|| fetch()).await; //~ sync_run_wraps_future
    let c = info_span!("request").in_scope(|| fetch()); //~ sync_run_wraps_future
    let d = Span::current().in_scope(fetch).await; //~ sync_run_wraps_future
    let e = span.in_scope(|| instrumented(3)); //~ sync_run_wraps_future
    let f = span.in_scope(|| Box::pin(fetch())); //~ sync_run_wraps_future

    // Silent: synchronous work inside the span.
    let n = span.in_scope(|| parse("abc"));
    // Silent: a closure that returns unit.
    span.in_scope(|| tracing::info!("sync event"));
    // Silent: an instrumented `async fn` awaited outside any `in_scope`.
    let m = instrumented(4).await;
    // Silent: the fix, with `Instrument`.
    let o = fetch().instrument(span.clone()).await;
    // Silent: the fix, with a fresh span.
    let p = fetch().instrument(info_span!("fetch")).await;
    // Silent: a span entered inside a synchronous closure, for synchronous work.
    let q = span.in_scope(|| parse("xyz") + 1);
    // Silent: a vector of numbers.
    let r = span.in_scope(|| vec![parse("a"), parse("b")]);
    // Silent: a `String`.
    let s = Span::current().in_scope(|| format!("{}", parse("c")));
    // Silent: an `Option` of a number.
    let t = info_span!("opt").in_scope(|| Some(parse("d")));
    // Silent: a tuple of plain values.
    let u = span.in_scope(|| (parse("e"), "label"));
    // Silent: a future made and dropped inside the span.
    let v = span.in_scope(|| drop(fetch()));
    // Silent: a `Result` of a number.
    let w = span.in_scope(|| Ok::<u32, ()>(parse("f")));
}

async fn subscribers() {
    let a = tracing::subscriber::with_default(NoSubscriber::default(), || fetch()); //~ sync_run_wraps_future
    let b = tracing::subscriber::with_default(NoSubscriber::default(), || async { 2 }).await; //~ sync_run_wraps_future
    let dispatch = Dispatch::new(NoSubscriber::default());
    let c = dispatcher::with_default(&dispatch, || fetch()); //~ sync_run_wraps_future
    let d = dispatcher::with_default(&dispatch, || async { fetch().await }).await; //~ sync_run_wraps_future
    let e = tracing::dispatcher::with_default(&dispatch, fetch); //~ sync_run_wraps_future

    // Silent: synchronous work under a subscriber.
    let n = tracing::subscriber::with_default(NoSubscriber::default(), || parse("a"));
    // Silent: the same under a dispatcher.
    let m = dispatcher::with_default(&dispatch, || parse("b"));
    // Silent: the fix, with `WithSubscriber`.
    let o = fetch().with_subscriber(NoSubscriber::default()).await;
    // Silent: the same with the dispatcher.
    let p = fetch().with_subscriber(dispatch.clone()).await;
    // Silent: a closure that logs and returns unit.
    dispatcher::with_default(&dispatch, || tracing::info!("sync"));
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        in_scope(Span::none()).await;
        subscribers().await;
        let job = Job { span: Span::none() };
        job.run().await;
        job.fixed().await;
    });
}
