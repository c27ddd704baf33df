"""Peak load factor per route and direction: the summed peak on-board load of the trips leaving in a peak
window over their summed capacity (a capacity-weighted mean of the trips' own peak load factors)."""

from __future__ import annotations

import polars as pl

from checker.metrics.timetable import KEY, in_any
from checker.model.clock import Window


def peak_load_factors(departures: pl.DataFrame, trip_loads: pl.DataFrame, peaks: list[Window]) -> list[dict]:
    peak_trips = departures.filter(in_any(pl.col("departure_s"), peaks)).join(trip_loads, on="trip_id")
    return (
        peak_trips.group_by(KEY)
        .agg(
            load_factor=pl.col("peak_load").sum() / pl.col("capacity").sum(),
            trips=pl.len(),
            max_trip_load_factor=(pl.col("peak_load") / pl.col("capacity")).max(),
        )
        .sort(KEY)
        .with_columns(pl.col("load_factor").round(4), pl.col("max_trip_load_factor").round(4))
        .to_dicts()
    )


def peak_crowding(departures: pl.DataFrame, trip_loads: pl.DataFrame, peaks: list[Window]) -> dict | None:
    """The whole network's peak crowding: summed peak load of every peak-window trip over their capacity."""
    peak_trips = departures.filter(in_any(pl.col("departure_s"), peaks)).join(trip_loads, on="trip_id")
    if peak_trips.is_empty():
        return None
    return {"ratio": round(peak_trips["peak_load"].sum() / peak_trips["capacity"].sum(), 6), "trips": peak_trips.height}
