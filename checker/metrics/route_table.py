"""One row per basic route and direction: span, headways per window, departures, night status."""

from __future__ import annotations

import polars as pl

from checker.metrics.route_kinds import night_reason
from checker.metrics.timetable import KEY, headways, route_spans
from checker.model.clock import Window
from checker.model.metrics import PublishedInterval, RouteRow, WindowHeadway

SPAN_COLUMNS = ("route_id", "direction_id", "route_short_name", "route_long_name", "origin_stop_id", "trips",
                "first_departure_s", "last_departure_s", "max_gap_s", "departures_s", "destination_stop_id")


def route_rows(departures: pl.DataFrame, routes: pl.DataFrame, peaks: list[Window], night_listed: set[str],
               published: pl.DataFrame | None = None, stops: pl.DataFrame | None = None) -> list[RouteRow]:
    """`published`: a converted service table's published ranges (route_id, direction_id, start_s, end_s, low_min,
    high_min, judged_min) of the trips running that day, shown on each route row."""
    if departures.is_empty():
        return []
    bands: dict[tuple, list[PublishedInterval]] = {}
    if published is not None:
        for row in published.unique().sort("start_s").iter_rows(named=True):
            bands.setdefault((row["route_id"], row["direction_id"]), []).append(PublishedInterval(
                row["start_s"], row["end_s"], row["low_min"], row["high_min"], row["judged_min"]))
    spans = route_spans(departures).join(
        routes.select("route_id", "route_short_name", "route_long_name"), on="route_id", how="left"
    )
    names: dict[str, str] = {}
    if stops is not None and "destination_stop_id" in spans.columns:  # a direction is named by where it goes
        wanted = spans["destination_stop_id"].drop_nulls().unique().implode()
        names = dict(stops.filter(pl.col("stop_id").is_in(wanted)).select("stop_id", "stop_name").iter_rows())
    windows_by_key: dict[tuple, list[WindowHeadway]] = {}
    for route_id, direction_id, *window in headways(departures, peaks).select(
            *KEY, "window", "departures", "max_headway_s", "gap_from_s", "gap_to_s").iter_rows():
        windows_by_key.setdefault((route_id, direction_id), []).append(WindowHeadway(*window))
    columns = spans.select(*SPAN_COLUMNS[:-1], pl.col("destination_stop_id") if "destination_stop_id" in spans.columns
                           else pl.lit(None).alias("destination_stop_id"))
    rows = []
    for span in columns.iter_rows():  # tuples: no dict per row
        (route_id, direction_id, short_name, long_name, origin, trips, first_s, last_s, max_gap_s, departures_s,
         destination) = span
        key = (route_id, direction_id)
        rows.append(RouteRow(
            route_id=route_id,
            direction_id=int(direction_id),
            route_short_name=short_name,
            route_long_name=long_name,
            origin_stop_id=origin,
            trips=trips,
            first_departure_s=first_s,
            last_departure_s=last_s,
            max_gap_s=max_gap_s,
            windows=windows_by_key[key],
            departures_s=departures_s,
            night=night_reason(route_id, short_name, long_name, first_s, last_s, night_listed),
            published=bands.get(key, []) if published is not None else None,
            towards=(names.get(destination) or "").strip() or None,  # a blank name: no "→ "
        ))
    return rows
