//! `ctxlint server` driven as an editor drives it: the binary is started and spoken to in
//! JSON-RPC over its standard input and output (see `tests/support/lsp.rs`).

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::lsp::{Client, Result, apply_edits};

const BIN: &str = env!("CARGO_BIN_EXE_ctxlint");
const LONG: Duration = Duration::from_secs(60);

const BAD: &str = "use contextvars::copy_context;\n\
async fn work() {}\n\
async fn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| work()).await;\n}\n\
fn main() {}\n";

fn open(client: &mut Client, uri: &str, text: &str) -> Result {
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "rust", "version": 1, "text": text } }),
    )
}

fn change(client: &mut Client, uri: &str, version: i64, text: &str) -> Result {
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "text": text }],
        }),
    )
}

#[test]
fn diagnostics_code_action_fix_and_clean() -> Result {
    let dir = tempfile::tempdir()?;
    let (mut client, init) = Client::start(BIN, dir.path())?;
    assert_eq!(init["capabilities"]["codeActionProvider"], true);
    assert_eq!(init["serverInfo"]["name"], "ctxlint");
    let uri = format!("file://{}/main.rs", dir.path().display());

    open(&mut client, &uri, BAD)?;
    let diagnostics = client.diagnostics(&uri, 1, LONG)?;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "sync_run_wraps_future");
    assert_eq!(d["source"], "ctxlint");
    assert_eq!(d["severity"], 2);
    // `|| work()` on line 5 (0-based 4), columns 12 to 21.
    assert_eq!(
        d["range"],
        json!({ "start": { "line": 4, "character": 12 }, "end": { "line": 4, "character": 21 } })
    );
    assert!(
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("this runner returns a future")),
        "{d}"
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": d["range"],
            "context": { "diagnostics": [d] },
        }),
        LONG,
    )?;
    let actions = actions.as_array().ok_or("no actions")?;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    assert_eq!(action["isPreferred"], true);
    let edits = action["edit"]["changes"][&uri]
        .as_array()
        .ok_or("no edits")?;
    let fixed = apply_edits(BAD, edits)?;
    assert!(
        fixed.contains("    ctx.scope_mut(work()).await;\n"),
        "{fixed}"
    );

    change(&mut client, &uri, 2, &fixed)?;
    assert_eq!(client.diagnostics(&uri, 2, LONG)?, Vec::<Value>::new());

    // Saving checks again (other files' facts may have changed); still clean.
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri }, "text": fixed }),
    )?;
    assert_eq!(client.diagnostics(&uri, 2, LONG)?, Vec::<Value>::new());

    // Closing clears the buffer's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    )?;
    let cleared = client.wait(LONG, |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && m["params"]["version"].is_null()
    })?;
    assert_eq!(cleared["params"]["diagnostics"], json!([]));

    // An unknown request gets an error, not silence.
    let unknown = client.request("textDocument/hover", json!({}), LONG);
    assert!(unknown.is_err());

    assert_eq!(client.stop()?, Some(0));
    Ok(())
}

#[test]
fn bad_buffers_neither_crash_nor_block() -> Result {
    let dir = tempfile::tempdir()?;
    let (mut client, _) = Client::start(BIN, dir.path())?;
    let uri = format!("file://{}/edit.rs", dir.path().display());
    open(&mut client, &uri, "")?;
    assert_eq!(client.diagnostics(&uri, 1, LONG)?, Vec::<Value>::new());

    // Half-typed code, unbalanced braces, deep nesting: a parse error, so no diagnostics.
    let half = "use contextvars::copy_context;\nasync fn work() {}\nfn f() {\n    let mut ctx = copy_context();\n    ctx.run(|| wo";
    let unbalanced = "use contextvars::copy_context;\n}}}} fn f() {{{{ ctx.run(|| ) \n";
    let deep = format!(
        "use contextvars::Context;\nfn f() {{ {}1{} }}\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let mut version = 1;
    for text in [half, unbalanced, deep.as_str()] {
        version += 1;
        change(&mut client, &uri, version, text)?;
        assert_eq!(
            client.diagnostics(&uri, version, LONG)?,
            Vec::<Value>::new(),
            "{:.80}",
            text
        );
    }

    // A 5 MB buffer that does mention `contextvars`, so that it is parsed: requests are still
    // answered at once while it is being checked.
    let mut big = String::from("use contextvars::copy_context;\nasync fn work() {}\n");
    let mut n = 0;
    while big.len() < 5 << 20 {
        big.push_str(&format!(
            "fn f{n}() {{ let mut ctx = copy_context(); ctx.run(|| {n}); }}\n"
        ));
        n += 1;
    }
    big.push_str("async fn bad() { copy_context().run(|| work()).await; }\n");
    version += 1;
    let big_version = version;
    change(&mut client, &uri, big_version, &big)?;
    let asked = Instant::now();
    let answer = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] },
        }),
        LONG,
    )?;
    let waited = asked.elapsed();
    assert_eq!(answer, json!([]));
    // Answered before the check ended, by order rather than by a wall-clock bound (which a
    // loaded machine breaks): the check's diagnostics had not been published yet.
    let published_first = client.backlog.iter().any(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["version"] == json!(big_version)
    });
    assert!(
        !published_first,
        "the request was answered only after the check ({waited:?})"
    );
    let diagnostics = client.diagnostics(&uri, big_version, LONG)?;
    assert_eq!(
        diagnostics.len(),
        1,
        "the one finding at the end of the 5 MB buffer"
    );

    // And the server still works.
    version += 1;
    change(&mut client, &uri, version, BAD)?;
    assert_eq!(client.diagnostics(&uri, version, LONG)?.len(), 1);
    assert_eq!(client.stop()?, Some(0));
    Ok(())
}

