//! The lints, and the walk over a file that feeds them.
//!
//! [`FileCx`] walks one parsed file. It keeps what the lints need to know about the code
//! around a node (the bindings in scope, the attributes that set lint levels, which calls are
//! `.await`ed, the declared type of a `static`) and calls each lint's `check_*` function on
//! the nodes that lint cares about. Each lint lives in its own module and ends in one
//! [`FileCx::emit`].

pub(crate) mod context_guard_across_await;
pub(crate) mod interior_mutable_default;
pub(crate) mod sync_run_wraps_future;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use ctxlint_catalogue::{Level, Lint};
use syn::punctuated::Punctuated;
use syn::visit::Visit;

use crate::config::Config;
use crate::diagnostic::{Finding, SourceSpan, Suggestion};
use crate::rust::facts::CrateFacts;
use crate::rust::resolve::Imports;
use crate::rust::suppress;

/// How deep expressions, blocks and items may nest before a file is given up as too deep.
///
/// The walk runs on threads with a large stack (see `engine::STACK_SIZE`), which this limit
/// stays well inside; real code nests a few dozen levels.
pub(crate) const MAX_DEPTH: usize = 20_000;

/// What syntax can tell about a local binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// A `contextvars::Context` (or `&mut Context`).
    Context,
    /// A future: an `async` block, a call of a crate `async fn`, or a parameter whose type is
    /// bounded by `Future`.
    Future,
    /// A callable that returns a future: a parameter typed `impl FnOnce() -> F` (or a generic
    /// `G: FnOnce() -> F`) where `F` is bounded by `Future`.
    FutureFn,
    /// A `tracing::Span`.
    Span,
    /// An `opentelemetry::Context`.
    OtelContext,
    /// Anything else, including what syntax cannot tell. It still shadows outer bindings.
    Other,
}

/// The state of the walk over one file.
pub(crate) struct FileCx<'a> {
    pub(crate) facts: &'a CrateFacts,
    pub(crate) config: &'a Config,
    pub(crate) imports: Imports,
    pub(crate) source: &'a str,
    path: &'a Path,
    scopes: Vec<HashMap<String, Binding>>,
    /// Levels set by attributes, outermost first: crate root, file, then enclosing nodes.
    levels: Vec<(&'static str, Level)>,
    /// Addresses of the method calls whose result is immediately `.await`ed.
    awaited: HashSet<usize>,
    /// The address of a `static`/`const`/`let` initialiser, and the declared type around it.
    declared: Option<(usize, syn::Type)>,
    /// The name of the type of the enclosing `impl`, for `self.field`.
    self_ty: Option<String>,
    /// Fields typed `Context` (or a span, or an OpenTelemetry context), by struct name, for
    /// the structs of this file.
    context_fields: HashMap<String, HashMap<String, Binding>>,
    depth: usize,
    /// How many enclosing items are test code: a function with a `#[test]`-like attribute
    /// (`#[test]`, `#[tokio::test]`), or a module under `#[cfg(test)]`.
    test_items: usize,
    /// Whether the whole file is test code: an integration test (under the package's
    /// `tests/`), or a module that the crate declares under `#[cfg(test)]`.
    test_file: bool,
    /// Where the walk first went deeper than [`MAX_DEPTH`].
    pub(crate) too_deep: Option<SourceSpan>,
    pub(crate) findings: Vec<Finding>,
}

impl<'a> FileCx<'a> {
    pub(crate) fn new(
        facts: &'a CrateFacts,
        config: &'a Config,
        path: &'a Path,
        source: &'a str,
        file: &syn::File,
    ) -> Self {
        let imports = Imports::of_file(file);
        let mut levels = facts.crate_levels.clone();
        levels.extend(suppress::levels(&file.attrs));
        let mut cx = FileCx {
            facts,
            config,
            imports,
            source,
            path,
            scopes: vec![HashMap::new()],
            levels,
            awaited: HashSet::new(),
            declared: None,
            self_ty: None,
            context_fields: HashMap::new(),
            depth: 0,
            test_items: 0,
            test_file: facts.test_target
                || path.components().any(|c| {
                    let name = c.as_os_str().to_string_lossy();
                    facts.cfg_test_mods.contains(name.trim_end_matches(".rs"))
                }),
            too_deep: None,
            findings: Vec::new(),
        };
        for item in &file.items {
            cx.collect_context_fields(item);
        }
        cx
    }

