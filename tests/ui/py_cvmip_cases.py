# context_value_mutated_in_place (CTX004): writes in place to the one default object that every
# context shares, with the declarations in another module (py_cvmip_state.py): through `get()`,
# a local name, a getter, an item, an attribute, `del`, an augmented assignment, a method of a
# project class that writes to `self`. Against copies, a fresh object `set()` first, defaults
# that are absent or immutable, and reads.
import contextvars
from copy import copy

from tests.ui.py_cvmip_state import HEADERS, NAMES, REQUEST, STACK, STATE, TAGS, USER
from tests.ui import py_cvmip_state as state
from .py_cvmip_state import get_headers


class Span:
    async def __aenter__(self):
        STACK.get().append(self)  #~ context_value_mutated_in_place
        return self

    async def __aexit__(self, *exc):
        STACK.get().pop()  #~ context_value_mutated_in_place


def set_headers(new):
    HEADERS.get().update(new)  #~ context_value_mutated_in_place


def through_a_name(key, value):
    headers = HEADERS.get()
    if key:
        headers[key] = value  #~ context_value_mutated_in_place
    del headers["old"]  #~ context_value_mutated_in_place


def through_a_getter(key):
    get_headers()[key] = "1"  #~ context_value_mutated_in_place
    state.get_headers().clear()  #~ context_value_mutated_in_place
    headers = get_headers()
    alias = headers
    if key:
        alias.pop(key)  #~ context_value_mutated_in_place


def a_set(tag):
    TAGS.get().add(tag)  #~ context_value_mutated_in_place


def an_object():
    counter = STATE.get()
    counter.count += 1  #~ context_value_mutated_in_place
    STATE.get().bump()  #~ context_value_mutated_in_place


# Silent: copies, mutated and set.
def copies(x):
    stack = list(STACK.get())
    stack.append(x)
    STACK.set(stack)
    headers = HEADERS.get().copy()
    headers["k"] = x
    HEADERS.set(headers)
    tags = copy(TAGS.get())
    tags.add(x)
    TAGS.set({*TAGS.get(), x})


# Silent: a fresh object `set()` first, on every path.
def fresh_first(x):
    STACK.set([])
    STACK.get().append(x)
    if x:
        HEADERS.get()["k"] = x  #~ context_value_mutated_in_place
        HEADERS.set({})
    token = HEADERS.set({})
    HEADERS.get()["k"] = x
    HEADERS.reset(token)


# Silent: bound after a fresh object was `set()`, written after that block has ended.
def bound_after_a_set(x):
    if x:
        TAGS.set(set())
        tags = TAGS.get()
        HEADERS.set({})
        headers = get_headers()
        alias = headers
    tags.add(x)
    alias["k"] = x


# Silent: no default, an immutable default, `get()` with a default of its own, reads.
def silent(x):
    user = USER.get()
    if user is not None:
        user.name = x
    request = REQUEST.get()
    request.seen = True
    names = NAMES.get()
    names.count(x)
    extra = STACK.get([])
    extra.append(x)
    _ = STACK.get()[-1], len(HEADERS.get()), STATE.get().value()
    contextvars.copy_context()
