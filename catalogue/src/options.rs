//! Each lint's options, declared once: the CLI reads them from `ctxlint.toml` (or
//! `[package.metadata.ctxlint]`, `[tool.ctxlint]`), the Dylint library from the lint's table of
//! `dylint.toml`. Both deserialize these very types, so the keys, their defaults and the
//! errors for an unknown key are the same in both files.
//!
//! ```
//! let options = ctxlint_catalogue::options::Options::default();
//! assert!(options.lints.is_empty());
//! assert!(options.interior_mutable_default.extra_types.is_empty());
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::apis::{Guard, GuardOf, Receiver, Runner, RunnerCall};
use crate::fix::Fix;

/// The whole configuration table: `[lints]` (levels, read by the CLI; the Dylint library takes
/// levels from rustc's flags and attributes) and one table of options per lint that has any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
    /// Levels by lint name or code: `interior_mutable_default = "deny"`.
    pub lints: BTreeMap<String, String>,
    /// The directories of a Rust package whose every file is test code, at any depth; `None`
    /// for cargo's `tests` (`test-dirs = []` judges even those). The Dylint library sees
    /// test code through rustc (`#[cfg(test)]`, `--test` crates) and does not read it.
    pub test_dirs: Option<Vec<String>>,
    /// `[interior_mutable_default]`.
    #[serde(rename = "interior_mutable_default")]
    pub interior_mutable_default: InteriorMutableDefault,
    /// `[sync_run_wraps_future]`.
    #[serde(rename = "sync_run_wraps_future")]
    pub sync_run_wraps_future: SyncRunWrapsFuture,
    /// `[context_guard_across_await]`.
    #[serde(rename = "context_guard_across_await")]
    pub context_guard_across_await: ContextGuardAcrossAwait,
    // A lint with options adds its table here and its struct below (the scaffolder writes
    // none: most lints have no options).
}

/// The options of `interior_mutable_default`.
///
/// ```toml
/// [interior_mutable_default]
/// extra-types = ["my_crate::Shared"]            # also interior-mutable (Rust)
/// ignore-types = ["bytes::Bytes"]               # known to be immutable (Rust)
/// extend-immutable-calls = ["app.config.load"]  # calls known to return immutables (Python)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct InteriorMutableDefault {
    /// Rust: types to treat as interior-mutable although no well-known lock or cell is seen in
    /// them, written as paths (`my_crate::Handle`).
    pub extra_types: Vec<String>,
    /// Rust: types never to treat as interior-mutable, and not to look into
    /// (`bytes::Bytes`).
    pub ignore_types: Vec<String>,
    /// Python: qualified names of calls known to return immutable values
    /// (`app.settings.load`), as ruff's `extend-immutable-calls`.
    pub extend_immutable_calls: Vec<String>,
}

/// The options of `sync_run_wraps_future`.
///
/// ```toml
/// [sync_run_wraps_future]
/// extra-runners = [
///   { path = "my_crate::Scope::run_in", method = true, closure = 0, help = "use `scope.bind(fut)`" },
/// ]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SyncRunWrapsFuture {
    /// Runners of the project's own, checked as the catalogue's are, with their help.
    pub extra_runners: Vec<ExtraRunner>,
}

/// The options of `context_guard_across_await`.
///
/// ```toml
/// [context_guard_across_await]
/// extra-guards = [
///   { type = "my_crate::TenantGuard", made-by = ["my_crate::enter_tenant"], help = "use `bind_tenant(t, fut)`" },
/// ]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContextGuardAcrossAwait {
    /// Guards of the project's own, checked as the catalogue's are, with their help.
    pub extra_guards: Vec<ExtraGuard>,
}

/// One entry of `extra-runners`: `{ path = "my_crate::Scope::run_in", method = true,
/// closure = 0, help = "use `scope.bind(fut)`" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExtraRunner {
    /// The def path of the runner.
    pub path: String,
    /// Whether it is a method (`scope.run_in(f)`), rather than a function.
    #[serde(default)]
    pub method: bool,
    /// The position of the closure among the arguments, not counting a receiver.
    #[serde(default)]
    pub closure: usize,
    /// The `help:` of a finding.
    pub help: String,
}

/// One entry of `extra-guards`: `{ type = "my_crate::TenantGuard", made-by =
/// ["my_crate::enter_tenant", ".pin_tenant()"], help = "use `bind_tenant(t, fut)`" }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExtraGuard {
    /// The def path of the guard's type.
    #[serde(rename = "type")]
    pub ty: String,
    /// The calls that return it (a path, or `.method()`): the CLI finds guards by these.
    /// The Dylint library sees the type itself and does not read them.
    pub made_by: Vec<String>,
    /// The `help:` of a finding.
    pub help: String,
}

impl ExtraRunner {
    /// The runner, with its strings made `'static` by `keep` (which may leak or intern
    /// them): a configured runner has no rewrite, only its help.
    pub fn to_runner(&self, mut keep: impl FnMut(&str) -> &'static str) -> Runner {
        Runner {
            path: keep(&self.path),
            aliases: &[],
            call: if self.method {
                RunnerCall::Method
            } else {
                RunnerCall::Function
            },
            receiver: Receiver::Named,
            closure: self.closure,
            in_result: false,
            help: keep(&self.help),
            fix: Fix::None,
        }
    }
}

impl ExtraGuard {
    /// The guard, with its strings made `'static` by `keep`, and the list of calls by
    /// `keep_list`.
    pub fn to_guard(
        &self,
        mut keep: impl FnMut(&str) -> &'static str,
        keep_list: impl FnOnce(Vec<&'static str>) -> &'static [&'static str],
    ) -> Guard {
        let made_by = self.made_by.iter().map(|call| keep(call)).collect();
        Guard {
            ty: keep(&self.ty),
            made_by: keep_list(made_by),
            of: GuardOf::Any,
            help: keep(&self.help),
        }
    }
}
