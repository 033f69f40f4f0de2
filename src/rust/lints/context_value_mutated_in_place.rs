//! `context_value_mutated_in_place` (`CTX004`): a write through interior mutability to the
//! value a `ContextVar`'s `get()` or `with()` gives, where the variable is a `static` of the
//! crate whose default is interior-mutable (the crate's facts know which).
//!
//! The full documentation is in the catalogue (`ctxlint explain context_value_mutated_in_place`).
//!
//! The pass keeps, per block, the local names bound to that shared value (`let v =
//! HITS.get().unwrap();`, the parameter of `HITS.with(|v| ..)`, `if let Some(v) = ..`) or to a
//! guard of it (`let mut g = v.lock().unwrap();`), and the variables `set()` earlier in the
//! block. A write is a method of [`RUST_INTERIOR_WRITES`] on the value, a method of
//! [`RUST_MUTATORS`] on a guard of it, or an assignment through a guard (`*g += 1`).

use std::collections::{HashMap, HashSet};

use ctxlint_catalogue::CONTEXT_VALUE_MUTATED_IN_PLACE;
use ctxlint_catalogue::apis::{
    RUST_GUARD_METHODS, RUST_INTERIOR_WRITES, RUST_MUTATORS, RUST_SAME_VALUE,
};
use syn::spanned::Spanned;

use crate::rust::walk::{FileCx, Pass};

/// What a local name or an expression holds, of a shared default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The value itself (or a reference to it, or an `Option` of it).
    Value,
    /// A guard through which it is written.
    Guard,
}

/// The lint's pass: a stack of blocks.
#[derive(Default)]
pub(crate) struct ContextValueMutatedInPlace {
    blocks: Vec<Block>,
}

#[derive(Default)]
struct Block {
    /// Local names bound here: name → what it holds, of which static.
    locals: HashMap<String, Option<(Kind, String)>>,
    /// Statics `set()` earlier in the block.
    set: HashSet<String>,
}

impl Pass for ContextValueMutatedInPlace {
    fn enter_block(&mut self, _cx: &mut FileCx<'_>) {
        self.blocks.push(Block::default());
    }

    fn exit_block(&mut self, _cx: &mut FileCx<'_>) {
        self.blocks.pop();
    }

    fn check_stmt(&mut self, cx: &mut FileCx<'_>, stmt: &syn::Stmt) {
        let expr = match stmt {
            syn::Stmt::Expr(e, _) => e,
            syn::Stmt::Local(l) => match &l.init {
                Some(init) => &*init.expr,
                None => return,
            },
            _ => return,
        };
        // `VAR.set(fresh)`: later `get()`s in this block see the task's own value.
        if let syn::Expr::MethodCall(m) = expr
            && m.method == "set"
            && let Some(var) = static_of(cx, &m.receiver)
            && let Some(block) = self.blocks.last_mut()
        {
            block.set.insert(var);
        }
    }

    fn check_local(&mut self, cx: &mut FileCx<'_>, local: &syn::Local) {
        let held = local.init.as_ref().and_then(|i| self.kind_of(cx, &i.expr));
        self.bind_pat(&local.pat, held);
    }

    fn check_expr(&mut self, cx: &mut FileCx<'_>, expr: &syn::Expr) {
        match expr {
            // `if let Some(v) = HITS.get()`, `while let ..`.
            syn::Expr::Let(l) => {
                let held = self.kind_of(cx, &l.expr);
                self.bind_pat(&l.pat, held);
            }
            // `*guard += 1`, `guard.count = 0`, `*v.lock().unwrap() = x`.
            syn::Expr::Assign(a) => self.check_place(cx, &a.left),
            syn::Expr::Binary(b) if is_compound_assign(&b.op) => self.check_place(cx, &b.left),
            _ => {}
        }
    }

    fn check_method_call(&mut self, cx: &mut FileCx<'_>, call: &syn::ExprMethodCall) {
        let method = call.method.to_string();
        // `HITS.with(|v| ..)`: the closure's parameter is the value.
        if method == "with"
            && let Some(var) = self.shared_static(cx, &call.receiver)
            && let Some(syn::Expr::Closure(closure)) = call.args.first()
            && let Some(syn::Pat::Ident(param)) = closure.inputs.first().map(strip_type)
        {
            self.bind(param.ident.to_string(), Some((Kind::Value, var)));
            return;
        }
        let Some((kind, var)) = self.kind_of(cx, &call.receiver) else {
            return;
        };
        let writes = match kind {
            Kind::Value => RUST_INTERIOR_WRITES.contains(&method.as_str()),
            Kind::Guard => RUST_MUTATORS.contains(&method.as_str()),
        };
        if writes {
            report(cx, call.span(), &var);
        }
    }
}

impl ContextValueMutatedInPlace {
    fn bind(&mut self, name: String, held: Option<(Kind, String)>) {
        if let Some(block) = self.blocks.last_mut() {
            block.locals.insert(name, held);
        }
    }

