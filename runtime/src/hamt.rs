//! A persistent hash array mapped trie (HAMT) from variable keys to values.
//!
//! This is the map behind every [`Context`](crate::Context). PEP 567 asks for two things
//! that a plain `HashMap` cannot give at once: copying a context must be cheap, because every
//! task creation copies one, and a copy must be a snapshot that later writes on either side do
//! not disturb. CPython uses a HAMT for the same reason (`Python/hamt.c`).
//!
//! Copies share structure: cloning a [`Hamt`] clones one `Arc`. A write copies only the path
//! from the root to the changed leaf, and skips even that when the path is not shared (the
//! `Arc` is unique), so a task that sets the same variable over and over does not allocate
//! nodes.
//!
//! Keys are the variables' ids, which are unique and handed out in sequence, so they are used
//! as their own hash: the first 32 variables share the root node, and two distinct keys can
//! never collide (they differ in some bit, hence in some 5-bit fragment at or before shift 60).
//!
//! # Invariants
//!
//! 1. In every branch, `slots.len() == bitmap.count_ones()`, and slot `i` belongs to the
//!    `i`-th set bit of `bitmap`.
//! 2. A leaf found under fragment `f` of a branch at shift `s` has `(key >> s) & 31 == f`, and
//!    the same holds for every branch on its path.
//! 3. A branch other than the root is never empty, and never holds a single leaf and nothing
//!    else (a removal that leaves one leaf moves that leaf up).
//! 4. The root's `len` is the number of leaves; an empty map has no root.
//! 5. No key appears twice.
//!
//! They are checked by `debug_assert!` where an operation could break them, and in full by the
//! test-only `check_invariants`.
//!
//! # Complexity
//!
//! | operation | time | allocation |
//! |---|---|---|
//! | `clone` | O(1) | none |
//! | `get` | O(log₃₂ n) | none |
//! | `insert` of a new key | O(log₃₂ n) | one node per shared level, plus one on the last level |
//! | `insert` over an existing key | O(log₃₂ n) | one node per *shared* level only |
//! | `remove` | O(log₃₂ n) | one node per level |
//! | `iter` | O(n) | a stack of at most 13 levels |

use std::any::Any;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{Ordering, fence};

/// Bits of the key consumed per level.
const BITS: u32 = 5;
/// Mask of one key fragment.
const MASK: u64 = (1 << BITS) - 1;

/// A value stored in a context, type-erased, with the name of its variable.
///
/// The name and type name travel with the value so that a [`Context`](crate::Context) can be
/// listed and debugged without the variables at hand.
pub(crate) trait Value: Any + Send + Sync {
    /// The name of the variable the value was set for.
    fn var_name(&self) -> &'static str;
    /// The Rust type of the value, from `std::any::type_name`.
    fn type_name(&self) -> &'static str;
}

/// The concrete form of a [`Value`].
pub(crate) struct Stored<T> {
    pub(crate) name: &'static str,
    pub(crate) value: T,
}

impl<T: Send + Sync + 'static> Value for Stored<T> {
    fn var_name(&self) -> &'static str {
        self.name
    }

    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

/// A key and its value.
#[derive(Clone)]
pub(crate) struct Entry {
    pub(crate) key: u64,
    pub(crate) value: Arc<dyn Value>,
}

impl Entry {
    /// The value as a `T`, or `None` if it holds another type.
    ///
    /// A key belongs to exactly one `ContextVar<T>`, and only that variable stores under it,
    /// so for callers that pass the right `T` this never returns `None`.
    pub(crate) fn downcast<T: 'static>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.value;
        let found = any.downcast_ref::<Stored<T>>().map(|stored| &stored.value);
        debug_assert!(
            found.is_some(),
            "key {} holds a value of another type",
            self.key
        );
        found
    }
}

#[derive(Clone)]
enum Slot {
    Leaf(Entry),
    Branch(Branch),
}

#[derive(Clone)]
struct Branch {
    bitmap: u32,
    slots: Arc<[Slot]>,
}

