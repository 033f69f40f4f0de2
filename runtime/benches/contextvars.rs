//! The operations of the performance table, each beside its baselines:
//! `std::thread_local!` (no copies, no async) and `tokio::task_local!` (no defaults, no
//! copies). Run with `cargo bench -p contextvars --features tokio`.
//!
//! `python3 runtime/benches/python_contextvars.py` times CPython on the same operations.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context as TaskContext, Waker};

use contextvars::{Context, ContextVar, copy_context};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

static VAR: ContextVar<u64> = ContextVar::new("var");

thread_local! {
    static TLS: Cell<u64> = const { Cell::new(0) };
}

tokio::task_local! {
    static TASK_LOCAL: u64;
}

tokio::task_local! {
    static TASK_LOCAL_CELL: Cell<u64>;
}

/// A context in which `n` variables (including `VAR`) are set.
// The bench measures lookups among `n` variables, so it makes them per call on purpose;
// `unknown_lints`, since rustc does not know ctxlint's lints.
#[allow(unknown_lints, context_var_in_function)]
fn context_with(n: usize) -> (Context, Vec<ContextVar<u64>>) {
    let others: Vec<ContextVar<u64>> = (1..n).map(|_| ContextVar::new("other")).collect();
    let mut ctx = Context::new();
    ctx.run(|| {
        VAR.set(1);
        for (i, var) in others.iter().enumerate() {
            var.set(i as u64);
        }
    });
    (ctx, others)
}

fn get(c: &mut Criterion) {
    let mut group = c.benchmark_group("get");
    let (mut ctx, _vars) = context_with(10);
    ctx.run(|| {
        // `VAR` itself is not hidden behind `black_box`, as users name their static directly
        // and as the task-local below is not: its key is an atomic load, which the compiler
        // does not hoist out of the loop (each iteration does the whole lookup, checked in
        // the assembly). Hiding it put a store and a reload through the stack on every
        // iteration, whose cost depended on where the stack happened to be (1.6 or 3.1 ns
        // between runs of one binary).
        group.bench_function("contextvars", |b| b.iter(|| VAR.get()));
    });
    group.bench_function("thread_local", |b| {
        b.iter(|| TLS.with(|v| black_box(v.get())))
    });
    TASK_LOCAL.sync_scope(1, || {
        group.bench_function("task_local", |b| {
            b.iter(|| TASK_LOCAL.with(|v| black_box(*v)))
        });
    });
    group.finish();
}

fn set(c: &mut Criterion) {
    let mut group = c.benchmark_group("set");
    for n in [1, 10] {
        let (mut ctx, _vars) = context_with(n);
        ctx.run(|| {
            group.bench_with_input(BenchmarkId::new("contextvars", n), &n, |b, _| {
                b.iter(|| black_box(&VAR).set(black_box(2)))
            });
        });
    }
    group.bench_function("thread_local", |b| {
        b.iter(|| TLS.with(|v| v.set(black_box(2))))
    });
    TASK_LOCAL_CELL.sync_scope(Cell::new(0), || {
        group.bench_function("task_local", |b| {
            b.iter(|| TASK_LOCAL_CELL.with(|v| v.set(black_box(2))))
        });
    });
    group.finish();
}

fn copy(c: &mut Criterion) {
    let mut group = c.benchmark_group("copy_context");
    for n in [1, 10, 100, 1000] {
        let (mut ctx, _vars) = context_with(n);
        ctx.run(|| {
            // The copy alone, and the copy plus dropping it (Python's timing includes the
            // deallocation of the copy).
            group.bench_with_input(BenchmarkId::new("contextvars", n), &n, |b, _| {
                b.iter_with_large_drop(copy_context)
            });
            group.bench_with_input(BenchmarkId::new("contextvars_and_drop", n), &n, |b, _| {
                b.iter(copy_context)
            });
        });
    }
    group.finish();
}

fn run(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    let (mut ctx, _vars) = context_with(10);
    group.bench_function("contextvars", |b| b.iter(|| ctx.run(|| black_box(1))));
    group.bench_function("task_local_sync_scope", |b| {
        b.iter(|| TASK_LOCAL.sync_scope(1, || black_box(1)))
    });
    group.bench_function("thread_local_swap", |b| {
        b.iter(|| {
            let old = TLS.replace(black_box(5));
            black_box(1);
            TLS.set(old);
        })
    });
    group.finish();
}

fn poll(c: &mut Criterion) {
    let mut group = c.benchmark_group("poll");
    let mut cx = TaskContext::from_waker(Waker::noop());
    let mut bare = pin!(std::future::pending::<()>());
    group.bench_function("bare", |b| {
        b.iter(|| black_box(bare.as_mut().poll(&mut cx)))
    });
    let (ctx, _vars) = context_with(10);
    let mut scoped = pin!(ctx.scope(std::future::pending::<()>()));
    group.bench_function("contextvars_scoped", |b| {
        b.iter(|| black_box(scoped.as_mut().poll(&mut cx)))
    });
    let mut task_local = pin!(TASK_LOCAL.scope(1, std::future::pending::<()>()));
    group.bench_function("task_local_scope", |b| {
        b.iter(|| black_box(task_local.as_mut().poll(&mut cx)))
    });
    group.finish();
}

criterion_group!(benches, get, set, copy, run, poll);
criterion_main!(benches);
