"""GTFS times: HH:MM:SS with hours past 24 kept on their service day; anything else is a named error."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.load.table import Table
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


def test_clock_round_trip():
    assert parse_clock("07:30") == 27000
    assert hms(parse_clock("24:30:00")) == "24:30:00"
    with pytest.raises(ValueError):
        parse_clock("7h30")