/// Nodes displaced by a write, to be dropped by the caller.
///
/// Dropping a node can drop the last reference to a user's value, which runs user code. The
/// thread's context is borrowed while it is written, and user code must never run under that
/// borrow (it may well read a context variable), so writes hand displaced nodes back instead
/// of dropping them.
#[must_use = "dropping the garbage while the context is borrowed runs user code under the borrow"]
#[derive(Default)]
pub(crate) struct Garbage(Vec<Arc<[Slot]>>);

/// The persistent map. See the [module documentation](self).
///
/// One pointer wide, so that a [`Context`](crate::Context) is small: entering a context swaps
/// it with the thread's current one, on every poll of a scoped future.
#[derive(Clone, Default)]
pub(crate) struct Hamt {
    root: Option<Arc<Root>>,
}

/// The top of a non-empty map, shared by its copies until one of them writes.
#[derive(Clone)]
struct Root {
    len: usize,
    branch: Branch,
}

/// Whether `arc` is the only reference to its value.
///
/// `Arc::get_mut` answers the same with an atomic compare-and-swap on the weak count, which
/// guards against a `Weak` being made at the same moment; this crate makes no `Weak`, so two
/// loads suffice. A write to a context checks three values this way (root, slots, value),
/// and the swaps were most of its cost.
#[inline]
fn is_unique<T: ?Sized>(arc: &Arc<T>) -> bool {
    let unique = Arc::strong_count(arc) == 1 && Arc::weak_count(arc) == 0;
    if unique {
        // Pairs with the `Release` decrement by which another thread dropped its reference:
        // that thread's accesses to the value happen before ours.
        fence(Ordering::Acquire);
    }
    unique
}

/// The value behind `arc`, mutably, if `arc` is the only reference to it: `Arc::get_mut`
/// without the compare-and-swap (see [`is_unique`]).
#[inline]
pub(crate) fn unique_mut<T: ?Sized>(arc: &mut Arc<T>) -> Option<&mut T> {
    if !is_unique(arc) {
        return None;
    }
    // SAFETY: the strong count is 1 and the caller holds that one reference mutably, so no
    // other `Arc` to the value exists and none can be made while the borrow lasts; the weak
    // count is 0 and no `Weak` can be made either (that needs a shared borrow of `arc`).
    // Nothing else can reach the value, and the fence in `is_unique` ordered every access
    // made through references dropped by other threads before this one. The pointer comes
    // from the `Arc`'s own allocation pointer, so it may be written through.
    #[allow(unsafe_code, reason = "`Arc::get_mut` without its compare-and-swap")]
    Some(unsafe { &mut *Arc::as_ptr(arc).cast_mut() })
}

/// `root`, uniquely owned: copied first if another map shares it.
///
/// Dropping the shared original here never runs user code, even if another thread drops the
/// last other reference at the same moment: the copy holds its own reference to the root's
/// slots, so only the `Root` itself can be freed.
#[inline]
fn root_mut(root: &mut Arc<Root>) -> &mut Root {
    if !is_unique(root) {
        *root = Arc::new(Root::clone(root));
    }
    debug_assert!(is_unique(root));
    // SAFETY: as in `unique_mut`: `root` was the only reference to its value, or it was just
    // made here and nothing else has seen it.
    #[allow(unsafe_code, reason = "`Arc::make_mut` without its compare-and-swap")]
    unsafe {
        &mut *Arc::as_ptr(root).cast_mut()
    }
}

/// The fragment of `key` that indexes the branch at `shift`.
#[inline]
fn fragment(key: u64, shift: u32) -> u32 {
    // `checked_shr` keeps this total: shifts past 63 only happen if invariant 5 is broken.
    (key.checked_shr(shift).unwrap_or(0) & MASK) as u32
}

/// The position in `slots` of the slot for `bit`, given the branch's `bitmap`.
#[inline]
fn position(bitmap: u32, bit: u32) -> usize {
    (bitmap & (bit - 1)).count_ones() as usize
}

