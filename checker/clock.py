"""Service-day clock times: seconds since the start of the service day, shown as HH:MM[:SS], hours may pass 24."""

from __future__ import annotations

import re

import polars as pl

_CLOCK = re.compile(r"^(\d{1,2}):([0-5]\d)(?::([0-5]\d))?$")


def parse_clock(text: str) -> int:
    """'07:30' or '25:10:00' -> seconds. Raises ValueError on anything else."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f"not a clock time HH:MM or HH:MM:SS: {text!r}")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def hms(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def hm(seconds: int | None) -> str | None:
    if seconds is None:
        return None
    seconds = int(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def clock_text(seconds: pl.Expr) -> pl.Expr:
    """The polars form of `hms`, for whole columns: seconds -> 'HH:MM:SS'."""
    def two(part: pl.Expr) -> pl.Expr:
        return part.cast(pl.String).str.zfill(2)

    return pl.format("{}:{}:{}", two(seconds // 3600), two(seconds % 3600 // 60), two(seconds % 60))
