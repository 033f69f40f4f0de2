//! `context_var_in_function` (`CTX005`) for Python: a `contextvars.ContextVar(...)` made inside
//! a function or method body, a lambda or a comprehension, where it is made anew on every
//! call.
//!
//! A variable made in a function but kept once per key is not made per call: one stored in a
//! mapping of the module (`_VARS[key] = var`, `_VARS.setdefault(key, var)`) or in a `global`,
//! on the branch that runs when it is not there yet (an `if` or an `except`). structlog's
//! `bind_contextvars` makes its variables so.
//!
//! The full documentation is in the catalogue (`ctxlint explain context_var_in_function`).

use std::collections::{HashMap, HashSet};

use ctxlint_catalogue::CONTEXT_VAR_IN_FUNCTION;
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::Ranged;

use crate::python::vars::is_context_var_call;
use crate::python::walk::{FileCx, Pass};

/// The lint's pass: it looks at calls, and at each function's body for the variables it keeps
/// once per key.
#[derive(Default)]
pub(crate) struct ContextVarInFunction {
    /// Per enclosing function, innermost last: the start offsets of the `ContextVar` calls
    /// that the function keeps once per key.
    kept: Vec<HashSet<u32>>,
}

impl Pass for ContextVarInFunction {
    fn enter_function(&mut self, cx: &mut FileCx<'_>, function: &StmtFunctionDef) {
        let mut scan = Registry {
            cx,
            globals: HashSet::new(),
            locals: HashSet::new(),
            made: HashMap::new(),
            stored: HashSet::new(),
            kept: HashSet::new(),
        };
        scan.names(&function.body);
        scan.body(&function.body, false);
        let mut kept = scan.kept;
        for (name, calls) in scan.made {
            if scan.stored.contains(&name) {
                kept.extend(calls);
            }
        }
        self.kept.push(kept);
    }

    fn exit_function(&mut self, _cx: &mut FileCx<'_>) {
        self.kept.pop();
    }

    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {
        // Module level and a class body at module level run once; test code makes variables
        // on purpose.
        if !cx.in_function() || cx.in_test() {
            return;
        }
        if !is_context_var_call(call, |e| cx.qualified(e)) {
            return;
        }
        let start = call.range().start().to_u32();
        if self.kept.iter().any(|k| k.contains(&start)) {
            return;
        }
        cx.emit(&CONTEXT_VAR_IN_FUNCTION, call.range(), None);
    }
}

/// What one function's body says about the variables it makes and where it keeps them. Nested
/// functions and classes are their own.
struct Registry<'c, 'a> {
    cx: &'c FileCx<'a>,
    /// Names declared `global`.
    globals: HashSet<String>,
    /// Names bound in the function (assigned, or loop and `with` targets), which a store into
    /// them does not outlive the call.
    locals: HashSet<String>,
    /// Local names assigned a `ContextVar` call, with those calls' offsets.
    made: HashMap<String, Vec<u32>>,
    /// Local names stored on a branch into a mapping of the module.
    stored: HashSet<String>,
    /// Calls kept directly: stored into a mapping of the module or assigned to a `global`.
    kept: HashSet<u32>,
}

