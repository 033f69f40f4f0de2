//! The two seed articles' programs, ported: the behaviour this crate exists to get right.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};

use contextvars::{ContextVar, copy_context};
use tokio::sync::Barrier;

/// The Japanese article's `MyContext`: an object with a mutable counter.
#[derive(Default)]
struct MyContext {
    count: AtomicUsize,
}

/// Bad form: `ContextVar("ctx_2", default=MyContext())`. One object, shared by every task.
/// (This is what ctxlint's `interior_mutable_default` reports.)
static CTX_2_SHARED: LazyLock<ContextVar<Arc<MyContext>>> =
    LazyLock::new(|| ContextVar::with_default("ctx_2", Arc::new(MyContext::default())));

/// Good form: no default; each task sets its own instance.
static CTX_2: ContextVar<Arc<MyContext>> = ContextVar::new("ctx_2");

/// Each task: take the value, `count += 1`, set it back, wait for the others, report.
async fn three_tasks(var: &'static ContextVar<Arc<MyContext>>, fresh: bool) -> Vec<(usize, usize)> {
    let barrier = Arc::new(Barrier::new(3));
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            contextvars::spawn(async move {
                if fresh {
                    var.set(Arc::new(MyContext::default()));
                }
                let ctx = var.get().unwrap();
                ctx.count.fetch_add(1, Ordering::SeqCst);
                var.set(Arc::clone(&ctx));
                barrier.wait().await;
                let ctx = var.get().unwrap();
                (Arc::as_ptr(&ctx) as usize, ctx.count.load(Ordering::SeqCst))
            })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

#[tokio::test]
async fn japanese_bad_form_every_task_shares_the_default() {
    let seen = three_tasks(&CTX_2_SHARED, false).await;
    let ids: Vec<usize> = seen.iter().map(|&(id, _)| id).collect();
    assert!(
        ids.iter().all(|&id| id == ids[0]),
        "same id() in all three: {ids:?}"
    );
    assert!(
        seen.iter().all(|&(_, count)| count == 3),
        "count -> 3 in all: {seen:?}"
    );
}

#[tokio::test]
async fn japanese_good_form_each_task_has_its_own_instance() {
    let seen = three_tasks(&CTX_2, true).await;
    let ids: std::collections::HashSet<usize> = seen.iter().map(|&(id, _)| id).collect();
    assert_eq!(ids.len(), 3, "three distinct objects: {seen:?}");
    assert!(
        seen.iter().all(|&(_, count)| count == 1),
        "count -> 1 in each: {seen:?}"
    );
}

static VAR: ContextVar<i32> = ContextVar::with_default("var", 1);

fn nested() {
    VAR.set(2);
}

async fn nested_async() {
    VAR.set(2);
}

async fn callee_sets() {
    VAR.set(5);
}

#[tokio::test]
async fn korean_same_task_nested_async_functions_share_the_context() {
    VAR.set(1);
    callee_sets().await;
    assert_eq!(
        VAR.get(),
        Some(5),
        "a set in a callee is seen by the caller afterwards"
    );
}

#[tokio::test]
async fn korean_step_1_sync_run_is_isolated() {
    VAR.set(1);
    let mut copy = copy_context();
    copy.run(nested);
    assert_eq!(VAR.get(), Some(1));
    assert_eq!(copy.get(&VAR), Some(2));
}

/// The pitfall `sync_run_wraps_future` exists for: `run` only creates the future inside the
/// copy; it runs when awaited, in the caller's context, and the write leaks into the caller.
#[tokio::test]
#[allow(clippy::redundant_closure, reason = "the article's exact shape")]
async fn korean_step_2_sync_run_of_an_async_fn_leaks_into_the_caller() {
    VAR.set(1);
    let mut copy = copy_context();
    copy.run(|| nested_async()).await;
    assert_eq!(VAR.get(), Some(2), "the write leaked into the caller");
    assert_eq!(copy.get(&VAR), Some(1), "and the copy never saw it");
}

#[tokio::test]
async fn korean_step_3_scope_and_spawn_do_not_leak() {
    VAR.set(1);
    copy_context().scope(nested_async()).await;
    assert_eq!(VAR.get(), Some(1));

    contextvars::spawn(nested_async()).await.unwrap();
    assert_eq!(VAR.get(), Some(1));

    // The mechanical fix for step 2 keeps the write in `copy`, as `run` meant.
    let mut copy = copy_context();
    copy.scope_mut(nested_async()).await;
    assert_eq!(VAR.get(), Some(1));
    assert_eq!(copy.get(&VAR), Some(2));
}
