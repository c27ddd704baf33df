"""stop_times.txt in any row order gives the same trips; a repeated stop_sequence is named."""

import random

import polars as pl
import pytest

from checker.errors import InputError
from checker.load.feed import load_feed
from tests.conftest import feed_tables, timetable, write_feed


def _with_rows(rows: list[str]) -> dict[str, str]:
    tables = feed_tables(routes={"R1": [420, 440, 460]}, stops={"A": (0, 0), "M": (0.5, 0), "B": (1, 0)})
    tables["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(rows) + "\n"
    return tables


def test_shuffled_rows_give_the_same_trip_ends(tmp_path):
    _, rows = timetable("R1", [420, 440, 460], stops=("A", "M", "B"))
    ordered = load_feed(write_feed(tmp_path / "a", _with_rows(rows)))
    shuffled_rows = rows[:]
    random.Random(4).shuffle(shuffled_rows)
    shuffled = load_feed(write_feed(tmp_path / "b", _with_rows(shuffled_rows)))
    columns = ["trip_id", "origin_stop_id", "destination_stop_id", "origin_departure_s"]
    assert ordered.trip_ends.select(columns).sort("trip_id").equals(shuffled.trip_ends.select(columns).sort("trip_id"))
    assert (ordered.trip_ends["origin_stop_id"] == "A").all() and (ordered.trip_ends["destination_stop_id"] == "B").all()
    served = shuffled.stops_served_by(shuffled.trips.filter(pl.col("trip_id") == "R1-0-1"))["stop_id"].sort().to_list()
    assert served == ["A", "B", "M"]
    for feed in (ordered, shuffled):  # each trip knows its row of trip_ends, whatever order either file has
        rows = feed.trips.join(feed.trip_ends, on="trip_id")
        assert rows.height == feed.trips.height and (rows["trip_idx"] == rows["trip_idx_right"]).all()


def test_sequence_gaps_are_fine_but_repeats_are_not(tmp_path):
    _, rows = timetable("R1", [420, 440, 460], stops=("A", "M", "B"))
    gapped = [r[:-1] + str(int(r[-1]) * 10) for r in rows]  # 10, 20, 30
    assert load_feed(write_feed(tmp_path / "a", _with_rows(gapped))).trip_ends.height == 3
    repeated = rows[:]
    repeated[1] = repeated[1][:-1] + "1"  # trip R1-0-0 calls at A and M both as stop_sequence 1
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path / "b", _with_rows(repeated)))
    assert error.value.field == "stop_sequence"
    assert error.value.line in (2, 3)


def test_times_however_written_give_the_same_seconds(tmp_path):
    """HH:MM:SS is read from the digits' positions; H:MM:SS and padded times take the general path."""
    _, rows = timetable("R1", [420, 440, 460], stops=("A", "M", "B"))
    plain = load_feed(write_feed(tmp_path / "a", _with_rows(rows))).trip_ends

    def unpadded(row: str) -> str:
        trip, arrival, departure, *rest = row.split(",")
        return ",".join([trip, arrival.lstrip("0"), f" {departure} ", *rest])

    loose = load_feed(write_feed(tmp_path / "b", _with_rows([unpadded(r) for r in rows]))).trip_ends
    assert loose.equals(plain)
    assert plain.sort("trip_id")["origin_departure_s"].to_list() == [420 * 60, 440 * 60, 460 * 60]


@pytest.mark.parametrize("bad", ["+7:00:00", "-7:00:00", "07:00:0x", "٠٧:٠٠:٠٠", "07-00-00"])
def test_a_time_that_only_looks_like_one_is_named(tmp_path, bad):
    _, rows = timetable("R1", [420, 440, 460], stops=("A", "M", "B"))
    trip, _, _, *rest = rows[4].split(",")
    rows[4] = ",".join([trip, bad, bad, *rest])
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path / "a", _with_rows(rows)))
    assert (error.value.line, error.value.field, error.value.value) == (6, "arrival_time", bad)


def test_typed_reading_falls_back_to_text_to_name_the_row(tmp_path):
    """stop_sequence and stop_id are parsed while reading; one bad value sends the file down the text path,
    whose checks name it."""
    _, rows = timetable("R1", [420, 440, 460], stops=("A", "M", "B"))
    unknown = rows[:]
    unknown[4] = unknown[4].replace(",M,", ",Q,")
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path / "a", _with_rows(unknown)))
    assert (error.value.line, error.value.field, error.value.value) == (6, "stop_id", "Q")
    padded = [r[: r.rindex(",") + 1] + f" {r[r.rindex(',') + 1:]} " for r in rows]
    assert load_feed(write_feed(tmp_path / "b", _with_rows(padded))).trip_ends.height == 3


def test_each_trip_knows_its_row_of_trip_ends(tmp_path):
    """trips.txt in its own order (reversed), with a trip that has no stop_times: each trip's trip_idx is its
    row of trip_ends, found by a join; null for the trip without times; aligned files need no join."""
    tables = feed_tables({"R1": [420, 440], "R2": [430]})
    header, *rows = tables["trips.txt"].strip().split("\n")
    tables["trips.txt"] = "\n".join([header, *reversed(rows), "R2,WD,untimed,0"]) + "\n"
    feed = load_feed(write_feed(tmp_path / "reversed", tables))
    assert not feed.trips["trip_id"].equals(feed.trip_ends["trip_id"])
    by_trip = dict(feed.trips.select("trip_id", "trip_idx").iter_rows())
    assert by_trip.pop("untimed") is None
    assert by_trip == dict(feed.trip_ends.select("trip_id", "trip_idx").iter_rows())
    aligned = load_feed(write_feed(tmp_path / "aligned", feed_tables({"R1": [420, 440], "R2": [430]})))
    assert aligned.trips["trip_id"].equals(aligned.trip_ends["trip_id"])
    assert aligned.trips["trip_idx"].to_list() == list(range(aligned.trips.height))
