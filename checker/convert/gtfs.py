"""A service table as a GTFS feed (text tables), following the GTFS reference's required fields and
MobilityData's best practices:

- one trip per route, direction and group of day types with the same timetable, its published periods in
  frequencies.txt (exact_times 0: the operator keeps a headway, not a timetable); the first bus (when no
  period starts with it) and the last bus as timetabled trips, since 首末班 are published to the minute;
- the interval of a range is its upper end ("4–8" runs every 8 min: the longest wait the operator has
  promised, what a regulator judges) or, with reading "lower", its lower end; feed_info.txt says which,
  and service_table_intervals.txt (ignored by other GTFS consumers) keeps each period's published range;
- stop times are estimates: straight-line distance between consecutive stops at `speed_kmh`, timepoint 0;
- a calendar.txt service per group of week day types; a holiday timetable runs on the table's holiday dates
  (calendar_dates.txt adds it and removes that route's other timetable), and routes without one run their
  day-of-week timetable on holidays. Without holiday dates a holiday timetable is left out, with a notice.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from checker.bulk import bulk
from checker.model.service_table import DAY_TYPES, WEEK_DAY_TYPES, DayService, ServiceTable, TableRoute

PLACEHOLDER_URL = "https://example.org/"
EXTRA_FILE = "service_table_intervals.txt"
_SAFE_ID = re.compile(r'^[!#-+\--~]+$')
_WEEK_NAMES = {frozenset(WEEK_DAY_TYPES): "daily", frozenset({"saturday", "sunday"}): "weekend"}
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Options:
    reading: str = "upper"  # which end of a published range sets the headway
    speed_kmh: float = 15.0  # running speed for the estimated stop times
    start: date | None = None  # first day of service (default: today)
    end: date | None = None  # last day (default: a year after start)
    publisher_name: str = "buscheck service-table conversion"
    publisher_url: str = PLACEHOLDER_URL
    agency_url: str | None = None  # every agency's URL (default: publisher_url, with a notice when a placeholder)
    lang: str = "zh"


@dataclass
class Converted:
    tables: dict[str, str]  # GTFS file name -> CSV text
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)
    routes: int = 0
    route_directions: int = 0
    trips: int = 0
    windows: int = 0
    start: date | None = None
    end: date | None = None


def hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _csv(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _offsets(route: TableRoute, speed_kmh: float) -> list[int]:
    """Seconds from the first stop to each stop at the given speed, along straight lines between stops."""
    metres_per_s = speed_kmh / 3.6
    total, out = 0.0, [0]
    for a, b in zip(route.stops, route.stops[1:], strict=False):
        total += _metres((a.lon, a.lat), (b.lon, b.lat))
        out.append(round(total / metres_per_s))
    return out


def _day_of(day: date) -> str:
    return "weekday" if day.weekday() < 5 else ("saturday" if day.weekday() == 5 else "sunday")


def _week_name(week: frozenset[str]) -> str:
    return _WEEK_NAMES.get(week) or "+".join(d for d in WEEK_DAY_TYPES if d in week)


def _route_ids(table: ServiceTable) -> dict[str, str]:
    """GTFS route_id per published route: the route itself when it is a safe ASCII id, else R001, R002, ..."""
    names = sorted({r.route for r in table.routes})
    ids: dict[str, str] = {}
    used = {name for name in names if _SAFE_ID.match(name)}
    n = 0
    for name in names:
        if name in used:
            ids[name] = name
            continue
        n += 1
        while f"R{n:03d}" in used:
            n += 1
        ids[name] = f"R{n:03d}"
        used.add(ids[name])
    return ids


def _long_name(short: str, name: str) -> str:
    """The route's long name without its short name in front ("1路 关闸—妈阁" -> "关闸—妈阁"), as best practice asks."""
    if name.startswith(short) and len(name) > len(short):
        return name[len(short):].lstrip(" :：-—–·")
    return name


def to_gtfs(table: ServiceTable, options: Options | None = None) -> Converted:
    with bulk():
        return _to_gtfs(table, options or Options())


