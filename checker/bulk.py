"""Many objects made and kept at once: the cyclic garbage collector paused meanwhile.

Python's collector runs after every few hundred container allocations and scans the younger objects, and from
time to time every live one: an audit of a megacity (tens of thousands of rows, findings and document entries,
all kept until the reports are written) spent a quarter of a second in it for nothing, as almost nothing it
makes is a reference cycle. Paused, then restored (a collection then frees any cycle made meanwhile)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bulk() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
