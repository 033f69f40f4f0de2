//! Crate-wide facts, collected once per crate from every file of it: which functions are
//! `async`, which types (structs, enums, aliases) and constants are interior-mutable, and the
//! crate-level lint attributes.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;
use std::sync::Arc;

use ctxlint_catalogue::Level;
use syn::visit::Visit;

use crate::config::Config;
use crate::diagnostic::Related;
use crate::rust::reads::{Body, MAX_CALL_DEPTH};
use crate::rust::resolve::Imports;
use crate::rust::suppress;
use crate::rust::value::{Shape, Verdict};

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
    /// Its fields, per variant for an enum; `None` for an alias.
    variants: Option<Vec<(String, Fields)>>,
    /// Whether it is an enum (whose variants are in `variants`) rather than a struct or union
    /// (whose one entry in `variants` has an empty name).
    is_enum: bool,
    /// Its generic type parameters: a field of such a type holds whatever the value puts in.
    params: Vec<String>,
    /// For a constant or static: the shape of its value.
    value: Option<Shape>,
}

/// The fields of a struct or of one enum variant: named, or by position (`"0"`, `"1"`, ..).
type Fields = Vec<(String, Ty)>;

fn fields_of(fields: &syn::Fields) -> Fields {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = f
                .ident
                .as_ref()
                .map_or_else(|| i.to_string(), ToString::to_string);
            (name, Ty::of(&f.ty))
        })
        .collect()
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
    /// A tuple: interior-mutable when an element is; its elements keep their positions.
    Tuple(Vec<Ty>),
    /// An array, slice or reference: interior-mutable when its element is.
    Elements(Vec<Ty>),
    /// A pointer, `fn` pointer, trait object or `impl Trait`: syntax cannot tell what they
    /// point to, or they are not `Sync` and so cannot be a `ContextVar` default anyway.
    Opaque,
}

impl Ty {
    pub(crate) fn of(ty: &syn::Type) -> Ty {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => Ty::of_path(&p.path),
            syn::Type::Tuple(t) => Ty::Tuple(t.elems.iter().map(Ty::of).collect()),
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
    /// Which of those are interior-mutable whatever their value: every value of the type holds
    /// an interior-mutable part (a struct with an atomic field; not an enum with a data-less
    /// variant, nor a generic type).
    always_interior_mutable: HashSet<String>,
    /// Lint levels from the crate root's inner attributes (`#![allow(..)]`).
    pub(crate) crate_levels: Vec<(&'static str, Level)>,
    /// Whether the crate is an integration test (a file under the package's `tests/`): all of
    /// it is test code. Set by the engine, which knows the crate's target.
    pub(crate) test_target: bool,
    /// Modules declared in another file under `#[cfg(test)]` (`#[cfg(test)] mod tests;`): their
    /// files are test code.
    pub(crate) cfg_test_mods: HashSet<String>,
    /// The keys declared with `tokio::task_local!`, by name.
    pub(crate) task_locals: HashSet<String>,
    /// Associated types that a trait of the crate bounds by `Future` (`type Fut: Future;`).
    future_assoc_types: HashSet<String>,
    /// Functions that return an associated type (`-> Self::Fut`): `(name, is_method, type)`,
    /// judged by [`CrateFacts::finish`] once every trait is known.
    assoc_returns: Vec<(String, bool, String)>,
    /// The `static`s of the crate made by `ContextVar::with_default`, by name, with their
    /// default; [`CrateFacts::finish`] keeps those whose default is interior-mutable.
    var_statics: HashMap<String, Vec<VarStatic>>,
    /// The `static`s whose default is interior-mutable, by name: where the default is written.
    pub(crate) shared_defaults: HashMap<String, Related>,
    /// Functions and methods, by name: whether they return a `tracing::Span` (the crate's
    /// `fn make_span(&self, ..) -> Span`).
    span_fns: HashMap<String, Asyncness>,
    /// The fields of the crate's structs, by struct name then field name: their types, with
    /// the imports of the file that declares them.
    fields: HashMap<String, HashMap<String, (Ty, Arc<Imports>)>>,
    /// The `static`s of the crate typed `contextvars::ContextVar<..>`, by name.
    pub(crate) context_vars: HashSet<String>,
    /// What the bodies of the crate's functions without `self` read and call, by name (every
    /// definition of the name).
    fn_bodies: HashMap<String, Vec<FnBody>>,
    /// The same for methods (with a `self` receiver).
    method_bodies: HashMap<String, Vec<FnBody>>,
    /// The bodies read on demand so far, by file and offset.
    loaded: std::sync::Mutex<LoadedBodies>,
}

/// Bodies read on demand, by their file and the offset of their block.
type LoadedBodies = HashMap<(Arc<Path>, usize), Arc<Body>>;

/// The body of one function of the crate, for `spawn_without_context`.
#[derive(Debug)]
pub(crate) struct FnBody {
    /// What it reads and calls; `None` until it is read from `lazy`.
    pub(crate) body: Option<Arc<Body>>,
    /// Where to read the body from, when its file's facts came from its signatures only.
    pub(crate) lazy: Option<LazyBody>,
    /// Where it has `#[instrument]` (`#[tracing::instrument]`): a call of it makes a span,
    /// whose parent is lost in a task spawned without the current one.
    pub(crate) instrumented: Option<Related>,
}

/// A function body that was not parsed with its file: where it is, to parse it alone when a
/// lint follows a call into it.
#[derive(Debug, Clone)]
pub(crate) struct LazyBody {
    pub(crate) path: Arc<Path>,
    /// The bytes of its block, braces included.
    pub(crate) bytes: std::ops::Range<usize>,
    /// Where its `{` is: line (1-based) and column (0-based, in characters).
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) imports: Arc<Imports>,
}

impl LazyBody {
    /// Reads and scans the body; an empty one when its file changed or does not parse.
    fn load(&self) -> Body {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return Body::default();
        };
        let Some(block) = text.get(self.bytes.clone()) else {
            return Body::default();
        };
        let Ok(block) = syn::parse_str::<syn::Block>(block) else {
            return Body::default();
        };
        let base = crate::rust::reads::Base {
            byte: self.bytes.start,
            line: self.line,
            column: self.column,
        };
        Body::of_block_at(&block, &self.imports, &self.path, base)
    }
}

