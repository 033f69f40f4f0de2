//! `interior_mutable_default`: a `ContextVar::with_default` whose default value is
//! interior-mutable.
//!
//! ### What it does
//! Checks for `ContextVar::with_default(name, value)` where `value` holds something with
//! interior mutability: a `Mutex`, an atomic, a `OnceLock`, … or anything that holds one, such
//! as `Arc<Mutex<_>>`, a tuple, or a struct of the linted crate with such a field.
//!
//! The value decides, not only its type: `None`, a data-less enum variant or an empty `Vec`
//! hold nothing, whatever their type. The declared type decides only where the value is one
//! that syntax cannot see into (a call of a function, a method call).
//!
//! ### Why is this bad?
//! Copying a context is shallow, so every context hands out this one value: a mutation
//! through it is seen by every task.
//!
//! The full documentation is in the catalogue (`ctxlint explain interior_mutable_default`).

use ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT;
use syn::spanned::Spanned;

use crate::rust::facts::generic_types;
use crate::rust::value::{Shape, Verdict};
use crate::rust::walk::FileCx;
use crate::rust::walk::Pass;

/// The lint's pass: it looks at calls only.
#[derive(Default)]
pub(crate) struct InteriorMutableDefault;

impl Pass for InteriorMutableDefault {
    fn check_call(&mut self, cx: &mut FileCx<'_>, expr: &syn::Expr, call: &syn::ExprCall) {
        check_call(cx, expr, call);
    }
}

/// Checks one call expression (`expr` is the same node as `call`, as an [`syn::Expr`]).
fn check_call(cx: &mut FileCx<'_>, expr: &syn::Expr, call: &syn::ExprCall) {
    let syn::Expr::Path(func) = &*call.func else {
        return;
    };
    let Some(var_type) = with_default_receiver(cx, &func.path) else {
        return;
    };
    let args: Vec<&syn::Expr> = call.args.iter().collect();
    let [_, value] = args.as_slice() else {
        return;
    };
    let flagged = match cx
        .facts
        .value_verdict(&Shape::of(value), &cx.imports, cx.config)
    {
        Verdict::Yes => true,
        Verdict::No => false,
        // The value's type, from `ContextVar::<T>::with_default` or `static X: ContextVar<T>`.
        Verdict::Unknown => var_type
            .as_ref()
            .or_else(|| {
                cx.declared_type(expr)
                    .and_then(|ty| context_var_argument(cx, ty))
            })
            .is_some_and(|ty| cx.facts.type_is_im(ty, &cx.imports, cx.config)),
    };
    if !flagged {
        return;
    }
    cx.emit(&INTERIOR_MUTABLE_DEFAULT, value.span(), None);
}

/// If `path` is `contextvars::ContextVar::with_default` (under any import or rename), the
/// `T` of a `ContextVar::<T>` turbofish, if any.
fn with_default_receiver(cx: &FileCx<'_>, path: &syn::Path) -> Option<Option<syn::Type>> {
    let last = path.segments.last()?;
    if last.ident != "with_default" || path.segments.len() < 2 {
        return None;
    }
    let mut receiver = path.clone();
    receiver.segments.pop();
    receiver.segments.pop_punct();
    if !cx.imports.is_contextvars(&receiver, &["ContextVar"]) {
        return None;
    }
    Some(generic_types(&receiver).next().cloned())
}

/// The `T` of a type `ContextVar<T>` that resolves to `contextvars`.
fn context_var_argument<'t>(cx: &FileCx<'_>, ty: &'t syn::Type) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    if p.qself.is_some() || !cx.imports.is_contextvars(&p.path, &["ContextVar"]) {
        return None;
    }
    generic_types(&p.path).next()
}
