# spawn_without_context (CTX006), as a program: a request id set in the caller, read by work
# handed to a thread pool, an event loop's executor and a thread. Run it: each prints what the
# thread saw, `none` (the variable's default), not `r-1`. `ctxlint check --fix` rewrites each
# hand-off to run in a copy of the caller's context (py_swc_seed.fixed), which prints `r-1`.
import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

request_id = contextvars.ContextVar("request_id", default="none")


def current():
    return request_id.get()


def remember(seen):
    seen.append(current())


async def from_a_coroutine(loop):
    return await loop.run_in_executor(None, current)  #~ spawn_without_context


def main():
    request_id.set("r-1")
    with ThreadPoolExecutor(max_workers=1) as pool:
        print("pool", pool.submit(current).result())  #~ spawn_without_context
    seen = []
    thread = threading.Thread(target=remember, args=(seen,))  #~ spawn_without_context
    thread.start()
    thread.join()
    print("thread", seen[0])

    async def run():
        request_id.set("r-1")
        print("executor", await from_a_coroutine(asyncio.get_running_loop()))

    asyncio.run(run())


if __name__ == "__main__":
    main()
