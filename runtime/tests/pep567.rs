//! PEP 567 semantics, after CPython's `Lib/test/test_context.py`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use contextvars::{AccessError, Context, ContextVar, ResetError, Token, copy_context};

/// Runs `f` in a fresh empty context, so that tests sharing a thread don't see each other.
fn isolated<R>(f: impl FnOnce() -> R) -> R {
    Context::new().run(f)
}

static A: ContextVar<i32> = ContextVar::new("a");
static B: ContextVar<i32> = ContextVar::with_default("b", 42);
static S: ContextVar<String> = ContextVar::new("s");

#[test]
fn var_has_its_name_and_default() {
    assert_eq!(A.name(), "a");
    assert_eq!(B.name(), "b");
    assert_eq!(A.default_value(), None);
    assert_eq!(B.default_value(), Some(&42));
    assert_eq!(
        format!("{B:?}"),
        r#"ContextVar { name: "b", has_default: true, .. }"#
    );
}

#[test]
fn get_set_reset() {
    isolated(|| {
        assert_eq!(A.get(), None);
        let t1 = A.set(1);
        assert_eq!(t1.old_value(), None, "unset before: Token.MISSING");
        assert_eq!(t1.var_name(), "a");
        assert_eq!(A.get(), Some(1));
        let t2 = A.set(2);
        assert_eq!(t2.old_value(), Some(&1));
        assert_eq!(A.get(), Some(2));
        A.reset(t2).unwrap();
        assert_eq!(A.get(), Some(1));
        A.reset(t1).unwrap();
        assert_eq!(A.get(), None);
        assert!(
            copy_context().is_empty(),
            "reset to unset removes the entry"
        );
    });
}

#[test]
fn default_is_returned_but_never_stored() {
    isolated(|| {
        assert_eq!(B.get(), Some(42));
        let ctx = copy_context();
        assert!(!ctx.contains(&B));
        assert_eq!(ctx.get(&B), None, "Context::get never returns the default");
        assert_eq!(ctx.len(), 0);
        let token = B.set(7);
        assert_eq!(token.old_value(), None, "the default is not an old value");
        assert!(copy_context().contains(&B));
        B.reset(token).unwrap();
        assert_eq!(B.get(), Some(42));
        assert!(!copy_context().contains(&B));
    });
}

#[test]
fn copies_are_snapshots_in_both_directions() {
    isolated(|| {
        A.set(1);
        let mut copy = copy_context();
        A.set(2);
        assert_eq!(
            copy.get(&A),
            Some(1),
            "later writes by the original are not seen"
        );
        copy.run(|| A.set(3));
        assert_eq!(copy.get(&A), Some(3));
        assert_eq!(
            A.get(),
            Some(2),
            "writes in the copy are not seen by the original"
        );
        let copy_of_copy = copy.clone();
        copy.run(|| A.set(4));
        assert_eq!(copy_of_copy.get(&A), Some(3));
    });
}

#[test]
fn run_keeps_writes_in_its_context_and_nests() {
    isolated(|| {
        let mut outer = Context::new();
        let mut inner = Context::new();
        let seen = outer.run(|| {
            A.set(1);
            let seen_inner = inner.run(|| {
                assert_eq!(A.get(), None, "inner starts empty");
                A.set(2);
                S.set("inner".into());
                A.get()
            });
            assert_eq!(A.get(), Some(1), "leaving inner restores outer");
            (seen_inner, S.get())
        });
        assert_eq!(seen, (Some(2), None));
        assert_eq!(outer.get(&A), Some(1));
        assert_eq!(inner.get(&A), Some(2));
        assert_eq!(inner.get(&S).as_deref(), Some("inner"));
        assert_eq!(A.get(), None, "the caller never saw either");
        // Entering again sees the earlier writes.
        assert_eq!(outer.run(|| A.get()), Some(1));
    });
}

#[test]
fn copy_inside_run_copies_the_entered_context() {
    isolated(|| {
        let mut ctx = Context::new();
        let copy = ctx.run(|| {
            A.set(5);
            copy_context()
        });
        assert_eq!(copy.get(&A), Some(5));
    });
}

#[test]
fn panic_inside_run_restores_the_caller() {
    isolated(|| {
        A.set(1);
        let mut ctx = copy_context();
        let result = catch_unwind(AssertUnwindSafe(|| {
            ctx.run(|| {
                A.set(2);
                panic!("boom");
            })
        }));
        assert!(result.is_err());
        assert_eq!(A.get(), Some(1), "caller restored after the panic");
        assert_eq!(
            ctx.get(&A),
            Some(2),
            "writes before the panic stay in the context"
        );
        // The thread is still usable.
        A.set(3);
        assert_eq!(A.get(), Some(3));
    });
}