#[test]
fn a_bad_configuration_is_logged() -> Result {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("ctxlint.toml"),
        "[lints]\nno_such_lint = \"warn\"\n",
    )?;
    let (mut client, _) = Client::start(BIN, dir.path())?;
    let uri = format!("file://{}/main.rs", dir.path().display());
    open(&mut client, &uri, BAD)?;
    assert_eq!(client.diagnostics(&uri, 1, LONG)?, Vec::<Value>::new());
    let log = client.wait(LONG, |m| m["method"] == "window/logMessage")?;
    let message = log["params"]["message"].as_str().unwrap_or("");
    assert_eq!(
        message,
        format!(
            "ctxlint: {}:2:1: unknown lint `no_such_lint` in `[lints]`; the lints are: {}",
            dir.path().join("ctxlint.toml").display(),
            ctxlint::catalogue::LINTS
                .iter()
                .map(|l| l.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    assert_eq!(log["params"]["type"], 1);
    assert_eq!(client.stop()?, Some(0));
    Ok(())
}

/// A Python buffer: the server dispatches on the URI's extension, reads the project's other
/// files (an `async def` imported from a sibling) and offers the Python fix.
#[test]
fn python_buffers_get_python_diagnostics_and_fixes() -> Result {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"p\"\n",
    )?;
    std::fs::create_dir_all(dir.path().join("app"))?;
    std::fs::write(
        dir.path().join("app/tasks.py"),
        "async def work(n):\n    pass\n",
    )?;
    let (mut client, _) = Client::start(BIN, dir.path())?;
    let uri = format!("file://{}/app/main.py", dir.path().display());
    let text = "import asyncio\nfrom contextvars import ContextVar, copy_context\nfrom app.tasks import work\n\n\
                seen = ContextVar(\"seen\", default={})\n\n\
                async def f(n):\n    ctx = copy_context()\n    await ctx.run(work, n)\n";
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "python", "version": 1, "text": text } }),
    )?;
    let diagnostics = client.diagnostics(&uri, 1, LONG)?;
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["interior_mutable_default", "sync_run_wraps_future"],
        "{diagnostics:#?}"
    );
    let run = &diagnostics[1];
    assert!(
        run["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("`Context.run` only creates the coroutine")),
        "{run}"
    );
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": run["range"],
            "context": { "diagnostics": [run] },
        }),
        LONG,
    )?;
    let actions = actions.as_array().ok_or("no actions")?;
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let edits = actions[0]["edit"]["changes"][&uri]
        .as_array()
        .ok_or("no edits")?;
    let fixed = apply_edits(text, edits)?;
    assert!(
        fixed.contains("    await asyncio.create_task(work(n), context=ctx)\n"),
        "{fixed}"
    );
    assert_eq!(client.stop()?, Some(0));
    Ok(())
}

/// The editor's `languageId` decides the language, not the buffer's name: an untitled Python
/// buffer gets Python diagnostics, the same text named as Rust gets none, and a buffer of a
/// language ctxlint does not check gets an empty list.
#[test]
fn the_language_id_decides_the_language() -> Result {
    let dir = tempfile::tempdir()?;
    let (mut client, _) = Client::start(BIN, dir.path())?;
    let text = "from contextvars import ContextVar\nseen = ContextVar(\"seen\", default=[])\n";
    for (uri, language, expected) in [
        (
            "untitled:Untitled-1",
            "python",
            vec!["interior_mutable_default"],
        ),
        ("untitled:Untitled-2", "rust", vec![]),
        ("untitled:Untitled-3", "go", vec![]),
    ] {
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        )?;
        let diagnostics = client.diagnostics(uri, 1, LONG)?;
        let codes: Vec<&str> = diagnostics
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert_eq!(codes, expected, "{language}: {diagnostics:#?}");
    }
    // A change keeps the language the buffer was opened with.
    change(
        &mut client,
        "untitled:Untitled-1",
        2,
        &format!("{text}other = ContextVar(\"other\", default={{}})\n"),
    )?;
    let diagnostics = client.diagnostics("untitled:Untitled-1", 2, LONG)?;
    assert_eq!(diagnostics.len(), 2, "{diagnostics:#?}");
    assert_eq!(client.stop()?, Some(0));
    Ok(())
}
