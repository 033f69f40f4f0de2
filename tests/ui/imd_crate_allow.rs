//! A crate-level `#![allow]` silences the whole crate.
#![allow(interior_mutable_default)]

use contextvars::ContextVar;
use std::sync::Mutex;

static QUIET: ContextVar<Mutex<u8>> = ContextVar::with_default("quiet", Mutex::new(0));

fn main() {
    let local = ContextVar::with_default("local", std::sync::Arc::new(Mutex::new(0))); //~ context_var_in_function
    let _ = (&QUIET, local);
}
