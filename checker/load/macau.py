"""Macau's bus service as its transport bureau (DSAT) publishes it, read as a service table: the files of
github:ChiHin-Lio/macau-gtfs-data (route-metadata.json: per route and direction the first and last bus and
the dispatch interval per period as a range, for weekdays, weekends and holidays; route-stops.json: each
route's stops in order; BUS_POLE.csv: DSAT's bus poles with coordinates; bus-stops.json; operators.json).

The files are a scrape, and contradict themselves in places; this adapter resolves that as follows, and
says so in a notice each time (README, "Macau"):
- a period with no interval ("f": "") is left out;
- where two periods of the same day type overlap with different ranges (two versions of a timetable merged
  into one list), the later entry wins and the earlier one keeps only the time the later does not cover;
- times are read on the service day starting at the route-direction's earliest published time, so 00:10
  after a 06:00 start is 24:10;
- where the published first or last bus lies inside the span of that day's periods (a last bus "20:00"
  with periods to 00:10), the periods' span is taken, since a period promises buses until its end;
- a day type with a first and last bus but no interval is left out (its departures are unknown);
- route-stops.json lists one direction of each route: the other direction is taken as the same stops in
  reverse order; a route with no stop list, or a direction with no schedule, is left out;
- a stop's coordinates come from BUS_POLE.csv (pole M1/5 is P_ALIAS M1_5, pole M11 is M11_1), else from
  bus-stops.json; a stop in neither is left out of the sequence. Both files agree within metres and are
  read as WGS-84 (Macau's DSAT data is not on the mainland's GCJ-02; `datum` overrides).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from checker.bulk import bulk
from checker.errors import InputError
from checker.load.encoding import to_utf8
from checker.load.service_table import DAY, PeriodIn, RawTable, RouteIn, Row, StopIn, build_table
from checker.model.service_table import ServiceTable

DAY_TYPES = {"weekdays": {"weekday"}, "weekends": {"saturday", "sunday"}, "holidays": {"holiday"}}
FILES = ("route-metadata.json", "route-stops.json", "BUS_POLE.csv")


def _read_json(folder: Path, name: str) -> Any:
    path = folder / name
    if not path.is_file():
        raise InputError(str(path), "Missing file of the DSAT data set.", "缺少澳门交通事务局数据文件。")
    try:
        return json.loads(to_utf8(path.read_bytes())[0])
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"Not valid JSON ({exc}).", "不是有效的 JSON 文件。") from None


def _clock(text: str) -> int:
    hours, minutes = (int(part) for part in text.strip().split(":")[:2])
    return hours * 3600 + minutes * 60


def _hm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _range(text: str) -> tuple[float, float] | None:
    parts = [p for p in text.replace("–", "-").split("-") if p.strip()]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    if not values or len(values) > 2:
        return None
    return values[0], values[-1]


def _poles(folder: Path) -> dict[str, tuple[str, float, float]]:
    path = folder / "BUS_POLE.csv"
    if not path.is_file():
        raise InputError(str(path), "Missing file of the DSAT data set.", "缺少澳门交通事务局数据文件。")
    text = to_utf8(path.read_bytes())[0].decode("utf-8", errors="replace")
    poles = {}
    for record in csv.DictReader(io.StringIO(text)):
        try:
            poles[record["P_ALIAS"].strip()] = (record.get("P_NAME", "").strip(), float(record["lng"]),
                                                float(record["lat"]))
        except (KeyError, ValueError, AttributeError):
            continue  # a pole without coordinates
    return poles


def read_macau(folder: str | Path, datum: str = "wgs84") -> ServiceTable:
    with bulk():
        return _read_macau(Path(folder), datum)


def _read_macau(folder: Path, datum: str) -> ServiceTable:
    if not folder.is_dir():
        raise InputError(str(folder), "Expected the folder of DSAT files (route-metadata.json, route-stops.json, "
                         "BUS_POLE.csv).", "应为澳门交通事务局数据文件夹。")
    metadata = _read_json(folder, "route-metadata.json")
    sequences = _read_json(folder, "route-stops.json")
    poles = _poles(folder)
    fallback = {}
    if (folder / "bus-stops.json").is_file():
        for stop in _read_json(folder, "bus-stops.json"):
            fallback[stop["id"]] = (stop.get("nameCn", ""), *stop["coordinates"][:2])
    operators = _read_json(folder, "operators.json") if (folder / "operators.json").is_file() else {}
    raw = RawTable(str(folder), [], [], [])
    dropped: dict[str, list[str]] = {key: [] for key in ("no_stops", "no_schedule", "blank", "overlap", "span",
                                                         "no_interval", "stop_missing", "reversed")}
    for route, entry in sorted(metadata.get("routes", {}).items()):
        stop_ids = sequences.get(route)
        if not stop_ids:
            dropped["no_stops"].append(route)
            continue
        schedule = entry.get("schedule", {})
        two_way = "⇀" in entry.get("directionNames", {}).get("0", "")
        for direction in (0, 1):
            where = f"{folder / 'route-metadata.json'} route {route} direction {direction}"
            if str(direction) not in schedule:
                if direction == 1 and two_way:
                    dropped["no_schedule"].append(f"{route} (1)")
                continue
            ids = list(stop_ids) if direction == 0 else list(reversed(stop_ids))
            if direction == 1:
                dropped["reversed"].append(route)
            kept = _stops(route, direction, ids, poles, fallback, dropped)
            if len(kept) >= 2 and _schedule(route, direction, schedule[str(direction)], entry.get("nameCht", ""),
                                            operators.get(route, ""), where, raw, dropped):
                raw.stops.extend(kept)
    raw.notices = _notices(dropped)
    table = build_table(raw, datum)
    table.timezone = "Asia/Macau"
    return table


def _stops(route: str, direction: int, ids: list[str], poles: dict[str, tuple[str, float, float]],
           fallback: dict[str, tuple[str, float, float]], dropped: dict[str, list[str]]) -> list[StopIn]:
    kept = []
    for seq, stop_id in enumerate(ids, start=1):
        alias = stop_id.replace("/", "_") if "/" in stop_id else f"{stop_id}_1"
        found = poles.get(alias) or fallback.get(stop_id)
        if found is None:
            dropped["stop_missing"].append(f"{route} ({direction}) {stop_id}")
            continue
        name, lon, lat = found
        row = Row("route-stops.json", seq, {"route": route})
        kept.append(StopIn(route, direction, seq, stop_id, name or stop_id, lon, lat, row))
    return kept


def _schedule(route: str, direction: int, schedule: dict[str, Any], name: str, operator: str, where: str,
              raw: RawTable, dropped: dict[str, list[str]]) -> int:
    """The route-direction's day types with at least one published interval, added to `raw`; how many."""
    added = 0
    periods = schedule.get("periods", [])
    hours = schedule.get("hours", {})
    label = f"{route} ({direction})"
    for kind, days in DAY_TYPES.items():
        first_text = hours.get(kind, {}).get("first") or schedule.get("first")
        last_text = hours.get(kind, {}).get("last") or schedule.get("last")
        entries = [(i, p) for i, p in enumerate(periods, start=1) if p.get("d") == kind]
        if not entries or not first_text or not last_text:
            if first_text and last_text and hours.get(kind):
                dropped["no_interval"].append(f"{label} {kind}")
            continue
        anchor = min([_clock(first_text)] + [_clock(p["s"]) for _, p in entries])

        def on_day(seconds: int, anchor: int = anchor) -> int:
            return seconds + DAY if seconds < anchor else seconds

        found = []
        for i, period in entries:
            published = _range(period.get("f", ""))
            if published is None:
                dropped["blank"].append(f"{label} {kind} {period['s']}–{period['e']}")
                continue
            start, end = on_day(_clock(period["s"])), on_day(_clock(period["e"]))
            if end <= start:
                end += DAY
            found.append([start, end, published, i])
        found = _later_wins(found, f"{label} {kind}", dropped)
        if not found:
            if first_text and last_text:
                dropped["no_interval"].append(f"{label} {kind}")
            continue
        first, last = on_day(_clock(first_text)), on_day(_clock(last_text))
        if last < first:
            last += DAY
        span_start, span_end = min(f[0] for f in found), max(f[1] for f in found)
        if first > span_start or last < span_end:
            dropped["span"].append(f"{label} {kind}: published {first_text}–{last_text}, periods "
                                   f"{_hm(span_start)}–{_hm(span_end)}")
            first, last = min(first, span_start), max(last, span_end)
        row = Row(where, 1, {"route": route})
        raw.routes.append(RouteIn(route, direction, set(days), first, last, 3, name, operator, row))
        for start, end, (low, high), i in found:
            period_row = Row(f"{where} periods", i, {"route": route, "interval_min": f"{low:g}-{high:g}"})
            raw.periods.append(PeriodIn(route, direction, set(days), start, end, low, high, period_row, True))
        added += 1
    return added


