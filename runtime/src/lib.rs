//! Python's `contextvars` ([PEP 567]) for Rust: context variables with defaults, contexts that
//! copy in O(1), and futures and tasks bound to a context.
//!
//! A [`ContextVar`] holds one value per [`Context`]. Each thread has a *current* context; code
//! reads and writes variables in it. A context can be copied (a snapshot: later writes on
//! either side stay on their side), entered for a closure with [`Context::run`], or bound to a
//! future with [`Context::scope`] so that **every poll** of the future runs inside it.
//! [`spawn`] starts a tokio task in a copy of the spawner's context, like
//! `asyncio.create_task`.
//!
//! # A tour
//!
//! Variables are usually `static`s. A default is optional, and is never stored in a context:
//!
//! ```
//! use contextvars::ContextVar;
//!
//! static REQUEST_ID: ContextVar<u64> = ContextVar::new("request_id");
//! static USER: ContextVar<&'static str> = ContextVar::with_default("user", "anonymous");
//!
//! assert_eq!(REQUEST_ID.get(), None);
//! assert_eq!(USER.get(), Some("anonymous"));
//!
//! let token = USER.set("alice");
//! assert_eq!(USER.get(), Some("alice"));
//! USER.reset(token).unwrap();                // back to how it was before `set`
//! assert_eq!(USER.get(), Some("anonymous"));
//! ```
//!
//! [`copy_context`] takes a snapshot of the current context, and [`Context::run`] runs a
//! closure inside a context. Writes made inside stay in that context:
//!
//! ```
//! use contextvars::{copy_context, ContextVar};
//!
//! static VAR: ContextVar<i32> = ContextVar::with_default("var", 0);
//!
//! VAR.set(1);
//! let mut ctx = copy_context();
//! ctx.run(|| {
//!     assert_eq!(VAR.get(), Some(1));  // the copy starts with the caller's values
//!     VAR.set(2);
//! });
//! assert_eq!(VAR.get(), Some(1));      // the caller is untouched
//! assert_eq!(ctx.get(&VAR), Some(2));  // the write stayed in `ctx`
//! ```
//!
//! ## Async code: bind the future, not its creation
//!
//! `run` is synchronous. Given a closure that returns a future, it only *creates* the future
//! inside the context; the future's body runs later, wherever it is polled, and its writes
//! land in the caller's context. This is the pitfall the `ctxlint` lint
//! `sync_run_wraps_future` reports:
//!
//! ```
//! # use contextvars::{copy_context, ContextVar};
//! # static VAR: ContextVar<i32> = ContextVar::with_default("var", 0);
//! async fn nested() {
//!     VAR.set(2);
//! }
//! # futures_lite_block_on(async {
//! let mut copy = copy_context();
//! copy.run(|| nested()).await;     // wrong: `nested` runs outside `copy`
//! assert_eq!(VAR.get(), Some(2));  // the write leaked into the caller
//! # });
//! # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! ```
//!
//! [`Context::scope`] binds the future itself: each poll enters the context and leaves it
//! again, so the future's writes persist across its own awaits and never reach the caller.
//! [`Context::scope_mut`] does the same but keeps the writes in a context you still own, as
//! `run` does. [`FutureExt`] offers both as methods on any future.
//!
//! ```
//! # use contextvars::{copy_context, ContextVar};
//! # static VAR: ContextVar<i32> = ContextVar::with_default("var", 0);
//! # async fn nested() { VAR.set(2); }
//! # futures_lite_block_on(async {
//! copy_context().scope(nested()).await;  // right: every poll runs in the copy
//! assert_eq!(VAR.get(), Some(0));
//!
//! let mut ctx = copy_context();
//! ctx.scope_mut(nested()).await;         // like `run`, for a future
//! assert_eq!(ctx.get(&VAR), Some(2));
//! assert_eq!(VAR.get(), Some(0));
//! # });
//! # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! ```
//!
//! With the `tokio` feature, [`spawn`] and [`spawn_blocking`] start tasks in a copy of the
//! current context taken at spawn time, and [`thread::spawn`] does the same for OS threads.
//! Each new thread otherwise starts with an empty context.
//!
//! ## Defaults are shared: keep them immutable
//!
//! A copy of a context is shallow, and a variable's default is one value shared by every
//! context that never set the variable. A default with interior mutability (`Mutex`, atomics,
//! `Cell`, …) is therefore a global in disguise; `ctxlint`'s `interior_mutable_default` lint
//! reports it. Set a fresh value at the start of each task instead.
//!
//! # Differences from Python
//!
//! The crate's test `tests/cpython_diff.rs` runs random programs over the whole of PEP 567
//! (and over `asyncio.create_task` against [`spawn`]) in CPython and in this crate and
//! compares them step by step; these are the differences it does not generate, on purpose:
//!
//! - Entering the same context twice at once is impossible rather than a `RuntimeError`:
//!   [`Context::run`] takes `&mut self`. For the same reason a context that is entered, but
//!   not the innermost one, cannot be read while the inner one runs (Python can read it); the
//!   innermost one is the current context, read through [`copy_context`].
//! - Resetting with a token consumes it, so a token cannot be used twice. That includes a
//!   `reset` that *fails* ([`ResetError::WrongVar`], [`ResetError::WrongContext`]): the token
//!   is gone, where Python leaves it unused and lets the program retry it with the right
//!   variable or in the right context. Retrying is rare and usually a bug; giving the token
//!   back inside the error would make `ResetError` generic for that one case.
//! - Python's `var.get(default)` has no twin: [`ContextVar::get`] returns an `Option`, and
//!   falls back on the variable's own default. Where Python's argument would win over the
//!   variable's default, read the context itself: `copy_context().get(&VAR).unwrap_or(x)`.
//! - A value can be read by cloning it ([`ContextVar::get`]) or by reference
//!   ([`ContextVar::with`]).
//!
//! # Panics and `try_` twins
//!
//! Every operation on the current context has a fallible twin (`try_get`, `try_set`, …)
//! returning [`AccessError`]; the plain form panics where the twin would fail. Only *writes*
//! can fail (`set`, `reset`, and entering a context: `run`, polling a [`Scoped`] future), and
//! only in two corner cases: a write or an entry from inside a `T::clone` that
//! [`ContextVar::get`] is running ([`AccessError::Reentrant`]), or a write to the thread's own
//! context while the thread exits ([`AccessError::ThreadExiting`]).
//!
//! ## At thread exit
//!
//! The thread's own context lives in a thread-local, which the thread destroys when it
//! exits. Code that still runs after that, in the destructor of another thread-local or of a
//! value stored in the context itself, sees an **empty context**: [`ContextVar::get`],
//! [`try_get`](ContextVar::try_get) and [`with`](ContextVar::with) give the variable's
//! default, or `None`, and [`copy_context`] gives an empty context. Writes have nowhere to go:
//! [`try_set`](ContextVar::try_set) and [`reset`](ContextVar::reset) fail with
//! [`AccessError::ThreadExiting`], and [`set`](ContextVar::set) panics. (A panic that leaves a
//! thread-local destructor aborts the process, so use `try_set` in destructors.) A context of
//! your own can still be entered there, with [`Context::run`] or a [`Scoped`] future, and
//! read and written inside.
//!
//! # How it is built
//!
//! A context is a persistent hash array mapped trie, as in CPython: a copy shares the whole
//! trie (one reference-count increment), and a write copies only the path to the changed
//! leaf, or nothing when no other context shares that path, reusing the value's allocation
//! too. As in CPython, the thread-local points at the current context rather than holding
//! it, so entering a context (on every poll of a scoped future) stores one pointer, and
//! leaving it restores the previous one. [`ContextVar::get`] has a per-thread cache validated
//! by a version number that every change of the current context renews, again as CPython
//! does (lazily: a change marks the context unversioned, and the next cache miss takes a
//! fresh number); a hit costs a few loads. The end of a [`Context::run`] puts the caller's
//! version back with the caller's context, so the caller's cache survives the run. A copy of
//! the current context that is dropped on the same thread, while that context is still
//! entered and unchanged, leaves its reference with the thread for the next copy, so that
//! copying and dropping touch no atomic counter. The few `unsafe` blocks (the pointer to the
//! current context, the cache's pointer read, the spare references) are each argued in a
//! `// SAFETY:` comment against numbered invariants, and exercised under Miri. Measurements
//! against `std::thread_local!`, `tokio::task_local!` and CPython are in the repository's
//! `BENCHMARKS.md`.
//!
//! [PEP 567]: https://peps.python.org/pep-0567/

