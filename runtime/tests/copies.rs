//! Copies of the current context made and dropped on one thread: the thread keeps their
//! references to the shared root as spares for the next copy. These tests check that this
//! is invisible: copies stay snapshots, writes after a copy do not leak into it, and no value
//! lives longer than the contexts that hold it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use contextvars::{Context, ContextVar, copy_context};

static N: ContextVar<i32> = ContextVar::new("n");

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

static COUNTED: ContextVar<Counted> = ContextVar::new("counted");

#[test]
fn copies_stay_snapshots_when_made_from_spares() {
    Context::new().run(|| {
        N.set(1);
        // The first copy is dropped: its reference becomes a spare.
        drop(copy_context());
        // The second is made from that spare, and must not see the writes that follow.
        let kept = copy_context();
        N.set(2);
        assert_eq!(kept.get(&N), Some(1));
        assert_eq!(N.get(), Some(2));
        // The same with many spares at once.
        let many: Vec<Context> = (0..10).map(|_| copy_context()).collect();
        drop(many);
        let again: Vec<Context> = (0..10).map(|_| copy_context()).collect();
        N.set(3);
        assert!(again.iter().all(|ctx| ctx.get(&N) == Some(2)));
        assert_eq!(N.get(), Some(3));
    });
}

/// Runs a fresh context whose copies are dropped inside the `run`, leaving spares to its
/// root with the thread, then drops the context: its value must go with it.
fn run_dropping_copies_then_drop_the_context() {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut ctx = Context::new();
    ctx.run(|| {
        COUNTED.set(Counted(Arc::clone(&drops)));
        drop(copy_context());
        drop(copy_context());
    });
    // The spares were given back when `run` ended, so dropping `ctx` drops its value now.
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(ctx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_copy_dropped_inside_a_run_does_not_keep_the_context_alive() {
    run_dropping_copies_then_drop_the_context();
}

#[test]
fn a_copy_that_outlives_its_run_is_not_kept() {
    /// A copy of a context that is gone, holding the last reference to a value that counts
    /// its drop in `drops`.
    fn orphan_copy(drops: &Arc<AtomicUsize>) -> Context {
        let mut ctx = Context::new();
        // The thread remembers `ctx`'s root while `ctx` is entered, even with no spares, and
        // forgets it when `run` ends.
        ctx.run(|| {
            COUNTED.set(Counted(Arc::clone(drops)));
            copy_context()
        })
    }

    let drops = Arc::new(AtomicUsize::new(0));
    // Dropped in the thread's own context, or while another context is current: either way
    // the thread must not keep it, and the value goes with it.
    drop(orphan_copy(&drops));
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let copy = orphan_copy(&drops);
    Context::new().run(|| drop(copy));
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn a_copy_made_before_a_write_is_not_kept() {
    let drops = Arc::new(AtomicUsize::new(0));
    Context::new().run(|| {
        COUNTED.set(Counted(Arc::clone(&drops)));
        let copy = copy_context();
        // The write gives the current context a root of its own: the old value now lives in
        // `copy` alone, and the thread no longer remembers `copy`'s root.
        let _ = COUNTED.set(Counted(Arc::new(AtomicUsize::new(0))));
        drop(copy);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn copies_in_a_nested_run_leave_the_outer_spares_alone() {
    let outer_drops = Arc::new(AtomicUsize::new(0));
    let mut outer = Context::new();
    outer.run(|| {
        COUNTED.set(Counted(Arc::clone(&outer_drops)));
        // With a spare to the outer root, the thread keeps remembering it during the inner run.
        drop(copy_context());
        run_dropping_copies_then_drop_the_context();
        // With none left, it remembers the inner root instead.
        let kept = copy_context();
        run_dropping_copies_then_drop_the_context();
        drop(kept);
        drop(copy_context());
    });
    assert_eq!(outer_drops.load(Ordering::SeqCst), 0);
    drop(outer);
    assert_eq!(outer_drops.load(Ordering::SeqCst), 1);
}

#[test]
fn spares_are_given_back_at_thread_exit() {
    let drops = Arc::new(AtomicUsize::new(0));
    let inner = Arc::clone(&drops);
    std::thread::spawn(move || {
        // The thread's own context, not a `run`: its spares last until the thread exits.
        COUNTED.set(Counted(inner));
        drop(copy_context());
        drop(copy_context());
    })
    .join()
    .unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn writes_after_spares_reuse_the_value_in_place() {
    Context::new().run(|| {
        N.set(1);
        drop(copy_context());
        // The spare is given back before the write, so the context's root is unique again
        // and the token gets the old value by move, as without copies.
        let token = N.set(2);
        assert_eq!(token.old_value(), Some(&1));
        N.reset(token).unwrap();
        assert_eq!(N.get(), Some(1));
    });
}

#[test]
fn writes_in_place_wait_for_readers_on_other_threads() {
    // Other threads read the value through their copies and drop them; this thread waits
    // until they say so through a `Relaxed` counter, which orders nothing, and writes. The
    // copies are gone, so the write finds the root, the slots and the value unique and changes
    // the value in place, knowing so only from the reference counts. Under Miri, a missing
    // synchronisation between a reader's drop and that in-place write is reported as a data
    // race on the value.
    static V: ContextVar<Vec<u64>> = ContextVar::new("v");
    let rounds = if cfg!(miri) { 4 } else { 100 };
    Context::new().run(|| {
        V.set(vec![0; 4]);
        for round in 0..rounds {
            let dropped = Arc::new(AtomicUsize::new(0));
            let readers: Vec<_> = (0..2)
                .map(|_| {
                    let ctx = copy_context();
                    let dropped = Arc::clone(&dropped);
                    std::thread::spawn(move || {
                        let sum: u64 = ctx.get(&V).unwrap_or_default().iter().sum();
                        drop(ctx);
                        dropped.fetch_add(1, Ordering::Relaxed);
                        sum
                    })
                })
                .collect();
            while dropped.load(Ordering::Relaxed) < 2 {
                std::thread::yield_now();
            }
            V.set(vec![round + 1; 4]);
            for reader in readers {
                let sum = reader.join().unwrap();
                assert_eq!(sum, round * 4, "a reader saw a write made after its copy");
            }
        }
    });
}
