#!/usr/bin/env python3
"""Times CPython's contextvars on the operations of the Rust bench (benches/contextvars.rs).

Usage: python3 runtime/benches/python_contextvars.py

Prints one line per operation: nanoseconds per operation, the best of 7 repeats of timeit,
minus the cost of an empty timeit loop. The "scoped poll" row is what asyncio's Task does on
every step: `context.run(coro.send, None)`, minus a bare `coro.send(None)`.
"""
import contextvars
import platform
import sys
import timeit

N = 1_000_000
REPEAT = 7


def best_ns(stmt, setup="pass", globals=None, number=N):
    timer = timeit.Timer(stmt, setup=setup, globals=globals)
    return min(timer.repeat(repeat=REPEAT, number=number)) / number * 1e9


def main():
    empty = best_ns("pass")
    rows = []

    def row(name, stmt, globals, subtract=empty):
        rows.append((name, best_ns(stmt, globals=globals) - subtract))

    # The bench makes its variables per run and per size on purpose.
    var = contextvars.ContextVar("var")  # noqa: CTX005

    def context_with(n):
        ctx = contextvars.Context()
        others = [contextvars.ContextVar(f"v{i}") for i in range(n - 1)]  # noqa: CTX005

        def fill():
            var.set(1)
            for i, v in enumerate(others):
                v.set(i)

        ctx.run(fill)
        return ctx

    for n in (1, 10):
        ctx = context_with(n)
        # Time inside the context, so the reads and writes hit it.
        g = {"var": var}
        if n == 10:
            rows.append(("get", ctx.run(lambda: best_ns("var.get()", globals=g)) - empty))
        rows.append((f"set/{n}", ctx.run(lambda: best_ns("var.set(2)", globals=g)) - empty))

    for n in (1, 10, 100, 1000):
        ctx = context_with(n)
        rows.append(
            (f"copy_context/{n}", ctx.run(lambda: best_ns("copy_context()", globals={"copy_context": contextvars.copy_context})) - empty)
        )

    ctx = context_with(10)
    f = lambda: 1  # noqa: E731
    call = best_ns("f()", globals={"f": f})
    row("run (enter + exit)", "ctx.run(f)", {"ctx": ctx, "f": f}, subtract=call)

    def gen():
        while True:
            yield

    coro = gen()
    next(coro)
    bare = best_ns("send(None)", globals={"send": coro.send})
    row("scoped poll overhead", "run(send, None)", {"run": ctx.run, "send": coro.send}, subtract=bare)

    print(f"# CPython {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(f"# best of {REPEAT} x {N} iterations, empty-loop cost ({empty:.1f} ns) subtracted")
    for name, ns in rows:
        print(f"{name:24} {ns:8.1f} ns")


if __name__ == "__main__":
    main()
