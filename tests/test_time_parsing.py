"""GTFS times: HH:MM:SS with hours past 24 kept on their service day; anything else is a named error."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.load.table import _VALID_TIME, Table, column_seconds, time_seconds
from checker.model.clock import hms, parse_clock


def _table(values):
    df = pl.DataFrame({"t": pl.Series(values, dtype=pl.String)}).with_row_index("_line", offset=2).with_columns(pl.col("_line").cast(pl.Int64))
    return Table("stop_times.txt", "gtfs.zip:stop_times.txt", "utf-8", df)


def test_times_past_midnight_stay_on_the_service_day():
    table = _table(["07:00:00", "24:30:00", " 7:05:09", "25:00:00", None])
    seconds = table.df.select(table.seconds("t").alias("s"))["s"].to_list()
    assert seconds == [7 * 3600, 24 * 3600 + 1800, 7 * 3600 + 5 * 60 + 9, 25 * 3600, None]


def test_minutes_past_59_name_the_row_and_field():
    table = _table(["07:00:00", "08:00:00", "25:61:00"])
    with pytest.raises(InputError) as error:
        table.seconds("t")
    assert error.value.line == 4
    assert error.value.field == "t"
    assert error.value.value == "25:61:00"
    assert "stop_times.txt" in error.value.message()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=8))
def test_any_text_either_parses_or_raises_input_error(values):
    table = _table(values)
    try:
        parsed = table.df.select(table.seconds("t").alias("s"))["s"].to_list()
    except InputError as error:
        assert error.line is not None and 2 <= error.line <= len(values) + 1
        return
    for raw, value in zip(values, parsed, strict=True):
        assert (raw is None) == (value is None)
        if value is not None:
            assert value >= 0


_NEAR_MISSES = st.builds(  # HH:MM:SS with one character changed
    lambda time, at, char: time[:at] + char + time[at + 1:],
    st.sampled_from(["07:00:00", "23:59:59", "48:00:00"]), st.integers(0, 7), st.sampled_from(list("0569:;/ \ta５é")))
_TIMES = st.builds("{:02d}:{:02d}:{:02d}".format, st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _TIMES, _NEAR_MISSES, st.text(max_size=10)), min_size=1, max_size=12))
def test_column_seconds_reads_exactly_what_the_time_pattern_accepts(values):
    """The byte reader of stop_times (HH:MM:SS from its eight bytes) against the pattern it stands in for:
    same seconds, and null on the same values, so that a null for a non-empty value is the row's error."""
    df = pl.DataFrame({"t": pl.Series(values, dtype=pl.String)})
    by_pattern = df.select(pl.when(pl.col("t").str.contains(_VALID_TIME)).then(time_seconds(pl.col("t"))))
    assert column_seconds(df, "t").to_list() == by_pattern.to_series().to_list()


def test_column_seconds_by_hand():
    df = pl.DataFrame({"t": ["07:00:00", "24:30:00", " 7:05:09", "1:02:03", None, "12:60:00", "ab:cd:ef", "99:59:59"]})
    assert column_seconds(df, "t").to_list() == [25200, 88200, 25509, 3723, None, None, None, 359999]


def test_clock_round_trip():
    assert parse_clock("07:30") == 27000
    assert hms(parse_clock("24:30:00")) == "24:30:00"
    with pytest.raises(ValueError):
        parse_clock("7h30")


@pytest.mark.parametrize("threads_start", [True, False])
def test_a_long_column_reads_alike_in_two_parts_or_one(monkeypatch, threads_start):
    """Two parts on two threads, or all in one when no thread can be started (a batch worker's memory limit);
    each chunk read in steps (of 7 values here, so that steps end anywhere within a part)."""
    import concurrent.futures

    import checker.load.table as table_module

    times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(0, 48, 3) for m in range(0, 60, 7) for s in range(0, 60, 11)]
    values = (times * 3)[:1200] + ["7:05:00", None, "25:61:00", " 08:00:00"]
    # in chunks as a parsed file comes (each read where it lies), one of them with values that are not 8 bytes
    column = pl.concat([pl.DataFrame({"t": values[a:b]}) for a, b in ((0, 500), (500, 501), (501, 1204))],
                       rechunk=False)
    assert column["t"].n_chunks() == 3
    expected = column.select(pl.when(pl.col("t").str.contains(_VALID_TIME)).then(time_seconds(pl.col("t")))
                             .cast(pl.Int32))["t"].to_list()
    monkeypatch.setattr(table_module, "PARALLEL_TIMES_FROM", 100)
    monkeypatch.setattr(table_module, "TIMES_PER_STEP", 7)
    if not threads_start:
        import checker.background

        class NoThreads(concurrent.futures.ThreadPoolExecutor):
            def submit(self, *args, **kwargs):
                raise RuntimeError("can't start new thread")

        monkeypatch.setattr(checker.background, "ThreadPoolExecutor", NoThreads)
    assert column_seconds(column, "t").to_list() == expected
