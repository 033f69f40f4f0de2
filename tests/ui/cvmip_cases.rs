//! `context_value_mutated_in_place` (CTX004): writes through interior mutability to the one
//! default value that every context shares, reached through `with` (its closure's parameter, an
//! `if let`, a guard bound by `let`) and through `get()`; against reads, a fresh value `set()`
//! first, variables without a shared default, and values that are not the variable's.

use contextvars::ContextVar;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};

static SEEN: ContextVar<Mutex<Vec<String>>> = ContextVar::with_default("seen", Mutex::new(Vec::new())); //~ interior_mutable_default
static HITS: ContextVar<AtomicU64> = ContextVar::with_default("hits", AtomicU64::new(0)); //~ interior_mutable_default
static TOTAL: ContextVar<Mutex<u64>> = ContextVar::with_default("total", Mutex::new(0)); //~ interior_mutable_default
static CONFIG: ContextVar<RwLock<Vec<u8>>> = ContextVar::with_default("config", RwLock::new(Vec::new())); //~ interior_mutable_default
static NAME: ContextVar<OnceLock<String>> = ContextVar::with_default("name", OnceLock::new()); //~ interior_mutable_default

static COUNTER: AtomicU32 = AtomicU32::new(0);
static OTHER: AtomicU32 = AtomicU32::new(0);
static SHARED: ContextVar<&'static AtomicU32> = ContextVar::with_default("shared", &COUNTER); //~ interior_mutable_default

/// A struct of the crate with an atomic field.
struct Stats {
    hits: AtomicU64,
}

impl Stats {
    const fn new() -> Self {
        Stats { hits: AtomicU64::new(0) }
    }
}

static STATS: ContextVar<Stats> = ContextVar::with_default("stats", Stats::new()); //~ interior_mutable_default

// Without a shared default.
static PLAIN: ContextVar<u64> = ContextVar::with_default("plain", 0);
static UNSET: ContextVar<&'static AtomicU32> = ContextVar::new("unset");

fn record(name: &str) {
    SEEN.with(|seen| {
        if let Some(seen) = seen {
            seen.lock().unwrap().push(name.to_owned()); //~ context_value_mutated_in_place
        }
    });
    HITS.with(|hits| hits.unwrap().fetch_add(1, Ordering::Relaxed)); //~ context_value_mutated_in_place
    TOTAL.with(|total| {
        let mut total = total.unwrap().lock().unwrap();
        *total += 1; //~ context_value_mutated_in_place
    });
    CONFIG.with(|config| config.unwrap().write().unwrap().clear()); //~ context_value_mutated_in_place
    NAME.with(|name| name.unwrap().get_or_init(|| "first".to_owned()).len()); //~ context_value_mutated_in_place
    let shared = SHARED.get().unwrap();
    shared.fetch_add(1, Ordering::Relaxed); //~ context_value_mutated_in_place
    STATS.with(|stats| stats.unwrap().hits.fetch_add(1, Ordering::Relaxed)); //~ context_value_mutated_in_place
}

fn silent() {
    // Reads.
    HITS.with(|hits| hits.unwrap().load(Ordering::Relaxed));
    SEEN.with(|seen| seen.unwrap().lock().unwrap().len());
    CONFIG.with(|config| config.unwrap().read().unwrap().len());
    // A fresh value `set()` first: `get()` gives this task's own.
    SHARED.set(&OTHER);
    SHARED.get().unwrap().fetch_add(1, Ordering::Relaxed);
    // No shared default.
    PLAIN.with(|plain| plain.copied());
    UNSET.get().map(|unset| unset.fetch_add(1, Ordering::Relaxed));
    // A value of this function's own, not the variable's.
    let local = Mutex::new(Vec::new());
    local.lock().unwrap().push(1);
    let local_hits = AtomicU64::new(0);
    local_hits.fetch_add(1, Ordering::Relaxed);
}

fn main() {
    record("a");
    silent();
}
