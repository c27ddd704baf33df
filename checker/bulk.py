"""Many objects made and kept at once: the cyclic garbage collector paused meanwhile.

Python's collector runs after every few hundred container allocations and scans the younger objects, and from
time to time every live one: an audit of a megacity (tens of thousands of rows, findings and document entries,
all kept until the reports are written) spent a quarter of a second in it for nothing, as almost nothing it
makes is a reference cycle. Paused, then restored (a collection then frees any cycle made meanwhile).

Audits may overlap in threads (`buscheck diff`, a Dask worker, the Python API): the first to enter pauses the
collector and the last to leave restores it as the first found it, so that one finishing early neither turns
it back on under the others nor, by an unlucky interleaving, leaves it off for good."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def bulk() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
