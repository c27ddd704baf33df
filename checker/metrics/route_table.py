"""One row per basic route and direction: span, headways per window, departures, night status."""

from __future__ import annotations

import polars as pl

from checker.metrics.route_kinds import night_reason
from checker.metrics.timetable import headways, route_spans
from checker.model.clock import Window
from checker.model.metrics import PublishedInterval, RouteRow, WindowHeadway


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
    for w in headways(departures, peaks).iter_rows(named=True):
        windows_by_key.setdefault((w["route_id"], w["direction_id"]), []).append(
            WindowHeadway(w["window"], w["departures"], w["max_headway_s"], w["gap_from_s"], w["gap_to_s"])
        )
    rows = []
    for span in spans.iter_rows(named=True):
        rows.append(RouteRow(
            route_id=span["route_id"],
            direction_id=int(span["direction_id"]),
            route_short_name=span["route_short_name"],
            route_long_name=span["route_long_name"],
            origin_stop_id=span["origin_stop_id"],
            trips=span["trips"],
            first_departure_s=span["first_departure_s"],
            last_departure_s=span["last_departure_s"],
            max_gap_s=span["max_gap_s"],
            windows=windows_by_key[(span["route_id"], span["direction_id"])],
            departures_s=span["departures_s"],
            night=night_reason(span["route_id"], span["route_short_name"], span["route_long_name"],
                               span["first_departure_s"], span["last_departure_s"], night_listed),
            published=bands.get((span["route_id"], span["direction_id"]), []) if published is not None else None,
            towards=(names.get(span.get("destination_stop_id")) or "").strip() or None,  # a blank name: no "→ "
        ))
    return rows
