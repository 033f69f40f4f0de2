# interior_mutable_default (CTX001): defaults that real packages declare and that share nothing.
# ruff's B039 reports the method calls and the project classes below; ctxlint reports only
# what can be mutated.
import copy
import os
import os.path
from contextvars import ContextVar

from py_state_types import Cursor, DerivedContext, HalfClosed, Open, ReadOnlyContext, Token

settings = {"REST": {"VERSION": "v3"}}
lookup = settings.get

# A method called on a value returns whatever the value holds: unknowable, not reported.
version = ContextVar("version", default=settings["REST"].get("VERSION", "v3"))
level = ContextVar("level", default=os.environ.get("LOG_LEVEL", "info"))
found = ContextVar("found", default=lookup("REST"))  #~ interior_mutable_default
home = ContextVar("home", default=os.path.join("/", "home"))
cwd = ContextVar("cwd", default=os.getcwd())
upper = ContextVar("upper", default="info".upper())
# A function of a module is judged by its name: a copy of a dict is a new dict.
snapshot = ContextVar("snapshot", default=copy.deepcopy(settings))  #~ interior_mutable_default

# A dict subclass, in another module, whose every mutator raises (in it or a base).
context = ContextVar("context", default=ReadOnlyContext())
derived = ContextVar("derived", default=DerivedContext(a=1))
half = ContextVar("half", default=HalfClosed())  #~ interior_mutable_default

# Private slots written only in `__init__`.
token = ContextVar("token", default=Token("anonymous"))
cursor = ContextVar("cursor", default=Cursor())  #~ interior_mutable_default
opened = ContextVar("opened", default=Open(1))  #~ interior_mutable_default
