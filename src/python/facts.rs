//! Project facts: what the Python files of one project define at their top level, so that a
//! lint in one file knows about a function or class imported from another: which functions
//! are `async def`, what they are annotated to return, and which classes the source shows to
//! be immutable (frozen dataclasses, `NamedTuple`s, `Enum`s).

use std::collections::{HashMap, HashSet};

use ruff_python_ast::{Expr, ModModule, Stmt};

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ctxlint_catalogue::apis::{
    PYTHON_BUILTIN_MUTATORS, PYTHON_FROZEN_ALWAYS, PYTHON_FROZEN_WITH_ARGUMENT,
    PYTHON_IMMUTABLE_BASES, PYTHON_IMMUTABLE_CLASS_FACTORIES,
};

use crate::python::names::Names;
use crate::python::reads::{self, BodyFacts, BodyScope, MAX_CALL_DEPTH};
use crate::python::vars::{self, DefaultValue, Place, VarFacts};
use crate::python::{LineIndex, ModuleName};

/// What a top-level function is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FnFacts {
    /// `async def`.
    pub(crate) is_async: bool,
    /// The qualified name of its return annotation's head (`tuple` for `tuple[int, ...]`).
    pub(crate) returns: Option<String>,
}

/// What a top-level class is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ClassFacts {
    /// Its decorator or definition makes its instances immutable: a frozen dataclass or
    /// attrs class, or the result of `namedtuple(...)`, `NamedTuple(...)` or `Enum(...)`.
    pub(crate) frozen: bool,
    /// The qualified names of its bases.
    pub(crate) bases: Vec<String>,
    /// Its methods, by name: `true` for an `async def`.
    pub(crate) methods: HashMap<String, bool>,
    /// Its methods that write to `self`.
    pub(crate) mutating: HashSet<String>,
    /// Its methods that only raise (a mutator overridden to refuse).
    pub(crate) raising: HashSet<String>,
    /// Whether it declares `__slots__` of private names only (`('_x', '_y')`): its instances
    /// have no attribute but these, which by convention only the class writes.
    pub(crate) private_slots: bool,
}

/// The facts of one module.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleFacts {
    pub(crate) functions: HashMap<String, FnFacts>,
    pub(crate) classes: HashMap<String, ClassFacts>,
    /// Its `ContextVar`s, by name (`NAME`, or `Class.NAME` for one in a class body).
    pub(crate) vars: HashMap<String, VarFacts>,
    /// Its getters, by name (`f`, or `Class.m`): the qualified name of the variable whose
    /// `get()` they return.
    pub(crate) getters: HashMap<String, String>,
    /// What its functions and methods read and call, by name (`f`, or `Class.m`).
    pub(crate) bodies: HashMap<String, BodyFacts>,
    /// Its module-level objects made by a call (`bus = EventBus()`), by name: the qualified
    /// name of what was called, so that `bus.emit(..)` elsewhere is known as a method.
    pub(crate) instances: HashMap<String, String>,
}

/// Where a module's facts come from: its file and text, to place its declarations.
pub(crate) struct Source<'a> {
    pub(crate) path: &'a Arc<Path>,
    pub(crate) text: &'a str,
    pub(crate) index: &'a LineIndex,
}

/// Reads and parses the module at `path`, named `name`, for its facts; `None` when it cannot
/// be read or parsed (such a module is reported only when it is itself checked). A closure, so
/// that a check can keep the tree of a module it will lint (see `project.rs`).
#[derive(Clone)]
pub(crate) struct Loader(pub(crate) Arc<LoadFn>);

/// The function behind a [`Loader`].
pub(crate) type LoadFn = dyn Fn(&Path, &ModuleName) -> Option<ModuleFacts> + Send + Sync;

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loader")
    }
}

/// One module of a project: its facts, read when a lint first asks for them.
#[derive(Debug, Default)]
struct ModuleSlot {
    /// Where to read it from; `None` for a module given with its facts.
    source: Option<(PathBuf, ModuleName)>,
    facts: OnceLock<Option<ModuleFacts>>,
}

