//! Project facts: what the Python files of one project define at their top level, so that a
//! lint in one file knows about a function or class imported from another: which functions
//! are `async def`, what they are annotated to return, and which classes the source shows to
//! be immutable (frozen dataclasses, `NamedTuple`s, `Enum`s).

use std::collections::{HashMap, HashSet};

use ruff_python_ast::{Expr, ModModule, Stmt};

use ctxlint_catalogue::apis::{
    PYTHON_FROZEN_ALWAYS, PYTHON_FROZEN_WITH_ARGUMENT, PYTHON_IMMUTABLE_BASES,
    PYTHON_IMMUTABLE_CLASS_FACTORIES,
};

use crate::python::names::Names;

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
}

/// The facts of one module.
#[derive(Debug, Clone, Default)]
pub(crate) struct ModuleFacts {
    pub(crate) functions: HashMap<String, FnFacts>,
    pub(crate) classes: HashMap<String, ClassFacts>,
}

/// The facts of every module of a project, by dotted module name.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectFacts {
    modules: HashMap<String, ModuleFacts>,
    /// The lowest Python version the project supports (`requires-python`), if it says.
    pub(crate) min_python: Option<(u32, u32)>,
}

impl ModuleFacts {
    /// Reads the top-level definitions of `module`, resolving names with `names`.
    pub(crate) fn of_module(module: &ModModule, names: &Names) -> ModuleFacts {
        let mut facts = ModuleFacts::default();
        facts.add_body(&module.body, names);
        facts
    }

    fn add_body(&mut self, body: &[Stmt], names: &Names) {
        for stmt in body {
            match stmt {
                Stmt::FunctionDef(f) => {
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
                    let bases = c
                        .arguments
                        .iter()
                        .flat_map(|a| a.args.iter())
                        .filter_map(|b| names.qualified(b))
                        .collect();
                    let methods = c
                        .body
                        .iter()
                        .filter_map(|s| match s {
                            Stmt::FunctionDef(m) => Some((m.name.as_str().to_owned(), m.is_async)),
                            _ => None,
                        })
                        .collect();
                    self.classes.insert(
                        c.name.as_str().to_owned(),
                        ClassFacts {
                            frozen,
                            bases,
                            methods,
                        },
                    );
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
                    self.add_body(&s.body, names);
                    for clause in &s.elif_else_clauses {
                        self.add_body(&clause.body, names);
                    }
                }
                Stmt::Try(s) => {
                    self.add_body(&s.body, names);
                    self.add_body(&s.orelse, names);
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
    /// Adds the facts of the module named `dotted`.
    pub(crate) fn add_module(&mut self, dotted: String, facts: ModuleFacts) {
        self.modules.insert(dotted, facts);
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
            .find_map(|(_, facts)| get(facts, name))
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
        project.add_module(
            module.to_owned(),
            ModuleFacts::of_module(parsed.syntax(), &names),
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
