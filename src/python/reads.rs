//! Which of the project's functions read the context: per function or method body, the
//! context variables it reads and the functions it calls, so that a lint can follow a callable
//! handed to a thread through the project's own functions, to a bounded depth.
//!
//! A read is `VAR.get(..)` (`VAR` a name or `self.VAR`), `copy_context()[VAR]` or
//! `VAR in copy_context()`; whether `VAR` is a `ContextVar` of the project is decided when the
//! facts of every module are in ([`crate::python::facts::ProjectFacts::first_read`]).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{CmpOp, Expr, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::python::facts::Source;
use crate::python::names::Names;
use crate::python::vars::Place;

/// How many calls deep a read is looked for below the callable handed on: the callable's own
/// body, then what it calls, and so on. Real hand-offs reach the variable through a method, a
/// helper and a getter (crewAI: a thread's method, `_execute_core`, the event bus's `emit`, a
/// getter); five levels find those and keep a query's cost bounded in large projects.
pub(crate) const MAX_CALL_DEPTH: usize = 5;

/// What one function body reads and calls.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BodyFacts {
    /// The qualified names read as context variables (`pkg.mod.VAR`, or `pkg.mod.Class.VAR`
    /// for `self.VAR`), with where, in source order.
    pub(crate) reads: Vec<(String, Place)>,
    /// The qualified names of the functions and methods it calls (`pkg.mod.f`,
    /// `pkg.mod.Class.m` for `self.m(..)`, `pkg.mod.instance.m` for a method of a module-level
    /// object), without repeats.
    pub(crate) calls: Vec<String>,
}

/// The scope a body is read in: the module's names, and the class and first parameter of a
/// method.
pub(crate) struct BodyScope<'a> {
    pub(crate) names: &'a Names,
    /// The qualified name of the class, and the name of the method's first parameter.
    pub(crate) method_of: Option<(&'a str, &'a str)>,
    /// Names bound to a `Context` around the body (a lambda's enclosing function's
    /// `ctx = copy_context()`).
    pub(crate) contexts: Vec<String>,
}

/// Reads a function's body.
pub(crate) fn scan_function(
    f: &StmtFunctionDef,
    scope: &BodyScope<'_>,
    source: &Source<'_>,
) -> BodyFacts {
    let params = f
        .parameters
        .iter()
        .map(|p| p.as_parameter().name.as_str().to_owned())
        .collect();
    let mut scan = Scan::new(params, scope, source);
    scan.visit_body(&f.body);
    scan.facts
}

/// Reads an expression (a lambda's body) in `scope`, with `locals` bound.
pub(crate) fn scan_expr(
    expr: &Expr,
    locals: Vec<String>,
    scope: &BodyScope<'_>,
    source: &Source<'_>,
) -> BodyFacts {
    let mut scan = Scan::new(locals, scope, source);
    scan.visit_expr(expr);
    scan.facts
}

struct Scan<'s, 'a> {
    scope: &'s BodyScope<'a>,
    source: &'s Source<'s>,
    facts: BodyFacts,
    /// The parameters: a name that is one is not the module's.
    locals: Vec<String>,
    /// The names bound to a `Context` (around the body, or by `ctx = copy_context()` in it).
    contexts: Vec<String>,
}

impl<'s, 'a> Scan<'s, 'a> {
    /// A scan of a body in `scope`, with `locals` bound and the scope's contexts known.
    fn new(locals: Vec<String>, scope: &'s BodyScope<'a>, source: &'s Source<'s>) -> Self {
        Scan {
            scope,
            source,
            facts: BodyFacts::default(),
            contexts: scope.contexts.clone(),
            locals,
        }
    }

    /// The qualified name of a name or attribute chain: the module's names, or `self.x` as an
    /// attribute of the method's class. A parameter is nobody's.
    fn qualified(&self, expr: &Expr) -> Option<String> {
        if let Expr::Attribute(a) = expr
            && let Expr::Name(base) = &*a.value
            && let Some((class, first)) = self.scope.method_of
            && base.id.as_str() == first
        {
            return Some(format!("{class}.{}", a.attr.as_str()));
        }
        let mut head = expr;
        while let Expr::Attribute(a) = head {
            head = &a.value;
        }
        // Only what the module binds (an import, a top-level definition) can lead to a
        // project function or variable; a builtin, a local or a parameter cannot, and keeping
        // them would only grow the facts.
        match head {
            Expr::Name(n)
                if self.scope.names.binds(n.id.as_str())
                    && !self.locals.iter().any(|l| l == n.id.as_str()) =>
            {
                self.scope.names.qualified(expr)
            }
            _ => None,
        }
    }

    fn read(&mut self, var: &Expr, at: &impl Ranged) {
        if let Some(q) = self.qualified(var) {
            let place = Place {
                path: std::sync::Arc::clone(self.source.path),
                span: self.source.index.span(self.source.text, at.range()),
            };
            self.facts.reads.push((q, place));
        }
    }

    fn is_copy_context(&self, expr: &Expr) -> bool {
        matches!(expr, Expr::Call(c) if self.qualified(&c.func).is_some_and(|q| q == "contextvars.copy_context"))
    }

    /// Whether `expr` is a `Context`: `copy_context()`, `Context()`, a name bound to one,
    /// or `.copy()` of one.
    fn is_context(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Name(n) => self.contexts.iter().any(|c| c == n.id.as_str()),
            Expr::Call(c) => {
                if let Expr::Attribute(a) = &*c.func
                    && a.attr.as_str() == "copy"
                {
                    return self.is_context(&a.value);
                }
                self.qualified(&c.func)
                    .is_some_and(|q| q == "contextvars.copy_context" || q == "contextvars.Context")
            }
            _ => false,
        }
    }
}

impl<'a> Visitor<'a> for Scan<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            // A class inside the function is read when it is used, not here.
            Stmt::ClassDef(_) => {}
            Stmt::Assign(a) => {
                if let [Expr::Name(target)] = a.targets.as_slice()
                    && self.is_context(&a.value)
                {
                    self.contexts.push(target.id.as_str().to_owned());
                }
                visitor::walk_stmt(self, stmt);
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // `ctx.run(f, ..)`: what runs there runs in that context, not the caller's.
            Expr::Call(call)
                if matches!(&*call.func, Expr::Attribute(a)
                    if a.attr.as_str() == "run" && self.is_context(&a.value)) =>
            {
                return;
            }
            Expr::Call(call) => {
                if let Expr::Attribute(a) = &*call.func
                    && a.attr.as_str() == "get"
                    && call.arguments.args.len() <= 1
                    && call.arguments.keywords.is_empty()
                {
                    self.read(&a.value, call);
                } else if let Some(q) = self.qualified(&call.func)
                    && !self.facts.calls.contains(&q)
                {
                    self.facts.calls.push(q);
                }
            }
            Expr::Subscript(s) if self.is_copy_context(&s.value) => self.read(&s.slice, s),
            Expr::Compare(c)
                if c.ops.first() == Some(&CmpOp::In)
                    && c.operands.get(1).is_some_and(|e| self.is_copy_context(e)) =>
            {
                if let Some(left) = c.operands.first() {
                    self.read(left, c);
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
