//! `interior_mutable_default` and a generic struct of another module that uses its parameter
//! only in a `PhantomData`: it holds no value of the parameter, so `Tag<Mutex<u8>>` shares
//! nothing, by its value or by its type. Against one that does hold its parameter.

use contextvars::ContextVar;
use std::marker::PhantomData;
use std::sync::Mutex;

mod state {
    use std::marker::PhantomData;

    /// Typed by `T`, holding none.
    pub struct Tag<T> {
        pub marker: PhantomData<T>,
        pub id: u32,
    }

    impl<T> Tag<T> {
        pub const fn new(id: u32) -> Self {
            Tag { marker: PhantomData, id }
        }
    }

    /// Holding a `T`.
    pub struct Holder<T> {
        pub value: T,
        pub marker: PhantomData<T>,
    }
}

static TAG: ContextVar<state::Tag<Mutex<u8>>> =
    ContextVar::with_default("tag", state::Tag { marker: PhantomData, id: 0 });
static MADE: ContextVar<state::Tag<Mutex<u8>>> = ContextVar::with_default("made", state::Tag::new(1));
static BARE: ContextVar<PhantomData<Mutex<u8>>> = ContextVar::with_default("bare", PhantomData);
static HELD: ContextVar<state::Holder<Mutex<u8>>> = ContextVar::with_default(
    "held",
    state::Holder { value: Mutex::new(0), marker: PhantomData }, //~ interior_mutable_default
);

fn main() {
    let _ = (TAG.name(), MADE.name(), BARE.name(), HELD.name());
}
