"""Load a GTFS feed into typed polars frames, checking what the audit relies on and naming any bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from checker.errors import InputError, excerpt
from checker.load.archive import FeedSource
from checker.load.published import load_estimated, load_published
from checker.load.stop_times import MAX_HOURS, StopTimes, load_stop_times
from checker.load.table import LINE, Table, read_table
from checker.model.service_table import EstimatedTimetable

DEFAULT_TIMEZONE = "Asia/Shanghai"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# route_type values GTFS defines: the basic ones and Google's extended types (100-1702, in families of 100)
BASIC_ROUTE_TYPES = (0, 1, 2, 3, 4, 5, 6, 7, 11, 12)
EXTENDED_ROUTE_TYPES = (100, 1799)
# frequencies.txt: departures the windows of one feed may expand to, over all its service days. A megacity
# written wholly as frequencies runs a few hundred thousand a day (Kuala Lumpur's Rapid Bus: 9,716 in all);
# 50 hostile rows with a one-second headway would give millions.
MAX_FREQUENCY_DEPARTURES = 2_000_000
SHOWN_ROUTES = 20


@dataclass
class Feed:
    label: str
    path: Path  # the zip or folder it was read from
    timezone: str  # agency_timezone (Asia/Shanghai when the feed has no agency.txt)
    routes: pl.DataFrame  # route_id, route_short_name, route_long_name, route_desc, route_type
    # trip_id, route_id, service_id, direction_id (null where none), shape_id, wheelchair_accessible, and
    # trip_idx: the trip's row in trip_ends (null for a trip without stop_times or of GTFS-Flex)
    trips: pl.DataFrame
    stops: pl.DataFrame  # stop_id, stop_name, stop_lat, stop_lon, location_type, parent_station, wheelchair_boarding
    stop_times: StopTimes  # per trip: origin, destination, departure; per row: trip and stop indexes
    calendar: pl.DataFrame | None
    calendar_dates: pl.DataFrame | None
    frequencies: pl.DataFrame | None  # trip_id, start_s, end_s, headway_s, exact_times
    encodings: dict[str, str] = field(default_factory=dict)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)
    has_direction_id: bool = True
    shape_points: pl.DataFrame | None = None  # when asked for and present: shape_id, lon, lat, sorted by sequence
    flexible_routes: list[str] = field(default_factory=list)  # routes with GTFS-Flex trips (not judged)
    about: dict[str, Any] = field(default_factory=dict)  # provenance: agency names, feed_info.txt's fields
    # converted from a service table (buscheck convert): how, and each frequencies window's published range
    estimated: EstimatedTimetable | None = None
    published_intervals: pl.DataFrame | None = None  # trip_id, start_s, end_s, low_min, high_min, judged_min

    @property
    def trip_ends(self) -> pl.DataFrame:
        return self.stop_times.trip_ends

    def stops_served_by(self, trips: pl.DataFrame) -> pl.DataFrame:
        """The stops that any of `trips` (rows of `self.trips`) calls at."""
        return self.stops[self.stop_times.stops_served_by(trips["trip_idx"])]


def load_feed(path: str | Path | FeedSource, keep_rows: bool = False, shapes: bool = False,
              max_hours: int | None = MAX_HOURS) -> Feed:
    """The feed, validated. `keep_rows`: keep every stop_times row's times (hub feeds, AVL records); `shapes`:
    read shapes.txt too (trip lengths for the transit-metropolis indicators); `max_hours`: times must stay
    below this hour (a bus feed's 48:00:00; None for rail and coach feeds, whose trips may run for days)."""
    source = path if isinstance(path, FeedSource) else FeedSource(path)  # a source: the API's in-memory feed
    try:
        return _load(source, keep_rows, shapes, max_hours)
    finally:
        source.close()


def _load(source: FeedSource, keep_rows: bool, shapes: bool, max_hours: int | None) -> Feed:
    source.read_ahead("stop_times.txt")  # inflated while the small tables are read
    notices: list[tuple[str, str]] = []
    if not source.has("agency.txt"):
        notices.append(("The feed has no agency.txt; GTFS requires it, the audit does not need it.",
                        "GTFS 数据缺少 agency.txt（规范要求，审计不需要）。"))
    routes_t = read_table(
        source, "routes.txt", ["route_id", "route_type"], ["route_short_name", "route_long_name", "route_desc"]
    )
    routes_t.require("route_id")
    routes_t.require("route_type")
    _reject_duplicates(routes_t, "route_id")
    routes = routes_t.df.with_columns(route_type=routes_t.integers("route_type")).drop(LINE)
    unknown_type = ~(pl.col("route_type").is_in(BASIC_ROUTE_TYPES)
                     | pl.col("route_type").is_between(*EXTENDED_ROUTE_TYPES))
    odd = routes.filter(unknown_type)
    if odd.height:
        shown = ", ".join(f"{r} ({t})" for r, t in odd.select("route_id", "route_type").head(SHOWN_ROUTES).iter_rows())
        more = " …" if odd.height > SHOWN_ROUTES else ""
        notices.append((f"routes.txt: {odd.height} route(s) have a route_type GTFS does not define, so they are taken "
                        f"as no mode of transport (not as bus routes): {shown}{more}.",
                        f"routes.txt：{odd.height} 条线路的 route_type 不是 GTFS 定义的取值，不视为任何交通方式（不按公交线路审计）："
                        f"{shown}{more}。"))

    trips_t = read_table(source, "trips.txt", ["route_id", "service_id", "trip_id"],
                         ["direction_id", "shape_id", "wheelchair_accessible"])
    for column in ("trip_id", "route_id", "service_id"):
        trips_t.require(column)
    _reject_duplicates(trips_t, "trip_id")
    _reject_unknown(trips_t, "route_id", routes["route_id"], "routes.txt")
    missing_direction = trips_t.df["direction_id"].null_count()
    has_direction = missing_direction < trips_t.df.height
    trips = trips_t.df.with_columns(
        direction_id=trips_t.integers("direction_id", allowed={0, 1}),
        wheelchair_accessible=trips_t.integers("wheelchair_accessible", allowed={0, 1, 2}),
    ).drop(LINE)
    if has_direction and missing_direction:
        notices.append((f"{missing_direction} trip(s) have no direction_id; their routes' directions were inferred "
                        "from the trips' terminals.",
                        f"{missing_direction} 个班次缺少 direction_id，已按起讫站推断其线路方向。"))
    if not has_direction:
        notices.append(
            (
                "trips.txt has no direction_id; each route's directions were inferred from its trips' terminals.",
                "trips.txt 未提供 direction_id；已按各线路班次的起讫站推断方向。",
            )
        )

    stops = _load_stops(source)
    stop_times = load_stop_times(source, trips, stops, keep_rows, max_hours)
    trips = trips.with_columns(trip_idx=stop_times.rows_of(trips["trip_id"]))
    flexible_routes = _flex_notice(stop_times.flex_trip_ids, trips, notices)
    notices += stop_times.notices

    calendar = _load_calendar(source)
    calendar_dates = _load_calendar_dates(source)
    if calendar is None and calendar_dates is None:
        raise InputError(
            source.where("calendar.txt"),
            "The feed has neither calendar.txt nor calendar_dates.txt, so no trip has a service day.",
            "GTFS 数据既无 calendar.txt 也无 calendar_dates.txt，无法确定运营日。",
        )
    _notice_services_never_run(trips, calendar, calendar_dates, notices)
    frequencies = _load_frequencies(source, trips["trip_id"], max_hours)
    notices += source.notices
    for name, encoding in source.encodings.items():
        if encoding not in ("ascii", "utf-8", "utf-8-sig"):
            notices.append((f"{name} was read as {encoding}, not UTF-8.", f"{name} 按 {encoding} 编码读取（非 UTF-8）。"))
    return Feed(
        label=source.label,
        path=source.path,
        timezone=_timezone(source),
        about=_about(source),
        routes=routes,
        trips=trips,
        stops=stops,
        stop_times=stop_times,
        calendar=calendar,
        calendar_dates=calendar_dates,
        frequencies=frequencies,
        encodings=dict(source.encodings),
        notices=notices,
        has_direction_id=has_direction,
        shape_points=_load_shape_points(source) if shapes else None,
        flexible_routes=flexible_routes,
        estimated=load_estimated(source),
        published_intervals=load_published(source, trips["trip_id"]),
    )


def _notice_services_never_run(trips: pl.DataFrame, calendar: pl.DataFrame | None,
                               calendar_dates: pl.DataFrame | None, notices: list[tuple[str, str]]) -> None:
    """Trips whose service_id neither calendar file names never run: said, not dropped in silence."""
    known = pl.concat([t["service_id"] for t in (calendar, calendar_dates) if t is not None])
    orphans = trips.filter(~pl.col("service_id").is_in(known.implode()))
    if orphans.is_empty():
        return
    services = sorted(orphans["service_id"].unique().to_list())
    routes = sorted(orphans["route_id"].unique().to_list())
    shown = ", ".join(services[:SHOWN_ROUTES]) + (" …" if len(services) > SHOWN_ROUTES else "")
    on = ", ".join(routes[:SHOWN_ROUTES]) + (" …" if len(routes) > SHOWN_ROUTES else "")
    notices.append((f"trips.txt: {orphans.height} trip(s) name a service_id that neither calendar.txt nor "
                    f"calendar_dates.txt defines ({shown}), so they never run; routes {on}.",
                    f"trips.txt：{orphans.height} 个班次的 service_id（{shown}）在 calendar.txt 与 calendar_dates.txt 中均未定义，"
                    f"因此从不运营；涉及线路 {on}。"))


def _flex_notice(flex_trip_ids: pl.Series, trips: pl.DataFrame, notices: list[tuple[str, str]]) -> list[str]:
    """The routes of GTFS-Flex trips, said in a notice: flexible service is listed, not judged."""
    if flex_trip_ids.is_empty():
        return []
    routes = sorted(trips.filter(pl.col("trip_id").is_in(flex_trip_ids.implode()))["route_id"].unique().to_list())
    shown = ", ".join(routes[:SHOWN_ROUTES]) + (" …" if len(routes) > SHOWN_ROUTES else "")
    notices.append((
        f"{flex_trip_ids.len()} GTFS-Flex trip(s) (demand-responsive: a zone or a group of stops instead of "
        f"stops) on route(s) {shown}: flexible service is listed, not judged by the headway, span or coverage "
        "rules; the fixed-route trips are audited.",
        f"线路 {shown} 有 {flex_trip_ids.len()} 个 GTFS-Flex 班次（需求响应式：按区域或站点组而非固定站点运营）："
        "灵活服务仅列出，不按发车间隔、首末班或覆盖率规则评判；固定线路班次照常审计。",
    ))
    return routes


def _load_shape_points(source: FeedSource) -> pl.DataFrame | None:
    if not source.has("shapes.txt"):
        return None
    table = read_table(source, "shapes.txt", ["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"])
    for column in ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"):
        table.require(column)
    return table.df.select(
        "shape_id", lat=table.floats("shape_pt_lat", -90, 90), lon=table.floats("shape_pt_lon", -180, 180),
        seq=table.integers("shape_pt_sequence"),
    ).sort("shape_id", "seq")


FEED_INFO = ("feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_version", "feed_start_date",
             "feed_end_date", "feed_contact_email")


def _about(source: FeedSource) -> dict[str, Any]:
    """Who published the feed, as its agency.txt and feed_info.txt say (for the reports' provenance)."""
    about: dict[str, Any] = {"agencies": [], "feed_info": None}
    if source.has("agency.txt"):
        table = read_table(source, "agency.txt", [], ["agency_name"])
        about["agencies"] = [excerpt(n, 80) for n in table.df["agency_name"].drop_nulls().str.strip_chars().to_list()[:20]]
    if source.has("feed_info.txt"):
        info = read_table(source, "feed_info.txt", [], list(FEED_INFO)).df
        if info.height:
            about["feed_info"] = {k: excerpt(v, 120) for k, v in info.row(0, named=True).items()
                                  if k in FEED_INFO and v}
    return about


def _timezone(source: FeedSource) -> str:
    if not source.has("agency.txt"):
        return DEFAULT_TIMEZONE
    table = read_table(source, "agency.txt", [], ["agency_timezone"])
    zones = table.df["agency_timezone"].drop_nulls().str.strip_chars()
    return zones[0] if len(zones) and zones[0] else DEFAULT_TIMEZONE


def _reject_duplicates(table: Table, column: str) -> None:
    duplicated = pl.col(column).is_not_null() & ~pl.col(column).is_first_distinct()
    table.reject(duplicated, column, f"{column} is not unique.", f"{column} 重复。")


def _reject_unknown(table: Table, column: str, known: pl.Series, other_file: str) -> None:
    table.reject(pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode()), column,
                 f"No such {column} in {other_file}.", f"{other_file} 中不存在该 {column}。")