impl Registry<'_, '_> {
    /// Collects the `global` declarations and the local names, before the stores are read.
    fn names(&mut self, body: &[Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Global(g) => self
                    .globals
                    .extend(g.names.iter().map(|n| n.id.as_str().to_owned())),
                Stmt::Assign(a) => a.targets.iter().for_each(|t| self.bind(t)),
                Stmt::AnnAssign(a) => self.bind(&a.target),
                Stmt::AugAssign(a) => self.bind(&a.target),
                Stmt::For(f) => {
                    self.bind(&f.target);
                    self.names(&f.body);
                    self.names(&f.orelse);
                }
                Stmt::While(w) => {
                    self.names(&w.body);
                    self.names(&w.orelse);
                }
                Stmt::If(i) => {
                    self.names(&i.body);
                    for clause in &i.elif_else_clauses {
                        self.names(&clause.body);
                    }
                }
                Stmt::With(w) => {
                    for item in &w.items {
                        if let Some(t) = &item.optional_vars {
                            self.bind(t);
                        }
                    }
                    self.names(&w.body);
                }
                Stmt::Try(t) => {
                    self.names(&t.body);
                    for handler in &t.handlers {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                        self.names(&h.body);
                    }
                    self.names(&t.orelse);
                    self.names(&t.finalbody);
                }
                _ => {}
            }
        }
    }

    fn bind(&mut self, target: &Expr) {
        match target {
            Expr::Name(n) => {
                self.locals.insert(n.id.as_str().to_owned());
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind(e)),
            Expr::Starred(s) => self.bind(&s.value),
            _ => {}
        }
    }

    /// Whether `name` names a mapping of the module: bound neither in this function (unless
    /// declared `global`) nor in an enclosing one.
    fn is_module_name(&self, name: &str) -> bool {
        self.globals.contains(name) || !(self.locals.contains(name) || self.cx.is_local(name))
    }

    /// The mapping of the module that `target` (`MAPPING[key]`) stores into.
    fn module_item(&self, target: &Expr) -> bool {
        matches!(target, Expr::Subscript(s)
            if matches!(&*s.value, Expr::Name(n) if self.is_module_name(n.id.as_str())))
    }

    fn is_context_var(&self, value: &Expr) -> Option<u32> {
        match value {
            Expr::Call(call) if is_context_var_call(call, |e| self.cx.qualified(e)) => {
                Some(call.range().start().to_u32())
            }
            _ => None,
        }
    }

    /// Reads the stores of `body`; `branch` is whether it runs only on a branch (an `if`'s or
    /// an `except`'s), where a store is made when the key is not there yet.
    fn body(&mut self, body: &[Stmt], branch: bool) {
        for stmt in body {
            match stmt {
                Stmt::Assign(a) => {
                    let made = self.is_context_var(&a.value);
                    for target in &a.targets {
                        match (target, made) {
                            (Expr::Name(n), Some(call))
                                if branch && self.globals.contains(n.id.as_str()) =>
                            {
                                self.kept.insert(call);
                            }
                            (Expr::Name(n), Some(call)) => {
                                self.made
                                    .entry(n.id.as_str().to_owned())
                                    .or_default()
                                    .push(call);
                            }
                            (target, Some(call)) if branch && self.module_item(target) => {
                                self.kept.insert(call);
                            }
                            (target, None) if branch && self.module_item(target) => {
                                if let Expr::Name(n) = &*a.value {
                                    self.stored.insert(n.id.as_str().to_owned());
                                }
                            }
                            _ => {}
                        }
                    }
                    self.setdefault(&a.value);
                }
                Stmt::Expr(e) => self.setdefault(&e.value),
                Stmt::Return(r) => {
                    if let Some(value) = &r.value {
                        self.setdefault(value);
                    }
                }
                Stmt::If(i) => {
                    self.body(&i.body, true);
                    for clause in &i.elif_else_clauses {
                        self.body(&clause.body, true);
                    }
                }
                Stmt::Try(t) => {
                    self.body(&t.body, branch);
                    for handler in &t.handlers {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                        self.body(&h.body, true);
                    }
                    self.body(&t.orelse, branch);
                    self.body(&t.finalbody, branch);
                }
                Stmt::With(w) => self.body(&w.body, branch),
                Stmt::For(f) => self.body(&f.body, branch),
                Stmt::While(w) => self.body(&w.body, branch),
                _ => {}
            }
        }
    }

    /// `MAPPING.setdefault(key, ContextVar(..))` or `MAPPING.setdefault(key, var)`: the
    /// mapping keeps the first variable made for a key, whatever the branch.
    fn setdefault(&mut self, value: &Expr) {
        let Expr::Call(call) = value else { return };
        let Expr::Attribute(attr) = &*call.func else {
            return;
        };
        if attr.attr.as_str() != "setdefault"
            || !matches!(&*attr.value, Expr::Name(n) if self.is_module_name(n.id.as_str()))
        {
            return;
        }
        match call.arguments.args.get(1) {
            Some(Expr::Name(n)) => {
                self.stored.insert(n.id.as_str().to_owned());
            }
            Some(value) => {
                if let Some(call) = self.is_context_var(value) {
                    self.kept.insert(call);
                }
            }
            None => {}
        }
    }
}
