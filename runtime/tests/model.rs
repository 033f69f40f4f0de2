//! Random programs of set, reset, get, copy, run and scope give the same observations as a
//! small reference model of PEP 567 (plain `BTreeMap`s copied eagerly).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, Waker};

use contextvars::{Context, ContextVar, ResetError, Token, copy_context};
use proptest::prelude::*;

static VARS: [ContextVar<i32>; 3] = [
    ContextVar::new("a"),
    ContextVar::with_default("b", -1),
    ContextVar::with_default("c", -2),
];
const DEFAULTS: [Option<i32>; 3] = [None, Some(-1), Some(-2)];

#[derive(Debug, Clone)]
enum Op {
    Get(usize),
    Set(usize, i32),
    /// Resets with the newest token made at this level.
    Reset,
    /// Resets a token made at this level through another variable.
    ResetWrongVar,
    /// Resets with the newest token of the enclosing level (another context).
    ResetOuter,
    /// Saves `copy_context()` as a snapshot of this level.
    Copy,
    /// Reads a variable from a snapshot with `Context::get`.
    SnapshotGet(usize, usize),
    /// Runs nested ops in a snapshot with `Context::run`.
    Run(usize, Vec<Op>),
    /// Polls a future over a snapshot (`scope_mut`), one op per poll, reading the poller's
    /// variables between polls.
    Scope(usize, Vec<Op>),
}

#[derive(Debug, Clone, PartialEq)]
enum Obs {
    Value(Option<i32>),
    Reset(Result<(), &'static str>),
    Len(usize),
    Skipped,
}

fn reset_kind(result: Result<(), ResetError>) -> Obs {
    Obs::Reset(result.map_err(|err| match err {
        ResetError::WrongVar { .. } => "wrong var",
        ResetError::WrongContext { .. } => "wrong context",
        _ => "other",
    }))
}

// ---------------------------------------------------------------------------------------------
// The real thing.

struct Real {
    obs: Vec<Obs>,
}

impl Real {
    /// Runs `ops` in the current context. `outer` holds the tokens of the enclosing level.
    fn exec(&mut self, ops: &[Op], outer: &mut Vec<(usize, Token<i32>)>) {
        let mut tokens: Vec<(usize, Token<i32>)> = Vec::new();
        let mut snaps: Vec<Context> = Vec::new();
        for op in ops {
            self.step(op, &mut tokens, outer, &mut snaps);
        }
    }

    fn step(
        &mut self,
        op: &Op,
        tokens: &mut Vec<(usize, Token<i32>)>,
        outer: &mut Vec<(usize, Token<i32>)>,
        snaps: &mut Vec<Context>,
    ) {
        match op {
            Op::Get(v) => self.obs.push(Obs::Value(VARS[*v].get())),
            Op::Set(v, x) => tokens.push((*v, VARS[*v].set(*x))),
            Op::Reset => match tokens.pop() {
                Some((v, token)) => self.obs.push(reset_kind(VARS[v].reset(token))),
                None => self.obs.push(Obs::Skipped),
            },
            Op::ResetWrongVar => match tokens.pop() {
                Some((v, token)) => self.obs.push(reset_kind(VARS[(v + 1) % 3].reset(token))),
                None => self.obs.push(Obs::Skipped),
            },
            Op::ResetOuter => match outer.pop() {
                Some((v, token)) => self.obs.push(reset_kind(VARS[v].reset(token))),
                None => self.obs.push(Obs::Skipped),
            },
            Op::Copy => {
                let snap = copy_context();
                self.obs.push(Obs::Len(snap.len()));
                snaps.push(snap);
            }
            Op::SnapshotGet(s, v) => match snaps.get(s % snaps.len().max(1)) {
                Some(snap) => self.obs.push(Obs::Value(snap.get(&VARS[*v]))),
                None => self.obs.push(Obs::Skipped),
            },
            Op::Run(s, inner) => {
                let len = snaps.len();
                match snaps.get_mut(s % len.max(1)) {
                    Some(snap) => snap.run(|| self.exec(inner, tokens)),
                    None => self.obs.push(Obs::Skipped),
                }
            }
            Op::Scope(s, inner) => {
                let len = snaps.len();
                let Some(snap) = snaps.get_mut(s % len.max(1)) else {
                    self.obs.push(Obs::Skipped);
                    return;
                };
                let inner = inner.clone();
                let mut fut = Box::pin(snap.scope_mut(async move {
                    let mut real = Real { obs: Vec::new() };
                    let mut tokens = Vec::new();
                    let mut no_outer = Vec::new();
                    let mut snaps = Vec::new();
                    for op in &inner {
                        real.step(op, &mut tokens, &mut no_outer, &mut snaps);
                        Yield(false).await;
                    }
                    real.obs
                }));
                let mut cx = TaskContext::from_waker(Waker::noop());
                loop {
                    match fut.as_mut().poll(&mut cx) {
                        Poll::Ready(obs) => {
                            self.obs.extend(obs);
                            break;
                        }
                        Poll::Pending => {
                            // Between polls, the poller sees its own values.
                            for var in &VARS {
                                self.obs.push(Obs::Value(var.get()));
                            }
                        }
                    }
                }
            }
        }
    }
}

struct Yield(bool);

impl Future for Yield {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The model: a context is a map plus an identity; copies are eager clones.

#[derive(Clone)]
struct MCtx {
    id: u64,
    vars: BTreeMap<usize, i32>,
}

struct MToken {
    var: usize,
    ctx: u64,
    old: Option<i32>,
}

struct Model {
    next_id: u64,
    obs: Vec<Obs>,
}

impl Model {
    fn fresh(&mut self, vars: BTreeMap<usize, i32>) -> MCtx {
        self.next_id += 1;
        MCtx {
            id: self.next_id,
            vars,
        }
    }

