//! `spawn_without_context` (CTX006) for tokio's task-locals: a task spawned inside a
//! task-local's `scope` (or `sync_scope`) that reads it, where the read panics (the task does
//! not have the value). Against a spawned future scoped too, reads outside any scope, and
//! spawned work that does not read it.

tokio::task_local! {
    static TENANT: u64;
    static TRACE: &'static str;
}

fn tenant() -> u64 {
    TENANT.get()
}

async fn handle() -> u64 {
    tenant() + 1
}

async fn unrelated() -> u64 {
    2
}

async fn serve() {
    TENANT
        .scope(1, async {
            tokio::spawn(async { TENANT.get() }); //~ spawn_without_context
            tokio::spawn(handle()); //~ spawn_without_context
            tokio::task::spawn_local(async { TENANT.with(|t| *t) }); //~ spawn_without_context
            std::thread::spawn(|| TENANT.try_with(|t| *t)); //~ spawn_without_context
            tokio::task::spawn_blocking(tenant); //~ spawn_without_context
            // Silent: scoped too, another key, or nothing read.
            tokio::spawn(TENANT.scope(TENANT.get(), handle()));
            tokio::spawn(unrelated());
            tokio::spawn(async { TRACE.try_with(|t| t.len()) });
            tokio::task::spawn_blocking(|| 3);
        })
        .await;
    TRACE.sync_scope("x", || {
        tokio::spawn(async { TRACE.get() }); //~ spawn_without_context
        tokio::spawn(async { TENANT.try_with(|t| *t) });
    });
    // Outside any scope: the read fails whether spawned or not, which is not this lint's.
    tokio::spawn(handle());
    std::thread::spawn(|| TENANT.try_with(|t| *t));
}

fn main() {}
