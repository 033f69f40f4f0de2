//! `context_guard_across_await` (CTX003) where the span's type comes from the crate's own
//! facts: a method of a trait of the crate declared `-> Span`, a field of a struct declared in
//! another module, a pattern over a channel whose element type holds a `Span` (in `while let`,
//! in `match`, in `tokio::select!`, through a type alias), and a closure parameter declared
//! `Span`. Against the same shapes where the value is not a span, or no guard is held.

use tokio::sync::mpsc::UnboundedReceiver;
use tracing::Span;

async fn step() {
    tracing::info!("step");
}

trait MakeSpan {
    fn make_span(&self, id: u32) -> Span;
    fn label(&self, id: u32) -> String;
}

struct Maker;

impl MakeSpan for Maker {
    fn make_span(&self, id: u32) -> Span {
        tracing::info_span!("request", id)
    }

    fn label(&self, id: u32) -> String {
        id.to_string()
    }
}

struct Server<M> {
    maker: M,
}

impl<M: MakeSpan> Server<M> {
    async fn serve(&self, id: u32) {
        let span = self.maker.make_span(id);
        let _enter = span.enter(); //~ context_guard_across_await
        step().await;
    }

    async fn labelled(&self, id: u32) {
        // A `String` has no `enter`: silent.
        let label = self.maker.label(id);
        let _len = label.len();
        step().await;
    }
}

mod conn {
    use tracing::Span;

    pub struct Conn {
        pub span: Span,
        pub name: String,
    }
}

impl conn::Conn {
    async fn run(&self) {
        let _enter = self.span.enter(); //~ context_guard_across_await
        step().await;
    }
}

/// What a worker receives: a command and the span of the request that sent it.
type Request = (u32, Option<String>, Span);

async fn worker_loop(mut rx: UnboundedReceiver<(u32, Span)>) {
    while let Some((n, span)) = rx.recv().await {
        let _guard = span.enter(); //~ context_guard_across_await
        step().await;
        let _ = n;
    }
}

async fn worker_match(mut rx: UnboundedReceiver<Request>) {
    match rx.recv().await {
        Some((_, _, span)) => {
            let _guard = span.enter(); //~ context_guard_across_await
            step().await;
        }
        None => {}
    }
}

async fn worker_select(mut rx: UnboundedReceiver<Request>, mut stop: UnboundedReceiver<()>) {
    loop {
        tokio::select! {
            Some((_, _, span)) = rx.recv() => {
                let _guard = span.enter(); //~ context_guard_across_await
                step().await;
            }
            _ = stop.recv() => break,
        }
    }
}

async fn worker_closure() {
    let handle = |span: Span| async move {
        let _guard = span.enter(); //~ context_guard_across_await
        step().await;
    };
    handle(Span::none()).await;
}

// Silent: the element's third part is a `String`, not a span.
async fn names(mut rx: UnboundedReceiver<(u32, String)>) {
    while let Some((n, span)) = rx.recv().await {
        let _len = span.len();
        step().await;
        let _ = n;
    }
}

// Silent: the guard ends before the `.await`.
async fn scoped(mut rx: UnboundedReceiver<(u32, Span)>) {
    while let Some((n, span)) = rx.recv().await {
        {
            let _guard = span.enter();
            tracing::info!(n, "received");
        }
        step().await;
    }
}

// Silent: the span is instrumented, not entered.
async fn instrumented(mut rx: UnboundedReceiver<(u32, Span)>) {
    use tracing::Instrument;
    while let Some((_, span)) = rx.recv().await {
        step().instrument(span).await;
    }
}

fn main() {
    let server = Server { maker: Maker };
    let _ = server.serve(1);
    let _ = server.labelled(1);
    let c = conn::Conn {
        span: Span::none(),
        name: String::new(),
    };
    let _ = c.run();
    let _ = (worker_closure(),);
}
