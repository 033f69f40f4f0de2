# spawn_without_context (CTX006): callables handed to another thread that read a context
# variable (py_swc_state.py declares them), directly or through the project's functions, for
# each hand-off: `run_in_executor`, `Executor.submit`, `Executor.map`, `threading.Thread` and
# `Timer`. Against callables that carry a context (`ctx.run`, `copy_context().run`), that read
# none, `asyncio.to_thread`, a `Thread` given `context=`, and process pools.
import asyncio
import contextvars
import functools
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from tests.ui.py_swc_state import (
    REQUEST_ID,
    audit,
    bus,
    compute,
    current_request,
    fetch,
    log,
    report,
    tick,
    user_name,
)


# loop.run_in_executor
async def in_executor(loop, items):
    await loop.run_in_executor(None, current_request)  #~ spawn_without_context
    await loop.run_in_executor(None, log, "a")  #~ spawn_without_context
    await loop.run_in_executor(None, functools.partial(audit, "b"))  #~ spawn_without_context
    await loop.run_in_executor(None, lambda: user_name().upper())  #~ spawn_without_context
    await asyncio.get_running_loop().run_in_executor(None, bus.emit, "c")  #~ spawn_without_context

    def nested():
        return REQUEST_ID.get()

    await loop.run_in_executor(None, nested)  #~ spawn_without_context
    # Silent: the context is carried, or nothing reads it.
    await loop.run_in_executor(None, contextvars.copy_context().run, log, "d")
    ctx = contextvars.copy_context()
    await loop.run_in_executor(None, ctx.run, audit, "e")
    await loop.run_in_executor(None, compute, 2)
    await loop.run_in_executor(None, functools.partial(fetch, "u"))
    await loop.run_in_executor(None, lambda: compute(3))
    await loop.run_in_executor(ProcessPoolExecutor(), log, "f")
    await asyncio.to_thread(log, "g")


# Executor.submit
class Worker:
    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=2)

    def _run(self):
        return user_name()

    def _quiet(self):
        return compute(1)

    def start(self, pool: ThreadPoolExecutor, executor):
        self._executor.submit(self._run)  #~ spawn_without_context
        pool.submit(log, "h")  #~ spawn_without_context
        executor.submit(audit, "i")  #~ spawn_without_context
        with ThreadPoolExecutor() as workers:
            workers.submit(functools.partial(log, "j"))  #~ spawn_without_context
            workers.submit(asyncio.run, report("k"))  #~ spawn_without_context
        # Silent.
        self._executor.submit(self._quiet)
        pool.submit(contextvars.copy_context().run, log, "l")
        pool.submit(compute, 4)
        executor.submit(asyncio.run, tick())
        with ProcessPoolExecutor() as processes:
            processes.submit(log, "m")


# Executor.map
def map_them(items, pool: ThreadPoolExecutor):
    pool.map(audit, items)  #~ spawn_without_context
    with ThreadPoolExecutor() as executor:
        list(executor.map(log, items))  #~ spawn_without_context
        executor.map(lambda i: log(i), items)  #~ spawn_without_context
        executor.map(functools.partial(audit), items)  #~ spawn_without_context
    ThreadPoolExecutor().map(current_request, items)  #~ spawn_without_context
    # Silent: no read, a process pool, an unknown `map`, a copy per call.
    pool.map(compute, items)
    pool.map(fetch, items)
    ProcessPoolExecutor().map(log, items)
    items.map(log)
    ctx = contextvars.copy_context()
    pool.map(lambda i: ctx.copy().run(log, i), items)


# threading.Thread and Timer
def threads():
    threading.Thread(target=log, args=("n",)).start()  #~ spawn_without_context
    threading.Thread(target=current_request, daemon=True).start()  #~ spawn_without_context
    threading.Thread(args=["o"], target=audit).start()  #~ spawn_without_context
    threading.Timer(1.0, user_name).start()  #~ spawn_without_context
    threading.Thread(target=bus.emit, args=("p",)).start()  #~ spawn_without_context
    # Silent.
    ctx = contextvars.copy_context()
    threading.Thread(target=ctx.run, args=(log, "q")).start()
    threading.Thread(target=compute, args=(5,)).start()
    threading.Thread(target=fetch, args=("v",)).start()
    threading.Thread(target=bus.size).start()
    threading.Thread(target=log, args=("r",), context=contextvars.copy_context()).start()
    threading.Timer(1.0, compute, args=(6,)).start()


# Test code is left alone: tests hand work to threads to show what the thread sees.
def test_a_thread_sees_the_default():
    threading.Thread(target=log, args=("s",)).start()


# A lambda or nested function that runs the work in a context it was given.
async def carried_inside(loop):
    ctx = contextvars.copy_context()
    await loop.run_in_executor(None, lambda: ctx.run(lambda: log("u")))
    await loop.run_in_executor(None, lambda: contextvars.copy_context().run(audit, "w"))

    def in_copy():
        return ctx.run(current_request)

    await loop.run_in_executor(None, in_copy)
