//! Name resolution: what a name or an attribute chain refers to, as a qualified name such as
//! `contextvars.ContextVar` or `app.handlers.fetch`, from the module's imports and its own
//! top-level definitions.
//!
//! Builtins resolve to their bare name (`list`, `frozenset`). Imports are read from the whole
//! module, including those inside functions and `if TYPE_CHECKING:` blocks; local variables
//! that shadow a name are the walk's business (it asks only for names it has not bound).

use std::collections::HashMap;

use ruff_python_ast::{Expr, ModModule, Stmt};

use crate::python::ModuleName;

/// The names a module binds to other modules' objects and to its own top-level definitions.
#[derive(Debug, Default)]
pub(crate) struct Names {
    map: HashMap<String, String>,
    /// The local names that an `import` statement binds: each is a module.
    modules: std::collections::HashSet<String>,
    /// The qualified names of the modules that `import` statements name, with their parent
    /// packages: `import concurrent.futures` gives `concurrent` and `concurrent.futures`.
    dotted_modules: std::collections::HashSet<String>,
}

impl Names {
    /// Reads the imports and top-level definitions of `module`, named `name`.
    pub(crate) fn of_module(module: &ModModule, name: &ModuleName) -> Names {
        let mut names = Names::default();
        names.add_body(&module.body, name, true);
        names
    }

    /// Binds `local` to `full`, unless this is a fallback (an `except` handler's body) and the
    /// name is bound already: `try: from contextvars import ContextVar` then `except
    /// ImportError: ContextVar = None` (or a stand-in class) keeps the import.
    fn bind(&mut self, local: &str, full: String, fallback: bool) {
        if fallback && self.map.contains_key(local) {
            return;
        }
        self.map.insert(local.to_owned(), full);
    }

    fn add_body(&mut self, body: &[Stmt], module: &ModuleName, top: bool) {
        self.add_body_as(body, module, top, false);
    }

    fn add_body_as(&mut self, body: &[Stmt], module: &ModuleName, top: bool, fallback: bool) {
        let own = |n: &str| {
            if module.dotted.is_empty() {
                n.to_owned()
            } else {
                format!("{}.{n}", module.dotted)
            }
        };
        for stmt in body {
            match stmt {
                Stmt::Import(import) => {
                    for alias in &import.names {
                        let full = alias.name.as_str();
                        let mut prefix = String::new();
                        for part in full.split('.') {
                            if !prefix.is_empty() {
                                prefix.push('.');
                            }
                            prefix.push_str(part);
                            self.dotted_modules.insert(prefix.clone());
                        }
                        match &alias.asname {
                            Some(local) => {
                                self.bind(local.as_str(), full.to_owned(), fallback);
                                self.modules.insert(local.as_str().to_owned());
                            }
                            // `import a.b` binds `a`.
                            None => {
                                let head = full.split('.').next().unwrap_or(full);
                                self.bind(head, head.to_owned(), fallback);
                                self.modules.insert(head.to_owned());
                            }
                        }
                    }
                }
                Stmt::ImportFrom(from) => {
                    let base = match (from.level, &from.module) {
                        (0, Some(m)) => Some(m.as_str().to_owned()),
                        (0, None) => None,
                        (level, m) => module.package_for(level).map(|pkg| {
                            let parts = [pkg.as_str(), m.as_ref().map_or("", |m| m.as_str())];
                            parts
                                .iter()
                                .filter(|p| !p.is_empty())
                                .copied()
                                .collect::<Vec<_>>()
                                .join(".")
                        }),
                    };
                    let Some(base) = base else { continue };
                    for alias in &from.names {
                        if alias.name.as_str() == "*" {
                            continue;
                        }
                        let local = alias.asname.as_ref().unwrap_or(&alias.name).as_str();
                        let full = if base.is_empty() {
                            alias.name.as_str().to_owned()
                        } else {
                            format!("{base}.{}", alias.name.as_str())
                        };
                        self.bind(local, full, fallback);
                    }
                }
                Stmt::FunctionDef(f) => {
                    if top {
                        self.bind(f.name.as_str(), own(f.name.as_str()), fallback);
                    }
                    self.add_body_as(&f.body, module, false, fallback);
                }
                Stmt::ClassDef(c) => {
                    if top {
                        self.bind(c.name.as_str(), own(c.name.as_str()), fallback);
                    }
                    self.add_body_as(&c.body, module, false, fallback);
                }
                Stmt::Assign(a) if top => {
                    for target in &a.targets {
                        if let Expr::Name(n) = target {
                            self.bind(n.id.as_str(), own(n.id.as_str()), fallback);
                        }
                    }
                }
                // `_stack: ContextVar[tuple] = ContextVar(..)`.
                Stmt::AnnAssign(a) if top && a.value.is_some() => {
                    if let Expr::Name(n) = &*a.target {
                        self.bind(n.id.as_str(), own(n.id.as_str()), fallback);
                    }
                }
                Stmt::If(s) => {
                    self.add_body_as(&s.body, module, top, fallback);
                    for clause in &s.elif_else_clauses {
                        self.add_body_as(&clause.body, module, top, fallback);
                    }
                }
                Stmt::Try(s) => {
                    self.add_body_as(&s.body, module, top, fallback);
                    for handler in &s.handlers {
                        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                        self.add_body_as(&h.body, module, top, true);
                    }
                    self.add_body_as(&s.orelse, module, top, fallback);
                    self.add_body_as(&s.finalbody, module, top, fallback);
                }
                Stmt::With(s) => self.add_body_as(&s.body, module, top, fallback),
                Stmt::For(s) => self.add_body_as(&s.body, module, top, fallback),
                Stmt::While(s) => self.add_body_as(&s.body, module, top, fallback),
                _ => {}
            }
        }
    }