/// Makes `slots` uniquely owned, copying it if it is shared, and returns it mutably.
#[inline]
fn slots_mut<'a>(slots: &'a mut Arc<[Slot]>, garbage: &mut Garbage) -> &'a mut [Slot] {
    if !is_unique(slots) {
        let copy: Arc<[Slot]> = slots.iter().cloned().collect();
        garbage.0.push(std::mem::replace(slots, copy));
    }
    // `slots` is now unique: either it was, or it is the copy made above, which nothing else
    // has seen and which has no `Weak` (this module makes none). The empty fallback keeps this
    // function total; callers treat a missing slot as "not found".
    let unique = unique_mut(slots);
    debug_assert!(unique.is_some());
    unique.unwrap_or_default()
}

/// A branch at `shift` holding the two leaves `a` and `b`, whose keys differ.
fn pair(a: Entry, b: Entry, shift: u32) -> Branch {
    debug_assert_ne!(a.key, b.key, "invariant 5");
    let (fa, fb) = (fragment(a.key, shift), fragment(b.key, shift));
    if fa == fb && shift < 64 {
        Branch {
            bitmap: 1 << fa,
            slots: Arc::from([Slot::Branch(pair(a, b, shift + BITS))]),
        }
    } else {
        let slots = if fa < fb {
            [Slot::Leaf(a), Slot::Leaf(b)]
        } else {
            [Slot::Leaf(b), Slot::Leaf(a)]
        };
        Branch {
            bitmap: (1 << fa) | (1 << fb),
            slots: Arc::from(slots),
        }
    }
}

impl Branch {
    #[inline]
    fn insert(&mut self, entry: Entry, shift: u32, garbage: &mut Garbage) -> Option<Entry> {
        let bit = 1 << fragment(entry.key, shift);
        let pos = position(self.bitmap, bit);
        if self.bitmap & bit == 0 {
            let mut slots = Vec::with_capacity(self.slots.len() + 1);
            slots.extend_from_slice(&self.slots[..pos]);
            slots.push(Slot::Leaf(entry));
            slots.extend_from_slice(&self.slots[pos..]);
            garbage
                .0
                .push(std::mem::replace(&mut self.slots, slots.into()));
            self.bitmap |= bit;
            debug_assert_eq!(
                self.slots.len(),
                self.bitmap.count_ones() as usize,
                "invariant 1"
            );
            return None;
        }
        let slot = slots_mut(&mut self.slots, garbage).get_mut(pos)?;
        match slot {
            Slot::Leaf(existing) if existing.key == entry.key => {
                Some(std::mem::replace(existing, entry))
            }
            Slot::Leaf(existing) => {
                let existing = existing.clone();
                *slot = Slot::Branch(pair(existing, entry, shift + BITS));
                None
            }
            Slot::Branch(child) => child.insert(entry, shift + BITS, garbage),
        }
    }

    /// The entry for `key`, with the path to it made uniquely owned.
    fn entry_mut(&mut self, key: u64, shift: u32, garbage: &mut Garbage) -> Option<&mut Entry> {
        let bit = 1 << fragment(key, shift);
        if self.bitmap & bit == 0 {
            return None;
        }
        let pos = position(self.bitmap, bit);
        match slots_mut(&mut self.slots, garbage).get_mut(pos)? {
            Slot::Leaf(entry) => (entry.key == key).then_some(entry),
            Slot::Branch(child) => child.entry_mut(key, shift + BITS, garbage),
        }
    }

    /// Removes `key`, which the caller has checked is present.
    fn remove(&mut self, key: u64, shift: u32, garbage: &mut Garbage) -> Option<Entry> {
        let bit = 1 << fragment(key, shift);
        if self.bitmap & bit == 0 {
            return None;
        }
        let pos = position(self.bitmap, bit);
        match self.slots.get(pos)? {
            Slot::Leaf(entry) if entry.key != key => None,
            Slot::Leaf(entry) => {
                let removed = entry.clone();
                let rest: Arc<[Slot]> = self
                    .slots
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != pos)
                    .map(|(_, slot)| slot.clone())
                    .collect();
                garbage.0.push(std::mem::replace(&mut self.slots, rest));
                self.bitmap &= !bit;
                Some(removed)
            }
            Slot::Branch(_) => {
                let slot = slots_mut(&mut self.slots, garbage).get_mut(pos)?;
                let Slot::Branch(child) = slot else {
                    return None;
                };
                let removed = child.remove(key, shift + BITS, garbage)?;
                // Invariant 3: a child left with a single leaf gives the leaf to this branch.
                if let [Slot::Leaf(only)] = &*child.slots {
                    let only = only.clone();
                    *slot = Slot::Leaf(only);
                }
                Some(removed)
            }
        }
    }
}

