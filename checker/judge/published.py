"""What a finding says when the feed was converted from a service table (`buscheck convert`): the published
interval behind a measured headway ("published interval 4–8 min, judged at 8 min") and, for figures that
depend on running times (a bus's arrival at a hub, operating speed), that those times are estimated from the
distance between stops, not timetabled."""

from __future__ import annotations

from checker.model.clock import hm
from checker.model.metrics import PublishedInterval, RouteRow
from checker.model.result import Finding
from checker.model.service_table import EstimatedTimetable, range_text

READING_ZH = {"upper": "取上限", "lower": "取下限"}


def _band(b: PublishedInterval) -> dict[str, object]:
    return {"start": hm(b.start_s), "end": hm(b.end_s), "min": b.low_min, "max": b.high_min,
            "judged": round(b.judged_min, 2)}


def note_published(found: Finding, route: RouteRow, gap_from_s: int, gap_to_s: int,
                   timetable: EstimatedTimetable | None) -> Finding:
    """Add to a headway finding the published period(s) its worst gap falls in, and the reading judged."""
    if timetable is None or route.published is None:
        return found
    reading = timetable.reading
    found.detail["interval_reading"] = reading
    # only the part of the gap between the first and last bus: a window's wait before the first bus or after
    # the last is about the span, not about an interval
    gap_from_s, gap_to_s = max(gap_from_s, route.first_departure_s), min(gap_to_s, route.last_departure_s)
    if gap_to_s <= gap_from_s:
        found.detail["published_intervals"] = []
        return found
    bands = [b for b in route.published if b.start_s < gap_to_s and b.end_s > gap_from_s]
    found.detail["published_intervals"] = [_band(b) for b in bands]
    if not bands:
        zh = f"{hm(gap_from_s)}–{hm(gap_to_s)} 未公布发车间隔（按公布的时刻表，该段无班次）。"
        en = f" No interval is published for {hm(gap_from_s)}–{hm(gap_to_s)} (no departure assumed there)."
    else:
        ranges = [range_text(b.low_min, b.high_min) for b in bands]
        judged = [f"{b.judged_min:g}" for b in bands]
        spans = [f"{hm(b.start_s)}–{hm(b.end_s)}" for b in bands]
        zh = ("公布发车间隔 " + "、".join(f"{r} 分钟（{s}）" for r, s in zip(ranges, spans, strict=True))
              + f"，{READING_ZH[reading]}按 {'、'.join(judged)} 分钟评估。")
        en = (f" Published interval{'s' if len(bands) > 1 else ''} "
              + " and ".join(f"{r} min ({s})" for r, s in zip(ranges, spans, strict=True))
              + f", judged at {' and '.join(judged)} min (the range's {reading} end).")
    uncovered = _unpublished(bands, gap_from_s, gap_to_s) if bands else []
    if uncovered:
        zh += "、".join(f"{hm(a)}–{hm(b)}" for a, b in uncovered) + " 未公布发车间隔，该段无班次。"
        en += f" No interval is published for {', '.join(f'{hm(a)}–{hm(b)}' for a, b in uncovered)}."
    found.message_zh += zh
    found.message_en += en
    return found


def _unpublished(bands: list[PublishedInterval], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end] that no published period covers."""
    out, at = [], start
    for band in sorted(bands, key=lambda b: b.start_s):
        if band.start_s > at:
            out.append((at, min(band.start_s, end)))
        at = max(at, band.end_s)
    if at < end:
        out.append((at, end))
    return [(a, b) for a, b in out if b > a]


def note_worst_gap(found: Finding, route: RouteRow, timetable: EstimatedTimetable | None) -> Finding:
    """The same, for a finding on a route's largest gap over the whole day (night routes)."""
    times = route.departures_s
    if timetable is None or len(times) < 2:
        return found
    start = max(range(len(times) - 1), key=lambda i: times[i + 1] - times[i])
    return note_published(found, route, times[start], times[start + 1], timetable)


def note_estimated(found: Finding, timetable: EstimatedTimetable | None, what_zh: str, what_en: str) -> Finding:
    """A figure computed from running times, which a converted service table only estimates."""
    if timetable is None:
        return found
    found.detail["running_times"] = f"estimated at {timetable.speed_kmh:g} km/h"
    found.message_zh += (f"（{what_zh}按站间直线距离以 {timetable.speed_kmh:g} 公里/小时估算，服务表未公布运行时间。）")
    found.message_en += (f" ({what_en} estimated from straight-line stop distances at {timetable.speed_kmh:g} km/h: "
                         "the service table publishes no running times.)")
    return found
