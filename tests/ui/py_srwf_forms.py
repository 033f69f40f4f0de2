# sync_run_wraps_future (CTX002): every form of the callable, every receiver, every way the
# result is used; and the idioms that are right.
import asyncio
import asyncio as aio
import contextvars
import functools
from contextvars import Context, copy_context
from functools import partial

import somewhere_else


async def load(key: str) -> str:
    await asyncio.sleep(0)
    return key


def compute(key: str) -> str:
    return key


async def awaited_forms(key: str) -> None:
    ctx = copy_context()
    await ctx.run(load, key)  #~ sync_run_wraps_future
    await ctx.run(load, "literal")  #~ sync_run_wraps_future
    await ctx.run(lambda: load(key))  #~ sync_run_wraps_future
    await ctx.run(partial(load, key))  #~ sync_run_wraps_future
    await ctx.run(functools.partial(load), key)  #~ sync_run_wraps_future
    await ctx.run(load, key.upper())  #~ sync_run_wraps_future
    await copy_context().run(load, key)  #~ sync_run_wraps_future
    await ctx.run(asyncio.sleep, 0)  #~ sync_run_wraps_future
    # An unknown callable whose result is awaited: run() returned an awaitable.
    await ctx.run(somewhere_else.handler)  #~ sync_run_wraps_future


async def stored_forms(key: str) -> None:
    ctx = contextvars.copy_context()
    pending = ctx.run(load, key)  #~ sync_run_wraps_future
    await pending
    fresh = contextvars.Context()
    later = fresh.run(load, key)  #~ sync_run_wraps_future
    await later
    copied = ctx.copy()
    also = copied.run(load, key)  #~ sync_run_wraps_future
    await also
    handler = partial(load, key)
    ctx.run(handler)  #~ sync_run_wraps_future
    await asyncio.gather(ctx.run(somewhere_else.job))  #~ sync_run_wraps_future


def handed_to_the_loop(key: str) -> None:
    ctx = copy_context()
    asyncio.run(ctx.run(load, key))  #~ sync_run_wraps_future
    loop = asyncio.new_event_loop()
    loop.run_until_complete(ctx.run(load, key))  #~ sync_run_wraps_future
    asyncio.run_coroutine_threadsafe(ctx.run(load, key), loop)  #~ sync_run_wraps_future
    loop.run_until_complete(ctx.run(somewhere_else.job))  #~ sync_run_wraps_future


def receivers(key: str, given: Context, other: "Context") -> None:
    given.run(load, key)  #~ sync_run_wraps_future
    other.run(load, key)  #~ sync_run_wraps_future


class Worker:
    def __init__(self) -> None:
        self.ctx = copy_context()

    async def step(self, key: str) -> str:
        return key

    def tick(self) -> str:
        return "tick"

    async def run_all(self) -> None:
        await self.ctx.run(self.step, "a")  #~ sync_run_wraps_future
        self.ctx.run(self.tick)  # silent: a synchronous method
        await aio.create_task(self.step("a"), context=self.ctx)  # silent: the fix


async def right_idioms(key: str) -> None:
    ctx = copy_context()
    ctx.run(compute, key)  # silent: a synchronous function
    await ctx.run(asyncio.create_task, load(key))  # silent: the task takes a copy of ctx
    await ctx.run(asyncio.ensure_future, load(key))  # silent: ensure_future creates a task
    loop = asyncio.get_running_loop()
    await ctx.run(loop.create_task, load(key))  # silent: a task, bound to a copy of ctx
    async with asyncio.TaskGroup() as group:
        ctx.run(group.create_task, load(key))  # silent: a TaskGroup's task copies ctx too
    await asyncio.create_task(load(key), context=ctx)  # silent: the fix itself
    ctx.run(somewhere_else.handler)  # silent: unknown callable, result not awaited
    ctx.run(lambda: compute(key))  # silent: the lambda calls a synchronous function
    ctx.run(partial(compute, key))  # silent: a partial of a synchronous function
    ctx.run(print, key)  # silent: a builtin, synchronous
    ctx.run(dict.fromkeys, [key])  # silent: a synchronous method of a builtin type
    value = ctx.run(compute, key)  # silent: stored, but compute returns a str
    ctx.run(load(key).close)  # silent: the bound method of a coroutine object is synchronous


def not_a_context(key: str) -> None:
    runner = somewhere_else.Runner()
    runner.run(load, key)  # silent: not a Context
    asyncio.run(load(key))  # silent: not a Context either


def shadowed(key: str) -> None:
    ctx = copy_context()
    load = compute  # the name now holds a synchronous function
    ctx.run(load, key)  # silent: `load` is shadowed by a local variable
    ctx = somewhere_else.make()
    ctx.run(compute, key)  # silent: ctx is no longer a Context