    fn get(cur: &MCtx, v: usize) -> Option<i32> {
        cur.vars.get(&v).copied().or(DEFAULTS[v])
    }

    fn reset(cur: &mut MCtx, var: usize, token: MToken) -> Obs {
        if token.var != var {
            return Obs::Reset(Err("wrong var"));
        }
        if token.ctx != cur.id {
            return Obs::Reset(Err("wrong context"));
        }
        match token.old {
            Some(old) => cur.vars.insert(var, old),
            None => cur.vars.remove(&var),
        };
        Obs::Reset(Ok(()))
    }

    fn exec(&mut self, cur: &mut MCtx, ops: &[Op], outer: &mut Vec<MToken>) {
        let mut tokens = Vec::new();
        let mut snaps: Vec<MCtx> = Vec::new();
        for op in ops {
            self.step(cur, op, &mut tokens, outer, &mut snaps);
        }
    }

    fn step(
        &mut self,
        cur: &mut MCtx,
        op: &Op,
        tokens: &mut Vec<MToken>,
        outer: &mut Vec<MToken>,
        snaps: &mut Vec<MCtx>,
    ) {
        match op {
            Op::Get(v) => self.obs.push(Obs::Value(Self::get(cur, *v))),
            Op::Set(v, x) => {
                let old = cur.vars.insert(*v, *x);
                tokens.push(MToken {
                    var: *v,
                    ctx: cur.id,
                    old,
                });
            }
            Op::Reset => match tokens.pop() {
                Some(token) => {
                    let var = token.var;
                    let obs = Self::reset(cur, var, token);
                    self.obs.push(obs);
                }
                None => self.obs.push(Obs::Skipped),
            },
            Op::ResetWrongVar => match tokens.pop() {
                Some(token) => {
                    let var = (token.var + 1) % 3;
                    let obs = Self::reset(cur, var, token);
                    self.obs.push(obs);
                }
                None => self.obs.push(Obs::Skipped),
            },
            Op::ResetOuter => match outer.pop() {
                Some(token) => {
                    let var = token.var;
                    let obs = Self::reset(cur, var, token);
                    self.obs.push(obs);
                }
                None => self.obs.push(Obs::Skipped),
            },
            Op::Copy => {
                let snap = self.fresh(cur.vars.clone());
                self.obs.push(Obs::Len(snap.vars.len()));
                snaps.push(snap);
            }
            Op::SnapshotGet(s, v) => match snaps.get(s % snaps.len().max(1)) {
                Some(snap) => self.obs.push(Obs::Value(snap.vars.get(v).copied())),
                None => self.obs.push(Obs::Skipped),
            },
            Op::Run(s, inner) => {
                let len = snaps.len();
                match snaps.get_mut(s % len.max(1)) {
                    Some(snap) => self.exec(snap, inner, tokens),
                    None => self.obs.push(Obs::Skipped),
                }
            }
            Op::Scope(s, inner) => {
                let len = snaps.len();
                let Some(snap) = snaps.get_mut(s % len.max(1)) else {
                    self.obs.push(Obs::Skipped);
                    return;
                };
                // One op per poll; after each op but the last, the poller reads its values.
                let mut inner_obs = Model {
                    next_id: self.next_id,
                    obs: Vec::new(),
                };
                let mut between = Vec::new();
                let mut tokens = Vec::new();
                let mut no_outer = Vec::new();
                let mut inner_snaps = Vec::new();
                for op in inner {
                    inner_obs.step(snap, op, &mut tokens, &mut no_outer, &mut inner_snaps);
                    for v in 0..3 {
                        between.push(Obs::Value(Self::get(cur, v)));
                    }
                }
                self.next_id = inner_obs.next_id;
                self.obs.extend(between);
                self.obs.extend(inner_obs.obs);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------

fn flat_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize).prop_map(Op::Get),
        (0..3usize, -5..5i32).prop_map(|(v, x)| Op::Set(v, x)),
        Just(Op::Reset),
        Just(Op::ResetWrongVar),
        Just(Op::Copy),
        (0..4usize, 0..3usize).prop_map(|(s, v)| Op::SnapshotGet(s, v)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    flat_op().prop_recursive(3, 48, 8, |inner| {
        prop_oneof![
            3 => flat_op(),
            1 => Just(Op::ResetOuter),
            1 => (0..4usize, proptest::collection::vec(inner.clone(), 0..8))
                .prop_map(|(s, ops)| Op::Run(s, ops)),
            1 => (0..4usize, proptest::collection::vec(flat_op(), 1..6))
                .prop_map(|(s, ops)| Op::Scope(s, ops)),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 512 },
        ..ProptestConfig::default()
    })]

    #[test]
    fn matches_the_reference_model(ops in proptest::collection::vec(op(), 0..40)) {
        // A fresh context per case: proptest runs cases on one thread.
        let real = Context::new().run(|| {
            let mut real = Real { obs: Vec::new() };
            real.exec(&ops, &mut Vec::new());
            real.obs
        });
        let mut model = Model { next_id: 0, obs: Vec::new() };
        let mut root = model.fresh(BTreeMap::new());
        model.exec(&mut root, &ops, &mut Vec::new());
        prop_assert_eq!(real, model.obs);
    }
}
