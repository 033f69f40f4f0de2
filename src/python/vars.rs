//! The project's context variables, as facts: where each `ContextVar` is declared (at module
//! level, or in a class body at module level) and what its default is; the project's getters
//! (a function or method whose body only returns `VAR.get()`); and, per class, which methods
//! write to `self` and which only raise. `context_value_mutated_in_place` reads them across
//! modules; `interior_mutable_default` reads the classes whose mutators all raise.

use std::path::Path;
use std::sync::Arc;

use ctxlint_catalogue::apis::{PYTHON_IMMUTABLE_CALLS, PYTHON_MUTABLE_CALLS, PYTHON_MUTATORS};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::diagnostic::SourceSpan;
use crate::python::LineIndex;
use crate::python::names::Names;

/// What a `ContextVar`'s default is, as far as its module tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DefaultValue {
    /// No `default=`.
    Absent,
    /// Certainly a new mutable object: a display, a comprehension, `list()`, `dict()`, ….
    Mutable,
    /// Certainly immutable: `None`, a literal, a tuple of immutables, `frozenset()`, ….
    Immutable,
    /// The result of a call of this qualified name, which the project's other modules may
    /// tell more of (a project class, a function annotated to return an immutable type).
    Call(String),
    /// Anything else (a name, a method call on a value): syntax cannot tell.
    Unknown,
}

/// Where something is written: a file and a span in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) path: Arc<Path>,
    pub(crate) span: SourceSpan,
}

/// A `ContextVar` of the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VarFacts {
    pub(crate) default: DefaultValue,
    /// The default's value, or the call when there is none.
    pub(crate) at: Place,
}

/// Whether `call` makes a `contextvars.ContextVar` (`ContextVar("x")`, or the subscripted
/// `ContextVar[list[int]]("x")`).
pub(crate) fn is_context_var_call(
    call: &ExprCall,
    qualified: impl Fn(&Expr) -> Option<String>,
) -> bool {
    let func = match &*call.func {
        Expr::Subscript(s) => &*s.value,
        other => other,
    };
    qualified(func).is_some_and(|q| q == "contextvars.ContextVar")
}

/// The `default=` of a `ContextVar(...)` call, if it has one.
pub(crate) fn default_of(call: &ExprCall) -> Option<&Expr> {
    call.arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
        .map(|k| &k.value)
}

/// What `expr`, a default written in a module with `names`, is.
pub(crate) fn classify_default(expr: &Expr, names: &Names) -> DefaultValue {
    match expr {
        Expr::List(_)
        | Expr::Dict(_)
        | Expr::Set(_)
        | Expr::ListComp(_)
        | Expr::DictComp(_)
        | Expr::SetComp(_) => DefaultValue::Mutable,
        Expr::NoneLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::EllipsisLiteral(_)
        | Expr::FString(_) => DefaultValue::Immutable,
        Expr::Tuple(t) => {
            let parts: Vec<DefaultValue> =
                t.elts.iter().map(|e| classify_default(e, names)).collect();
            if parts.contains(&DefaultValue::Mutable) {
                DefaultValue::Mutable
            } else if parts.iter().all(|p| *p == DefaultValue::Immutable) {
                DefaultValue::Immutable
            } else {
                DefaultValue::Unknown
            }
        }
        Expr::Call(call) => match names.qualified(&call.func) {
            Some(q) if PYTHON_MUTABLE_CALLS.contains(&q.as_str()) => DefaultValue::Mutable,
            Some(q) if PYTHON_IMMUTABLE_CALLS.contains(&q.as_str()) => DefaultValue::Immutable,
            Some(q) => DefaultValue::Call(q),
            None => DefaultValue::Unknown,
        },
        _ => DefaultValue::Unknown,
    }
}

/// Reads the `ContextVar` declared by `stmt` (`NAME = ContextVar(..)` or
/// `NAME: ContextVar[T] = ContextVar(..)`), as `(NAME, facts)`.
pub(crate) fn declared_var(
    stmt: &Stmt,
    names: &Names,
    path: &Arc<Path>,
    text: &str,
    index: &LineIndex,
) -> Option<(String, VarFacts)> {
    let (target, value) = match stmt {
        Stmt::Assign(a) => match a.targets.as_slice() {
            [Expr::Name(n)] => (n, &*a.value),
            _ => return None,
        },
        Stmt::AnnAssign(a) => match (&*a.target, a.value.as_deref()) {
            (Expr::Name(n), Some(value)) => (n, value),
            _ => return None,
        },
        _ => return None,
    };
    let Expr::Call(call) = value else {
        return None;
    };
    if !is_context_var_call(call, |e| names.qualified(e)) {
        return None;
    }
    let (default, range) = match default_of(call) {
        Some(value) => (classify_default(value, names), value.range()),
        None => (DefaultValue::Absent, call.range()),
    };
    let at = Place {
        path: Arc::clone(path),
        span: index.span(text, range),
    };
    Some((target.id.as_str().to_owned(), VarFacts { default, at }))
}

/// The body of a function, without its docstring.
fn code_of(body: &[Stmt]) -> &[Stmt] {
    match body.split_first() {
        Some((Stmt::Expr(e), rest)) if matches!(&*e.value, Expr::StringLiteral(_)) => rest,
        _ => body,
    }
}