    /// The qualified name of `expr`, a name or an attribute chain over one; `None` for other
    /// expressions.
    pub(crate) fn qualified(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(n) => {
                let id = n.id.as_str();
                Some(self.map.get(id).cloned().unwrap_or_else(|| id.to_owned()))
            }
            Expr::Attribute(a) => {
                let base = self.qualified(&a.value)?;
                Some(format!("{base}.{}", a.attr.as_str()))
            }
            _ => None,
        }
    }

    /// Whether the module binds `name` (an import or a top-level definition): a name it does
    /// not bind is a builtin or a local.
    pub(crate) fn binds(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Whether `name` is bound by an `import` statement, and so names a module.
    pub(crate) fn is_module(&self, name: &str) -> bool {
        self.modules.contains(name)
    }

    /// Whether the qualified `name` is a module that an `import` statement names, or a parent
    /// package of one.
    pub(crate) fn is_imported_module(&self, qualified: &str) -> bool {
        self.dotted_modules.contains(qualified)
    }

    /// The qualified name of a dotted name written as text (a string annotation).
    pub(crate) fn resolve_text(&self, dotted: &str) -> String {
        let (head, rest) = match dotted.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (dotted, None),
        };
        let base = self
            .map
            .get(head)
            .cloned()
            .unwrap_or_else(|| head.to_owned());
        match rest {
            Some(rest) => format!("{base}.{rest}"),
            None => base,
        }
    }

    /// The local name that module `module` is imported as (`asyncio` for `import asyncio`,
    /// `aio` for `import asyncio as aio`), if any.
    pub(crate) fn module_alias(&self, module: &str) -> Option<&str> {
        let mut found: Vec<&str> = self
            .map
            .iter()
            .filter(|(_, full)| full.as_str() == module)
            .map(|(local, _)| local.as_str())
            .collect();
        // The module's own name first, then a stable choice.
        found.sort_by_key(|local| (*local != module, *local));
        found.first().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(src: &str, expr: &str, module: &str, is_package: bool) -> Option<String> {
        let parsed = ruff_python_parser::parse_module(src).ok()?;
        let name = ModuleName {
            dotted: module.to_owned(),
            is_package,
        };
        let names = Names::of_module(parsed.syntax(), &name);
        let expr = ruff_python_parser::parse_expression(expr).ok()?;
        names.qualified(&expr.syntax().body)
    }

    #[test]
    fn every_import_form_resolves() {
        let src = "import contextvars\nimport contextvars as cv\nfrom contextvars import ContextVar as CV\n\
                   import a.b\nfrom .sib import f\nfrom .. import up\nfrom functools import partial\n\
                   def local(): pass\nannotated: int = 1\nbare: int\n";
        let r = |e: &str| resolve(src, e, "pkg.sub.mod", false);
        assert_eq!(
            r("contextvars.ContextVar").as_deref(),
            Some("contextvars.ContextVar")
        );
        assert_eq!(
            r("cv.ContextVar").as_deref(),
            Some("contextvars.ContextVar")
        );
        assert_eq!(r("CV").as_deref(), Some("contextvars.ContextVar"));
        assert_eq!(r("a.b.c").as_deref(), Some("a.b.c"));
        assert_eq!(r("f").as_deref(), Some("pkg.sub.sib.f"));
        assert_eq!(r("up.g").as_deref(), Some("pkg.up.g"));
        assert_eq!(r("partial").as_deref(), Some("functools.partial"));
        assert_eq!(r("local").as_deref(), Some("pkg.sub.mod.local"));
        assert_eq!(r("annotated").as_deref(), Some("pkg.sub.mod.annotated"));
        // An annotation without a value binds nothing.
        assert_eq!(r("bare").as_deref(), Some("bare"));
        assert_eq!(r("list").as_deref(), Some("list"));
        assert_eq!(r("f()"), None);
    }

    #[test]
    fn relative_imports_in_a_package_init() {
        assert_eq!(
            resolve("from .mod import f\n", "f", "pkg", true).as_deref(),
            Some("pkg.mod.f")
        );
    }
}
