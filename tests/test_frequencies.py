"""frequencies.txt: start, start+h, ... strictly before end, for exact_times 0 and 1, same as written-out trips."""

from datetime import date

import polars as pl
import pytest

from checker.load.calendar import trips_on
from checker.load.feed import load_feed
from checker.metrics.departures import origin_departures
from checker.metrics.timetable import Window, headways, route_spans
from tests.conftest import feed_tables, write_feed

PEAKS = [Window(7 * 3600, 9 * 3600), Window(17 * 3600, 19 * 3600)]


def _departures(tmp_path, tables):
    feed = load_feed(write_feed(tmp_path, tables))
    return feed, origin_departures(feed, trips_on(feed, date(2026, 1, 5)))


@pytest.mark.parametrize("exact", [0, 1])
def test_window_expands_strictly_before_end(tmp_path, exact):
    tables = feed_tables(routes={"R1": [360]})
    tables["frequencies.txt"] = (
        f"trip_id,start_time,end_time,headway_secs,exact_times\nR1-0-0,06:00:00,07:00:00,1200,{exact}\n"
        f"R1-0-0,07:00:00,08:00:00,1800,{exact}\n"
    )
    _, departures = _departures(tmp_path, tables)
    assert sorted(departures["departure_s"].to_list()) == [m * 60 for m in (360, 380, 400, 420, 450)]


def test_frequency_route_matches_the_same_timetable_written_out(tmp_path):
    times = list(range(360, 1380, 15))  # 06:00 .. 22:45 every 15 min
    written = feed_tables(routes={"R1": times})
    headway_based = feed_tables(routes={"R1": [360]})
    headway_based["frequencies.txt"] = (
        "trip_id,start_time,end_time,headway_secs\nR1-0-0,06:00:00,23:00:00,900\n"
    )
    _, a = _departures(tmp_path / "a", written)
    _, b = _departures(tmp_path / "b", headway_based)
    assert sorted(a["departure_s"].to_list()) == sorted(b["departure_s"].to_list())
    ha = headways(a, PEAKS).drop("route_id", "direction_id")
    hb = headways(b, PEAKS).drop("route_id", "direction_id")
    assert ha.equals(hb)
    assert route_spans(a).drop("origin_stop_id").equals(route_spans(b).drop("origin_stop_id"))


def test_frequencies_past_midnight(tmp_path):
    tables = feed_tables(routes={"R1": [1380]})
    tables["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs\nR1-0-0,23:00:00,25:00:00,1800\n"
    _, departures = _departures(tmp_path, tables)
    assert departures["departure_s"].max() == 24 * 3600 + 1800


def test_zero_headway_is_an_input_error(tmp_path):
    from checker.errors import InputError

    tables = feed_tables(routes={"R1": [360]})
    tables["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs\nR1-0-0,06:00:00,07:00:00,0\n"
    with pytest.raises(InputError) as error:
        load_feed(write_feed(tmp_path, tables))
    assert (error.value.line, error.value.field) == (2, "headway_secs")


def test_kl_rapid_bus_frequencies(tmp_path):
    from tests.conftest import shared_path

    feed = load_feed(shared_path("kl_rapid_bus", "gtfs.zip"))
    trips = trips_on(feed, date(2026, 5, 4)).filter(pl.col("route_id") == "S1040")
    departures = origin_departures(feed, trips).filter(pl.col("direction_id") == 0)
    # weekday windows 06:00-19:30 every 30 min (06:00 .. 19:00) and 20:00-21:00 every 60 min (20:00)
    assert sorted(departures["departure_s"].to_list()) == [6 * 3600 + 1800 * k for k in range(27)] + [20 * 3600]
