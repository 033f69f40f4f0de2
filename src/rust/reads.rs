//! What a function body, closure or future reads of the context, so that
//! `spawn_without_context` can follow the work handed to a spawn through the crate's own
//! functions, to a bounded depth: the variables it reads (`VAR.get()`, `KEY.with(..)`), the
//! `tracing` events it emits, and the functions and methods it calls.
//!
//! A read names a `static` by its identifier; whether it is a `ContextVar` or a task-local is
//! decided against the crate's facts once every file is in.

use std::path::Path;
use std::sync::Arc;

use ctxlint_catalogue::apis::{EVENT_MACROS, RUNNERS, future_binder};
use syn::spanned::Spanned;
use syn::visit::Visit;

use crate::diagnostic::Related;
use crate::rust::resolve::Imports;
use crate::rust::walk::{MacroArgs, macro_args, select_branches};

/// How many calls deep a read is looked for below the work handed on: its own body, then the
/// crate functions and methods it calls, and so on.
pub(crate) const MAX_CALL_DEPTH: usize = 4;

/// The methods of `contextvars::ContextVar` and `tokio::task::LocalKey` that read the current
/// value.
const READ_METHODS: &[&str] = &["get", "try_get", "with", "try_with"];

/// What one body reads and calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body {
    /// The statics whose value it reads (`VAR.get()`), by identifier, with where.
    pub(crate) reads: Vec<(String, Related)>,
    /// Where it first emits a `tracing` event (`info!(..)`, `tracing::event!(..)`).
    pub(crate) event: Option<Related>,
    /// The names of the functions it calls (`f(..)`, `Type::f(..)`), without repeats.
    pub(crate) calls: Vec<String>,
    /// The names of the methods it calls (`x.m(..)`), without repeats, each with whether it
    /// is called on `self`.
    pub(crate) methods: Vec<(String, bool)>,
}

/// Whether a method of this name, called on something other than `self`, is too likely to be
/// a library's (a `Context`'s `run`, a span's `in_scope`, a `ContextVar`'s `get`) for a
/// method of the crate with that name to be followed.
pub(crate) fn is_api_method(name: &str) -> bool {
    READ_METHODS.contains(&name)
        || RUNNERS.iter().any(|r| r.name() == name)
        || future_binder(name).is_some()
        || matches!(
            name,
            "scope" | "scope_mut" | "set" | "spawn" | "enter" | "entered" | "attach" | "call"
        )
}

impl Body {
    /// Reads `block` (a function's body) with the file's `imports`.
    pub(crate) fn of_block(block: &syn::Block, imports: &Imports, path: &Arc<Path>) -> Body {
        Body::of_block_at(block, imports, path, Base::default())
    }

    /// [`Body::of_block`] for a block parsed alone, whose spans start at `base` in its file.
    pub(crate) fn of_block_at(
        block: &syn::Block,
        imports: &Imports,
        path: &Arc<Path>,
        base: Base,
    ) -> Body {
        let mut scan = Scan {
            imports,
            path,
            base,
            body: Body::default(),
        };
        scan.visit_block(block);
        scan.body
    }

    /// Reads an expression: a closure or a future handed to a spawn. A path is a function
    /// handed on to be called (`spawn_blocking(read_config)`).
    pub(crate) fn of_expr(expr: &syn::Expr, imports: &Imports, path: &Arc<Path>) -> Body {
        let mut scan = Scan {
            imports,
            path,
            base: Base::default(),
            body: Body::default(),
        };
        if let syn::Expr::Path(p) = expr
            && let Some(last) = p.path.segments.last()
        {
            scan.body.calls.push(last.ident.to_string());
        }
        scan.visit_expr(expr);
        scan.body
    }
}

/// Where a block parsed alone starts in its file: its spans are moved there. The default is
/// a block parsed with its file.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Base {
    pub(crate) byte: usize,
    /// The line of the block's first character (1-based); 0 for a block parsed with its file.
    pub(crate) line: usize,
    /// Its column (0-based, in characters).
    pub(crate) column: usize,
}

struct Scan<'a> {
    imports: &'a Imports,
    path: &'a Arc<Path>,
    base: Base,
    body: Body,
}

impl Scan<'_> {
    fn related(&self, span: proc_macro2::Span) -> Related {
        let mut at = crate::rust::source_span(span);
        if self.base.line > 0 {
            // The block alone starts at line 1, column 0.
            if at.line_start == 1 {
                at.column_start += self.base.column;
            }
            if at.line_end == 1 {
                at.column_end += self.base.column;
            }
            at.line_start += self.base.line - 1;
            at.line_end += self.base.line - 1;
            at.byte_start += self.base.byte;
            at.byte_end += self.base.byte;
        }
        Related {
            path: self.path.to_path_buf(),
            span: at,
        }
    }

    /// Whether `mac` is a `tracing` event macro: `tracing::info!`, or `info!` imported from
    /// `tracing` (not `log`'s).
    fn is_event(&self, mac: &syn::Macro) -> bool {
        let Some(last) = mac.path.segments.last() else {
            return false;
        };
        if !EVENT_MACROS.contains(&last.ident.to_string().as_str()) {
            return false;
        }
        let full = self.imports.resolve(&mac.path);
        full.first().is_some_and(|root| root == "tracing")
    }

    /// Walks the expressions inside a macro's arguments, as the lints' walk does: the
    /// futures, conditions and bodies of a `select!`'s branches, or comma-separated
    /// expressions, or statements.
    fn visit_macro_args(&mut self, mac: &syn::Macro) {
        if let Some(branches) = select_branches(mac) {
            for branch in &branches {
                for expr in branch.future.iter().chain(&branch.condition) {
                    self.visit_expr(expr);
                }
                self.visit_expr(&branch.body);
            }
            return;
        }
        match macro_args(mac) {
            Some(MacroArgs::Exprs(exprs)) => exprs.iter().for_each(|e| self.visit_expr(e)),
            Some(MacroArgs::Stmts(stmts)) => stmts.iter().for_each(|s| self.visit_stmt(s)),
            None => {}
        }
    }
}

impl<'ast> Visit<'ast> for Scan<'_> {
    // A nested item is read when it is used, not here.
    fn visit_item(&mut self, _item: &'ast syn::Item) {}

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if READ_METHODS.contains(&method.as_str())
            && let syn::Expr::Path(p) = &*call.receiver
            && let Some(last) = p.path.segments.last()
        {
            let read = (last.ident.to_string(), self.related(call.span()));
            self.body.reads.push(read);
        } else {
            let on_self = matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
            if !self
                .body
                .methods
                .iter()
                .any(|(m, s)| *m == method && *s == on_self)
            {
                self.body.methods.push((method, on_self));
            }
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*call.func
            && let Some(last) = p.path.segments.last()
        {
            let name = last.ident.to_string();
            if !self.body.calls.contains(&name) {
                self.body.calls.push(name);
            }
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if self.body.event.is_none() && self.is_event(mac) {
            self.body.event = Some(self.related(mac.span()));
        }
        self.visit_macro_args(mac);
    }
}