#[test]
fn each_thread_starts_from_its_own_empty_context() {
    isolated(|| {
        A.set(1);
        B.set(2);
        let seen = std::thread::spawn(|| (A.get(), B.get(), copy_context().len()))
            .join()
            .unwrap();
        assert_eq!(seen, (None, Some(42), 0));
        // `contextvars::thread::spawn` carries a copy instead.
        let seen = contextvars::thread::spawn(|| {
            let seen = (A.get(), B.get());
            A.set(10);
            seen
        })
        .join()
        .unwrap();
        assert_eq!(seen, (Some(1), Some(2)));
        assert_eq!(A.get(), Some(1));
    });
}

#[test]
fn reset_with_another_vars_token_is_a_typed_error() {
    isolated(|| {
        static C: ContextVar<i32> = ContextVar::new("c");
        let token = A.set(1);
        let err = C.reset(token).unwrap_err();
        assert_eq!(
            err,
            ResetError::WrongVar {
                var: "c",
                token_var: "a"
            }
        );
        assert_eq!(
            err.to_string(),
            "cannot reset `c` with a token created by `a`: the token belongs to another variable"
        );
        assert_eq!(A.get(), Some(1), "a refused reset changes nothing");
    });
}

#[test]
fn reset_in_another_context_is_a_typed_error() {
    isolated(|| {
        let token = A.set(1);
        let mut other = copy_context();
        let err = other.run(|| A.reset(token)).unwrap_err();
        assert_eq!(err, ResetError::WrongContext { var: "a" });
        assert_eq!(
            err.to_string(),
            "cannot reset `a`: the token was created in a different context"
        );
        assert_eq!(other.get(&A), Some(1));
        assert_eq!(A.get(), Some(1));
    });
}

#[test]
fn a_clone_is_a_different_context_for_tokens() {
    isolated(|| {
        let mut ctx = Context::new();
        let token = ctx.run(|| A.set(1));
        let mut clone = ctx.clone();
        assert_eq!(
            clone.run(|| A.reset(token)),
            Err(ResetError::WrongContext { var: "a" })
        );
        // A token made in `ctx` resets in a later `run` of the same `ctx`.
        let token = ctx.run(|| A.set(2));
        ctx.run(|| A.reset(token)).unwrap();
        assert_eq!(ctx.get(&A), Some(1));
    });
}

#[test]
fn token_made_in_a_run_does_not_reset_in_the_caller() {
    isolated(|| {
        let token: Token<i32> = Context::new().run(|| A.set(1));
        assert_eq!(A.reset(token), Err(ResetError::WrongContext { var: "a" }));
    });
}

#[test]
fn with_borrows_and_allows_writes_inside() {
    isolated(|| {
        S.set("hello".into());
        let len = S.with(|s| {
            // Writing from inside `with` is fine: the context is not borrowed.
            A.set(1);
            S.set("replaced".into());
            s.map(String::len)
        });
        assert_eq!(len, Some(5));
        assert_eq!(S.get().as_deref(), Some("replaced"));
        assert_eq!(B.with(|b| b.copied()), Some(42), "with sees the default");
        assert_eq!(A.with(|a| a.copied()), Some(1));
    });
}

/// A value whose `Clone` writes to a context variable, which the crate documents as the one
/// re-entrant case it refuses.
struct CloneWrites;

static CLONE_WRITE_RESULT: ContextVar<i32> = ContextVar::new("clone_write_result");
static REENTRANT_ERRORS: AtomicUsize = AtomicUsize::new(0);

fn expect_reentrant_write() {
    match CLONE_WRITE_RESULT.try_set(1) {
        Err(AccessError::Reentrant) => {
            REENTRANT_ERRORS.fetch_add(1, Ordering::Relaxed);
        }
        other => panic!("expected a re-entrancy error, got {other:?}"),
    }
}

impl Clone for CloneWrites {
    fn clone(&self) -> Self {
        expect_reentrant_write();
        // Reading is fine under the shared borrow...
        assert_eq!(A.get(), Some(9));
        // ...and the end of that nested `get` does not lift the outer one's refusal.
        expect_reentrant_write();
        CloneWrites
    }
}

