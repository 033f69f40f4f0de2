# The declarations that py_cvmip_cases.py writes to, from another module: context variables with
# mutable defaults at module level and in a class body, getters, and a class whose methods
# write to `self`.
import contextvars
from contextvars import ContextVar

STACK = ContextVar("stack", default=[])  #~ interior_mutable_default
HEADERS = contextvars.ContextVar("headers", default={})  #~ interior_mutable_default
TAGS = ContextVar[set]("tags", default=set())  #~ interior_mutable_default
USER = ContextVar("user", default=None)
NAMES = ContextVar("names", default=())
REQUEST = ContextVar("request")


class Counter:
    def __init__(self):
        self.count = 0

    def bump(self):
        self.count += 1

    def value(self):
        return self.count


STATE = ContextVar("state", default=Counter())  #~ interior_mutable_default


def get_headers():
    return HEADERS.get()


class Connections:
    _storage = ContextVar("storage", default={})  #~ interior_mutable_default

    def _get_storage(self):
        return self._storage.get()

    def put(self, alias, conn):
        storage = self._get_storage()
        storage[alias] = conn  #~ context_value_mutated_in_place

    def clear(self):
        self._get_storage().clear()  #~ context_value_mutated_in_place

    def put_copy(self, alias, conn):
        storage = dict(self._get_storage())
        storage[alias] = conn
        self._storage.set(storage)