/// What running some work reaches, below it in the crate's functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// A read of one of the crate's `ContextVar`s.
    ContextVar,
    /// A read of this task-local.
    TaskLocal,
    /// A `tracing` event, or a call of an `#[instrument]` function.
    Event,
}

/// Where a `tracing::Span` sits in the element type of a channel: the element itself, some
/// positions of a tuple (nested), or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ElemShape {
    Span,
    Tuple(Vec<ElemShape>),
    Other,
}

/// A `static NAME: ContextVar<T> = ContextVar::with_default(name, value)` of the crate.
#[derive(Debug)]
struct VarStatic {
    imports: Arc<Imports>,
    /// The declared type's argument (`T`), if written.
    ty: Option<Ty>,
    value: Shape,
    at: Related,
}

impl CrateFacts {
    /// Adds the facts of one parsed file, its bodies scanned now. `is_root` says it is the
    /// crate root, whose inner attributes apply to the whole crate.
    pub(crate) fn add_file(&mut self, file: &syn::File, is_root: bool, path: &Path) {
        let imports = Arc::new(Imports::of_file(file));
        self.add_file_with(file, is_root, path, false, imports);
    }

    /// [`CrateFacts::add_file`], with the file's imports already resolved (the walk that
    /// lints the same tree reads them too). With `lazy_bodies`, what a body reads is read from
    /// the file on disk when a lint needs it, whether or not the tree has the body (a file
    /// parsed with its bodies blanked has none): the few bodies a lint follows cost less to
    /// read again than every body to scan now.
    pub(crate) fn add_file_with(
        &mut self,
        file: &syn::File,
        is_root: bool,
        path: &Path,
        lazy_bodies: bool,
        imports: Arc<Imports>,
    ) {
        if is_root {
            self.crate_levels.extend(suppress::levels(&file.attrs));
        }
        let mut collector = FactCollector {
            facts: self,
            imports,
            in_impl: false,
            path: Arc::from(crate::frontend::shown(path)),
            read_from: lazy_bodies.then(|| Arc::from(path)),
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
        self.future_assoc_types.extend(other.future_assoc_types);
        self.task_locals.extend(other.task_locals);
        self.cfg_test_mods.extend(other.cfg_test_mods);
        self.assoc_returns.extend(other.assoc_returns);
        for (name, vars) in other.var_statics {
            self.var_statics.entry(name).or_default().extend(vars);
        }
        for (name, a) in other.span_fns {
            let e = self.span_fns.entry(name).or_default();
            e.is_async |= a.is_async;
            e.is_sync |= a.is_sync;
        }
        for (name, fields) in other.fields {
            self.fields.entry(name).or_default().extend(fields);
        }
        self.context_vars.extend(other.context_vars);
        for (name, bodies) in other.fn_bodies {
            self.fn_bodies.entry(name).or_default().extend(bodies);
        }
        for (name, bodies) in other.method_bodies {
            self.method_bodies.entry(name).or_default().extend(bodies);
        }
    }

    /// Where running `work` first reaches `what` (of the task-local `key`, for
    /// [`Reach::TaskLocal`]): in `work` itself, or in a function or method of the crate it
    /// calls, breadth first, up to [`MAX_CALL_DEPTH`] calls deep. A name the crate defines
    /// more than once is not followed: which definition runs, syntax cannot tell.
    pub(crate) fn first_reach(&self, work: &Body, what: Reach, key: &str) -> Option<Related> {
        let found = |body: &Body, instrumented: Option<&Related>| match what {
            Reach::ContextVar => body
                .reads
                .iter()
                .find(|(name, _)| self.context_vars.contains(name))
                .map(|(_, at)| at.clone()),
            Reach::TaskLocal => body
                .reads
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, at)| at.clone()),
            Reach::Event => instrumented.cloned().or_else(|| body.event.clone()),
        };
        let mut level: Vec<(Arc<Body>, Option<&Related>)> = vec![(Arc::new(work.clone()), None)];
        let mut seen: HashSet<(bool, String)> = HashSet::default();
        for _ in 0..=MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for (body, instrumented) in level {
                if let Some(at) = found(&body, instrumented) {
                    return Some(at);
                }
                let calls = body.calls.iter().map(|c| (false, c.as_str()));
                let methods = body
                    .methods
                    .iter()
                    .filter(|(m, on_self)| *on_self || !crate::rust::reads::is_api_method(m))
                    .map(|(m, _)| (true, m.as_str()));
                for (is_method, name) in calls.chain(methods) {
                    if !seen.insert((is_method, name.to_owned())) {
                        continue;
                    }
                    let map = if is_method {
                        &self.method_bodies
                    } else {
                        &self.fn_bodies
                    };
                    if let Some([def]) = map.get(name).map(Vec::as_slice) {
                        next.push((self.body_of(def), def.instrumented.as_ref()));
                    }
                }
            }
            if next.is_empty() {
                return None;
            }
            level = next;
        }
        None
    }

    /// What a function's body reads and calls: scanned with its file, or read now from it
    /// (once: the result is kept).
    fn body_of(&self, def: &FnBody) -> Arc<Body> {
        if let Some(body) = &def.body {
            return Arc::clone(body);
        }
        let Some(lazy) = &def.lazy else {
            return Arc::new(Body::default());
        };
        let key = (Arc::clone(&lazy.path), lazy.bytes.start);
        if let Ok(loaded) = self.loaded.lock()
            && let Some(body) = loaded.get(&key)
        {
            return Arc::clone(body);
        }
        let body = Arc::new(lazy.load());
        if let Ok(mut loaded) = self.loaded.lock() {
            loaded.insert(key, Arc::clone(&body));
        }
        body
    }

    /// Whether a call of a function or method `name` of the crate certainly returns a
    /// `tracing::Span`: every definition of that name says so.
    pub(crate) fn returns_span(&self, name: &str) -> bool {
        self.span_fns
            .get(name)
            .is_some_and(|a| a.is_async && !a.is_sync)
    }

    /// The type of field `field` of the crate's struct `ty` (by name), with the imports of
    /// the file that declares it.
    pub(crate) fn field(&self, ty: &str, field: &str) -> Option<&(Ty, Arc<Imports>)> {
        self.fields.get(ty)?.get(field)
    }

    /// Whether `ty`, written with `imports`, is `tracing::Span`, through the crate's aliases.
    pub(crate) fn is_span_ty(&self, ty: &Ty, imports: &Imports) -> bool {
        self.elem_shape(ty, imports, 0) == ElemShape::Span
    }

    /// The element type `T` of a channel receiver type (`Receiver<T>`,
    /// `UnboundedReceiver<T>`, of tokio, `std::sync::mpsc`, flume or crossbeam), with the
    /// crate's aliases seen through.
    pub(crate) fn receiver_elem<'t>(
        &'t self,
        ty: &'t Ty,
        imports: &'t Imports,
    ) -> Option<(&'t Ty, &'t Imports)> {
        let Ty::Path { segments, args, .. } = ty else {
            return None;
        };
        let last = segments.last()?;
        if matches!(last.as_str(), "Receiver" | "UnboundedReceiver") {
            return args.first().map(|elem| (elem, imports));
        }
        // A crate alias of a receiver type.
        let full = imports.resolve_segments(segments.clone(), false);
        let def = self.local_def(&full, imports)?;
        if def.variants.is_some() {
            return None;
        }
        let aliased = def.parts.first()?;
        self.receiver_elem(aliased, &def.imports)
    }

    /// Where a `tracing::Span` sits in `ty`, written with `imports`.
    pub(crate) fn elem_shape(&self, ty: &Ty, imports: &Imports, depth: usize) -> ElemShape {
        if depth > 8 {
            return ElemShape::Other;
        }
        match ty {
            Ty::Tuple(elems) => ElemShape::Tuple(
                elems
                    .iter()
                    .map(|e| self.elem_shape(e, imports, depth + 1))
                    .collect(),
            ),
            Ty::Path {
                segments, absolute, ..
            } => {
                let full = imports.resolve_segments(segments.clone(), *absolute);
                let is_span = ctxlint_catalogue::apis::SPAN_TYPES
                    .iter()
                    .any(|p| p.len() == full.len() && p.iter().zip(&full).all(|(a, b)| *a == b));
                if is_span {
                    return ElemShape::Span;
                }
                // A crate alias (`type Request = (Command, Span);`).
                match self.local_def(&full, imports) {
                    Some(def) if def.variants.is_none() => match def.parts.first() {
                        Some(aliased) => self.elem_shape(aliased, &def.imports, depth + 1),
                        None => ElemShape::Other,
                    },
                    _ => ElemShape::Other,
                }
            }
            _ => ElemShape::Other,
        }
    }

    /// Computes which crate types are interior-mutable, once all files are in.
    ///
    /// A type is interior-mutable when one of its fields is. The computation starts from
    /// "none is" and repeats until nothing changes, so that recursive types terminate. A name
    /// defined several times counts only if every definition is interior-mutable.
    pub(crate) fn finish(&mut self, config: &Config) {
        for (name, is_method, assoc) in std::mem::take(&mut self.assoc_returns) {
            let is_async = self.future_assoc_types.contains(&assoc);
            let map = if is_method {
                &mut self.methods
            } else {
                &mut self.fns
            };
            let entry = map.entry(name).or_default();
            entry.is_async |= is_async;
            entry.is_sync |= !is_async;
        }
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
        self.finish_types(config);
        // The statics whose default is interior-mutable: by its value, or by its declared
        // type where the value cannot be seen into (as `interior_mutable_default` judges).
        let mut shared = HashMap::default();
        for (name, vars) in &self.var_statics {
            let [var] = vars.as_slice() else {
                continue;
            };
            let im = match self.verdict_at(&var.value, &var.imports, config, 0) {
                Verdict::Yes => true,
                Verdict::No => false,
                Verdict::Unknown => var
                    .ty
                    .as_ref()
                    .is_some_and(|ty| self.ty_is_im(ty, &var.imports, config)),
            };
            if im {
                shared.insert(name.clone(), var.at.clone());
            }
        }
        self.shared_defaults = shared;
    }

    /// The second half of [`CrateFacts::finish`]: which types are interior-mutable whatever
    /// their value.
    fn finish_types(&mut self, config: &Config) {
        loop {
            let mut changed = false;
            let names: Vec<String> = self.types.keys().cloned().collect();
            for name in names {
                if self.always_interior_mutable.contains(&name) {
                    continue;
                }
                let all = self
                    .types
                    .get(&name)
                    .is_some_and(|defs| defs.iter().all(|def| self.def_is_always_im(def, config)));
                if all {
                    self.always_interior_mutable.insert(name);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Whether every value of a type definition holds something interior-mutable.
    fn def_is_always_im(&self, def: &TypeDef, config: &Config) -> bool {
        let always = |ty: &Ty| {
            !mentions_param(ty, &def.params) && self.ty_is_always_im(ty, &def.imports, config)
        };
        match &def.variants {
            None => def.parts.iter().any(always),
            Some(variants) if def.is_enum => {
                !variants.is_empty()
                    && variants
                        .iter()
                        .all(|(_, fields)| fields.iter().any(|(_, ty)| always(ty)))
            }
            Some(variants) => variants
                .iter()
                .any(|(_, fields)| fields.iter().any(|(_, ty)| always(ty))),
        }
    }

    /// Whether every value of `ty` holds something interior-mutable: a `Mutex`, an atomic, an
    /// `Arc` of one, a crate struct with such a field; not an `Option` or a `Vec` of one, which
    /// can hold nothing.
    pub(crate) fn ty_is_always_im(&self, ty: &Ty, imports: &Imports, config: &Config) -> bool {
        match ty {
            Ty::Path {
                segments,
                absolute,
                args,
            } => {
                let full = imports.resolve_segments(segments.clone(), *absolute);
                let Some(last) = full.last() else {
                    return false;
                };
                if matches_any(&full, &config.ignore_types) {
                    return false;
                }
                if matches_any(&full, &config.extra_types) || is_known_interior_mutable(&full) {
                    return true;
                }
                if self.is_local(&full, imports) {
                    return self.always_interior_mutable.contains(last.as_str());
                }
                is_holder(&full)
                    && args
                        .iter()
                        .any(|t| self.ty_is_always_im(t, imports, config))
            }
            Ty::Elements(elems) | Ty::Tuple(elems) => elems
                .iter()
                .any(|t| self.ty_is_always_im(t, imports, config)),
            Ty::Opaque => false,
        }
    }

    /// Whether the resolved path `full` names a type of this crate.
    fn is_local(&self, full: &[String], imports: &Imports) -> bool {
        let Some(last) = full.last() else {
            return false;
        };
        let root = full[0].as_str();
        matches!(root, "crate" | "self" | "super" | "Self")
            || (full.len() == 1
                && (imports.defines(last) || self.defines_type(last))
                && !is_prelude_type(last))
            || (full.len() > 1 && imports.defines(root))
    }

    /// The one definition of the crate type that `full` names, if it has exactly one.
    fn local_def(&self, full: &[String], imports: &Imports) -> Option<&TypeDef> {
        if !self.is_local(full, imports) {
            return None;
        }
        match self.types.get(full.last()?)?.as_slice() {
            [def] => Some(def),
            _ => None,
        }
    }

    /// Whether the value that `shape` builds (in a file with `imports`) holds something
    /// interior-mutable. `Unknown` when syntax cannot tell; the caller then falls back to the
    /// declared type.
    pub(crate) fn value_verdict(
        &self,
        shape: &Shape,
        imports: &Imports,
        config: &Config,
    ) -> Verdict {
        self.verdict_at(shape, imports, config, 0)
    }

    fn verdict_at(
        &self,
        shape: &Shape,
        imports: &Imports,
        config: &Config,
        depth: usize,
    ) -> Verdict {
        // Constants that name constants: real code is shallow, and a cycle does not compile.
        if depth > 16 {
            return Verdict::Unknown;
        }
        let all = |shapes: &mut dyn Iterator<Item = &Shape>| {
            Verdict::all(shapes.map(|s| self.verdict_at(s, imports, config, depth + 1)))
        };
        match shape {
            Shape::Plain => Verdict::No,
            Shape::Opaque => Verdict::Unknown,
            Shape::Elements(parts) => all(&mut parts.iter()),
            Shape::Path(path) => {
                let full = imports.resolve_segments(path.segments.clone(), path.absolute);
                if full.len() == 1 && full[0] == "None" && !self.is_local(&full, imports) {
                    return Verdict::No;
                }
                // `PhantomData` holds nothing, whatever its type argument.
                if is_phantom(&full) && !self.is_local(&full, imports) {
                    return Verdict::No;
                }
                let Some(last) = full.last() else {
                    return Verdict::Unknown;
                };
                if let Some(defs) = self.consts.get(last.as_str())
                    && let [def] = defs.as_slice()
                {
                    return self.const_verdict(def, config, depth);
                }
                // A unit struct, or a unit variant: no fields, nothing held.
                if let Some(def) = self.local_def(&full, imports)
                    && let Some(variants) = &def.variants
                    && !def.is_enum
                    && variants.iter().all(|(_, fields)| fields.is_empty())
                {
                    return Verdict::No;
                }
                match self.variant(&full, imports) {
                    Some((_, fields)) if fields.is_empty() => Verdict::No,
                    _ => Verdict::Unknown,
                }
            }
            Shape::Call(path, args) => {
                let full = imports.resolve_segments(path.segments.clone(), path.absolute);
                let Some(last) = full.last() else {
                    return Verdict::Unknown;
                };
                if full.len() == 1
                    && matches!(last.as_str(), "Some" | "Ok" | "Err")
                    && !self.is_local(&full, imports)
                {
                    return all(&mut args.iter());
                }
                if let Some(verdict) = configured(&full, config) {
                    return verdict;
                }
                // A tuple struct or tuple variant of the crate: judged field by field.
                let fields = self.constructed(&full, imports);
                if let Some((def, fields)) = fields {
                    let named = args
                        .iter()
                        .enumerate()
                        .map(|(i, shape)| (i.to_string(), shape));
                    return self.fields_verdict(def, fields, named, imports, config, depth);
                }
                let parent = &full[..full.len() - 1];
                let Some(ty) = parent.last() else {
                    return Verdict::Unknown;
                };
                let method = last.as_str();
                let is_std = is_std_container(parent) || is_std_path(parent);
                // The configuration overrides what is known of a type.
                if let Some(verdict) = configured(parent, config) {
                    return verdict;
                }
                if is_known_interior_mutable(parent)
                    && (method.starts_with("new") || matches!(method, "default" | "from"))
                {
                    Verdict::Yes
                } else if is_std && has(ctxlint_catalogue::apis::WRAPPING_CONSTRUCTORS, ty, method)
                {
                    all(&mut args.iter())
                } else if is_std && has(ctxlint_catalogue::apis::EMPTY_CONSTRUCTORS, ty, method) {
                    Verdict::No
                } else if self.is_local(parent, imports)
                    && self.always_interior_mutable.contains(ty.as_str())
                {
                    // Every value of the type holds something interior-mutable, and an
                    // associated function of it most likely returns one.
                    Verdict::Yes
                } else {
                    Verdict::Unknown
                }
            }
            Shape::Struct(path, fields_given, rest) => {
                let full = imports.resolve_segments(path.segments.clone(), path.absolute);
                if let Some(verdict) = configured(&full, config) {
                    return verdict;
                }
                let fields = self.constructed(&full, imports);
                let given = match fields {
                    Some((def, fields)) => self.fields_verdict(
                        def,
                        fields,
                        fields_given.iter().map(|(n, s)| (n.clone(), s)),
                        imports,
                        config,
                        depth,
                    ),
                    None => all(&mut fields_given.iter().map(|(_, s)| s)),
                };
                match rest {
                    Some(rest) => {
                        Verdict::all([given, self.verdict_at(rest, imports, config, depth + 1)])
                    }
                    None => given,
                }
            }
        }
    }

    /// The verdict of a crate constant or static: by its type when the type decides, else by
    /// its value, read in the file that defines it.
    fn const_verdict(&self, def: &TypeDef, config: &Config, depth: usize) -> Verdict {
        let Some(ty) = def.parts.first() else {
            return Verdict::Unknown;
        };
        if self.ty_is_always_im(ty, &def.imports, config) {
            return Verdict::Yes;
        }
        if !self.ty_is_im(ty, &def.imports, config) {
            return Verdict::No;
        }
        match &def.value {
            Some(value) => self.verdict_at(value, &def.imports, config, depth + 1),
            None => Verdict::Unknown,
        }
    }

    /// The verdict of the fields given to a crate struct or variant: a field whose type always
    /// holds something interior-mutable decides, one whose type never does is skipped, and the
    /// others (including generic ones) are judged by their value.
    fn fields_verdict<'s>(
        &self,
        def: &TypeDef,
        fields: &Fields,
        given: impl Iterator<Item = (String, &'s Shape)>,
        imports: &Imports,
        config: &Config,
        depth: usize,
    ) -> Verdict {
        let mut verdicts = Vec::new();
        for (name, shape) in given {
            let ty = fields.iter().find(|(n, _)| *n == name).map(|(_, ty)| ty);
            let verdict = match ty {
                Some(ty) if !mentions_param(ty, &def.params) => {
                    if self.ty_is_always_im(ty, &def.imports, config) {
                        Verdict::Yes
                    } else if !self.ty_is_im(ty, &def.imports, config) {
                        Verdict::No
                    } else {
                        self.verdict_at(shape, imports, config, depth + 1)
                    }
                }
                _ => self.verdict_at(shape, imports, config, depth + 1),
            };
            verdicts.push(verdict);
        }
        Verdict::all(verdicts)
    }

    /// The definition and fields of the crate struct, or enum variant, that `full` names as a
    /// constructor (`Point`, `Point { .. }`, `Enum::Variant(..)`).
    fn constructed(&self, full: &[String], imports: &Imports) -> Option<(&TypeDef, &Fields)> {
        match self.local_def(full, imports) {
            Some(def) if !def.is_enum => def
                .variants
                .as_ref()
                .and_then(|v| v.first())
                .map(|(_, fields)| (def, fields)),
            _ => self.variant(full, imports),
        }
    }

    /// The definition and fields of the enum variant that `full` names (`Enum::Variant`).
    fn variant(&self, full: &[String], imports: &Imports) -> Option<(&TypeDef, &Fields)> {
        let (name, parent) = full.split_last()?;
        let def = self.local_def(parent, imports)?;
        if !def.is_enum {
            return None;
        }
        let (_, fields) = def.variants.as_ref()?.iter().find(|(v, _)| v == name)?;
        Some((def, fields))
    }

    /// Whether a call of `name(..)` (a free or associated function) certainly returns a future.
    pub(crate) fn fn_is_async(&self, name: &str) -> bool {
        self.fns.get(name).is_some_and(|a| a.is_async && !a.is_sync)
    }

    /// Whether a call of `Path::name(..)` certainly returns a future, as a method called by
    /// path: no function of that name without `self` says otherwise.
    pub(crate) fn method_is_async_by_path(&self, name: &str) -> bool {
        !self.fns.contains_key(name) && self.method_is_async(name)
    }

    /// Whether a call of `.name(..)` certainly returns a future.
    pub(crate) fn method_is_async(&self, name: &str) -> bool {
        self.methods
            .get(name)
            .is_some_and(|a| a.is_async && !a.is_sync)
    }

    /// For each type parameter of the crate type `name`, whether a definition of it holds a
    /// value of it (a field or aliased type that uses it outside a `PhantomData`).
    fn held_params(&self, name: &str) -> Vec<bool> {
        let mut held: Vec<bool> = Vec::new();
        for def in self.types.get(name).into_iter().flatten() {
            for (i, param) in def.params.iter().enumerate() {
                let holds = def.parts.iter().any(|part| holds_param(part, param));
                if held.len() <= i {
                    held.resize(i + 1, false);
                }
                held[i] |= holds;
            }
        }
        held
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
                    // A generic type of the crate holds only the arguments whose parameters
                    // its fields use outside a `PhantomData`.
                    TypeClass::Container if self.is_local(&full, imports) => {
                        let held = full
                            .last()
                            .map(|name| self.held_params(name))
                            .unwrap_or_default();
                        args.iter().enumerate().any(|(i, t)| {
                            held.get(i).copied().unwrap_or(true)
                                && self.ty_is_im(t, imports, config)
                        })
                    }
                    TypeClass::Container => args.iter().any(|t| self.ty_is_im(t, imports, config)),
                }
            }
            Ty::Elements(elems) | Ty::Tuple(elems) => {
                elems.iter().any(|t| self.ty_is_im(t, imports, config))
            }
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
        if self.is_local(full, imports) {
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

/// The verdict the configuration gives a type by itself, whatever its fields hold:
/// `ignore-types` never holds anything interior-mutable, `extra-types` always does.
fn configured(full: &[String], config: &Config) -> Option<Verdict> {
    if matches_any(full, &config.ignore_types) {
        Some(Verdict::No)
    } else if matches_any(full, &config.extra_types) {
        Some(Verdict::Yes)
    } else {
        None
    }
}

/// Whether a resolved path is `PhantomData` (`std::marker::PhantomData`, or the name alone).
fn is_phantom(full: &[String]) -> bool {
    full.last().is_some_and(|l| l == "PhantomData")
        && (full.len() == 1 || matches!(full[0].as_str(), "std" | "core"))
}

/// Whether `ty` names one of `params` outside a `PhantomData` (`T`, `Option<T>`, `(T, u8)`;
/// not `PhantomData<T>`, which holds no `T`).
fn holds_param(ty: &Ty, param: &str) -> bool {
    match ty {
        Ty::Path { segments, args, .. } => {
            if segments.last().is_some_and(|l| l == "PhantomData") {
                return false;
            }
            (segments.len() == 1 && segments[0] == param)
                || args.iter().any(|t| holds_param(t, param))
        }
        Ty::Elements(elems) | Ty::Tuple(elems) => elems.iter().any(|t| holds_param(t, param)),
        Ty::Opaque => false,
    }
}

/// Whether `ty` names one of `params` anywhere (`T`, `Option<T>`, `(T, u8)`).
fn mentions_param(ty: &Ty, params: &[String]) -> bool {
    match ty {
        Ty::Path { segments, args, .. } => {
            (segments.len() == 1 && params.contains(&segments[0]))
                || args.iter().any(|t| mentions_param(t, params))
        }
        Ty::Elements(elems) | Ty::Tuple(elems) => elems.iter().any(|t| mentions_param(t, params)),
        Ty::Opaque => false,
    }
}

/// Containers that always hold exactly one value of their argument (`Arc<T>` holds a `T`;
/// an `Option<T>` may hold none).
fn is_holder(full: &[String]) -> bool {
    let Some(last) = full.last() else {
        return false;
    };
    let std_root = matches!(full[0].as_str(), "std" | "core" | "alloc");
    (std_root || full.len() == 1)
        && matches!(
            last.as_str(),
            "Arc" | "Rc" | "Box" | "Pin" | "ManuallyDrop" | "Reverse" | "Wrapping"
        )
}

/// Whether a resolved path is in the standard library, or is a bare prelude name.
fn is_std_path(full: &[String]) -> bool {
    full.first()
        .is_some_and(|root| matches!(root.as_str(), "std" | "core" | "alloc"))
        || (full.len() == 1 && full.first().is_some_and(|n| is_prelude_type(n)))
}

/// Whether a `(type, function)` table holds `ty::method`.
fn has(table: &[(&str, &str)], ty: &str, method: &str) -> bool {
    table.iter().any(|(t, m)| *t == ty && *m == method)
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

/// The well-known interior-mutable types (the catalogue's table), by their resolved path.
fn is_known_interior_mutable(full: &[String]) -> bool {
    match full {
        [root, .., last] => ctxlint_catalogue::apis::is_interior_mutable_type(root, last),
        _ => false,
    }
}

struct FactCollector<'a> {
    facts: &'a mut CrateFacts,
    imports: Arc<Imports>,
    in_impl: bool,
    /// The file, as shown, for the places the facts point at.
    path: Arc<Path>,
    /// The file to read function bodies from, when they were blanked before the parse.
    read_from: Option<Arc<Path>>,
}

impl FactCollector<'_> {
    fn add_fn(&mut self, sig: &syn::Signature) {
        let is_method = sig.receiver().is_some();
        if sig.asyncness.is_none()
            && let Some(assoc) = self_assoc_type(&sig.output)
        {
            // `-> Self::Fut`: a future when some trait bounds `Fut` by `Future`, which is
            // known only once every file is in.
            self.facts
                .assoc_returns
                .push((sig.ident.to_string(), is_method, assoc));
            return;
        }
        let is_async = sig.asyncness.is_some() || returns_future(&sig.output);
        let map = if is_method {
            &mut self.facts.methods
        } else {
            &mut self.facts.fns
        };
        let entry = map.entry(sig.ident.to_string()).or_default();
        entry.is_async |= is_async;
        entry.is_sync |= !is_async;
        // Whether it returns a span: `is_async` and `is_sync` stand for yes and no.
        let returns_span = match &sig.output {
            syn::ReturnType::Type(_, ty) if sig.asyncness.is_none() => match &**ty {
                syn::Type::Path(p) if p.qself.is_none() => {
                    let full = self.imports.resolve(&p.path);
                    ctxlint_catalogue::apis::SPAN_TYPES
                        .iter()
                        .any(|s| s.len() == full.len() && s.iter().zip(&full).all(|(a, b)| *a == b))
                }
                _ => false,
            },
            _ => false,
        };
        let entry = self
            .facts
            .span_fns
            .entry(sig.ident.to_string())
            .or_default();
        entry.is_async |= returns_span;
        entry.is_sync |= !returns_span;
    }

    fn add_type(
        &mut self,
        name: &syn::Ident,
        generics: &syn::Generics,
        parts: Vec<Ty>,
        variants: Option<(bool, Vec<(String, Fields)>)>,
    ) {
        let (is_enum, variants) = match variants {
            Some((is_enum, v)) => (is_enum, Some(v)),
            None => (false, None),
        };
        self.facts
            .types
            .entry(name.to_string())
            .or_default()
            .push(TypeDef {
                imports: Arc::clone(&self.imports),
                parts,
                variants,
                is_enum,
                params: generics
                    .type_params()
                    .map(|p| p.ident.to_string())
                    .collect(),
                value: None,
            });
    }

    /// Records the declared type of a `const` or `static`, so that a default naming it can be
    /// judged by that type.
    fn add_const(&mut self, name: &syn::Ident, ty: &syn::Type, value: &syn::Expr) {
        self.facts
            .consts
            .entry(name.to_string())
            .or_default()
            .push(TypeDef {
                imports: Arc::clone(&self.imports),
                parts: vec![Ty::of(ty)],
                variants: None,
                is_enum: false,
                params: Vec::new(),
                value: Some(Shape::of(value)),
            });
    }
}

impl FactCollector<'_> {
    /// Records `static NAME: ContextVar<T> = ContextVar::with_default(name, value)`.
    fn add_var_static(&mut self, item: &syn::ItemStatic) {
        let syn::Expr::Call(call) = &*item.expr else {
            return;
        };
        let syn::Expr::Path(func) = &*call.func else {
            return;
        };
        let mut receiver = func.path.clone();
        let is_with_default = receiver
            .segments
            .pop()
            .is_some_and(|last| last.value().ident == "with_default");
        receiver.segments.pop_punct();
        if !is_with_default || !self.imports.is_contextvars(&receiver, &["ContextVar"]) {
            return;
        }
        let Some(value) = call.args.iter().nth(1) else {
            return;
        };
        let ty = match &*item.ty {
            syn::Type::Path(p) => generic_types(&p.path).next().map(Ty::of),
            _ => None,
        };
        let at = Related {
            path: self.path.to_path_buf(),
            span: crate::rust::source_span(syn::spanned::Spanned::span(value)),
        };
        self.facts
            .var_statics
            .entry(item.ident.to_string())
            .or_default()
            .push(VarStatic {
                imports: Arc::clone(&self.imports),
                ty,
                value: Shape::of(value),
                at,
            });
    }
}

/// `X` of a return type `Self::X`.
fn self_assoc_type(output: &syn::ReturnType) -> Option<String> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(p) = &**ty else {
        return None;
    };
    match p.path.segments.iter().collect::<Vec<_>>().as_slice() {
        [s, x] if p.qself.is_none() && s.ident == "Self" && x.arguments.is_none() => {
            Some(x.ident.to_string())
        }
        _ => None,
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

impl FactCollector<'_> {
    /// Records what a function's body reads and calls.
    fn add_body(&mut self, sig: &syn::Signature, attrs: &[syn::Attribute], block: &syn::Block) {
        let instrumented = attrs
            .iter()
            .find(|a| {
                a.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == ctxlint_catalogue::apis::INSTRUMENT_ATTRIBUTE)
            })
            .map(|a| Related {
                path: self.path.to_path_buf(),
                span: crate::rust::source_span(syn::spanned::Spanned::span(a)),
            });
        let body = match &self.read_from {
            Some(file) => FnBody {
                body: None,
                lazy: Some(LazyBody {
                    path: Arc::clone(file),
                    bytes: syn::spanned::Spanned::span(block).byte_range(),
                    line: block.brace_token.span.open().start().line,
                    column: block.brace_token.span.open().start().column,
                    imports: Arc::clone(&self.imports),
                }),
                instrumented,
            },
            None => FnBody {
                body: Some(Arc::new(Body::of_block(block, &self.imports, &self.path))),
                lazy: None,
                instrumented,
            },
        };
        let map = if sig.receiver().is_some() {
            &mut self.facts.method_bodies
        } else {
            &mut self.facts.fn_bodies
        };
        map.entry(sig.ident.to_string()).or_default().push(body);
    }
}

impl<'ast> Visit<'ast> for FactCollector<'_> {
    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.add_fn(&item.sig);
        self.add_body(&item.sig, &item.attrs, &item.block);
        let was = std::mem::replace(&mut self.in_impl, false);
        syn::visit::visit_item_fn(self, item);
        self.in_impl = was;
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.add_fn(&item.sig);
        self.add_body(&item.sig, &item.attrs, &item.block);
        syn::visit::visit_impl_item_fn(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_none() && item.attrs.iter().any(suppress::is_cfg_test) {
            self.facts.cfg_test_mods.insert(item.ident.to_string());
        }
        syn::visit::visit_item_mod(self, item);
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        // `tokio::task_local! { static KEY: T; }`: the keys are the names after `static`.
        if item
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "task_local")
        {
            let mut after_static = false;
            for token in item.mac.tokens.clone() {
                if let proc_macro2::TokenTree::Ident(ident) = token {
                    if after_static {
                        self.facts.task_locals.insert(ident.to_string());
                    }
                    after_static = ident == "static";
                } else {
                    after_static = false;
                }
            }
        }
    }

    fn visit_trait_item_type(&mut self, item: &'ast syn::TraitItemType) {
        let is_future = item.bounds.iter().any(|b| {
            matches!(b, syn::TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Future"))
        });
        if is_future {
            self.facts.future_assoc_types.insert(item.ident.to_string());
        }
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        self.add_fn(&item.sig);
        if let Some(block) = &item.default {
            self.add_body(&item.sig, &item.attrs, block);
        }
        syn::visit::visit_trait_item_fn(self, item);
    }

    fn visit_item_struct(&mut self, item: &'ast syn::ItemStruct) {
        let named: HashMap<String, (Ty, Arc<Imports>)> = item
            .fields
            .iter()
            .filter_map(|f| {
                let name = f.ident.as_ref()?.to_string();
                Some((name, (Ty::of(&f.ty), Arc::clone(&self.imports))))
            })
            .collect();
        self.facts
            .fields
            .entry(item.ident.to_string())
            .or_default()
            .extend(named);
        let fields = fields_of(&item.fields);
        self.add_type(
            &item.ident,
            &item.generics,
            field_types(&item.fields),
            Some((false, vec![(String::new(), fields)])),
        );
    }

    fn visit_item_union(&mut self, item: &'ast syn::ItemUnion) {
        let parts = item.fields.named.iter().map(|f| Ty::of(&f.ty)).collect();
        // A union holds one of its fields at a time; which one, syntax cannot tell, so its
        // fields are not listed (values of it are judged by its type).
        self.add_type(&item.ident, &item.generics, parts, None);
    }

    fn visit_item_enum(&mut self, item: &'ast syn::ItemEnum) {
        let parts = item
            .variants
            .iter()
            .flat_map(|v| field_types(&v.fields))
            .collect();
        let variants = item
            .variants
            .iter()
            .map(|v| (v.ident.to_string(), fields_of(&v.fields)))
            .collect();
        self.add_type(&item.ident, &item.generics, parts, Some((true, variants)));
    }

    fn visit_item_type(&mut self, item: &'ast syn::ItemType) {
        self.add_type(&item.ident, &item.generics, vec![Ty::of(&item.ty)], None);
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.add_const(&item.ident, &item.ty, &item.expr);
        syn::visit::visit_item_const(self, item);
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.add_const(&item.ident, &item.ty, &item.expr);
        self.add_var_static(item);
        if let syn::Type::Path(p) = &*item.ty
            && p.qself.is_none()
            && self.imports.is_contextvars(&p.path, &["ContextVar"])
        {
            self.facts.context_vars.insert(item.ident.to_string());
        }
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
