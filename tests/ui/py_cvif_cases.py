# context_var_in_function (CTX005): a ContextVar made in a function, a method, a lambda, a
# comprehension or a nested function; against module level, a class body at module level, and
# test code (functions named test*, classes named Test*).
import contextvars
from contextvars import ContextVar

request_id = ContextVar("request_id")


class Registry:
    current = contextvars.ContextVar("current", default=None)

    def __init__(self):
        self._var = ContextVar("per_instance")  #~ context_var_in_function

    def fresh(self, name):
        return contextvars.ContextVar(name)  #~ context_var_in_function


def make(name):
    var = ContextVar(name, default=None)  #~ context_var_in_function

    def inner():
        return ContextVar("inner")  #~ context_var_in_function

    return var, inner


maker = lambda: ContextVar("lambda")  #~ context_var_in_function
many = [ContextVar(f"v{i}") for i in range(3)]  #~ context_var_in_function
by_name = {n: ContextVar(n) for n in ("a", "b")}  #~ context_var_in_function
typed = ContextVar[int]("typed")


async def handle():
    scratch = ContextVar("scratch")  #~ context_var_in_function
    scratch.set(1)


def test_makes_its_own():
    var = ContextVar("test")
    var.set(1)


class TestRegistry:
    def setup_method(self):
        self.var = ContextVar("fixture")


class ContextVarLike:
    pass


def lookalike():
    return ContextVarLike()
