//! Differential test against CPython: random programs over PEP 567 run in `python3`
//! (`cpython_diff.py`, standard library only) and in this crate, and their traces must be
//! equal, step by step.
//!
//! - `CTXLINT_DIFF_PROGRAMS` (default 10,000): how many programs.
//! - `CTXLINT_DIFF_SEED` (default `0x5eed`): the seed of the first program; program `i` uses
//!   seed `CTXLINT_DIFF_SEED + i`. A mismatch prints the program's own seed, so
//!   `CTXLINT_DIFF_SEED=<seed> CTXLINT_DIFF_PROGRAMS=1` replays exactly that program.
//! - `CTXLINT_PYTHON` (default `python3`): the interpreter.
//!
//! Programs go to Python in batches, one interpreter per batch, and the Rust side runs a batch
//! while Python runs the same batch.
//!
//! # Programs
//!
//! One program per line, tokens separated by spaces. `S` programs are synchronous; they run in
//! a fresh `Context()` (slot 0) and cover the whole of PEP 567's synchronous surface:
//!
//! | op | Python | Rust | trace |
//! |---|---|---|---|
//! | `g V` | `var.get()` | `var.get()` | `v=X`, or `L` (`LookupError` / `None`) |
//! | `s V X` | `var.set(X)`, token kept | `var.set(X)` | `o=X` or `o=M`: the token's old value |
//! | `r V T` | `var.reset(tokens[T])` | `var.reset(token)` | `ok`, `Evar`, `Ectx`, `Eused` |
//! | `cc` / `cn` / `cp K` | `copy_context()` / `Context()` / `ctx[K].copy()` | `copy_context()` / `Context::new()` / `clone()` | `n=len`; a new slot |
//! | `len K`, `in K V`, `cg K V` | `len(ctx)`, `var in ctx`, `ctx[var]` | `len()`, `contains()`, `get()` | `l=N`; `T`/`F`; `v=X` or `KE` |
//! | `it K` | iteration, `items()`, `len()` | `iter()` | `i=a:1,b:2` (sorted) |
//! | `run K [ ops ]` | `ctx[K].run(...)` | `Context::run` | `done`, `raised`, `Eent` (already entered) |
//! | `x` | `raise` | `panic_any` | ends the innermost `run` (`raised`) |
//!
//! `A` programs are asynchronous: Python runs them as an asyncio task in an empty context, Rust
//! as a future bound to an empty context on a current-thread tokio runtime. Ops: `g`, `s`, `r`
//! (per coroutine tokens), `y` (`asyncio.sleep(0)` / `tokio::task::yield_now`), `items`
//! (contents of `copy_context()`), `t N [ ops ]` (`asyncio.create_task` /
//! `contextvars::spawn`, task number `N`), `w N` (await task `N`, main coroutine only). The
//! trace is the main coroutine's, then each task's in number order, separated by `|`. A task's
//! trace depends only on its own context, not on how the two event loops interleave tasks.
//!
//! # What the generator leaves out
//!
//! The generator tracks statically which context is current, which are entered and what each
//! token's `reset` will do, and never generates the differences documented in the crate's
//! "Differences from Python": reading a context that is entered but not current, and using a
//! token again after a *failed* reset (Rust consumes it; Python lets it be retried). Running an
//! entered context and using a token twice after a successful reset cannot be written in Rust
//! at all; the Rust side reports them as the harness sees them (the context or the token has
//! been moved out), so the test still checks that CPython raises there.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::future::Future;
use std::io::{BufRead, BufReader, Write};
use std::panic::{AssertUnwindSafe, catch_unwind, panic_any};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, Once};
use std::time::Instant;

use contextvars::{Context, ContextVar, ResetError, Token, copy_context};

static VARS: [ContextVar<i64>; 4] = [
    ContextVar::new("a"),
    ContextVar::with_default("b", 10),
    ContextVar::new("c"),
    ContextVar::with_default("d", 20),
];

const BATCH: usize = 2_000;
const DEFAULT_SEED: u64 = 0x5eed;

