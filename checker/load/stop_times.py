"""stop_times.txt, the one large file, read columnar: validated in full, reduced to what the audit needs.

Kept per trip: its origin and destination stop and its departure from the origin. Kept per row: only two
integer indexes (trip, stop), so that the stops served by any set of trips are found with numpy in
milliseconds. Rows are expected grouped by trip in stop_sequence order, as nearly every feed writes them;
a feed that is not gets sorted first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from checker.load.archive import FeedSource
from checker.load.table import LINE, Table, read_table


@dataclass
class StopTimes:
    # trip_id, trip_idx, origin_stop_id, destination_stop_id, origin_departure_s, destination_arrival_s
    trip_ends: pl.DataFrame
    visit_trip_idx: np.ndarray  # per stop_times row: index into trip_ends
    visit_stop_idx: np.ndarray  # per stop_times row: row of stops.txt
    rows: pl.DataFrame | None = None  # with keep_rows: trip_id, stop_id, seq, departure_s, arrival_s per row

    def stops_served_by(self, trip_ids: pl.Series) -> np.ndarray:
        """Row numbers in stops of every stop that any of `trip_ids` calls at."""
        chosen = self.trip_ends.filter(pl.col("trip_id").is_in(trip_ids.implode()))["trip_idx"].to_numpy()
        mask = np.zeros(self.trip_ends.height, dtype=bool)
        mask[chosen] = True
        return np.flatnonzero(np.bincount(self.visit_stop_idx[mask[self.visit_trip_idx]], minlength=1))


def load_stop_times(source: FeedSource, trips: pl.DataFrame, stops: pl.DataFrame, keep_rows: bool = False) -> StopTimes:
    """stop_times.txt validated and reduced; `keep_rows` also keeps every row's times (hub feeds, AVL records)."""
    table = read_table(
        source, "stop_times.txt", ["trip_id", "stop_id", "stop_sequence"], ["arrival_time", "departure_time"]
    )
    table.reject_any([
        *(Table.missing(column) for column in ("trip_id", "stop_id", "stop_sequence")),
        Table.not_number("stop_sequence"),
        Table.not_time("arrival_time"),
        Table.not_time("departure_time"),
    ])
    stop_rows = pl.Series(range(stops.height), dtype=pl.UInt32)
    table.df = table.df.select(
        "trip_id",
        "stop_id",
        LINE,
        seq=pl.col("stop_sequence").str.strip_chars().cast(pl.Int64),
        time=pl.coalesce("departure_time", "arrival_time"),
        arrival=pl.col("arrival_time"),
        stop_idx=pl.col("stop_id").replace_strict(stops["stop_id"], stop_rows, default=None),
    )
    table.reject(pl.col("stop_idx").is_null(), "stop_id", "No such stop_id in stops.txt.", "stops.txt 中不存在该 stop_id。")

    df = _grouped_by_trip(table)
    df = df.with_columns(last=pl.col("first").shift(-1).fill_null(True))
    ends = df.filter("first").select("trip_id", LINE, "time", origin_stop_idx="stop_idx")
    last = df.filter("last").select("trip_id", LINE, "stop_idx", arrival=pl.coalesce("arrival", "time"))
    Table(table.name, table.where, table.encoding, last).reject(
        pl.col("arrival").is_null(), "arrival_time",
        "The trip's last stop has no time; GTFS requires one.", "该班次末站没有时间，GTFS 要求末站必须有时间。",
        column="trip_id")
    ends = ends.with_columns(
        destination_stop_idx=last["stop_idx"], arrival=last["arrival"], trip_idx=pl.int_range(pl.len(), dtype=pl.UInt32)
    )
    trip_rows = Table(table.name, table.where, table.encoding, ends)
    trip_rows.reject(~pl.col("trip_id").is_in(trips["trip_id"].implode()), "trip_id",
                     "No such trip_id in trips.txt.", "trips.txt 中不存在该 trip_id。")
    trip_rows.reject(pl.col("time").is_null(), "departure_time",
                     "The trip's first stop has no time; GTFS requires one.", "该班次首站没有时间，GTFS 要求首站必须有时间。",
                     column="trip_id")
    trip_rows.df = ends.rename({"time": "departure_time", "arrival": "arrival_time"})
    stop_ids = stops["stop_id"]
    trip_ends = trip_rows.df.select(
        "trip_id",
        "trip_idx",
        origin_stop_id=stop_ids.gather(ends["origin_stop_idx"]),
        destination_stop_id=stop_ids.gather(ends["destination_stop_idx"]),
        origin_departure_s=trip_rows.seconds("departure_time"),
        destination_arrival_s=trip_rows.seconds("arrival_time"),
    )
    trip_idx = df["first"].cast(pl.UInt32).cum_sum() - 1
    rows = None
    if keep_rows:  # a departure without a time takes the arrival's and the other way round
        times = Table(table.name, table.where, table.encoding, df.select(
            "trip_id", "stop_id", "seq", dep="time", arr=pl.coalesce("arrival", "time")))
        rows = times.df.select("trip_id", "stop_id", "seq", departure_s=times.seconds("dep"),
                               arrival_s=times.seconds("arr"))
    return StopTimes(trip_ends, trip_idx.to_numpy(), df["stop_idx"].to_numpy(), rows)


def _run_starts() -> pl.Expr:
    """True on the first row of each run of equal trip_id."""
    return (pl.col("trip_id") != pl.col("trip_id").shift(1)).fill_null(True)


def _grouped_by_trip(table: Table) -> pl.DataFrame:
    """The rows grouped by trip_id with stop_sequence strictly increasing, sorted only if they are not;
    with `first` marking each trip's first row."""
    df = table.df.with_columns(first=_run_starts())
    starts = pl.col("first")
    increasing = starts | (pl.col("seq") > pl.col("seq").shift(1))
    # grouped when no trip_id starts two runs: only the run starts need hashing, not every row
    check = df.select(runs=starts.sum(), trips=pl.col("trip_id").filter(starts).n_unique(), ordered=increasing.all())
    if check["runs"][0] == check["trips"][0] and check["ordered"][0]:
        return df
    df = df.sort(["trip_id", "seq", LINE]).with_columns(first=_run_starts())
    table.df = df
    repeated = ~starts & (pl.col("seq") == pl.col("seq").shift(1))
    table.reject(repeated, "stop_sequence", "stop_sequence repeats within the trip.", "同一班次内 stop_sequence 重复。",
                 column="seq")
    return df


def row_times(stop_times: StopTimes, trip_ids: pl.Series) -> pl.DataFrame:
    """trip_id, stop_id, seq, departure_s, arrival_s of every stop_times row of `trip_ids` (null at untimed
    stops); the feed must have been loaded with keep_rows."""
    if stop_times.rows is None:
        raise ValueError("stop_times loaded without keep_rows")
    return stop_times.rows.join(pl.DataFrame({"trip_id": trip_ids.unique()}), on="trip_id", how="semi")