/// If `f`'s body only returns `X.get()`, the qualified name of `X`: a module-level variable
/// (`NAME.get()`, through the module's names), or an attribute of the enclosing class
/// (`self.NAME.get()`, `cls.NAME.get()`, as `{class}.NAME`).
pub(crate) fn getter_of(f: &StmtFunctionDef, names: &Names, class: Option<&str>) -> Option<String> {
    let [Stmt::Return(ret)] = code_of(&f.body) else {
        return None;
    };
    let Expr::Call(call) = ret.value.as_deref()? else {
        return None;
    };
    let Expr::Attribute(get) = &*call.func else {
        return None;
    };
    if get.attr.as_str() != "get" || !call.arguments.is_empty() {
        return None;
    }
    match (&*get.value, class) {
        (Expr::Attribute(a), Some(class)) => {
            let Expr::Name(base) = &*a.value else {
                return None;
            };
            let first = f.parameters.iter().next()?.as_parameter().name.as_str();
            (base.id.as_str() == first).then(|| format!("{class}.{}", a.attr.as_str()))
        }
        (Expr::Name(_), _) => names.qualified(&get.value),
        _ => None,
    }
}

/// Whether the method `f` writes to its first parameter (`self`): assigns, deletes or
/// augments an attribute or item of it, or calls a mutator on one of its attributes.
pub(crate) fn mutates_self(f: &StmtFunctionDef) -> bool {
    let Some(first) = f.parameters.iter().next() else {
        return false;
    };
    let this = first.as_parameter().name.as_str();
    let is_self_part = |e: &Expr| -> bool {
        let mut e = e;
        loop {
            match e {
                Expr::Attribute(a) => e = &a.value,
                Expr::Subscript(s) => e = &s.value,
                Expr::Name(n) => return n.id.as_str() == this,
                _ => return false,
            }
        }
    };
    let is_write_target =
        |t: &Expr| matches!(t, Expr::Attribute(_) | Expr::Subscript(_)) && is_self_part(t);
    let mut found = false;
    walk_stmts(&f.body, &mut |stmt| {
        found |= match stmt {
            Stmt::Assign(a) => a.targets.iter().any(is_write_target),
            Stmt::AugAssign(a) => is_write_target(&a.target),
            Stmt::AnnAssign(a) => a.value.is_some() && is_write_target(&a.target),
            Stmt::Delete(d) => d.targets.iter().any(is_write_target),
            Stmt::Expr(e) => match &*e.value {
                Expr::Call(c) => match &*c.func {
                    Expr::Attribute(m) => {
                        PYTHON_MUTATORS.contains(&m.attr.as_str())
                            && matches!(&*m.value, Expr::Attribute(_) | Expr::Subscript(_))
                            && is_self_part(&m.value)
                    }
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        };
    });
    found
}

/// Whether `stmt` is `__slots__ = ('_a', '_b')` (a tuple or list of string literals, or one
/// string) whose names are all private.
pub(crate) fn declares_private_slots(stmt: &Stmt) -> bool {
    let (target, value) = match stmt {
        Stmt::Assign(a) => match a.targets.as_slice() {
            [t] => (t, &*a.value),
            _ => return false,
        },
        Stmt::AnnAssign(a) => match a.value.as_deref() {
            Some(v) => (&*a.target, v),
            None => return false,
        },
        _ => return false,
    };
    if !matches!(target, Expr::Name(n) if n.id.as_str() == "__slots__") {
        return false;
    }
    let names: Vec<&Expr> = match value {
        Expr::Tuple(t) => t.elts.iter().collect(),
        Expr::List(l) => l.elts.iter().collect(),
        one @ Expr::StringLiteral(_) => vec![one],
        _ => return false,
    };
    names.iter().all(|n| match n {
        Expr::StringLiteral(s) => s.value.to_str().starts_with('_'),
        _ => false,
    })
}

/// Whether `f` only raises (after its docstring): a mutator overridden to refuse.
pub(crate) fn only_raises(f: &StmtFunctionDef) -> bool {
    matches!(code_of(&f.body), [Stmt::Raise(_)])
}

/// Calls `each` on every statement of `body`, nested blocks included, but not the bodies of
/// nested functions and classes.
fn walk_stmts(body: &[Stmt], each: &mut dyn FnMut(&Stmt)) {
    for stmt in body {
        each(stmt);
        match stmt {
            Stmt::If(s) => {
                walk_stmts(&s.body, each);
                for clause in &s.elif_else_clauses {
                    walk_stmts(&clause.body, each);
                }
            }
            Stmt::For(s) => {
                walk_stmts(&s.body, each);
                walk_stmts(&s.orelse, each);
            }
            Stmt::While(s) => {
                walk_stmts(&s.body, each);
                walk_stmts(&s.orelse, each);
            }
            Stmt::With(s) => walk_stmts(&s.body, each),
            Stmt::Try(s) => {
                walk_stmts(&s.body, each);
                for handler in &s.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    walk_stmts(&h.body, each);
                }
                walk_stmts(&s.orelse, each);
                walk_stmts(&s.finalbody, each);
            }
            Stmt::Match(m) => {
                for case in &m.cases {
                    walk_stmts(&case.body, each);
                }
            }
            _ => {}
        }
    }
}