/// The facts of every module of a project, by dotted module name.
///
/// Only the names of the modules are known up front (from the project's file list): a
/// module's facts are read the first time a lookup needs that module, by the project's
/// [`Loader`], and kept. Every lookup names its module (`pkg.mod.NAME`), so a check parses
/// the linted files and the modules they reach, not the whole project; the answers are the
/// same as with every module read.
#[derive(Debug, Default)]
pub(crate) struct ProjectFacts {
    modules: HashMap<String, ModuleSlot>,
    loader: Option<Loader>,
    /// The lowest Python version the project supports (`requires-python`), if it says.
    pub(crate) min_python: Option<(u32, u32)>,
}

impl ModuleFacts {
    /// Reads the top-level definitions of `module`, resolving names with `names`; `module` is
    /// the dotted name that its own definitions are qualified with.
    pub(crate) fn of_module(
        module: &ModModule,
        names: &Names,
        dotted: &str,
        source: &Source<'_>,
    ) -> ModuleFacts {
        let mut facts = ModuleFacts::default();
        facts.add_body(&module.body, names, dotted, source);
        facts
    }

    fn add_body(&mut self, body: &[Stmt], names: &Names, dotted: &str, source: &Source<'_>) {
        let own = |name: &str| {
            if dotted.is_empty() {
                name.to_owned()
            } else {
                format!("{dotted}.{name}")
            }
        };
        for stmt in body {
            if let Some((name, var)) =
                vars::declared_var(stmt, names, source.path, source.text, source.index)
            {
                self.vars.insert(name, var);
            }
            match stmt {
                Stmt::FunctionDef(f) => {
                    if let Some(var) = vars::getter_of(f, names, None) {
                        self.getters.insert(f.name.as_str().to_owned(), var);
                    }
                    let scope = BodyScope {
                        names,
                        method_of: None,
                        contexts: Vec::new(),
                    };
                    self.bodies.insert(
                        f.name.as_str().to_owned(),
                        reads::scan_function(f, &scope, source),
                    );
                    let returns = f.returns.as_deref().and_then(|r| annotation_head(r, names));
                    self.functions.insert(
                        f.name.as_str().to_owned(),
                        FnFacts {
                            is_async: f.is_async,
                            returns,
                        },
                    );
                }
                Stmt::ClassDef(c) => {
                    let frozen = c
                        .decorator_list
                        .iter()
                        .any(|d| is_frozen_decorator(&d.expression, names));
                    // `class C(dict[str, object])` subclasses `dict`.
                    let bases = c
                        .arguments
                        .iter()
                        .flat_map(|a| a.args.iter())
                        .filter_map(|b| match b {
                            Expr::Subscript(s) => names.qualified(&s.value),
                            other => names.qualified(other),
                        })
                        .collect();
                    let class = c.name.as_str();
                    let mut facts = ClassFacts {
                        frozen,
                        bases,
                        ..ClassFacts::default()
                    };
                    facts.private_slots = c.body.iter().any(vars::declares_private_slots);
                    for s in &c.body {
                        if let Some((name, var)) =
                            vars::declared_var(s, names, source.path, source.text, source.index)
                        {
                            self.vars.insert(format!("{class}.{name}"), var);
                        }
                        let Stmt::FunctionDef(m) = s else {
                            continue;
                        };
                        let name = m.name.as_str().to_owned();
                        facts.methods.insert(name.clone(), m.is_async);
                        if let Some(var) = vars::getter_of(m, names, Some(&own(class))) {
                            self.getters.insert(format!("{class}.{name}"), var);
                        }
                        let qualified_class = own(class);
                        let first = m
                            .parameters
                            .iter()
                            .next()
                            .map(|p| p.as_parameter().name.as_str());
                        let is_static = m.decorator_list.iter().any(|d| {
                            matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod")
                        });
                        let scope = BodyScope {
                            names,
                            method_of: first
                                .filter(|_| !is_static)
                                .map(|first| (qualified_class.as_str(), first)),
                            contexts: Vec::new(),
                        };
                        self.bodies.insert(
                            format!("{class}.{name}"),
                            reads::scan_function(m, &scope, source),
                        );
                        if vars::only_raises(m) {
                            facts.raising.insert(name);
                        } else if vars::mutates_self(m) {
                            facts.mutating.insert(name);
                        }
                    }
                    self.classes.insert(class.to_owned(), facts);
                }
                Stmt::AnnAssign(a) => {
                    if let (Expr::Name(target), Some(Expr::Call(call))) =
                        (&*a.target, a.value.as_deref())
                        && let Some(func) = names.qualified(&call.func)
                    {
                        self.instances.insert(target.id.as_str().to_owned(), func);
                    }
                }
                Stmt::Assign(a) => {
                    let [Expr::Name(target)] = a.targets.as_slice() else {
                        continue;
                    };
                    let Expr::Call(call) = &*a.value else {
                        continue;
                    };
                    let Some(func) = names.qualified(&call.func) else {
                        continue;
                    };
                    self.instances
                        .insert(target.id.as_str().to_owned(), func.clone());
                    if PYTHON_IMMUTABLE_CLASS_FACTORIES.contains(&func.as_str()) {
                        self.classes.insert(
                            target.id.as_str().to_owned(),
                            ClassFacts {
                                frozen: true,
                                ..ClassFacts::default()
                            },
                        );
                    } else if func == "typing.NewType" || func == "typing_extensions.NewType" {
                        // Calling a `NewType` returns its argument: it is immutable when the
                        // wrapped type is.
                        let returns = call
                            .arguments
                            .args
                            .get(1)
                            .and_then(|t| annotation_head(t, names));
                        self.functions.insert(
                            target.id.as_str().to_owned(),
                            FnFacts {
                                is_async: false,
                                returns,
                            },
                        );
                    }
                }
                // Definitions under `if` / `try` at the top level (version checks, optional
                // imports) are top-level definitions too.
                Stmt::If(s) => {
                    self.add_body(&s.body, names, dotted, source);
                    for clause in &s.elif_else_clauses {
                        self.add_body(&clause.body, names, dotted, source);
                    }
                }
                Stmt::Try(s) => {
                    self.add_body(&s.body, names, dotted, source);
                    self.add_body(&s.orelse, names, dotted, source);
                }
                _ => {}
            }
        }
    }
}