#![deny(unsafe_code)]
#![warn(missing_debug_implementations)]

mod hamt;

use std::borrow::BorrowMut;
use std::cell::{Cell, UnsafeCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{self, Poll};

use hamt::{Entry, Garbage, Hamt, Spares, Stored, Value};

/// The per-thread state: the current context, and CPython's `ContextVar.get` cache.
///
/// The current context is not moved in and out of the thread-local: as in CPython, the
/// thread-local points at it. Entering a context (on every poll of a scoped future) then
/// stores one pointer and restores it on exit, where swapping the context in and out made a
/// chain of dependent loads and stores through memory that cost twice tokio's `sync_scope`.
///
/// # Invariants
///
/// 1. The current context is `*entered` if `entered` is not null, else the thread's own
///    context in [`BASE`], which is gone at thread exit (then there is none). A non-null
///    `entered` was set by [`Entered::new`] from a `&'a mut Context`, and the [`Entered`]
///    guard, which holds that borrow for `'a`, restores the previous pointer when it is
///    dropped, also when unwinding: so `entered` is always valid, and nothing but this state
///    reaches the context it points to (its owner lent it to `run`).
/// 2. References to the current context exist only inside [`ThreadState::with_current`] and
///    [`ThreadState::with_current_mut`], whose closures run no user code (writes return what
///    they displace and the caller drops it afterwards), so they never overlap. The only user
///    code that runs while a pointer into the current context is in use is `T::clone` in
///    [`ContextVar::get`], which reads the value through the cache's pointer; `reading` is
///    set meanwhile, and every write, and every entry into another context, fails with
///    [`AccessError::Reentrant`].
/// 3. A version names one map in one state. `version` is either [`UNVERSIONED`], which no
///    filled cache slot carries, or a value taken from `next_version`, which hands each out
///    once. Every change to the current context (a write through `with_current_mut`, or
///    entering a context in [`Entered::new`]) sets `version` to `UNVERSIONED`, a single
///    store; the next cache miss takes a fresh version then, so a poll that reads no
///    variable pays nothing for the cache. The one exception is the exit from a `run` (or a
///    scoped poll): the caller's context becomes current again, and its version, saved by
///    `Entered`, is restored with it. That context was not changed in between: while another
///    one was entered, it could not be reached, and the values it points to stayed alive and
///    unwritten because it holds a reference to each (a write elsewhere finds them shared and
///    copies them). So while `version` equals a slot's
///    version, the current context is the one the slot was filled from, untouched; and the
///    caller's cache stays warm across a `run`.
/// 4. A cache slot whose `version` equals `version` holds, for its `key`, what the current
///    context holds: a pointer to the `T` inside the `Arc<Stored<T>>` of that key's leaf, or
///    null if the key is absent. For a slot filled under that version, this was so when it
///    was filled, and by 3 it still is. A slot never filled ([`EMPTY_SLOT`]) matches only
///    under `UNVERSIONED`, and then only key 0, a variable's key before it has one, which no
///    context holds: its null is right too.
/// 5. `spares` remembers, and holds references to, only the root of the current context or
///    of an entered one ([`Spares`]' invariant 2): writes release it first, and so does the
///    exit from a context.
///
/// The state has no destructor, so that reaching it needs no check of whether the thread is
/// exiting: that check is left to the rarer paths that reach [`BASE`].
struct ThreadState {
    /// The context of the innermost active `run`, or null (invariant 1).
    entered: Cell<*mut Context>,
    /// Whether a `ContextVar::get` on this thread is cloning a value (invariant 2).
    reading: Cell<bool>,
    spares: Spares,
    version: Cell<u64>,
    /// The next fresh version (invariant 3), never `UNVERSIONED`. A `u64` does not wrap in
    /// practice: one per nanosecond takes 584 years.
    next_version: Cell<u64>,
    cache: [Cell<CacheSlot>; CACHE_SLOTS],
}

impl ThreadState {
    /// Marks the current context as changed (invariant 3): every cached lookup is stale from
    /// here on.
    #[inline]
    fn unversion(&self) {
        self.version.set(UNVERSIONED);
    }

    /// The current version, after taking a fresh one if the context is unversioned
    /// (invariant 3): for filling a cache slot.
    #[inline]
    fn versioned(&self) -> u64 {
        let version = self.version.get();
        if version != UNVERSIONED {
            return version;
        }
        let fresh = self.next_version.get();
        self.next_version.set(fresh.wrapping_add(1));
        self.version.set(fresh);
        fresh
    }

    /// The current context, or `None` at thread exit, once the thread's own context is gone.
    #[inline]
    fn current_ptr(&self) -> Option<*mut Context> {
        let entered = self.entered.get();
        if entered.is_null() {
            BASE.try_with(|base| base.0.get()).ok()
        } else {
            Some(entered)
        }
    }

    /// Runs `f` with the current context, or returns `None` if there is none (at thread
    /// exit). `f` must not run user code (invariant 2).
    #[inline]
    fn with_current<R>(&self, f: impl FnOnce(&Context) -> R) -> Option<R> {
        let current = self.current_ptr()?;
        // SAFETY: the pointer is valid (invariant 1), and no mutable reference to the context
        // exists while this one does (invariant 2).
        #[allow(unsafe_code, reason = "the thread-local points at the current context")]
        let current = unsafe { &*current };
        Some(f(current))
    }

    /// Runs `f` with the current context, mutably, after marking it changed. `f` must not
    /// run user code (invariant 2): it returns what it displaces, for the caller to drop.
    ///
    /// # Errors
    ///
    /// [`AccessError::Reentrant`] from inside a `T::clone` run by [`ContextVar::get`], and
    /// [`AccessError::ThreadExiting`] once the thread's own context is gone.
    #[inline]
    fn with_current_mut<R>(&self, f: impl FnOnce(&mut Context) -> R) -> Result<R, AccessError> {
        if self.reading.get() {
            return Err(AccessError::Reentrant);
        }
        let current = self.current_ptr().ok_or(AccessError::ThreadExiting)?;
        self.unversion();
        // SAFETY: the pointer is valid (invariant 1); no other reference to the context
        // exists: `reading` is unset, and none is taken while `f` runs (invariant 2).
        #[allow(unsafe_code, reason = "the thread-local points at the current context")]
        let current = unsafe { &mut *current };
        // Invariant 5: the write may need the root to itself.
        self.spares.release(&current.map);
        Ok(f(current))
    }
}

/// Sets [`ThreadState::reading`] while a value is cloned, and unsets it again, even if the
/// clone panics. Only the outermost `get` takes it; a `get` from inside its `T::clone` finds
/// the flag set and clones through [`clone_nested`].
///
/// A flag with constant stores, rather than a counter or a saved previous value: those store
/// what the previous load returned, so back-to-back `get`s would wait on one another through
/// memory.
struct Reading<'a>(&'a ThreadState);

