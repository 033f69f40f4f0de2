# Suppression comments of Python findings: `# noqa` (all), `# noqa: CODE` (the short code),
# and `# ctxlint: allow(NAME)`. The wrong code or name suppresses nothing.
import asyncio
from contextvars import ContextVar, copy_context

s1 = ContextVar("s1", default=[])  # noqa
s2 = ContextVar("s2", default=[])  # noqa: CTX001
s3 = ContextVar("s3", default=[])  # NOQA:CTX002,CTX001
s4 = ContextVar("s4", default=[])  # ctxlint: allow(interior_mutable_default)
s5 = ContextVar(
    "s5",
    default={},
)  # noqa: CTX001 -- on the statement's last line
s6 = ContextVar("s6", default=[])  # noqa: CTX002  #~ interior_mutable_default
s7 = ContextVar("s7", default=[])  # ctxlint: allow(sync_run_wraps_future)  #~ interior_mutable_default
s8 = ContextVar("s8", default=[])  # noqa: B039  #~ interior_mutable_default
s9 = ContextVar("s9", default="# noqa")  # silent anyway: a str (and that was not a comment)


async def work() -> None:
    await asyncio.sleep(0)


async def main() -> None:
    ctx = copy_context()
    await ctx.run(work)  # noqa: CTX002
    await ctx.run(work)  # ctxlint: allow(sync_run_wraps_future)
    await ctx.run(work)  # noqa: CTX001  #~ sync_run_wraps_future
