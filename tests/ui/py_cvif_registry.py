# context_var_in_function (CTX005): a variable made in a function but kept once per key (in a
# mapping of the module, or a `global`, on the branch that runs when it is not there yet) is
# not made per call, as structlog's bind_contextvars does; a store into a local or per-object
# mapping, or one made on every call, still is.
import contextvars
from contextvars import ContextVar

_VARS: dict[str, ContextVar] = {}
_BY_NAME = {}
_lazy = None


def var_for(key):
    try:
        return _VARS[key]
    except KeyError:
        var = contextvars.ContextVar(key, default=Ellipsis)
        _VARS[key] = var
        return var


def var_if_missing(key):
    if key not in _BY_NAME:
        _BY_NAME[key] = ContextVar(key)
    return _BY_NAME[key]


def var_chained(key):
    if _VARS.get(key) is None:
        _VARS[key] = var = ContextVar(key)
        return var
    return _VARS[key]


def var_setdefault(key):
    return _VARS.setdefault(key, ContextVar(key))


def lazy_global():
    global _lazy
    if _lazy is None:
        _lazy = ContextVar("lazy")
    return _lazy


def every_call(key):
    _VARS[key] = ContextVar(key)  #~ context_var_in_function
    return _VARS[key]


def local_mapping(key):
    seen = {}
    if key not in seen:
        seen[key] = ContextVar(key)  #~ context_var_in_function
    return seen[key]


def shadowed(key, _VARS):
    if key not in _VARS:
        _VARS[key] = ContextVar(key)  #~ context_var_in_function
    return _VARS[key]


class PerObject:
    def __init__(self):
        self._vars = {}

    def var(self, key):
        if key not in self._vars:
            self._vars[key] = ContextVar(key)  #~ context_var_in_function
        return self._vars[key]


def not_global():
    _lazy = None
    if _lazy is None:
        _lazy = ContextVar("not_global")  #~ context_var_in_function
    return _lazy