def _load_stops(source: FeedSource) -> pl.DataFrame:
    table = read_table(
        source, "stops.txt", ["stop_id"],
        ["stop_name", "stop_lat", "stop_lon", "location_type", "parent_station", "wheelchair_boarding"],
    )
    table.require("stop_id")
    _reject_duplicates(table, "stop_id")
    df = table.df.with_columns(location_type=table.integers("location_type", allowed={0, 1, 2, 3, 4}, default=0),
                               wheelchair_boarding=table.integers("wheelchair_boarding", allowed={0, 1, 2}))
    table.df = df
    needs_position = pl.col("location_type") <= 2
    for column in ("stop_lat", "stop_lon"):
        table.reject(needs_position & pl.col(column).is_null(), column,
                     f"{column} is empty; stops and stations need a position.", f"{column} 不能为空。")
    df = df.with_columns(stop_lat=table.floats("stop_lat", -90, 90), stop_lon=table.floats("stop_lon", -180, 180))
    return df.drop(LINE)


def _load_calendar(source: FeedSource) -> pl.DataFrame | None:
    table = read_table(source, "calendar.txt", ["service_id", *WEEKDAYS, "start_date", "end_date"], must_exist=False)
    if table is None:
        return None
    for column in ("service_id", "start_date", "end_date"):
        table.require(column)
    _reject_duplicates(table, "service_id")
    table.df = table.df.with_columns(
        *[table.integers(day, allowed={0, 1}, default=0).alias(day) for day in WEEKDAYS],
        table.dates("start_date").alias("start"),
        table.dates("end_date").alias("end"),
    )
    table.reject(pl.col("end") < pl.col("start"), "end_date", "end_date is before start_date.",
                 "end_date 早于 start_date。")
    return table.df.select("service_id", *WEEKDAYS, start_date="start", end_date="end")


