"""An approved deviation: a city's decision (提前发班或延迟收班, an approved exception) that turns a matching
failing finding into an exemption, with its reason and document shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Deviation:
    line: int  # in the deviations file, for notices
    rule: str
    subject: str  # "city", or a route_id or route_short_name
    direction: int | None  # None: both directions (or a city subject)
    reason: str
    document: str
    valid_until: date | None
