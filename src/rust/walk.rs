//! The walk over one parsed file, and the state the lints read from it.
//!
//! [`FileCx`] is what the lints see of the code around a node: the bindings in scope and what
//! syntax tells of their types (see `types`), the attributes that set lint levels, which calls
//! are `.await`ed, the declared type of a `static`, whether the code is test code. [`Walker`]
//! walks the file once, keeps that state, and calls each enabled lint's hooks
//! ([`Pass`]) on the nodes they care about. A lint that is allowed everywhere in the file does
//! not run at all.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use ctxlint_catalogue::{Level, Lint};
use syn::punctuated::Punctuated;
use syn::visit::Visit;

use crate::config::Config;
use crate::diagnostic::{Finding, Related, SourceSpan, Suggestion};
use crate::error::Error;
use crate::rust::MAX_DEPTH;
use crate::rust::facts::{CrateFacts, ElemShape, Ty};
use crate::rust::resolve::Imports;
use crate::rust::suppress;

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

/// What the lints see of the code around the node being walked.
pub(crate) struct FileCx<'a> {
    pub(crate) facts: &'a CrateFacts,
    pub(crate) config: &'a Config,
    pub(crate) imports: Arc<Imports>,
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
    pub(crate) self_ty: Option<String>,
    /// Fields typed `Context` (or a span, or an OpenTelemetry context), by struct name, for
    /// the structs of this file.
    pub(crate) context_fields: HashMap<String, HashMap<String, Binding>>,
    depth: usize,
    /// How many enclosing items are test code: a function with a `#[test]`-like attribute
    /// (`#[test]`, `#[tokio::test]`), or a module under `#[cfg(test)]`.
    test_items: usize,
    /// Whether the whole file is test code: in one of the package's test directories, or a
    /// module that the crate declares under `#[cfg(test)]`.
    test_file: bool,
    /// How many `static` or `const` items' initialisers enclose the node: code that runs once
    /// (at compile time).
    statics: usize,
    /// The bindings and parameters declared as channel receivers, with their declared types.
    pub(crate) receivers: HashMap<String, Ty>,
    /// Where the walk first went deeper than [`MAX_DEPTH`].
    too_deep: Option<SourceSpan>,
    findings: Vec<Finding>,
}

/// Lints one parsed file with its crate's facts: its findings, and the error that stopped the
/// walk (a file nested deeper than [`MAX_DEPTH`]).
pub(crate) fn lint_file(
    path: &Path,
    text: &str,
    file: &syn::File,
    facts: &CrateFacts,
    config: &Config,
    lints: &[Registered],
) -> (Vec<Finding>, Option<Error>) {
    let imports = Arc::new(Imports::of_file(file));
    lint_file_with(path, text, file, imports, facts, config, lints)
}

/// [`lint_file`], with the file's imports already resolved (for its facts).
pub(crate) fn lint_file_with(
    path: &Path,
    text: &str,
    file: &syn::File,
    imports: Arc<Imports>,
    facts: &CrateFacts,
    config: &Config,
    lints: &[Registered],
) -> (Vec<Finding>, Option<Error>) {
    let cx = FileCx::new(facts, config, path, text, file, imports);
    let passes = lints
        .iter()
        .filter(|registered| cx.may_fire(registered.lint))
        .map(|registered| (registered.new)())
        .collect();
    let mut walker = Walker { cx, passes };
    walker.visit_file(file);
    let error = walker
        .cx
        .too_deep
        .map(|at| Error::walk_too_deep(path, at, MAX_DEPTH));
    (walker.cx.findings, error)
}

