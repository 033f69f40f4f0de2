//! Every way to allow `sync_run_wraps_future`.

use contextvars::{ContextVar, copy_context};

static FLAG: ContextVar<bool> = ContextVar::with_default("flag", false);

async fn handle() {
    FLAG.set(true);
}

#[allow(sync_run_wraps_future)]
async fn allowed_fn() {
    copy_context().run(|| handle()).await;
}

#[expect(sync_run_wraps_future)]
async fn expected_fn() {
    copy_context().run(|| handle()).await;
}

#[cfg_attr(dylint_lib = "ctxlint_dylint", allow(sync_run_wraps_future))]
async fn cfg_attr_fn() {
    copy_context().run(|| handle()).await;
}

struct Job;

#[allow(sync_run_wraps_future)]
impl Job {
    async fn start(&self) {
        copy_context().run(|| handle()).await;
    }
}

async fn statement_level() {
    let mut ctx = copy_context();
    #[allow(sync_run_wraps_future)]
    let quiet = ctx.run(|| handle());
    quiet.await;
    let loud = ctx.run(|| handle()); //~ sync_run_wraps_future
    loud.await;
}

#[allow(sync_run_wraps_future)]
mod outer {
    use contextvars::copy_context;

    #[warn(sync_run_wraps_future)]
    pub async fn reenabled() {
        copy_context().run(|| super::handle()).await; //~ sync_run_wraps_future
    }

    pub async fn still_quiet() {
        copy_context().run(|| super::handle()).await;
    }
}

#[tokio::main]
async fn main() {
    allowed_fn().await;
    expected_fn().await;
    cfg_attr_fn().await;
    Job.start().await;
    statement_level().await;
    outer::reenabled().await;
    outer::still_quiet().await;
}