def _to_gtfs(table: ServiceTable, options: Options) -> Converted:
    start = options.start or date.today()
    end = options.end or start + timedelta(days=364)
    notices: list[tuple[str, str]] = []
    holidays = [d for d in table.holidays if start <= d <= end]
    if len(holidays) < len(table.holidays):
        notices.append((f"{len(table.holidays) - len(holidays)} holiday date(s) lie outside the feed's period "
                        f"{start} to {end}; ignored.",
                        f"{len(table.holidays) - len(holidays)} 个节假日不在数据有效期 {start} 至 {end} 内，已忽略。"))
    route_ids = _route_ids(table)
    operators = sorted({r.operator for r in table.routes})
    agency_ids = {name: f"A{i + 1}" for i, name in enumerate(operators)}
    agency_url = options.agency_url or options.publisher_url
    if options.agency_url is None and agency_url == PLACEHOLDER_URL:
        notices.append((f"No URL was given for the operators; agency_url is the placeholder {PLACEHOLDER_URL} "
                        "(buscheck convert --agency-url sets it).",
                        f"未提供运营企业网址，agency_url 暂填占位地址 {PLACEHOLDER_URL}（可用 --agency-url 设置）。"))

    routes_rows: dict[str, list[object]] = {}
    stops_rows: dict[str, list[object]] = {}
    trips_rows: list[list[object]] = []
    times: list[str] = []
    frequencies: list[str] = []
    published: list[list[object]] = []
    services: dict[str, tuple[frozenset[str], str]] = {}  # service_id -> (week day types, holiday mode)
    holiday_only_skipped: list[str] = []
    for route in table.routes:
        rid = route_ids[route.route]
        trips_before = len(trips_rows)
        pattern = list(zip([stop.stop_id for stop in route.stops], _offsets(route, options.speed_kmh), strict=True))
        headsign = route.stops[-1].name
        has_holiday = "holiday" in route.days
        for days, service in _groups(route):
            week = frozenset(days) - {"holiday"}
            if holidays:
                mode = "with" if "holiday" in days else ("without" if has_holiday else "plain")
            else:
                if not week:
                    holiday_only_skipped.append(f"{route.route} ({route.direction})")
                    continue
                mode = "plain"
            service_id = _service_id(week, mode)
            services[service_id] = (week, mode)
            prefix = f"{rid}-{route.direction}-{service_id}"

            bands = service.bands
            scheduled = []
            if bands:
                scheduled.append((prefix, bands[0].start_s, False))
                for band in bands:
                    judged = band.judged_min(options.reading)
                    headway = max(1, round(judged * 60))
                    frequencies.append(f"{prefix},{hms(band.start_s)},{hms(band.end_s)},{headway},0\n")
                    published.append([prefix, rid, route.direction, service_id, hms(band.start_s), hms(band.end_s),
                                      f"{band.low_min:g}", f"{band.high_min:g}", headway, options.reading, band.where])
            if not bands or bands[0].start_s != service.first_s:
                scheduled.append((f"{prefix}-first", service.first_s, True))
            if service.last_s != service.first_s:
                scheduled.append((f"{prefix}-last", service.last_s, True))
            for trip_id, base, exact in scheduled:
                trips_rows.append([rid, service_id, trip_id, headsign, route.direction])
                times.extend(_stop_times(trip_id, base, pattern, exact))
        if len(trips_rows) > trips_before:  # only routes and stops that some trip uses (best practice)
            routes_rows.setdefault(rid, [rid, agency_ids[route.operator], route.route,
                                         _long_name(route.route, route.name), route.route_type])
            for stop in route.stops:
                stops_rows.setdefault(stop.stop_id, [stop.stop_id, stop.name, f"{stop.lat:.6f}", f"{stop.lon:.6f}"])
    if holiday_only_skipped:
        shown = ", ".join(holiday_only_skipped[:10]) + (" …" if len(holiday_only_skipped) > 10 else "")
        notices.append((f"{len(holiday_only_skipped)} holiday timetable(s) are not in the feed: the table lists no "
                        f"holiday dates (holidays.csv) to run them on: {shown}.",
                        f"{len(holiday_only_skipped)} 个节假日时刻未写入 GTFS：服务表未列出节假日日期（holidays.csv）：{shown}。"))

    calendar_rows, calendar_dates = [], []
    for service_id, (week, mode) in sorted(services.items()):
        if week:
            flags = [int("weekday" in week)] * 5 + [int("saturday" in week), int("sunday" in week)]
            calendar_rows.append([service_id, *flags, start.strftime("%Y%m%d"), end.strftime("%Y%m%d")])
        for day in holidays:
            if mode == "with" and _day_of(day) not in week:
                calendar_dates.append([service_id, day.strftime("%Y%m%d"), 1])
            elif mode == "without" and _day_of(day) in week:
                calendar_dates.append([service_id, day.strftime("%Y%m%d"), 2])
    used = {row[1] for row in routes_rows.values()}
    agency = _csv(["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
                  [[agency_ids[name], name or "未注明运营企业 Operator not given", agency_url, table.timezone,
                    options.lang] for name in operators if agency_ids[name] in used])
    reading_en = "upper end (the longest wait promised)" if options.reading == "upper" else "lower end"
    tables = {
        "agency.txt": agency,
        "stops.txt": _csv(["stop_id", "stop_name", "stop_lat", "stop_lon"], list(stops_rows.values())),
        "routes.txt": _csv(["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
                           list(routes_rows.values())),
        "trips.txt": _csv(["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"], trips_rows),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,timepoint\n" + "".join(times),
        "calendar.txt": _csv(["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                              "sunday", "start_date", "end_date"], calendar_rows),
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n" + "".join(frequencies),
        "feed_info.txt": _csv(
            ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date",
             "feed_version", "feed_contact_url", "service_table_interval", "service_table_speed_kmh"],
            [[options.publisher_name, options.publisher_url, options.lang, start.strftime("%Y%m%d"),
              end.strftime("%Y%m%d"),
              f"Converted from the service table {Path(table.source).name}: dispatch intervals at the {reading_en} of "
              f"each published range; stop times estimated from straight-line stop distances at "
              f"{options.speed_kmh:g} km/h", options.publisher_url, options.reading, f"{options.speed_kmh:g}"]]),
        EXTRA_FILE: _csv(["trip_id", "route_id", "direction_id", "service_id", "start_time", "end_time",
                          "published_min", "published_max", "headway_secs", "reading", "source"], published),
    }
    if calendar_dates:
        tables["calendar_dates.txt"] = _csv(["service_id", "date", "exception_type"], calendar_dates)
    if not calendar_rows:
        del tables["calendar.txt"]
    if not frequencies:
        del tables["frequencies.txt"]
    directions = len({(row[0], row[4]) for row in trips_rows})
    return Converted(tables, notices, len(routes_rows), directions, len(trips_rows), len(frequencies), start, end)


def _stop_times(trip_id: str, base: int, pattern: list[tuple[str, int]], exact_first: bool) -> list[str]:
    """stop_times.txt rows of one trip leaving its first stop at `base`; only a timetabled first departure
    is exact (timepoint 1), every other time an estimate (timepoint 0)."""
    rows = []
    for k, (stop_id, offset) in enumerate(pattern):
        t = hms(base + offset)
        rows.append(f"{trip_id},{t},{t},{stop_id},{k + 1},{1 if exact_first and k == 0 else 0}\n")
    return rows


def _groups(route: TableRoute) -> list[tuple[set[str], DayService]]:
    """The route-direction's day types grouped by identical timetables, in day-type order."""
    groups: list[tuple[set[str], DayService]] = []
    for day in DAY_TYPES:
        service = route.days.get(day)
        if service is None:
            continue
        same = next((g for g in groups if g[1] == service), None)
        if same is None:
            groups.append(({day}, service))
        else:
            same[0].add(day)
    return groups


def _service_id(week: frozenset[str], mode: str) -> str:
    name = _week_name(week) if week else ""
    if mode == "with":
        return f"{name}_and_holidays" if name else "holidays"
    if mode == "without":
        return f"{name}_except_holidays"
    return name


def write_feed(tables: dict[str, str], out: str | Path) -> Path:
    """A .zip when `out` ends in .zip (byte for byte the same on every run), else a folder of .txt files."""
    out = Path(out)
    if out.suffix.lower() == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(tables):
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, tables[name].encode("utf-8"))
        return out
    out.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (out / name).write_text(text, encoding="utf-8", newline="\n")
    return out