impl Hamt {
    /// An empty map.
    #[inline]
    pub(crate) const fn new() -> Self {
        Hamt { root: None }
    }

    /// Whether the map has no entries: then it has no root (invariant 4).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// The number of entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.root.as_ref().map_or(0, |root| root.len)
    }

    /// The entry for `key`.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<&Entry> {
        let mut branch = &self.root.as_ref()?.branch;
        let mut shift = 0;
        loop {
            let bit = 1 << fragment(key, shift);
            if branch.bitmap & bit == 0 {
                return None;
            }
            match branch.slots.get(position(branch.bitmap, bit))? {
                Slot::Leaf(entry) => return (entry.key == key).then_some(entry),
                Slot::Branch(child) => {
                    branch = child;
                    shift += BITS;
                }
            }
        }
    }

    /// Inserts `entry`, returning the entry it replaced, and the nodes the write displaced.
    #[inline]
    pub(crate) fn insert(&mut self, entry: Entry) -> (Option<Entry>, Garbage) {
        let mut garbage = Garbage::default();
        let replaced = match &mut self.root {
            Some(root) => {
                let root = root_mut(root);
                let replaced = root.branch.insert(entry, 0, &mut garbage);
                if replaced.is_none() {
                    root.len += 1;
                }
                replaced
            }
            None => {
                self.root = Some(Arc::new(Root {
                    len: 1,
                    branch: Branch {
                        bitmap: 1 << fragment(entry.key, 0),
                        slots: Arc::from([Slot::Leaf(entry)]),
                    },
                }));
                None
            }
        };
        (replaced, garbage)
    }

    /// The entry for `key`, mutably: the path to it is copied first where it is shared, so the
    /// change is seen by this map only. A miss leaves the path copied, which the `insert`
    /// that usually follows a miss would have done anyway.
    #[inline]
    pub(crate) fn entry_mut(&mut self, key: u64, garbage: &mut Garbage) -> Option<&mut Entry> {
        root_mut(self.root.as_mut()?)
            .branch
            .entry_mut(key, 0, garbage)
    }

    /// Inserts `entry` into a map where its key is absent, or replaces it.
    #[inline]
    pub(crate) fn insert_with(&mut self, entry: Entry, garbage: &mut Garbage) -> Option<Entry> {
        let (replaced, more) = self.insert(entry);
        garbage.0.extend(more.0);
        replaced
    }

    /// Removes the entry for `key` and returns it, with the nodes the write displaced.
    pub(crate) fn remove(&mut self, key: u64) -> (Option<Entry>, Garbage) {
        let mut garbage = Garbage::default();
        // Checking first keeps a miss from copying the path.
        if self.get(key).is_none() {
            return (None, garbage);
        }
        let Some(root) = &mut self.root else {
            return (None, garbage);
        };
        let root = root_mut(root);
        let removed = root.branch.remove(key, 0, &mut garbage);
        if removed.is_some() {
            root.len -= 1;
        }
        if root.branch.slots.is_empty() {
            // Invariant 4: an empty map has no root.
            garbage
                .0
                .push(std::mem::replace(&mut root.branch.slots, Arc::from([])));
            self.root = None;
        }
        debug_assert!(
            self.root.as_ref().is_none_or(|root| root.len > 0),
            "invariant 4"
        );
        (removed, garbage)
    }

    /// The entries, in key-fragment order.
    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            stack: self
                .root
                .iter()
                .map(|root| root.branch.slots.iter())
                .collect(),
            remaining: self.len(),
        }
    }

    /// Checks every invariant of the [module documentation](self).
    #[cfg(test)]
    pub(crate) fn check_invariants(&self) -> Result<(), String> {
        fn walk(
            branch: &Branch,
            shift: u32,
            path: u64,
            is_root: bool,
            keys: &mut Vec<u64>,
        ) -> Result<(), String> {
            if branch.slots.len() != branch.bitmap.count_ones() as usize {
                return Err(format!("invariant 1 broken at shift {shift}"));
            }
            if !is_root {
                match &*branch.slots {
                    [] => return Err(format!("invariant 3: empty branch at shift {shift}")),
                    [Slot::Leaf(_)] => {
                        return Err(format!("invariant 3: lone leaf at shift {shift}"));
                    }
                    _ => {}
                }
            }
            let mut bits = branch.bitmap;
            for slot in branch.slots.iter() {
                let frag = u64::from(bits.trailing_zeros());
                bits &= bits - 1;
                let path = path | (frag << shift);
                match slot {
                    Slot::Leaf(entry) => {
                        let low = if shift + BITS >= 64 {
                            u64::MAX
                        } else {
                            (1 << (shift + BITS)) - 1
                        };
                        if entry.key & low != path {
                            return Err(format!(
                                "invariant 2: key {} under path {path}",
                                entry.key
                            ));
                        }
                        keys.push(entry.key);
                    }
                    Slot::Branch(child) => walk(child, shift + BITS, path, false, keys)?,
                }
            }
            Ok(())
        }
        let mut keys = Vec::new();
        match &self.root {
            None => return Ok(()),
            Some(root) if root.branch.slots.is_empty() => {
                return Err("invariant 4: empty root".into());
            }
            Some(root) => walk(&root.branch, 0, 0, true, &mut keys)?,
        }
        if keys.len() != self.len() {
            return Err(format!(
                "invariant 4: {} leaves, len {}",
                keys.len(),
                self.len()
            ));
        }
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err("invariant 5: a key appears twice".into());
        }
        Ok(())
    }
}