impl<'a> Reading<'a> {
    #[inline]
    fn new(state: &'a ThreadState) -> Self {
        debug_assert!(
            !state.reading.get(),
            "nested gets clone through `clone_nested`"
        );
        state.reading.set(true);
        Reading(state)
    }
}

impl Drop for Reading<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.reading.set(false);
    }
}

/// Clones `value` with `reading` set: a write from inside `T::clone` fails with `Reentrant`
/// instead of changing or freeing the value being cloned (invariant 2).
///
/// A function of its own for its `&T` argument: the compiler may then assume that no store
/// through another pointer changes `*value` while it runs (for a `T` without interior
/// mutability). So where the clone is plain loads (a `u64`, a small `Copy` struct), the
/// loads move ahead of the flag's first store, which then goes: nothing reads the flag
/// before the second store. One store fewer on every such `get`.
#[inline]
fn clone_reading<T: Clone>(state: &ThreadState, value: &T) -> T {
    let _reading = Reading::new(state);
    value.clone()
}

/// The clone of a `get` nested in another's `T::clone`: out of line, so that the common path
/// keeps its constant stores (merged with this path, the compiler stores the flag's loaded
/// value back instead).
#[cold]
#[inline(never)]
fn clone_nested<T: Clone>(value: &T) -> T {
    value.clone()
}

/// Cache slots per thread, indexed by `key % CACHE_SLOTS`. Variable keys are handed out in
/// sequence, so the first 64 variables a program uses never evict each other.
const CACHE_SLOTS: usize = 64;

#[derive(Clone, Copy)]
struct CacheSlot {
    key: u64,
    version: u64,
    /// The `T` of `key`'s value in the current context, or null if the key is not set there.
    value: *const (),
}

/// The version of a current context whose cache slots are all stale (invariant 3 of
/// [`ThreadState`]).
const UNVERSIONED: u64 = 0;

/// A slot never filled. Keys start at 1 and no slot is filled under `UNVERSIONED`, so it
/// matches only a lookup of key 0 (a variable that has no key yet) while the current context
/// is unversioned, and says "absent", which is right (invariant 4 of [`ThreadState`]).
const EMPTY_SLOT: CacheSlot = CacheSlot {
    key: 0,
    version: UNVERSIONED,
    value: std::ptr::null(),
};

/// The thread's own context: the current one while no `run` is active.
struct Base(UnsafeCell<Context>);

impl Drop for Base {
    /// At thread exit, before the context and its values are dropped.
    fn drop(&mut self) {
        // `STATE` has no destructor, so it is still there.
        let _ = STATE.try_with(|state| {
            // Cache slots may point into this context: make them all stale.
            state.unversion();
            // Spare references are to this context's root (invariant 5): no context is
            // entered at thread exit.
            state.spares.release_all();
        });
    }
}

thread_local! {
    /// Each thread starts with an empty context.
    static BASE: Base = const { Base(UnsafeCell::new(Context::new())) };

    static STATE: ThreadState = const {
        ThreadState {
            entered: Cell::new(std::ptr::null_mut()),
            reading: Cell::new(false),
            spares: Spares::new(),
            version: Cell::new(UNVERSIONED),
            next_version: Cell::new(1),
            cache: [const { Cell::new(EMPTY_SLOT) }; CACHE_SLOTS],
        }
    };
}

/// Ids of contexts, for [`Token`] checks. 0 means "not assigned yet".
static NEXT_CONTEXT_ID: AtomicU64 = AtomicU64::new(1);
/// Ids of variables, used as their keys in contexts. 0 means "not assigned yet".
static NEXT_VAR_ID: AtomicU64 = AtomicU64::new(1);

/// Why an operation on the current context could not run.
///
/// See [Panics and `try_` twins](crate#panics-and-try_-twins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AccessError {
    /// The thread's context was already destroyed (or is being destroyed): the call came from
    /// a thread-local destructor that ran after this crate's own, or from the destructor of a
    /// value in the context. Only writes report it; reads see an empty context there. See
    /// [At thread exit](crate#at-thread-exit).
    ThreadExiting,
    /// The call would write to the current context while it is being read: it came from a
    /// `T::clone` run by [`ContextVar::get`].
    Reentrant,
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccessError::ThreadExiting => {
                f.write_str("the thread's current context was already destroyed")
            }
            AccessError::Reentrant => f.write_str(
                "cannot change the current context while `ContextVar::get` is cloning a value",
            ),
        }
    }
}

impl std::error::Error for AccessError {}

/// Why [`ContextVar::reset`] refused a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResetError {
    /// The token was made by another variable's [`ContextVar::set`].
    WrongVar {
        /// The variable `reset` was called on.
        var: &'static str,
        /// The variable that made the token.
        token_var: &'static str,
    },
    /// The token was made in another context than the current one.
    WrongContext {
        /// The variable `reset` was called on.
        var: &'static str,
    },
    /// The current context could not be reached.
    Access(AccessError),
}

