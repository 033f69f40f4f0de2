//! `interior_mutable_default` (`CTX001`) for Python: `ContextVar(name, default=value)` with a
//! mutable `value`, which every context then shares.
//!
//! The full documentation is in the catalogue (`ctxlint explain interior_mutable_default`).

use ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT;
use ctxlint_catalogue::apis::{
    PYTHON_IMMUTABLE_CALLS, PYTHON_IMMUTABLE_TYPES, PYTHON_MUTABLE_CALLS,
};
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::python::vars::is_context_var_call;
use crate::python::walk::FileCx;
use crate::python::walk::Pass;

/// The lint's pass: it looks at calls only.
#[derive(Default)]
pub(crate) struct InteriorMutableDefault;

impl Pass for InteriorMutableDefault {
    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {
        check_call(cx, call);
    }
}

/// What can be told about a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mutability {
    /// Immutable, or not a call whose result could be anything (ruff's `B039` reports no
    /// names, attributes or literals either).
    Silent,
    /// The result of a call that is not known to be immutable.
    Unknown,
    /// Certainly a new mutable object.
    Mutable,
}

/// Checks one call: `ContextVar(..., default=value)`.
fn check_call(cx: &mut FileCx<'_>, call: &ExprCall) {
    // `ContextVar("x", ..)`, and the subscripted `ContextVar[list[int]]("x", ..)`.
    if !is_context_var_call(call, |e| cx.qualified(e)) {
        return;
    }
    // `default` is keyword-only: `ContextVar(name, *, default)`.
    let Some(default) = call
        .arguments
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "default"))
    else {
        return;
    };
    if mutability(cx, &default.value) > Mutability::Silent {
        cx.emit(&INTERIOR_MUTABLE_DEFAULT, default.value.range(), None);
    }
}

fn mutability(cx: &FileCx<'_>, expr: &Expr) -> Mutability {
    match expr {
        Expr::List(_)
        | Expr::Dict(_)
        | Expr::Set(_)
        | Expr::ListComp(_)
        | Expr::DictComp(_)
        | Expr::SetComp(_) => Mutability::Mutable,
        // A tuple is as mutable as what it holds; only certainly mutable items count, since
        // ruff's `B039` reports no tuple at all.
        Expr::Tuple(t) => {
            if t.elts
                .iter()
                .any(|e| mutability(cx, e) == Mutability::Mutable)
            {
                Mutability::Mutable
            } else {
                Mutability::Silent
            }
        }
        Expr::If(i) => mutability(cx, &i.body).max(mutability(cx, &i.orelse)),
        Expr::BoolOp(b) => b
            .values
            .iter()
            .map(|v| mutability(cx, v))
            .max()
            .unwrap_or(Mutability::Silent),
        Expr::Named(n) => mutability(cx, &n.value),
        // `[0] * 8`, `[] + other`: a new list.
        Expr::BinOp(b) => {
            if mutability(cx, &b.left) == Mutability::Mutable
                || mutability(cx, &b.right) == Mutability::Mutable
            {
                Mutability::Mutable
            } else {
                Mutability::Silent
            }
        }
        Expr::Call(call) => call_mutability(cx, call),
        _ => Mutability::Silent,
    }
}

fn call_mutability(cx: &FileCx<'_>, call: &ExprCall) -> Mutability {
    let q = cx.qualified(&call.func);
    // The calls known by name first: `collections.OrderedDict.fromkeys(..)` is a method of a
    // class, and known.
    if let Some(q) = &q {
        if PYTHON_MUTABLE_CALLS.contains(&q.as_str()) {
            return Mutability::Mutable;
        }
        if PYTHON_IMMUTABLE_CALLS.contains(&q.as_str())
            || cx.config.extend_immutable_calls.contains(q)
        {
            return Mutability::Silent;
        }
    }
    // A method called on a value (`settings.REST_FRAMEWORK.get("VERSION", "v3")`,
    // `os.environ.get("LEVEL")`) returns whatever that value holds, which syntax cannot know:
    // not a finding (ruff's `B039` reports it). A function of a module, or a class, is judged
    // by its name below.
    if is_method_of_a_value(cx, &call.func) {
        return Mutability::Silent;
    }
    let Some(q) = q else {
        return Mutability::Unknown;
    };
    if cx.facts.class(&q).is_some() {
        return if cx.facts.class_is_immutable(&q) {
            Mutability::Silent
        } else {
            Mutability::Mutable
        };
    }
    if let Some(returns) = cx.facts.function(&q).and_then(|f| f.returns.as_deref())
        && (PYTHON_IMMUTABLE_TYPES.contains(&returns) || cx.facts.class_is_immutable(returns))
    {
        return Mutability::Silent;
    }
    Mutability::Unknown
}

/// Whether `func` is an attribute of a value rather than of a module or a class: its chain's
/// head is not a module that an `import` binds, not a module of the project, and not a class
/// of the project.
fn is_method_of_a_value(cx: &FileCx<'_>, func: &Expr) -> bool {
    let Expr::Attribute(attr) = func else {
        return false;
    };
    let mut head = &*attr.value;
    while let Expr::Attribute(a) = head {
        head = &a.value;
    }
    let Expr::Name(name) = head else {
        // `f().method()`, `x[0].method()`: a value.
        return true;
    };
    let Some(owner) = cx.qualified(&attr.value) else {
        // A local variable.
        return true;
    };
    if cx.names.is_module(name.id.as_str()) {
        // `os.path.join`, `datetime.datetime.now`, `collections.OrderedDict.fromkeys`: a
        // function of a module, or a method of a class (by Python's naming convention); but
        // `os.environ.get`: a method of a value that a module holds.
        let is_value = matches!(&*attr.value, Expr::Attribute(_))
            && !cx.names.is_imported_module(&owner)
            && !cx.facts.is_module(&owner)
            && owner
                .rsplit('.')
                .next()
                .and_then(|last| last.chars().next())
                .is_some_and(|c| c.is_lowercase());
        return is_value;
    }
    !(cx.facts.is_module(&owner) || cx.facts.class(&owner).is_some())
}