    fn collect_context_fields(&mut self, item: &syn::Item) {
        match item {
            syn::Item::Struct(s) => {
                let fields: HashMap<String, Binding> = s
                    .fields
                    .iter()
                    .filter_map(|f| {
                        let kind = self.type_binding(&f.ty)?;
                        Some((f.ident.as_ref()?.to_string(), kind))
                    })
                    .collect();
                if !fields.is_empty() {
                    self.context_fields.insert(s.ident.to_string(), fields);
                }
            }
            syn::Item::Mod(m) => {
                for item in m.content.iter().flat_map(|(_, items)| items) {
                    self.collect_context_fields(item);
                }
            }
            _ => {}
        }
    }

    /// Reports `lint` at `span`, unless config or attributes allow it there.
    pub(crate) fn emit(
        &mut self,
        lint: &'static Lint,
        span: proc_macro2::Span,
        suggestion: Option<Suggestion>,
    ) {
        self.emit_with_help(lint, span, suggestion, None);
    }

    /// [`FileCx::emit`], with a `help:` of its own instead of the lint's (each runner and
    /// guard has its own fix).
    pub(crate) fn emit_with_help(
        &mut self,
        lint: &'static Lint,
        span: proc_macro2::Span,
        suggestion: Option<Suggestion>,
        help: Option<&'static str>,
    ) {
        let mut level = self.config.level(lint);
        for (name, set) in &self.levels {
            if *name == lint.name {
                level = *set;
            }
        }
        if level == Level::Allow {
            return;
        }
        self.findings.push(Finding {
            lint,
            level,
            path: self.path.to_path_buf(),
            span: SourceSpan::from_span(span),
            suggestion,
            help,
        });
    }

    /// Whether the walk is in test code (see [`FileCx::test_items`] and [`FileCx::test_file`]).
    pub(crate) fn in_test(&self) -> bool {
        self.test_file || self.test_items > 0
    }

    /// The binding `name` refers to, if it is a local one.
    pub(crate) fn binding(&self, name: &str) -> Option<Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    /// Whether the call at this address (an `ExprMethodCall` or `ExprCall`) is immediately
    /// `.await`ed.
    pub(crate) fn is_awaited<T>(&self, call: &T) -> bool {
        self.awaited.contains(&address(call))
    }

    /// The type declared around `expr` (`static X: T = expr`), if `expr` is the initialiser.
    pub(crate) fn declared_type(&self, expr: &syn::Expr) -> Option<&syn::Type> {
        match &self.declared {
            Some((at, ty)) if *at == address(expr) => Some(ty),
            _ => None,
        }
    }