impl fmt::Display for ResetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResetError::WrongVar { var, token_var } => write!(
                f,
                "cannot reset `{var}` with a token created by `{token_var}`: the token belongs to another variable"
            ),
            ResetError::WrongContext { var } => write!(
                f,
                "cannot reset `{var}`: the token was created in a different context"
            ),
            ResetError::Access(err) => write!(f, "cannot reset: {err}"),
        }
    }
}

impl std::error::Error for ResetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResetError::Access(err) => Some(err),
            _ => None,
        }
    }
}

impl From<AccessError> for ResetError {
    fn from(err: AccessError) -> Self {
        ResetError::Access(err)
    }
}

/// Runs `f` with the current context.
#[inline]
fn with_current<R>(f: impl FnOnce(&Context) -> R) -> Result<R, AccessError> {
    STATE
        .try_with(|state| state.with_current(f))
        .ok()
        .flatten()
        .ok_or(AccessError::ThreadExiting)
}

/// Runs `f` with the current context, mutably: see [`ThreadState::with_current_mut`].
#[inline]
fn with_current_mut<R>(f: impl FnOnce(&mut Context) -> R) -> Result<R, AccessError> {
    STATE
        .try_with(|state| state.with_current_mut(f))
        .unwrap_or(Err(AccessError::ThreadExiting))
}

/// Looks `key` up in the current context and fills `slot` with the result: the `T` of its
/// value, or null. Out of line, so that a cache hit in [`ContextVar::try_get`] is a few
/// instructions with few registers.
#[cold]
#[inline(never)]
fn cache_miss<T: 'static>(state: &ThreadState, key: u64, slot: &Cell<CacheSlot>) -> *const () {
    // No current context at thread exit: read as from an empty one.
    let found = state
        .with_current(|current| {
            current
                .map
                .get(key)
                .and_then(Entry::downcast::<T>)
                .map_or(std::ptr::null(), |v| std::ptr::from_ref(v).cast())
        })
        .unwrap_or(std::ptr::null());
    slot.set(CacheSlot {
        key,
        version: state.versioned(),
        value: found,
    });
    found
}

/// A context variable: one value per [`Context`], plus an optional default.
///
/// Declare variables as `static`s (module level), as Python does: a variable created inside a
/// function is a new variable on every call.
///
/// ```
/// use contextvars::ContextVar;
///
/// static TRACE_ID: ContextVar<String> = ContextVar::new("trace_id");
///
/// TRACE_ID.set("abc".to_string());
/// assert_eq!(TRACE_ID.get().as_deref(), Some("abc"));
/// // Borrow without cloning:
/// assert_eq!(TRACE_ID.with(|id| id.map(String::len)), Some(3));
/// ```
pub struct ContextVar<T> {
    name: &'static str,
    default: Option<T>,
    /// The variable's key in contexts, assigned on first use (a `const fn` cannot draw one).
    id: AtomicU64,
}