impl<'a> FileCx<'a> {
    pub(crate) fn new(
        facts: &'a CrateFacts,
        config: &'a Config,
        path: &'a Path,
        source: &'a str,
        file: &syn::File,
        imports: Arc<Imports>,
    ) -> Self {
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
            statics: 0,
            receivers: HashMap::new(),
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

    /// Whether `lint` can fire anywhere in this file: the configuration does not allow it, or
    /// an attribute of the crate or the file names it (and may set another level somewhere).
    fn may_fire(&self, lint: &Lint) -> bool {
        self.config.level(lint) != Level::Allow
            || self.levels.iter().any(|(name, _)| *name == lint.name)
            || self.source.contains(lint.name)
    }

    /// The level of `lint` here: the configuration's, then the attributes around the node.
    pub(crate) fn level(&self, lint: &Lint) -> Level {
        let mut level = self.config.level(lint);
        for (name, set) in &self.levels {
            if *name == lint.name {
                level = *set;
            }
        }
        level
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
        let level = self.level(lint);
        self.emit_at_level(lint, level, span, suggestion, help);
    }

    /// Reports `lint` at `span` at a level the lint read earlier (at the node that owns the
    /// finding, which the walk may have left), unless that level is `allow`.
    pub(crate) fn emit_at_level(
        &mut self,
        lint: &'static Lint,
        level: Level,
        span: proc_macro2::Span,
        suggestion: Option<Suggestion>,
        help: Option<&'static str>,
    ) {
        self.emit_full(lint, level, span, suggestion, help, None);
    }

    /// Reports `lint` at `span` with a second place it points at (the form's secondary label
    /// goes there), unless config or attributes allow it.
    pub(crate) fn emit_related(
        &mut self,
        lint: &'static Lint,
        span: proc_macro2::Span,
        related: Related,
    ) {
        let level = self.level(lint);
        self.emit_full(lint, level, span, None, None, Some(related));
    }

    /// Reports `lint` at `span` with everything a finding can have: a level read earlier, a
    /// suggestion, a `help:` of its own and a second place.
    pub(crate) fn emit_full(
        &mut self,
        lint: &'static Lint,
        level: Level,
        span: proc_macro2::Span,
        suggestion: Option<Suggestion>,
        help: Option<&'static str>,
        related: Option<Related>,
    ) {
        if level == Level::Allow {
            return;
        }
        self.findings.push(Finding {
            lint,
            level,
            language: ctxlint_catalogue::Language::Rust,
            path: self.path.to_path_buf(),
            span: crate::rust::source_span(span),
            suggestion,
            help,
            related,
        });
    }

    /// The file being walked, as shown.
    pub(crate) fn path(&self) -> &Path {
        self.path
    }

    /// Whether the node is in the initialiser of a `static` or `const` item, which runs once.
    pub(crate) fn in_static(&self) -> bool {
        self.statics > 0
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

    pub(crate) fn bind_pat(
        &mut self,
        pat: &syn::Pat,
        ty: Option<&syn::Type>,
        init: Option<&syn::Expr>,
    ) {
        match pat {
            syn::Pat::Ident(p) => {
                let kind = self.classify(ty, init);
                let name = p.ident.to_string();
                // A channel receiver: what its patterns receive can be typed.
                match ty.map(Ty::of) {
                    Some(declared)
                        if self.facts.receiver_elem(&declared, &self.imports).is_some() =>
                    {
                        self.receivers.insert(name.clone(), declared);
                    }
                    _ => {
                        self.receivers.remove(&name);
                    }
                }
                self.bind(name, kind);
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pat(sub, None, None);
                }
            }
            // `Some((msg, span))` received from a channel whose element is `(Msg, Span)`.
            syn::Pat::TupleStruct(t)
                if (t.path.is_ident("Some") || t.path.is_ident("Ok"))
                    && t.elems.len() == 1
                    && let Some(shape) = init.and_then(|e| self.received(e)) =>
            {
                if let Some(inner) = t.elems.first() {
                    self.bind_shape(inner, &shape);
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

    /// Binds `pat` to a received value of `shape`: a name where the shape is a span is a span.
    fn bind_shape(&mut self, pat: &syn::Pat, shape: &ElemShape) {
        match (pat, shape) {
            (syn::Pat::Ident(p), ElemShape::Span) => self.bind(p.ident.to_string(), Binding::Span),
            (syn::Pat::Tuple(t), ElemShape::Tuple(shapes)) if t.elems.len() == shapes.len() => {
                for (p, s) in t.elems.iter().zip(shapes) {
                    self.bind_shape(p, s);
                }
            }
            (syn::Pat::Type(t), _) => self.bind_shape(&t.pat, shape),
            (syn::Pat::Paren(p), _) => self.bind_shape(&p.pat, shape),
            (other, _) => self.bind_pat(other, None, None),
        }
    }

    pub(crate) fn bind(&mut self, name: String, kind: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, kind);
        }
    }
}

/// The hooks of a lint. Each is called on every node of its kind, in source order, in the
/// scopes and levels of that node.
pub(crate) trait Pass {
    /// Any expression, before its kind's own hook and before its parts are walked.
    fn check_expr(&mut self, _cx: &mut FileCx<'_>, _expr: &syn::Expr) {}

    /// A call `f(..)`; `expr` is the same node as an [`syn::Expr`].
    fn check_call(&mut self, _cx: &mut FileCx<'_>, _expr: &syn::Expr, _call: &syn::ExprCall) {}

    /// A method call `recv.m(..)`.
    fn check_method_call(&mut self, _cx: &mut FileCx<'_>, _call: &syn::ExprMethodCall) {}

    /// A function (free, associated, or a trait's default method) starts, before its body,
    /// with its attributes.
    fn enter_fn(&mut self, _cx: &mut FileCx<'_>, _attrs: &[syn::Attribute]) {}

    /// The function that [`Pass::enter_fn`] last started ends.
    fn exit_fn(&mut self, _cx: &mut FileCx<'_>) {}

    /// A body starts: a function's, a closure's or an `async` block's; `is_async` for an
    /// `async fn`, an `async` closure or block.
    fn enter_body(&mut self, _cx: &mut FileCx<'_>, _is_async: bool) {}

    /// The body that [`Pass::enter_body`] last started ends.
    fn exit_body(&mut self, _cx: &mut FileCx<'_>) {}

    /// A block starts (a `let` in it is bound until it ends).
    fn enter_block(&mut self, _cx: &mut FileCx<'_>) {}

    /// The block that [`Pass::enter_block`] last started ends.
    fn exit_block(&mut self, _cx: &mut FileCx<'_>) {}

    /// A statement, before it is walked.
    fn check_stmt(&mut self, _cx: &mut FileCx<'_>, _stmt: &syn::Stmt) {}

    /// A `let`, after its initialiser was walked and before its pattern is bound.
    fn check_local(&mut self, _cx: &mut FileCx<'_>, _local: &syn::Local) {}

    /// An `.await`, before its operand is walked.
    fn check_await(&mut self, _cx: &mut FileCx<'_>, _await: &syn::ExprAwait) {}

    /// A macro call (an item, a statement or an expression), before the expressions in its
    /// arguments are walked.
    fn check_macro(&mut self, _cx: &mut FileCx<'_>, _mac: &syn::Macro) {}
}

/// A lint of the catalogue and how to make its pass.
pub(crate) struct Registered {
    /// The catalogue's lint, whose level decides whether the pass runs at all.
    pub(crate) lint: &'static Lint,
    /// A fresh pass, for one file.
    pub(crate) new: fn() -> Box<dyn Pass>,
}

/// A fresh pass of type `P`.
pub(crate) fn pass<P: Pass + Default + 'static>() -> Box<dyn Pass> {
    Box::<P>::default()
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

/// The walk: the context, and the passes of the lints that can fire in the file.
pub(crate) struct Walker<'a> {
    pub(crate) cx: FileCx<'a>,
    passes: Vec<Box<dyn Pass>>,
}

/// Calls a hook of every pass with the context and the arguments.
macro_rules! each_pass {
    ($walker:expr, $hook:ident ( $($arg:expr),* )) => {
        for pass in &mut $walker.passes {
            pass.$hook(&mut $walker.cx, $($arg),*);
        }
    };
}

impl Walker<'_> {
    fn with_scope(&mut self, f: impl FnOnce(&mut Self)) {
        self.cx.scopes.push(HashMap::new());
        f(self);
        self.cx.scopes.pop();
    }

    fn with_levels(&mut self, attrs: &[syn::Attribute], f: impl FnOnce(&mut Self)) {
        let set = suppress::levels(attrs);
        let n = set.len();
        self.cx.levels.extend(set);
        f(self);
        self.cx.levels.truncate(self.cx.levels.len() - n);
    }

    /// A body of its own (a function's, a closure's, an `async` block's), around `f`.
    fn in_body(&mut self, is_async: bool, f: impl FnOnce(&mut Self)) {
        each_pass!(self, enter_body(is_async));
        f(self);
        each_pass!(self, exit_body());
    }

    /// The statements of a block, in a scope of their own.
    fn visit_stmts(&mut self, stmts: &[syn::Stmt]) {
        each_pass!(self, enter_block());
        self.with_scope(|w| stmts.iter().for_each(|s| w.visit_stmt(s)));
        each_pass!(self, exit_block());
    }

    /// Walks a function's body in a scope of its own, with its parameters bound.
    fn visit_fn_body(&mut self, sig: &syn::Signature, body: &syn::Block) {
        self.with_scope(|w| {
            w.cx.bind_inputs(sig);
            w.in_body(sig.asyncness.is_some(), |w| w.visit_block(body));
        });
    }

    /// Walks the expressions inside a function-like macro call whose tokens parse as
    /// comma-separated expressions (`vec![..]`, `assert!(..)`, `tokio::join!(..)`), or as
    /// statements.
    fn visit_macro_exprs(&mut self, mac: &syn::Macro) {
        each_pass!(self, check_macro(mac));
        // `tokio::select! { pat = fut => body, .. }`: each branch binds its pattern to what
        // its future gives, then runs its body in this body.
        if let Some(branches) = select_branches(mac) {
            for branch in &branches {
                if let Some(fut) = &branch.future {
                    self.visit_expr(fut);
                }
                if let Some(cond) = &branch.condition {
                    self.visit_expr(cond);
                }
                self.with_scope(|w| {
                    if let Some(pat) = &branch.pat {
                        w.cx.bind_pat(pat, None, branch.future.as_ref());
                    }
                    w.visit_expr(&branch.body);
                });
            }
            return;
        }
        match macro_args(mac) {
            Some(MacroArgs::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroArgs::Stmts(stmts)) => self.visit_stmts(&stmts),
            None => {}
        }
    }
}

/// The arguments of a function-like macro call, as the walks read them.
pub(crate) enum MacroArgs {
    /// Comma-separated expressions (`vec![..]`, `assert!(..)`, `tokio::join!(..)`).
    Exprs(Punctuated<syn::Expr, syn::Token![,]>),
    /// Statements, where they are not expressions.
    Stmts(Vec<syn::Stmt>),
}

/// `mac`'s tokens as [`MacroArgs`], or `None` when they are neither, are `macro_rules!`
/// rules, or cannot hold anything that a walk reads (see [`is_inert`]). The expressions are tried on a fork, so that
/// the tokens are copied and parsed once when they turn out to be statements (a large crate's
/// item-like macros made that a second parse each).
pub(crate) fn macro_args(mac: &syn::Macro) -> Option<MacroArgs> {
    use syn::parse::discouraged::Speculative as _;
    // A `macro_rules!` body is rules (`($x:expr) => { .. }`), which parse as neither: not
    // trying spares a large crate's macros a parse each.
    if mac.path.is_ident("macro_rules") || is_inert(&mac.tokens) {
        return None;
    }
    mac.parse_body_with(|input: syn::parse::ParseStream<'_>| {
        let fork = input.fork();
        if let Ok(exprs) = Punctuated::parse_terminated(&fork) {
            input.advance_to(&fork);
            return Ok(MacroArgs::Exprs(exprs));
        }
        syn::Block::parse_within(input).map(MacroArgs::Stmts)
    })
    .ok()
}

/// Whether a macro's tokens can hold nothing that the lints or a body's scan read: no group
/// (so no call, block, closure body or attribute) and no `.`, `=`, `;`, `|`, `?`, `#`, `$`,
/// `'` or `@` (no method call, `.await`, assignment, `let`, closure or label). Such tokens are
/// literals, paths and operators (`println!("{}", x)`, `vec![1, 2]`, `assert!(!done)`), and no
/// pass looks at those, nor does a body's scan: they are not parsed.
fn is_inert(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().all(|token| match token {
        proc_macro2::TokenTree::Literal(_) | proc_macro2::TokenTree::Ident(_) => true,
        proc_macro2::TokenTree::Punct(p) => matches!(
            p.as_char(),
            ',' | ':' | '-' | '!' | '&' | '*' | '+' | '/' | '%' | '^' | '<' | '>'
        ),
        proc_macro2::TokenTree::Group(_) => false,
    })
}

/// One branch of `tokio::select!` (or `futures::select!`): `pat = future, if condition =>
/// body`, or `else => body` (no pattern, no future).
pub(crate) struct SelectBranch {
    pub(crate) pat: Option<syn::Pat>,
    pub(crate) future: Option<syn::Expr>,
    pub(crate) condition: Option<syn::Expr>,
    pub(crate) body: syn::Expr,
}

/// The branches of `mac` when it is a `select!` whose tokens parse as one.
pub(crate) fn select_branches(mac: &syn::Macro) -> Option<Vec<SelectBranch>> {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "select")
        .then(|| mac.parse_body_with(parse_select).ok())
        .flatten()
}

/// Parses the branches of a `select!`, after an optional `biased;`.
fn parse_select(input: syn::parse::ParseStream<'_>) -> syn::Result<Vec<SelectBranch>> {
    if input.peek(syn::Ident) && input.fork().parse::<syn::Ident>()? == "biased" {
        input.parse::<syn::Ident>()?;
        input.parse::<syn::Token![;]>()?;
    }
    let mut branches = Vec::new();
    while !input.is_empty() {
        let (pat, future, condition) = if input.peek(syn::Token![else]) {
            input.parse::<syn::Token![else]>()?;
            (None, None, None)
        } else {
            let pat = syn::Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<syn::Token![=]>()?;
            let future: syn::Expr = input.parse()?;
            let condition = if input.peek(syn::Token![,]) && input.peek2(syn::Token![if]) {
                input.parse::<syn::Token![,]>()?;
                input.parse::<syn::Token![if]>()?;
                Some(input.parse::<syn::Expr>()?)
            } else {
                None
            };
            (Some(pat), Some(future), condition)
        };
        input.parse::<syn::Token![=>]>()?;
        let body: syn::Expr = input.parse()?;
        if !input.is_empty() {
            // A block body may go without its comma.
            if input.peek(syn::Token![,]) {
                input.parse::<syn::Token![,]>()?;
            } else if !matches!(body, syn::Expr::Block(_)) {
                return Err(input.error("expected `,` after a select! branch"));
            }
        }
        branches.push(SelectBranch {
            pat,
            future,
            condition,
            body,
        });
    }
    Ok(branches)
}

impl<'ast> Visit<'ast> for Walker<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.with_levels(suppress::item_attrs(item), |w| match item {
            syn::Item::Impl(i) => {
                let self_ty = match &*i.self_ty {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                let outer = std::mem::replace(&mut w.cx.self_ty, self_ty);
                syn::visit::visit_item_impl(w, i);
                w.cx.self_ty = outer;
            }
            syn::Item::Macro(m) => w.visit_macro_exprs(&m.mac),
            _ => {
                let test = match item {
                    syn::Item::Fn(f) => f.attrs.iter().any(suppress::is_test_attr),
                    syn::Item::Mod(m) => m.attrs.iter().any(suppress::is_cfg_test),
                    _ => false,
                };
                w.cx.test_items += usize::from(test);
                syn::visit::visit_item(w, item);
                w.cx.test_items -= usize::from(test);
            }
        });
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        each_pass!(self, enter_fn(&item.attrs));
        self.visit_fn_body(&item.sig, &item.block);
        each_pass!(self, exit_fn());
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::ImplItem::Const(c) => &c.attrs,
            syn::ImplItem::Fn(f) => &f.attrs,
            syn::ImplItem::Type(t) => &t.attrs,
            syn::ImplItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        self.with_levels(attrs, |w| syn::visit::visit_impl_item(w, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        each_pass!(self, enter_fn(&item.attrs));
        self.visit_fn_body(&item.sig, &item.block);
        each_pass!(self, exit_fn());
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let attrs: &[syn::Attribute] = match item {
            syn::TraitItem::Const(c) => &c.attrs,
            syn::TraitItem::Fn(f) => &f.attrs,
            syn::TraitItem::Type(t) => &t.attrs,
            syn::TraitItem::Macro(m) => &m.attrs,
            _ => &[],
        };
        self.with_levels(attrs, |w| syn::visit::visit_trait_item(w, item));
    }

    fn visit_trait_item_fn(&mut self, item: &'ast syn::TraitItemFn) {
        if let Some(body) = &item.default {
            each_pass!(self, enter_fn(&item.attrs));
            self.visit_fn_body(&item.sig, body);
            each_pass!(self, exit_fn());
        }
    }

    fn visit_item_static(&mut self, item: &'ast syn::ItemStatic) {
        self.cx.declared = Some((address(&*item.expr), (*item.ty).clone()));
        self.cx.statics += 1;
        self.visit_expr(&item.expr);
        self.cx.statics -= 1;
        self.cx.declared = None;
    }

    fn visit_item_const(&mut self, item: &'ast syn::ItemConst) {
        self.cx.declared = Some((address(&*item.expr), (*item.ty).clone()));
        self.cx.statics += 1;
        self.visit_expr(&item.expr);
        self.cx.statics -= 1;
        self.cx.declared = None;
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.visit_stmts(&block.stmts);
    }

    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        each_pass!(self, check_stmt(stmt));
        match stmt {
            syn::Stmt::Local(local) => self.with_levels(&local.attrs, |w| {
                let ty = match &local.pat {
                    syn::Pat::Type(t) => Some(&*t.ty),
                    _ => None,
                };
                if let Some(init) = &local.init {
                    if let Some(ty) = ty {
                        w.cx.declared = Some((address(&*init.expr), ty.clone()));
                    }
                    w.visit_expr(&init.expr);
                    w.cx.declared = None;
                    if let Some((_, diverge)) = &init.diverge {
                        w.visit_expr(diverge);
                    }
                }
                each_pass!(w, check_local(local));
                let init = local.init.as_ref().map(|i| &*i.expr);
                w.cx.bind_pat(&local.pat, None, init);
            }),
            syn::Stmt::Macro(m) => self.with_levels(&m.attrs, |w| w.visit_macro_exprs(&m.mac)),
            syn::Stmt::Item(item) => self.visit_item(item),
            syn::Stmt::Expr(e, _) => self.visit_expr(e),
        }
    }

    fn visit_expr(&mut self, expr: &'ast syn::Expr) {
        if self.cx.too_deep.is_some() {
            return;
        }
        if self.cx.depth >= MAX_DEPTH {
            self.cx.too_deep = Some(crate::rust::source_span(syn::spanned::Spanned::span(expr)));
            return;
        }
        self.cx.depth += 1;
        each_pass!(self, check_expr(expr));
        self.with_levels(suppress::expr_attrs(expr), |w| match expr {
            syn::Expr::Closure(c) => w.with_scope(|w| {
                for input in &c.inputs {
                    w.cx.bind_pat(input, None, None);
                }
                w.in_body(c.asyncness.is_some(), |w| w.visit_expr(&c.body));
            }),
            syn::Expr::Async(a) => w.in_body(true, |w| w.visit_block(&a.block)),
            syn::Expr::Await(a) => {
                let mut base = &*a.base;
                while let syn::Expr::Paren(p) = base {
                    base = &p.expr;
                }
                match base {
                    syn::Expr::MethodCall(m) => {
                        w.cx.awaited.insert(address(m));
                    }
                    syn::Expr::Call(c) => {
                        w.cx.awaited.insert(address(c));
                    }
                    _ => {}
                }
                each_pass!(w, check_await(a));
                w.visit_expr(&a.base);
            }
            syn::Expr::Call(c) => {
                each_pass!(w, check_call(expr, c));
                syn::visit::visit_expr_call(w, c);
            }
            syn::Expr::MethodCall(m) => {
                each_pass!(w, check_method_call(m));
                syn::visit::visit_expr_method_call(w, m);
            }
            syn::Expr::Macro(m) => w.visit_macro_exprs(&m.mac),
            syn::Expr::Match(m) => {
                w.visit_expr(&m.expr);
                for arm in &m.arms {
                    w.with_levels(&arm.attrs, |w| {
                        w.with_scope(|w| {
                            w.cx.bind_pat(&arm.pat, None, Some(&m.expr));
                            if let Some((_, guard)) = &arm.guard {
                                w.visit_expr(guard);
                            }
                            w.visit_expr(&arm.body);
                        });
                    });
                }
            }
            syn::Expr::ForLoop(f) => {
                w.visit_expr(&f.expr);
                w.with_scope(|w| {
                    w.cx.bind_pat(&f.pat, None, None);
                    w.visit_block(&f.body);
                });
            }
            syn::Expr::If(i) => {
                w.with_scope(|w| {
                    w.visit_expr(&i.cond);
                    w.visit_block(&i.then_branch);
                });
                if let Some((_, else_branch)) = &i.else_branch {
                    w.visit_expr(else_branch);
                }
            }
            syn::Expr::While(wh) => w.with_scope(|w| {
                w.visit_expr(&wh.cond);
                w.visit_block(&wh.body);
            }),
            syn::Expr::Let(l) => {
                w.visit_expr(&l.expr);
                w.cx.bind_pat(&l.pat, None, Some(&l.expr));
            }
            _ => syn::visit::visit_expr(w, expr),
        });
        self.cx.depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One parse on a fork reads a macro's tokens as two parses in turn did: expressions if
    /// they all are, else statements, else nothing; tokens that cannot hold anything a walk
    /// reads are not parsed at all.
    #[test]
    fn macro_args_are_expressions_then_statements() -> syn::Result<()> {
        let shape = |body: &str| -> syn::Result<&'static str> {
            let mac: syn::Macro = syn::parse_str(&format!("m!{{{body}}}"))?;
            let two_parses = match mac
                .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            {
                Ok(_) => "exprs",
                Err(_) if mac.parse_body_with(syn::Block::parse_within).is_ok() => "stmts",
                Err(_) => "none",
            };
            let one_parse = match macro_args(&mac) {
                Some(MacroArgs::Exprs(_)) => "exprs",
                Some(MacroArgs::Stmts(_)) => "stmts",
                None if is_inert(&mac.tokens) => return Ok("inert"),
                None => "none",
            };
            assert_eq!(one_parse, two_parses, "{body}");
            Ok(one_parse)
        };
        assert_eq!(shape("")?, "inert");
        assert_eq!(shape("\"{} {x}\", a::b, -1, !done, *r + &s")?, "inert");
        assert_eq!(shape("1, f(x).await, async { 2 },")?, "exprs");
        assert_eq!(shape("a, b.c")?, "exprs");
        assert_eq!(shape("a = b")?, "exprs");
        assert_eq!(shape("|x| x")?, "exprs");
        assert_eq!(shape("let x = 1; spawn(async move { x });")?, "stmts");
        assert_eq!(
            shape("pub struct S { a: u8 } impl S { fn f() {} }")?,
            "stmts"
        );
        assert_eq!(shape("(1, 2) x")?, "none");
        assert_eq!(shape("($x:expr) => { $x }")?, "none");
        assert_eq!(shape("\"kernel32.dll\" \"system\" fn f() -> u32")?, "none");
        Ok(())
    }

    /// The `(line, lint)` findings of `src`, checked as a crate of its own.
    fn lint(src: &str) -> Vec<(usize, &'static str)> {
        let Ok(file) = syn::parse_file(src) else {
            return vec![(0, "parse error")];
        };
        let config = Config::default();
        let mut facts = CrateFacts::default();
        facts.add_file(&file, true, Path::new("t.rs"));
        facts.finish(&config);
        let (findings, _) = lint_file(
            Path::new("t.rs"),
            src,
            &file,
            &facts,
            &config,
            crate::rust::lints::LINTS,
        );
        findings
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
        assert_eq!(
            lint(src),
            [
                (5, "interior_mutable_default"),
                (5, "context_var_in_function"),
                (6, "context_var_in_function")
            ]
        );
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
                (6, "interior_mutable_default"),
                (6, "context_var_in_function")
            ]
        );
    }
}