fn is_frozen_decorator(expr: &Expr, names: &Names) -> bool {
    match expr {
        Expr::Call(call) => {
            let Some(func) = names.qualified(&call.func) else {
                return false;
            };
            PYTHON_FROZEN_ALWAYS.contains(&func.as_str())
                || (PYTHON_FROZEN_WITH_ARGUMENT.contains(&func.as_str())
                    && call.arguments.keywords.iter().any(|k| {
                        k.arg.as_ref().is_some_and(|a| a.as_str() == "frozen")
                            && matches!(&k.value, Expr::BooleanLiteral(b) if b.value)
                    }))
        }
        other => names
            .qualified(other)
            .is_some_and(|q| PYTHON_FROZEN_ALWAYS.contains(&q.as_str())),
    }
}

/// The qualified name of an annotation's head: `tuple` for `tuple[int, ...]`, `None` for
/// `None`, the name itself for a string annotation of a plain name.
pub(crate) fn annotation_head(expr: &Expr, names: &Names) -> Option<String> {
    match expr {
        Expr::Subscript(s) => annotation_head(&s.value, names),
        Expr::NoneLiteral(_) => Some("None".to_owned()),
        Expr::StringLiteral(s) => {
            let text = s.value.to_str();
            let valid = !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
            valid.then(|| names.resolve_text(text))
        }
        other => names.qualified(other),
    }
}

impl ProjectFacts {
    /// Facts that read the modules added with [`ProjectFacts::add_lazy`] with `loader`.
    pub(crate) fn with_loader(loader: Loader) -> ProjectFacts {
        ProjectFacts {
            loader: Some(loader),
            ..ProjectFacts::default()
        }
    }

