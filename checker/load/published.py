"""What a feed converted from a service table (`buscheck convert`) carries beyond GTFS: feed_info.txt's
service_table_interval and service_table_speed_kmh (which end of each published range set the headways, and
the speed its stop times were estimated at), and service_table_intervals.txt (each frequencies.txt window's
published range). Other GTFS consumers ignore both; buscheck shows them in every headway finding."""

from __future__ import annotations

import polars as pl

from checker.load.archive import FeedSource
from checker.load.table import read_table
from checker.model.service_table import READINGS, EstimatedTimetable

EXTRA_FILE = "service_table_intervals.txt"


def load_estimated(source: FeedSource) -> EstimatedTimetable | None:
    """The conversion's reading and speed, when feed_info.txt says the feed came from a service table."""
    table = read_table(source, "feed_info.txt", [], ["service_table_interval", "service_table_speed_kmh"],
                       must_exist=False)
    if table is None or table.df.is_empty() or table.df["service_table_interval"].null_count() == table.df.height:
        return None
    reading = pl.col("service_table_interval").str.strip_chars()
    table.reject(~reading.is_in(list(READINGS)).fill_null(False), "service_table_interval",
                 "Expected upper or lower.", "应为 upper 或 lower。")
    table.require("service_table_speed_kmh")
    row = table.df.select(reading, speed=table.floats("service_table_speed_kmh", 0.1, 200)).row(0)
    return EstimatedTimetable(str(row[0]), float(row[1]))


def load_published(source: FeedSource, trip_ids: pl.Series) -> pl.DataFrame | None:
    """trip_id, start_s, end_s, low_min, high_min, judged_min: the published range behind each window."""
    table = read_table(source, EXTRA_FILE, ["trip_id", "start_time", "end_time", "published_min", "published_max",
                                            "headway_secs"], must_exist=False)
    if table is None:
        return None
    for column in ("trip_id", "start_time", "end_time", "published_min", "published_max", "headway_secs"):
        table.require(column)
    table.reject(~pl.col("trip_id").is_in(trip_ids.implode()), "trip_id", "No such trip_id in trips.txt.",
                 "trips.txt 中不存在该 trip_id。")
    df = table.df.with_columns(start_s=table.seconds("start_time"), end_s=table.seconds("end_time"),
                               low_min=table.floats("published_min", 0, 1440),
                               high_min=table.floats("published_max", 0, 1440),
                               headway_s=table.integers("headway_secs"))
    table.df = df
    table.reject(pl.col("low_min") <= 0, "published_min", "An interval must be more than 0 minutes.",
                 "发车间隔须大于 0 分钟。")
    table.reject(pl.col("high_min") < pl.col("low_min"), "published_max", "The range runs backwards.",
                 "范围上下限颠倒。")
    table.reject(pl.col("headway_s") <= 0, "headway_secs", "Expected a positive number of seconds.", "应为正整数秒。")
    return df.select("trip_id", "start_s", "end_s", "low_min", "high_min",
                     judged_min=pl.col("headway_s") / 60)
