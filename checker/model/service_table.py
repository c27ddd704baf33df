"""A service table: what Chinese operators and transport bureaus publish instead of GTFS, per route and
direction: the stops in order, the first and last bus (首末班) and the dispatch interval per period
(发车间隔), often as a range ("高峰 4–8 分钟"), per day type (工作日 / 周六 / 周日 / 节假日).

load/ reads and validates it into these records (times already on the service-day clock, coordinates
already in WGS-84); convert/ writes GTFS from them. See README, "Cities without GTFS".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Concrete day types. A table's "weekend" is saturday + sunday and its "all" (全周) is the three week
# types; a holiday timetable applies only on the dates the table lists as holidays.
WEEK_DAY_TYPES = ("weekday", "saturday", "sunday")
DAY_TYPES = (*WEEK_DAY_TYPES, "holiday")
DAY_TYPE_ZH = {"weekday": "工作日", "saturday": "周六", "sunday": "周日", "holiday": "节假日"}
READINGS = ("upper", "lower")  # which end of a published range a regulator judges


@dataclass(frozen=True)
class Band:
    """One published dispatch period: from start to end (service-day seconds, end exclusive), a bus every
    `low_min` to `high_min` minutes (equal when a single number was published)."""

    start_s: int
    end_s: int
    low_min: float
    high_min: float
    where: str  # the file and line (or the source record) it was read from

    def judged_min(self, reading: str) -> float:
        """The interval a regulator judges: the range's upper end (the longest wait promised) or its lower."""
        return self.high_min if reading == "upper" else self.low_min

    @property
    def text(self) -> str:
        """'4–8' for a range, '10' for a single figure."""
        return range_text(self.low_min, self.high_min)


def range_text(low: float, high: float) -> str:
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


@dataclass(frozen=True)
class DayService:
    """A route-direction's timetable on one day type: first and last departure, and the periods between."""

    first_s: int
    last_s: int  # after midnight: 24:00 and later
    bands: tuple[Band, ...]  # sorted, not overlapping, within first..last


@dataclass(frozen=True)
class TableStop:
    stop_id: str
    name: str
    lon: float  # WGS-84
    lat: float


@dataclass
class TableRoute:
    """One route and direction of the table."""

    route: str  # as published: "1", "1路", "夜1路"
    direction: int  # 0 or 1
    name: str  # long name, e.g. "关闸 — 妈阁" (may be empty)
    operator: str  # may be empty
    route_type: int  # GTFS route_type, 3 (bus) by default
    stops: list[TableStop]
    days: dict[str, DayService]  # concrete day type -> its timetable


@dataclass
class ServiceTable:
    source: str  # the folder or workbook it was read from
    datum: str  # the datum its coordinates were given in (stops here are WGS-84)
    routes: list[TableRoute]
    holidays: list[date] = field(default_factory=list)  # the dates a holiday timetable applies on
    timezone: str = "Asia/Shanghai"
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)


@dataclass(frozen=True)
class EstimatedTimetable:
    """How a feed converted from a service table was derived (its feed_info.txt says so): which end of each
    published range set the headways, and the speed its stop times were estimated at."""

    reading: str  # upper | lower
    speed_kmh: float
