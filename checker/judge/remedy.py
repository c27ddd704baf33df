"""The fewest departures to add so that a route-direction meets every interval and span limit.

Operators act on this: "add 07:30, 08:15". The plan first adds the departures a span failure needs (a first
bus at the latest allowed time, a last bus at the earliest), then closes each gap with a greedy walk that
places every new departure as late as the limits allow. A piece of timetable that overlaps a peak window
must be within the peak limit, any other within the off-peak limit; because how far one can reach from a
point never decreases as the point moves later, the greedy walk adds the fewest departures per gap, and
gaps are independent, so the plan is the fewest overall.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.model.clock import Window


@dataclass(frozen=True)
class Limits:
    peaks: list[Window]
    peak_max_s: int
    offpeak_max_s: int
    first_by_s: int | None = None
    last_from_s: int | None = None


def _overlaps_peak(start: int, end: int, peaks: list[Window]) -> bool:
    return any(start < w.end_s and end > w.start_s for w in peaks)


def _piece_ok(start: int, end: int, limits: Limits) -> bool:
    length = end - start
    return length <= limits.peak_max_s or (
        length <= limits.offpeak_max_s and not _overlaps_peak(start, end, limits.peaks)
    )


def _reach(start: int, limits: Limits) -> int:
    """The latest time a next departure may leave after one at `start`."""
    best = start + limits.peak_max_s
    far = start + limits.offpeak_max_s
    if not _overlaps_peak(start, far, limits.peaks):
        return max(best, far)
    upcoming = [w.start_s for w in limits.peaks if w.start_s > start]
    if upcoming and min(upcoming) <= far and not _overlaps_peak(start, min(upcoming), limits.peaks):
        best = max(best, min(upcoming))
    return best


def _fill(start: int, end: int, limits: Limits) -> list[int]:
    added = []
    current = start
    while not _piece_ok(current, end, limits):
        following = _reach(current, limits) // 60 * 60  # whole minutes, never later than allowed
        if following <= current:
            raise ValueError("interval limits under one minute cannot be planned for")
        current = following
        added.append(current)
    return added


def plan_departures(departures_s: list[int], limits: Limits) -> list[int]:
    """Sorted departure times (seconds) to add; empty when the route-direction already complies."""
    if not departures_s:
        return []
    current = sorted(departures_s)
    added: list[int] = []
    if limits.first_by_s is not None and current[0] > limits.first_by_s:
        added.append(limits.first_by_s)
    if limits.last_from_s is not None and current[-1] < limits.last_from_s:
        added.append(limits.last_from_s)
    points = sorted(current + added)
    # a peak window is measured from its edge where service starts after it opens or ends before it closes
    edges = [w.start_s for w in limits.peaks if w.start_s < points[0]]
    edges += [w.end_s for w in limits.peaks if w.end_s > points[-1]]
    points = sorted(set(points) | set(edges))
    for start, end in zip(points, points[1:], strict=False):
        added += _fill(start, end, limits)
    return sorted(set(added))
