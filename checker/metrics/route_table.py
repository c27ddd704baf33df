"""One row per basic route and direction: span, headways per window, departures, night status."""

from __future__ import annotations

import polars as pl

from checker.clock import hms
from checker.metrics.timetable import OFFPEAK, Window, headways, route_spans
from checker.night_routes import night_reason


def _minutes(seconds) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)


def route_rows(departures: pl.DataFrame, routes: pl.DataFrame, peaks: list[Window], night_listed: set[str]) -> list[dict]:
    if departures.is_empty():
        return []
    spans = route_spans(departures).join(
        routes.select("route_id", "route_short_name", "route_long_name"), on="route_id", how="left"
    )
    windows_by_key: dict[tuple, list[dict]] = {}
    for w in headways(departures, peaks).iter_rows(named=True):
        windows_by_key.setdefault((w["route_id"], w["direction_id"]), []).append(
            {"window": w["window"], "departures": w["departures"], "max_headway_min": _minutes(w["max_headway_s"]),
             "gap_from": hms(w["gap_from_s"]), "gap_to": hms(w["gap_to_s"])}
        )
    rows = []
    for span in spans.iter_rows(named=True):
        key = (span["route_id"], span["direction_id"])
        windows = windows_by_key[key]
        peak_values = [w["max_headway_min"] for w in windows if w["window"] != OFFPEAK]
        offpeak = next(w["max_headway_min"] for w in windows if w["window"] == OFFPEAK)
        row = {
            "route_id": span["route_id"],
            "direction_id": int(span["direction_id"]),
            "route_short_name": span["route_short_name"],
            "route_long_name": span["route_long_name"],
            "origin_stop_id": span["origin_stop_id"],
            "trips": span["trips"],
            "first_departure": hms(span["first_departure_s"]),
            "last_departure": hms(span["last_departure_s"]),
            "first_departure_s": span["first_departure_s"],
            "last_departure_s": span["last_departure_s"],
            "max_headway_peak_min": max((v for v in peak_values if v is not None), default=None),
            "max_headway_offpeak_min": offpeak,
            "max_gap_min": _minutes(span["max_gap_s"]),
            "windows": windows,
            "departures": span["departures"],
        }
        reason = night_reason(row, night_listed)
        row["night"] = reason is not None
        row["night_reason"] = reason
        if reason is not None:  # day windows mean nothing for a night route; max_gap_min is its interval
            row["max_headway_peak_min"] = row["max_headway_offpeak_min"] = None
        rows.append(row)
    return rows
