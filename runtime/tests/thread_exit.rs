//! Reads and writes at thread exit, after the crate's thread-local (the thread's current
//! context) is destroyed: reads see an empty context, `try_set` and `reset` fail with
//! `AccessError::ThreadExiting`, `set` panics; a context of one's own can still be entered
//! and written. Nothing aborts the process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Sender, channel};

use contextvars::{
    AccessError, Context, ContextVar, ResetError, Token, copy_context, try_copy_context,
};

static WITH_DEFAULT: ContextVar<i32> = ContextVar::with_default("with_default", 7);
static NO_DEFAULT: ContextVar<i32> = ContextVar::new("no_default");

/// What the late destructor saw.
#[derive(Debug, PartialEq)]
struct Seen {
    get: Option<i32>,
    try_get: Result<Option<i32>, AccessError>,
    with: Option<i32>,
    try_with: Result<Option<i32>, AccessError>,
    no_default: Option<i32>,
    copy_len: usize,
    try_copy_len: Result<usize, AccessError>,
    try_set: Option<AccessError>,
    set_panic: Option<String>,
    reset: Result<(), ResetError>,
    /// What a write and a read inside `Context::run` of a fresh context saw, and what the
    /// context held afterwards.
    own_context: (Option<i32>, Option<i32>),
}

fn observe(token: Token<i32>) -> Seen {
    let set_panic = catch_unwind(AssertUnwindSafe(|| WITH_DEFAULT.set(3)))
        .err()
        .map(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default()
        });
    Seen {
        get: WITH_DEFAULT.get(),
        try_get: WITH_DEFAULT.try_get(),
        with: WITH_DEFAULT.with(|v| v.copied()),
        try_with: WITH_DEFAULT.try_with(|v| v.copied()),
        no_default: NO_DEFAULT.get(),
        copy_len: copy_context().len(),
        try_copy_len: try_copy_context().map(|ctx| ctx.len()),
        try_set: WITH_DEFAULT.try_set(2).err(),
        set_panic,
        reset: WITH_DEFAULT.reset(token),
        own_context: {
            let mut ctx = Context::new();
            let inside = ctx.run(|| {
                NO_DEFAULT.set(4);
                NO_DEFAULT.get()
            });
            (inside, ctx.get(&NO_DEFAULT))
        },
    }
}

fn expected() -> Seen {
    Seen {
        get: Some(7),
        try_get: Ok(Some(7)),
        with: Some(7),
        try_with: Ok(Some(7)),
        no_default: None,
        copy_len: 0,
        try_copy_len: Ok(0),
        try_set: Some(AccessError::ThreadExiting),
        set_panic: Some(
            "`ContextVar::set` of `with_default`: the thread's current context was already destroyed"
                .into(),
        ),
        reset: Err(ResetError::Access(AccessError::ThreadExiting)),
        own_context: (Some(4), Some(4)),
    }
}

/// Reports what it sees when its thread-local is destroyed.
struct Late {
    report: Sender<Seen>,
    token: Option<Token<i32>>,
}

impl Drop for Late {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            let _ = self.report.send(observe(token));
        }
    }
}

thread_local! {
    static LATE: RefCell<Option<Late>> = const { RefCell::new(None) };
}

#[test]
fn another_thread_locals_destructor_sees_an_empty_context() {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        // Thread-local destructors run in the reverse order of registration, and a
        // thread-local registers its destructor when first touched: touch `LATE` before the
        // crate's state, so that `LATE` is destroyed after it. The values set below show
        // whether that held: a destructor running earlier would see them.
        LATE.with(|late| {
            *late.borrow_mut() = Some(Late {
                report: tx,
                token: None,
            })
        });
        WITH_DEFAULT.set(5);
        NO_DEFAULT.set(6);
        let token = WITH_DEFAULT.set(1);
        assert_eq!(WITH_DEFAULT.get(), Some(1));
        LATE.with(|late| late.borrow_mut().as_mut().unwrap().token = Some(token));
    })
    .join()
    .unwrap();
    let seen = rx.recv().expect("the late destructor did not report");
    assert_eq!(seen, expected());
}

/// A value whose destructor reads and writes variables: it runs while the crate's state
/// itself is being destroyed.
struct Noisy {
    report: Option<Sender<Seen>>,
    token: Option<Token<i32>>,
}

impl Drop for Noisy {
    fn drop(&mut self) {
        if let (Some(report), Some(token)) = (self.report.take(), self.token.take()) {
            let _ = report.send(observe(token));
        }
    }
}

static NOISY: ContextVar<Noisy> = ContextVar::new("noisy");

#[test]
fn a_value_dropped_with_the_threads_context_sees_an_empty_context() {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        WITH_DEFAULT.set(5);
        NO_DEFAULT.set(6);
        let token = WITH_DEFAULT.set(1);
        NOISY.set(Noisy {
            report: Some(tx),
            token: Some(token),
        });
    })
    .join()
    .unwrap();
    let seen = rx.recv().expect("the value's destructor did not report");
    assert_eq!(seen, expected());
}