impl<T: Send + Sync + 'static> ContextVar<T> {
    /// A variable with no default: [`get`](Self::get) returns `None` where it was never set.
    pub const fn new(name: &'static str) -> Self {
        ContextVar {
            name,
            default: None,
            id: AtomicU64::new(0),
        }
    }

    /// A variable whose [`get`](Self::get) returns `default` where it was never set.
    ///
    /// The default is one value shared by every context: give it no interior mutability.
    ///
    /// ```
    /// use contextvars::ContextVar;
    ///
    /// static LIMIT: ContextVar<u32> = ContextVar::with_default("limit", 10);
    /// assert_eq!(LIMIT.get(), Some(10));
    /// ```
    pub const fn with_default(name: &'static str, default: T) -> Self {
        ContextVar {
            name,
            default: Some(default),
            id: AtomicU64::new(0),
        }
    }

    /// The variable's name, for debugging.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The variable's default, if it has one.
    pub fn default_value(&self) -> Option<&T> {
        self.default.as_ref()
    }

    #[inline]
    fn key(&self) -> u64 {
        match self.id.load(Ordering::Relaxed) {
            0 => self.assign_key(),
            id => id,
        }
    }

    #[cold]
    fn assign_key(&self) -> u64 {
        // Only uniqueness matters, so `Relaxed` suffices; the loser of a race adopts the
        // winner's id, so a variable never has two keys.
        let fresh = NEXT_VAR_ID.fetch_add(1, Ordering::Relaxed);
        match self
            .id
            .compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => fresh,
            Err(winner) => winner,
        }
    }

    /// The value in the current context, else the default, else `None`.
    ///
    /// # Panics
    ///
    /// Where [`try_get`](Self::try_get) would return an error.
    ///
    /// ```
    /// use contextvars::ContextVar;
    ///
    /// static N: ContextVar<i32> = ContextVar::new("n");
    /// assert_eq!(N.get(), None);
    /// N.set(3);
    /// assert_eq!(N.get(), Some(3));
    /// ```
    #[inline]
    #[track_caller]
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        match self.try_get() {
            Ok(value) => value,
            Err(err) => panic!("`ContextVar::get` of `{}`: {err}", self.name),
        }
    }

    /// The value in the current context, else the default, else `None`.
    ///
    /// At thread exit, after the thread's context is destroyed, this is the default, or `None`
    /// ([At thread exit](crate#at-thread-exit)).
    ///
    /// # Errors
    ///
    /// None in practice: reads do not fail. [`AccessError::Reentrant`] is kept for a read
    /// while the current context is being written, which this crate never lets user code do.
    #[inline]
    pub fn try_get(&self) -> Result<Option<T>, AccessError>
    where
        T: Clone,
    {
        // Not `key()`: a variable that has no key yet was never set, and key 0 is absent from
        // every context, so looking it up (through the cache, which may hold it) reads `None`
        // as it should, without a branch to assign one.
        let key = self.id.load(Ordering::Relaxed);
        let found = STATE
            .try_with(|state| {
                let slot = &state.cache[(key % CACHE_SLOTS as u64) as usize];
                let cached = slot.get();
                let found = if cached.key == key && cached.version == state.version.get() {
                    cached.value
                } else {
                    cache_miss::<T>(state, key, slot)
                };
                if found.is_null() {
                    return None;
                }
                // SAFETY: by invariant 4 of `ThreadState`, the slot's version (just filled, or
                // equal) means the current context is unchanged since the slot was filled, so
                // it still owns (through nodes it owns) the `Arc<Stored<T>>` whose `T` the
                // pointer addresses: the allocation is alive. Nothing can write to it while
                // `reading` is set, as it is from below until the clone returns:
                // `unique_value` on it needs either a write to the current context (refused
                // then, invariant 2) or sole ownership by another context, impossible while
                // the current one owns it too. The pointee is a `T`: `key` belongs to this
                // `ContextVar<T>` alone, and only it stores there.
                #[allow(unsafe_code, reason = "the get cache")]
                let value = unsafe { &*found.cast::<T>() };
                if state.reading.get() {
                    // A `get` from inside the `T::clone` of an outer one, whose guard is
                    // held across this clone too.
                    return Some(clone_nested(value));
                }
                Some(clone_reading(state, value))
            })
            // The thread's context is gone: read as from an empty context (see "At thread
            // exit" in the crate docs).
            .unwrap_or(None);
        Ok(found.or_else(|| self.default.clone()))
    }

    /// Calls `f` with a reference to the value in the current context, else the default, else
    /// `None`, without cloning the value.
    ///
    /// `f` may freely read and write context variables.
    ///
    /// # Panics
    ///
    /// Where [`try_with`](Self::try_with) would return an error.
    ///
    /// ```
    /// use contextvars::ContextVar;
    ///
    /// static NAMES: ContextVar<Vec<String>> = ContextVar::new("names");
    /// NAMES.set(vec!["a".into(), "b".into()]);
    /// assert_eq!(NAMES.with(|names| names.map_or(0, Vec::len)), 2);
    /// ```
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(err) => panic!("`ContextVar::with` of `{}`: {err}", self.name),
        }
    }

    /// Like [`with`](Self::with), but fails instead of panicking.
    ///
    /// At thread exit, after the thread's context is destroyed, `f` sees the default, or
    /// `None` ([At thread exit](crate#at-thread-exit)).
    ///
    /// # Errors
    ///
    /// None in practice, as for [`try_get`](Self::try_get); `f` is not called then.
    pub fn try_with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> Result<R, AccessError> {
        let key = self.key();
        // Holding our own reference to the value lets `f` run with the context unborrowed, so
        // that it can set variables.
        let value: Option<Arc<dyn Value>> =
            match with_current(|cur| cur.map.get(key).map(|entry| Arc::clone(&entry.value))) {
                Ok(value) => value,
                // Read as from an empty context.
                Err(AccessError::ThreadExiting) => None,
                Err(err) => return Err(err),
            };
        let entry = value.map(|value| Entry { key, value });
        let value = entry.as_ref().and_then(Entry::downcast::<T>);
        Ok(f(value.or(self.default.as_ref())))
    }

    /// Sets the variable in the current context, and returns a [`Token`] that
    /// [`reset`](Self::reset) can use to restore the previous state.
    ///
    /// # Panics
    ///
    /// Where [`try_set`](Self::try_set) would return an error: at thread exit, after the
    /// thread's context is destroyed (from a thread-local destructor, where a panic aborts the
    /// process: use `try_set` there), and from inside a `T::clone` run by [`get`](Self::get).
    ///
    /// ```
    /// use contextvars::ContextVar;
    ///
    /// static N: ContextVar<i32> = ContextVar::new("n");
    /// let token = N.set(1);
    /// assert_eq!(token.old_value(), None);  // it was unset
    /// let token = N.set(2);
    /// assert_eq!(token.old_value(), Some(&1));
    /// ```
    #[track_caller]
    pub fn set(&self, value: T) -> Token<T> {
        match self.try_set(value) {
            Ok(token) => token,
            Err(err) => panic!("`ContextVar::set` of `{}`: {err}", self.name),
        }
    }

    /// Like [`set`](Self::set), but fails instead of panicking.
    ///
    /// # Errors
    ///
    /// [`AccessError::ThreadExiting`] at thread exit, after the thread's context is destroyed
    /// (from another thread-local's destructor, or from the destructor of a value in the
    /// context: see [At thread exit](crate#at-thread-exit)), and [`AccessError::Reentrant`]
    /// from inside a `T::clone` run by [`get`](Self::get). The value is dropped.
    pub fn try_set(&self, value: T) -> Result<Token<T>, AccessError> {
        let key = self.key();
        let mut value = Some(value);
        let result = with_current_mut(|cur| {
            let ctx_id = cur.id();
            let mut garbage = Garbage::default();
            let old = match cur.map.entry_mut(key, &mut garbage) {
                // The fast path: the variable is set here and its value is not shared with
                // another context, so the new value takes the old one's place in the same
                // allocation, and the old value moves into the token.
                Some(entry) => match unique_value::<T>(&mut entry.value) {
                    Some(slot) => value.take().map(|v| Old::Owned(std::mem::replace(slot, v))),
                    None => value
                        .take()
                        .map(|v| Old::Shared(std::mem::replace(&mut entry.value, self.stored(v)))),
                },
                None => value.take().map(|v| {
                    let entry = Entry {
                        key,
                        value: self.stored(v),
                    };
                    debug_assert!(cur.map.get(key).is_none());
                    let replaced = cur.map.insert_with(entry, &mut garbage);
                    debug_assert!(replaced.is_none());
                    Old::Unset
                }),
            };
            (ctx_id, old, garbage)
        });
        // Whatever was displaced is dropped here, outside the borrow.
        let (ctx_id, old, garbage) = result?;
        drop(garbage);
        Ok(Token {
            var_key: key,
            var_name: self.name,
            ctx_id,
            old: old.unwrap_or(Old::Unset),
        })
    }

    fn stored(&self, value: T) -> Arc<dyn Value> {
        Arc::new(Stored {
            name: self.name,
            value,
        })
    }

    /// Restores the variable to its state before the [`set`](Self::set) that made `token`.
    ///
    /// # Errors
    ///
    /// - [`ResetError::WrongVar`] if `token` was made by another variable;
    /// - [`ResetError::WrongContext`] if it was made in another context than the current one;
    /// - [`ResetError::Access`] if the current context cannot be reached.
    ///
    /// The token is consumed either way.
    ///
    /// ```
    /// use contextvars::{copy_context, ContextVar, ResetError};
    ///
    /// static N: ContextVar<i32> = ContextVar::new("n");
    /// let token = N.set(1);
    /// let err = copy_context().run(|| N.reset(token)).unwrap_err();
    /// assert!(matches!(err, ResetError::WrongContext { var: "n" }));
    /// ```
    pub fn reset(&self, token: Token<T>) -> Result<(), ResetError> {
        let key = self.key();
        if token.var_key != key {
            return Err(ResetError::WrongVar {
                var: self.name,
                token_var: token.var_name,
            });
        }
        let displaced = with_current_mut(|cur| {
            if cur.id != token.ctx_id {
                return Err(ResetError::WrongContext { var: self.name });
            }
            let mut garbage = Garbage::default();
            let displaced = match token.old {
                Old::Unset => Displaced::Entry(cur.map.remove(key).0),
                Old::Shared(value) => {
                    Displaced::Entry(cur.map.insert_with(Entry { key, value }, &mut garbage))
                }
                Old::Owned(old) => match cur.map.entry_mut(key, &mut garbage) {
                    Some(entry) => match unique_value::<T>(&mut entry.value) {
                        Some(slot) => Displaced::Value(std::mem::replace(slot, old)),
                        None => Displaced::Entry(Some(Entry {
                            key,
                            value: std::mem::replace(&mut entry.value, self.stored(old)),
                        })),
                    },
                    None => Displaced::Entry(cur.map.insert_with(
                        Entry {
                            key,
                            value: self.stored(old),
                        },
                        &mut garbage,
                    )),
                },
            };
            Ok((displaced, garbage))
        })??;
        // Dropped here, outside the borrow: the old value's destructor may use variables.
        drop(displaced);
        Ok(())
    }
}

