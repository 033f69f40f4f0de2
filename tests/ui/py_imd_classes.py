# interior_mutable_default (CTX001): instances of the project's own classes are mutable unless
# the source shows them immutable. ruff's B039 reports all of them; ctxlint only the mutable.
import dataclasses
import enum
import typing
from collections import namedtuple
from contextvars import ContextVar
from dataclasses import dataclass
from typing import NamedTuple, NewType


class Plain:
    pass


@dataclass
class Settings:
    debug: bool = False


@dataclass(frozen=False)
class Explicit:
    debug: bool = False


@dataclass(frozen=True)
class FrozenSettings:
    debug: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class FrozenQualified:
    level: int = 0


class Pair(NamedTuple):
    left: int
    right: int


class TypedPair(typing.NamedTuple):
    left: int


Point = namedtuple("Point", "x y")


class Color(enum.Enum):
    RED = 1


class Level(enum.IntEnum):
    LOW = 1


class BaseMode(enum.Enum):
    pass


class Mode(BaseMode):
    FAST = "fast"


class Registry(dict):
    pass


UserId = NewType("UserId", int)


def default_limits() -> tuple[int, int]:
    return (1, 2)


def default_names() -> list[str]:
    return []


# Mutable project classes.
m1 = ContextVar("m1", default=Plain())  #~ interior_mutable_default
m2 = ContextVar("m2", default=Settings())  #~ interior_mutable_default
m3 = ContextVar("m3", default=Explicit())  #~ interior_mutable_default
m4 = ContextVar("m4", default=Registry())  #~ interior_mutable_default
m5 = ContextVar("m5", default=default_names())  #~ interior_mutable_default

# Silent: the source shows these immutable.
n1 = ContextVar("n1", default=FrozenSettings())  # silent: a frozen dataclass
n2 = ContextVar("n2", default=FrozenQualified(level=2))  # silent: frozen, through the module
n3 = ContextVar("n3", default=Pair(1, 2))  # silent: a NamedTuple is a tuple
n4 = ContextVar("n4", default=TypedPair(1))  # silent: typing.NamedTuple too
n5 = ContextVar("n5", default=Point(0, 0))  # silent: a namedtuple() class
n6 = ContextVar("n6", default=Color(1))  # silent: an Enum member
n7 = ContextVar("n7", default=Level(1))  # silent: an IntEnum member
n8 = ContextVar("n8", default=Mode("fast"))  # silent: an Enum through a project base
n9 = ContextVar("n9", default=UserId(7))  # silent: a NewType of int returns the int
n10 = ContextVar("n10", default=default_limits())  # silent: annotated to return a tuple
n11 = ContextVar("n11", default=Color.RED)  # silent: an attribute, not a call
