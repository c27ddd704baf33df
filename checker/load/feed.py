"""Load a GTFS feed into typed polars frames, checking what the audit relies on and naming any bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from checker.errors import InputError
from checker.load.archive import FeedSource
from checker.load.published import load_estimated, load_published
from checker.load.stop_times import StopTimes, load_stop_times
from checker.load.table import LINE, Table, read_table
from checker.model.service_table import EstimatedTimetable

DEFAULT_TIMEZONE = "Asia/Shanghai"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass
class Feed:
    label: str
    path: Path  # the zip or folder it was read from
    timezone: str  # agency_timezone (Asia/Shanghai when the feed has no agency.txt)
    routes: pl.DataFrame  # route_id, route_short_name, route_long_name, route_desc, route_type
    trips: pl.DataFrame  # trip_id, route_id, service_id, direction_id (null where none), shape_id, wheelchair_accessible
    stops: pl.DataFrame  # stop_id, stop_name, stop_lat, stop_lon, location_type, parent_station, wheelchair_boarding
    stop_times: StopTimes  # per trip: origin, destination, departure; per row: trip and stop indexes
    calendar: pl.DataFrame | None
    calendar_dates: pl.DataFrame | None
    frequencies: pl.DataFrame | None  # trip_id, start_s, end_s, headway_s, exact_times
    encodings: dict[str, str] = field(default_factory=dict)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)
    has_direction_id: bool = True
    shape_points: pl.DataFrame | None = None  # when asked for and present: shape_id, lon, lat, sorted by sequence
    # converted from a service table (buscheck convert): how, and each frequencies window's published range
    estimated: EstimatedTimetable | None = None
    published_intervals: pl.DataFrame | None = None  # trip_id, start_s, end_s, low_min, high_min, judged_min

    @property
    def trip_ends(self) -> pl.DataFrame:
        return self.stop_times.trip_ends

    def stops_served_by(self, trip_ids: pl.Series) -> pl.DataFrame:
        return self.stops[self.stop_times.stops_served_by(trip_ids)]


def load_feed(path: str | Path, keep_rows: bool = False, shapes: bool = False) -> Feed:
    """The feed, validated. `keep_rows`: keep every stop_times row's times (hub feeds, AVL records); `shapes`:
    read shapes.txt too (trip lengths for the transit-metropolis indicators)."""
    source = FeedSource(path)
    try:
        return _load(source, keep_rows, shapes)
    finally:
        source.close()


def _load(source: FeedSource, keep_rows: bool, shapes: bool) -> Feed:
    notices: list[tuple[str, str]] = []
    if not source.has("agency.txt"):
        notices.append(("The feed has no agency.txt; GTFS requires it, the audit does not need it.",
                        "GTFS 数据缺少 agency.txt（规范要求，审计不需要）。"))
    routes_t = read_table(
        source, "routes.txt", ["route_id", "route_type"], ["route_short_name", "route_long_name", "route_desc"]
    )
    routes_t.require("route_id")
    _reject_duplicates(routes_t, "route_id")
    routes = routes_t.df.with_columns(route_type=routes_t.integers("route_type")).drop(LINE)

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
    stop_times = load_stop_times(source, trips, stops, keep_rows)

    calendar = _load_calendar(source)
    calendar_dates = _load_calendar_dates(source)
    if calendar is None and calendar_dates is None:
        raise InputError(
            source.where("calendar.txt"),
            "The feed has neither calendar.txt nor calendar_dates.txt, so no trip has a service day.",
            "GTFS 数据既无 calendar.txt 也无 calendar_dates.txt，无法确定运营日。",
        )
    frequencies = _load_frequencies(source, trips["trip_id"])
    for name, encoding in source.encodings.items():
        if encoding not in ("ascii", "utf-8", "utf-8-sig"):
            notices.append((f"{name} was read as {encoding}, not UTF-8.", f"{name} 按 {encoding} 编码读取（非 UTF-8）。"))
    return Feed(
        label=source.label,
        path=source.path,
        timezone=_timezone(source),
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
        estimated=load_estimated(source),
        published_intervals=load_published(source, trips["trip_id"]),
    )


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
    table.require("service_id")
    return table.df.select(
        "service_id",
        *[table.integers(day, allowed={0, 1}, default=0).alias(day) for day in WEEKDAYS],
        table.dates("start_date").alias("start_date"),
        table.dates("end_date").alias("end_date"),
    )


def _load_calendar_dates(source: FeedSource) -> pl.DataFrame | None:
    table = read_table(source, "calendar_dates.txt", ["service_id", "date", "exception_type"], must_exist=False)
    if table is None:
        return None
    for column in ("service_id", "date", "exception_type"):
        table.require(column)
    return table.df.select(
        "service_id", table.dates("date").alias("date"), table.integers("exception_type", allowed={1, 2})
    )


def _load_frequencies(source: FeedSource, trip_ids: pl.Series) -> pl.DataFrame | None:
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
    table.reject(pl.col("headway_s") <= 0, "headway_secs", "Expected a positive number of seconds.", "应为正整数秒。")
    table.reject(pl.col("end_s") <= pl.col("start_s"), "end_time", "end_time must be after start_time.",
                 "end_time 须晚于 start_time。")
    return df.select("trip_id", "start_s", "end_s", "headway_s", "exact_times")
