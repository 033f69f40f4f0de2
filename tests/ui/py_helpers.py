# Functions for py_srwf_imported.py, which imports them: ctxlint knows that `fetch` is an
# `async def` from this file. (This file has no findings; it does not use contextvars.)


async def fetch(key: str) -> str:
    return key


async def store(key: str, value: str) -> None:
    del key, value


def parse(text: str) -> str:
    return text


class Client:
    async def call(self, name: str) -> str:
        return name