    /// Binds the names of a pattern: a plain name or `Some(name)` to what the value holds,
    /// every other name to nothing (it shadows).
    fn bind_pat(&mut self, pat: &syn::Pat, held: Option<(Kind, String)>) {
        match pat {
            syn::Pat::Ident(p) => self.bind(p.ident.to_string(), held),
            syn::Pat::Type(t) => self.bind_pat(&t.pat, held),
            syn::Pat::Reference(r) => self.bind_pat(&r.pat, held),
            syn::Pat::TupleStruct(t) if t.path.is_ident("Some") || t.path.is_ident("Ok") => {
                for elem in &t.elems {
                    self.bind_pat(elem, held.clone());
                }
            }
            other => {
                let mut names = Vec::new();
                collect_names(other, &mut names);
                for name in names {
                    self.bind(name, None);
                }
            }
        }
    }

    /// What a local name holds, from the innermost block that binds it.
    fn local(&self, name: &str) -> Option<(Kind, String)> {
        self.blocks
            .iter()
            .rev()
            .find_map(|b| b.locals.get(name))
            .cloned()
            .flatten()
    }

    /// Whether `var` was `set()` earlier in an enclosing block.
    fn was_set(&self, var: &str) -> bool {
        self.blocks.iter().any(|b| b.set.contains(var))
    }

    /// `VAR` of `VAR.get()` / `VAR.with(..)`, when it is a static whose default is shared and
    /// no fresh value was `set()` before.
    fn shared_static(&self, cx: &FileCx<'_>, expr: &syn::Expr) -> Option<String> {
        let var = static_of(cx, expr)?;
        (cx.facts.shared_defaults.contains_key(&var) && !self.was_set(&var)).then_some(var)
    }

    /// What `expr` holds of a shared default, and of which static.
    fn kind_of(&self, cx: &FileCx<'_>, expr: &syn::Expr) -> Option<(Kind, String)> {
        match expr {
            syn::Expr::Path(p) => self.local(&p.path.get_ident()?.to_string()),
            syn::Expr::MethodCall(m) => {
                let method = m.method.to_string();
                if method == "get"
                    && m.args.is_empty()
                    && let Some(var) = self.shared_static(cx, &m.receiver)
                {
                    return Some((Kind::Value, var));
                }
                let (kind, var) = self.kind_of(cx, &m.receiver)?;
                if RUST_SAME_VALUE.contains(&method.as_str()) {
                    Some((kind, var))
                } else if kind == Kind::Value && RUST_GUARD_METHODS.contains(&method.as_str()) {
                    Some((Kind::Guard, var))
                } else {
                    None
                }
            }
            // A field of the shared value is shared too (`v.hits.fetch_add(1, ..)`).
            syn::Expr::Field(f) => self.kind_of(cx, &f.base),
            syn::Expr::Reference(r) => self.kind_of(cx, &r.expr),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.kind_of(cx, &u.expr),
            syn::Expr::Paren(p) => self.kind_of(cx, &p.expr),
            syn::Expr::Try(t) => self.kind_of(cx, &t.expr),
            _ => None,
        }
    }

    /// An assignment to `place`: a write when it goes through a guard.
    fn check_place(&mut self, cx: &mut FileCx<'_>, place: &syn::Expr) {
        let mut base = place;
        loop {
            match base {
                syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => base = &u.expr,
                syn::Expr::Field(f) => base = &f.base,
                syn::Expr::Index(i) => base = &i.expr,
                syn::Expr::Paren(p) => base = &p.expr,
                _ => break,
            }
        }
        if std::ptr::eq(base, place) {
            return;
        }
        if let Some((Kind::Guard, var)) = self.kind_of(cx, base) {
            report(cx, place.span(), &var);
        }
    }
}

/// The static that `expr` names, by its name in the crate (`HITS`, `crate::stats::HITS`).
fn static_of(cx: &FileCx<'_>, expr: &syn::Expr) -> Option<String> {
    let syn::Expr::Path(p) = expr else {
        return None;
    };
    let full = cx.imports.resolve(&p.path);
    let name = full.last()?;
    cx.facts
        .shared_defaults
        .contains_key(name)
        .then(|| name.clone())
}

fn strip_type(pat: &syn::Pat) -> &syn::Pat {
    match pat {
        syn::Pat::Type(t) => &t.pat,
        other => other,
    }
}

fn collect_names(pat: &syn::Pat, out: &mut Vec<String>) {
    match pat {
        syn::Pat::Ident(p) => out.push(p.ident.to_string()),
        syn::Pat::Type(t) => collect_names(&t.pat, out),
        syn::Pat::Reference(r) => collect_names(&r.pat, out),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| collect_names(p, out)),
        syn::Pat::TupleStruct(t) => t.elems.iter().for_each(|p| collect_names(p, out)),
        syn::Pat::Struct(s) => s.fields.iter().for_each(|f| collect_names(&f.pat, out)),
        syn::Pat::Slice(s) => s.elems.iter().for_each(|p| collect_names(p, out)),
        syn::Pat::Or(o) => o.cases.iter().for_each(|p| collect_names(p, out)),
        syn::Pat::Paren(p) => collect_names(&p.pat, out),
        _ => {}
    }
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

fn report(cx: &mut FileCx<'_>, span: proc_macro2::Span, var: &str) {
    let Some(at) = cx.facts.shared_defaults.get(var).cloned() else {
        return;
    };
    cx.emit_related(&CONTEXT_VALUE_MUTATED_IN_PLACE, span, at);
}
