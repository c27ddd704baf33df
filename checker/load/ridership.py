"""Peak load and capacity per trip, for the load-factor precondition of Art. 10(3).

Two forms are read: GTFS-Ride (a folder or zip with board_alight.txt, whose load_count is the number on
board, and trip_capacity.txt, seated + standing), or a plain CSV with trip_id, peak_load, capacity.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from checker.load.archive import FeedSource, SingleFile
from checker.load.table import Table, read_table

SIMPLE_COLUMNS = ["trip_id", "peak_load", "capacity"]


def load_trip_loads(path: str | Path, day: date) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    """trip_id, peak_load, capacity (one row per trip), and notices."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        return _simple_csv(path), []
    source = FeedSource(path, wanted=("board_alight.txt", "trip_capacity.txt"))
    try:
        trips, notices = _gtfs_ride(source, day)
        return trips, [*source.notices, *notices]
    finally:
        source.close()


def _numbers(table: Table, field: str, positive: bool = False) -> pl.Expr:
    expr = table.floats(field, 0, 1e7)
    if positive:
        table.reject(expr <= 0, field, "Expected a capacity above zero.", "额定载客量应大于零。")
    return expr


def _simple_csv(path: Path) -> pl.DataFrame:
    table = read_table(SingleFile(path), path.name, SIMPLE_COLUMNS)
    for column in SIMPLE_COLUMNS:
        table.require(column)
    return (
        table.df.select("trip_id", peak_load=_numbers(table, "peak_load"),
                        capacity=_numbers(table, "capacity", positive=True))
        .group_by("trip_id").agg(pl.col("peak_load").max(), pl.col("capacity").max())
    )


def _on_day(table: Table, day: date, notices: list) -> pl.DataFrame:
    if table.df["service_date"].null_count() == table.df.height:
        return table.df
    dated = table.df.with_columns(_date=table.dates("service_date"))
    same_day = dated.filter(pl.col("_date") == day)
    if same_day.is_empty():
        notices.append((f"{table.name} has no records for {day}; all its dates were used (the highest per trip).",
                        f"{table.name} 中没有 {day} 的记录，已使用全部日期（各班次取最大值）。"))
        return dated
    return same_day


def _gtfs_ride(source: FeedSource, day: date) -> tuple[pl.DataFrame, list[tuple[str, str]]]:
    notices: list[tuple[str, str]] = []
    counts = read_table(source, "board_alight.txt", ["trip_id", "load_count"], ["service_date"])
    capacity = read_table(source, "trip_capacity.txt", ["trip_id", "seated_capacity", "standing_capacity"],
                          ["service_date"])
    counts.require("trip_id")
    capacity.require("trip_id")
    loads = _on_day(counts, day, notices).with_columns(load=_numbers(counts, "load_count"))
    seats = _on_day(capacity, day, notices).with_columns(
        capacity=_numbers(capacity, "seated_capacity").fill_null(0) + _numbers(capacity, "standing_capacity").fill_null(0)
    )
    Table(capacity.name, capacity.where, capacity.encoding, seats).reject(
        pl.col("capacity") <= 0, "seated_capacity", "seated_capacity + standing_capacity must be above zero.",
        "座位与站位额定载客量之和应大于零。")
    per_trip = loads.group_by("trip_id").agg(peak_load=pl.col("load").max())
    trips = per_trip.join(seats.group_by("trip_id").agg(pl.col("capacity").max()), on="trip_id", how="inner")
    missing = per_trip.height - trips.height
    if missing:
        notices.append((f"{missing} trip(s) with load counts have no capacity in trip_capacity.txt and were left out.",
                        f"{missing} 个有载客数据的班次在 trip_capacity.txt 中无额定载客量，已略去。"))
    return trips, notices
