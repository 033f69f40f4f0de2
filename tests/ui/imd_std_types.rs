//! The interior-mutable types of `std`, through imports, full paths, renames and containers,
//! beside immutable defaults that must stay silent.

use contextvars::ContextVar;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicUsize};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, RwLock};
use std::sync::Mutex as Lock;

static MUTEX: ContextVar<Mutex<Vec<String>>> = ContextVar::with_default("mutex", Mutex::new(Vec::new())); //~ interior_mutable_default
static RWLOCK: ContextVar<RwLock<u32>> = ContextVar::with_default("rwlock", RwLock::new(0)); //~ interior_mutable_default
static USIZE: ContextVar<AtomicUsize> = ContextVar::with_default("usize", AtomicUsize::new(0)); //~ interior_mutable_default
static BOOL: ContextVar<AtomicBool> = ContextVar::with_default("bool", AtomicBool::new(false)); //~ interior_mutable_default
static I64: ContextVar<AtomicI64> = ContextVar::with_default("i64", AtomicI64::new(-1)); //~ interior_mutable_default
static U32: ContextVar<AtomicU32> = ContextVar::with_default("u32", AtomicU32::new(7)); //~ interior_mutable_default
static ONCE: ContextVar<OnceLock<String>> = ContextVar::with_default("once", OnceLock::new()); //~ interior_mutable_default
static LAZY: ContextVar<LazyLock<u64>> = ContextVar::with_default("lazy", LazyLock::new(|| 42)); //~ interior_mutable_default
static RENAMED: ContextVar<Lock<u8>> = ContextVar::with_default("renamed", Lock::new(0)); //~ interior_mutable_default
static FULL_PATH: ContextVar<std::sync::Mutex<i32>> =
    contextvars::ContextVar::with_default("full", std::sync::Mutex::new(0)); //~ interior_mutable_default
static TURBOFISH: ContextVar<Mutex<u16>> = ContextVar::<Mutex<u16>>::with_default("turbofish", Mutex::new(1)); //~ interior_mutable_default
static TUPLE: ContextVar<(u32, Mutex<u32>)> = ContextVar::with_default("tuple", (1, Mutex::new(2))); //~ interior_mutable_default
static ARRAY: ContextVar<[AtomicUsize; 2]> = ContextVar::with_default("array", [AtomicUsize::new(0), AtomicUsize::new(0)]); //~ interior_mutable_default
static OPTION: ContextVar<Option<Mutex<u8>>> = ContextVar::with_default("option", Some(Mutex::new(0))); //~ interior_mutable_default
static NONE: ContextVar<Option<Mutex<u8>>> = ContextVar::with_default("none", None); // silent: `None` holds no `Mutex`, so nothing is shared
static ATOMIC_FULL: ContextVar<std::sync::atomic::AtomicU8> =
    ContextVar::with_default("atomic_full", std::sync::atomic::AtomicU8::new(0)); //~ interior_mutable_default

// Immutable defaults: silent.
static NUMBER: ContextVar<u64> = ContextVar::with_default("number", 0);
static TEXT: ContextVar<&'static str> = ContextVar::with_default("text", "anonymous");
static NAME_SAYS_MUTEX: ContextVar<&'static str> = ContextVar::with_default("Mutex::new(0)", "AtomicUsize"); // a toy that greps flags this
static PAIR: ContextVar<(u32, &'static str)> = ContextVar::with_default("pair", (1, "a"));
static BYTES: ContextVar<[u8; 4]> = ContextVar::with_default("bytes", [0; 4]);
static LIST: ContextVar<Vec<String>> = ContextVar::with_default("list", Vec::new());
static OWNED: ContextVar<String> = ContextVar::with_default("owned", String::new());
static MAYBE: ContextVar<Option<u32>> = ContextVar::with_default("maybe", Some(3));
static NOTHING: ContextVar<Option<String>> = ContextVar::with_default("nothing", None);
// The declared type is a `Mutex` only in a comment: ContextVar<Mutex<u32>>.
static COMMENTED: ContextVar<u32> = ContextVar::with_default("commented", 5);

fn locals() {
    // `Arc::new` is not `const`, so these are locals.
    let shared = ContextVar::with_default("shared", Arc::new(Mutex::new(0))); //~ interior_mutable_default, context_var_in_function
    let boxed = ContextVar::with_default("boxed", Box::new(AtomicUsize::new(0))); //~ interior_mutable_default, context_var_in_function
    let nested = ContextVar::with_default("nested", Arc::new((1, Some(RwLock::new(0))))); //~ interior_mutable_default, context_var_in_function
    let listed = ContextVar::with_default("listed", vec![Mutex::new(0)]); //~ interior_mutable_default, context_var_in_function
    let typed: ContextVar<Arc<Mutex<u8>>> = ContextVar::with_default("typed", Arc::default()); //~ interior_mutable_default, context_var_in_function
    let reference = ContextVar::with_default("reference", &MUTEX_GLOBAL); //~ interior_mutable_default, context_var_in_function
    // Silent: immutable, even behind `Arc`.
    let plain_arc = ContextVar::with_default("plain_arc", Arc::new(5)); //~ context_var_in_function
    let arc_str: ContextVar<Arc<str>> = ContextVar::with_default("arc_str", Arc::from("x")); //~ context_var_in_function
    let numbers = ContextVar::with_default("numbers", vec![1, 2, 3]); //~ context_var_in_function
    let boxed_text = ContextVar::with_default("boxed_text", Box::new("hello")); //~ context_var_in_function
    let _ = (shared, boxed, nested, listed, typed, reference, plain_arc, arc_str, numbers, boxed_text);
}

static MUTEX_GLOBAL: Mutex<u8> = Mutex::new(0);

fn main() {
    locals();
    let _ = (&MUTEX, &RWLOCK, &USIZE, &BOOL, &I64, &U32, &ONCE, &LAZY, &RENAMED, &FULL_PATH);
    let _ = (&TURBOFISH, &TUPLE, &ARRAY, &OPTION, &NONE, &ATOMIC_FULL);
    let _ = (&NUMBER, &TEXT, &NAME_SAYS_MUTEX, &PAIR, &BYTES, &LIST, &OWNED, &MAYBE, &NOTHING, &COMMENTED);
}
