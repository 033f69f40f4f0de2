//! Interior mutability that only types reveal: through a type alias, a `const fn`, a field,
//! a generic argument and a type from another crate.
use contextvars::ContextVar;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Interior-mutable through a field, not by its own name.
struct Stats {
    hits: AtomicUsize,
}

type Shared = Stats;

const fn fresh() -> Shared {
    Stats { hits: AtomicUsize::new(0) }
}

static STATS: ContextVar<Shared> = ContextVar::with_default("stats", fresh()); //~ interior_mutable_default

static NOTIFY: ContextVar<tokio::sync::Notify> =
    ContextVar::with_default("notify", tokio::sync::Notify::const_new()); //~ interior_mutable_default

// Not interior-mutable: shared, but nothing can change it.
static NAME: ContextVar<&'static str> = ContextVar::with_default("name", "anonymous");
static LIMITS: ContextVar<(u32, [u8; 4])> = ContextVar::with_default("limits", (1, [0; 4]));
static EMPTY: ContextVar<Vec<String>> = ContextVar::with_default("empty", Vec::new());

fn main() {
    // A local variable: the argument's type is only known after inference.
    let counter = ContextVar::with_default("counter", Arc::new(Mutex::new(0))); //~ interior_mutable_default, context_var_in_function
    let bytes = contextvars::ContextVar::<Arc<Vec<u8>>>::with_default("bytes", Arc::new(Vec::new())); //~ context_var_in_function

    let _ = STATS.set(fresh());
    let _ = (&NOTIFY, &NAME, &LIMITS, &EMPTY, &counter, &bytes);
    println!("{}", fresh().hits.load(Ordering::Relaxed));
}
