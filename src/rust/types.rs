//! What syntax can tell about an expression's type: a `contextvars::Context`, a
//! `tracing::Span`, an OpenTelemetry `Context`, a future, or a callable that makes one. The
//! library knowledge (span macros and constructors, OpenTelemetry's builder methods) is the
//! catalogue's; the walk's bindings and the crate's facts do the rest.

use std::collections::HashSet;

use ctxlint_catalogue::apis::{
    GUARDS, Guard, GuardOf, OTEL_CONTEXT_METHODS, OTEL_CONTEXT_TYPES, SPAN_CONSTRUCTORS,
    SPAN_MACROS, SPAN_TYPES,
};

use crate::rust::facts::{ElemShape, Ty};
use crate::rust::resolve::Imports;
use crate::rust::walk::{Binding, FileCx, block_tail};

/// Whose imports a receiver's element type is written with.
pub(crate) enum ReceiverImports<'a> {
    /// The file being walked.
    File,
    /// The file that declares the field.
    Other(&'a Imports),
}

impl FileCx<'_> {
    /// The guard that `expr` makes, from the catalogue's table and the configuration's
    /// `extra-guards`: a method that makes one on a receiver of the right type (`span.enter()`),
    /// or a function that returns one (`set_default(..)`).
    pub(crate) fn guard_of(&self, expr: &syn::Expr) -> Option<&'static Guard> {
        let guards = || {
            GUARDS
                .iter()
                .chain(self.config.extra_guards.iter().copied())
        };
        match expr {
            syn::Expr::MethodCall(m) if m.args.is_empty() => {
                let made_by = format!(".{}()", m.method);
                guards().find(|g| {
                    g.made_by.contains(&made_by.as_str())
                        && match g.of {
                            GuardOf::Span => self.is_span_expr(&m.receiver),
                            GuardOf::OtelContext => self.is_otel_context_expr(&m.receiver),
                            // A guard from `extra-guards`: its method is taken at its word.
                            GuardOf::Any => true,
                        }
                })
            }
            syn::Expr::Call(c) => {
                let syn::Expr::Path(f) = &*c.func else {
                    return None;
                };
                if f.qself.is_some() {
                    return None;
                }
                let full = self.imports.resolve(&f.path).join("::");
                guards().find(|g| g.made_by.contains(&full.as_str()))
            }
            syn::Expr::Paren(p) => self.guard_of(&p.expr),
            _ => None,
        }
    }

    /// Binds a function's parameters. A parameter whose type is a generic bounded by `Future`
    /// is a future; one that is a callable returning such a type (`impl FnOnce() -> F`,
    /// `G: FnOnce() -> F`, inline or in `where`) is a [`Binding::FutureFn`]. An unconstrained
    /// `R` is neither: syntax cannot tell, so the lint stays silent.
    pub(crate) fn bind_inputs(&mut self, sig: &syn::Signature) {
        let bounds = GenericBounds::of(&sig.generics);
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => self.bind("self".to_owned(), Binding::Other),
                syn::FnArg::Typed(t) => {
                    if let syn::Pat::Ident(p) = &*t.pat {
                        if bounds.makes_future(&t.ty) {
                            self.bind(p.ident.to_string(), Binding::FutureFn);
                            continue;
                        }
                        if bounds.is_future(&t.ty) {
                            self.bind(p.ident.to_string(), Binding::Future);
                            continue;
                        }
                    }
                    self.bind_pat(&t.pat, Some(&t.ty), None);
                }
            }
        }
    }

    pub(crate) fn is_context_type(&self, ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => {
                self.imports.is_contextvars(&p.path, &["Context"])
            }
            syn::Type::Reference(r) => self.is_context_type(&r.elem),
            syn::Type::Paren(p) => self.is_context_type(&p.elem),
            _ => false,
        }
    }

    /// What a value of type `ty` is, for the types the lints track.
    pub(crate) fn type_binding(&self, ty: &syn::Type) -> Option<Binding> {
        if self.is_context_type(ty) {
            return Some(Binding::Context);
        }
        let ty = match ty {
            syn::Type::Reference(r) => &*r.elem,
            other => other,
        };
        let syn::Type::Path(p) = ty else {
            return None;
        };
        let full = self.imports.resolve(&p.path);
        if is_one_of(&full, SPAN_TYPES) {
            Some(Binding::Span)
        } else if is_one_of(&full, OTEL_CONTEXT_TYPES) {
            Some(Binding::OtelContext)
        } else {
            None
        }
    }

    /// The kind of a `self.field` of the enclosing `impl`'s struct, if this file declares it.
    fn field_binding(&self, expr: &syn::Expr) -> Option<Binding> {
        let syn::Expr::Field(f) = expr else {
            return None;
        };
        match (&*f.base, &f.member, &self.self_ty) {
            (syn::Expr::Path(base), syn::Member::Named(field), Some(self_ty))
                if base.path.is_ident("self") =>
            {
                let field = field.to_string();
                // A struct of this file, then one of any file of the crate.
                if let Some(kind) = self
                    .context_fields
                    .get(self_ty)
                    .and_then(|fields| fields.get(&field))
                {
                    return Some(*kind);
                }
                let (ty, imports) = self.facts.field(self_ty, &field)?;
                if self.facts.is_span_ty(ty, imports) {
                    return Some(Binding::Span);
                }
                let Ty::Path {
                    segments, absolute, ..
                } = ty
                else {
                    return None;
                };
                let full = imports.resolve_segments(segments.clone(), *absolute);
                if is_one_of(&full, OTEL_CONTEXT_TYPES) {
                    Some(Binding::OtelContext)
                } else if matches!(full.as_slice(), [c, n] if c == "contextvars" && n == "Context")
                {
                    Some(Binding::Context)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The element type of the channel receiver that `expr` names (a binding or parameter
    /// declared `Receiver<T>`, or a `self` field of such a type), with the imports it is
    /// written with.
    pub(crate) fn receiver_elem(&self, expr: &syn::Expr) -> Option<(Ty, ReceiverImports<'_>)> {
        match expr {
            syn::Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                let ty = self.receivers.get(&name)?;
                let (elem, _) = self.facts.receiver_elem(ty, &self.imports)?;
                Some((elem.clone(), ReceiverImports::File))
            }
            syn::Expr::Field(f) => {
                let (syn::Expr::Path(base), syn::Member::Named(field), Some(self_ty)) =
                    (&*f.base, &f.member, &self.self_ty)
                else {
                    return None;
                };
                if !base.path.is_ident("self") {
                    return None;
                }
                let (ty, imports) = self.facts.field(self_ty, &field.to_string())?;
                let (elem, imports) = self.facts.receiver_elem(ty, imports)?;
                Some((elem.clone(), ReceiverImports::Other(imports)))
            }
            syn::Expr::Reference(r) => self.receiver_elem(&r.expr),
            syn::Expr::Paren(p) => self.receiver_elem(&p.expr),
            _ => None,
        }
    }

    /// Where a span sits in what `expr` receives from a channel, when `expr` is a receive
    /// (`rx.recv()`, `rx.recv().await`, `rx.try_recv()`, `rx.next().await`) on a receiver whose
    /// element type is known: the value inside its `Some(..)` or `Ok(..)`.
    pub(crate) fn received(&self, expr: &syn::Expr) -> Option<ElemShape> {
        let mut e = expr;
        loop {
            match e {
                syn::Expr::Await(a) => e = &a.base,
                syn::Expr::Paren(p) => e = &p.expr,
                _ => break,
            }
        }
        let syn::Expr::MethodCall(m) = e else {
            return None;
        };
        if !matches!(
            m.method.to_string().as_str(),
            "recv" | "try_recv" | "blocking_recv" | "recv_async" | "recv_timeout" | "next"
        ) {
            return None;
        }
        let (elem, imports) = self.receiver_elem(&m.receiver)?;
        let imports = match imports {
            ReceiverImports::File => &self.imports,
            ReceiverImports::Other(imports) => imports,
        };
        Some(self.facts.elem_shape(&elem, imports, 0))
    }

    /// Whether `expr` evaluates to a `tracing::Span`: a span macro, `Span::current()`, a
    /// binding or field of that type, or a clone or reference of one.
    pub(crate) fn is_span_expr(&self, expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Macro(m) => {
                let full = self.imports.resolve(&m.mac.path);
                let last = full.last().map(String::as_str).unwrap_or("");
                let is_span_macro = SPAN_MACROS.contains(&last);
                // `info_span!` needs `tracing` in scope: a path through it, or an import.
                is_span_macro
                    && (full.first().is_some_and(|r| r == "tracing")
                        || self.imports.is_imported_from(last, "tracing"))
            }
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(f) if f.qself.is_none() => {
                    let full = self.imports.resolve(&f.path);
                    let constructor = full.split_last().is_some_and(|(name, ty)| {
                        SPAN_CONSTRUCTORS.contains(&name.as_str()) && is_one_of(ty, SPAN_TYPES)
                    });
                    // A function of the crate declared `-> Span` (not shadowed by a local).
                    let name = f.path.segments.last().map(|s| s.ident.to_string());
                    let local = f
                        .path
                        .get_ident()
                        .is_some_and(|i| self.binding(&i.to_string()).is_some());
                    constructor || (!local && name.is_some_and(|n| self.facts.returns_span(&n)))
                }
                _ => false,
            },
            // A method of the crate declared `-> Span`, whatever the receiver
            // (`self.make_span.make_span(&req)`, a trait's `on_serve(&cx)`).
            syn::Expr::MethodCall(m) if self.facts.returns_span(&m.method.to_string()) => true,
            syn::Expr::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .is_some_and(|i| self.binding(&i.to_string()) == Some(Binding::Span)),
            syn::Expr::Field(_) => self.field_binding(expr) == Some(Binding::Span),
            syn::Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
                self.is_span_expr(&m.receiver)
            }
            syn::Expr::Reference(r) => self.is_span_expr(&r.expr),
            syn::Expr::Paren(p) => self.is_span_expr(&p.expr),
            _ => false,
        }
    }

    /// Whether `expr` evaluates to an `opentelemetry::Context`.
    pub(crate) fn is_otel_context_expr(&self, expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(f) if f.qself.is_none() => {
                    // Any associated function of the type: `Context::current()`, `::new()`,
                    // `::map_current(..)`.
                    let full = self.imports.resolve(&f.path);
                    full.split_last()
                        .is_some_and(|(_, ty)| is_one_of(ty, OTEL_CONTEXT_TYPES))
                }
                _ => false,
            },
            syn::Expr::MethodCall(m)
                if OTEL_CONTEXT_METHODS.contains(&m.method.to_string().as_str()) =>
            {
                self.is_otel_context_expr(&m.receiver)
            }
            syn::Expr::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .is_some_and(|i| self.binding(&i.to_string()) == Some(Binding::OtelContext)),
            syn::Expr::Field(_) => self.field_binding(expr) == Some(Binding::OtelContext),
            syn::Expr::Reference(r) => self.is_otel_context_expr(&r.expr),
            syn::Expr::Paren(p) => self.is_otel_context_expr(&p.expr),
            _ => false,
        }
    }

    /// Whether `expr` evaluates to a `contextvars::Context`, as far as syntax can tell.
    pub(crate) fn is_context_expr(&self, expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(ident) => self.binding(&ident.to_string()) == Some(Binding::Context),
                None => false,
            },
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(f) if f.qself.is_none() => {
                    self.imports.is_contextvars(&f.path, &["copy_context"])
                        || self.imports.is_contextvars(&f.path, &["Context", "new"])
                        || self
                            .imports
                            .is_contextvars(&f.path, &["Context", "default"])
                }
                _ => false,
            },
            syn::Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => {
                self.is_context_expr(&m.receiver)
            }
            syn::Expr::Field(f) => match (&*f.base, &f.member, &self.self_ty) {
                (syn::Expr::Path(base), syn::Member::Named(field), Some(self_ty))
                    if base.path.is_ident("self") =>
                {
                    self.context_fields
                        .get(self_ty)
                        .and_then(|fields| fields.get(&field.to_string()))
                        == Some(&Binding::Context)
                }
                _ => false,
            },
            syn::Expr::Paren(p) => self.is_context_expr(&p.expr),
            syn::Expr::Reference(r) => self.is_context_expr(&r.expr),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.is_context_expr(&u.expr)
            }
            _ => false,
        }
    }

    /// Whether `expr` evaluates to a future, as far as syntax and the crate's facts tell.
    pub(crate) fn is_future_expr(&self, expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Async(_) => true,
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(f) if f.qself.is_none() => {
                    let full = self.imports.resolve(&f.path);
                    let is_box_pin = matches!(full.as_slice(), [b, p] if b == "Box" && p == "pin")
                        || matches!(full.as_slice(), [s, m, b, p] if (s == "std" || s == "alloc") && m == "boxed" && b == "Box" && p == "pin");
                    if is_box_pin {
                        return c.args.first().is_some_and(|a| self.is_future_expr(a));
                    }
                    let Some(last) = f.path.segments.last() else {
                        return false;
                    };
                    let name = last.ident.to_string();
                    if f.path.segments.len() == 1
                        && let Some(binding) = self.binding(&name)
                    {
                        // A local closure or variable of the same name shadows the function.
                        return binding == Binding::FutureFn;
                    }
                    // `Trait::method(x)` and `Type::method(x)` call methods by path.
                    self.facts.fn_is_async(&name)
                        || (f.path.segments.len() > 1 && self.facts.method_is_async_by_path(&name))
                }
                _ => false,
            },
            syn::Expr::MethodCall(m) => {
                let name = m.method.to_string();
                match name.as_str() {
                    "boxed" | "boxed_local" | "with_current_context" | "with_context" => {
                        self.is_future_expr(&m.receiver)
                    }
                    "scope" | "scope_mut" => self.is_context_expr(&m.receiver),
                    _ => self.facts.method_is_async(&name),
                }
            }
            syn::Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.binding(&i.to_string()) == Some(Binding::Future)),
            syn::Expr::Block(b) => block_tail(&b.block).is_some_and(|e| self.is_future_expr(e)),
            syn::Expr::Paren(p) => self.is_future_expr(&p.expr),
            syn::Expr::Group(g) => self.is_future_expr(&g.expr),
            _ => false,
        }
    }

    pub(crate) fn classify(&self, ty: Option<&syn::Type>, init: Option<&syn::Expr>) -> Binding {
        if let Some(kind) = ty.and_then(|t| self.type_binding(t)) {
            return kind;
        }
        if init.is_some_and(|e| self.is_context_expr(e)) {
            Binding::Context
        } else if init.is_some_and(|e| self.is_span_expr(e)) {
            Binding::Span
        } else if init.is_some_and(|e| self.is_otel_context_expr(e)) {
            Binding::OtelContext
        } else if init.is_some_and(|e| self.is_future_expr(e)) {
            Binding::Future
        } else {
            Binding::Other
        }
    }
}