    /// Whether `ty` is `contextvars::Context`, `&mut Context` or `&Context`.
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
    fn type_binding(&self, ty: &syn::Type) -> Option<Binding> {
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
        let full: Vec<&str> = full.iter().map(String::as_str).collect();
        match full.as_slice() {
            ["tracing", "Span"] | ["tracing", "span", "Span"] => Some(Binding::Span),
            ["opentelemetry", "Context"] | ["opentelemetry", "context", "Context"] => {
                Some(Binding::OtelContext)
            }
            _ => None,
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
                self.context_fields
                    .get(self_ty)
                    .and_then(|fields| fields.get(&field.to_string()))
                    .copied()
            }
            _ => None,
        }
    }

    /// Whether `expr` evaluates to a `tracing::Span`: a span macro, `Span::current()`, a
    /// binding or field of that type, or a clone or reference of one.
    pub(crate) fn is_span_expr(&self, expr: &syn::Expr) -> bool {
        match expr {
            syn::Expr::Macro(m) => {
                let full = self.imports.resolve(&m.mac.path);
                let last = full.last().map(String::as_str).unwrap_or("");
                let is_span_macro = matches!(
                    last,
                    "span" | "trace_span" | "debug_span" | "info_span" | "warn_span" | "error_span"
                );
                // `info_span!` needs `tracing` in scope: a path through it, or an import.
                is_span_macro
                    && (full.first().is_some_and(|r| r == "tracing")
                        || self.imports.is_imported_from(last, "tracing"))
            }
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(f) if f.qself.is_none() => {
                    let full = self.imports.resolve(&f.path);
                    let full: Vec<&str> = full.iter().map(String::as_str).collect();
                    matches!(
                        full.as_slice(),
                        ["tracing", "Span" | "span::Span", "current" | "none" | "new"]
                            | ["tracing", "span", "Span", "current" | "none" | "new"]
                    )
                }
                _ => false,
            },
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
                    let full = self.imports.resolve(&f.path);
                    let full: Vec<&str> = full.iter().map(String::as_str).collect();
                    matches!(
                        full.as_slice(),
                        ["opentelemetry", "Context" | "context::Context", _]
                            | ["opentelemetry", "context", "Context", _]
                    )
                }
                _ => false,
            },
            syn::Expr::MethodCall(m)
                if matches!(
                    m.method.to_string().as_str(),
                    "clone" | "with_value" | "with_span" | "with_remote_span_context"
                ) =>
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

    fn classify(&self, ty: Option<&syn::Type>, init: Option<&syn::Expr>) -> Binding {
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

    pub(crate) fn bind_pat(
        &mut self,
        pat: &syn::Pat,
        ty: Option<&syn::Type>,
        init: Option<&syn::Expr>,
    ) {
        match pat {
            syn::Pat::Ident(p) => {
                let kind = self.classify(ty, init);
                self.bind(p.ident.to_string(), kind);
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pat(sub, None, None);
                }
            }
            syn::Pat::Type(t) => self.bind_pat(&t.pat, Some(&t.ty), init),
            syn::Pat::Reference(r) => self.bind_pat(&r.pat, None, None),
            syn::Pat::Paren(p) => self.bind_pat(&p.pat, ty, init),
            syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| self.bind_pat(p, None, None)),
            syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| self.bind_pat(p, None, None)),
            syn::Pat::Slice(s) => s.elems.iter().for_each(|p| self.bind_pat(p, None, None)),
            syn::Pat::Struct(s) => s
                .fields
                .iter()
                .for_each(|f| self.bind_pat(&f.pat, None, None)),
            syn::Pat::Or(o) => o.cases.iter().for_each(|p| self.bind_pat(p, None, None)),
            _ => {}
        }
    }

    fn bind(&mut self, name: String, kind: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, kind);
        }
    }

    pub(crate) fn with_scope(&mut self, f: impl FnOnce(&mut Self)) {
        self.scopes.push(HashMap::new());
        f(self);
        self.scopes.pop();
    }

    fn with_levels(&mut self, attrs: &[syn::Attribute], f: impl FnOnce(&mut Self)) {
        let set = suppress::levels(attrs);
        let n = set.len();
        self.levels.extend(set);
        f(self);
        self.levels.truncate(self.levels.len() - n);
    }

    /// Binds a function's parameters. A parameter whose type is a generic bounded by `Future`
    /// is a future; one that is a callable returning such a type (`impl FnOnce() -> F`,
    /// `G: FnOnce() -> F`, inline or in `where`) is a [`Binding::FutureFn`]. An unconstrained
    /// `R` is neither: syntax cannot tell, so the lint stays silent.
    fn bind_inputs(&mut self, sig: &syn::Signature) {
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

    /// Walks the expressions inside a function-like macro call whose tokens parse as
    /// comma-separated expressions (`vec![..]`, `assert!(..)`, `tokio::join!(..)`).
    fn visit_macro_exprs(&mut self, mac: &syn::Macro) {
        if let Ok(exprs) =
            mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        {
            for expr in &exprs {
                self.visit_expr(expr);
            }
        } else if let Ok(block) = mac.parse_body_with(syn::Block::parse_within) {
            self.with_scope(|cx| block.iter().for_each(|s| cx.visit_stmt(s)));
        }
    }
}

