# Classes for py_imd_precision.py, which imports them: ctxlint reads from this module that a
# class is immutable, or that it is not. (This file has no findings; it makes no ContextVar.)


class ReadOnlyContext(dict):
    """A `dict` whose every mutator raises: nothing can change an instance."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("read-only")

    def __setitem__(self, key, value):
        raise TypeError("read-only")

    def __delitem__(self, key):
        raise TypeError("read-only")

    def clear(self):
        raise TypeError("read-only")

    def pop(self, *args):
        raise TypeError("read-only")

    def popitem(self):
        raise TypeError("read-only")

    def setdefault(self, *args):
        raise TypeError("read-only")

    def update(self, *args, **kwargs):
        raise TypeError("read-only")

    def __ior__(self, other):
        raise TypeError("read-only")


class DerivedContext(ReadOnlyContext):
    """Inherits every refusal from its base."""


class HalfClosed(dict):
    """Refuses item assignment but not `update`: still mutable."""

    def __setitem__(self, key, value):
        raise TypeError("read-only")


class Token:
    """Private slots, written only in `__init__`: sealed."""

    __slots__ = ("_value",)

    def __init__(self, value):
        self._value = value

    @property
    def value(self):
        return self._value


class Cursor:
    """Private slots, but a method writes one: mutable."""

    __slots__ = ("_pos",)

    def __init__(self):
        self._pos = 0

    def advance(self):
        self._pos += 1


class Open:
    """A public slot: any code can assign it."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value