/// An iterator over the entries of a [`Hamt`].
pub(crate) struct Iter<'a> {
    stack: Vec<std::slice::Iter<'a, Slot>>,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Entry;

    fn next(&mut self) -> Option<&'a Entry> {
        loop {
            match self.stack.last_mut()?.next() {
                Some(Slot::Leaf(entry)) => {
                    self.remaining -= 1;
                    return Some(entry);
                }
                Some(Slot::Branch(child)) => self.stack.push(child.slots.iter()),
                None => {
                    self.stack.pop();
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// Spare references to one root, kept by a thread so that copying its current context and
/// dropping the copy again touch no atomic counter.
///
/// `Arc::clone` and its drop are one atomic read-modify-write each, which made a copy and its
/// drop cost 23 ns (`BENCHMARKS.md`), and a [`copy_context`](crate::copy_context) is made on
/// every spawned task. The thread remembers the root of the context it last copied, while
/// that context stays entered; a copy of it dropped on this thread hands its reference to the
/// thread instead of decrementing the count, and the next copy takes it back. The counts stay
/// true: each spare is a strong reference that the thread owns, only not wrapped in an `Arc`.
///
/// # Invariants
///
/// 1. The thread owns `count` strong references to the `Root` at `root`, obtained from
///    `Arc::into_raw`; `count` is 0 while `root` is null.
/// 2. A non-null `root` is the root of a context that is current or entered on this thread:
///    alive, and not written while `root` names it. So the spares keep nothing alive longer
///    than that context does, and a copy whose root equals `root` is a copy of that context.
///    The owner keeps this: it calls [`release`](Self::release) before it writes to the
///    current context and when a context stops being entered, which also forgets `root`.
pub(crate) struct Spares {
    root: Cell<*const Root>,
    count: Cell<usize>,
}

impl Spares {
    /// No spare references, and no root.
    pub(crate) const fn new() -> Self {
        Spares {
            root: Cell::new(std::ptr::null()),
            count: Cell::new(0),
        }
    }

    /// Whether no root is remembered (and so no spare reference is kept).
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.root.get().is_null()
    }

    /// Whether `root` is the remembered root.
    #[inline]
    fn remembers(&self, root: &Arc<Root>) -> bool {
        std::ptr::eq(Arc::as_ptr(root), self.root.get())
    }

    /// A copy of `map`, the current context's map: one of the spare references to its root
    /// if there is one, else a new reference. Remembers the root unless spares to another
    /// are kept, so that dropping the copy can keep its reference.
    #[inline]
    pub(crate) fn copy(&self, map: &Hamt) -> Hamt {
        let Some(root) = &map.root else {
            return Hamt::new();
        };
        if self.remembers(root) {
            let count = self.count.get();
            if count > 0 {
                self.count.set(count - 1);
                // SAFETY: by invariant 1 the thread owns `count` > 0 strong references to the
                // remembered `Root`, `root`'s, from `Arc::into_raw`; this takes one of them over, and
                // `count` no longer includes it. The allocation is alive: `map` holds a
                // reference too.
                #[allow(unsafe_code, reason = "a spare reference becomes an `Arc` again")]
                let root = unsafe { Arc::from_raw(self.root.get()) };
                return Hamt { root: Some(root) };
            }
        } else if self.count.get() == 0 {
            // Invariant 2 holds: `map` is the current context's. The root remembered before,
            // if any, had no spares to give back.
            self.root.set(Arc::as_ptr(root));
        }
        map.clone()
    }

    /// Keeps `map`'s reference to its root as a spare if that root is the remembered one,
    /// leaving `map` empty; otherwise leaves `map` as it is, for the caller to drop.
    #[inline]
    pub(crate) fn keep(&self, map: &mut Hamt) {
        if map.root.as_ref().is_some_and(|root| self.remembers(root))
            && let Some(root) = map.root.take()
        {
            // Invariant 1 holds: the reference moves into `count`. Invariant 2 is untouched.
            self.root.set(Arc::into_raw(root));
            self.count.set(self.count.get() + 1);
        }
    }

    /// Gives every spare reference back and forgets the root, whatever it is: at thread exit,
    /// where the thread's own context is the only one left (invariant 2). Were they the last
    /// references, the root would be freed as dropping an `Arc` frees it.
    pub(crate) fn release_all(&self) {
        let root = self.root.replace(std::ptr::null());
        for _ in 0..self.count.replace(0) {
            // SAFETY: by invariant 1 the thread owned `count` strong references to the root at
            // `root`, from `Arc::into_raw`; each iteration gives one back, and the count and
            // the root were reset first.
            #[allow(unsafe_code, reason = "a spare reference is given back")]
            unsafe {
                Arc::decrement_strong_count(root);
            }
        }
    }

    /// Gives every spare reference back and forgets the root if it is `map`'s, before `map`
    /// is written to or stops being entered. Never frees the root: `map` holds a reference
    /// of its own.
    #[inline]
    pub(crate) fn release(&self, map: &Hamt) {
        if let Some(root) = &map.root
            && self.remembers(root)
        {
            debug_assert!(Arc::strong_count(root) > self.count.get(), "invariant 1");
            self.release_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn entry(key: u64, value: u32) -> Entry {
        Entry {
            key,
            value: Arc::new(Stored {
                name: "test",
                value,
            }),
        }
    }

    fn value_of(map: &Hamt, key: u64) -> Option<u32> {
        map.get(key).and_then(|e| e.downcast::<u32>()).copied()
    }

    #[test]
    fn insert_get_remove() {
        let mut map = Hamt::new();
        assert_eq!(map.len(), 0);
        for key in 1..=100 {
            let (old, _) = map.insert(entry(key, key as u32));
            assert!(old.is_none());
        }
        assert_eq!(map.check_invariants(), Ok(()));
        assert_eq!(map.len(), 100);
        for key in 1..=100 {
            assert_eq!(value_of(&map, key), Some(key as u32));
        }
        assert_eq!(value_of(&map, 101), None);
        let (old, _) = map.insert(entry(7, 700));
        assert_eq!(old.and_then(|e| e.downcast::<u32>().copied()), Some(7));
        assert_eq!(map.len(), 100);
        for key in (1..=100).step_by(2) {
            assert!(map.remove(key).0.is_some());
            assert_eq!(map.check_invariants(), Ok(()));
        }
        assert!(map.remove(1).0.is_none());
        assert_eq!(map.len(), 50);
        for key in (2..=100).step_by(2) {
            assert!(map.remove(key).0.is_some());
        }
        assert_eq!(map.check_invariants(), Ok(()));
        assert_eq!(map.len(), 0);
        assert!(map.root.is_none());
    }

    #[test]
    fn keys_that_share_long_prefixes_split_deep_and_collapse_back() {
        let mut map = Hamt::new();
        // Differ only in the top bit: they share 12 fragments.
        let (a, b) = (5, 5 | (1 << 63));
        let _ = map.insert(entry(a, 1));
        let _ = map.insert(entry(b, 2));
        assert_eq!(map.check_invariants(), Ok(()));
        assert_eq!(value_of(&map, a), Some(1));
        assert_eq!(value_of(&map, b), Some(2));
        let _ = map.remove(a);
        assert_eq!(map.check_invariants(), Ok(()));
        assert_eq!(value_of(&map, b), Some(2));
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn clones_are_snapshots_in_both_directions() {
        let mut a = Hamt::new();
        for key in 1..=40 {
            let _ = a.insert(entry(key, 0));
        }
        let mut b = a.clone();
        let _ = a.insert(entry(1, 1));
        let _ = b.insert(entry(2, 2));
        let _ = b.remove(3);
        assert_eq!((value_of(&a, 1), value_of(&b, 1)), (Some(1), Some(0)));
        assert_eq!((value_of(&a, 2), value_of(&b, 2)), (Some(0), Some(2)));
        assert_eq!((value_of(&a, 3), value_of(&b, 3)), (Some(0), None));
        assert_eq!(a.check_invariants(), Ok(()));
        assert_eq!(b.check_invariants(), Ok(()));
    }

    #[test]
    fn iter_yields_every_entry_once() {
        let mut map = Hamt::new();
        for key in [1, 33, 65, 2, 1 << 40, u64::MAX] {
            let _ = map.insert(entry(key, 0));
        }
        let mut keys: Vec<u64> = map.iter().map(|e| e.key).collect();
        assert_eq!(map.iter().len(), 6);
        keys.sort_unstable();
        assert_eq!(keys, vec![1, 2, 33, 65, 1 << 40, u64::MAX]);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u64, u32),
        Remove(u64),
        Snapshot,
    }

    fn key() -> impl Strategy<Value = u64> {
        // Small keys (dense root), keys sharing prefixes, and arbitrary ones.
        prop_oneof![0u64..64, (0u64..8).prop_map(|k| k << 55 | 3), any::<u64>()]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: if cfg!(miri) { 4 } else { 256 }, ..ProptestConfig::default() })]
        /// The map agrees with a `BTreeMap`, and earlier snapshots never change.
        #[test]
        fn behaves_like_a_btreemap(ops in proptest::collection::vec(prop_oneof![
            (key(), any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            key().prop_map(Op::Remove),
            Just(Op::Snapshot),
        ], 0..120)) {
            let mut map = Hamt::new();
            let mut model = BTreeMap::new();
            let mut snapshots = Vec::new();
            for op in ops {
                match op {
                    Op::Insert(k, v) => {
                        let (old, _) = map.insert(entry(k, v));
                        prop_assert_eq!(old.and_then(|e| e.downcast::<u32>().copied()), model.insert(k, v));
                    }
                    Op::Remove(k) => {
                        let (old, _) = map.remove(k);
                        prop_assert_eq!(old.and_then(|e| e.downcast::<u32>().copied()), model.remove(&k));
                    }
                    Op::Snapshot => snapshots.push((map.clone(), model.clone())),
                }
                prop_assert_eq!(map.check_invariants(), Ok(()));
                prop_assert_eq!(map.len(), model.len());
            }
            for (snap, snap_model) in snapshots {
                prop_assert_eq!(snap.len(), snap_model.len());
                for (k, v) in snap_model {
                    prop_assert_eq!(value_of(&snap, k), Some(v));
                }
            }
        }
    }
}
