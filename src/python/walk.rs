//! The walk over one parsed Python module.
//!
//! [`FileCx`] keeps what the lints need to know about the code around a node: the scopes and
//! what their names are bound to (a `Context`, a coroutine function, something else), the
//! enclosing class and method, which calls are `await`ed or handed to the event loop, and the
//! statement a node is in (for `# noqa`). [`Walker`] walks the module once and calls the hooks
//! of each enabled lint ([`Pass`]); a lint at level `allow` does not run.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use ctxlint_catalogue::{Level, Lint};
use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, ExprLambda, ModModule, Parameters, Stmt, StmtFunctionDef};
use ruff_python_parser::Parsed;
use ruff_text_size::{Ranged, TextRange};

use ctxlint_catalogue::Language;
use ctxlint_catalogue::apis::{
    PYTHON_CONSUMER_METHODS, PYTHON_CONSUMERS, PYTHON_COROUTINE_FUNCTIONS, PYTHON_PROCESS_POOLS,
    PYTHON_THREAD_POOLS,
};

use crate::config::Config;
use crate::diagnostic::{Finding, Related, SourceSpan, Suggestion};
use crate::error::Error;
use crate::python::facts::{ProjectFacts, Source};
use crate::python::names::Names;
use crate::python::reads::{self, BodyFacts, BodyScope};
use crate::python::suppress::Suppressions;
use crate::python::{LineIndex, MAX_DEPTH, ModuleName};

/// What syntax can tell about a name in a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binding {
    /// A `contextvars.Context`.
    Context,
    /// A coroutine function: an `async def`, or a lambda or `partial` over one.
    CoroFn,
    /// A thread pool (`ThreadPoolExecutor(..)`).
    ThreadPool,
    /// A process pool (`ProcessPoolExecutor(..)`, `multiprocessing.Pool(..)`).
    ProcessPool,
    /// Anything else, including what syntax cannot tell. It still shadows outer names.
    Other,
}

#[derive(Debug)]
enum ScopeKind {
    Module,
    Class,
    Function {
        /// The function's name, to tell a test (`test_*`).
        name: String,
        is_async: bool,
        /// The qualified name of the class whose method this is, and the name of its first
        /// parameter (`self` or `cls`).
        method_of: Option<(String, String)>,
    },
    Lambda,
}

#[derive(Debug)]
struct Scope {
    kind: ScopeKind,
    bindings: HashMap<String, Binding>,
}

/// The state of the walk over one module.
pub(crate) struct FileCx<'a> {
    pub(crate) facts: &'a ProjectFacts,
    pub(crate) config: &'a Config,
    pub(crate) names: Names,
    pub(crate) source: &'a str,
    pub(crate) module: &'a ModuleName,
    path: &'a Path,
    index: &'a LineIndex,
    suppressions: Suppressions,
    scopes: Vec<Scope>,
    /// The qualified names of the classes being walked, innermost last.
    classes: Vec<String>,
    /// Attributes that hold a `Context` or a pool, by qualified class name
    /// (`self.ctx = copy_context()`, `self.pool = ThreadPoolExecutor()`).
    attr_bindings: HashMap<String, HashMap<String, Binding>>,
    /// Start offsets of the calls whose result is immediately `await`ed.
    awaited: HashSet<u32>,
    /// Start offsets of the calls whose result is handed to the event loop (`asyncio.run`,
    /// `run_until_complete`, `create_task`, …), which only accept awaitables.
    consumed: HashSet<u32>,
    /// How many comprehensions (and generator expressions) enclose the node.
    comprehensions: usize,
    /// The range of the innermost simple statement, whose last line may hold a `# noqa`.
    statement: Option<TextRange>,
    depth: usize,
    /// Where the walk first went deeper than [`MAX_DEPTH`].
    pub(crate) too_deep: Option<SourceSpan>,
    pub(crate) findings: Vec<Finding>,
}

