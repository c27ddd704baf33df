"""What `buscheck diff` finds between two feeds' basic service: how routes were matched, and each change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DIFF_SCHEMA_VERSION = "1.1"


@dataclass
class RouteMatch:
    name: str  # the route's name as people know it (short name, else long name, else id)
    old_route_id: str
    new_route_id: str
    how: str  # short_name | short_and_long_name | short_name_and_terminals | long_name | terminals
    day_type: str | None = None  # with --week: the day type both routes were compared on


@dataclass
class Change:
    kind: str
    subject: dict[str, Any]  # route name, old and new ids, direction (its terminals), or stop, or city
    old: Any
    new: Any
    needs_notice: bool  # any reduction of basic service (Art. 4: 及时向社会公告)
    article: str  # the article that asks for notice or explanation: 4, 8, 12
    message_zh: str
    message_en: str
    replacement: list[str] | None = None  # for a lost stop or route: new basic routes within 500 m


@dataclass
class DistrictChange:
    name: str
    lost_km2: float
    gained_km2: float


@dataclass
class CoverageChange:
    old_ratio: float
    new_ratio: float
    tier_min: float
    lost_km2: float
    gained_km2: float
    districts: list[DistrictChange] = field(default_factory=list)


@dataclass
class DiffResult:
    schema_version: str
    tool: dict[str, str]
    city: dict[str, str]
    old: dict[str, Any]  # feed, date, chosen_by, day_type (with --week: the first day type compared)
    new: dict[str, Any]
    matches: list[RouteMatch]
    unmatched_old: list[dict[str, Any]]  # basic routes of the old feed with no counterpart
    unmatched_new: list[dict[str, Any]]
    changes: list[Change]
    coverage: CoverageChange
    notices: list[dict[str, str]] = field(default_factory=list)
    # what the reader must know before reading the changes: the two dates are of different day types
    warnings: list[dict[str, str]] = field(default_factory=list)
    # with --week: each day type (weekday, saturday, sunday), each side's date (None: it runs no basic
    # route on that day type) and the coverage change of that day type
    days: list[dict[str, Any]] | None = None

    @property
    def needs_notice(self) -> bool:
        return any(c.needs_notice for c in self.changes)
