"""Faults on purpose, for the tests that check a fault stays contained. Never set in production.

BUSCHECK_TEST_FAULT="<point>:<city>:<action>", several separated by ";". point: `worker` (a batch worker,
just before it audits the city), `write` (while writing a city's result files, before report.html) or `xlsx`
(before report.xlsx is written, in the child that writes it when the CLI forks one). city: the
city's name as given (it may contain ":"), or `*` for every city. action:

- exit: the process ends at once (os._exit(7)); kill: it sends itself SIGKILL, as the kernel's OOM killer would;
  segv: a native crash (SIGSEGV); abort: SIGABRT, as a failed native allocation does;
- memory: allocate until the address-space limit (--max-memory) stops it (refused without a limit);
- hang: sleep for ten minutes; pause: sleep for three seconds, then go on; panic: a polars PanicException (a
  BaseException, not an Exception);
- nospace: OSError ENOSPC, as a full disk gives; error: RuntimeError (a bug).
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
import time

VARIABLE = "BUSCHECK_TEST_FAULT"


def _memory() -> None:
    import resource  # POSIX only; this module is imported everywhere

    soft, _ = resource.getrlimit(resource.RLIMIT_DATA)
    if soft == resource.RLIM_INFINITY:
        raise RuntimeError("the memory fault needs an address-space limit (--max-memory)")
    hog = []
    while True:
        hog.append(bytearray(64 << 20))


def _panic() -> None:
    from polars.exceptions import PanicException

    raise PanicException("injected panic")


def _no_space() -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _error() -> None:
    raise RuntimeError("injected fault")


ACTIONS = {
    "exit": lambda: os._exit(7),
    "kill": lambda: os.kill(os.getpid(), signal.SIGKILL),
    "segv": lambda: ctypes.string_at(0),
    "abort": os.abort,
    "memory": _memory,
    "hang": lambda: time.sleep(600),
    "pause": lambda: time.sleep(3),
    "panic": _panic,
    "nospace": _no_space,
    "error": _error,
}


def inject(point: str, city: str) -> None:
    """Make the fault BUSCHECK_TEST_FAULT names for this point and city, if any."""
    spec = os.environ.get(VARIABLE)
    if not spec:
        return
    for item in spec.split(";"):
        parts = item.split(":")
        if len(parts) < 3:
            continue
        where, name, action = parts[0], ":".join(parts[1:-1]), parts[-1]
        if where == point and name in ("*", city) and action in ACTIONS:
            ACTIONS[action]()
