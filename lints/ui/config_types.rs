//! `extra-types` and `ignore-types` from `ui/dylint.toml`, table `[interior_mutable_default]`.
use contextvars::ContextVar;
use std::sync::OnceLock;

/// An id that a C library mutates behind our back: listed in `extra-types`.
struct Handle(u64);

/// Interior-mutable, but only to memoise: listed in `ignore-types`.
struct Cache {
    memo: OnceLock<String>,
}

static HANDLE: ContextVar<Handle> = ContextVar::with_default("handle", Handle(0)); //~ interior_mutable_default
static HANDLES: ContextVar<[Handle; 1]> = ContextVar::with_default("handles", [Handle(1)]); //~ interior_mutable_default
// Silent: an empty `Vec` holds no `Handle`, whatever its type.
static NO_HANDLES: ContextVar<Vec<Handle>> = ContextVar::with_default("no_handles", Vec::new());
static CACHE: ContextVar<Cache> = ContextVar::with_default("cache", Cache { memo: OnceLock::new() });

fn main() {
    let _ = (&HANDLE, &HANDLES, &NO_HANDLES, &CACHE);
    println!("{:?}", Handle(1).0);
    println!("{:?}", Cache { memo: OnceLock::new() }.memo.get());
}
