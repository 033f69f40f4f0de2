//! Every way to allow `interior_mutable_default`: on the item, with `expect`, through
//! `cfg_attr(dylint_lib = ..)`, on an enclosing function, module or statement.

use contextvars::ContextVar;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

#[allow(interior_mutable_default)]
static ALLOWED: ContextVar<Mutex<u8>> = ContextVar::with_default("allowed", Mutex::new(0));

#[expect(interior_mutable_default)]
static EXPECTED: ContextVar<AtomicUsize> = ContextVar::with_default("expected", AtomicUsize::new(0));

#[cfg_attr(dylint_lib = "ctxlint_dylint", allow(interior_mutable_default))]
static CFG_ATTR: ContextVar<Mutex<u16>> = ContextVar::with_default("cfg_attr", Mutex::new(0));

#[allow(dead_code, interior_mutable_default)]
mod quiet {
    use contextvars::ContextVar;
    use std::sync::Mutex;

    pub static IN_MODULE: ContextVar<Mutex<u32>> = ContextVar::with_default("in_module", Mutex::new(0));
}

#[allow(interior_mutable_default)]
fn allowed_function() {
    let var = ContextVar::with_default("in_fn", std::sync::Arc::new(Mutex::new(0))); //~ context_var_in_function
    let _ = var;
}

fn allowed_statement() {
    #[allow(interior_mutable_default)]
    let var = ContextVar::with_default("in_stmt", std::sync::Arc::new(Mutex::new(0))); //~ context_var_in_function
    // The attribute covers only its own statement.
    let loud = ContextVar::with_default("loud", std::sync::Arc::new(Mutex::new(0))); //~ interior_mutable_default, context_var_in_function
    let _ = (var, loud);
}

// `warn` after an outer `allow` turns it back on.
#[allow(interior_mutable_default)]
mod reenabled {
    use contextvars::ContextVar;
    use std::sync::Mutex;

    #[warn(interior_mutable_default)]
    pub static AGAIN: ContextVar<Mutex<u32>> = ContextVar::with_default("again", Mutex::new(0)); //~ interior_mutable_default
}

// Not allowed: a different lint's `allow`.
#[allow(dead_code)]
static OTHER_ALLOW: ContextVar<Mutex<u64>> = ContextVar::with_default("other_allow", Mutex::new(0)); //~ interior_mutable_default

fn main() {
    allowed_function();
    allowed_statement();
    let _ = (&ALLOWED, &EXPECTED, &CFG_ATTR, &quiet::IN_MODULE, &reenabled::AGAIN, &OTHER_ALLOW);
}