impl<T> fmt::Debug for ContextVar<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextVar")
            .field("name", &self.name)
            .field("has_default", &self.default.is_some())
            .finish_non_exhaustive()
    }
}

/// What [`ContextVar::set`] returns: the variable's previous state, for
/// [`ContextVar::reset`].
pub struct Token<T> {
    var_key: u64,
    var_name: &'static str,
    ctx_id: u64,
    old: Old<T>,
}

/// The state a [`Token`] restores.
enum Old<T> {
    /// The variable was not set.
    Unset,
    /// The previous value, still shared with other contexts.
    Shared(Arc<dyn Value>),
    /// The previous value, moved out of an allocation that `set` reused.
    Owned(T),
}

/// What a [`ContextVar::reset`] displaces, dropped after the context is released.
#[allow(dead_code, reason = "held only to be dropped late")]
enum Displaced<T> {
    Entry(Option<Entry>),
    Value(T),
}

/// The value behind `value` as a `&mut T`, if no other context shares it.
#[inline]
fn unique_value<T: 'static>(value: &mut Arc<dyn Value>) -> Option<&mut T> {
    let value: &mut dyn std::any::Any = hamt::unique_mut(value)?;
    value
        .downcast_mut::<Stored<T>>()
        .map(|stored| &mut stored.value)
}

impl<T: 'static> Token<T> {
    /// The value the variable had before the `set`, or `None` if it was unset there (Python's
    /// `Token.MISSING`). A default does not count as a value.
    pub fn old_value(&self) -> Option<&T> {
        match &self.old {
            Old::Unset => None,
            Old::Shared(value) => {
                let value: &dyn std::any::Any = &**value;
                value
                    .downcast_ref::<Stored<T>>()
                    .map(|stored| &stored.value)
            }
            Old::Owned(value) => Some(value),
        }
    }

    /// The name of the variable that made the token.
    pub fn var_name(&self) -> &'static str {
        self.var_name
    }
}

impl<T> fmt::Debug for Token<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("var", &self.var_name)
            .field("was_set", &!matches!(self.old, Old::Unset))
            .finish_non_exhaustive()
    }
}

/// A mapping from [`ContextVar`]s to values: Python's `contextvars.Context`.
///
/// [`clone`](Clone::clone) is an O(1) snapshot (Python's `Context.copy()`): the two contexts
/// then evolve independently. [`Context::new`] (and `Default`) is an empty context.
///
/// ```
/// use contextvars::{Context, ContextVar};
///
/// static VAR: ContextVar<&str> = ContextVar::new("var");
///
/// let mut ctx = Context::new();
/// ctx.run(|| VAR.set("inside"));
/// let snapshot = ctx.clone();
/// ctx.run(|| VAR.set("later"));
/// assert_eq!(snapshot.get(&VAR), Some("inside"));
/// assert_eq!(ctx.get(&VAR), Some("later"));
/// assert_eq!(ctx.len(), 1);
/// ```
#[derive(Default)]
pub struct Context {
    /// Identity for [`Token`] checks, assigned when the first token is made here; 0 until then.
    id: u64,
    map: Hamt,
}

impl Clone for Context {
    /// A snapshot with an identity of its own: tokens made in `self` do not reset it.
    #[inline]
    fn clone(&self) -> Self {
        Context {
            id: 0,
            map: self.map.clone(),
        }
    }
}

impl Drop for Context {
    /// A copy of the current context (or of an entered one), dropped on the thread that
    /// made it, leaves its reference to the shared root with the thread, for the next copy.
    #[inline]
    fn drop(&mut self) {
        if self.map.is_empty() {
            return;
        }
        // With no thread state (never: it has no destructor), `map` is dropped as usual.
        let _ = STATE.try_with(|state| state.spares.keep(&mut self.map));
    }
}

/// Restores the caller's context when dropped, even when unwinding.
struct Entered<'a> {
    /// The caller's context, as [`ThreadState::entered`] had it.
    prev: *mut Context,
    /// The caller's version, restored with its context (invariant 3 of [`ThreadState`]).
    saved: u64,
    /// The entered context, lent to the thread-local until the guard is dropped.
    ctx: std::marker::PhantomData<&'a mut Context>,
}

impl<'a> Entered<'a> {
    /// Makes `ctx` the thread's current context.
    #[inline]
    fn new(ctx: &'a mut Context) -> Result<Self, AccessError> {
        // One thread-local access for the whole entry: this is on every poll of a scoped
        // future.
        STATE
            .try_with(|state| {
                if state.reading.get() {
                    return Err(AccessError::Reentrant);
                }
                let saved = state.version.get();
                state.unversion();
                Ok(Entered {
                    prev: state.entered.replace(std::ptr::from_mut(ctx)),
                    saved,
                    ctx: std::marker::PhantomData,
                })
            })
            .unwrap_or(Err(AccessError::ThreadExiting))
    }
}

/// Leaves the current context for `prev`, with its version `saved`: gives the spare
/// references to the leaving context's root back (invariant 5), then makes the caller's
/// context current again, unchanged since it was left (invariant 3), and with it the cache
/// slots filled under its version. Out of line, so that the common exit in [`Entered`]'s
/// `drop` is a few constant stores with nothing to keep across a call (merged with this
/// path, the compiler stores the loaded values back).
#[inline(never)]
fn leave(state: &ThreadState, prev: *mut Context, saved: u64) {
    if !state.spares.is_empty() {
        // Still the leaving context: `entered` is restored below.
        state.with_current(|current| state.spares.release(&current.map));
    }
    state.entered.set(prev);
    state.version.set(saved);
}

impl Drop for Entered<'_> {
    #[inline]
    fn drop(&mut self) {
        // Cannot fail: the thread-local outlives this guard (it was reachable on entry and is
        // destroyed only after user code on this thread returns).
        let restored = STATE.try_with(|state| {
            if state.spares.is_empty() && self.prev.is_null() && self.saved == UNVERSIONED {
                // Back to the thread's own context, with no cache slot to keep and no spare
                // to give back: the usual case for a task polled by a runtime's worker
                // thread. Stored as constants, so that the next entry's loads do not wait
                // for this one's.
                state.entered.set(std::ptr::null_mut());
                state.version.set(UNVERSIONED);
            } else {
                leave(state, self.prev, self.saved);
            }
        });
        debug_assert!(restored.is_ok(), "could not restore the caller's context");
    }
}