// ---------------------------------------------------------------------------------------------
// A small seeded generator (SplitMix64): reproducible from the seed alone, no dependency.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An index drawn from `weights`.
    fn pick(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut r = (self.next() % u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if r < *w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Program generation.

#[derive(Clone, Copy, PartialEq)]
enum TokState {
    Live,
    Used,
    /// Consumed by a failed reset in Rust, still usable in Python: never generated again.
    Failed,
}

struct Tok {
    var: usize,
    slot: usize,
    state: TokState,
}

struct SyncGen {
    rng: Rng,
    out: Vec<String>,
    slots: usize,
    /// Entered slots, innermost last; slot 0 (the program's root context) is always first.
    entered: Vec<usize>,
    tokens: Vec<Tok>,
    budget: usize,
}

impl SyncGen {
    fn emit(&mut self, s: String) {
        self.out.push(s);
    }

    fn current(&self) -> usize {
        *self.entered.last().unwrap()
    }

    /// A slot whose contents Rust can read: not entered, or the current context.
    fn readable_slot(&mut self) -> usize {
        loop {
            let k = self.rng.below(self.slots);
            if k == self.current() || !self.entered.contains(&k) {
                return k;
            }
        }
    }

    fn value(&mut self) -> i64 {
        // Small values, so that equal values (and values equal to the defaults) recur.
        self.rng.below(22) as i64
    }

    fn body(&mut self, depth: usize) {
        let len = 1 + self.rng.below(if depth == 0 { 24 } else { 10 });
        for _ in 0..len {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            let weights = [
                18,                            // g
                18,                            // s
                14,                            // r
                4,                             // cc
                3,                             // cn
                3,                             // cp
                3,                             // len
                3,                             // in
                3,                             // it
                3,                             // cg
                if depth < 4 { 9 } else { 0 }, // run
                if depth > 0 { 2 } else { 0 }, // x
            ];
            match self.rng.pick(&weights) {
                0 => {
                    let v = self.rng.below(4);
                    self.emit(format!("g {v}"));
                }
                1 => {
                    let v = self.rng.below(4);
                    let x = self.value();
                    let slot = self.current();
                    self.tokens.push(Tok {
                        var: v,
                        slot,
                        state: TokState::Live,
                    });
                    self.emit(format!("s {v} {x}"));
                }
                2 => self.reset(),
                3 => {
                    self.slots += 1;
                    self.emit("cc".into());
                }
                4 => {
                    self.slots += 1;
                    self.emit("cn".into());
                }
                5 => {
                    let k = self.readable_slot();
                    self.slots += 1;
                    self.emit(format!("cp {k}"));
                }
                6 => {
                    let k = self.readable_slot();
                    self.emit(format!("len {k}"));
                }
                7 | 9 => {
                    let k = self.readable_slot();
                    let v = self.rng.below(4);
                    let op = if self.rng.chance(50) { "in" } else { "cg" };
                    self.emit(format!("{op} {k} {v}"));
                }
                8 => {
                    let k = self.readable_slot();
                    self.emit(format!("it {k}"));
                }
                10 => {
                    // Mostly a context that is not entered; sometimes one that is (Python's
                    // RuntimeError), whose body never runs.
                    let free: Vec<usize> = (0..self.slots)
                        .filter(|k| !self.entered.contains(k))
                        .collect();
                    let k = match free.get(self.rng.below(free.len().max(1))) {
                        Some(&k) if self.rng.chance(85) => k,
                        None if self.rng.chance(85) => {
                            self.emit("cc".into());
                            self.slots += 1;
                            self.slots - 1
                        }
                        _ => self.entered[self.rng.below(self.entered.len())],
                    };
                    if self.entered.contains(&k) {
                        self.emit(format!("run {k} [ ]"));
                    } else {
                        self.emit(format!("run {k} ["));
                        self.entered.push(k);
                        self.body(depth + 1);
                        self.entered.pop();
                        self.emit("]".into());
                    }
                }
                _ => {
                    // Nothing after `x` runs, so nothing after it is generated.
                    self.emit("x".into());
                    return;
                }
            }
        }
    }

    fn reset(&mut self) {
        let candidates: Vec<usize> = (0..self.tokens.len())
            .filter(|&t| self.tokens[t].state != TokState::Failed)
            .collect();
        if candidates.is_empty() {
            let v = self.rng.below(4);
            self.emit(format!("g {v}"));
            return;
        }
        // Prefer the newest token (the usual pattern), else any.
        let t = if self.rng.chance(50) {
            *candidates.last().unwrap()
        } else {
            candidates[self.rng.below(candidates.len())]
        };
        let var = if self.rng.chance(85) {
            self.tokens[t].var
        } else {
            self.rng.below(4)
        };
        let current = self.current();
        let tok = &mut self.tokens[t];
        // CPython checks "used" first, then the variable, then the context.
        tok.state = match tok.state {
            TokState::Used => TokState::Used,
            _ if var != tok.var || tok.slot != current => TokState::Failed,
            _ => TokState::Used,
        };
        self.emit(format!("r {var} {t}"));
    }
}

fn gen_sync(seed: u64) -> String {
    let mut g = SyncGen {
        rng: Rng(seed),
        out: vec!["S".into()],
        slots: 1,
        entered: vec![0],
        tokens: Vec::new(),
        budget: 60,
    };
    g.body(0);
    g.out.join(" ")
}

struct AsyncGen {
    rng: Rng,
    out: Vec<String>,
    next_task: usize,
}

impl AsyncGen {
    /// The body of the main coroutine (`main`) or of a task.
    fn body(&mut self, main: bool, depth: usize) {
        let mut tokens: Vec<(usize, TokState)> = Vec::new();
        let mut own_tasks: Vec<usize> = Vec::new();
        let len = 1 + self.rng.below(if main { 20 } else { 8 });
        for _ in 0..len {
            let weights = [
                20,                                                // g
                20,                                                // s
                10,                                                // r
                10,                                                // y
                5,                                                 // items
                if depth < 2 { 10 } else { 0 },                    // t
                if main && !own_tasks.is_empty() { 6 } else { 0 }, // w
            ];
            match self.rng.pick(&weights) {
                0 => {
                    let v = self.rng.below(4);
                    self.out.push(format!("g {v}"));
                }
                1 => {
                    let v = self.rng.below(4);
                    let x = self.rng.below(22);
                    tokens.push((v, TokState::Live));
                    self.out.push(format!("s {v} {x}"));
                }
                2 => {
                    let live: Vec<usize> = (0..tokens.len())
                        .filter(|&t| tokens[t].1 != TokState::Failed)
                        .collect();
                    let Some(&t) = live.get(self.rng.below(live.len().max(1))) else {
                        self.out.push("y".into());
                        continue;
                    };
                    let var = if self.rng.chance(85) {
                        tokens[t].0
                    } else {
                        self.rng.below(4)
                    };
                    // A coroutine's context never changes, so only the variable can be wrong.
                    tokens[t].1 = match tokens[t].1 {
                        TokState::Used => TokState::Used,
                        _ if var != tokens[t].0 => TokState::Failed,
                        _ => TokState::Used,
                    };
                    self.out.push(format!("r {var} {t}"));
                }
                3 => self.out.push("y".into()),
                4 => self.out.push("items".into()),
                5 => {
                    self.next_task += 1;
                    let id = self.next_task;
                    own_tasks.push(id);
                    self.out.push(format!("t {id} ["));
                    self.body(false, depth + 1);
                    self.out.push("]".into());
                }
                _ => {
                    let i = self.rng.below(own_tasks.len());
                    let id = own_tasks.remove(i);
                    self.out.push(format!("w {id}"));
                }
            }
        }
    }
}

fn gen_async(seed: u64) -> String {
    let mut g = AsyncGen {
        rng: Rng(seed),
        out: vec!["A".into()],
        next_task: 0,
    };
    g.body(true, 0);
    g.out.join(" ")
}

/// Program `seed`: one in eight is asynchronous.
fn generate(seed: u64) -> String {
    let mut rng = Rng(seed ^ 0xa5a5_a5a5_a5a5_a5a5);
    if rng.below(8) == 0 {
        gen_async(rng.next())
    } else {
        gen_sync(rng.next())
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing (the Rust side reads the same text Python reads).

#[derive(Debug, Clone)]
enum Op {
    Get(usize),
    Set(usize, i64),
    Reset(usize, usize),
    CopyContext,
    NewContext,
    CopyOf(usize),
    Len(usize),
    In(usize, usize),
    CtxGet(usize, usize),
    Items(usize),
    Run(usize, Vec<Op>),
    Raise,
    Yield,
    CurrentItems,
    Task(usize, Vec<Op>),
    Wait(usize),
}

fn parse(tokens: &[&str], pos: &mut usize) -> Vec<Op> {
    let mut ops = Vec::new();
    let num = |i: usize| -> usize { tokens[i].parse().unwrap() };
    while *pos < tokens.len() {
        let p = *pos;
        let (op, used) = match tokens[p] {
            "]" => {
                *pos += 1;
                return ops;
            }
            "g" => (Op::Get(num(p + 1)), 2),
            "s" => (Op::Set(num(p + 1), tokens[p + 2].parse().unwrap()), 3),
            "r" => (Op::Reset(num(p + 1), num(p + 2)), 3),
            "cc" => (Op::CopyContext, 1),
            "cn" => (Op::NewContext, 1),
            "cp" => (Op::CopyOf(num(p + 1)), 2),
            "len" => (Op::Len(num(p + 1)), 2),
            "in" => (Op::In(num(p + 1), num(p + 2)), 3),
            "cg" => (Op::CtxGet(num(p + 1), num(p + 2)), 3),
            "it" => (Op::Items(num(p + 1)), 2),
            "x" => (Op::Raise, 1),
            "y" => (Op::Yield, 1),
            "items" => (Op::CurrentItems, 1),
            "w" => (Op::Wait(num(p + 1)), 2),
            "run" | "t" => {
                let n = num(p + 1);
                assert_eq!(tokens[p + 2], "[");
                *pos = p + 3;
                let body = parse(tokens, pos);
                ops.push(if tokens[p] == "run" {
                    Op::Run(n, body)
                } else {
                    Op::Task(n, body)
                });
                continue;
            }
            other => panic!("unknown op {other}"),
        };
        ops.push(op);
        *pos = p + used;
    }
    ops
}

// ---------------------------------------------------------------------------------------------
// The Rust side.

/// The payload of the `x` op's panic.
struct Abort;

fn value(v: Option<i64>, missing: &str) -> String {
    v.map_or_else(|| missing.to_string(), |v| format!("v={v}"))
}

fn items(ctx: &Context) -> String {
    let mut listed: Vec<String> = ctx
        .iter()
        .map(|(name, view)| match view.downcast_ref::<i64>() {
            Some(v) => format!("{name}:{v}"),
            None => format!("{name}:?"),
        })
        .collect();
    listed.sort();
    if listed.len() != ctx.len() {
        return "Eiter".into();
    }
    format!("i={}", listed.join(","))
}

fn set(out: &mut Vec<String>, tokens: &mut Vec<TokenSlot>, v: usize, x: i64) {
    let token = VARS[v].set(x);
    if token.var_name() != VARS[v].name() {
        out.push("Etokvar".into());
    }
    out.push(match token.old_value() {
        Some(old) => format!("o={old}"),
        None => "o=M".into(),
    });
    tokens.push(TokenSlot::Live(token));
}

enum TokenSlot {
    Live(Token<i64>),
    /// Consumed by a successful reset: a second use is Python's `RuntimeError`.
    Used,
    /// Consumed by a failed reset; the generator never uses it again.
    Failed,
}

fn reset(out: &mut Vec<String>, tokens: &mut [TokenSlot], v: usize, t: usize) {
    let slot = std::mem::replace(&mut tokens[t], TokenSlot::Failed);
    let (obs, after) = match slot {
        TokenSlot::Live(token) => match VARS[v].reset(token) {
            Ok(()) => ("ok", TokenSlot::Used),
            Err(ResetError::WrongVar { .. }) => ("Evar", TokenSlot::Failed),
            Err(ResetError::WrongContext { .. }) => ("Ectx", TokenSlot::Failed),
            Err(_) => ("Eaccess", TokenSlot::Failed),
        },
        TokenSlot::Used => ("Eused", TokenSlot::Used),
        // Python would try the reset again; a generator bug if it ever happens.
        TokenSlot::Failed => ("Eretry", TokenSlot::Failed),
    };
    tokens[t] = after;
    out.push(obs.into());
}

struct SyncRun {
    out: Vec<String>,
    /// `None` while the slot's context is entered (moved into `Context::run`'s borrow).
    slots: Vec<Option<Context>>,
    entered: Vec<usize>,
    tokens: Vec<TokenSlot>,
}

impl SyncRun {
    /// Reads slot `k`: the context itself, or the current context if `k` is entered and
    /// current (inside `run` the context is the thread's current one).
    fn read<R>(&self, k: usize, f: impl FnOnce(&Context) -> R) -> R {
        match &self.slots[k] {
            Some(ctx) => f(ctx),
            None => {
                assert_eq!(
                    self.entered.last(),
                    Some(&k),
                    "generator read an entered context"
                );
                f(&copy_context())
            }
        }
    }

    fn body(&mut self, ops: &[Op]) {
        for op in ops {
            self.step(op);
        }
    }

    fn step(&mut self, op: &Op) {
        match op {
            Op::Get(v) => {
                let got = VARS[*v].get();
                self.out.push(value(got, "L"));
            }
            Op::Set(v, x) => set(&mut self.out, &mut self.tokens, *v, *x),
            Op::Reset(v, t) => reset(&mut self.out, &mut self.tokens, *v, *t),
            Op::CopyContext | Op::NewContext | Op::CopyOf(_) => {
                let ctx = match op {
                    Op::CopyContext => copy_context(),
                    Op::NewContext => Context::new(),
                    Op::CopyOf(k) => self.read(*k, Context::clone),
                    _ => unreachable!(),
                };
                self.out.push(format!("n={}", ctx.len()));
                self.slots.push(Some(ctx));
            }
            Op::Len(k) => {
                let n = self.read(*k, Context::len);
                self.out.push(format!("l={n}"));
            }
            Op::In(k, v) => {
                let found = self.read(*k, |ctx| ctx.contains(&VARS[*v]));
                self.out.push(if found { "T" } else { "F" }.into());
            }
            Op::CtxGet(k, v) => {
                let got = self.read(*k, |ctx| ctx.get(&VARS[*v]));
                self.out.push(value(got, "KE"));
            }
            Op::Items(k) => {
                let listed = self.read(*k, items);
                self.out.push(listed);
            }
            Op::Run(k, body) => {
                // Entering an entered context cannot be written in Rust (`run` takes
                // `&mut self`); the harness sees the context moved out.
                let Some(mut ctx) = self.slots[*k].take() else {
                    self.out.push("Eent".into());
                    return;
                };
                self.entered.push(*k);
                let outcome = catch_unwind(AssertUnwindSafe(|| ctx.run(|| self.body(body))));
                self.entered.pop();
                self.slots[*k] = Some(ctx);
                match outcome {
                    Ok(()) => self.out.push("done".into()),
                    Err(payload) if payload.is::<Abort>() => self.out.push("raised".into()),
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            }
            Op::Raise => panic_any(Abort),
            other => panic!("{other:?} in a sync program"),
        }
    }
}

fn run_sync(ops: &[Op]) -> String {
    let mut run = SyncRun {
        out: Vec::new(),
        slots: vec![None],
        entered: vec![0],
        tokens: Vec::new(),
    };
    let mut root = Context::new();
    root.run(|| run.body(ops));
    run.out.join(" ")
}

type Trace = Vec<String>;

#[derive(Default)]
struct Tasks {
    handles: BTreeMap<usize, tokio::task::JoinHandle<Trace>>,
    traces: BTreeMap<usize, Trace>,
}

fn coroutine(
    ops: Vec<Op>,
    tasks: Arc<Mutex<Tasks>>,
) -> Pin<Box<dyn Future<Output = Trace> + Send>> {
    Box::pin(async move {
        let mut out = Vec::new();
        let mut tokens = Vec::new();
        for op in ops {
            match op {
                Op::Get(v) => out.push(value(VARS[v].get(), "L")),
                Op::Set(v, x) => set(&mut out, &mut tokens, v, x),
                Op::Reset(v, t) => reset(&mut out, &mut tokens, v, t),
                Op::Yield => tokio::task::yield_now().await,
                Op::CurrentItems => out.push(items(&copy_context())),
                Op::Task(id, body) => {
                    let handle = contextvars::spawn(coroutine(body, Arc::clone(&tasks)));
                    tasks.lock().unwrap().handles.insert(id, handle);
                }
                Op::Wait(id) => {
                    let handle = tasks.lock().unwrap().handles.remove(&id).unwrap();
                    let trace = handle.await.unwrap();
                    tasks.lock().unwrap().traces.insert(id, trace);
                    out.push("w".into());
                }
                other => panic!("{other:?} in an async program"),
            }
        }
        out
    })
}

fn run_async(rt: &tokio::runtime::Runtime, ops: Vec<Op>) -> String {
    let tasks = Arc::new(Mutex::new(Tasks::default()));
    let main = Context::new().scope(coroutine(ops, Arc::clone(&tasks)));
    let traces = rt.block_on(async {
        let main = main.await;
        // Same order as the Python side: a task's parent has a lower number.
        let mut id = 0;
        loop {
            let next = tasks
                .lock()
                .unwrap()
                .handles
                .keys()
                .find(|&&k| k > id)
                .copied();
            let Some(next) = next else { break };
            id = next;
            let handle = tasks.lock().unwrap().handles.remove(&id).unwrap();
            let trace = handle.await.unwrap();
            tasks.lock().unwrap().traces.insert(id, trace);
        }
        let mut all = vec![main];
        all.extend(std::mem::take(&mut tasks.lock().unwrap().traces).into_values());
        all
    });
    traces
        .iter()
        .map(|t| t.join(" "))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn run_rust(rt: &tokio::runtime::Runtime, program: &str) -> String {
    let tokens: Vec<&str> = program.split_whitespace().collect();
    let mut pos = 1;
    let ops = parse(&tokens, &mut pos);
    assert_eq!(pos, tokens.len(), "unbalanced program: {program}");
    match tokens[0] {
        "S" => run_sync(&ops),
        _ => run_async(rt, ops),
    }
}

// ---------------------------------------------------------------------------------------------

fn env_u64(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(s) => {
            let s = s.trim().replace('_', "");
            match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            }
            .unwrap_or_else(|err| panic!("{name}={s}: {err}"))
        }
        Err(_) => default,
    }
}

fn python_batch(python: &str, programs: Vec<String>) -> std::thread::JoinHandle<Vec<String>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cpython_diff.py");
    let python = python.to_string();
    std::thread::spawn(move || {
        let mut child = Command::new(&python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start `{python}` (set CTXLINT_PYTHON): {err}"));
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            for p in &programs {
                writeln!(stdin, "{p}").unwrap();
            }
        });
        let lines: Vec<String> = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .collect::<Result<_, _>>()
            .unwrap();
        writer.join().unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{python} {script} failed: {status}");
        lines
    })
}

fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    format!(
        "step {i}: CPython {:?}, Rust {:?}",
        a.get(i).copied().unwrap_or("<end>"),
        b.get(i).copied().unwrap_or("<end>")
    )
}

#[test]
fn random_programs_trace_like_cpython() {
    // `x` panics with `Abort` on purpose; keep those out of the test's output.
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Abort>() {
                previous(info);
            }
        }));
    });

    let count = env_u64("CTXLINT_DIFF_PROGRAMS", 10_000);
    let first = env_u64("CTXLINT_DIFF_SEED", DEFAULT_SEED);
    let python = std::env::var("CTXLINT_PYTHON").unwrap_or_else(|_| "python3".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();

    let started = Instant::now();
    let mut mismatches = Vec::new();
    let mut compared = 0u64;
    let mut steps = 0usize;
    // How often each kind of observation came up (`v=3` counts as `v`), to show what was covered.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut batch_start = 0;
    while batch_start < count {
        let n = (count - batch_start).min(BATCH as u64);
        let seeds: Vec<u64> = (0..n)
            .map(|i| first.wrapping_add(batch_start + i))
            .collect();
        let programs: Vec<String> = seeds.iter().map(|&s| generate(s)).collect();
        let cpython = python_batch(&python, programs.clone());
        let rust: Vec<String> = programs.iter().map(|p| run_rust(&rt, p)).collect();
        let cpython = cpython.join().unwrap();
        assert_eq!(
            cpython.len(),
            programs.len(),
            "python3 printed too few lines"
        );
        for (i, (py, rs)) in cpython.iter().zip(&rust).enumerate() {
            compared += 1;
            for obs in rs.split(' ') {
                steps += 1;
                let kind = obs.split('=').next().unwrap_or(obs);
                *kinds.entry(kind.to_string()).or_default() += 1;
            }
            if py != rs && mismatches.len() < 5 {
                mismatches.push(format!(
                    "seed {seed} (replay: CTXLINT_DIFF_SEED={seed} CTXLINT_DIFF_PROGRAMS=1)\n  \
                     program: {prog}\n  CPython: {py}\n  Rust:    {rs}\n  first difference at {d}",
                    seed = seeds[i],
                    prog = programs[i],
                    d = first_difference(py, rs),
                ));
            } else if py != rs {
                mismatches.push(String::new());
            }
        }
        batch_start += n;
    }
    eprintln!(
        "cpython_diff: {compared} programs ({steps} observations) from seed {first} in {:.1?}, \
         {} mismatches",
        started.elapsed(),
        mismatches.len()
    );
    eprintln!("cpython_diff: observations by kind: {kinds:?}");
    assert_eq!(compared, count);
    if count >= 1_000 {
        // The generator must keep reaching every case, or the comparison proves less than it
        // claims.
        let expected = [
            "v", "L", "o", "ok", "Evar", "Ectx", "Eused", "n", "l", "T", "F", "KE", "i", "done",
            "raised", "Eent", "w", "|",
        ];
        for kind in expected {
            assert!(
                kinds.contains_key(kind),
                "no `{kind}` observation in {count} programs"
            );
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {count} programs differ from CPython; the first ones:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .filter(|m| !m.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