#[test]
fn writing_from_inside_get_clone_is_refused_not_corrupting() {
    static V: ContextVar<CloneWrites> = ContextVar::new("v");
    isolated(|| {
        A.set(9);
        V.set(CloneWrites);
        let before = REENTRANT_ERRORS.load(Ordering::Relaxed);
        let _ = V.get();
        assert_eq!(REENTRANT_ERRORS.load(Ordering::Relaxed), before + 2);
        assert_eq!(CLONE_WRITE_RESULT.get(), None);
        // The context is intact afterwards.
        assert_eq!(A.get(), Some(9));
    });
}

#[test]
fn access_error_messages() {
    assert_eq!(
        AccessError::ThreadExiting.to_string(),
        "the thread's current context was already destroyed"
    );
    assert_eq!(
        AccessError::Reentrant.to_string(),
        "cannot change the current context while `ContextVar::get` is cloning a value"
    );
}

#[test]
fn context_len_iter_and_debug() {
    static U: ContextVar<u8> = ContextVar::new("u");
    static NOT_DEBUG: ContextVar<std::sync::Mutex<()>> = ContextVar::new("not_debug");
    let mut ctx = Context::new();
    assert!(ctx.is_empty());
    ctx.run(|| {
        U.set(1);
        NOT_DEBUG.set(std::sync::Mutex::new(()));
        U.set(2);
    });
    assert_eq!(ctx.len(), 2);
    let mut listed: Vec<String> = ctx
        .iter()
        .map(|(name, value)| format!("{name}={value:?}"))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        ["not_debug=<std::sync::poison::mutex::Mutex<()>>", "u=<u8>"]
    );
    let (_, view) = ctx.iter().find(|(name, _)| *name == "u").unwrap();
    assert_eq!(view.downcast_ref::<u8>(), Some(&2));
    assert_eq!(view.downcast_ref::<i32>(), None);
    assert_eq!(view.type_name(), "u8");
    assert!(format!("{ctx:?}").contains("\"u\": <u8>"));
}

#[test]
fn local_variables_are_distinct_variables() {
    isolated(|| {
        let x = ContextVar::<i32>::new("x");
        let y = ContextVar::<i32>::new("x");
        x.set(1);
        assert_eq!(y.get(), None, "same name, different variable");
        let moved = x;
        assert_eq!(moved.get(), Some(1), "a moved variable keeps its identity");
    });
}

#[test]
fn many_variables_and_deep_tries() {
    isolated(|| {
        let vars: Vec<ContextVar<usize>> = (0..2000).map(|_| ContextVar::new("many")).collect();
        for (i, var) in vars.iter().enumerate() {
            var.set(i);
        }
        let snapshot = copy_context();
        for (i, var) in vars.iter().enumerate().step_by(3) {
            var.set(i * 10);
        }
        for (i, var) in vars.iter().enumerate() {
            let expected = if i % 3 == 0 { i * 10 } else { i };
            assert_eq!(var.get(), Some(expected));
            assert_eq!(snapshot.get(var), Some(i));
        }
        assert_eq!(copy_context().len(), 2000);
    });
}

#[test]
fn types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ContextVar<i32>>();
    send_sync::<Context>();
    send_sync::<Token<String>>();
    send_sync::<ResetError>();
    send_sync::<contextvars::Scoped<std::future::Ready<()>>>();
}

/// The `get` cache is invalidated by every kind of change: in-place writes, new keys, resets,
/// `run` swaps, and keys that share a cache slot.
#[test]
fn get_never_serves_a_stale_cached_value() {
    isolated(|| {
        // 130 variables: keys that collide in a 64-slot cache.
        let vars: Vec<ContextVar<usize>> = (0..130).map(|_| ContextVar::new("v")).collect();
        for round in 0..3 {
            for (i, var) in vars.iter().enumerate() {
                assert_eq!(var.get(), (round > 0).then(|| i * 10 + round - 1));
                var.set(i * 10 + round);
                assert_eq!(var.get(), Some(i * 10 + round), "in-place write seen");
            }
        }
        let token = vars[0].set(999);
        assert_eq!(vars[0].get(), Some(999));
        vars[0].reset(token).unwrap();
        assert_eq!(vars[0].get(), Some(2));
        let mut other = Context::new();
        assert_eq!(vars[1].get(), Some(12));
        other.run(|| {
            assert_eq!(vars[1].get(), None, "a swap invalidates the cache");
            vars[1].set(5);
            assert_eq!(vars[1].get(), Some(5));
        });
        assert_eq!(vars[1].get(), Some(12), "and so does the swap back");
        // A snapshot shares the values; writing after it must not change what it holds.
        let snapshot = copy_context();
        vars[2].set(77);
        assert_eq!(vars[2].get(), Some(77));
        assert_eq!(snapshot.get(&vars[2]), Some(22));
        // The negative cache: absent, then set.
        let fresh = ContextVar::<String>::with_default("fresh", String::new());
        assert_eq!(fresh.get().as_deref(), Some(""));
        fresh.set("now".into());
        assert_eq!(fresh.get().as_deref(), Some("now"));
    });
}

