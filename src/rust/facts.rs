//! Crate-wide facts, collected once per crate from every file of it: which functions are
//! `async`, which types (structs, enums, aliases) and constants are interior-mutable, and the
//! crate-level lint attributes.

// The hot maps are keyed by short names and addresses: FxHash, not SipHash (issue 11).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use ctxlint_catalogue::Level;
use syn::visit::Visit;

use crate::config::Config;
use crate::rust::resolve::Imports;
use crate::rust::suppress;

/// Whether the functions of one name are `async`, not `async`, or both (in different places).
#[derive(Debug, Default, Clone, Copy)]
struct Asyncness {
    is_async: bool,
    is_sync: bool,
}

/// A type definition, kept with the imports of the file that defines it.
#[derive(Debug)]
struct TypeDef {
    imports: Arc<Imports>,
    /// The types of its fields (of every variant, for an enum), or the aliased type.
    parts: Vec<Ty>,
}

/// The shape of a type, as far as interior mutability goes. syn's types cannot leave the
/// thread that parsed them (their spans are thread-local), so the facts keep this instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A named type with the type arguments of its last segment.
    Path {
        segments: Vec<String>,
        absolute: bool,
        args: Vec<Ty>,
    },
    /// A tuple, array or slice: interior-mutable when an element is.
    Elements(Vec<Ty>),
    /// A pointer, `fn` pointer, trait object or `impl Trait`: syntax cannot tell what they
    /// point to, or they are not `Sync` and so cannot be a `ContextVar` default anyway.
    Opaque,
}

impl Ty {
    pub(crate) fn of(ty: &syn::Type) -> Ty {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => Ty::of_path(&p.path),
            syn::Type::Tuple(t) => Ty::Elements(t.elems.iter().map(Ty::of).collect()),
            syn::Type::Array(a) => Ty::Elements(vec![Ty::of(&a.elem)]),
            syn::Type::Slice(s) => Ty::Elements(vec![Ty::of(&s.elem)]),
            syn::Type::Paren(p) => Ty::of(&p.elem),
            syn::Type::Group(g) => Ty::of(&g.elem),
            // Sharing through a reference is as shared as the value itself (clippy's
            // `InteriorMut`, which the Dylint library uses, looks through references too).
            syn::Type::Reference(r) => Ty::Elements(vec![Ty::of(&r.elem)]),
            _ => Ty::Opaque,
        }
    }

    pub(crate) fn of_path(path: &syn::Path) -> Ty {
        Ty::Path {
            segments: path.segments.iter().map(|s| s.ident.to_string()).collect(),
            absolute: path.leading_colon.is_some(),
            args: generic_types(path).map(Ty::of).collect(),
        }
    }
}

/// The facts of one crate that the lints need beyond the file they check.
#[derive(Debug, Default)]
pub(crate) struct CrateFacts {
    /// Free functions and associated functions without `self`, by name.
    fns: HashMap<String, Asyncness>,
    /// Methods (with a `self` receiver), by name.
    methods: HashMap<String, Asyncness>,
    /// Structs, enums, unions and type aliases, by name.
    types: HashMap<String, Vec<TypeDef>>,
    /// Constants and statics, by name.
    consts: HashMap<String, Vec<TypeDef>>,
    /// Which of the names in `types` are interior-mutable (computed by [`CrateFacts::finish`]).
    interior_mutable: HashSet<String>,
    /// Lint levels from the crate root's inner attributes (`#![allow(..)]`).
    pub(crate) crate_levels: Vec<(&'static str, Level)>,
}

impl CrateFacts {
    /// Adds the facts of one parsed file. `is_root` says it is the crate root, whose inner
    /// attributes apply to the whole crate.
    pub(crate) fn add_file(&mut self, file: &syn::File, is_root: bool) {
        let imports = Arc::new(Imports::of_file(file));
        if is_root {
            self.crate_levels.extend(suppress::levels(&file.attrs));
        }
        let mut collector = FactCollector {
            facts: self,
            imports,
            in_impl: false,
        };
        collector.visit_file(file);
    }

