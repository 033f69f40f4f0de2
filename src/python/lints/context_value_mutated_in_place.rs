//! `context_value_mutated_in_place` (`CTX004`) for Python: a write, in place, to the object
//! that a project `ContextVar`'s `get()` returns, when that object can be its shared default.
//!
//! The full documentation is in the catalogue (`ctxlint explain context_value_mutated_in_place`).
//!
//! The pass keeps, per function (and for the module's own code), the local names bound to a
//! `get()` of such a variable, and, per block, the variables a fresh object was `set()` into
//! before: a `set()` earlier in the same block or an enclosing one precedes the write on every
//! path, so `get()` returns the task's own object there.
//!
//! A local name keeps what it was bound to unresolved (`x = f()` is a call of `f`, which may
//! be a getter) until something writes to it: resolving `f` reads the module that defines it,
//! and most names bound to a call are never written to.

use std::collections::{HashMap, HashSet};

use ctxlint_catalogue::CONTEXT_VALUE_MUTATED_IN_PLACE;
use ctxlint_catalogue::apis::PYTHON_MUTATORS;
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use crate::diagnostic::Related;
use crate::python::vars::DefaultValue;
use crate::python::walk::{FileCx, Pass};

/// The lint's pass: one frame per function being walked, the module's code the outermost.
pub(crate) struct ContextValueMutatedInPlace {
    frames: Vec<Frame>,
}

impl Default for ContextValueMutatedInPlace {
    fn default() -> Self {
        ContextValueMutatedInPlace {
            frames: vec![Frame::default()],
        }
    }
}

/// One function's (or the module's) code.
#[derive(Default)]
struct Frame {
    /// Local names bound to what may be the shared object of a variable.
    locals: HashMap<String, Local>,
    /// Per enclosing block, what was `set()` earlier in it: the qualified names of the
    /// receivers, of which those that name a project variable count.
    set_before: Vec<HashSet<String>>,
}

/// What a local name was bound to, unresolved.
#[derive(Debug, Clone)]
struct Local {
    source: Source,
    /// What was `set()` in the enclosing blocks when the name was bound: the object is the
    /// task's own if its variable is among them.
    set_then: Vec<String>,
}

/// An expression that may evaluate to the shared object of a variable.
#[derive(Debug, Clone)]
enum Source {
    /// `X.get()`, with the qualified name `X` has if it is a project variable.
    Get(String),
    /// A call of the function with this qualified name, if it is one of the project's getters.
    Getter(String),
}

/// The shared object of a variable: where the variable is declared.
#[derive(Debug, Clone)]
struct Shared {
    related: Related,
    /// The qualified class of its default, when it is an instance of a project class.
    class: Option<String>,
}

impl Pass for ContextValueMutatedInPlace {
    fn enter_function(&mut self, _cx: &mut FileCx<'_>, _function: &StmtFunctionDef) {
        self.frames.push(Frame::default());
    }

    fn exit_function(&mut self, _cx: &mut FileCx<'_>) {
        self.frames.pop();
    }

    fn enter_block(&mut self, _cx: &mut FileCx<'_>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.set_before.push(HashSet::new());
        }
    }

    fn exit_block(&mut self, _cx: &mut FileCx<'_>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.set_before.pop();
        }
    }

    fn check_stmt(&mut self, cx: &mut FileCx<'_>, stmt: &Stmt) {
        // Writes to an attribute or item of the shared object.
        let targets: Vec<&Expr> = match stmt {
            Stmt::Assign(a) => a.targets.iter().collect(),
            Stmt::AugAssign(a) => vec![&*a.target],
            Stmt::AnnAssign(a) if a.value.is_some() => vec![&*a.target],
            Stmt::Delete(d) => d.targets.iter().collect(),
            _ => Vec::new(),
        };
        for target in targets {
            let base = match target {
                Expr::Attribute(a) => &*a.value,
                Expr::Subscript(s) => &*s.value,
                _ => continue,
            };
            if let Some(shared) = self.shared(cx, base) {
                report(cx, target.range(), shared);
            }
        }
        // What the statement binds, and the `set()`s it makes.
        match stmt {
            Stmt::Assign(a) => {
                self.note_set(cx, &a.value);
                let local = self.local(cx, &a.value);
                for target in &a.targets {
                    self.bind(target, local.clone());
                }
            }
            Stmt::AnnAssign(a) => {
                let local = a.value.as_deref().and_then(|v| {
                    self.note_set(cx, v);
                    self.local(cx, v)
                });
                self.bind(&a.target, local);
            }
            Stmt::AugAssign(a) => self.bind(&a.target, None),
            Stmt::For(f) => self.bind(&f.target, None),
            Stmt::With(w) => {
                for item in &w.items {
                    if let Some(v) = &item.optional_vars {
                        self.bind(v, None);
                    }
                }
            }
            Stmt::Expr(e) => self.note_set(cx, &e.value),
            _ => {}
        }
    }

    fn check_call(&mut self, cx: &mut FileCx<'_>, call: &ExprCall) {
        let Expr::Attribute(method) = &*call.func else {
            return;
        };
        let Some(shared) = self.shared(cx, &method.value) else {
            return;
        };
        let name = method.attr.as_str();
        let mutates = PYTHON_MUTATORS.contains(&name)
            || shared
                .class
                .as_deref()
                .is_some_and(|class| cx.facts.method_mutates(class, name));
        if mutates {
            report(cx, call.range(), shared);
        }
    }
}

