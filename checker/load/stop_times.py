"""stop_times.txt, the one large file, read columnar: validated in full, reduced to what the audit needs.

Checked (each an error naming the line, as MobilityData's validator rates them): required values, times
H:MM:SS below 48:00:00, stop_sequence a whole number of zero or more and not repeated within a trip, no
departure before the arrival at a stop, no arrival before the departure from the previous stop. GTFS-Flex
rows (a location_id or location_group_id instead of a stop_id) are set apart: their trips are flexible
service, listed but not judged.

Kept per trip: its origin and destination stop and its departure from the origin. Kept per row: only two
integer indexes (trip, stop), so that the stops served by any set of trips are found with numpy in
milliseconds. Rows are expected grouped by trip in stop_sequence order, as nearly every feed writes them;
a feed that is not gets sorted first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from checker.errors import InputError
from checker.load.archive import FeedSource
from checker.load.table import LINE, TIME_EXPECTED, Table, column_seconds, read_table

MAX_HOURS = 48  # a city bus's times stay below 48:00:00, a day past the end of its service day
FLEX_COLUMNS = ("location_id", "location_group_id")  # GTFS-Flex: a zone or a group of stops, not a stop


@dataclass
class StopTimes:
    # trip_id, trip_idx, origin_stop_id, destination_stop_id, origin_departure_s, destination_arrival_s
    trip_ends: pl.DataFrame
    visit_trip_idx: np.ndarray  # per stop_times row: index into trip_ends
    visit_stop_idx: np.ndarray  # per stop_times row: row of stops.txt
    rows: pl.DataFrame | None = None  # with keep_rows: trip_id, stop_id, seq, departure_s, arrival_s per row
    flex_trip_ids: pl.Series = field(default_factory=lambda: pl.Series("trip_id", [], dtype=pl.String))
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)

    def rows_of(self, trip_ids: pl.Series) -> pl.Series:
        """Each trip's row in trip_ends, null for a trip with no stop_times (or of GTFS-Flex, set apart):
        found by one join, or none when the trips come in stop_times.txt's order, as most feeds write them."""
        if trip_ids.equals(self.trip_ends["trip_id"]):
            return self.trip_ends["trip_idx"]
        return pl.DataFrame({"trip_id": trip_ids}).join(self.trip_ends.select("trip_id", "trip_idx"), on="trip_id",
                                                        how="left", maintain_order="left")["trip_idx"]

    def stops_served_by(self, trip_rows: pl.Series) -> np.ndarray:
        """Row numbers in stops of every stop that the trips at `trip_rows` (of trip_ends; null: none) call at."""
        mask = np.zeros(self.trip_ends.height, dtype=bool)
        mask[trip_rows.drop_nulls().to_numpy()] = True
        return np.flatnonzero(np.bincount(self.visit_stop_idx[mask[self.visit_trip_idx]], minlength=1))


