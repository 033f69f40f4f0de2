# sync_run_wraps_future (CTX002) across files: coroutine functions imported from another file
# of the project (tests/ui/py_helpers.py), absolutely and relatively.
import contextvars

import tests.ui.py_helpers as helpers
from tests.ui.py_helpers import fetch
from .py_helpers import Client, parse, store


def schedule(ctx: contextvars.Context) -> None:
    ctx.run(fetch, "a")  #~ sync_run_wraps_future
    ctx.run(store, "a", "b")  #~ sync_run_wraps_future
    ctx.run(helpers.fetch, "a")  #~ sync_run_wraps_future
    ctx.run(parse, "a")  # silent: parse is a plain `def` in py_helpers.py
    ctx.run(helpers.parse, "a")  # silent: the same, through the module
    ctx.run(Client.call, Client(), "n")  #~ sync_run_wraps_future
