"""The bus network as the transit-metropolis indicators see it: trip lengths and peak operating speed,
network length, stops, accessibility, and micro-bus routes. Columnar: one pass over stop_times' indexes.

Trip length is the length of the trip's shape (shapes.txt) where it has one, else the sum of straight
lines between its consecutive stops; the result says how many trips used which. Lengths are measured on
the ellipsoid-free haversine (under 0.5% off at city scale) in the feed's own datum (a GCJ-02 offset is
nearly constant over a city and changes lengths by far less than that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from checker.load.feed import Feed
from checker.metrics.distance import haversine_m
from checker.metrics.route_kinds import micro_reason
from checker.metrics.timetable import in_any
from checker.model.clock import Window

LOOP_M = 100  # termini closer than this: a loop, no non-linearity coefficient


@dataclass
class Segments:
    """Every pair of consecutive stops of every trip: its trip, and which distinct stop pair (either way) it is,
    with the straight-line length of each distinct pair computed once."""

    trip_idx: np.ndarray  # per segment
    pair: np.ndarray  # per segment: index into pair_m
    pair_m: np.ndarray  # per distinct undirected stop pair: metres

    @classmethod
    def of(cls, feed: Feed) -> Segments:
        st = feed.stop_times
        same_trip = st.visit_trip_idx[1:] == st.visit_trip_idx[:-1]
        a = st.visit_stop_idx[:-1][same_trip].astype(np.int64)
        b = st.visit_stop_idx[1:][same_trip].astype(np.int64)
        n = feed.stops.height
        undirected = pl.Series(np.minimum(a, b) * n + np.maximum(a, b))
        pair = (undirected.rank("dense") - 1).to_numpy()  # as np.unique's inverse, in parallel
        keys = undirected.unique().sort().to_numpy()
        lon, lat = feed.stops["stop_lon"].to_numpy(), feed.stops["stop_lat"].to_numpy()
        first, second = keys // n, keys % n
        return cls(st.visit_trip_idx[1:][same_trip], pair, haversine_m(lon[first], lat[first], lon[second], lat[second]))


def stop_path_lengths(feed: Feed, segments: Segments) -> np.ndarray:
    """Per trip (trip_idx order): the sum of straight lines between consecutive stops, in metres."""
    return np.bincount(segments.trip_idx, weights=segments.pair_m[segments.pair], minlength=feed.stop_times.trip_ends.height)


def shape_lengths(feed: Feed) -> pl.DataFrame | None:
    """shape_id, length_m from the feed's shape points, or None when it has none."""
    points = feed.shape_points
    if points is None:
        return None
    lon, lat = points["lon"].to_numpy(), points["lat"].to_numpy()
    ids = points["shape_id"].to_numpy()
    same = ids[1:] == ids[:-1]
    steps = np.where(same, haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]), 0.0)
    return (pl.DataFrame({"shape_id": ids[1:], "step": steps}).group_by("shape_id").agg(length_m=pl.col("step").sum()))


def trip_lengths(feed: Feed, segments: Segments) -> pl.DataFrame:
    """trip_id, length_m, by ('shape' or 'stops')."""
    by_stops = feed.stop_times.trip_ends.select("trip_id", stops_m=pl.Series(stop_path_lengths(feed, segments)))
    shapes = shape_lengths(feed)
    trips = feed.trips.select("trip_id", "shape_id").join(by_stops, on="trip_id")
    if shapes is not None:
        trips = trips.join(shapes, on="shape_id", how="left")
    else:
        trips = trips.with_columns(length_m=pl.lit(None, pl.Float64))
    return trips.select(
        "trip_id",
        length_m=pl.coalesce("length_m", "stops_m"),
        by=pl.when(pl.col("length_m").is_not_null()).then(pl.lit("shape")).otherwise(pl.lit("stops")),
    )


def peak_speed(departures: pl.DataFrame, lengths: pl.DataFrame, peaks: list[Window]) -> dict | None:
    """Scheduled operating speed of the departures leaving in a peak window: total km over total hours."""
    peak = departures.filter(in_any(pl.col("departure_s"), peaks)).join(lengths, on="trip_id").filter(pl.col("arrival_s") > pl.col("departure_s"))
    if peak.is_empty():
        return None
    km = peak["length_m"].sum() / 1000
    hours = (peak["arrival_s"] - peak["departure_s"]).sum() / 3600
    by = peak["by"].value_counts()
    return {"km_h": round(km / hours, 2), "departures": peak.height, "vehicle_km": round(km, 1),
            "vehicle_hours": round(hours, 2), "length_from": dict(zip(by["by"], by["count"], strict=True))}