def load_stop_times(source: FeedSource, trips: pl.DataFrame, stops: pl.DataFrame, keep_rows: bool = False,
                    max_hours: int | None = MAX_HOURS) -> StopTimes:
    """stop_times.txt validated and reduced; `keep_rows` also keeps every row's times (hub feeds, AVL records).

    `max_hours`: times must be below this many hours (None: any two-digit hour, for rail and coach feeds)."""
    # stop_ids are unique: as an enum over them, each value's code is its row in stops.txt
    stop_rows = pl.Enum(stops["stop_id"])
    table = read_table(source, "stop_times.txt", ["trip_id", "stop_sequence"],
                       ["stop_id", "arrival_time", "departure_time", *FLEX_COLUMNS],
                       typed={"stop_sequence": pl.Int64, "stop_id": stop_rows})
    if table.df.is_empty():
        raise InputError(table.where, "stop_times.txt has no rows, so no trip has a timetable to audit.",
                         "stop_times.txt 没有任何数据行，没有可审计的班次时刻。", line=2)
    flex_row = pl.any_horizontal(pl.col(c).is_not_null() for c in FLEX_COLUMNS)
    flex_ids = _flex_trip_ids(table, flex_row)
    # a row of a fixed-route trip: checked as one (every row, in a feed without GTFS-Flex: no lookup per row)
    fixed = ~pl.col("trip_id").is_in(flex_ids.implode()) if len(flex_ids) else pl.lit(True)
    _convert(table, stop_rows)
    late = []
    if max_hours is not None:
        limit_en = (f"The time is {max_hours}:00:00 or later: more than a day past the end of its service day, "
                    "which no city bus runs.")
        limit_zh = f"时间不早于 {max_hours}:00:00，超出其运营日一整天以上，城市公交不会如此运营。"
        # each named only where it is written (an empty arrival takes the departure's seconds)
        late = [(pl.col("arrival_time").is_not_null() & (pl.col("arr_s") >= max_hours * 3600), "arrival_time",
                 limit_en, limit_zh),
                (pl.col("departure_time").is_not_null() & (pl.col("dep_s") >= max_hours * 3600), "departure_time",
                 limit_en, limit_zh)]
    # every row check in one pass over the converted columns, the earliest bad row named; a GTFS-Flex trip's
    # rows are checked for their form only (they are set apart, not judged)
    table.reject_any([
        *(Table.missing(column) for column in ("trip_id", "stop_sequence")),
        (pl.col("stop_id").is_null() & ~flex_row, "stop_id",
         "stop_id is empty; every row needs one (or, in GTFS-Flex, a location_id or location_group_id).",
         "stop_id 不能为空（GTFS-Flex 行可改用 location_id 或 location_group_id）。"),
        (pl.col("stop_sequence").is_not_null() & pl.col("seq").is_null(), "stop_sequence", "Expected a whole number.",
         "应为整数。"),
        # a time with text but no seconds did not read as one (column_seconds reads exactly what not_time accepts)
        (pl.col("arrival_time").is_not_null() & pl.col("arr_s").is_null(), "arrival_time", *TIME_EXPECTED),
        (pl.col("departure_time").is_not_null() & pl.col("dep_s").is_null(), "departure_time", *TIME_EXPECTED),
        *((mask & fixed, *rest) for mask, *rest in [
            (pl.col("seq") < 0, "stop_sequence", "stop_sequence must be zero or more.", "stop_sequence 不能为负数。"),
            (pl.col("stop_idx").is_null(), "stop_id", "No such stop_id in stops.txt.", "stops.txt 中不存在该 stop_id。"),
            *late,
            (pl.col("dep_s") < pl.col("arr_s"), "departure_time",
             "departure_time is before arrival_time at this stop.", "本站 departure_time 早于 arrival_time。"),
        ]),
    ])
    flex_trips = _set_flex_apart(table, trips, flex_row, flex_ids)
    notices = []
    one_sided = table.warn(pl.col("arrival_time").is_null() != pl.col("departure_time").is_null(),
                           "{count} row(s) give only one of arrival_time and departure_time (line {lines}); GTFS wants "
                           "both or neither, and the one given is used for both.",
                           "{count} 行只给出 arrival_time 与 departure_time 之一（第 {lines} 行）；GTFS 要求两者同时给出或同时为空，"
                           "已以给出的时间兼作另一时间。")
    if one_sided:
        notices.append(one_sided)
    df = _grouped_by_trip(table)
    df = df.with_columns(last=pl.col("first").shift(-1).fill_null(True))
    # lazy, so that only the columns selected are filtered (not the text of every row)
    ends = df.lazy().filter("first").select("trip_id", LINE, origin_stop_idx="stop_idx",
                                            first_s=pl.coalesce("dep_s", "arr_s")).collect()
    last = df.lazy().filter("last").select("trip_id", LINE, "stop_idx", last_s=pl.coalesce("arr_s", "dep_s")).collect()
    Table(table.name, table.where, table.encoding, last).reject(
        pl.col("last_s").is_null(), "arrival_time",
        "The trip's last stop has no time; GTFS requires one.", "该班次末站没有时间，GTFS 要求末站必须有时间。",
        column="trip_id")
    ends = ends.with_columns(
        destination_stop_idx=last["stop_idx"], last_s=last["last_s"], trip_idx=pl.int_range(pl.len(), dtype=pl.UInt32)
    )
    trip_rows = Table(table.name, table.where, table.encoding, ends)
    trip_rows.reject(~pl.col("trip_id").is_in(trips["trip_id"].implode()), "trip_id",
                     "No such trip_id in trips.txt.", "trips.txt 中不存在该 trip_id。")
    trip_rows.reject(pl.col("first_s").is_null(), "departure_time",
                     "The trip's first stop has no time; GTFS requires one.", "该班次首站没有时间，GTFS 要求首站必须有时间。",
                     column="trip_id")
    _reject_time_travel(Table(table.name, table.where, table.encoding, df))
    stop_ids = stops["stop_id"]
    trip_ends = ends.select(
        "trip_id",
        "trip_idx",
        origin_stop_id=stop_ids.gather(ends["origin_stop_idx"]),
        destination_stop_id=stop_ids.gather(ends["destination_stop_idx"]),
        origin_departure_s="first_s",
        destination_arrival_s="last_s",
    )
    rows = None
    if keep_rows:  # a departure without a time takes the arrival's and the other way round
        rows = df.select("trip_id", pl.col("stop_id").cast(pl.String), "seq", departure_s=pl.coalesce("dep_s", "arr_s"),
                         arrival_s=pl.coalesce("arr_s", "dep_s"))
    return StopTimes(trip_ends, _trip_of_each_row(df["first"]), df["stop_idx"].to_numpy(), rows, flex_trips, notices)


