//! `context_var_in_function` (CTX005): a `ContextVar` made in a function, a method, a closure,
//! an `async fn`, as an argument or a field; against `static` items (at module level or
//! inside a function), test code, and a `ContextVar` of another crate.

use contextvars::ContextVar;

static REQUEST_ID: ContextVar<u64> = ContextVar::new("request_id");

struct Holder {
    var: ContextVar<u8>,
}

fn register(var: ContextVar<u8>) -> ContextVar<u8> {
    var
}

fn per_call() {
    let request_id: ContextVar<u64> = ContextVar::new("request_id"); //~ context_var_in_function
    request_id.set(7);
    let user = ContextVar::with_default("user", "anonymous"); //~ context_var_in_function
    let _ = user.get();
    let registered = register(ContextVar::new("registered")); //~ context_var_in_function
    let holder = Holder {
        var: ContextVar::new("held"), //~ context_var_in_function
    };
    let make = || ContextVar::<u8>::new("closure"); //~ context_var_in_function
    let _ = (registered, holder, make);
}

impl Holder {
    fn new() -> Self {
        Holder {
            var: ContextVar::new("method"), //~ context_var_in_function
        }
    }
}

async fn handle() {
    let scratch: ContextVar<u8> = ContextVar::new("scratch"); //~ context_var_in_function
    scratch.set(1);
}

fn once() {
    // A `static` item is made once, even inside a function.
    static COUNT: ContextVar<u64> = ContextVar::new("count");
    static LABEL: ContextVar<&str> = ContextVar::with_default("label", "x");
    COUNT.set(1);
    let _ = (LABEL.get(), REQUEST_ID.get());
}

mod other {
    /// A type of another crate that shares the name.
    pub struct ContextVar;
    impl ContextVar {
        pub fn new(_: &str) -> Self {
            ContextVar
        }
    }
}

fn lookalike() {
    let _ = other::ContextVar::new("not ours");
}

#[test]
fn a_test_makes_its_own() {
    let var: ContextVar<u8> = ContextVar::new("test");
    var.set(1);
}

#[cfg(test)]
mod tests {
    use contextvars::ContextVar;

    fn helper() -> ContextVar<u8> {
        ContextVar::new("helper")
    }
}

fn main() {
    per_call();
    let _ = Holder::new();
    let _ = handle();
    once();
    lookalike();
}
