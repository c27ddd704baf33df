"""One feed's basic service as the diff sees it: its audit, route identities, route-directions with their
terminals, and the stops each basic route serves, all positioned in the audit's local metres."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl

from checker.load.inputs import Loaded
from checker.load.stop_times import StopTimes
from checker.metrics.compute import Measured
from checker.metrics.route_kinds import is_bus
from checker.model.result import Audit


@dataclass
class Side:
    audit: Audit
    routes: pl.DataFrame  # route_id, short, long, name, status (basic/custom/excluded/unlisted/other), running
    directions: pl.DataFrame  # route_id, direction_id, trips, origin_stop_id, destination_stop_id, ox, oy, dx, dy
    route_stops: pl.DataFrame  # route_id, stop_id, stop_name, x, y: stops each basic route serves on the date
    reasons: dict[str, str]  # route_id -> why it is not basic (custom, excluded type, not listed)

    @cached_property
    def directions_by_route(self) -> dict[str, list[dict]]:
        """The directions of each route as rows, grouped once (the diff looks up thousands of routes)."""
        grouped: dict[str, list[dict]] = {}
        for row in self.directions.to_dicts():
            grouped.setdefault(row["route_id"], []).append(row)
        return grouped

    @property
    def basic_stops(self) -> pl.DataFrame:
        return self.route_stops.unique("stop_id").select("stop_id", "stop_name", "x", "y")


def build_side(audit: Audit, loaded: Loaded, measured: Measured) -> Side:
    feed = loaded.feed
    assert measured.departures is not None and measured.day_trips is not None
    x, y = audit.coverage.to_local.transform(feed.stops["stop_lon"].to_numpy(), feed.stops["stop_lat"].to_numpy())
    stops = feed.stops.select("stop_id", "stop_name").with_columns(x=pl.Series(x), y=pl.Series(y))
    basic = set(measured.basic.route_ids)
    reasons = {e["route_id"]: e["reason_en"] for e in measured.basic.excluded}
    running = measured.departures["route_id"].unique()
    listed = loaded.route_list is not None
    status = (pl.when(pl.col("route_id").is_in(list(basic))).then(pl.lit("basic"))
              .when(pl.col("route_id").is_in([r for r, why in reasons.items() if why.startswith("custom")]))
              .then(pl.lit("custom"))
              .when(pl.col("route_id").is_in(list(reasons))).then(pl.lit("excluded"))
              .when(pl.lit(listed) & is_bus(pl.col("route_type"))).then(pl.lit("unlisted"))
              .otherwise(pl.lit("other")))
    routes = feed.routes.select(
        "route_id", "route_type", short=pl.col("route_short_name").fill_null("").str.strip_chars(),
        long=pl.col("route_long_name").fill_null("").str.strip_chars(),
    ).with_columns(
        name=pl.when(pl.col("short") != "").then("short").when(pl.col("long") != "").then("long").otherwise("route_id"),
        status=status, running=pl.col("route_id").is_in(running.implode()),
    )
    for route_id in routes.filter(pl.col("status") == "unlisted")["route_id"]:
        reasons[route_id] = "not on the published list of basic routes (Art. 6)"

    departures = measured.departures.filter(pl.col("route_id").is_in(list(basic)))
    directions = (departures.group_by("route_id", "direction_id")
                  .agg(trips=pl.len(), origin_stop_id=pl.col("origin_stop_id").mode().sort().first(),
                       destination_stop_id=pl.col("destination_stop_id").mode().sort().first())
                  .join(stops.select("stop_id", ox="x", oy="y"), left_on="origin_stop_id", right_on="stop_id")
                  .join(stops.select("stop_id", dx="x", dy="y"), left_on="destination_stop_id", right_on="stop_id")
                  .sort("route_id", "direction_id"))

    trips = measured.day_trips.filter(pl.col("route_id").is_in(list(basic))).select("trip_idx", "route_id")
    return Side(audit, routes, directions, _route_stops(feed.stop_times, trips, stops), reasons)


def _route_stops(stop_times: StopTimes, trips: pl.DataFrame, stops: pl.DataFrame) -> pl.DataFrame:
    """route_id, stop_id, stop_name, x, y: each stop that a route's `trips` (trip_idx, route_id) call at, once.
    Every call becomes one integer, its route's number times the count of stops plus its stop's row, so the
    pairs are found by sorting one array (joins and a unique over millions of string rows took six times as
    long)."""
    trips = trips.drop_nulls("trip_idx").with_columns(number=pl.col("route_id").rank("dense").cast(pl.Int64) - 1)
    route_ids = trips.unique("number").sort("number")["route_id"]
    number_of_trip = np.full(stop_times.trip_ends.height, -1, dtype=np.int64)
    number_of_trip[trips["trip_idx"].to_numpy()] = trips["number"].to_numpy()
    number = number_of_trip[stop_times.visit_trip_idx]
    called = number >= 0
    pairs = np.sort(number[called] * stops.height + stop_times.visit_stop_idx[called])
    first = np.ones(len(pairs), dtype=bool)
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    pairs = pairs[first]
    return (stops[pairs % stops.height].with_columns(route_id=route_ids.gather(pairs // stops.height))
            .select("route_id", "stop_id", "stop_name", "x", "y").sort("route_id", "stop_id"))
