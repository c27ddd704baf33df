"""Work started in a thread and waited for later, where the work releases the GIL (inflating a zip entry,
GEOS's union of discs) and can overlap what the main thread does meanwhile. A process given one thread
(`BUSCHECK_THREADS=1`: a batch worker's share of two cores), or that cannot start one, does the work at once
instead."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


def threads() -> int:
    """Threads this process may keep busy: BUSCHECK_THREADS (set per batch worker), or its cores."""
    return max(1, int(os.environ.get("BUSCHECK_THREADS") or os.cpu_count() or 1))


def completed(value: Any) -> Future:
    """A future already done with `value` (work there was no need to start)."""
    done: Future = Future()
    done.set_result(value)
    return done


def in_thread(function: Callable[..., Any], *args: Any, name: str = "buscheck", daemon: bool = False) -> Future:
    """`function(*args)` started in a thread of its own; `.result()` waits for it and raises what it raised.
    With one thread to use, or none to be had (a memory limit), it runs here and now, and the future is
    already done. `daemon`: work nobody waits for if the program ends first (an error elsewhere): the exit
    does not wait for it."""
    if threads() >= 2:
        try:
            if daemon:
                return _daemon(function, args, name)
            pool = ThreadPoolExecutor(1, thread_name_prefix=name)
            future = pool.submit(function, *args)
            pool.shutdown(wait=False)  # the thread ends when the function returns
            return future
        except RuntimeError:  # the thread could not be started: done in place below
            pass
    done: Future = Future()
    try:
        done.set_result(function(*args))
    except Exception as error:  # handed over as a thread's would be
        done.set_exception(error)
    return done


def in_parts(function: Callable[[Any], Any], parts: list[Any]) -> list[Any]:
    """`function` of each part, on threads of their own (the work releasing the GIL), as many at once as this
    process may keep busy; one after another here with one thread to use, or when none can be started (a
    memory limit)."""
    workers = min(len(parts), threads())
    if workers >= 2:
        try:
            with ThreadPoolExecutor(workers) as pool:
                return list(pool.map(function, parts))
        except RuntimeError as error:  # "can't start new thread"; any other error is the work's own
            if "thread" not in str(error):
                raise
    return [function(part) for part in parts]


def _daemon(function: Callable[..., Any], args: tuple, name: str) -> Future:
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as error:  # handed over to whoever waits
            future.set_exception(error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