    /// Merges the facts of another part of the same crate.
    pub(crate) fn merge(&mut self, other: CrateFacts) {
        for (name, a) in other.fns {
            let e = self.fns.entry(name).or_default();
            e.is_async |= a.is_async;
            e.is_sync |= a.is_sync;
        }
        for (name, a) in other.methods {
            let e = self.methods.entry(name).or_default();
            e.is_async |= a.is_async;
            e.is_sync |= a.is_sync;
        }
        for (name, defs) in other.types {
            self.types.entry(name).or_default().extend(defs);
        }
        for (name, defs) in other.consts {
            self.consts.entry(name).or_default().extend(defs);
        }
        self.crate_levels.extend(other.crate_levels);
    }

    /// Computes which crate types are interior-mutable, once all files are in.
    ///
    /// A type is interior-mutable when one of its fields is. The computation starts from
    /// "none is" and repeats until nothing changes, so that recursive types terminate. A name
    /// defined several times counts only if every definition is interior-mutable.
    pub(crate) fn finish(&mut self, config: &Config) {
        loop {
            let mut changed = false;
            let names: Vec<String> = self.types.keys().cloned().collect();
            for name in names {
                if self.interior_mutable.contains(&name) {
                    continue;
                }
                let all = self.types.get(&name).is_some_and(|defs| {
                    defs.iter().all(|def| {
                        def.parts
                            .iter()
                            .any(|ty| self.ty_is_im(ty, &def.imports, config))
                    })
                });
                if all {
                    self.interior_mutable.insert(name);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Whether a call of `name(..)` (a free or associated function) certainly returns a future.
    pub(crate) fn fn_is_async(&self, name: &str) -> bool {
        self.fns.get(name).is_some_and(|a| a.is_async && !a.is_sync)
    }

    /// Whether a call of `.name(..)` certainly returns a future.
    pub(crate) fn method_is_async(&self, name: &str) -> bool {
        self.methods
            .get(name)
            .is_some_and(|a| a.is_async && !a.is_sync)
    }

    /// Whether the crate constant or static `name` has an interior-mutable type.
    pub(crate) fn const_is_im(&self, name: &str, config: &Config) -> bool {
        self.consts.get(name).is_some_and(|defs| {
            defs.iter().all(|def| {
                def.parts
                    .iter()
                    .any(|ty| self.ty_is_im(ty, &def.imports, config))
            })
        })
    }

    /// Whether the crate defines a type called `name`.
    pub(crate) fn defines_type(&self, name: &str) -> bool {
        self.types.contains_key(name)
    }

    /// Whether `ty`, written in a file with `imports`, is interior-mutable.
    pub(crate) fn type_is_im(&self, ty: &syn::Type, imports: &Imports, config: &Config) -> bool {
        self.ty_is_im(&Ty::of(ty), imports, config)
    }

    fn ty_is_im(&self, ty: &Ty, imports: &Imports, config: &Config) -> bool {
        match ty {
            Ty::Path {
                segments,
                absolute,
                args,
            } => {
                let full = imports.resolve_segments(segments.clone(), *absolute);
                match self.classify(&full, imports, config) {
                    TypeClass::InteriorMutable => true,
                    TypeClass::Immutable => false,
                    TypeClass::Container => args.iter().any(|t| self.ty_is_im(t, imports, config)),
                }
            }
            Ty::Elements(elems) => elems.iter().any(|t| self.ty_is_im(t, imports, config)),
            Ty::Opaque => false,
        }
    }

    /// Sorts a resolved type path into interior-mutable, immutable, or a container whose
    /// interior mutability is that of its type arguments.
    pub(crate) fn classify(
        &self,
        full: &[String],
        imports: &Imports,
        config: &Config,
    ) -> TypeClass {
        let Some(last) = full.last() else {
            return TypeClass::Immutable;
        };
        if matches_any(full, &config.ignore_types) {
            return TypeClass::Immutable;
        }
        if matches_any(full, &config.extra_types) {
            return TypeClass::InteriorMutable;
        }
        let root = full[0].as_str();
        let is_local = matches!(root, "crate" | "self" | "super" | "Self")
            || (full.len() == 1
                && (imports.defines(last) || self.defines_type(last))
                && !is_prelude_type(last))
            || (full.len() > 1 && imports.defines(root));
        if is_local {
            return if self.interior_mutable.contains(last.as_str()) {
                TypeClass::InteriorMutable
            } else if self.defines_type(last) {
                // A crate type with a generic argument is interior-mutable when the argument is.
                TypeClass::Container
            } else {
                TypeClass::Immutable
            };
        }
        if is_known_interior_mutable(full) {
            return TypeClass::InteriorMutable;
        }
        if full.len() == 1 && is_prelude_type(last) || is_std_container(full) {
            return TypeClass::Container;
        }
        TypeClass::Immutable
    }
}

/// How a named type contributes to interior mutability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeClass {
    /// It is interior-mutable itself, whatever its arguments.
    InteriorMutable,
    /// It is not, whatever its arguments (or syntax cannot tell).
    Immutable,
    /// It is when one of its type arguments is (`Arc<_>`, `Option<_>`, a crate's generic type).
    Container,
}

/// The type arguments of a path's last segment.
pub(crate) fn generic_types(path: &syn::Path) -> impl Iterator<Item = &syn::Type> {
    path.segments
        .last()
        .into_iter()
        .flat_map(|seg| match &seg.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .filter_map(|arg| match arg {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        })
}

/// Whether a configured type path (`my_crate::Shared`) names the resolved path `full`.
fn matches_any(full: &[String], patterns: &[String]) -> bool {
    patterns.iter().any(|pattern| {
        let want: Vec<&str> = pattern.split("::").filter(|s| !s.is_empty()).collect();
        let Some(want_last) = want.last() else {
            return false;
        };
        if full.last().map(String::as_str) != Some(*want_last) {
            return false;
        }
        // A path the file did not import (or a crate-relative one) can only be compared by
        // its last segment; an absolute one must match whole.
        let local = full.len() == 1 || matches!(full[0].as_str(), "crate" | "self" | "super");
        local || want.len() == 1 || full.iter().map(String::as_str).eq(want.iter().copied())
    })
}

/// The prelude's generic containers, which are interior-mutable when their argument is.
fn is_prelude_type(name: &str) -> bool {
    matches!(name, "Box" | "Option" | "Vec" | "Result")
}

/// Containers of `std` (and its re-exports) that hold their arguments.
fn is_std_container(full: &[String]) -> bool {
    let Some(last) = full.last() else {
        return false;
    };
    let std_root = matches!(full[0].as_str(), "std" | "core" | "alloc");
    let single = full.len() == 1;
    (std_root || single)
        && matches!(
            last.as_str(),
            "Arc"
                | "Rc"
                | "Box"
                | "Option"
                | "Vec"
                | "VecDeque"
                | "LinkedList"
                | "HashMap"
                | "BTreeMap"
                | "HashSet"
                | "BTreeSet"
                | "BinaryHeap"
                | "Pin"
                | "Result"
                | "Reverse"
                | "Wrapping"
                | "ManuallyDrop"
        )
}

/// The well-known interior-mutable types of `std`, `parking_lot`, `tokio`, `futures` and a few
/// other popular crates, by their resolved path.
fn is_known_interior_mutable(full: &[String]) -> bool {
    let (Some(root), Some(last)) = (full.first(), full.last()) else {
        return false;
    };
    let last = last.as_str();
    if full.len() < 2 {
        return false;
    }
    match root.as_str() {
        "std" | "core" | "alloc" => {
            last.starts_with("Atomic")
                || matches!(
                    last,
                    "Cell"
                        | "RefCell"
                        | "UnsafeCell"
                        | "SyncUnsafeCell"
                        | "OnceCell"
                        | "LazyCell"
                        | "Mutex"
                        | "RwLock"
                        | "ReentrantLock"
                        | "OnceLock"
                        | "LazyLock"
                        | "Once"
                        | "Condvar"
                        | "Barrier"
                )
        }
        "parking_lot" | "lock_api" => matches!(
            last,
            "Mutex" | "RwLock" | "ReentrantMutex" | "FairMutex" | "Once" | "Condvar"
        ),
        "tokio" => matches!(
            last,
            "Mutex" | "RwLock" | "OnceCell" | "SetOnce" | "Semaphore" | "Notify" | "Barrier"
        ),
        "futures" | "futures_util" | "futures_locks" => {
            matches!(last, "Mutex" | "RwLock" | "BiLock")
        }
        "once_cell" => matches!(last, "OnceCell" | "Lazy"),
        "spin" => matches!(last, "Mutex" | "RwLock" | "Once" | "Lazy"),
        "arc_swap" => matches!(last, "ArcSwap" | "ArcSwapOption" | "ArcSwapAny"),
        "portable_atomic" => last.starts_with("Atomic"),
        _ => false,
    }
}

struct FactCollector<'a> {
    facts: &'a mut CrateFacts,
    imports: Arc<Imports>,
    in_impl: bool,
}

impl FactCollector<'_> {
    fn add_fn(&mut self, sig: &syn::Signature) {
        let is_async = sig.asyncness.is_some() || returns_future(&sig.output);
        let is_method = sig.receiver().is_some();
        let map = if is_method {
            &mut self.facts.methods
        } else {
            &mut self.facts.fns
        };
        let entry = map.entry(sig.ident.to_string()).or_default();
        entry.is_async |= is_async;
        entry.is_sync |= !is_async;
    }

    fn add_type(&mut self, name: &syn::Ident, parts: Vec<Ty>) {
        self.facts
            .types
            .entry(name.to_string())
            .or_default()
            .push(TypeDef {
                imports: Arc::clone(&self.imports),
                parts,
            });
    }

    /// Records the declared type of a `const` or `static`, so that a default naming it can be
    /// judged by that type.
    fn add_const(&mut self, name: &syn::Ident, ty: &syn::Type) {
        self.facts
            .consts
            .entry(name.to_string())
            .or_default()
            .push(TypeDef {
                imports: Arc::clone(&self.imports),
                parts: vec![Ty::of(ty)],
            });
    }
}

/// Whether a return type is `impl Future<..>`, `Pin<Box<dyn Future<..>>>` or `BoxFuture<..>`.
fn returns_future(output: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = output else {
        return false;
    };
    mentions_future(ty)
}

fn mentions_future(ty: &syn::Type) -> bool {
    let bound_is_future = |b: &syn::TypeParamBound| matches!(b, syn::TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Future"));
    match ty {
        syn::Type::ImplTrait(t) => t.bounds.iter().any(bound_is_future),
        syn::Type::TraitObject(t) => t.bounds.iter().any(bound_is_future),
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            matches!(s.ident.to_string().as_str(), "BoxFuture" | "LocalBoxFuture")
                || (matches!(s.ident.to_string().as_str(), "Pin" | "Box")
                    && generic_types(&p.path).any(mentions_future))
        }),
        syn::Type::Paren(p) => mentions_future(&p.elem),
        _ => false,
    }
}

fn field_types(fields: &syn::Fields) -> Vec<Ty> {
    fields.iter().map(|f| Ty::of(&f.ty)).collect()
}

impl<'ast> Visit<'ast> for FactCollector<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.add_fn(&item.sig);
        let was = std::mem::replace(&mut self.in_impl, false);
        syn::visit::visit_item_fn(self, item);
        self.in_impl = was;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.add_fn(&item.sig);
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.add_fn(&item.sig);
        syn::visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        self.add_type(&item.ident, field_types(&item.fields));
    }

    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        let parts = item.fields.named.iter().map(|f| Ty::of(&f.ty)).collect();
        self.add_type(&item.ident, parts);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        let parts = item
            .variants
            .iter()
            .flat_map(|v| field_types(&v.fields))
            .collect();
        self.add_type(&item.ident, parts);
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.add_type(&item.ident, vec![Ty::of(&item.ty)]);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.add_const(&item.ident, &item.ty);
        syn::visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.add_const(&item.ident, &item.ty);
        syn::visit::visit_item_static(self, item);
    }

    // Facts live in items; expressions are only walked for the items nested in their blocks.
    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if let syn::Expr::Block(b) = expr {
            self.visit_block(&b.block);
        } else if let syn::Expr::Closure(c) = expr {
            self.visit_expr(&c.body);
        } else if let syn::Expr::Async(a) = expr {
            self.visit_block(&a.block);
        }
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        match stmt {
            syn::Stmt::Item(item) => self.visit_item(item),
            syn::Stmt::Expr(e, _) => self.visit_expr(e),
            syn::Stmt::Local(l) => {
                if let Some(init) = &l.init {
                    self.visit_expr(&init.expr);
                }
            }
            syn::Stmt::Macro(_) => {}
        }
    }
}
