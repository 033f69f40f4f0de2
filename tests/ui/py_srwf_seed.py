# The second seed's bug, in Python: `await copied.run(nested)` with an `async def nested`.
# run() calls nested() inside the copy, which only creates the coroutine; the await then runs
# its body in the caller's context, so the caller sees the value nested() set.
import asyncio
from contextvars import ContextVar, copy_context

user: ContextVar[str] = ContextVar("user", default="nobody")


def rename_sync() -> None:
    user.set("renamed")


async def rename_async() -> None:
    user.set("renamed")


async def leaks() -> None:
    user.set("caller")
    copied = copy_context()
    copied.run(rename_sync)  # silent: a synchronous function runs wholly inside the copy
    await copied.run(rename_async)  #~ sync_run_wraps_future
    print(user.get())  # "renamed": the write leaked


async def isolated() -> None:
    user.set("caller")
    copied = copy_context()
    # The fix: the coroutine runs as a task bound to the copy (Python 3.11+).
    await asyncio.create_task(rename_async(), context=copied)
    # Before 3.11: create the task inside the copy; the task takes a copy of it.
    await copied.run(asyncio.create_task, rename_async())  # silent: the task idiom
    print(user.get())  # still "caller"


if __name__ == "__main__":
    asyncio.run(leaks())
    asyncio.run(isolated())
