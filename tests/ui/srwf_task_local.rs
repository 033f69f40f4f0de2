//! tokio's `LocalKey::sync_scope`, whose closure returns a future that then runs outside the
//! task-local scope; against synchronous work inside it and the fix, `KEY.scope(value, fut)`.

tokio::task_local! {
    static REQUEST: u32;
    static USER: &'static str;
}

async fn handle() -> u32 {
    REQUEST.try_with(|r| *r).unwrap_or(0)
}

fn read() -> u32 {
    REQUEST.try_with(|r| *r).unwrap_or(0)
}

async fn scoped() {
    let a = REQUEST.sync_scope(1, || handle()); //~ sync_run_wraps_future
    let b = REQUEST.sync_scope(2, || async { handle().await }).await; //~ sync_run_wraps_future
    let c = USER.sync_scope("alice", || handle()).await; //~ sync_run_wraps_future
    let d = REQUEST.sync_scope(3, handle); //~ sync_run_wraps_future
    let e = REQUEST.sync_scope(4, || Box::pin(handle())); //~ sync_run_wraps_future
    // The path form.
    let f = tokio::task::LocalKey::sync_scope(&REQUEST, 9, || async { handle().await }).await; //~ sync_run_wraps_future

    // Silent: synchronous work inside the scope.
    let n = REQUEST.sync_scope(5, || read());
    // Silent: a function item that is synchronous.
    let m = REQUEST.sync_scope(6, read);
    // Silent: the fix, every poll inside the scope.
    let o = REQUEST.scope(7, handle()).await;
    // Silent: the fix, with an async block.
    let p = USER.scope("bob", async { handle().await }).await;
    // Silent: a plain value.
    let q = USER.sync_scope("carol", || 8);
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(scoped());
}
