//! The default's value decides, not only its type: a value that holds no interior-mutable part
//! shares nothing, however interior-mutable its type could be. Types live in a module of their
//! own, so that the value is judged through a `use`.

use contextvars::ContextVar;
use std::marker::PhantomData;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

mod model {
    use std::marker::PhantomData;
    use std::sync::Mutex;

    pub enum Slot {
        Empty,
        Count(u32),
        Held(Mutex<u32>),
        Named { lock: Mutex<u32> },
    }

    /// Linked to `Mutex` only through a marker: it holds none.
    pub struct Tag {
        pub marker: PhantomData<Mutex<u8>>,
        pub id: u32,
    }

    impl Tag {
        pub const fn new() -> Self {
            Tag { marker: PhantomData, id: 0 }
        }
    }

    /// A marker and a real lock.
    pub struct Tagged {
        pub marker: PhantomData<u8>,
        pub lock: Mutex<u8>,
    }

    pub struct Holder<T> {
        pub value: T,
    }

    pub struct Options {
        pub retries: u32,
        pub lock: Option<Mutex<u8>>,
    }
}

use model::{Holder, Options, Slot, Tag, Tagged};

const NO_LOCK: Option<Mutex<u8>> = None;
const A_LOCK: Option<Mutex<u8>> = Some(Mutex::new(0));

fn shared_slot() -> Option<Arc<Mutex<u8>>> {
    Some(Arc::new(Mutex::new(0)))
}

// Values that hold a lock or an atomic.
static HELD: ContextVar<Slot> = ContextVar::with_default("held", Slot::Held(Mutex::new(0))); //~ interior_mutable_default
static NAMED: ContextVar<Slot> = ContextVar::with_default("named", Slot::Named { lock: Mutex::new(1) }); //~ interior_mutable_default
static TAGGED: ContextVar<Tagged> = ContextVar::with_default("tagged", Tagged { marker: PhantomData, lock: Mutex::new(0) }); //~ interior_mutable_default
static HOLDS_SOME: ContextVar<Holder<Option<Mutex<u8>>>> = ContextVar::with_default("holds_some", Holder { value: Some(Mutex::new(0)) }); //~ interior_mutable_default
static CONST_LOCK: ContextVar<Option<Mutex<u8>>> = ContextVar::with_default("const_lock", A_LOCK); //~ interior_mutable_default
static OPTIONS_LOCK: ContextVar<Options> = ContextVar::with_default("options_lock", Options { retries: 1, lock: Some(Mutex::new(0)) }); //~ interior_mutable_default

fn in_functions() {
    // A call syntax cannot see into: the declared type decides.
    let typed: ContextVar<Option<Arc<Mutex<u8>>>> = ContextVar::with_default("typed", shared_slot()); //~ interior_mutable_default, context_var_in_function
    let mixed = ContextVar::with_default("mixed", (None::<Mutex<u8>>, AtomicBool::new(false))); //~ interior_mutable_default, context_var_in_function
    let arc_some = ContextVar::with_default("arc_some", Arc::new(Some(Mutex::new(0)))); //~ interior_mutable_default, context_var_in_function
    let some_arc = ContextVar::with_default("some_arc", Some(Arc::new(Mutex::new(0)))); //~ interior_mutable_default, context_var_in_function

    // Only types can tell: a function's result with no declared type (the CLI errs toward
    // silence; see docs/dylint-only.md).
    let untyped = ContextVar::with_default("untyped", shared_slot()); //~ context_var_in_function; dylint: interior_mutable_default
    let defaulted = ContextVar::with_default("defaulted", Arc::<Mutex<u8>>::default()); //~ context_var_in_function; dylint: interior_mutable_default

    // Silent: `None` holds no `Mutex`.
    let none: ContextVar<Option<Arc<Mutex<u8>>>> = ContextVar::with_default("none", None); //~ context_var_in_function
    // Silent: an `Arc` of `None` shares nothing.
    let arc_none: ContextVar<Arc<Option<Mutex<u8>>>> = ContextVar::with_default("arc_none", Arc::new(None)); //~ context_var_in_function
    // Silent: an empty `Vec` holds no element.
    let empty: ContextVar<Vec<Mutex<u8>>> = ContextVar::with_default("empty", Vec::new()); //~ context_var_in_function
    // Silent: `vec![]` is empty too.
    let empty_macro: ContextVar<Vec<Mutex<u8>>> = ContextVar::with_default("empty_macro", vec![]); //~ context_var_in_function
    // Silent: a tuple of `None` and a number.
    let pair: ContextVar<(Option<Mutex<u8>>, u32)> = ContextVar::with_default("pair", (None, 0)); //~ context_var_in_function
}

// Silent: the data-less variant of an enum that has a `Mutex` in other variants.
static EMPTY_SLOT: ContextVar<Slot> = ContextVar::with_default("empty_slot", Slot::Empty);
// Silent: a variant whose only field is a number.
static COUNT_SLOT: ContextVar<Slot> = ContextVar::with_default("count_slot", Slot::Count(3));
// Silent: the struct's only link to `Mutex` is a `PhantomData`.
static TAG: ContextVar<Tag> = ContextVar::with_default("tag", Tag { marker: PhantomData, id: 1 });
// Silent: the same struct, built by its constructor.
static TAG_NEW: ContextVar<Tag> = ContextVar::with_default("tag_new", Tag::new());
// Silent: a constant whose value is `None`.
static CONST_NONE: ContextVar<Option<Mutex<u8>>> = ContextVar::with_default("const_none", NO_LOCK);
// Silent: a generic holder of `None`.
static HOLDS_NONE: ContextVar<Holder<Option<Mutex<u8>>>> = ContextVar::with_default("holds_none", Holder { value: None });
// Silent: the optional lock is absent.
static OPTIONS: ContextVar<Options> = ContextVar::with_default("options", Options { retries: 3, lock: None });

fn main() {
    in_functions();
}
