"""What the metrics stage measures, as typed records: no thresholds, no verdicts, times in integer seconds.

The JSON document (report/document.py) shows these with the same field names as schema 1.x, formatting
seconds as clock text and durations as minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from checker.model.service_table import EstimatedTimetable


def direction_label(name: str, direction_id: int, towards: str | None) -> str:
    """How a person names a route-direction: 3路 (0) → 火车站 (direction 0/1 and where it goes)."""
    label = f"{name} ({direction_id})"
    return f"{label} → {towards.strip()}" if towards and towards.strip() else label


@dataclass(frozen=True)
class Reason:
    """Why a route is of a kind (night, dedicated, micro-bus, custom), in both languages."""

    en: str
    zh: str


@dataclass
class WindowHeadway:
    """One window of one route-direction: a peak window (its label) or 'offpeak'."""

    window: str
    departures: int
    max_headway_s: int | None  # None: no operating time in this window (off-peak of an all-peak route)
    gap_from_s: int | None  # the worst gap's two ends (a window edge where the route has no departure there)
    gap_to_s: int | None


@dataclass(frozen=True)
class PublishedInterval:
    """A period of a service table as published (a feed converted by `buscheck convert`): its range and the
    interval the feed's frequencies.txt runs it at (the upper or lower end, as the conversion chose)."""

    start_s: int
    end_s: int
    low_min: float
    high_min: float
    judged_min: float


@dataclass
class RouteRow:
    """One basic route and direction on the audit date, at its origin terminal."""

    route_id: str
    direction_id: int
    route_short_name: str | None
    route_long_name: str | None
    origin_stop_id: str
    trips: int
    first_departure_s: int
    last_departure_s: int
    max_gap_s: int | None  # largest gap between consecutive departures, whatever the window
    windows: list[WindowHeadway]
    departures_s: list[int]  # sorted
    night: Reason | None  # why it is a night route (Art. 10(4): the city sets its hours), or None
    published: list[PublishedInterval] | None = None  # a converted service table's published periods, by start
    towards: str | None = None  # the name of the stop the direction runs to (its commonest last stop)

    @property
    def key(self) -> tuple[str, int]:
        return (self.route_id, self.direction_id)

    @cached_property  # named in every finding about the route (a megacity: twenty thousand times)
    def label(self) -> str:
        return direction_label(self.route_short_name or self.route_id, self.direction_id, self.towards)

    def window_maximum(self, peak: bool) -> int | None:
        """The largest headway over the peak windows (or off-peak), None when the route has none there."""
        values = [w.max_headway_s for w in self.windows if (w.window != "offpeak") == peak
                  and w.max_headway_s is not None]
        return max(values, default=None)


@dataclass
class DistrictCoverage:
    name: str
    built_up_km2: float
    covered_km2: float
    uncovered_km2: float
    ratio: float | None  # None: no built-up area in the district


FAR_FROM_STOPS_M = 2000  # a built-up area is where people live and work: a bus network reaches near it
DOUBTFUL_FAR_SHARE = 0.5  # more of the polygon than this farther than FAR_FROM_STOPS_M from every stop


@dataclass
class CoverageSummary:
    ratio: float
    built_up_km2: float
    covered_km2: float
    uncovered_km2: float
    stops_used: int
    stops_outside_built_up: int
    radius_m: float
    projection: str
    built_up_source: str
    districts: list[DistrictCoverage] | None = None
    far_from_stops_share: float | None = None  # share of the polygon > FAR_FROM_STOPS_M from every stop of the feed

    @property
    def polygon_doubtful(self) -> bool:
        """Most of the polygon lies far from any stop: likely an administrative boundary, not a built-up area."""
        return self.far_from_stops_share is not None and self.far_from_stops_share > DOUBTFUL_FAR_SHARE


@dataclass
class RouteLoad:
    """Peak load factor of one route-direction: summed peak load over summed capacity of its peak trips."""

    route_id: str
    direction_id: int
    load_factor: float
    trips: int
    max_trip_load_factor: float


@dataclass
class LoadMetric:
    source: str
    routes: list[RouteLoad]


@dataclass
class HubRoute:
    """A route-direction leaving (its last departure) or reaching (its first arrival) a hub."""

    route_id: str
    direction_id: int
    route_short_name: str | None
    label: str
    kind: str  # night | dedicated | basic | other (route_kinds)
    basic: bool
    why: Reason | None
    trips: int
    terminal_distance_m: float
    time_s: int  # last departure from the hub, or first arrival at it (a night line's: after midnight)
    run_s: int | None = None  # reaching only: running time of the trip that arrives first


@dataclass
class HubService:
    name: str
    mode: str
    lon: float
    lat: float
    first_departure_s: int
    last_arrival_s: int
    leaving: list[HubRoute]
    reaching: list[HubRoute]


@dataclass
class HubsMetric:
    source: str
    distance_m: float
    hubs: list[HubService]


@dataclass
class ListedRoute:
    route_id: str
    route_short_name: str | None


@dataclass
class RouteListMetric:
    """The published list of basic routes (Art. 6) against the feed on the audit date."""

    source: str
    listed: int  # entries in the list
    not_in_feed: list[str]  # listed values no route of the feed has
    not_running: list[ListedRoute]  # listed routes of the feed with no departure on the audit date
    unlisted_running: list[ListedRoute]  # bus routes running that day that the list does not name


@dataclass
class Metrics:
    """Everything measured once per audit. `priority` and `indicators` keep their documented dict shapes
    (README, JSON contract): their rows vary per facility category and per indicator."""

    coverage: CoverageSummary
    routes: list[RouteRow]
    load: LoadMetric | None = None
    hubs: HubsMetric | None = None
    priority: dict[str, Any] | None = None
    indicators: dict[str, dict[str, Any] | None] | None = None
    route_list: RouteListMetric | None = None
    timetable: EstimatedTimetable | None = None  # a feed converted from a service table: how it was derived

    def route(self, route_id: str, direction_id: int) -> RouteRow | None:
        return next((r for r in self.routes if r.key == (route_id, direction_id)), None)
