"""CPython's side of `cpython_diff.rs`: runs the generated programs, one per line of stdin,
and prints one trace line per program to stdout, in order. Standard library only.

The program format and the trace format are described in `cpython_diff.rs`, which generates
the programs, runs the same text against the Rust runtime and compares the two traces.
"""

import asyncio
import contextvars
import sys

# The same four variables as the Rust side: two without a default, two with one.
VARS = [
    contextvars.ContextVar("a"),
    contextvars.ContextVar("b", default=10),
    contextvars.ContextVar("c"),
    contextvars.ContextVar("d", default=20),
]


class Abort(Exception):
    """The `x` op: leaves the body of the innermost `run` by an exception."""


def parse(tokens, pos):
    """Parses ops from `tokens[pos:]` up to a `]` or the end; returns (ops, next position)."""
    ops = []
    while pos < len(tokens):
        tok = tokens[pos]
        if tok == "]":
            return ops, pos + 1
        if tok in ("g", "len", "cp"):
            ops.append((tok, int(tokens[pos + 1])))
            pos += 2
        elif tok in ("s", "r", "in", "cg"):
            ops.append((tok, int(tokens[pos + 1]), int(tokens[pos + 2])))
            pos += 3
        elif tok in ("cc", "cn", "x", "y", "items"):
            ops.append((tok,))
            pos += 1
        elif tok == "it":
            ops.append((tok, int(tokens[pos + 1])))
            pos += 2
        elif tok == "w":
            ops.append((tok, int(tokens[pos + 1])))
            pos += 2
        elif tok in ("run", "t"):
            number = int(tokens[pos + 1])
            if tokens[pos + 2] != "[":
                raise ValueError(f"expected [ at {pos + 2}")
            body, pos = parse(tokens, pos + 3)
            ops.append((tok, number, body))
        else:
            raise ValueError(f"unknown op {tok!r} at {pos}")
    return ops, pos


def value(v):
    return f"v={v}"


def items_of(ctx):
    """The contents of `ctx`, listed through iteration, `items()` and `len()`, which must agree."""
    by_iter = sorted(f"{var.name}:{ctx[var]}" for var in ctx)
    by_items = sorted(f"{var.name}:{val}" for var, val in ctx.items())
    if by_iter != by_items or len(by_iter) != len(ctx):
        return "Eiter"
    return "i=" + ",".join(by_items)


def get(out, var):
    try:
        out.append(value(var.get()))
    except LookupError:
        out.append("L")


def set_(out, tokens, var, x):
    token = var.set(x)
    if token.var is not var:
        out.append("Etokvar")
    tokens.append(token)
    out.append("o=M" if token.old_value is contextvars.Token.MISSING else f"o={token.old_value}")


def reset(out, tokens, var, index):
    try:
        var.reset(tokens[index])
        out.append("ok")
    except RuntimeError:
        # "Token has already been used once"
        out.append("Eused")
    except ValueError as err:
        out.append("Evar" if "different ContextVar" in str(err) else "Ectx")


def run_sync(ops):
    out = []
    slots = [contextvars.Context()]
    tokens = []

    def body(ops):
        for op in ops:
            step(op)

    def step(op):
        kind = op[0]
        if kind == "g":
            get(out, VARS[op[1]])
        elif kind == "s":
            set_(out, tokens, VARS[op[1]], op[2])
        elif kind == "r":
            reset(out, tokens, VARS[op[1]], op[2])
        elif kind in ("cc", "cn", "cp"):
            if kind == "cc":
                ctx = contextvars.copy_context()
            elif kind == "cn":
                ctx = contextvars.Context()
            else:
                ctx = slots[op[1]].copy()
            slots.append(ctx)
            out.append(f"n={len(ctx)}")
        elif kind == "len":
            out.append(f"l={len(slots[op[1]])}")
        elif kind == "in":
            out.append("T" if VARS[op[2]] in slots[op[1]] else "F")
        elif kind == "it":
            out.append(items_of(slots[op[1]]))
        elif kind == "cg":
            try:
                out.append(value(slots[op[1]][VARS[op[2]]]))
            except KeyError:
                out.append("KE")
        elif kind == "run":
            started = []

            def inner():
                started.append(True)
                body(op[2])

            try:
                slots[op[1]].run(inner)
                out.append("done")
            except Abort:
                out.append("raised")
            except RuntimeError:
                # "cannot enter context: ... is already entered"; the body never started.
                out.append("Eent" if not started else "Eunexpected")
        elif kind == "x":
            raise Abort()
        else:
            raise ValueError(f"op {kind} in a sync program")

    slots[0].run(body, ops)
    return " ".join(out)


async def run_async(ops):
    traces = {0: []}
    handles = {}

    async def coroutine(ops, task_id):
        out = traces[task_id]
        tokens = []
        for op in ops:
            kind = op[0]
            if kind == "g":
                get(out, VARS[op[1]])
            elif kind == "s":
                set_(out, tokens, VARS[op[1]], op[2])
            elif kind == "r":
                reset(out, tokens, VARS[op[1]], op[2])
            elif kind == "y":
                await asyncio.sleep(0)
            elif kind == "items":
                out.append(items_of(contextvars.copy_context()))
            elif kind == "t":
                traces[op[1]] = []
                handles[op[1]] = asyncio.create_task(coroutine(op[2], op[1]))
            elif kind == "w":
                await handles[op[1]]
                out.append("w")
            else:
                raise ValueError(f"op {kind} in an async program")

    await coroutine(ops, 0)
    # Task ids are numbered in the text's order, so a task's parent has a lower id: when the
    # loop reaches an id, the task that creates it has finished.
    last = 0
    while True:
        later = [task_id for task_id in handles if task_id > last]
        if not later:
            break
        last = min(later)
        await handles[last]
    return " | ".join(" ".join(traces[i]) for i in sorted(traces))


def main():
    loop = asyncio.new_event_loop()
    out = sys.stdout
    for line in sys.stdin:
        tokens = line.split()
        try:
            kind = tokens[0]
            ops, end = parse(tokens, 1)
            if end != len(tokens):
                raise ValueError("unbalanced ]")
            if kind == "S":
                trace = run_sync(ops)
            elif kind == "A":
                # Each program's main coroutine starts in an empty context of its own.
                task = loop.create_task(run_async(ops), context=contextvars.Context())
                trace = loop.run_until_complete(task)
            else:
                raise ValueError(f"unknown program kind {kind!r}")
        except Exception as err:  # reported as a trace, so the Rust side shows it
            trace = f"PYERR {type(err).__name__}: {err}".replace("\n", " ")
        out.write(trace + "\n")
    out.flush()
    loop.close()


if __name__ == "__main__":
    main()
