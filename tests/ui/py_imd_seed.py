# The first seed's bug, in Python: a ContextVar whose default is one mutable object. Every task
# that never calls set() gets that same object from get(), so three tasks that each bump "their"
# counter all bump one counter, and all see the same id(). The declaration is
# interior_mutable_default's; the write, context_value_mutated_in_place's.
import asyncio
from contextvars import ContextVar


class Visits:
    def __init__(self) -> None:
        self.count = 0


visits: ContextVar[Visits] = ContextVar("visits", default=Visits())  #~ interior_mutable_default


async def handle_shared(label: str) -> None:
    state = visits.get()
    state.count += 1  #~ context_value_mutated_in_place
    visits.set(state)
    print(label, id(state), state.count)


# The fix: no default (an int would be fine too, being immutable); each task creates its own
# object and set()s it, so every task counts from one.
fresh_visits: ContextVar[Visits] = ContextVar("fresh_visits")  # silent: no default at all
attempts: ContextVar[int] = ContextVar("attempts", default=0)  # silent: an int is immutable


async def handle_fresh(label: str) -> None:
    fresh_visits.set(Visits())
    state = fresh_visits.get()
    state.count += 1
    attempts.set(attempts.get() + 1)
    print(label, id(state), state.count)


async def main() -> None:
    await asyncio.gather(*(handle_shared(f"task {i}") for i in range(3)))
    await asyncio.gather(*(handle_fresh(f"task {i}") for i in range(3)))


if __name__ == "__main__":
    asyncio.run(main())