def _trip_of_each_row(first: pl.Series) -> np.ndarray:
    """Each row's trip as its index in trip_ends (the rows grouped by trip, `first` on each trip's first row)."""
    starts = first.arg_true().to_numpy()
    return np.repeat(np.arange(len(starts), dtype=np.uint32), np.diff(starts, append=len(first)))


def _convert(table: Table, stop_rows: pl.Enum) -> None:
    """Adds the typed columns, null where the text is empty or not valid (the checks name those rows):
    seq, arr_s and dep_s (seconds; one conversion when, as in most feeds, the two times agree) and stop_idx
    (the row of stops.txt)."""
    df = table.df
    arrival, departure = pl.col("arrival_time"), pl.col("departure_time")
    found = df.select(same=(arrival.is_null() | departure.is_null() | (arrival == departure)).all(),
                      arrival_only=(departure.is_null() & arrival.is_not_null()).any())
    if found["same"][0]:  # one conversion: of the departure column, or of departure else arrival
        if found["arrival_only"][0]:
            df = df.with_columns(either=pl.coalesce(departure, arrival))
        times = {"arr_s": column_seconds(df, "either" if found["arrival_only"][0] else "departure_time")}
        times["dep_s"] = times["arr_s"]
        df = df.drop("either", strict=False)
    else:
        times = {"arr_s": column_seconds(df, "arrival_time"), "dep_s": column_seconds(df, "departure_time")}
    seq, stop_id = pl.col("stop_sequence"), pl.col("stop_id")
    converted = df.select(  # read typed already, unless some value is not a number or not a known stop_id
        seq=seq if df.schema["stop_sequence"] == pl.Int64 else seq.str.strip_chars().cast(pl.Int64, strict=False),
        stop_idx=(stop_id if isinstance(df.schema["stop_id"], pl.Enum) else stop_id.cast(stop_rows, strict=False))
        .to_physical().cast(pl.UInt32),
    )
    table.df = df.with_columns(converted, **times)


def _flex_trip_ids(table: Table, flex_row: pl.Expr) -> pl.Series:
    """GTFS-Flex trips: those with any row at a location_id or location_group_id instead of a stop."""
    if all(table.df[c].null_count() == table.df.height for c in FLEX_COLUMNS):
        return pl.Series("trip_id", [], dtype=pl.String)
    return table.df.filter(flex_row)["trip_id"].drop_nulls().unique().sort()


def _set_flex_apart(table: Table, trips: pl.DataFrame, flex_row: pl.Expr, flex_ids: pl.Series) -> pl.Series:
    """The GTFS-Flex trips' rows taken out of the table (their trips must be in trips.txt); their ids returned.
    The audit judges fixed-route service only."""
    if flex_ids.is_empty():
        return flex_ids
    Table(table.name, table.where, table.encoding, table.df.filter(flex_row)).reject(
        ~pl.col("trip_id").is_in(trips["trip_id"].implode()), "trip_id",
        "No such trip_id in trips.txt.", "trips.txt 中不存在该 trip_id。")
    table.df = table.df.filter(~pl.col("trip_id").is_in(flex_ids.implode()))
    return flex_ids


def _reject_time_travel(table: Table) -> None:
    """Along a trip (rows in stop_sequence order), no arrival before the departure from the stop before it
    (the last stop with a time, when intermediate stops are untimed)."""
    previous = pl.coalesce("dep_s", "arr_s").shift(1).forward_fill()  # each trip's first row has a time
    table.reject(~pl.col("first") & (pl.coalesce("arr_s", "dep_s") < previous), "arrival_time",
                 "The time is before the departure from the previous stop of the trip (times go backwards).",
                 "该时间早于本班次上一站的发车时间（时间倒退）。", column=pl.coalesce("arrival_time", "departure_time"))


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
