//! Names that a text-matching linter confuses: a `ContextVar` and a `with_default` that are not
//! `contextvars`', and `Mutex`/`AtomicUsize` types of this crate that hold plain data.

mod mine {
    /// A `ContextVar` of this crate, not `contextvars::ContextVar`.
    pub struct ContextVar<T> {
        pub name: &'static str,
        pub default: T,
    }

    impl<T> ContextVar<T> {
        pub const fn with_default(name: &'static str, default: T) -> Self {
            ContextVar { name, default }
        }
    }
}

mod fake_sync {
    /// Called `Mutex`, but only a wrapper.
    pub struct Mutex<T>(pub T);

    impl<T> Mutex<T> {
        pub const fn new(value: T) -> Self {
            Mutex(value)
        }
    }

    /// Called `AtomicUsize`, but a plain number.
    pub struct AtomicUsize(pub usize);

    impl AtomicUsize {
        pub const fn new(value: usize) -> Self {
            AtomicUsize(value)
        }
    }
}

struct Settings;

impl Settings {
    fn with_default(name: &str, lock: std::sync::Mutex<u32>) -> (String, std::sync::Mutex<u32>) {
        (name.to_owned(), lock)
    }
}

use fake_sync::{AtomicUsize, Mutex};

// Silent: `mine::ContextVar` is not `contextvars::ContextVar`, even with a real `Mutex`.
static OTHER_VAR: mine::ContextVar<std::sync::Mutex<u32>> =
    mine::ContextVar::with_default("other", std::sync::Mutex::new(0));

// Silent: `Mutex` and `AtomicUsize` here are `fake_sync`'s.
static FAKE_MUTEX: contextvars::ContextVar<Mutex<u32>> = contextvars::ContextVar::with_default("fake_mutex", Mutex::new(0));
static FAKE_ATOMIC: contextvars::ContextVar<AtomicUsize> =
    contextvars::ContextVar::with_default("fake_atomic", AtomicUsize::new(0));

// But the real ones, by full path, fire.
static REAL_MUTEX: contextvars::ContextVar<std::sync::Mutex<u32>> =
    contextvars::ContextVar::with_default("real_mutex", std::sync::Mutex::new(0)); //~ interior_mutable_default

fn main() {
    // Silent: another type's `with_default`.
    let (name, lock) = Settings::with_default("settings", std::sync::Mutex::new(1));
    println!("{name} {:?}", lock.lock().map(|v| *v).ok());
    println!("{} {}", OTHER_VAR.name, OTHER_VAR.default.lock().map(|v| *v).unwrap_or(0));
    let _ = FAKE_MUTEX.with(|m| m.map(|m| m.0));
    let _ = FAKE_ATOMIC.with(|a| a.map(|a| a.0));
    let _ = &REAL_MUTEX;
}
