//! The lock and cell types of tokio, beside its types that hold no shared state.

use contextvars::ContextVar;
use std::sync::Arc;
use tokio::sync::{Mutex, Notify, OnceCell, RwLock, Semaphore};

#[tokio::main]
async fn main() {
    let mutex = ContextVar::with_default("mutex", Mutex::new(0)); //~ interior_mutable_default, context_var_in_function
    let rwlock = ContextVar::with_default("rwlock", RwLock::new(String::new())); //~ interior_mutable_default, context_var_in_function
    let once = ContextVar::with_default("once", OnceCell::<u32>::new()); //~ interior_mutable_default, context_var_in_function
    let permits = ContextVar::with_default("permits", Arc::new(Semaphore::new(4))); //~ interior_mutable_default, context_var_in_function
    let notify = ContextVar::with_default("notify", Notify::new()); //~ interior_mutable_default, context_var_in_function
    let full = ContextVar::with_default("full", tokio::sync::Mutex::new(Vec::<u8>::new())); //~ interior_mutable_default, context_var_in_function
    // Silent: plain values, and a duration.
    let timeout = ContextVar::with_default("timeout", tokio::time::Duration::from_secs(5)); //~ context_var_in_function
    let retries = ContextVar::with_default("retries", 3u8); //~ context_var_in_function
    let _ = (mutex, rwlock, once, permits, notify, full, timeout, retries);
}
