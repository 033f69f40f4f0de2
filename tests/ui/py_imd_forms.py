# interior_mutable_default (CTX001) for Python: every import form, every kind of mutable
# default, and the calls that ruff's B039 reports because nothing says they are immutable.
import array
import collections
import contextvars
import contextvars as cv
import datetime
import decimal
import pathlib
import re
import uuid
from collections import Counter, OrderedDict, defaultdict, deque
from contextvars import ContextVar
from contextvars import ContextVar as CV
from types import MappingProxyType

import somewhere_else

# Displays and comprehensions.
a1 = ContextVar("a1", default=[])  #~ interior_mutable_default
a2 = ContextVar("a2", default={})  #~ interior_mutable_default
a3 = ContextVar("a3", default={1, 2})  #~ interior_mutable_default
a4 = ContextVar("a4", default=[n for n in range(3)])  #~ interior_mutable_default
a5 = ContextVar("a5", default={n: n for n in range(3)})  #~ interior_mutable_default
a6 = ContextVar("a6", default={n for n in range(3)})  #~ interior_mutable_default
a7 = ContextVar("a7", default={"k": []})  #~ interior_mutable_default

# Every import form of ContextVar.
b1 = contextvars.ContextVar("b1", default=[])  #~ interior_mutable_default
b2 = cv.ContextVar("b2", default=[])  #~ interior_mutable_default
b3 = CV("b3", default=[])  #~ interior_mutable_default
b4 = ContextVar(  # the marker goes on the line where the default starts
    "b4",
    default=dict(),  #~ interior_mutable_default
)

# Calls of the mutable builtins and of the collections containers.
c1 = ContextVar("c1", default=list())  #~ interior_mutable_default
c2 = ContextVar("c2", default=dict(a=1))  #~ interior_mutable_default
c3 = ContextVar("c3", default=set())  #~ interior_mutable_default
c4 = ContextVar("c4", default=bytearray(b"x"))  #~ interior_mutable_default
c5 = ContextVar("c5", default=deque())  #~ interior_mutable_default
c6 = ContextVar("c6", default=defaultdict(list))  #~ interior_mutable_default
c7 = ContextVar("c7", default=OrderedDict())  #~ interior_mutable_default
c8 = ContextVar("c8", default=Counter())  #~ interior_mutable_default
c9 = ContextVar("c9", default=collections.ChainMap())  #~ interior_mutable_default
c10 = ContextVar("c10", default=collections.deque(maxlen=3))  #~ interior_mutable_default
c11 = ContextVar("c11", default=array.array("i"))  #~ interior_mutable_default

# Built from a mutable value.
d1 = ContextVar("d1", default=[0] * 8)  #~ interior_mutable_default
d2 = ContextVar("d2", default=([], 1))  #~ interior_mutable_default
d3 = ContextVar("d3", default=[] if somewhere_else.FLAG else None)  #~ interior_mutable_default


def make_settings():
    return {"debug": False}


# Calls that B039 reports too: nothing shows their result is immutable.
e1 = ContextVar("e1", default=make_settings())  #~ interior_mutable_default
e2 = ContextVar("e2", default=somewhere_else.build())  #~ interior_mutable_default
e3 = ContextVar("e3", default=sorted([3, 1]))  #~ interior_mutable_default

# Silent: immutable values.
f1 = ContextVar("f1", default=None)  # silent: None
f2 = ContextVar("f2", default=0)  # silent: an int
f3 = ContextVar("f3", default=1.5)  # silent: a float
f4 = ContextVar("f4", default="anonymous")  # silent: a str
f5 = ContextVar("f5", default=b"raw")  # silent: bytes
f6 = ContextVar("f6", default=())  # silent: an empty tuple
f7 = ContextVar("f7", default=(1, "a", None))  # silent: a tuple of immutables
f8 = ContextVar("f8", default=frozenset({1, 2}))  # silent: a frozenset (the set inside is copied)
f9 = ContextVar("f9", default=True)  # silent: a bool
f10 = ContextVar("f10", default=tuple([1, 2]))  # silent: tuple() returns a new tuple
f11 = ContextVar("f11", default=object())  # silent: a bare object() has no attributes to change

# Silent: immutable types of the standard library.
g1 = ContextVar("g1", default=datetime.timedelta(seconds=5))  # silent: timedelta is immutable
g2 = ContextVar("g2", default=decimal.Decimal("0.1"))  # silent: Decimal is immutable
g3 = ContextVar("g3", default=pathlib.Path("/tmp"))  # silent: Path is immutable
g4 = ContextVar("g4", default=re.compile("x+"))  # silent: a compiled pattern is immutable
g5 = ContextVar("g5", default=MappingProxyType({}))  # silent: a read-only view
g6 = ContextVar("g6", default=uuid.UUID(int=0))  # silent: UUID is immutable

# Silent: not a call or a display (B039 is silent on these too).
SHARED_NAME = "x"
h1 = ContextVar("h1", default=SHARED_NAME)  # silent: a name, whose value is not known here
h2 = ContextVar("h2", default=somewhere_else.DEFAULT)  # silent: an attribute
h3 = ContextVar("h3")  # silent: no default

# Silent: not contextvars' ContextVar.
i1 = somewhere_else.ContextVar("i1", default=[])  # silent: another module's ContextVar
i2 = dict(default=[])  # silent: a `default` keyword of another call