/// A variable is given its key when it is first set, not when it is read: reads before that
/// look up key 0, which no context holds, and must read as unset wherever the cache is.
#[test]
fn a_variable_read_before_it_has_a_key_reads_as_unset() {
    // A fresh thread: no cache slot filled yet, and the thread's context unversioned.
    std::thread::spawn(|| {
        let plain = ContextVar::<u32>::new("plain");
        let with_default = ContextVar::with_default("with_default", 7u32);
        assert_eq!(plain.get(), None);
        assert_eq!(with_default.get(), Some(7));
        // Fill slots under a version, then read the keyless variables again.
        let others: Vec<ContextVar<u32>> = (0..65).map(|_| ContextVar::new("other")).collect();
        for (i, var) in (0u32..).zip(&others) {
            var.set(i);
        }
        for (i, var) in (0u32..).zip(&others) {
            assert_eq!(var.get(), Some(i));
        }
        assert_eq!(plain.get(), None);
        assert_eq!(with_default.get(), Some(7));
        Context::new().run(|| {
            assert_eq!(plain.get(), None, "in an entered, unversioned context");
            plain.set(1);
            assert_eq!(plain.get(), Some(1));
        });
        assert_eq!(plain.get(), None, "set only in the context that ran");
        with_default.set(8);
        assert_eq!(with_default.get(), Some(8));
        for (i, var) in (0u32..).zip(&others) {
            assert_eq!(
                var.get(),
                Some(i),
                "keys read as 0 before did not disturb these"
            );
        }
    })
    .join()
    .unwrap();
}

#[test]
fn the_cache_kept_across_a_run_never_serves_another_maps_value() {
    // The end of a `run` restores the caller's cache version instead of invalidating the
    // cache. These are the sequences where a reused version would serve the wrong map.
    isolated(|| {
        // Versions handed out inside the run must never be handed out again after it: with
        // `version + 1` as the next version, the two writes after the run would reach the
        // version under which the run cached its own value of `A`.
        A.set(1);
        assert_eq!(A.get(), Some(1));
        Context::new().run(|| {
            A.set(2);
            assert_eq!(A.get(), Some(2));
        });
        B.set(0);
        A.set(3);
        assert_eq!(A.get(), Some(3), "a version reused across the run");

        A.set(1);
        assert_eq!(A.get(), Some(1), "cached under the caller's version");
        let mut inner = Context::new();
        inner.run(|| {
            assert_eq!(A.get(), None, "the entered context, not the caller's cache");
            A.set(2);
            assert_eq!(A.get(), Some(2));
        });
        assert_eq!(A.get(), Some(1), "the caller's value after the run");
        // A write after the run must not revive a version used inside it.
        A.set(3);
        assert_eq!(A.get(), Some(3));
        inner.run(|| assert_eq!(A.get(), Some(2)));
        // Nested runs, with writes on every level between them.
        let mut outer = Context::new();
        outer.run(|| {
            assert_eq!(A.get(), None);
            A.set(10);
            assert_eq!(A.get(), Some(10));
            inner.run(|| {
                assert_eq!(A.get(), Some(2));
                A.set(20);
                assert_eq!(A.get(), Some(20));
            });
            assert_eq!(A.get(), Some(10));
            A.set(11);
            inner.run(|| assert_eq!(A.get(), Some(20)));
            assert_eq!(A.get(), Some(11));
        });
        assert_eq!(A.get(), Some(3));
        // A panic out of a run restores the caller and its cache too.
        let caught = catch_unwind(AssertUnwindSafe(|| {
            inner.run(|| {
                A.set(30);
                assert_eq!(A.get(), Some(30));
                panic!("out of the run");
            })
        }));
        assert!(caught.is_err());
        assert_eq!(A.get(), Some(3));
        assert_eq!(inner.get(&A), Some(30));
        // The value cached before the run is written in place by the caller afterwards.
        A.set(4);
        assert_eq!(A.get(), Some(4));
    });
}

#[test]
fn a_context_is_two_words() {
    // Entering a context swaps it with the thread's current one on every poll of a scoped
    // future: its size is on the hot path.
    assert_eq!(
        std::mem::size_of::<Context>(),
        2 * std::mem::size_of::<usize>()
    );
}
