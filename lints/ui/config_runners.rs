//! `extra-runners` and `extra-guards` from `ui/dylint.toml`, tables `[sync_run_wraps_future]`
//! and `[context_guard_across_await]`: a project's own runner and guard, checked as the
//! catalogue's are, with the help the project wrote.

/// A scope of the project's own: `run_in` makes it current while the closure runs.
pub struct Scope(u32);

impl Scope {
    pub fn run_in<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }

    pub async fn bind<F: Future>(&self, fut: F) -> F::Output {
        fut.await
    }
}

/// Makes a tenant current until it is dropped.
pub struct TenantGuard(u32);

impl Drop for TenantGuard {
    fn drop(&mut self) {}
}

pub fn enter_tenant(id: u32) -> TenantGuard {
    TenantGuard(id)
}

/// A runner that is a function, with the closure second.
pub fn with_tenant<R>(id: u32, f: impl FnOnce() -> R) -> R {
    let _guard = enter_tenant(id);
    f()
}

async fn handle() -> u32 {
    1
}

async fn work(scope: &Scope) -> u32 {
    let a = scope.run_in(|| handle()).await; //~ sync_run_wraps_future
    let b = with_tenant(7, || async { handle().await }).await; //~ sync_run_wraps_future
    // Silent: synchronous work inside the runners.
    let c = scope.run_in(|| 3) + with_tenant(8, || 4);
    // Silent: the fix.
    let d = scope.bind(handle()).await;

    let guard = enter_tenant(1); //~ context_guard_across_await
    handle().await;
    drop(guard);
    // Silent: dropped at the end of its block, before the `.await`.
    {
        let _inner = enter_tenant(2);
    }
    // Silent: `let _ =` drops it at once.
    let _ = enter_tenant(3);
    a + b + c + d + handle().await + scope.0 + enter_tenant(4).0
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    println!("{}", runtime.block_on(work(&Scope(0))));
}