/// What a function's generics say about futures: the type parameters bounded by `Future`, and
/// those bounded by a callable trait whose output is one.
pub(crate) struct GenericBounds {
    futures: HashSet<String>,
    makers: HashSet<String>,
}

impl GenericBounds {
    pub(crate) fn of(generics: &syn::Generics) -> GenericBounds {
        // `(param, bounds)` from `<F: Bound>` and from `where F: Bound`.
        let mut all: Vec<(String, Vec<&syn::TypeParamBound>)> = generics
            .type_params()
            .map(|p| (p.ident.to_string(), p.bounds.iter().collect()))
            .collect();
        for predicate in generics.where_clause.iter().flat_map(|w| &w.predicates) {
            if let syn::WherePredicate::Type(t) = predicate
                && let syn::Type::Path(p) = &t.bounded_ty
                && let Some(ident) = p.path.get_ident()
            {
                all.push((ident.to_string(), t.bounds.iter().collect()));
            }
        }
        let mut out = GenericBounds {
            futures: HashSet::new(),
            makers: HashSet::new(),
        };
        for (name, bounds) in &all {
            if bounds.iter().any(|b| is_future_bound(b)) {
                out.futures.insert(name.clone());
            }
        }
        for (name, bounds) in &all {
            if bounds.iter().any(|b| out.callable_output_is_future(b)) {
                out.makers.insert(name.clone());
            }
        }
        out
    }

