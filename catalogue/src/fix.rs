//! The rewrite that fixes a runner's finding, as a template both drivers render with
//! [`Fix::render`]: each driver only writes out the operands of the call it found.

/// The rewrite that fixes a runner's finding: the future-side call that replaces
/// `runner(.., || fut)`. `fut` is the future the closure made, `recv` the runner's receiver and
/// `first` its first argument before the closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// No rewrite: the `help:` says what to do (a configured runner, or a runner whose
    /// future-side API takes something the call does not have).
    None,
    /// `recv.scope_mut(fut)`, or `recv.scope(fut)` on a temporary context, which `scope`
    /// takes by value (`contextvars`).
    ContextScope,
    /// `recv.METHOD(first, fut)`, or `Type::METHOD(recv, first, fut)` for the path form
    /// (tokio's `KEY.scope(value, fut)`).
    OnReceiver {
        /// The method that binds the future.
        method: &'static str,
    },
    /// `fut.METHOD(operand)`: a method of an extension trait on futures.
    OnFuture {
        /// The extension trait's method.
        method: &'static str,
        /// What it is given.
        operand: Operand,
        /// The trait, which must be in scope for the rewrite to compile.
        trait_name: &'static str,
        /// The crates that export it; one `use` of any of them brings it in scope.
        trait_crates: &'static [&'static str],
    },
}

/// The value given to a [`Fix::OnFuture`] method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    /// The runner's receiver, by value: a place is cloned, a temporary moved (`span`).
    Receiver,
    /// The runner's first argument, as written (the subscriber, the hub).
    First,
}

/// How a method-form runner's receiver is held, which decides whether the rewrite borrows,
/// clones or moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// A place or a reference (`ctx`, `self.span`, `&span`): borrowed by `scope_mut`, cloned
    /// where it is taken by value.
    Place,
    /// A temporary (`copy_context()`, `info_span!(..)`): given away.
    Temporary,
}

/// The operands of the call a driver found, written out as source text. The texts are put in
/// the template as they are: a driver parenthesises an operand that needs it (`(a + b).m()`).
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The future the closure makes (`work(1)`, `async { .. }`).
    pub future: &'a str,
    /// The receiver and how it is held; `None` for a function runner.
    pub receiver: Option<(&'a str, Held)>,
    /// The first argument, when the closure is not the first.
    pub first: Option<&'a str>,
    /// For the path form of a method (`Context::run(&mut ctx, f)`), what precedes the
    /// runner's name, `::` included (`Context::`).
    pub path_prefix: Option<&'a str>,
}

impl Fix {
    /// The rewrite of `call`, or `None` when the template has none or needs an operand the
    /// call lacks.
    ///
    /// ```
    /// use ctxlint_catalogue::fix::{Call, Held};
    /// let fix = ctxlint_catalogue::apis::runner("tracing::Span::in_scope").unwrap().fix;
    /// let call = Call { future: "work()", receiver: Some(("span", Held::Place)), first: None, path_prefix: None };
    /// assert_eq!(fix.render(&call).as_deref(), Some("work().instrument(span.clone())"));
    /// ```
    pub fn render(&self, call: &Call<'_>) -> Option<String> {
        let fut = call.future;
        match *self {
            Fix::None => None,
            Fix::ContextScope => {
                let (recv, held) = call.receiver?;
                Some(match (call.path_prefix, held) {
                    (Some(prefix), _) => format!("{prefix}scope_mut({recv}, {fut})"),
                    // A temporary context is given away: `scope_mut` would borrow a value
                    // that dies with the statement.
                    (None, Held::Temporary) => format!("{recv}.scope({fut})"),
                    (None, Held::Place) => format!("{recv}.scope_mut({fut})"),
                })
            }
            Fix::OnReceiver { method } => {
                let ((recv, _), first) = (call.receiver?, call.first?);
                Some(match call.path_prefix {
                    Some(prefix) => format!("{prefix}{method}({recv}, {first}, {fut})"),
                    None => format!("{recv}.{method}({first}, {fut})"),
                })
            }
            Fix::OnFuture {
                method, operand, ..
            } => {
                let operand = match operand {
                    Operand::Receiver => match call.receiver? {
                        // `&span` of the path form `Span::in_scope(&span, f)`: the clone is of
                        // the span, not of the reference.
                        (recv, Held::Place) if recv.starts_with(['&', '*']) => {
                            format!("({recv}).clone()")
                        }
                        (recv, Held::Place) => format!("{recv}.clone()"),
                        (recv, Held::Temporary) => recv.to_owned(),
                    },
                    Operand::First => call.first?.to_owned(),
                };
                Some(format!("{fut}.{method}({operand})"))
            }
        }
    }

    /// The extension trait the rewrite needs in scope, and the crates that export it.
    pub fn needs_trait(&self) -> Option<(&'static str, &'static [&'static str])> {
        match *self {
            Fix::OnFuture {
                trait_name,
                trait_crates,
                ..
            } => Some((trait_name, trait_crates)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(recv: Option<(&'a str, Held)>, first: Option<&'a str>) -> Call<'a> {
        Call {
            future: "fut()",
            receiver: recv,
            first,
            path_prefix: None,
        }
    }

    #[test]
    fn every_template_renders() {
        let scope = Fix::ContextScope;
        assert_eq!(
            scope.render(&call(Some(("ctx", Held::Place)), None)),
            Some("ctx.scope_mut(fut())".to_owned())
        );
        assert_eq!(
            scope.render(&call(Some(("copy_context()", Held::Temporary)), None)),
            Some("copy_context().scope(fut())".to_owned())
        );
        let path = Call {
            path_prefix: Some("Context::"),
            ..call(Some(("&mut ctx", Held::Place)), None)
        };
        assert_eq!(
            scope.render(&path),
            Some("Context::scope_mut(&mut ctx, fut())".to_owned())
        );
        let on_recv = Fix::OnReceiver { method: "scope" };
        assert_eq!(
            on_recv.render(&call(Some(("KEY", Held::Place)), Some("7"))),
            Some("KEY.scope(7, fut())".to_owned())
        );
        assert_eq!(
            on_recv.render(&call(Some(("KEY", Held::Place)), None)),
            None
        );
        let on_fut = Fix::OnFuture {
            method: "bind_hub",
            operand: Operand::First,
            trait_name: "SentryFutureExt",
            trait_crates: &["sentry"],
        };
        assert_eq!(
            on_fut.render(&call(None, Some("hub"))),
            Some("fut().bind_hub(hub)".to_owned())
        );
        assert_eq!(Fix::None.render(&call(None, None)), None);
        let instrument = Fix::OnFuture {
            method: "instrument",
            operand: Operand::Receiver,
            trait_name: "Instrument",
            trait_crates: &["tracing"],
        };
        assert_eq!(
            instrument.render(&call(Some(("&span", Held::Place)), None)),
            Some("fut().instrument((&span).clone())".to_owned())
        );
    }
}
