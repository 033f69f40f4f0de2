//! The public API of the `contextvars` crate (`runtime/`), as the lints resolve it.
//!
//! A test of the CLI compares [`EXPORTS`] with the items `runtime/src/lib.rs` makes public, so
//! that a new export cannot be missed by `use contextvars::*` resolution.

/// The public items at the root of `contextvars`, as `use contextvars::*` brings them in
/// (functions, types, traits and modules; features included).
pub static EXPORTS: &[&str] = &[
    "AccessError",
    "Context",
    "ContextVar",
    "FutureExt",
    "ResetError",
    "Scoped",
    "Token",
    "ValueView",
    "copy_context",
    "spawn",
    "spawn_blocking",
    "spawn_local",
    "thread",
    "try_copy_context",
];
