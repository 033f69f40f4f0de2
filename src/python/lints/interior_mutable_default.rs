//! `interior_mutable_default` (`CTX001`) for Python: `ContextVar(name, default=value)` with a
//! mutable `value`, which every context then shares.
//!
//! The full documentation is in the catalogue (`ctxlint explain interior_mutable_default`).

use ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT;
use ruff_python_ast::{Expr, ExprCall};
use ruff_text_size::Ranged;

use crate::python::walk::FileCx;

/// Calls that return a new mutable container.
const MUTABLE_CALLS: &[&str] = &[
    "list",
    "dict",
    "set",
    "bytearray",
    "collections.deque",
    "collections.defaultdict",
    "collections.OrderedDict",
    "collections.Counter",
    "collections.ChainMap",
    "array.array",
];

/// Calls of the standard library that return immutable values: what ruff's `B039` treats as
/// immutable, and more of the same kind (the value types of `datetime`, `ipaddress`, `uuid`).
const IMMUTABLE_CALLS: &[&str] = &[
    "bool",
    "bytes",
    "complex",
    "float",
    "frozenset",
    "int",
    "object",
    "range",
    "str",
    "tuple",
    "datetime.date",
    "datetime.datetime",
    "datetime.time",
    "datetime.timedelta",
    "datetime.timezone",
    "decimal.Decimal",
    "fractions.Fraction",
    "ipaddress.ip_address",
    "ipaddress.ip_network",
    "ipaddress.IPv4Address",
    "ipaddress.IPv6Address",
    "ipaddress.IPv4Network",
    "ipaddress.IPv6Network",
    "operator.attrgetter",
    "operator.itemgetter",
    "operator.methodcaller",
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "pathlib.PurePosixPath",
    "pathlib.WindowsPath",
    "pathlib.PureWindowsPath",
    "re.compile",
    "types.MappingProxyType",
    "uuid.UUID",
    "uuid.uuid1",
    "uuid.uuid3",
    "uuid.uuid4",
    "uuid.uuid5",
];

/// Return annotations that show a function's result is immutable.
const IMMUTABLE_TYPES: &[&str] = &[
    "None",
    "bool",
    "bytes",
    "complex",
    "float",
    "frozenset",
    "int",
    "str",
    "tuple",
    "typing.Tuple",
    "typing.FrozenSet",
    "decimal.Decimal",
    "fractions.Fraction",
    "datetime.date",
    "datetime.datetime",
    "datetime.time",
    "datetime.timedelta",
    "uuid.UUID",
];

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
pub(crate) fn check_call(cx: &mut FileCx<'_>, call: &ExprCall) {
    let is_context_var = cx
        .qualified(&call.func)
        .is_some_and(|q| q == "contextvars.ContextVar");
    if !is_context_var {
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
    let Some(q) = cx.qualified(&call.func) else {
        return Mutability::Unknown;
    };
    if MUTABLE_CALLS.contains(&q.as_str()) {
        return Mutability::Mutable;
    }
    if IMMUTABLE_CALLS.contains(&q.as_str()) || cx.config.extend_immutable_calls.contains(&q) {
        return Mutability::Silent;
    }
    if cx.facts.class(&q).is_some() {
        return if cx.facts.class_is_immutable(&q) {
            Mutability::Silent
        } else {
            Mutability::Mutable
        };
    }
    if let Some(returns) = cx.facts.function(&q).and_then(|f| f.returns.as_deref())
        && (IMMUTABLE_TYPES.contains(&returns) || cx.facts.class_is_immutable(returns))
    {
        return Mutability::Silent;
    }
    Mutability::Unknown
}
