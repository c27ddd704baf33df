"""Service-day clock times: integer seconds since the start of the service day (hours may pass 24).

Times stay integers through every stage; `Clock` and `ClockMinute` are integers that also say how a
reporter shows them (HH:MM:SS or HH:MM), so a finding's value is never a string parsed back later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


def parse_clock(text: str) -> int:
    """'07:30' or '25:10:00' -> seconds. Raises ValueError on anything else."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"not a clock time HH:MM or HH:MM:SS: {text!r}")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def hms(seconds: int | None) -> str | None:
    return None if seconds is None else clock_text(int(seconds))


@cache  # a megacity's result shows a few hundred thousand departures, at a few thousand distinct times
def clock_text(seconds: int) -> str:
    """HH:MM:SS of a whole number of seconds (hours may pass 24)."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def hm(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


class Clock(int):
    """A clock time in seconds, shown as HH:MM:SS. Arithmetic on it gives plain integers."""

    def text(self) -> str:
        return clock_text(int(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text()})"


class ClockMinute(Clock):
    """A clock time in seconds, shown as HH:MM (hub hours and departures to add are whole minutes)."""

    def text(self) -> str:
        return f"{self // 3600:02d}:{self % 3600 // 60:02d}"


@dataclass(frozen=True)
class Window:
    """A window of the service day, start inclusive, end exclusive."""

    start_s: int
    end_s: int

    @property
    def label(self) -> str:
        return f"{hm(self.start_s)}-{hm(self.end_s)}"