def _later_wins(found: list[list[Any]], label: str, dropped: dict[str, list[str]]) -> list[list[Any]]:
    """Periods in file order; where a later one overlaps an earlier one with another range, the earlier keeps
    only the time outside the later one."""
    kept: list[list[Any]] = []
    for period in found:
        start, end, published, _ = period
        pieces = []
        for other in kept:
            o_start, o_end, o_published, o_index = other
            if o_published == published or o_end <= start or o_start >= end:
                pieces.append(other)
                continue
            dropped["overlap"].append(f"{label} {_hm(o_start)}–{_hm(o_end)} {_text(o_published)} min gives way to "
                                      f"{_hm(start)}–{_hm(end)} {_text(published)} min")
            if o_start < start:
                pieces.append([o_start, start, o_published, o_index])
            if o_end > end:
                pieces.append([end, o_end, o_published, o_index])
        kept = [*pieces, period]
    return sorted(kept, key=lambda p: (p[0], p[3]))


def _text(published: tuple[float, float]) -> str:
    low, high = published
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


NOTICES = {
    "no_stops": ("route(s) have no stop list in route-stops.json and are left out", "条线路在 route-stops.json 中没有站点序列，未转换"),
    "no_schedule": ("two-way route direction(s) have no published schedule and are left out",
                    "个双向线路的方向没有公布时刻，未转换"),
    "reversed": ("route(s) run direction 1 along direction 0's stops in reverse order (route-stops.json lists one "
                 "direction)", "条线路的方向 1 按方向 0 站点的逆序编排（route-stops.json 只列出一个方向）"),
    "blank": ("period(s) publish no interval and are left out", "个时段未公布发车间隔，未采用"),
    "overlap": ("overlapping period(s) with different ranges: the later entry of route-metadata.json wins",
                "处时段重叠且间隔不同：采用 route-metadata.json 中靠后的条目"),
    "span": ("route-direction-day type(s) publish a first or last bus inside their own periods' span; the periods' "
             "span is used", "个线路方向日期类型的首末班落在其时段范围之内，采用时段范围"),
    "no_interval": ("route-direction-day type(s) publish a first and last bus but no interval and are left out",
                    "个线路方向日期类型只公布首末班、未公布发车间隔，未转换"),
    "stop_missing": ("stop(s) have no coordinates in BUS_POLE.csv or bus-stops.json and are left out of their "
                     "sequence", "个站点在 BUS_POLE.csv 与 bus-stops.json 中均无坐标，已从站序中略去"),
}


def _notices(dropped: dict[str, list[str]]) -> list[tuple[str, str]]:
    notices = []
    for key, (en, zh) in NOTICES.items():
        items = dropped[key]
        if items:
            shown = "; ".join(items[:12]) + (f"; … ({len(items) - 12} more)" if len(items) > 12 else "")
            notices.append((f"Macau DSAT data: {len(items)} {en}: {shown}.", f"澳门数据：{len(items)} {zh}：{shown}。"))
    return notices
