//! Futures bound to a context, across awaits, threads and tokio's worker pool.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};

use contextvars::{Context, ContextVar, FutureExt, copy_context};

static VAR: ContextVar<i32> = ContextVar::with_default("var", 0);

/// Returns `Pending` once, then `Ready`: an await point that really suspends.
#[derive(Default)]
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn poll_once<F: Future + ?Sized>(fut: Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut TaskContext::from_waker(Waker::noop()))
}

#[test]
fn writes_persist_across_its_own_awaits_and_never_leak() {
    Context::new().run(|| {
        VAR.set(1);
        let mut fut = Box::pin(copy_context().scope(async {
            assert_eq!(VAR.get(), Some(1), "starts from the copy");
            VAR.set(2);
            YieldOnce::default().await;
            let after_first = VAR.get();
            VAR.set(3);
            YieldOnce::default().await;
            (after_first, VAR.get())
        }));
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(VAR.get(), Some(1), "no leak between polls");
        VAR.set(10);
        assert!(poll_once(fut.as_mut()).is_pending());
        assert_eq!(VAR.get(), Some(10));
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready((Some(2), Some(3))));
        assert_eq!(VAR.get(), Some(10));
    });
}

#[test]
fn scope_mut_keeps_the_writes_in_the_borrowed_context() {
    Context::new().run(|| {
        let mut ctx = copy_context();
        {
            let mut fut = std::pin::pin!(ctx.scope_mut(async {
                VAR.set(5);
                YieldOnce::default().await;
                VAR.get()
            }));
            assert!(poll_once(fut.as_mut()).is_pending());
            assert_eq!(fut.context().get(&VAR), Some(5));
            assert_eq!(poll_once(fut.as_mut()), Poll::Ready(Some(5)));
        }
        assert_eq!(ctx.get(&VAR), Some(5));
        assert_eq!(VAR.get(), Some(0));
    });
}

#[test]
fn the_future_moves_between_threads_and_keeps_its_context() {
    let mut fut: Pin<Box<dyn Future<Output = Vec<Option<i32>>> + Send>> =
        Box::pin(Context::new().scope(async {
            let mut seen = vec![VAR.get()];
            VAR.set(7);
            YieldOnce::default().await;
            seen.push(VAR.get());
            VAR.set(8);
            YieldOnce::default().await;
            seen.push(VAR.get());
            seen
        }));
    // Poll it on three different threads, each with its own ambient value.
    for (round, ambient) in [(0, 100), (1, 200)] {
        fut = std::thread::spawn(move || {
            VAR.set(ambient);
            assert!(poll_once(fut.as_mut()).is_pending(), "round {round}");
            assert_eq!(
                VAR.get(),
                Some(ambient),
                "the poller's context is untouched"
            );
            fut
        })
        .join()
        .unwrap();
    }
    let out = std::thread::spawn(move || {
        VAR.set(300);
        let out = poll_once(fut.as_mut());
        assert_eq!(VAR.get(), Some(300));
        out
    })
    .join()
    .unwrap();
    assert_eq!(out, Poll::Ready(vec![Some(0), Some(7), Some(8)]));
}

#[test]
#[cfg_attr(miri, ignore = "tokio's multi-thread runtime under Miri is too slow")]
fn tasks_keep_their_values_on_a_multi_thread_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap();
    // Which worker polls a task is the scheduler's choice: on a busy machine one worker may
    // run everything. Timer wake-ups spread the tasks, and rounds repeat (each checking every
    // value) until some task has been polled on two threads, so the test proves the values
    // crossed threads without depending on one lucky schedule.
    for round in 0..10 {
        let migrated = rt.block_on(async {
            let mut handles = Vec::new();
            for i in 0..32 {
                handles.push(contextvars::spawn(async move {
                    VAR.set(i);
                    let mut threads = HashSet::new();
                    for step in 0..50 {
                        if step % 10 == 0 {
                            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                        } else {
                            tokio::task::yield_now().await;
                        }
                        threads.insert(std::thread::current().id());
                        assert_eq!(VAR.get(), Some(i), "task {i} lost its value at step {step}");
                        VAR.set(i);
                    }
                    (VAR.get(), threads.len() > 1)
                }));
            }
            let mut migrated = false;
            for (i, handle) in handles.into_iter().enumerate() {
                let (value, moved) = handle.await.unwrap();
                assert_eq!(value, Some(i as i32));
                migrated |= moved;
            }
            migrated
        });
        if migrated {
            return;
        }
        eprintln!("round {round}: no task changed threads; trying again");
    }
    panic!("in 10 rounds, no task was ever polled on two worker threads");
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio under Miri is slow; the scoped logic is covered by the manual-poll tests"
)]
async fn spawn_copies_at_spawn_time_and_later_parent_writes_are_not_seen() {
    VAR.set(1);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = contextvars::spawn(async move {
        rx.await.unwrap();
        let seen = VAR.get();
        VAR.set(99);
        seen
    });
    VAR.set(2); // after spawn: not seen
    tx.send(()).unwrap();
    assert_eq!(task.await.unwrap(), Some(1));
    assert_eq!(
        VAR.get(),
        Some(2),
        "the task's write is not seen by the parent"
    );
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio under Miri is slow; the scoped logic is covered by the manual-poll tests"
)]
async fn spawn_blocking_carries_a_copy() {
    VAR.set(4);
    let seen = contextvars::spawn_blocking(|| {
        let seen = VAR.get();
        VAR.set(5);
        seen
    })
    .await
    .unwrap();
    assert_eq!(seen, Some(4));
    assert_eq!(VAR.get(), Some(4));
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio under Miri is slow; the scoped logic is covered by the manual-poll tests"
)]
async fn spawn_local_carries_a_copy_that_is_its_own() {
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            VAR.set(6);
            // Not `Send`: only `spawn_local` can run it.
            let marker = std::rc::Rc::new(());
            let task = contextvars::spawn_local(async move {
                let _keep = marker;
                let seen = VAR.get();
                VAR.set(7);
                seen
            });
            VAR.set(8); // after spawning: not seen by the task
            assert_eq!(task.await.unwrap(), Some(6));
            assert_eq!(VAR.get(), Some(8), "the task's write is not seen here");
        })
        .await;
}

