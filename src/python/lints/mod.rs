//! The Python lints, one module each. Each has a `check_call`, called by the walk on every
//! call expression, that ends in one [`FileCx::emit`](crate::python::walk::FileCx::emit).

pub(crate) mod interior_mutable_default;
pub(crate) mod sync_run_wraps_future;

use ruff_python_ast::ExprCall;

use crate::python::walk::FileCx;

/// Coroutine functions of the standard library: calling one only creates a coroutine.
pub(crate) const STDLIB_COROUTINE_FUNCTIONS: &[&str] = &[
    "asyncio.sleep",
    "asyncio.wait",
    "asyncio.wait_for",
    "asyncio.to_thread",
    "asyncio.open_connection",
    "asyncio.open_unix_connection",
    "asyncio.start_server",
    "asyncio.start_unix_server",
    "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
];

/// Runs every lint on one call.
pub(crate) fn check_call(cx: &mut FileCx<'_>, call: &ExprCall) {
    interior_mutable_default::check_call(cx, call);
    sync_run_wraps_future::check_call(cx, call);
}