    /// Adds the facts of the module named `dotted` (a later module of the same name replaces
    /// an earlier one).
    pub(crate) fn add_module(&mut self, dotted: String, facts: ModuleFacts) {
        let facts = OnceLock::from(Some(facts));
        self.modules.insert(
            dotted,
            ModuleSlot {
                source: None,
                facts,
            },
        );
    }

    /// Adds the module at `path`, named `name`, to be read when a lookup needs it.
    pub(crate) fn add_lazy(&mut self, name: ModuleName, path: PathBuf) {
        self.modules.insert(
            name.dotted.clone(),
            ModuleSlot {
                source: Some((path, name)),
                facts: OnceLock::new(),
            },
        );
    }

    /// Gives the facts of the module at `path`, named `dotted`, parsed by its own check, so
    /// that a lookup does not read it again; nothing when the name is another file's (a
    /// later module of the same name) or its facts are in already.
    pub(crate) fn offer(&self, path: &Path, dotted: &str, facts: ModuleFacts) {
        if let Some(slot) = self.modules.get(dotted)
            && slot.source.as_ref().is_some_and(|(p, _)| p == path)
        {
            // Already read by a lookup: the same facts.
            let _ = slot.facts.set(Some(facts));
        }
    }

    /// The facts of a module, read now if they were not.
    fn loaded<'a>(&'a self, slot: &'a ModuleSlot) -> Option<&'a ModuleFacts> {
        slot.facts
            .get_or_init(|| {
                let (path, name) = slot.source.as_ref()?;
                (self.loader.as_ref()?.0)(path, name)
            })
            .as_ref()
    }

    /// Finds `qualified` (`module.name`) in the project: a module whose dotted name is the
    /// qualified name's module, or ends with it (a `src/` layout, where the project directory
    /// is above the import root).
    fn find<'a, T>(
        &'a self,
        qualified: &str,
        get: impl Fn(&'a ModuleFacts, &str) -> Option<T>,
    ) -> Option<T> {
        let (module, name) = qualified.rsplit_once('.').unwrap_or(("", qualified));
        let suffix = format!(".{module}");
        self.modules
            .iter()
            .filter(|(m, _)| *m == module || (!module.is_empty() && m.ends_with(&suffix)))
            .find_map(|(_, slot)| get(self.loaded(slot)?, name))
    }

    /// Whether `qualified` names a module of the project.
    pub(crate) fn is_module(&self, qualified: &str) -> bool {
        let suffix = format!(".{qualified}");
        self.modules
            .keys()
            .any(|m| m == qualified || m.ends_with(&suffix))
    }

    /// The function that `qualified` names, if the project defines it.
    pub(crate) fn function(&self, qualified: &str) -> Option<&FnFacts> {
        self.find(qualified, |m, n| m.functions.get(n))
    }

    /// The class that `qualified` names, if the project defines it.
    pub(crate) fn class(&self, qualified: &str) -> Option<&ClassFacts> {
        self.find(qualified, |m, n| m.classes.get(n))
    }

    /// Whether the project's source shows instances of class `qualified` to be immutable.
    pub(crate) fn class_is_immutable(&self, qualified: &str) -> bool {
        let Some(class) = self.class(qualified) else {
            return false;
        };
        if class.frozen {
            return true;
        }
        // A subclass of an `Enum` is an `Enum`; a subclass of a project `NamedTuple` has a
        // `__dict__` unless it sets `__slots__`, so only the enum relation is followed.
        class
            .bases
            .iter()
            .any(|b| PYTHON_IMMUTABLE_BASES.contains(&b.as_str()))
            || self.is_enum(qualified, &mut HashSet::new())
            || self.refuses_every_mutator(qualified)
            || self.sealed_by_slots(qualified)
    }

