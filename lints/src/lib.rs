//! ctxlint's lints as a [Dylint] library: the same lints as the `ctxlint` CLI, with the same
//! names and texts (all taken from `ctxlint-catalogue`), but decided with rustc's types.
//!
//! [Dylint]: https://github.com/trailofbits/dylint

#![feature(rustc_private)]
#![warn(unused_extern_crates)]

extern crate rustc_errors;
extern crate rustc_hir;
extern crate rustc_lint;
extern crate rustc_middle;
extern crate rustc_session;
extern crate rustc_span;

dylint_linting::dylint_library!();

pub mod context_guard_across_await;
pub mod context_value_mutated_in_place;
pub mod context_var_in_function;
pub mod interior_mutable_default;
pub mod spawn_without_context;
pub mod sync_run_wraps_future;
// new-lint: modules (scripts/new-lint.py adds a lint's module above this line)

use ctxlint_catalogue::{Form, Language, Lint};
use rustc_lint::LintStore;
use rustc_session::Session;

/// Every lint of this library, in the catalogue's order, with the function that registers its
/// pass (reading its options from `dylint.toml` first).
///
/// The lints are read by a function, not held in a `static` array: rustc tells lints apart by
/// the address of their `Lint` (`LintId` compares pointers). With a `static` array initialised
/// from the lint statics registered instead, `#[allow]`, `#[deny]` and `-D` stopped applying to
/// what the passes emitted (every finding kept the default level), as if the two held
/// different addresses. Reading the statics at run time registers the very references the
/// passes emit with; the UI cases `levels`, `imd_suppressed` and `srwf_suppressed` guard this.
type Registration = (&'static rustc_lint::Lint, fn(&Session, &mut LintStore));

fn registry() -> Vec<Registration> {
    vec![
        (
            interior_mutable_default::INTERIOR_MUTABLE_DEFAULT,
            interior_mutable_default::register,
        ),
        (
            sync_run_wraps_future::SYNC_RUN_WRAPS_FUTURE,
            sync_run_wraps_future::register,
        ),
        (
            context_guard_across_await::CONTEXT_GUARD_ACROSS_AWAIT,
            context_guard_across_await::register,
        ),
        (
            context_value_mutated_in_place::CONTEXT_VALUE_MUTATED_IN_PLACE,
            context_value_mutated_in_place::register,
        ),
        (
            context_var_in_function::CONTEXT_VAR_IN_FUNCTION,
            context_var_in_function::register,
        ),
        (
            spawn_without_context::SPAWN_WITHOUT_CONTEXT,
            spawn_without_context::register,
        ),
        // new-lint: registry (scripts/new-lint.py adds a lint above this line)
    ]
}

/// Every lint of this library, in the catalogue's order.
pub fn lints() -> Vec<&'static rustc_lint::Lint> {
    registry().into_iter().map(|(lint, _)| lint).collect()
}

/// The entry point that `cargo dylint` calls when it loads the library.
// The driver looks this symbol up by name, so it must not be mangled; it is a Rust-ABI
// function because the driver is the same rustc build that compiled this library.
#[expect(clippy::no_mangle_with_rust_abi)]
#[unsafe(no_mangle)]
pub fn register_lints(sess: &Session, lint_store: &mut LintStore) {
    // `init_config` must run before any `dylint.toml` table is read.
    dylint_linting::init_config(sess);
    lint_store.register_lints(&lints());
    for (_, register) in registry() {
        register(sess, lint_store);
    }
}

/// The Rust form of a catalogue lint: its messages and docs as this library reports them. Every
/// lint this library declares has one (a test checks it); the primary form keeps this total.
pub fn rust_form(lint: &'static Lint) -> &'static Form {
    lint.form(Language::Rust).unwrap_or_else(|| lint.primary())
}

/// Reads the lint's table of `dylint.toml` (named after the lint), reporting a malformed one as
/// a compile error rather than a panic. The table's type is the catalogue's, which the CLI
/// reads from `ctxlint.toml` too: the keys and their errors are the same in both files.
fn read_config<T: Default + serde::de::DeserializeOwned>(
    sess: &Session,
    lint: &rustc_lint::Lint,
) -> T {
    let name = lint.name_lower();
    match dylint_linting::config::<T>(&name) {
        Ok(config) => config.unwrap_or_default(),
        Err(error) => {
            sess.dcx().err(format!(
                "invalid `[{name}]` table in `dylint.toml`: {error}"
            ));
            T::default()
        }
    }
}

/// The static a path expression names (`VAR` in `VAR.get()`).
fn static_of(expr: &rustc_hir::Expr<'_>) -> Option<rustc_hir::def_id::DefId> {
    use rustc_hir::def::{DefKind, Res};
    match expr.kind {
        rustc_hir::ExprKind::Path(rustc_hir::QPath::Resolved(None, path)) => match path.res {
            Res::Def(DefKind::Static { .. }, def_id) => Some(def_id),
            _ => None,
        },
        _ => None,
    }
}

/// A configured runner's or guard's text, kept for the whole compilation as the catalogue's
/// `'static` texts are. The configuration is read once per rustc session, so this leaks a few
/// bytes once.
fn leak_str(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::lints;
    use ctxlint_catalogue::Level;

    /// The names, levels and summaries that rustc sees must be the catalogue's, for every lint
    /// with a Rust form. (The messages, labels, notes, helps and docs are read from the
    /// catalogue directly, so they cannot drift.)
    #[test]
    fn lints_match_the_catalogue() {
        let rust: Vec<_> = ctxlint_catalogue::LINTS
            .iter()
            .filter(|l| l.form(ctxlint_catalogue::Language::Rust).is_some())
            .collect();
        assert_eq!(lints().len(), rust.len(), "a lint is missing on one side");
        for (lint, entry) in lints().iter().zip(rust) {
            assert_eq!(lint.name_lower(), entry.name, "names or order differ");
            assert_eq!(
                lint.desc, entry.summary,
                "{}: the description differs",
                entry.name
            );
            let level = match entry.default_level {
                Level::Allow => rustc_lint::Level::Allow,
                Level::Warn => rustc_lint::Level::Warn,
                Level::Deny => rustc_lint::Level::Deny,
            };
            assert_eq!(
                lint.default_level, level,
                "{}: the default level differs",
                entry.name
            );
        }
    }
}
