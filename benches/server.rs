//! How long `ctxlint server` takes to re-check a 2,000-line buffer after a change: the time
//! from sending `didChange` to receiving that version's `publishDiagnostics`, over stdio, as
//! an editor sees it. The goal (issue 5) is under 20 ms.
//!
//! `cargo bench --bench server` (a release build); prints a Markdown table.

#[path = "../tests/support/lsp.rs"]
#[allow(dead_code)]
mod lsp;

use std::time::{Duration, Instant};

use serde_json::json;

const ITERATIONS: usize = 100;

/// About 2,000 lines: 200 blocks of 10 lines, each with context-variable code, one finding
/// every 20 blocks.
fn buffer(version: usize) -> String {
    let mut text = String::from(
        "use contextvars::{copy_context, Context, ContextVar};\n\
         static USER: ContextVar<&'static str> = ContextVar::with_default(\"user\", \"anon\");\n\
         async fn work() {}\n",
    );
    for i in 0..200 {
        let call = if i % 20 == 0 {
            "ctx.run(|| work()).await"
        } else {
            "ctx.scope_mut(work()).await"
        };
        text.push_str(&format!(
            "/// Handler {i} (edit {version}).\n\
             async fn handler_{i}(mut ctx: Context, n: u32) -> u32 {{\n\
             \x20   let token = USER.set(\"user-{i}\");\n\
             \x20   let total = (0..n).map(|x| x * {i}).sum::<u32>();\n\
             \x20   {call};\n\
             \x20   let _ = copy_context().run(|| USER.get());\n\
             \x20   USER.reset(token).ok();\n\
             \x20   total + {i}\n\
             }}\n\n"
        ));
    }
    text
}

fn main() -> lsp::Result {
    let dir = std::env::temp_dir().join(format!("ctxlint-server-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (mut client, _) = lsp::Client::start(env!("CARGO_BIN_EXE_ctxlint"), &dir)?;
    let uri = format!("file://{}/main.rs", dir.display());
    let first = buffer(0);
    let lines = first.lines().count();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "rust", "version": 0, "text": first } }),
    )?;
    let findings = client.diagnostics(&uri, 0, Duration::from_secs(60))?.len();

    let mut times = Vec::new();
    for version in 1..=ITERATIONS + 5 {
        let text = buffer(version);
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        )?;
        let got = client.diagnostics(&uri, version as i64, Duration::from_secs(60))?;
        let elapsed = sent.elapsed();
        assert_eq!(got.len(), findings);
        // The first few warm the caches and the allocator.
        if version > 5 {
            times.push(elapsed);
        }
    }
    client.stop()?;
    std::fs::remove_dir_all(&dir).ok();

    times.sort();
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!("| buffer | changes | min ms | median ms | p95 ms | max ms |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {lines} lines, {} bytes, {findings} findings | {} | {} | {} | {} | {} |",
        first.len(),
        times.len(),
        ms(times[0]),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(times[times.len() - 1]),
    );
    let goal = Duration::from_millis(20);
    println!(
        "\nmedian {} the 20 ms goal",
        if at(0.5) < goal { "meets" } else { "misses" }
    );
    Ok(())
}