impl ContextValueMutatedInPlace {
    /// Binds (or unbinds) the names of an assignment's target.
    fn bind(&mut self, target: &Expr, local: Option<Local>) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        match target {
            Expr::Name(n) => match local {
                Some(local) => {
                    frame.locals.insert(n.id.as_str().to_owned(), local);
                }
                None => {
                    frame.locals.remove(n.id.as_str());
                }
            },
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind(e, None)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind(e, None)),
            Expr::Starred(s) => self.bind(&s.value, None),
            _ => {}
        }
    }

    /// Notes `VAR.set(..)` (bare, or bound to a token) in the innermost block.
    fn note_set(&mut self, cx: &FileCx<'_>, value: &Expr) {
        let Expr::Call(call) = value else {
            return;
        };
        let Expr::Attribute(set) = &*call.func else {
            return;
        };
        if set.attr.as_str() != "set" {
            return;
        }
        // Kept unresolved, as locals are: only a name that is a variable's can match one.
        if let Some(var) = member_name(cx, &set.value)
            && let Some(frame) = self.frames.last_mut()
            && let Some(block) = frame.set_before.last_mut()
        {
            block.insert(var);
        }
    }

    /// What `expr` may evaluate to, unresolved: `X.get()`, a call of a function, or a local
    /// name bound to one of those.
    fn local(&self, cx: &FileCx<'_>, expr: &Expr) -> Option<Local> {
        let (source, mut set_then) = match expr {
            Expr::Name(n) => {
                let local = self.frames.last()?.locals.get(n.id.as_str())?;
                (local.source.clone(), local.set_then.clone())
            }
            Expr::Call(call) => {
                let source = match &*call.func {
                    // `VAR.get(default)` gives its own default when the variable is unset.
                    Expr::Attribute(get) if get.attr.as_str() == "get" => {
                        if !call.arguments.is_empty() {
                            return None;
                        }
                        Source::Get(member_name(cx, &get.value)?)
                    }
                    func => Source::Getter(member_name(cx, func)?),
                };
                (source, Vec::new())
            }
            _ => return None,
        };
        // Each distinct name once: along a chain of copies (`b = a`, `c = b`, ..) the list
        // would otherwise repeat the enclosing `set()`s at every copy.
        if let Some(frame) = self.frames.last() {
            for var in frame.set_before.iter().flatten() {
                if !set_then.contains(var) {
                    set_then.push(var.clone());
                }
            }
        }
        Some(Local { source, set_then })
    }

    /// The shared object that `expr` evaluates to, if it can be one: `VAR.get()`, a call of a
    /// getter, or a local name bound to one of those, with no `set()` of the variable before.
    fn shared(&self, cx: &FileCx<'_>, expr: &Expr) -> Option<Shared> {
        let local = self.local(cx, expr)?;
        let var = match &local.source {
            Source::Get(q) => cx.facts.var(q).map(|_| q.as_str())?,
            Source::Getter(q) => cx.facts.getter(q)?,
        };
        if local.set_then.iter().any(|s| s == var) {
            return None;
        }
        shared_var(cx, var)
    }
}

/// The qualified name of `expr`, a variable or a function: `NAME` (a module-level one,
/// imported or not), `Class.NAME`, or `self.NAME` or `cls.NAME` in a method (`Class.NAME`, a
/// member of the method's class). Whether the project defines it is left to the lookup that
/// needs it.
fn member_name(cx: &FileCx<'_>, expr: &Expr) -> Option<String> {
    match expr {
        Expr::Attribute(a) => match (&*a.value, cx.method()) {
            (Expr::Name(base), Some((class, first))) if base.id.as_str() == first => {
                Some(format!("{class}.{}", a.attr.as_str()))
            }
            _ => cx.qualified(expr),
        },
        _ => cx.qualified(expr),
    }
}

/// The shared object of variable `var`, if its default can be mutable.
fn shared_var(cx: &FileCx<'_>, var: &str) -> Option<Shared> {
    let facts = cx.facts.var(var)?;
    if !cx
        .facts
        .default_may_be_mutable(&facts.default, &cx.config.extend_immutable_calls)
    {
        return None;
    }
    let class = match &facts.default {
        DefaultValue::Call(q) if cx.facts.class(q).is_some() => Some(q.clone()),
        _ => None,
    };
    Some(Shared {
        related: Related {
            path: facts.at.path.to_path_buf(),
            span: facts.at.span,
        },
        class,
    })
}

fn report(cx: &mut FileCx<'_>, range: TextRange, shared: Shared) {
    cx.emit_related(
        &CONTEXT_VALUE_MUTATED_IN_PLACE,
        range,
        None,
        Some(shared.related),
    );
}
