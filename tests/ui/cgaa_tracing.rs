//! tracing guards held across an `.await`: `Span::enter`, `Span::entered`, and the
//! `DefaultGuard` of `subscriber::set_default` / `dispatcher::set_default`; against guards that
//! end before the `.await`, `let _ = …`, and the fixed forms.

use tracing::instrument::WithSubscriber;
use tracing::subscriber::NoSubscriber;
use tracing::{Dispatch, Instrument, Span, dispatcher, info_span};

async fn fetch() -> u32 {
    tracing::info!("fetching");
    1
}

async fn entered(span: Span) -> u32 {
    let _enter = span.enter(); //~ context_guard_across_await
    fetch().await
}

async fn entered_owned() -> u32 {
    let guard = info_span!("owned").entered(); //~ context_guard_across_await
    let n = fetch().await;
    drop(guard);
    n
}

async fn entered_current() {
    let current = Span::current();
    let _g = current.enter(); //~ context_guard_across_await
    if fetch().await > 0 {
        tracing::info!("inside");
    }
}

async fn entered_in_loop(span: &Span) {
    for _ in 0..2 {
        let _guard = span.enter(); //~ context_guard_across_await
        fetch().await;
    }
}

async fn entered_in_block(span: Span) -> u32 {
    async move {
        let _e = span.enter(); //~ context_guard_across_await
        fetch().await
    }
    .await
}

async fn subscriber_guard() -> u32 {
    let _default = tracing::subscriber::set_default(NoSubscriber::default()); //~ context_guard_across_await
    fetch().await
}

async fn dispatcher_guard(dispatch: Dispatch) -> u32 {
    let guard = dispatcher::set_default(&dispatch); //~ context_guard_across_await
    let n = fetch().await;
    drop(guard);
    n
}

async fn dispatcher_guard_in_match(dispatch: &Dispatch) -> u32 {
    let _guard = tracing::dispatcher::set_default(dispatch); //~ context_guard_across_await
    match fetch().await {
        0 => 0,
        n => n + 1,
    }
}

async fn subscriber_guard_then_select() -> u32 {
    let _sub = tracing::subscriber::set_default(NoSubscriber::default()); //~ context_guard_across_await
    let n = fetch().await + fetch().await;
    n
}

async fn entered_then_await_in_let(span: Span) -> u32 {
    let _entered = span.clone().entered(); //~ context_guard_across_await
    let value = fetch().await;
    value
}

// Silent: the guard's block ends before the `.await`.
async fn inner_block(span: Span) -> u32 {
    {
        let _enter = span.enter();
        tracing::info!("synchronous work in the span");
    }
    fetch().await
}

// Silent: dropped before the `.await`.
async fn dropped(span: Span) -> u32 {
    let guard = span.enter();
    tracing::info!("synchronous work");
    drop(guard);
    fetch().await
}

// Silent: `let _ =` drops the guard at once.
async fn underscore(span: Span) -> u32 {
    let _ = span.enter();
    fetch().await
}

// Silent: exited before the `.await`.
async fn exited() -> u32 {
    let span = info_span!("exited").entered();
    tracing::info!("synchronous");
    span.exit();
    fetch().await
}

// Silent: the fix, every poll inside the span.
async fn instrumented(span: Span) -> u32 {
    fetch().instrument(span).await
}

// Silent: a synchronous function may hold a guard as long as it likes.
fn synchronous(span: &Span) -> u32 {
    let _enter = span.enter();
    2
}

// Silent: the subscriber guard ends in its block.
async fn subscriber_block() -> u32 {
    {
        let _default = tracing::subscriber::set_default(NoSubscriber::default());
        tracing::info!("sync");
    }
    fetch().await
}

// Silent: the fix for subscribers.
async fn with_subscriber() -> u32 {
    fetch().with_subscriber(NoSubscriber::default()).await
}

// Silent: the dispatcher guard is dropped first.
async fn dispatcher_dropped(dispatch: Dispatch) -> u32 {
    let guard = dispatcher::set_default(&dispatch);
    tracing::info!("sync");
    drop(guard);
    fetch().await
}

// Silent: `#[tracing::instrument]` enters the span around every poll.
#[tracing::instrument]
async fn attribute(id: u32) -> u32 {
    fetch().await + id
}

// Silent: the guard lives inside a closure that has no `.await`.
async fn in_closure(span: Span) -> u32 {
    let work = || {
        let _enter = span.enter();
        3
    };
    work() + fetch().await
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let dispatch = Dispatch::new(NoSubscriber::default());
        entered(Span::none()).await;
        entered_owned().await;
        entered_current().await;
        entered_in_loop(&Span::none()).await;
        entered_in_block(Span::none()).await;
        subscriber_guard().await;
        dispatcher_guard(dispatch.clone()).await;
        dispatcher_guard_in_match(&dispatch).await;
        subscriber_guard_then_select().await;
        entered_then_await_in_let(Span::none()).await;
        inner_block(Span::none()).await;
        dropped(Span::none()).await;
        underscore(Span::none()).await;
        exited().await;
        instrumented(Span::none()).await;
        synchronous(&Span::none());
        subscriber_block().await;
        with_subscriber().await;
        dispatcher_dropped(dispatch).await;
        attribute(1).await;
        in_closure(Span::none()).await;
    });
}
