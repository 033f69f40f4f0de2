# spawn_without_context (CTX006): the rewrites `--fix` applies, in a module that declares its
# own variable (the fix test checks one file alone). Each hand-off gets the callable run in a
# copy of the caller's context; a thread's `args` is rebuilt whatever its form or place.
import contextvars as cv
import threading
from concurrent.futures import ThreadPoolExecutor

tenant = cv.ContextVar("tenant")


def read(*args):
    return tenant.get(), args


def forms(loop, pool: ThreadPoolExecutor, more):
    loop.run_in_executor(None, read, 1)  #~ spawn_without_context
    pool.submit(read, 2)  #~ spawn_without_context
    pool.submit(read, *more, key=3)  #~ spawn_without_context
    threading.Thread(target=read).start()  #~ spawn_without_context
    threading.Thread(target=read, args=(4, 5)).start()  #~ spawn_without_context
    threading.Thread(target=read, args=()).start()  #~ spawn_without_context
    threading.Thread(target=read, name="t", args=[6]).start()  #~ spawn_without_context
    threading.Thread(args=more, daemon=True, target=read).start()  #~ spawn_without_context
    threading.Timer(0.1, read).start()  #~ spawn_without_context
    # Shown, not applied: a `map` would share one context between threads, and `args` from
    # an expression cannot be unpacked into a new tuple safely.
    pool.map(read, more)  #~ spawn_without_context
    threading.Thread(target=read, args=tuple(more)).start()  #~ spawn_without_context