    /// Whether class `qualified`, and every base of it (all the project's), declare private
    /// `__slots__` and write to `self` only in `__init__` (or `__new__`): instances that
    /// nothing but their constructor sets, read through methods and properties.
    fn sealed_by_slots(&self, qualified: &str) -> bool {
        let mut todo = vec![qualified.to_owned()];
        let mut seen = HashSet::new();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(class) = self.class(&name) else {
                return false;
            };
            let writers_ok = class
                .mutating
                .iter()
                .all(|m| matches!(m.as_str(), "__init__" | "__new__"));
            if !class.private_slots || !writers_ok {
                return false;
            }
            todo.extend(
                class
                    .bases
                    .iter()
                    .filter(|b| b.as_str() != "object")
                    .cloned(),
            );
        }
        true
    }

    /// Whether class `qualified` subclasses a built-in mutable container (in the project's
    /// class tree) and overrides every mutator of it to raise, in itself or a project base:
    /// a read-only mapping such as a `dict` subclass whose `__setitem__`, `update`, … raise.
    fn refuses_every_mutator(&self, qualified: &str) -> bool {
        let mut raising: HashSet<&str> = HashSet::new();
        let mut builtins: Vec<&str> = Vec::new();
        let mut todo = vec![qualified.to_owned()];
        let mut seen = HashSet::new();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(class) = self.class(&name) else {
                continue;
            };
            raising.extend(class.raising.iter().map(String::as_str));
            for base in &class.bases {
                match PYTHON_BUILTIN_MUTATORS
                    .iter()
                    .find(|(names, _)| names.contains(&base.as_str()))
                {
                    Some((_, mutators)) => builtins.extend(mutators.iter().copied()),
                    None => todo.push(base.clone()),
                }
            }
        }
        !builtins.is_empty() && builtins.iter().all(|m| raising.contains(m))
    }

    /// The `ContextVar` that `qualified` names: a module-level one (`pkg.mod.NAME`), or one in a
    /// class body (`pkg.mod.Class.NAME`, or the same name through a project subclass).
    pub(crate) fn var(&self, qualified: &str) -> Option<&VarFacts> {
        if let Some(found) = self.find(qualified, |m, n| m.vars.get(n)) {
            return Some(found);
        }
        let (class, name) = qualified.rsplit_once('.')?;
        self.class_member(class, |m, local_class| {
            m.vars.get(&format!("{local_class}.{name}"))
        })
    }

    /// The variable whose `get()` the getter `qualified` returns (a function `pkg.mod.f`, or a
    /// method `pkg.mod.Class.m`, through the project's base classes too).
    pub(crate) fn getter(&self, qualified: &str) -> Option<&str> {
        if let Some(found) = self.find(qualified, |m, n| m.getters.get(n)) {
            return Some(found);
        }
        let (class, name) = qualified.rsplit_once('.')?;
        self.class_member(class, |m, local_class| {
            m.getters.get(&format!("{local_class}.{name}"))
        })
        .map(String::as_str)
    }

    /// A member of class `class` (qualified) or of a project base of it: `get` is given the
    /// class's module and its name there.
    fn class_member<'a, T>(
        &'a self,
        class: &str,
        get: impl Fn(&'a ModuleFacts, &str) -> Option<T>,
    ) -> Option<T> {
        let mut todo = vec![class.to_owned()];
        let mut seen = HashSet::new();
        while let Some(class) = todo.pop() {
            if !seen.insert(class.clone()) {
                continue;
            }
            let (module, local) = class.rsplit_once('.').unwrap_or(("", &class));
            let suffix = format!(".{module}");
            let found = self
                .modules
                .iter()
                .filter(|(m, _)| *m == module || (!module.is_empty() && m.ends_with(&suffix)))
                .find_map(|(_, slot)| get(self.loaded(slot)?, local));
            if found.is_some() {
                return found;
            }
            if let Some(facts) = self.class(&class) {
                todo.extend(facts.bases.iter().cloned());
            }
        }
        None
    }

    /// Whether the value of a `ContextVar` with this default can be a mutable object: not
    /// absent, not immutable, not the result of a call that the project or the configuration
    /// shows immutable.
    pub(crate) fn default_may_be_mutable(
        &self,
        default: &DefaultValue,
        immutable_calls: &[String],
    ) -> bool {
        match default {
            DefaultValue::Absent | DefaultValue::Immutable => false,
            DefaultValue::Mutable | DefaultValue::Unknown => true,
            DefaultValue::Call(q) => {
                if immutable_calls.contains(q) {
                    return false;
                }
                if self.class(q).is_some() {
                    return !self.class_is_immutable(q);
                }
                self.function(q)
                    .and_then(|f| f.returns.as_deref())
                    .is_none_or(|r| {
                        !(ctxlint_catalogue::apis::PYTHON_IMMUTABLE_TYPES.contains(&r)
                            || self.class_is_immutable(r))
                    })
            }
        }
    }

    /// What the function or method that `qualified` names reads and calls: a function
    /// (`pkg.mod.f`), a method of a project class or of a base of it (`pkg.mod.Class.m`), or a
    /// method of a module-level object of a project class (`pkg.mod.bus.emit`).
    pub(crate) fn body(&self, qualified: &str) -> Option<&BodyFacts> {
        if let Some(found) = self.find(qualified, |m, n| m.bodies.get(n)) {
            return Some(found);
        }
        let (owner, name) = qualified.rsplit_once('.')?;
        let class = if self.class(owner).is_some() {
            owner.to_owned()
        } else {
            let made_by = self.find(owner, |m, n| m.instances.get(n))?;
            self.class(made_by)?;
            made_by.clone()
        };
        self.class_member(&class, |m, local| m.bodies.get(&format!("{local}.{name}")))
    }

    /// The first read of a project `ContextVar` that running `start` reaches: in its own body,
    /// or in a project function it calls, breadth first, up to [`MAX_CALL_DEPTH`] calls deep.
    /// The variable's qualified name, and where it is read.
    pub(crate) fn first_read<'s>(&'s self, start: &'s BodyFacts) -> Option<(&'s str, &'s Place)> {
        let mut level: Vec<&BodyFacts> = vec![start];
        let mut seen: HashSet<&str> = HashSet::new();
        for _ in 0..MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for body in level {
                if let Some((var, at)) = body.reads.iter().find(|(q, _)| self.var(q).is_some()) {
                    return Some((var.as_str(), at));
                }
                for call in &body.calls {
                    if seen.insert(call.as_str())
                        && let Some(callee) = self.body(call)
                    {
                        next.push(callee);
                    }
                }
            }
            if next.is_empty() {
                return None;
            }
            level = next;
        }
        None
    }

    /// Whether method `method` of class `qualified` (or of a project base) writes to `self`.
    pub(crate) fn method_mutates(&self, qualified: &str, method: &str) -> bool {
        self.class_member(qualified, |m, local| {
            m.classes
                .get(local)
                .and_then(|c| c.mutating.contains(method).then_some(()))
        })
        .is_some()
    }

    fn is_enum(&self, qualified: &str, seen: &mut HashSet<String>) -> bool {
        if !seen.insert(qualified.to_owned()) {
            return false;
        }
        let Some(class) = self.class(qualified) else {
            return false;
        };
        class.bases.iter().any(|b| {
            (b.starts_with("enum.") && PYTHON_IMMUTABLE_BASES.contains(&b.as_str()))
                || self.is_enum(b, seen)
        })
    }

    /// Whether method `method` of class `qualified` (or of a project base class) is an
    /// `async def`; `None` when the project does not define it.
    pub(crate) fn method_is_async(&self, qualified: &str, method: &str) -> Option<bool> {
        let mut seen = HashSet::new();
        self.method_in(qualified, method, &mut seen)
    }

    fn method_in(&self, class: &str, method: &str, seen: &mut HashSet<String>) -> Option<bool> {
        if !seen.insert(class.to_owned()) {
            return None;
        }
        let facts = self.class(class)?;
        if let Some(is_async) = facts.methods.get(method) {
            return Some(*is_async);
        }
        facts
            .bases
            .iter()
            .find_map(|base| self.method_in(base, method, seen))
    }
}

