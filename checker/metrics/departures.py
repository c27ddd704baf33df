"""Departures at each route-direction's origin on the service date, frequencies.txt expanded."""

from __future__ import annotations

import polars as pl

from checker.load.feed import Feed


def infer_directions(trips: pl.DataFrame, trip_ends: pl.DataFrame, stops: pl.DataFrame) -> pl.DataFrame:
    """Fill a missing direction_id: per route, trips starting nearer the commonest origin are direction 0.

    The commonest origin A (among the route's direction-0 trips, if it has any) and the commonest destination
    B of trips leaving A give the route's axis; a trip whose origin lies closer to A than to B runs A->B (0),
    otherwise B->A (1). Short turns follow the terminal they start nearest to.
    """
    if trips["direction_id"].null_count() == 0:
        return trips
    xy = stops.select(
        "stop_id",
        x=pl.col("stop_lon") * (pl.col("stop_lat").radians().cos()),
        y=pl.col("stop_lat"),
    )
    ends = trips.join(trip_ends, on="trip_id")
    # where a route gives some trips direction 0, its axis comes from those, so inferred labels match the feed's
    outbound = ends.filter(pl.col("direction_id") == 0)
    given = _commonest_per_route(outbound, "origin_stop_id")
    guessed = _commonest_per_route(ends, "origin_stop_id").join(given, on="route_id", how="anti")
    anchor_a = pl.concat([given, guessed]).rename({"origin_stop_id": "a"})
    leaving_a = ends.join(anchor_a, on="route_id").filter(pl.col("origin_stop_id") == pl.col("a"))
    anchor_b = _commonest_per_route(leaving_a, "destination_stop_id").rename({"destination_stop_id": "b"})
    located = (
        ends.join(anchor_a, on="route_id")
        .join(anchor_b, on="route_id")
        .join(xy, left_on="origin_stop_id", right_on="stop_id")
        .join(xy.rename({"x": "ax", "y": "ay"}), left_on="a", right_on="stop_id")
        .join(xy.rename({"x": "bx", "y": "by"}), left_on="b", right_on="stop_id")
    )
    dist_a = (pl.col("x") - pl.col("ax")) ** 2 + (pl.col("y") - pl.col("ay")) ** 2
    dist_b = (pl.col("x") - pl.col("bx")) ** 2 + (pl.col("y") - pl.col("by")) ** 2
    inferred = located.select("trip_id", inferred=pl.when(dist_a <= dist_b).then(0).otherwise(1).cast(pl.Int64))
    return (
        trips.join(inferred, on="trip_id", how="left")
        .with_columns(direction_id=pl.coalesce("direction_id", "inferred"))
        .drop("inferred")
    )


def _commonest_per_route(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """route_id and the most frequent value of `column` among its rows (smallest value on ties)."""
    return (
        frame.group_by("route_id", column)
        .len()
        .sort(["route_id", "len", column], descending=[False, True, False])
        .group_by("route_id", maintain_order=True)
        .first()
        .select("route_id", column)
    )


def origin_departures(feed: Feed, trips: pl.DataFrame) -> pl.DataFrame:
    """One row per departure from the origin: route_id, direction_id, trip_id, origin_stop_id, departure_s,
    destination_stop_id, arrival_s (at the destination).

    A trip listed in frequencies.txt departs at start, start+headway, ... strictly before end, for each of
    its windows (exact_times 0 or 1 alike); its own stop_times only give the pattern and the running time.
    """
    timed = trips.filter(pl.col("trip_idx").is_not_null())  # rows of feed.trips: each knows its trip_ends row
    ends = feed.trip_ends[timed["trip_idx"]].with_columns(timed["route_id"], timed["direction_id"])
    columns = ["route_id", "direction_id", "trip_id", "origin_stop_id", "departure_s", "destination_stop_id",
               "arrival_s"]
    running = pl.col("destination_arrival_s") - pl.col("origin_departure_s")
    if feed.frequencies is None or feed.frequencies.is_empty():
        return ends.with_columns(departure_s="origin_departure_s", arrival_s="destination_arrival_s").select(columns)
    windows = feed.frequencies.join(ends, on="trip_id")
    expanded = (
        windows.with_columns(departure_s=pl.int_ranges("start_s", "end_s", "headway_s"))
        .explode("departure_s")
        .with_columns(pl.col("departure_s").cast(pl.Int32))
        .with_columns(arrival_s=pl.col("departure_s") + running)
        .select(columns)
    )
    scheduled = ends.join(feed.frequencies.select("trip_id").unique(), on="trip_id", how="anti").with_columns(
        departure_s="origin_departure_s", arrival_s="destination_arrival_s"
    ).select(columns)
    return pl.concat([scheduled, expanded])
