"""Bad feeds: one clear message naming file, line and field; exit 2; no traceback; nothing in --out."""

import pytest

from checker.errors import InputError
from checker.load.feed import load_feed
from tests.conftest import feed_tables, write_feed, write_polygon


def _error(tmp_path, **overrides) -> InputError:
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path, feed_tables(**overrides)))
    return error.value


def test_missing_stop_times(tmp_path):
    error = _error(tmp_path, **{"stop_times.txt": None})
    assert error.file.endswith("stop_times.txt")
    assert "requires" in error.en


def test_stop_time_naming_an_unknown_trip(tmp_path):
    tables = feed_tables()
    tables["stop_times.txt"] += "GHOST,08:00:00,08:00:00,A,1\n"
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path, tables))
    assert error.value.field == "trip_id"
    assert error.value.value == "GHOST"
    assert error.value.line == 82  # header + 40 trips x 2 stops + this row


def test_invalid_time(tmp_path):
    tables = feed_tables()
    tables["stop_times.txt"] = tables["stop_times.txt"].replace("07:00:00", "25:61:00", 1)
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path, tables))
    assert (error.value.line, error.value.field, error.value.value) == (2, "arrival_time", "25:61:00")


def test_a_trip_whose_last_stop_has_no_time(tmp_path):
    tables = feed_tables()
    tables["stop_times.txt"] = tables["stop_times.txt"].replace("R1-0-0,07:10:00,07:10:00,B,2", "R1-0-0,,,B,2", 1)
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path, tables))
    assert (error.value.line, error.value.field, error.value.value) == (3, "arrival_time", "R1-0-0")


def test_latitude_not_a_number(tmp_path):
    error = _error(tmp_path, **{"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,22.6,113.3\nB,b,north,113.31\n"})
    assert (error.line, error.field, error.value) == (3, "stop_lat", "north")


def test_latitude_out_of_range(tmp_path):
    error = _error(tmp_path, **{"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,122.6,113.3\nB,b,22.6,113.31\n"})
    assert (error.line, error.field) == (2, "stop_lat")


def test_missing_required_column(tmp_path):
    error = _error(tmp_path, **{"trips.txt": "route_id,trip_id\nR1,x\n"})
    assert error.field == "service_id"
    assert error.line == 1


def test_trip_of_unknown_route(tmp_path):
    tables = feed_tables()
    tables["trips.txt"] += "R404,WD,orphan,0\n"
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path, tables))
    assert (error.value.field, error.value.value) == ("route_id", "R404")


def test_no_calendar_at_all(tmp_path):
    error = _error(tmp_path, **{"calendar.txt": None})
    assert "calendar" in error.en


BAD_FEEDS = {
    "missing stop_times": {"stop_times.txt": None},
    "bad time": "time",
    "bad latitude": {"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nA,a,x,113.3\nB,b,22.6,113.31\n"},
}


@pytest.mark.parametrize("case", list(BAD_FEEDS))
def test_cli_bad_feed_exits_2_without_traceback_or_files(tmp_path, cli, case):
    tables = feed_tables()
    change = BAD_FEEDS[case]
    if change == "time":
        tables["stop_times.txt"] = tables["stop_times.txt"].replace("07:20:00", "25:61:00", 1)
    else:
        tables.update(change)
        tables = {k: v for k, v in tables.items() if v is not None}
    feed = write_feed(tmp_path / "feed", tables)
    out = tmp_path / "out"
    result = cli("audit", feed, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州", "--out", out)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "输入错误 / Input error" in result.stderr
    assert not out.exists()


def test_cli_non_zip_feed(tmp_path, cli):
    feed = tmp_path / "feed.zip"
    feed.write_text("hello")
    result = cli("audit", feed, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    assert result.exit_code == 2
    assert "Not a zip archive" in result.stderr