impl Context {
    /// An empty context, like Python's `Context()`.
    #[inline]
    pub const fn new() -> Self {
        Context {
            id: 0,
            map: Hamt::new(),
        }
    }

    #[inline]
    fn id(&mut self) -> u64 {
        if self.id == 0 {
            self.id = NEXT_CONTEXT_ID.fetch_add(1, Ordering::Relaxed);
        }
        self.id
    }

    /// Runs `f` with `self` as the thread's current context, then restores the caller's.
    ///
    /// Writes made inside stay in `self`. Runs nest. The caller's context is restored even if
    /// `f` panics.
    ///
    /// If `f` returns a future, only its creation happens inside `self`: bind the future with
    /// [`scope`](Self::scope) or [`scope_mut`](Self::scope_mut) instead.
    ///
    /// # Panics
    ///
    /// Where [`try_run`](Self::try_run) would return an error, and whenever `f` panics.
    ///
    /// ```
    /// use contextvars::{Context, ContextVar};
    ///
    /// static VAR: ContextVar<i32> = ContextVar::new("var");
    /// let mut ctx = Context::new();
    /// assert_eq!(ctx.run(|| { VAR.set(1); VAR.get() }), Some(1));
    /// assert_eq!(VAR.get(), None);
    /// ```
    #[inline]
    #[track_caller]
    pub fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
        match Entered::new(self) {
            Ok(_entered) => f(),
            Err(err) => panic!("`Context::run`: {err}"),
        }
    }

    /// Like [`run`](Self::run), but fails instead of panicking.
    ///
    /// # Errors
    ///
    /// [`AccessError::Reentrant`] from inside a `T::clone` run by [`ContextVar::get`]; `f` is
    /// not called.
    #[inline]
    pub fn try_run<R>(&mut self, f: impl FnOnce() -> R) -> Result<R, AccessError> {
        let _entered = Entered::new(self)?;
        Ok(f())
    }

    /// The value of `var` set in this context; never the variable's default.
    pub fn get<T: Clone + Send + Sync + 'static>(&self, var: &ContextVar<T>) -> Option<T> {
        self.map
            .get(var.key())
            .and_then(Entry::downcast::<T>)
            .cloned()
    }

    /// Whether `var` is set in this context (its default does not count).
    pub fn contains<T: Send + Sync + 'static>(&self, var: &ContextVar<T>) -> bool {
        self.map.get(var.key()).is_some()
    }

    /// The number of variables set in this context.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether no variable is set in this context.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The variables set in this context, as their names and a debug view of their values,
    /// in no particular order.
    ///
    /// ```
    /// use contextvars::{Context, ContextVar};
    ///
    /// static A: ContextVar<u8> = ContextVar::new("a");
    /// let mut ctx = Context::new();
    /// ctx.run(|| A.set(1));
    /// let listed: Vec<_> = ctx.iter().map(|(name, value)| format!("{name}: {value:?}")).collect();
    /// assert_eq!(listed, ["a: <u8>"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&'static str, ValueView<'_>)> + '_ {
        self.map.iter().map(|entry| {
            (
                entry.value.var_name(),
                ValueView {
                    value: &*entry.value,
                },
            )
        })
    }

    /// Binds `fut` to this context: every poll of the returned future runs inside it, so the
    /// future's writes persist across its awaits and never reach the poller's context.
    ///
    /// This is `asyncio.create_task(coro, context=ctx)` without the task: see [`spawn`] for
    /// that.
    ///
    /// ```
    /// use contextvars::{copy_context, ContextVar};
    ///
    /// static VAR: ContextVar<i32> = ContextVar::with_default("var", 0);
    /// let fut = copy_context().scope(async {
    ///     VAR.set(1);
    ///     std::future::ready(()).await;
    ///     VAR.get()
    /// });
    /// # let mut fut = std::pin::pin!(fut);
    /// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// # let out = fut.as_mut().poll(&mut cx);
    /// assert_eq!(out, std::task::Poll::Ready(Some(1)));
    /// assert_eq!(VAR.get(), Some(0));
    /// ```
    pub fn scope<F: Future>(self, fut: F) -> Scoped<F> {
        Scoped {
            ctx: self,
            fut: Some(fut),
        }
    }

    /// Like [`scope`](Self::scope), but borrows the context, so that its writes stay in
    /// `self` for you to inspect afterwards, as with [`run`](Self::run).
    ///
    /// This is the fix for a `run` whose closure returns a future: `ctx.run(|| fut())` becomes
    /// `ctx.scope_mut(fut())`.
    pub fn scope_mut<F: Future>(&mut self, fut: F) -> Scoped<F, &mut Context> {
        Scoped {
            ctx: self,
            fut: Some(fut),
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// A view of a value in a [`Context`], from [`Context::iter`].
///
/// Its `Debug` form shows the value's type: a variable's type need not implement `Debug`.
/// Use [`downcast_ref`](Self::downcast_ref) or [`Context::get`] for the value itself.
#[derive(Clone, Copy)]
pub struct ValueView<'a> {
    value: &'a dyn Value,
}

impl<'a> ValueView<'a> {
    /// The value's type name, from `std::any::type_name`.
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&'a T> {
        let value: &'a dyn std::any::Any = self.value;
        value
            .downcast_ref::<Stored<T>>()
            .map(|stored| &stored.value)
    }
}

impl fmt::Debug for ValueView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.value.type_name())
    }
}

/// Takes a snapshot of the current context: Python's `contextvars.copy_context()`.
///
/// O(1): the copy shares its structure with the original until either side writes.
///
/// # Panics
///
/// Where [`try_copy_context`] would return an error.
///
/// ```
/// use contextvars::{copy_context, ContextVar};
///
/// static VAR: ContextVar<i32> = ContextVar::new("var");
/// VAR.set(1);
/// let snapshot = copy_context();
/// VAR.set(2);
/// assert_eq!(snapshot.get(&VAR), Some(1));
/// ```
#[inline]
#[track_caller]
pub fn copy_context() -> Context {
    match try_copy_context() {
        Ok(ctx) => ctx,
        Err(err) => panic!("`copy_context`: {err}"),
    }
}

