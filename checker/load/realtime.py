"""GTFS-Realtime TripUpdates (protobuf) and AVL records, for the real-time information and on-time indicators.

A path is one .pb snapshot or a folder of them. An AVL file is a CSV of trip_id, stop_id, actual_time
(the service day's clock, HH:MM:SS, past 24:00 allowed), compared with the scheduled time at that stop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from checker.errors import InputError
from checker.load.archive import SingleFile
from checker.load.feed import Feed
from checker.load.stop_times import row_times
from checker.load.table import read_table


@dataclass
class Snapshot:
    source: str
    timestamp: int  # POSIX seconds, from the feed header (or the newest update in it)
    trip_ids: set[str] = field(default_factory=set)
    delays: list[tuple[str, str, int]] = field(default_factory=list)  # trip_id, stop_id, delay in seconds


def read_trip_updates(path: str | Path) -> list[Snapshot]:
    from google.protobuf.message import DecodeError
    from google.transit import gtfs_realtime_pb2

    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "No such file or folder.", "文件或文件夹不存在。")
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) if path.is_dir() else [path]
    snapshots = []
    for file in files:
        message = gtfs_realtime_pb2.FeedMessage()
        try:
            message.ParseFromString(file.read_bytes())
        except DecodeError as exc:
            raise InputError(str(file), f"Not a GTFS-Realtime protobuf message ({exc}).",
                             "不是 GTFS-Realtime protobuf 文件。") from None
        snapshot = Snapshot(str(file), int(message.header.timestamp))
        for entity in message.entity:
            if not entity.HasField("trip_update"):
                continue
            update = entity.trip_update
            trip_id = update.trip.trip_id
            if not trip_id:
                continue
            snapshot.trip_ids.add(trip_id)
            snapshot.timestamp = snapshot.timestamp or int(update.timestamp)
            for stop in update.stop_time_update:
                event = stop.departure if stop.HasField("departure") else stop.arrival
                if event.HasField("delay"):
                    snapshot.delays.append((trip_id, stop.stop_id, int(event.delay)))
        if not snapshot.timestamp:
            raise InputError(str(file), "The message has no timestamp; the snapshot's time is needed.",
                             "消息没有时间戳，无法确定快照时间。", field="header.timestamp")
        snapshots.append(snapshot)
    if not snapshots:
        raise InputError(str(path), "No GTFS-Realtime file found.", "未找到 GTFS-Realtime 文件。")
    return snapshots


def read_avl(path: str | Path, feed: Feed) -> tuple[pl.DataFrame, list]:
    """trip_id, stop_id, delay_s: each AVL record against the scheduled time at that stop (the nearest one,
    for a stop a trip calls at twice). Trips of frequencies.txt have no scheduled time and are left out."""
    path = Path(path)
    table = read_table(SingleFile(path), path.name, ["trip_id", "stop_id", "actual_time"])
    for column in ("trip_id", "stop_id", "actual_time"):
        table.require(column)
    avl = table.df.select("trip_id", "stop_id", "_line", actual_s=table.seconds("actual_time"))
    frequency_trips = [] if feed.frequencies is None else feed.frequencies["trip_id"].to_list()
    notices = []
    skipped = avl.filter(pl.col("trip_id").is_in(frequency_trips))
    if skipped.height:
        notices.append((f"{skipped.height} AVL record(s) of frequency-based trips have no scheduled time; left out.",
                        f"{skipped.height} 条 AVL 记录属于按发车间隔（frequencies.txt）运营的班次，无计划时刻，未计入。"))
        avl = avl.join(skipped.select("_line"), on="_line", how="anti")
    scheduled = row_times(feed.stop_times, avl["trip_id"]).filter(pl.col("departure_s").is_not_null()).select(
        "trip_id", "stop_id", scheduled_s="departure_s")
    matched = (avl.join(scheduled, on=["trip_id", "stop_id"], how="left")
               .with_columns(delay_s=pl.col("actual_s") - pl.col("scheduled_s"))
               .sort(pl.col("delay_s").abs()).unique("_line", keep="first"))
    unmatched = matched.filter(pl.col("delay_s").is_null())
    if unmatched.height:
        first = unmatched.sort("_line").row(0, named=True)
        raise InputError(str(path), "No scheduled time for this trip at this stop in stop_times.txt.",
                         "stop_times.txt 中没有该班次在该站点的计划时刻。", line=first["_line"], field="stop_id",
                         value=f"{first['trip_id']} @ {first['stop_id']}")
    return matched.select("trip_id", "stop_id", "delay_s"), notices