/// The hooks of a lint. Each is called on every node of its kind, in source order, in the
/// scopes of that node.
pub(crate) trait Pass {
    /// A call.
    fn check_call(&mut self, _cx: &mut FileCx<'_>, _call: &ExprCall) {}

    /// A statement, before it is walked (a function's body is walked after its `def`).
    fn check_stmt(&mut self, _cx: &mut FileCx<'_>, _stmt: &Stmt) {}

    /// A function's body starts (after its decorators, defaults and annotations were walked,
    /// with its parameters bound).
    fn enter_function(&mut self, _cx: &mut FileCx<'_>, _function: &StmtFunctionDef) {}

    /// The body of the function that [`Pass::enter_function`] last started ends.
    fn exit_function(&mut self, _cx: &mut FileCx<'_>) {}

    /// A block of statements starts (a body of a `def`, `if`, `for`, `with`, `try`, …).
    fn enter_block(&mut self, _cx: &mut FileCx<'_>) {}

    /// The block that [`Pass::enter_block`] last started ends.
    fn exit_block(&mut self, _cx: &mut FileCx<'_>) {}
}

/// A lint of the catalogue and how to make its pass.
pub(crate) struct Registered {
    /// The catalogue's lint, whose level decides whether the pass runs at all.
    pub(crate) lint: &'static Lint,
    /// A fresh pass, for one module.
    pub(crate) new: fn() -> Box<dyn Pass>,
}

/// A fresh pass of type `P`.
pub(crate) fn pass<P: Pass + Default + 'static>() -> Box<dyn Pass> {
    Box::<P>::default()
}

/// Lints one parsed module with its project's facts: its findings, and the error that
/// stopped the walk (a module nested deeper than [`MAX_DEPTH`]).
pub(crate) fn lint_module(
    path: &Path,
    text: &str,
    parsed: &Parsed<ModModule>,
    module: &ModuleName,
    facts: &ProjectFacts,
    config: &Config,
    lints: &[Registered],
) -> (Vec<Finding>, Option<Error>) {
    let index = LineIndex::new(text);
    let cx = FileCx::new(facts, config, path, text, &index, parsed, module);
    let passes = lints
        .iter()
        .filter(|registered| cx.may_fire(registered.lint))
        .map(|registered| (registered.new)())
        .collect();
    let mut walker = Walker { cx, passes };
    walker.run(parsed.syntax());
    let error = walker
        .cx
        .too_deep
        .map(|at| Error::walk_too_deep(path, at, MAX_DEPTH));
    (walker.cx.findings, error)
}

/// The walk: the context, and the passes of the lints that can fire in the module.
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

impl<'a> FileCx<'a> {
    pub(crate) fn new(
        facts: &'a ProjectFacts,
        config: &'a Config,
        path: &'a Path,
        source: &'a str,
        index: &'a LineIndex,
        parsed: &Parsed<ModModule>,
        module: &'a ModuleName,
    ) -> Self {
        FileCx {
            facts,
            config,
            names: Names::of_module(parsed.syntax(), module),
            source,
            module,
            path,
            index,
            suppressions: Suppressions::of(parsed, source, index),
            scopes: Vec::new(),
            classes: Vec::new(),
            attr_bindings: HashMap::new(),
            awaited: HashSet::new(),
            consumed: HashSet::new(),
            comprehensions: 0,
            statement: None,
            depth: 0,
            too_deep: None,
            findings: Vec::new(),
        }
    }

    /// Whether `lint` can fire in this module: the configuration does not allow it.
    /// (Python has no attribute that raises a lint's level in one place.)
    fn may_fire(&self, lint: &Lint) -> bool {
        self.config.level(lint) != Level::Allow
    }

    /// Reports `lint` at `range`, unless config or a suppression comment allows it there.
    pub(crate) fn emit(
        &mut self,
        lint: &'static Lint,
        range: TextRange,
        suggestion: Option<Suggestion>,
    ) {
        self.emit_related(lint, range, suggestion, None);
    }

    /// [`FileCx::emit`], with a second place the finding points at (the form's secondary
    /// label goes there).
    pub(crate) fn emit_related(
        &mut self,
        lint: &'static Lint,
        range: TextRange,
        suggestion: Option<Suggestion>,
        related: Option<Related>,
    ) {
        self.emit_full(lint, range, suggestion, related, None);
    }

    /// [`FileCx::emit_related`], with a `help:` of this finding's own (the fix of the API it
    /// found) in place of the lint's.
    pub(crate) fn emit_full(
        &mut self,
        lint: &'static Lint,
        range: TextRange,
        suggestion: Option<Suggestion>,
        related: Option<Related>,
        help: Option<&'static str>,
    ) {
        let level = self.config.level(lint);
        if level == Level::Allow {
            return;
        }
        let span = self.span(range);
        let mut lines: Vec<usize> = (span.line_start..=span.line_end).collect();
        if let Some(statement) = self.statement {
            let s = self.span(statement);
            lines.extend([s.line_start, s.line_end]);
        }
        if self.suppressions.suppresses(lines, lint.name, lint.code) {
            return;
        }
        self.findings.push(Finding {
            lint,
            level,
            language: Language::Python,
            path: self.path.to_path_buf(),
            span,
            suggestion,
            help,
            related,
        });
    }

    /// The span of `range` in this file.
    pub(crate) fn span(&self, range: TextRange) -> SourceSpan {
        self.index.span(self.source, range)
    }

    /// The source text of `node`.
    pub(crate) fn text(&self, node: &impl Ranged) -> &'a str {
        let r = node.range();
        self.source
            .get(r.start().to_usize()..r.end().to_usize())
            .unwrap_or("")
    }

    /// The binding of `name` as Python resolves it from here: the enclosing function scopes,
    /// then the module; a class body's names are visible only in the class body itself.
    pub(crate) fn binding(&self, name: &str) -> Option<Binding> {
        for (i, scope) in self.scopes.iter().enumerate().rev() {
            let innermost = i + 1 == self.scopes.len();
            if matches!(scope.kind, ScopeKind::Class) && !innermost {
                continue;
            }
            if let Some(b) = scope.bindings.get(name) {
                return Some(*b);
            }
        }
        None
    }

    /// Whether `name` is bound in a function (or lambda or class) scope, where it shadows the
    /// module's imports and definitions.
    pub(crate) fn is_local(&self, name: &str) -> bool {
        self.scopes
            .iter()
            .skip(1)
            .any(|s| s.bindings.contains_key(name))
    }

    /// The qualified name of `expr`, unless its first name is a local variable.
    pub(crate) fn qualified(&self, expr: &Expr) -> Option<String> {
        let mut head = expr;
        while let Expr::Attribute(a) = head {
            head = &a.value;
        }
        match head {
            Expr::Name(n) if self.is_local(n.id.as_str()) => None,
            Expr::Name(_) => self.names.qualified(expr),
            _ => None,
        }
    }

    /// Whether the node is inside a function or method body, a lambda, or a comprehension
    /// (code that runs per call, not once per import).
    pub(crate) fn in_function(&self) -> bool {
        self.comprehensions > 0
            || self
                .scopes
                .iter()
                .any(|s| matches!(s.kind, ScopeKind::Function { .. } | ScopeKind::Lambda))
    }

    /// Whether the node is test code, by pytest's conventions: a module named `test_*.py`,
    /// `*_test.py` or `conftest.py`, a function named `test*`, or a class named `Test*`.
    pub(crate) fn in_test(&self) -> bool {
        let file = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default();
        file.starts_with("test_")
            || file.ends_with("_test")
            || file == "conftest"
            || self.scopes.iter().any(
                |s| matches!(&s.kind, ScopeKind::Function { name, .. } if name.starts_with("test")),
            )
            || self
                .classes
                .iter()
                .any(|c| c.rsplit('.').next().is_some_and(|n| n.starts_with("Test")))
    }

    /// The class (qualified) and the name of the first parameter of the innermost method, if
    /// the innermost function is one.
    pub(crate) fn method(&self) -> Option<(&str, &str)> {
        self.method_of().map(|(c, p)| (c.as_str(), p.as_str()))
    }

    /// Whether the innermost function is an `async def`.
    pub(crate) fn in_async_function(&self) -> bool {
        self.scopes.iter().rev().find_map(|s| match s.kind {
            ScopeKind::Function { is_async, .. } => Some(is_async),
            ScopeKind::Lambda => Some(false),
            _ => None,
        }) == Some(true)
    }

    /// The class and first-parameter name of the innermost method, if the innermost function
    /// is one.
    fn method_of(&self) -> Option<&(String, String)> {
        self.scopes.iter().rev().find_map(|s| match &s.kind {
            ScopeKind::Function { method_of, .. } => Some(method_of.as_ref()),
            ScopeKind::Lambda => None,
            _ => Some(None),
        })?
    }

    pub(crate) fn is_awaited(&self, call: &ExprCall) -> bool {
        self.awaited.contains(&call.range().start().to_u32())
    }

    pub(crate) fn is_consumed(&self, call: &ExprCall) -> bool {
        self.consumed.contains(&call.range().start().to_u32())
    }

    /// Whether `expr` evaluates to a `contextvars.Context`, as far as syntax can tell.
    pub(crate) fn is_context_expr(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => self.binding(n.id.as_str()) == Some(Binding::Context),
            Expr::Call(c) => {
                if let Expr::Attribute(a) = &*c.func
                    && a.attr.as_str() == "copy"
                    && c.arguments.is_empty()
                    && self.is_context_expr(&a.value)
                {
                    return true;
                }
                self.qualified(&c.func)
                    .is_some_and(|q| q == "contextvars.copy_context" || q == "contextvars.Context")
            }
            Expr::Attribute(_) => self.attr_binding(expr) == Some(Binding::Context),
            Expr::Named(n) => self.is_context_expr(&n.value),
            _ => false,
        }
    }

    /// What `self.attr` holds, in a method of a class whose methods assign it.
    fn attr_binding(&self, expr: &Expr) -> Option<Binding> {
        let Expr::Attribute(a) = expr else {
            return None;
        };
        match (&*a.value, self.method_of()) {
            (Expr::Name(base), Some((class, first))) if base.id.as_str() == first => self
                .attr_bindings
                .get(class)
                .and_then(|attrs| attrs.get(a.attr.as_str()))
                .copied(),
            _ => None,
        }
    }

    /// What kind of pool `expr` is, as far as syntax can tell: a name or `self` attribute
    /// bound to one, or a call that makes one.
    pub(crate) fn pool_of(&self, expr: &Expr) -> Option<Binding> {
        let binding = match expr {
            Expr::Name(n) => self.binding(n.id.as_str()),
            Expr::Attribute(_) => self.attr_binding(expr),
            Expr::Call(_) => Some(self.binding_of_value(expr)),
            _ => None,
        };
        binding.filter(|b| matches!(b, Binding::ThreadPool | Binding::ProcessPool))
    }

    /// What calling `value` makes, when it is a `Context` or a pool.
    fn call_binding(&self, value: &Expr) -> Option<Binding> {
        let Expr::Call(c) = value else {
            return None;
        };
        let q = self.qualified(&c.func)?;
        if q == "contextvars.copy_context" || q == "contextvars.Context" {
            Some(Binding::Context)
        } else if PYTHON_THREAD_POOLS.contains(&q.as_str()) {
            Some(Binding::ThreadPool)
        } else if PYTHON_PROCESS_POOLS.contains(&q.as_str()) {
            Some(Binding::ProcessPool)
        } else {
            None
        }
    }

    /// Whether `ty` (an annotation) is `contextvars.Context`.
    pub(crate) fn is_context_annotation(&self, ty: &Expr) -> bool {
        if let Expr::StringLiteral(s) = ty {
            return self.names.resolve_text(s.value.to_str()) == "contextvars.Context";
        }
        self.qualified(ty)
            .is_some_and(|q| q == "contextvars.Context")
    }

    /// Whether calling `expr` certainly creates a coroutine: it names an `async def` of the
    /// file or the project, an `async def` method through `self`, a lambda whose body calls
    /// one, or a `functools.partial` over one.
    pub(crate) fn is_coro_fn(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => match self.binding(n.id.as_str()) {
                Some(Binding::CoroFn) => true,
                Some(_) if self.is_local(n.id.as_str()) => false,
                _ => self
                    .names
                    .qualified(expr)
                    .is_some_and(|q| self.qualified_is_coro_fn(&q)),
            },
            Expr::Attribute(a) => {
                if let (Expr::Name(base), Some((class, first))) = (&*a.value, self.method_of())
                    && base.id.as_str() == first
                {
                    return self.facts.method_is_async(class, a.attr.as_str()) == Some(true);
                }
                let Some(q) = self.qualified(expr) else {
                    return false;
                };
                if let Some((class, method)) = q.rsplit_once('.')
                    && self.facts.class(class).is_some()
                {
                    return self.facts.method_is_async(class, method) == Some(true);
                }
                self.qualified_is_coro_fn(&q)
            }
            Expr::Lambda(l) => match &*l.body {
                Expr::Call(c) => self.is_coro_fn(&c.func),
                _ => false,
            },
            Expr::Call(c) => {
                self.qualified(&c.func)
                    .is_some_and(|q| q == "functools.partial")
                    && c.arguments.args.first().is_some_and(|f| self.is_coro_fn(f))
            }
            _ => false,
        }
    }

    fn qualified_is_coro_fn(&self, q: &str) -> bool {
        PYTHON_COROUTINE_FUNCTIONS.contains(&q)
            || self.facts.function(q).is_some_and(|f| f.is_async)
    }

    pub(crate) fn binding_of_value(&self, value: &Expr) -> Binding {
        if self.is_context_expr(value) {
            Binding::Context
        } else if matches!(value, Expr::Lambda(_) | Expr::Call(_)) && self.is_coro_fn(value) {
            Binding::CoroFn
        } else if let Some(pool) = self
            .call_binding(value)
            .filter(|b| matches!(b, Binding::ThreadPool | Binding::ProcessPool))
        {
            pool
        } else {
            Binding::Other
        }
    }

    pub(crate) fn bind(&mut self, name: &str, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.bindings.insert(name.to_owned(), binding);
        }
    }

    pub(crate) fn bind_target(&mut self, target: &Expr, binding: Binding) {
        match target {
            Expr::Name(n) => self.bind(n.id.as_str(), binding),
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.bind_target(e, Binding::Other);
                }
            }
            Expr::List(l) => {
                for e in &l.elts {
                    self.bind_target(e, Binding::Other);
                }
            }
            Expr::Starred(s) => self.bind_target(&s.value, Binding::Other),
            _ => {}
        }
    }

    pub(crate) fn bind_parameters(&mut self, parameters: &Parameters) {
        for p in parameters.iter() {
            let param = p.as_parameter();
            let binding = match &param.annotation {
                Some(ty) if self.is_context_annotation(ty) => Binding::Context,
                Some(ty) => match self.qualified(ty) {
                    Some(q) if PYTHON_THREAD_POOLS.contains(&q.as_str()) => Binding::ThreadPool,
                    Some(q) if PYTHON_PROCESS_POOLS.contains(&q.as_str()) => Binding::ProcessPool,
                    _ => Binding::Other,
                },
                None => Binding::Other,
            };
            self.bind(param.name.as_str(), binding);
        }
    }

    /// Collects `self.X = <Context>` (or a pool) in the methods of a class, and `X: Context`
    /// in its body.
    pub(crate) fn collect_context_attrs(&mut self, qualified: &str, body: &[Stmt]) {
        let mut attrs = HashMap::new();
        for stmt in body {
            match stmt {
                Stmt::AnnAssign(a) => {
                    if let Expr::Name(n) = &*a.target
                        && self.is_context_annotation(&a.annotation)
                    {
                        attrs.insert(n.id.as_str().to_owned(), Binding::Context);
                    }
                }
                Stmt::FunctionDef(f) => {
                    let Some(first) = f.parameters.iter().next() else {
                        continue;
                    };
                    let first = first.as_parameter().name.as_str();
                    for s in &f.body {
                        let (targets, value): (Vec<&Expr>, &Expr) = match s {
                            Stmt::Assign(a) => (a.targets.iter().collect(), &a.value),
                            Stmt::AnnAssign(a) => match &a.value {
                                Some(v) if !self.is_context_annotation(&a.annotation) => {
                                    (vec![&*a.target], v)
                                }
                                _ => {
                                    if let Expr::Attribute(t) = &*a.target
                                        && matches!(&*t.value, Expr::Name(b) if b.id.as_str() == first)
                                        && self.is_context_annotation(&a.annotation)
                                    {
                                        attrs.insert(t.attr.as_str().to_owned(), Binding::Context);
                                    }
                                    continue;
                                }
                            },
                            _ => continue,
                        };
                        let Some(binding) = self.call_binding(value) else {
                            continue;
                        };
                        for t in targets {
                            if let Expr::Attribute(t) = t
                                && matches!(&*t.value, Expr::Name(b) if b.id.as_str() == first)
                            {
                                attrs.insert(t.attr.as_str().to_owned(), binding);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        self.attr_bindings.insert(qualified.to_owned(), attrs);
    }

    /// The names bound to a `Context` in the scopes around the node.
    fn context_names(&self) -> Vec<String> {
        self.scopes
            .iter()
            .flat_map(|s| s.bindings.iter())
            .filter(|(_, b)| **b == Binding::Context)
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// What a function defined in this module reads and calls, read with this module's names
    /// (a function nested in another, which the project's facts do not hold).
    pub(crate) fn scan_function(&self, f: &StmtFunctionDef) -> BodyFacts {
        self.in_body_scope(None, |scope, source| reads::scan_function(f, scope, source))
    }

    /// What a lambda's body reads and calls, as [`FileCx::scan_function`].
    pub(crate) fn scan_lambda(&self, lambda: &ExprLambda) -> BodyFacts {
        let params = lambda
            .parameters
            .iter()
            .flat_map(|p| p.iter())
            .map(|p| p.as_parameter().name.as_str().to_owned())
            .collect();
        self.in_body_scope(self.method(), |scope, source| {
            reads::scan_expr(&lambda.body, params, scope, source)
        })
    }

    /// Runs `scan` with this module's source and names, in a method of `method_of` if any.
    fn in_body_scope<R>(
        &self,
        method_of: Option<(&str, &str)>,
        scan: impl FnOnce(&BodyScope<'_>, &Source<'_>) -> R,
    ) -> R {
        let path: Arc<Path> = Arc::from(self.path);
        let source = Source {
            path: &path,
            text: self.source,
            index: self.index,
        };
        let scope = BodyScope {
            names: &self.names,
            method_of,
            contexts: self.context_names(),
        };
        scan(&scope, &source)
    }

    pub(crate) fn too_deep(&mut self, range: TextRange) -> bool {
        if self.depth >= MAX_DEPTH {
            if self.too_deep.is_none() {
                self.too_deep = Some(self.span(range));
            }
            return true;
        }
        false
    }

    pub(crate) fn mark_call_arguments(&mut self, call: &ExprCall) {
        let consumer = match &*call.func {
            Expr::Attribute(a) if PYTHON_CONSUMER_METHODS.contains(&a.attr.as_str()) => true,
            func => self
                .qualified(func)
                .is_some_and(|q| PYTHON_CONSUMERS.contains(&q.as_str())),
        };
        if consumer {
            for arg in &call.arguments.args {
                if let Expr::Call(inner) = arg {
                    self.consumed.insert(inner.range().start().to_u32());
                }
            }
        }
    }
}

impl Walker<'_> {
    /// Walks the module.
    pub(crate) fn run(&mut self, module: &ModModule) {
        // Names at the top level are globals, visible in every function whatever their order
        // in the file: bind them first.
        let mut globals = HashMap::new();
        for stmt in &module.body {
            match stmt {
                Stmt::FunctionDef(f) => {
                    let binding = if f.is_async {
                        Binding::CoroFn
                    } else {
                        Binding::Other
                    };
                    globals.insert(f.name.as_str().to_owned(), binding);
                }
                Stmt::Assign(a) => {
                    if let [Expr::Name(n)] = a.targets.as_slice() {
                        let binding = self.cx.binding_of_value(&a.value);
                        globals.insert(n.id.as_str().to_owned(), binding);
                    }
                }
                _ => {}
            }
        }
        self.cx.scopes.push(Scope {
            kind: ScopeKind::Module,
            bindings: globals,
        });
        self.visit_body(&module.body);
        self.cx.scopes.pop();
    }
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn visit_body(&mut self, body: &'a [Stmt]) {
        each_pass!(self, enter_block());
        visitor::walk_body(self, body);
        each_pass!(self, exit_block());
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.cx.too_deep(stmt.range()) {
            return;
        }
        self.cx.depth += 1;
        let compound = matches!(
            stmt,
            Stmt::FunctionDef(_)
                | Stmt::ClassDef(_)
                | Stmt::If(_)
                | Stmt::For(_)
                | Stmt::While(_)
                | Stmt::With(_)
                | Stmt::Try(_)
                | Stmt::Match(_)
        );
        let outer = self.cx.statement;
        if !compound {
            self.cx.statement = Some(stmt.range());
        }
        each_pass!(self, check_stmt(stmt));
        match stmt {
            Stmt::FunctionDef(f) => {
                for d in &f.decorator_list {
                    self.visit_decorator(d);
                }
                // Defaults and annotations are evaluated in the enclosing scope.
                for p in f.parameters.iter() {
                    if let Some(default) = p.default() {
                        self.visit_expr(default);
                    }
                    if let Some(ann) = &p.as_parameter().annotation {
                        self.visit_annotation(ann);
                    }
                }
                if let Some(r) = &f.returns {
                    self.visit_annotation(r);
                }
                let binding = if f.is_async {
                    Binding::CoroFn
                } else {
                    Binding::Other
                };
                self.cx.bind(f.name.as_str(), binding);
                let in_class = matches!(
                    self.cx.scopes.last().map(|s| &s.kind),
                    Some(ScopeKind::Class)
                );
                let method_of = match (in_class, self.cx.classes.last(), f.parameters.iter().next())
                {
                    (true, Some(class), Some(first)) => {
                        let is_static = f.decorator_list.iter().any(|d| {
                            matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod")
                        });
                        (!is_static)
                            .then(|| (class.clone(), first.as_parameter().name.as_str().to_owned()))
                    }
                    _ => None,
                };
                self.cx.scopes.push(Scope {
                    kind: ScopeKind::Function {
                        name: f.name.as_str().to_owned(),
                        is_async: f.is_async,
                        method_of,
                    },
                    bindings: HashMap::new(),
                });
                self.cx.bind_parameters(&f.parameters);
                each_pass!(self, enter_function(f));
                self.visit_body(&f.body);
                each_pass!(self, exit_function());
                self.cx.scopes.pop();
            }
            Stmt::ClassDef(c) => {
                for d in &c.decorator_list {
                    self.visit_decorator(d);
                }
                if let Some(args) = &c.arguments {
                    self.visit_arguments(args);
                }
                self.cx.bind(c.name.as_str(), Binding::Other);
                // Classes nested in functions are named after the module too: close enough
                // for `self.cx.m`, and the project facts only know top-level classes.
                let qualified = if self.cx.module.dotted.is_empty() {
                    c.name.as_str().to_owned()
                } else {
                    format!("{}.{}", self.cx.module.dotted, c.name.as_str())
                };
                self.cx.collect_context_attrs(&qualified, &c.body);
                self.cx.classes.push(qualified);
                self.cx.scopes.push(Scope {
                    kind: ScopeKind::Class,
                    bindings: HashMap::new(),
                });
                self.visit_body(&c.body);
                self.cx.scopes.pop();
                self.cx.classes.pop();
            }
            Stmt::Assign(a) => {
                self.visit_expr(&a.value);
                let binding = self.cx.binding_of_value(&a.value);
                for t in &a.targets {
                    self.visit_expr(t);
                    self.cx.bind_target(t, binding);
                }
            }
            Stmt::AnnAssign(a) => {
                self.visit_annotation(&a.annotation);
                if let Some(v) = &a.value {
                    self.visit_expr(v);
                }
                let binding = if self.cx.is_context_annotation(&a.annotation) {
                    Binding::Context
                } else {
                    a.value
                        .as_deref()
                        .map_or(Binding::Other, |v| self.cx.binding_of_value(v))
                };
                self.visit_expr(&a.target);
                self.cx.bind_target(&a.target, binding);
            }
            Stmt::For(f) => {
                self.visit_expr(&f.iter);
                self.cx.bind_target(&f.target, Binding::Other);
                self.visit_body(&f.body);
                self.visit_body(&f.orelse);
            }
            Stmt::With(w) => {
                for item in &w.items {
                    self.visit_expr(&item.context_expr);
                    if let Some(v) = &item.optional_vars {
                        // `with ThreadPoolExecutor() as pool:` (`__enter__` returns the pool).
                        let binding = self
                            .cx
                            .pool_of(&item.context_expr)
                            .unwrap_or(Binding::Other);
                        self.cx.bind_target(v, binding);
                    }
                }
                self.visit_body(&w.body);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
        self.cx.statement = outer;
        self.cx.depth -= 1;
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.cx.too_deep(expr.range()) {
            return;
        }
        self.cx.depth += 1;
        match expr {
            Expr::Await(a) => {
                if let Expr::Call(call) = &*a.value {
                    self.cx.awaited.insert(call.range().start().to_u32());
                }
                visitor::walk_expr(self, expr);
            }
            Expr::Call(call) => {
                self.cx.mark_call_arguments(call);
                each_pass!(self, check_call(call));
                visitor::walk_expr(self, expr);
            }
            Expr::Lambda(l) => {
                if let Some(params) = &l.parameters {
                    for p in params.iter() {
                        if let Some(default) = p.default() {
                            self.visit_expr(default);
                        }
                    }
                }
                self.cx.scopes.push(Scope {
                    kind: ScopeKind::Lambda,
                    bindings: HashMap::new(),
                });
                if let Some(params) = &l.parameters {
                    self.cx.bind_parameters(params);
                }
                self.visit_expr(&l.body);
                self.cx.scopes.pop();
            }
            Expr::Named(n) => {
                self.visit_expr(&n.value);
                let binding = self.cx.binding_of_value(&n.value);
                self.cx.bind_target(&n.target, binding);
            }
            Expr::ListComp(_) | Expr::SetComp(_) | Expr::DictComp(_) | Expr::Generator(_) => {
                self.cx.comprehensions += 1;
                visitor::walk_expr(self, expr);
                self.cx.comprehensions -= 1;
            }
            _ => visitor::walk_expr(self, expr),
        }
        self.cx.depth -= 1;
    }
}