/// Like [`copy_context`], but fails instead of panicking.
///
/// At thread exit, after the thread's context is destroyed, this is an empty context
/// ([At thread exit](crate#at-thread-exit)).
///
/// # Errors
///
/// None in practice, as for [`ContextVar::try_get`].
#[inline]
pub fn try_copy_context() -> Result<Context, AccessError> {
    let copy = STATE.try_with(|state| {
        state.with_current(|current| Context {
            id: 0,
            map: state.spares.copy(&current.map),
        })
    });
    Ok(copy.ok().flatten().unwrap_or_default())
}

pin_project_lite::pin_project! {
    /// A future bound to a context: every poll runs inside it. Made by [`Context::scope`],
    /// [`Context::scope_mut`] and [`FutureExt`].
    ///
    /// `C` is [`Context`] when the future owns its context, and `&mut Context` when it
    /// borrows one. The inner future is also dropped inside the context, whether it completes
    /// or not, so destructors that reset variables reset them in the right place.
    ///
    /// # Panics
    ///
    /// Polling it after it completed panics, as for any future; so does polling it from
    /// inside a `T::clone` run by [`ContextVar::get`] ([`AccessError::Reentrant`]).
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Scoped<F, C = Context>
    where
        C: BorrowMut<Context>,
    {
        ctx: C,
        #[pin]
        fut: Option<F>,
    }

    impl<F, C> PinnedDrop for Scoped<F, C>
    where
        C: BorrowMut<Context>,
    {
        fn drop(this: Pin<&mut Self>) {
            let mut this = this.project();
            if this.fut.is_some() {
                let ctx: &mut Context = (*this.ctx).borrow_mut();
                let fut = this.fut.as_mut();
                // Best effort: dropped from inside a `T::clone` run by `ContextVar::get`, the
                // future is dropped outside the context, with the struct's fields, and nothing
                // panics in a destructor.
                let _ = ctx.try_run(|| drop_pinned(fut));
            }
        }
    }
}

/// Drops the future in a pinned `Option` in place.
fn drop_pinned<F>(mut fut: Pin<&mut Option<F>>) {
    fut.set(None);
}

impl<F, C> Scoped<F, C>
where
    C: BorrowMut<Context>,
{
    /// The context the future runs in.
    pub fn context(&self) -> &Context {
        self.ctx.borrow()
    }
}

impl<F: Future, C: BorrowMut<Context>> Future for Scoped<F, C> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut task::Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let ctx: &mut Context = (*this.ctx).borrow_mut();
        let polled = ctx.run(|| {
            let fut = this.fut.as_mut().as_pin_mut()?;
            let out = match fut.poll(cx) {
                Poll::Ready(out) => out,
                Poll::Pending => return Some(Poll::Pending),
            };
            // Dropped inside the context, like a future that is dropped before completion.
            this.fut.set(None);
            Some(Poll::Ready(out))
        });
        // Panics outside the context: entering and leaving it then need no unwinding path
        // of their own where the future's poll cannot panic.
        match polled {
            Some(poll) => poll,
            None => panic!("`Scoped` polled after completion"),
        }
    }
}

impl<F, C: BorrowMut<Context>> fmt::Debug for Scoped<F, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scoped")
            .field("context", self.ctx.borrow())
            .field("done", &self.fut.is_none())
            .finish()
    }
}

/// Binds futures to contexts.
pub trait FutureExt: Future + Sized {
    /// Binds `self` to `ctx`: see [`Context::scope`].
    fn with_context(self, ctx: Context) -> Scoped<Self> {
        ctx.scope(self)
    }

    /// Binds `self` to a copy of the current context, taken now.
    ///
    /// # Panics
    ///
    /// Where [`try_copy_context`] would return an error.
    #[track_caller]
    fn with_current_context(self) -> Scoped<Self> {
        copy_context().scope(self)
    }
}

impl<F: Future> FutureExt for F {}

/// Spawns `fut` on the current tokio runtime in a copy of the current context taken now, like
/// Python's `asyncio.create_task`.
///
/// Later writes by the spawner are not seen by the task, and the task's writes are not seen by
/// the spawner.
///
/// # Panics
///
/// Where [`tokio::spawn`] panics (outside a runtime), and where [`try_copy_context`] would
/// return an error.
///
/// ```
/// use contextvars::ContextVar;
///
/// static VAR: ContextVar<i32> = ContextVar::new("var");
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// VAR.set(1);
/// let task = contextvars::spawn(async { VAR.get() });
/// VAR.set(2);
/// assert_eq!(task.await.unwrap(), Some(1));
/// # });
/// ```
#[cfg(feature = "tokio")]
#[track_caller]
pub fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tokio::spawn(copy_context().scope(fut))
}

/// Runs `f` on tokio's blocking pool in a copy of the current context taken now.
///
/// # Panics
///
/// Where [`tokio::task::spawn_blocking`] panics, and where [`try_copy_context`] would return
/// an error.
#[cfg(feature = "tokio")]
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let mut ctx = copy_context();
    tokio::task::spawn_blocking(move || ctx.run(f))
}

/// Spawns `fut` on the current [`tokio::task::LocalSet`] in a copy of the current context
/// taken now: [`spawn`] for a future that is not `Send`.
///
/// # Panics
///
/// Where [`tokio::task::spawn_local`] panics (outside a `LocalSet`), and where
/// [`try_copy_context`] would return an error.
///
/// ```
/// use contextvars::ContextVar;
///
/// static VAR: ContextVar<i32> = ContextVar::new("var");
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let local = tokio::task::LocalSet::new();
/// local.block_on(&rt, async {
///     VAR.set(1);
///     let task = contextvars::spawn_local(async {
///         let seen = VAR.get();
///         VAR.set(2);
///         seen
///     });
///     VAR.set(3); // after spawning: not seen by the task
///     assert_eq!(task.await.unwrap(), Some(1));
///     assert_eq!(VAR.get(), Some(3), "the task's write stayed in its copy");
/// });
/// ```
#[cfg(feature = "tokio")]
#[track_caller]
pub fn spawn_local<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    tokio::task::spawn_local(copy_context().scope(fut))
}

/// Threads that start in a copy of the spawner's context.
pub mod thread {
    use super::copy_context;

    /// Like [`std::thread::spawn`], but `f` runs in a copy of the current context taken now.
    /// (A thread spawned by `std` starts with an empty context.)
    ///
    /// # Panics
    ///
    /// Where [`std::thread::spawn`] panics, and where
    /// [`try_copy_context`](crate::try_copy_context) would return an error.
    ///
    /// ```
    /// use contextvars::ContextVar;
    ///
    /// static VAR: ContextVar<i32> = ContextVar::new("var");
    /// VAR.set(1);
    /// assert_eq!(contextvars::thread::spawn(|| VAR.get()).join().unwrap(), Some(1));
    /// assert_eq!(std::thread::spawn(|| VAR.get()).join().unwrap(), None);
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(f: F) -> std::thread::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let mut ctx = copy_context();
        std::thread::spawn(move || ctx.run(f))
    }
}
