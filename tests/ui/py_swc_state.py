# The context variables and functions that py_swc_cases.py hands to threads, from another
# module: readers (directly, through a getter, two calls deep, a method of a module-level
# object) and functions that read no context variable.
import contextvars

REQUEST_ID = contextvars.ContextVar("request_id")
USER = contextvars.ContextVar("user", default="anonymous")


def current_request():
    return REQUEST_ID.get()


def log(message):
    print(current_request(), message)


def audit(action):
    log(f"audit {action}")


def user_name():
    return USER.get()


def compute(x):
    return x * 2


def fetch(url):
    return url.upper()


class EventBus:
    def emit(self, event):
        log(event)

    def size(self):
        return 0


bus = EventBus()


async def report(message):
    log(message)


async def tick():
    return 1