/// The lowest `major.minor` that a `requires-python` specifier allows, when it has a lower
/// bound (`>=3.11`, `~=3.9`, `>3.10`, `==3.12.*`); `None` when it allows every version.
pub(crate) fn min_python(spec: &str) -> Option<(u32, u32)> {
    let mut lowest: Option<(u32, u32)> = None;
    for clause in spec.split(',') {
        let clause = clause.trim();
        // Upper bounds (`<4`, `!=3.9.*`) say nothing about the lowest version. `>3.10` allows
        // 3.10.1, which is still 3.10, so it counts as `>=3.10`.
        let Some(version) = ["~=", ">=", "==", ">"]
            .iter()
            .find_map(|op| clause.strip_prefix(op).map(str::trim))
        else {
            continue;
        };
        let mut parts = version.split('.').map(|p| p.trim_end_matches('*'));
        let Some(Ok(major)) = parts.next().map(str::parse::<u32>) else {
            continue;
        };
        let minor: u32 = parts.next().unwrap_or("0").parse().unwrap_or(0);
        let bound = (major, minor);
        lowest = Some(lowest.map_or(bound, |l| l.max(bound)));
    }
    lowest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::ModuleName;

    fn facts(src: &str, module: &str) -> Result<ProjectFacts, Box<dyn std::error::Error>> {
        let parsed = ruff_python_parser::parse_module(src)?;
        let name = ModuleName {
            dotted: module.to_owned(),
            is_package: false,
        };
        let names = Names::of_module(parsed.syntax(), &name);
        let mut project = ProjectFacts::default();
        let index = LineIndex::new(src);
        let source = Source {
            path: &Arc::from(Path::new("t.py")),
            text: src,
            index: &index,
        };
        project.add_module(
            module.to_owned(),
            ModuleFacts::of_module(parsed.syntax(), &names, module, &source),
        );
        Ok(project)
    }

    #[test]
    fn immutable_classes_are_known() -> Result<(), Box<dyn std::error::Error>> {
        let src = "from dataclasses import dataclass\nimport enum, attrs\nfrom typing import NamedTuple\n\
                   from collections import namedtuple\n\
                   @dataclass(frozen=True)\nclass A: pass\n@dataclass\nclass B: pass\n\
                   class C(NamedTuple):\n    x: int\nclass D(enum.Enum):\n    X = 1\n\
                   class E(enum.Enum): pass\nclass F(E): pass\n@attrs.frozen\nclass G: pass\n\
                   P = namedtuple('P', 'x y')\nclass H: pass\n";
        let p = facts(src, "src.app.models")?;
        for (class, immutable) in [
            ("A", true),
            ("B", false),
            ("C", true),
            ("D", true),
            ("F", true),
            ("G", true),
            ("P", true),
            ("H", false),
        ] {
            assert_eq!(
                p.class_is_immutable(&format!("app.models.{class}")),
                immutable,
                "{class}"
            );
        }
        Ok(())
    }

    #[test]
    fn async_functions_and_methods_are_known() -> Result<(), Box<dyn std::error::Error>> {
        let src = "async def f(): pass\ndef g() -> tuple[int, ...]: pass\n\
                   class Base:\n    async def m(self): pass\nclass Sub(Base):\n    def n(self): pass\n";
        let p = facts(src, "app")?;
        assert_eq!(p.function("app.f").map(|f| f.is_async), Some(true));
        assert_eq!(
            p.function("app.g")
                .and_then(|f| f.returns.clone())
                .as_deref(),
            Some("tuple")
        );
        assert_eq!(p.method_is_async("app.Sub", "m"), Some(true));
        assert_eq!(p.method_is_async("app.Sub", "n"), Some(false));
        assert_eq!(p.method_is_async("app.Sub", "zz"), None);
        assert_eq!(p.function("other.f"), None);
        Ok(())
    }

    #[test]
    fn requires_python_lower_bounds() {
        assert_eq!(min_python(">=3.11"), Some((3, 11)));
        assert_eq!(min_python(">=3.8, <4"), Some((3, 8)));
        assert_eq!(min_python("<4"), None);
        assert_eq!(min_python("~=3.9"), Some((3, 9)));
        assert_eq!(min_python("==3.12.*"), Some((3, 12)));
    }
}