def _load_calendar_dates(source: FeedSource) -> pl.DataFrame | None:
    table = read_table(source, "calendar_dates.txt", ["service_id", "date", "exception_type"], must_exist=False)
    if table is None:
        return None
    for column in ("service_id", "date", "exception_type"):
        table.require(column)
    return table.df.select(
        "service_id", table.dates("date").alias("date"), table.integers("exception_type", allowed={1, 2})
    )


def _load_frequencies(source: FeedSource, trip_ids: pl.Series, max_hours: int | None) -> pl.DataFrame | None:
    table = read_table(
        source, "frequencies.txt", ["trip_id", "start_time", "end_time", "headway_secs"], ["exact_times"],
        must_exist=False,
    )
    if table is None:
        return None
    for column in ("trip_id", "start_time", "end_time", "headway_secs"):
        table.require(column)
    _reject_unknown(table, "trip_id", trip_ids, "trips.txt")
    df = table.df.with_columns(
        start_s=table.seconds("start_time"),
        end_s=table.seconds("end_time"),
        headway_s=table.integers("headway_secs"),
        exact_times=table.integers("exact_times", allowed={0, 1}, default=0),
    )
    table.df = df
    checks = [
        (pl.col("headway_s") <= 0, "headway_secs", "Expected a positive number of seconds.", "应为正整数秒。"),
        (pl.col("end_s") <= pl.col("start_s"), "end_time", "end_time must be after start_time.",
         "end_time 须晚于 start_time。"),
    ]
    if max_hours is not None:
        checks.append((pl.col("end_s") > max_hours * 3600, "end_time",
                       f"The window ends after {max_hours}:00:00, more than a day past the end of its service day.",
                       f"时段结束晚于 {max_hours}:00:00，超出其运营日一整天以上。"))
    table.reject_any(checks)
    # windows of one trip may not overlap (GTFS; MobilityData's overlapping_frequency is an error)
    table.df = df.sort("trip_id", "start_s", LINE)
    table.reject((pl.col("trip_id") == pl.col("trip_id").shift(1)) & (pl.col("start_s") < pl.col("end_s").shift(1)),
                 "start_time", "The window overlaps the trip's previous window in frequencies.txt.",
                 "该时段与同一班次的上一时段重叠。")
    departures = ((pl.col("end_s") - pl.col("start_s") + pl.col("headway_s") - 1) // pl.col("headway_s")).cum_sum()
    table.df = df.with_columns(departures=departures)
    table.reject(pl.col("departures") > MAX_FREQUENCY_DEPARTURES, "headway_secs",
                 f"frequencies.txt expands to more than {MAX_FREQUENCY_DEPARTURES:,} departures by this row, far "
                 "more than any city's feed holds (buscheck's limit); check headway_secs (seconds, not minutes).",
                 f"frequencies.txt 展开至此行已超过 {MAX_FREQUENCY_DEPARTURES:,} 个发车班次，远超任何城市数据的规模（buscheck 上限）；"
                 "请检查 headway_secs（单位为秒）。")
    return df.select("trip_id", "start_s", "end_s", "headway_s", "exact_times")
