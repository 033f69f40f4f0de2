//! Types of the linted crate: structs, enums, tuple structs and aliases whose fields hold an
//! interior-mutable type (directly, or through another crate type), against look-alikes that
//! hold none.

use contextvars::ContextVar;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};

struct Stats {
    hits: AtomicU64,
}

impl Stats {
    const fn new() -> Self {
        Stats {
            hits: AtomicU64::new(0),
        }
    }
}

/// Interior-mutable only through another crate type.
struct Session {
    user: &'static str,
    stats: Stats,
}

struct Counter(AtomicU64);

enum Cache {
    Empty,
    Filled(RwLock<Vec<u8>>),
}

type SharedLog = Arc<Mutex<Vec<String>>>;

struct Holder<T> {
    value: T,
}

// A struct whose name says "Mutex" but that holds plain data.
#[derive(Clone, Copy)]
struct MutexConfig {
    retries: u32,
}

impl MutexConfig {
    const fn new() -> Self {
        MutexConfig { retries: 3 }
    }
}

#[derive(Clone, Copy)]
enum Mode {
    Locked,
    Unlocked,
}

type Lock = u32;

struct Plain {
    name: &'static str,
    limit: usize,
}

static STATS: ContextVar<Stats> = ContextVar::with_default("stats", Stats::new()); //~ interior_mutable_default
static SESSION: ContextVar<Session> = ContextVar::with_default(
    "session",
    Session { //~ interior_mutable_default
        user: "anonymous",
        stats: Stats::new(),
    },
);
static COUNTER: ContextVar<Counter> = ContextVar::with_default("counter", Counter(AtomicU64::new(0))); //~ interior_mutable_default
static CACHE: ContextVar<Cache> = ContextVar::with_default("cache", Cache::Empty); // silent: this variant holds no data, so nothing is shared
static HOLDER: ContextVar<Holder<Mutex<u8>>> = ContextVar::with_default("holder", Holder { value: Mutex::new(0) }); //~ interior_mutable_default

// Silent: these crate types hold nothing interior-mutable.
static CONFIG: ContextVar<MutexConfig> = ContextVar::with_default("config", MutexConfig::new());
static MODE: ContextVar<Mode> = ContextVar::with_default("mode", Mode::Locked);
static LOCK: ContextVar<Lock> = ContextVar::with_default("lock", 0);
static PLAIN: ContextVar<Plain> = ContextVar::with_default("plain", Plain { name: "x", limit: 10 });
static HOLDS_NUMBER: ContextVar<Holder<u64>> = ContextVar::with_default("holds_number", Holder { value: 1 });

fn locals() {
    let log = ContextVar::with_default("log", SharedLog::default()); //~ interior_mutable_default, context_var_in_function
    let filled = ContextVar::with_default("filled", Cache::Filled(RwLock::new(Vec::new()))); //~ interior_mutable_default, context_var_in_function
    let shared_stats = ContextVar::with_default("shared_stats", Arc::new(Stats::new())); //~ interior_mutable_default, context_var_in_function
    // Silent.
    let unlocked = ContextVar::with_default("unlocked", Mode::Unlocked); //~ context_var_in_function
    let plain = ContextVar::with_default("plain_arc", Arc::new(MutexConfig::new())); //~ context_var_in_function
    let _ = (log, filled, shared_stats, unlocked, plain);
}

fn main() {
    locals();
    let _ = (&STATS, &SESSION, &COUNTER, &CACHE, &HOLDER, &CONFIG, &MODE, &LOCK, &PLAIN, &HOLDS_NUMBER);
    if let Some(s) = SESSION.with(|s| s.map(|s| s.user)) {
        println!("{s}");
    }
    let _ = PLAIN.with(|p| p.map(|p| (p.name, p.limit)));
    let _ = CONFIG.with(|c| c.map(|c| c.retries));
    let _ = HOLDER.with(|h| h.map(|h| h.value.lock().is_ok()));
    let _ = HOLDS_NUMBER.with(|h| h.map(|h| h.value));
    let _ = COUNTER.with(|c| c.map(|c| c.0.load(std::sync::atomic::Ordering::Relaxed)));
    let _ = STATS.with(|s| s.map(|s| s.hits.load(std::sync::atomic::Ordering::Relaxed)));
    let _ = SESSION.with(|s| s.map(|s| s.stats.hits.load(std::sync::atomic::Ordering::Relaxed)));
}
