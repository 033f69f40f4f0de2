//! `context_var_in_function` (`CTX005`): a `ContextVar::new(..)` or
//! `ContextVar::with_default(..)` of `contextvars` called in a function or closure body, where
//! it makes a new variable on every call. A `static` item, even inside a function, is made
//! once and is fine.
//!
//! The full documentation is in the catalogue (`ctxlint explain context_var_in_function`).

use ctxlint_catalogue::CONTEXT_VAR_IN_FUNCTION;
use syn::spanned::Spanned;

use crate::rust::walk::{FileCx, Pass};

/// The lint's pass: it counts the bodies it is in.
#[derive(Default)]
pub(crate) struct ContextVarInFunction {
    bodies: usize,
}

impl Pass for ContextVarInFunction {
    fn enter_body(&mut self, _cx: &mut FileCx<'_>, _is_async: bool) {
        self.bodies += 1;
    }

    fn exit_body(&mut self, _cx: &mut FileCx<'_>) {
        self.bodies = self.bodies.saturating_sub(1);
    }

    fn check_call(&mut self, cx: &mut FileCx<'_>, _expr: &syn::Expr, call: &syn::ExprCall) {
        if self.bodies == 0 || cx.in_static() || cx.in_test() {
            return;
        }
        let syn::Expr::Path(func) = &*call.func else {
            return;
        };
        if func.qself.is_some() {
            return;
        }
        let mut receiver = func.path.clone();
        let Some(last) = receiver.segments.pop() else {
            return;
        };
        receiver.segments.pop_punct();
        let makes_var = matches!(
            last.value().ident.to_string().as_str(),
            "new" | "with_default"
        ) && cx.imports.is_contextvars(&receiver, &["ContextVar"]);
        if makes_var {
            cx.emit(&CONTEXT_VAR_IN_FUNCTION, call.span(), None);
        }
    }
}