/// What a function's generics say about futures: the type parameters bounded by `Future`, and
/// those bounded by a callable trait whose output is one.
struct GenericBounds {
    futures: HashSet<String>,
    makers: HashSet<String>,
}

impl GenericBounds {
    fn of(generics: &syn::Generics) -> GenericBounds {
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
    fn is_future(&self, ty: &syn::Type) -> bool {
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
    fn makes_future(&self, ty: &syn::Type) -> bool {
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

impl FileCx<'_> {
    /// Walks a function's body in a scope of its own, with its parameters bound; an `async`
    /// body is also checked for guards held across `.await`.
    fn visit_fn_body(&mut self, sig: &syn::Signature, body: &syn::Block) {
        self.with_scope(|cx| {
            cx.bind_inputs(sig);
            if sig.asyncness.is_some() {
                context_guard_across_await::check_async_body(cx, body);
            }
            cx.visit_block(body);
        });
    }
}

/// The final expression of a block, if it has one.
pub(crate) fn block_tail(block: &syn::Block) -> Option<&syn::Expr> {
    match block.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => Some(e),
        _ => None,
    }
}

/// A node's address, to recognise it again later in the same walk.
fn address<T>(node: &T) -> usize {
    node as *const T as usize
}

impl<'ast> Visit<'ast> for FileCx<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.with_levels(suppress::item_attrs(item), |cx| match item {
            syn::Item::Impl(i) => {
                let self_ty = match &*i.self_ty {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                let outer = std::mem::replace(&mut cx.self_ty, self_ty);
                syn::visit::visit_item_impl(cx, i);
                cx.self_ty = outer;
            }
            syn::Item::Macro(m) => cx.visit_macro_exprs(&m.mac),
            _ => {
                let test = match item {
                    syn::Item::Fn(f) => f.attrs.iter().any(suppress::is_test_attr),
                    syn::Item::Mod(m) => m.attrs.iter().any(suppress::is_cfg_test),
                    _ => false,
                };
                cx.test_items += usize::from(test);
                syn::visit::visit_item(cx, item);
                cx.test_items -= usize::from(test);
            }
        });
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        self.visit_fn_body(&item.sig, &item.block);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Type(t) => &t.attrs,
            syn::ImplItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        self.with_levels(attrs, |cx| syn::visit::visit_impl_item(cx, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.visit_fn_body(&item.sig, &item.block);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::TraitItem::Const(c) => &c.attrs,
            syn::TraitItem::Fn(f) => &f.attrs,
            syn::TraitItem::Type(t) => &t.attrs,
            syn::TraitItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        self.with_levels(attrs, |cx| syn::visit::visit_trait_item(cx, item));
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(body) = &item.default {
            self.visit_fn_body(&item.sig, body);
        }
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.declared = Some((address(&*item.expr), (*item.ty).clone()));
        self.visit_expr(&item.expr);
        self.declared = None;
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.declared = Some((address(&*item.expr), (*item.ty).clone()));
        self.visit_expr(&item.expr);
        self.declared = None;
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.with_scope(|cx| block.stmts.iter().for_each(|s| cx.visit_stmt(s)));
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        match stmt {
            syn::Stmt::Local(local) => self.with_levels(&local.attrs, |cx| {
                let ty = match &local.pat {
                    syn::Pat::Type(t) => Some(&*t.ty),
                    _ => None,
                };
                if let Some(init) = &local.init {
                    if let Some(ty) = ty {
                        cx.declared = Some((address(&*init.expr), ty.clone()));
                    }
                    cx.visit_expr(&init.expr);
                    cx.declared = None;
                    if let Some((_, diverge)) = &init.diverge {
                        cx.visit_expr(diverge);
                    }
                }
                let init = local.init.as_ref().map(|i| &*i.expr);
                cx.bind_pat(&local.pat, None, init);
            }),
            syn::Stmt::Macro(m) => self.with_levels(&m.attrs, |cx| cx.visit_macro_exprs(&m.mac)),
            syn::Stmt::Item(item) => self.visit_item(item),
            syn::Stmt::Expr(e, _) => self.visit_expr(e),
        }
    }

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if self.too_deep.is_some() {
            return;
        }
        if self.depth >= MAX_DEPTH {
            self.too_deep = Some(SourceSpan::from_span(syn::spanned::Spanned::span(expr)));
            return;
        }
        self.depth += 1;
        self.with_levels(suppress::expr_attrs(expr), |cx| match expr {
            syn::Expr::Closure(c) => cx.with_scope(|cx| {
                for input in &c.inputs {
                    cx.bind_pat(input, None, None);
                }
                if c.asyncness.is_some()
                    && let syn::Expr::Block(b) = &*c.body
                {
                    context_guard_across_await::check_async_body(cx, &b.block);
                }
                cx.visit_expr(&c.body);
            }),
            syn::Expr::Async(a) => {
                context_guard_across_await::check_async_body(cx, &a.block);
                cx.visit_block(&a.block);
            }
            syn::Expr::Await(a) => {
                let mut base = &*a.base;
                while let syn::Expr::Paren(p) = base {
                    base = &p.expr;
                }
                match base {
                    syn::Expr::MethodCall(m) => {
                        cx.awaited.insert(address(m));
                    }
                    syn::Expr::Call(c) => {
                        cx.awaited.insert(address(c));
                    }
                    _ => {}
                }
                cx.visit_expr(&a.base);
            }
            syn::Expr::Call(c) => {
                interior_mutable_default::check_call(cx, expr, c);
                sync_run_wraps_future::check_call(cx, c);
                syn::visit::visit_expr_call(cx, c);
            }
            syn::Expr::MethodCall(m) => {
                sync_run_wraps_future::check_method_call(cx, m);
                syn::visit::visit_expr_method_call(cx, m);
            }
            syn::Expr::Macro(m) => cx.visit_macro_exprs(&m.mac),
            syn::Expr::Match(m) => {
                cx.visit_expr(&m.expr);
                for arm in &m.arms {
                    cx.with_levels(&arm.attrs, |cx| {
                        cx.with_scope(|cx| {
                            cx.bind_pat(&arm.pat, None, None);
                            if let Some((_, guard)) = &arm.guard {
                                cx.visit_expr(guard);
                            }
                            cx.visit_expr(&arm.body);
                        });
                    });
                }
            }
            syn::Expr::ForLoop(f) => {
                cx.visit_expr(&f.expr);
                cx.with_scope(|cx| {
                    cx.bind_pat(&f.pat, None, None);
                    cx.visit_block(&f.body);
                });
            }
            syn::Expr::If(i) => {
                cx.with_scope(|cx| {
                    cx.visit_expr(&i.cond);
                    cx.visit_block(&i.then_branch);
                });
                if let Some((_, else_branch)) = &i.else_branch {
                    cx.visit_expr(else_branch);
                }
            }
            syn::Expr::While(w) => cx.with_scope(|cx| {
                cx.visit_expr(&w.cond);
                cx.visit_block(&w.body);
            }),
            syn::Expr::Let(l) => {
                cx.visit_expr(&l.expr);
                cx.bind_pat(&l.pat, None, None);
            }
            _ => syn::visit::visit_expr(cx, expr),
        });
        self.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `(line, lint)` findings of `src`, checked as a crate of its own.
    fn lint(src: &str) -> Vec<(usize, &'static str)> {
        let Ok(file) = syn::parse_file(src) else {
            return vec![(0, "parse error")];
        };
        let config = Config::default();
        let mut facts = CrateFacts::default();
        facts.add_file(&file, true);
        facts.finish(&config);
        let mut cx = FileCx::new(&facts, &config, Path::new("t.rs"), src, &file);
        cx.visit_file(&file);
        cx.findings
            .iter()
            .map(|f| (f.span.line_start, f.lint.name))
            .collect()
    }

    const PRELUDE: &str =
        "use contextvars::{copy_context, Context, ContextVar};\nasync fn work() {}\n";

    #[test]
    fn closure_parameters_and_patterns_bind() {
        let src = format!(
            "{PRELUDE}fn f() {{\n\
             let g = |ctx: &mut Context| ctx.run(|| work());\n\
             let ctx = copy_context();\n\
             if let Some(ctx) = Some(1) {{ ctx.run(|| work()); }}\n\
             match 1 {{ ctx => {{ ctx.run(|| work()); }} }}\n\
             for ctx in [1] {{ ctx.run(|| work()); }}\n\
             let mut ctx = ctx; ctx.run(|| work());\n\
             }}\n"
        );
        assert_eq!(
            lint(&src),
            [(4, "sync_run_wraps_future"), (9, "sync_run_wraps_future")]
        );
    }

    #[test]
    fn expression_and_arm_attributes_allow() {
        let src = format!(
            "{PRELUDE}fn f(mut ctx: Context) {{\n\
             let a = #[allow(sync_run_wraps_future)] {{ ctx.run(|| work()) }};\n\
             match 1 {{ #[allow(sync_run_wraps_future)] _ => {{ ctx.run(|| work()); }} }}\n\
             let b = ctx.run(|| work());\n\
             }}\n"
        );
        assert_eq!(lint(&src), [(6, "sync_run_wraps_future")]);
    }

    #[test]
    fn declared_types_and_constants_count() {
        let src = "use contextvars::ContextVar as V;\nuse std::sync::atomic::AtomicBool;\n\
                   const FLAG: AtomicBool = AtomicBool::new(false);\n\
                   static A: V<AtomicBool> = V::with_default(\"a\", FLAG);\n\
                   static B: V<Option<AtomicBool>> = V::with_default(\"b\", None);\n\
                   static C: V<u8> = V::with_default(\"c\", 0);\n";
        // `B` is silent: its type could hold an atomic, but its value, `None`, holds none.
        assert_eq!(lint(src), [(4, "interior_mutable_default")]);
    }

    #[test]
    fn recursive_crate_types_terminate() {
        let src = "use contextvars::ContextVar;\n\
                   struct Node { next: Option<Box<Node>>, hits: std::sync::atomic::AtomicU8 }\n\
                   struct List { head: Option<Box<List>> }\n\
                   fn f() {\n\
                   let a = ContextVar::with_default(\"a\", Node { next: None, hits: Default::default() });\n\
                   let b = ContextVar::with_default(\"b\", List { head: None });\n\
                   }\n";
        assert_eq!(lint(src), [(5, "interior_mutable_default")]);
    }

    #[test]
    fn async_and_sync_functions_of_one_name_are_not_trusted() {
        let src = format!(
            "{PRELUDE}mod a {{ pub async fn go() {{}} }}\nmod b {{ pub fn go() {{}} }}\n\
             fn f(mut ctx: Context) {{\n\
             let x = ctx.run(|| a::go());\n\
             let y = ctx.run(|| async {{}});\n\
             }}\n"
        );
        assert_eq!(lint(&src), [(7, "sync_run_wraps_future")]);
    }

    #[test]
    fn macros_with_expression_arguments_are_walked() {
        let src = format!(
            "{PRELUDE}fn f(mut ctx: Context) {{\n\
             assert!(ctx.run(|| work()) == ctx.run(|| work()));\n\
             println!(\"{{}}\", ctx.run(|| 1));\n\
             let v = vec![ContextVar::with_default(\"v\", std::sync::Mutex::new(0))];\n\
             }}\n"
        );
        assert_eq!(
            lint(&src),
            [
                (4, "sync_run_wraps_future"),
                (4, "sync_run_wraps_future"),
                (6, "interior_mutable_default")
            ]
        );
    }
}
