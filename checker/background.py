"""Work started in a thread and waited for later, where the work releases the GIL (inflating a zip entry,
GEOS's union of discs) and can overlap what the main thread does meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def in_thread(function: Callable[..., Any], *args: Any, name: str = "buscheck") -> Future:
    """`function(*args)` started in a thread of its own; `.result()` waits for it and raises what it raised.
    Raises RuntimeError when no thread can be started (a memory limit): the caller then does the work itself."""
    pool = ThreadPoolExecutor(1, thread_name_prefix=name)
    future = pool.submit(function, *args)
    pool.shutdown(wait=False)  # the thread ends when the function returns
    return future