def network_length_km(feed: Feed, segments: Segments, trip_ids: pl.Series) -> float:
    """Length of the network the trips run on: every pair of consecutive stops once, whichever way and however
    many routes share it (straight lines between stops; a stop paired with itself has no length)."""
    chosen = np.zeros(feed.stop_times.trip_ends.height, dtype=bool)
    chosen[feed.stop_times.trip_ends.filter(pl.col("trip_id").is_in(trip_ids.implode()))["trip_idx"].to_numpy()] = True
    used = np.zeros(len(segments.pair_m), dtype=bool)
    used[segments.pair[chosen[segments.trip_idx]]] = True
    return float(segments.pair_m[used].sum() / 1000)


def accessible_stops(served: pl.DataFrame, stops: pl.DataFrame) -> dict | None:
    """Share of served stops with wheelchair_boarding 1 (a platform with 0 or none takes its station's value)."""
    if stops["wheelchair_boarding"].null_count() == stops.height:
        return None
    parents = stops.select(parent_station="stop_id", parent_value="wheelchair_boarding")
    values = served.join(parents, on="parent_station", how="left").select(
        value=pl.when(pl.col("wheelchair_boarding").fill_null(0) == 0).then(pl.col("parent_value"))
        .otherwise(pl.col("wheelchair_boarding")).fill_null(0))["value"]
    accessible = int((values == 1).sum())
    return {"share": round(accessible / len(values), 6) if len(values) else None, "accessible": accessible,
            "stops": len(values), "unknown": int((values == 0).sum())}


def accessible_trips(departures: pl.DataFrame, trips: pl.DataFrame) -> dict | None:
    """Share of the day's departures made by trips with wheelchair_accessible 1."""
    if trips["wheelchair_accessible"].null_count() == trips.height:
        return None
    values = departures.join(trips.select("trip_id", "wheelchair_accessible"), on="trip_id")["wheelchair_accessible"]
    accessible = int((values.fill_null(0) == 1).sum())
    return {"share": round(accessible / len(values), 6) if len(values) else None, "accessible": accessible,
            "departures": len(values), "unknown": int((values.fill_null(0) == 0).sum())}


def route_shapes(departures: pl.DataFrame, lengths: pl.DataFrame, stops: pl.DataFrame,
                 routes: pl.DataFrame) -> pl.DataFrame:
    """Per route-direction: median trip length (km) and straight-line distance between its commonest termini."""
    xy = stops.select("stop_id", "stop_lon", "stop_lat")
    trips = departures.unique("trip_id").join(lengths, on="trip_id")
    commonest = (trips.group_by("route_id", "direction_id", "origin_stop_id", "destination_stop_id").len()
                 .sort("len", descending=True).group_by("route_id", "direction_id", maintain_order=True).first()
                 .join(xy.rename({"stop_lon": "ox", "stop_lat": "oy"}), left_on="origin_stop_id", right_on="stop_id")
                 .join(xy.rename({"stop_lon": "dx", "stop_lat": "dy"}), left_on="destination_stop_id", right_on="stop_id"))
    straight = commonest.with_columns(straight_m=pl.Series(haversine_m(
        commonest["ox"].to_numpy(), commonest["oy"].to_numpy(), commonest["dx"].to_numpy(), commonest["dy"].to_numpy())))
    return (trips.group_by("route_id", "direction_id").agg(length_km=(pl.col("length_m").median() / 1000).round(3))
            .join(straight.select("route_id", "direction_id", "straight_m"), on=["route_id", "direction_id"])
            .join(routes.select("route_id", "route_short_name", "route_long_name"), on="route_id", how="left")
            .sort("route_id", "direction_id"))


def micro_routes(shapes: pl.DataFrame, listed: set[str], below_km: float | None) -> list[dict]:
    """Route-directions that are micro-bus routes (named or listed so, or shorter than `below_km`), with their
    length and non-linearity coefficient (length over the straight line between termini; None for a loop)."""
    rows = []
    for row in shapes.iter_rows(named=True):
        why = micro_reason(row["route_id"], row["route_short_name"], row["route_long_name"], row["length_km"],
                           listed, below_km)
        if why is None:
            continue
        loop = row["straight_m"] < LOOP_M
        rows.append({"route_id": row["route_id"], "direction_id": row["direction_id"],
                     "route_short_name": row["route_short_name"], "length_km": row["length_km"],
                     "straight_km": round(row["straight_m"] / 1000, 3),
                     "nonlinearity": None if loop else round(row["length_km"] * 1000 / row["straight_m"], 3),
                     "loop": loop, "why": why})
    return rows