    /// `F` (a parameter bounded by `Future`), `impl Future`, `Pin<Box<dyn Future>>`.
    pub(crate) fn is_future(&self, ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .is_some_and(|i| self.futures.contains(&i.to_string())),
            syn::Type::Paren(p) => self.is_future(&p.elem),
            syn::Type::ImplTrait(t) => t.bounds.iter().any(is_future_bound),
            _ => false,
        }
    }

    /// `impl FnOnce() -> F`, or `G` bounded by `FnOnce() -> F`, with `F` a future.
    pub(crate) fn makes_future(&self, ty: &syn::Type) -> bool {
        match ty {
            syn::Type::ImplTrait(t) => t.bounds.iter().any(|b| self.callable_output_is_future(b)),
            syn::Type::Path(p) if p.qself.is_none() => p
                .path
                .get_ident()
                .is_some_and(|i| self.makers.contains(&i.to_string())),
            syn::Type::Paren(p) => self.makes_future(&p.elem),
            _ => false,
        }
    }

    fn callable_output_is_future(&self, bound: &syn::TypeParamBound) -> bool {
        let syn::TypeParamBound::Trait(t) = bound else {
            return false;
        };
        let Some(last) = t.path.segments.last() else {
            return false;
        };
        let syn::PathArguments::Parenthesized(args) = &last.arguments else {
            return false;
        };
        matches!(last.ident.to_string().as_str(), "FnOnce" | "FnMut" | "Fn")
            && matches!(&args.output, syn::ReturnType::Type(_, out) if self.is_future(out))
    }
}

/// `Future`, `std::future::Future<Output = T>`, `core::future::Future`.
fn is_future_bound(bound: &syn::TypeParamBound) -> bool {
    matches!(bound, syn::TypeParamBound::Trait(t) if t.path.segments.last().is_some_and(|s| s.ident == "Future"))
}

/// Whether the resolved path `full` is one of `paths`.
fn is_one_of(full: &[String], paths: &[&[&str]]) -> bool {
    paths
        .iter()
        .any(|p| p.len() == full.len() && p.iter().zip(full).all(|(a, b)| *a == b))
}

/// The name a `let` pattern binds, when it binds exactly one (`_guard`, `g: Entered`), but not
/// `_`, which drops the value at once.
pub(crate) fn bound_ident(pat: &syn::Pat) -> Option<&syn::Ident> {
    match pat {
        syn::Pat::Ident(p) if p.subpat.is_none() => Some(&p.ident),
        syn::Pat::Type(t) => bound_ident(&t.pat),
        _ => None,
    }
}
