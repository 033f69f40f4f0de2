//! `context_var_in_function` (`CTX005`) for Python: a `contextvars.ContextVar(...)` made inside
//! a function or method body, a lambda or a comprehension, where it is made anew on every
//! call.
//!
//! The full documentation is in the catalogue (`ctxlint explain context_var_in_function`).

use ctxlint_catalogue::CONTEXT_VAR_IN_FUNCTION;
use ruff_python_ast::ExprCall;
use ruff_text_size::Ranged;

use crate::python::vars::is_context_var_call;
use crate::python::walk::{FileCx, Pass};

/// The lint's pass: it looks at calls only.
#[derive(Default)]
pub(crate) struct ContextVarInFunction;

impl Pass for ContextVarInFunction {
    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {
        // Module level and a class body at module level run once; test code makes variables
        // on purpose.
        if !cx.in_function() || cx.in_test() {
            return;
        }
        if !is_context_var_call(call, |e| cx.qualified(e)) {
            return;
        }
        cx.emit(&CONTEXT_VAR_IN_FUNCTION, call.range(), None);
    }
}
