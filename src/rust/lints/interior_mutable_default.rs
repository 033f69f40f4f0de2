//! `interior_mutable_default`: a `ContextVar::with_default` whose default value is
//! interior-mutable.
//!
//! ### What it does
//! Checks for `ContextVar::with_default(name, value)` where `value` has interior mutability:
//! a `Mutex`, an atomic, a `OnceLock`, … or anything that holds one, such as
//! `Arc<Mutex<_>>`, a tuple, or a struct of the linted crate with such a field.
//!
//! ### Why is this bad?
//! Copying a context is shallow, so every context hands out this one value: a mutation
//! through it is seen by every task.
//!
//! The full documentation is in the catalogue (`ctxlint explain interior_mutable_default`).

use ctxlint_catalogue::INTERIOR_MUTABLE_DEFAULT;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;

use crate::rust::facts::{TypeClass, generic_types};
use crate::rust::lints::{FileCx, block_tail};

/// Checks one call expression (`expr` is the same node as `call`, as an [`syn::Expr`]).
pub(crate) fn check_call(cx: &mut FileCx<'_>, expr: &syn::Expr, call: &syn::ExprCall) {
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
    // The value's type, from `ContextVar::<T>::with_default` or from `static X: ContextVar<T>`.
    let declared = var_type.or_else(|| {
        cx.declared_type(expr)
            .and_then(|ty| context_var_argument(cx, ty))
            .cloned()
    });
    let declared_im = declared
        .as_ref()
        .is_some_and(|ty| cx.facts.type_is_im(ty, &cx.imports, cx.config));
    if !declared_im && !value_is_im(cx, value) {
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

/// How the type named by `path` (a type, or a type followed by an associated item or variant)
/// contributes to interior mutability.
fn class_of(cx: &FileCx<'_>, path: &syn::Path) -> TypeClass {
    let full = cx.imports.resolve(path);
    cx.facts.classify(&full, &cx.imports, cx.config)
}

/// `path` without its last segment: the type of `Type::new` or the enum of `Enum::Variant`.
fn parent(path: &syn::Path) -> Option<syn::Path> {
    if path.segments.len() < 2 {
        return None;
    }
    let mut parent = path.clone();
    parent.segments.pop();
    parent.segments.pop_punct();
    Some(parent)
}

/// Whether the value of `expr` is interior-mutable, as far as syntax and crate facts tell.
fn value_is_im(cx: &FileCx<'_>, expr: &syn::Expr) -> bool {
    let any = |exprs: &mut dyn Iterator<Item = &syn::Expr>| {
        for e in exprs {
            if value_is_im(cx, e) {
                return true;
            }
        }
        false
    };
    match expr {
        syn::Expr::Call(call) => {
            let syn::Expr::Path(func) = &*call.func else {
                return false;
            };
            if func.qself.is_some() {
                return false;
            }
            let type_path = match parent(&func.path) {
                // `Type::new(..)`, `Enum::Variant(..)`, `Arc::new(..)`.
                Some(parent) => parent,
                // `Some(..)`, or a tuple struct `Wrapper(..)` of this crate.
                None => func.path.clone(),
            };
            let arg_types_im =
                generic_types(&type_path).any(|t| cx.facts.type_is_im(t, &cx.imports, cx.config));
            match class_of(cx, &type_path) {
                TypeClass::InteriorMutable => true,
                TypeClass::Container => arg_types_im || any(&mut call.args.iter()),
                TypeClass::Immutable => {
                    let name = type_path.segments.last().map(|s| s.ident.to_string());
                    matches!(name.as_deref(), Some("Some" | "Ok" | "Err"))
                        && any(&mut call.args.iter())
                }
            }
        }
        syn::Expr::Struct(s) if s.qself.is_none() => {
            let enum_im =
                parent(&s.path).is_some_and(|p| class_of(cx, &p) == TypeClass::InteriorMutable);
            match class_of(cx, &s.path) {
                TypeClass::InteriorMutable => true,
                TypeClass::Container => enum_im || any(&mut s.fields.iter().map(|f| &f.expr)),
                TypeClass::Immutable => enum_im,
            }
        }
        syn::Expr::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let name = last.ident.to_string();
            // A constant or static of the crate, a unit variant of an interior-mutable enum,
            // or a unit struct.
            cx.facts.const_is_im(&name, cx.config)
                || parent(&p.path)
                    .is_some_and(|parent| class_of(cx, &parent) == TypeClass::InteriorMutable)
                || (p.path.segments.len() == 1
                    && cx.facts.defines_type(&name)
                    && class_of(cx, &p.path) == TypeClass::InteriorMutable)
        }
        syn::Expr::Tuple(t) => any(&mut t.elems.iter()),
        syn::Expr::Array(a) => any(&mut a.elems.iter()),
        syn::Expr::Repeat(r) => value_is_im(cx, &r.expr),
        syn::Expr::Paren(p) => value_is_im(cx, &p.expr),
        syn::Expr::Reference(r) => value_is_im(cx, &r.expr),
        syn::Expr::Group(g) => value_is_im(cx, &g.expr),
        syn::Expr::Block(b) => block_tail(&b.block).is_some_and(|e| value_is_im(cx, e)),
        syn::Expr::Macro(m) if m.mac.path.is_ident("vec") => {
            if let Ok(exprs) = m
                .mac
                .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            {
                any(&mut exprs.iter())
            } else if let Ok(repeat) = m.mac.parse_body_with(parse_repeat) {
                value_is_im(cx, &repeat)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// Parses the `x; n` form of `vec![x; n]`, returning `x`.
fn parse_repeat(input: syn::parse::ParseStream<'_>) -> syn::Result<syn::Expr> {
    let value: syn::Expr = input.parse()?;
    input.parse::<syn::Token![;]>()?;
    input.parse::<syn::Expr>()?;
    Ok(value)
}