#[tokio::test]
#[cfg_attr(
    miri,
    ignore = "tokio under Miri is slow; the scoped logic is covered by the manual-poll tests"
)]
async fn future_ext_binds_to_a_context() {
    VAR.set(1);
    let mut ctx = Context::new();
    ctx.run(|| VAR.set(50));
    assert_eq!(async { VAR.get() }.with_context(ctx).await, Some(50));
    let fut = async { VAR.get() }.with_current_context();
    VAR.set(2);
    assert_eq!(
        fut.await,
        Some(1),
        "the copy was taken when the future was bound"
    );
}

#[test]
fn panic_inside_a_scoped_poll_restores_the_poller() {
    Context::new().run(|| {
        VAR.set(1);
        let mut fut = Box::pin(copy_context().scope(async {
            VAR.set(2);
            panic!("boom");
        }));
        let result = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut())));
        assert!(result.is_err());
        assert_eq!(VAR.get(), Some(1));
    });
}

/// Records the value of `VAR` seen by its destructor.
struct ReportOnDrop(Arc<Mutex<Option<Option<i32>>>>);

impl Drop for ReportOnDrop {
    fn drop(&mut self) {
        *self.0.lock().unwrap() = Some(VAR.get());
    }
}

#[test]
fn an_unfinished_future_is_dropped_inside_its_context() {
    Context::new().run(|| {
        let seen = Arc::new(Mutex::new(None));
        let guard = ReportOnDrop(Arc::clone(&seen));
        let mut fut = Box::pin(Context::new().scope(async move {
            let _guard = guard;
            VAR.set(33);
            YieldOnce::default().await;
        }));
        assert!(poll_once(fut.as_mut()).is_pending());
        VAR.set(-1);
        drop(fut);
        assert_eq!(*seen.lock().unwrap(), Some(Some(33)));
        assert_eq!(VAR.get(), Some(-1));
    });
}

#[test]
fn a_completed_future_is_dropped_inside_its_context() {
    Context::new().run(|| {
        let seen = Arc::new(Mutex::new(None));
        let guard = ReportOnDrop(Arc::clone(&seen));
        let mut fut = Box::pin(Context::new().scope(async move {
            VAR.set(44);
            // Moved into the future's state, dropped when the future completes.
            let _guard = guard;
        }));
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(()));
        assert_eq!(*seen.lock().unwrap(), Some(Some(44)));
    });
}

#[test]
fn polling_after_completion_panics_with_a_clear_message() {
    Context::new().run(|| {
        VAR.set(1);
        let mut fut = Box::pin(Context::new().scope(async {
            VAR.set(2);
        }));
        assert_eq!(poll_once(fut.as_mut()), Poll::Ready(()));
        let err = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut()))).unwrap_err();
        assert_eq!(
            err.downcast_ref::<&str>(),
            Some(&"`Scoped` polled after completion")
        );
        // The panic leaves the poller's context current, with its value, and writable.
        assert_eq!(VAR.get(), Some(1));
        VAR.set(3);
        assert_eq!(VAR.get(), Some(3));
        assert_eq!(fut.context().get(&VAR), Some(2));
    });
}
