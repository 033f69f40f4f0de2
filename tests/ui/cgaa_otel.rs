//! OpenTelemetry's `ContextGuard` (from `Context::attach`) held across an `.await`; against
//! guards that end before it and the fix, `FutureExt::with_context`.

use opentelemetry::trace::FutureExt;
use opentelemetry::{Context, KeyValue};

async fn fetch() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq)]
struct Tenant(u32);

async fn attached() -> u32 {
    let _guard = Context::current().with_value(Tenant(1)).attach(); //~ context_guard_across_await
    fetch().await
}

async fn attached_param(cx: Context) -> u32 {
    let guard = cx.attach(); //~ context_guard_across_await
    let n = fetch().await;
    drop(guard);
    n
}

async fn attached_new() {
    let cx = Context::new().with_value(Tenant(2));
    let _attached = cx.attach(); //~ context_guard_across_await
    if fetch().await > 0 {
        let _ = KeyValue::new("k", "v");
    }
}

async fn attached_ref(cx: &Context) -> u32 {
    let _g = cx.clone().attach(); //~ context_guard_across_await
    fetch().await
}

async fn attached_in_loop(cx: Context) {
    for _ in 0..2 {
        let _guard = cx.clone().attach(); //~ context_guard_across_await
        fetch().await;
    }
}

// Silent: the guard's block ends first.
async fn inner_block(cx: Context) -> u32 {
    {
        let _guard = cx.attach();
    }
    fetch().await
}

// Silent: dropped first.
async fn dropped(cx: Context) -> u32 {
    let guard = cx.attach();
    drop(guard);
    fetch().await
}

// Silent: `let _ =` drops it at once.
async fn underscore(cx: Context) -> u32 {
    let _ = cx.attach();
    fetch().await
}

// Silent: the fix, every poll with the context.
async fn fixed(cx: Context) -> u32 {
    fetch().with_context(cx).await
}

// Silent: the guard is dropped inside a branch before the `.await`.
async fn dropped_in_block(cx: Context) -> u32 {
    let guard = cx.attach();
    {
        drop(guard);
    }
    fetch().await
}

// Silent: attached and detached in a nested block of its own.
async fn nested(cx: Context) -> u32 {
    let n = {
        let _guard = cx.clone().attach();
        2
    };
    n + fetch().await
}

// Silent: an attach in a closure that has no `.await`.
async fn in_closure(cx: Context) -> u32 {
    let f = || {
        let _guard = cx.clone().attach();
        4
    };
    f() + fetch().await
}

// Silent: a synchronous function.
fn synchronous(cx: Context) -> u32 {
    let _guard = cx.attach();
    3
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        attached().await;
        attached_param(Context::new()).await;
        attached_new().await;
        attached_ref(&Context::new()).await;
        attached_in_loop(Context::new()).await;
        inner_block(Context::new()).await;
        dropped(Context::new()).await;
        underscore(Context::new()).await;
        fixed(Context::new()).await;
        synchronous(Context::new());
        dropped_in_block(Context::new()).await;
        nested(Context::new()).await;
        in_closure(Context::new()).await;
    });
}
