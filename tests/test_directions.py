"""A feed without direction_id: directions come from the trips' terminals."""

from datetime import date

from checker.load.calendar import trips_on
from checker.load.feed import load_feed
from checker.metrics.departures import infer_directions
from tests.conftest import feed_tables, timetable, write_feed

STOPS = {"A": (0, 0), "M": (1, 0), "B": (2, 0)}


def test_trips_are_split_by_the_terminal_they_start_nearest(tmp_path):
    outbound, out_times = timetable("R1", [420, 440, 460], direction=None, stops=("A", "M", "B"), prefix="out")
    inbound, in_times = timetable("R1", [430, 450], direction=None, stops=("B", "M", "A"), prefix="in")
    short, short_times = timetable("R1", [500], direction=None, stops=("M", "A"), prefix="short")
    tables = feed_tables(routes={"R1": []}, stops=STOPS)
    tables["trips.txt"] = "route_id,service_id,trip_id,direction_id\n" + "\n".join(outbound + inbound + short) + "\n"
    tables["stop_times.txt"] = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                + "\n".join(out_times + in_times + short_times) + "\n")
    feed = load_feed(write_feed(tmp_path, tables))
    assert not feed.has_direction_id
    trips = infer_directions(trips_on(feed, date(2026, 1, 5)), feed.trip_ends, feed.stops)
    got = dict(zip(trips["trip_id"], trips["direction_id"], strict=True))
    assert {got[t] for t in ("out-None-0", "out-None-1", "out-None-2")} == {0}
    assert {got[t] for t in ("in-None-0", "in-None-1")} == {1}
    assert got["short-None-0"] == 0  # M is equidistant; ties go to the commonest origin's direction


def test_partly_missing_direction_follows_the_feeds_own_labels(tmp_path):
    # the feed calls B->A direction 0; two of its trips lack direction_id, as does one A->B trip
    given_0, times_0 = timetable("R1", [420, 440, 460], direction=0, stops=("B", "M", "A"), prefix="ba")
    given_1, times_1 = timetable("R1", [430], direction=1, stops=("A", "M", "B"), prefix="ab")
    blank_ba, times_2 = timetable("R1", [480, 500], direction=None, stops=("B", "M", "A"), prefix="xba")
    blank_ab, times_3 = timetable("R1", [450], direction=None, stops=("A", "M", "B"), prefix="xab")
    tables = feed_tables(routes={"R1": []}, stops=STOPS)
    tables["trips.txt"] = ("route_id,service_id,trip_id,direction_id\n"
                           + "\n".join(given_0 + given_1 + blank_ba + blank_ab) + "\n")
    tables["stop_times.txt"] = ("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                + "\n".join(times_0 + times_1 + times_2 + times_3) + "\n")
    feed = load_feed(write_feed(tmp_path, tables))
    assert feed.has_direction_id
    assert any("3 trip(s) have no direction_id" in en for en, _ in feed.notices)
    trips = infer_directions(trips_on(feed, date(2026, 1, 5)), feed.trip_ends, feed.stops)
    got = dict(zip(trips["trip_id"], trips["direction_id"], strict=True))
    assert got["xba-None-0"] == got["xba-None-1"] == 0
    assert got["xab-None-0"] == 1
