//! `context_guard_across_await`: a guard that makes a context current, still alive at an
//! `.await` of the same `async` body.
//!
//! ### What it does
//! Checks `async fn`s, `async` blocks and `async` closures for a `let` binding of a guard from
//! the catalogue's table ([`ctxlint_catalogue::apis::GUARDS`]: `Span::enter`,
//! `Span::entered`, `set_default`, OpenTelemetry's `Context::attach`) that is still in scope,
//! and not dropped, at an `.await` of the same body.
//!
//! ### Why is this bad?
//! The guard keeps its context current on the thread while the task is suspended: other
//! tasks polled there run inside it, and the task resumes where it is not current.
//!
//! The full documentation is in the catalogue (`ctxlint explain context_guard_across_await`).
//!
//! Syntax only tells a guard by the call that makes it, on a receiver whose type the walk
//! knows (a span macro, `Span::current()`, a parameter typed `Span`, …). Everything else is
//! left alone: a miss here is caught by the Dylint library, which reads the types the
//! coroutine holds across each `.await`.
//!
//! It runs inside the one walk of the file, on its hooks: each body is a frame, each block a
//! level of it; a `let` of a guard makes it live until its block ends or it is dropped, and an
//! `.await` (or a macro whose tokens hold one) reports the frame's live guards, each once.

use ctxlint_catalogue::apis::Guard;
use ctxlint_catalogue::{CONTEXT_GUARD_ACROSS_AWAIT, Level};

use crate::rust::types::bound_ident;
use crate::rust::walk::FileCx;
use crate::rust::walk::Pass;

/// The lint's pass: a stack of bodies, the innermost last.
#[derive(Default)]
pub(crate) struct ContextGuardAcrossAwait {
    frames: Vec<Frame>,
}

/// One body being walked.
struct Frame {
    /// The lint's level at the body (an `async` body not in test code); `None` when its
    /// guards are not tracked: a body that is not `async`, or test code (a test holds a
    /// subscriber or span for its whole body on purpose, on a runtime of its own).
    level: Option<Level>,
    /// How many blocks deep the walk is in this body.
    depth: usize,
    live: Vec<Live>,
}

/// A guard bound by `let` in the body.
struct Live {
    name: String,
    span: proc_macro2::Span,
    guard: &'static Guard,
    /// How many blocks deep it was bound: it goes out of scope with its block.
    depth: usize,
    reported: bool,
}

impl Pass for ContextGuardAcrossAwait {
    fn enter_body(&mut self, cx: &mut FileCx<'_>, is_async: bool) {
        let tracked = is_async && !cx.in_test();
        self.frames.push(Frame {
            level: tracked.then(|| cx.level(&CONTEXT_GUARD_ACROSS_AWAIT)),
            depth: 0,
            live: Vec::new(),
        });
    }

    fn exit_body(&mut self, _cx: &mut FileCx<'_>) {
        self.frames.pop();
    }

    fn enter_block(&mut self, _cx: &mut FileCx<'_>) {
        if let Some(frame) = self.frames.last_mut() {
            frame.depth += 1;
        }
    }

    fn exit_block(&mut self, _cx: &mut FileCx<'_>) {
        if let Some(frame) = self.frames.last_mut() {
            let depth = frame.depth;
            frame.live.retain(|l| l.depth < depth);
            frame.depth = depth.saturating_sub(1);
        }
    }

    fn check_stmt(&mut self, _cx: &mut FileCx<'_>, stmt: &syn::Stmt) {
        if let syn::Stmt::Expr(expr, _) = stmt
            && let Some(name) = dropped(expr)
            && let Some(frame) = self.frames.last_mut()
        {
            frame.live.retain(|l| l.name != name);
        }
    }

    fn check_local(&mut self, cx: &mut FileCx<'_>, local: &syn::Local) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        if frame.level.is_none() {
            return;
        }
        // `let _ = guard` drops it at once; other patterns are left alone.
        if let Some(init) = &local.init
            && let Some(guard) = cx.guard_of(&init.expr)
            && let Some(ident) = bound_ident(&local.pat)
        {
            frame.live.push(Live {
                name: ident.to_string(),
                span: ident.span(),
                guard,
                depth: frame.depth,
                reported: false,
            });
        }
    }

    fn check_await(&mut self, cx: &mut FileCx<'_>, _await: &syn::ExprAwait) {
        self.report(cx);
    }

    fn check_macro(&mut self, cx: &mut FileCx<'_>, mac: &syn::Macro) {
        // `tokio::select!`, `join!`, `assert!(f().await)`. The tokens are searched only when
        // there is something to report: every macro of every body passes here.
        if self.has_unreported() && mentions_await(&mac.tokens) {
            self.report(cx);
        }
    }
}

impl ContextGuardAcrossAwait {
    /// Whether [`ContextGuardAcrossAwait::report`] would report anything now.
    fn has_unreported(&self) -> bool {
        self.frames
            .last()
            .is_some_and(|f| f.level.is_some() && f.live.iter().any(|l| !l.reported))
    }

    /// Reports every live guard of the innermost body not reported yet: each once, at its
    /// binding.
    fn report(&mut self, cx: &mut FileCx<'_>) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        let Some(level) = frame.level else {
            return;
        };
        for guard in frame.live.iter_mut().filter(|l| !l.reported) {
            guard.reported = true;
            cx.emit_at_level(
                &CONTEXT_GUARD_ACROSS_AWAIT,
                level,
                guard.span,
                None,
                Some(guard.guard.help),
            );
        }
    }
}

/// `drop(x)`, `mem::drop(x)`, `std::mem::drop(x)` or `x.exit()`: the name of `x`.
fn dropped(expr: &syn::Expr) -> Option<String> {
    let name_of = |e: &syn::Expr| match e {
        syn::Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        _ => None,
    };
    match expr {
        syn::Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            syn::Expr::Path(f) if f.path.segments.last().is_some_and(|s| s.ident == "drop") => {
                c.args.first().and_then(name_of)
            }
            _ => None,
        },
        syn::Expr::MethodCall(m) if m.method == "exit" && m.args.is_empty() => name_of(&m.receiver),
        _ => None,
    }
}

/// Whether a macro's tokens hold `.await` (`tokio::select!`, `join!`, `assert!(f().await)`).
fn mentions_await(tokens: &proc_macro2::TokenStream) -> bool {
    let mut after_dot = false;
    for token in tokens.clone() {
        match token {
            proc_macro2::TokenTree::Ident(i) if after_dot && i == "await" => return true,
            proc_macro2::TokenTree::Group(g) if mentions_await(&g.stream()) => return true,
            proc_macro2::TokenTree::Punct(p) => {
                after_dot = p.as_char() == '.';
                continue;
            }
            _ => {}
        }
        after_dot = false;
    }
    false
}
