"""Hubs from a GTFS feed of another mode (rail, metro, air, coach, ferry): each station's first departure
and last arrival on the audit date. Stops are grouped by parent_station, then stations within a short
distance of each other are merged (an interchange published as two stations is one hub)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import shapely

from checker.errors import InputError
from checker.load.calendar import trips_on
from checker.load.datum import to_wgs84
from checker.load.feed import load_feed
from checker.load.hubs import Hub
from checker.load.stop_times import StopTimes, row_times

MODE_RANK = ("air", "rail", "ferry", "coach", "metro")  # a station served by several modes is the first of these
METRES_PER_DEGREE_LAT = 110_574.0


def mode_of_route_type(route_type: int) -> str | None:
    """GTFS basic and extended route types -> hub mode; None for modes that are not hubs (tram, cable car)."""
    basic = {1: "metro", 2: "rail", 3: "coach", 4: "ferry", 12: "metro"}
    if route_type in basic:
        return basic[route_type]
    for low, high, mode in ((100, 199, "rail"), (200, 299, "coach"), (400, 499, "metro"), (1000, 1099, "ferry"),
                            (1100, 1199, "air"), (1200, 1200, "ferry")):
        if low <= route_type <= high:
            return mode
    return None


def load_hub_feed(path: str | Path, day: date, datum: str, group_m: float = 200) -> tuple[list[Hub], list]:
    feed = load_feed(path, keep_rows=True, max_hours=None)  # a train or coach may run for days
    trips = trips_on(feed, day).join(feed.routes.select("route_id", "route_type"), on="route_id")
    if trips.is_empty():
        raise InputError(str(path), f"No trip of the hub feed runs on the audit date {day}.",
                         f"枢纽 GTFS 数据在审计日 {day} 没有运营班次。")
    visits = _station_visits(feed.stop_times, trips, feed.frequencies)
    stops = feed.stops.with_columns(
        station=pl.when(pl.col("parent_station").is_in(feed.stops["stop_id"].implode()))
        .then("parent_station").otherwise("stop_id")
    )
    visits = visits.join(stops.select("stop_id", "station"), on="stop_id")
    stations = (
        visits.group_by("station")
        .agg(first_s=pl.col("departure_s").filter(pl.col("departs")).min(),
             last_s=pl.col("arrival_s").filter(pl.col("arrives")).max(),
             route_types=pl.col("route_type").unique())
        .join(stops.select(pl.col("stop_id").alias("station"), "stop_name", "stop_lon", "stop_lat"), on="station")
        .filter(pl.col("first_s").is_not_null() & pl.col("last_s").is_not_null())
        .sort("station")
    )
    lon, lat = to_wgs84(stations["stop_lon"].to_numpy(), stations["stop_lat"].to_numpy(), datum)
    groups = _groups_within(lon, lat, group_m)
    hubs: list[Hub] = []
    notices = []
    for members in groups:
        rows = stations[members]
        modes = {mode_of_route_type(t) for types in rows["route_types"] for t in types} - {None}
        if not modes:
            continue
        first = members[0]
        hubs.append(Hub(
            name=rows["stop_name"][0] or rows["station"][0], mode=min(modes, key=MODE_RANK.index),
            lon=float(lon[first]), lat=float(lat[first]),
            first_departure_s=int(rows["first_s"].min()), last_arrival_s=int(rows["last_s"].max()),
        ))
    notices.append((f"{len(hubs)} hubs read from the GTFS feed {Path(path).name} for {day} (stations within "
                    f"{group_m:g} m merged).",
                    f"已从 GTFS 数据 {Path(path).name} 读取 {day} 的 {len(hubs)} 个枢纽（相距 {group_m:g} 米内的车站合并）。"))
    notices += [(f"--hubs {Path(path).name}: {en}", f"--hubs {Path(path).name}：{zh}") for en, zh in feed.notices]
    return hubs, notices


def _station_visits(stop_times: StopTimes, trips: pl.DataFrame, frequencies: pl.DataFrame | None) -> pl.DataFrame:
    """stop_id, route_type, departure_s, arrival_s, departs (a train leaves from here), arrives (one comes in),
    with the earliest departure and latest arrival of frequency-based trips over all their runs."""
    rows = (row_times(stop_times, trips["trip_id"]).join(trips.select("trip_id", "route_type"), on="trip_id")
            .rename({"departure_s": "dep", "arrival_s": "arr"}).sort("trip_id", "seq"))
    rows = rows.with_columns(
        departs=pl.col("seq") < pl.col("seq").max().over("trip_id"),
        arrives=pl.col("seq") > pl.col("seq").min().over("trip_id"),
        start=pl.col("dep").first().over("trip_id"),
    )
    runs = rows.select("trip_id", "start").unique()
    if frequencies is not None and not frequencies.is_empty():
        last_run = pl.col("start_s") + (pl.col("end_s") - pl.col("start_s") - 1) // pl.col("headway_s") * pl.col("headway_s")
        windows = frequencies.group_by("trip_id").agg(first_run=pl.col("start_s").min(), last_run=last_run.max())
        runs = runs.join(windows, on="trip_id", how="left")
    else:
        runs = runs.with_columns(first_run=pl.lit(None, pl.Int64), last_run=pl.lit(None, pl.Int64))
    runs = runs.select("trip_id", first_run=pl.coalesce("first_run", "start"), last_run=pl.coalesce("last_run", "start"))
    return rows.join(runs, on="trip_id").select(
        "stop_id", "route_type", "departs", "arrives",
        departure_s=pl.col("dep") - pl.col("start") + pl.col("first_run"),
        arrival_s=pl.col("arr") - pl.col("start") + pl.col("last_run"),
    ).drop_nulls(["departure_s", "arrival_s"])


def _groups_within(lon: np.ndarray, lat: np.ndarray, metres: float) -> list[list[int]]:
    """Indexes grouped so that points chained by gaps of at most `metres` share a group (union-find)."""
    if not len(lon):
        return []
    scale = np.cos(np.radians(float(np.mean(lat))))
    points = shapely.points(lon * scale * METRES_PER_DEGREE_LAT, lat * METRES_PER_DEGREE_LAT)
    parent = list(range(len(lon)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    left, right = shapely.STRtree(points).query(points, predicate="dwithin", distance=metres)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for i in range(len(lon)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values())
