"""Service on a date: calendar, calendar_dates exceptions, calendar_dates-only feeds, and the default date."""

from datetime import date

import pytest

from checker.errors import InputError
from checker.load.calendar import choose_service_date, trips_on
from checker.load.feed import load_feed
from tests.conftest import feed_tables, timetable, write_feed

DATES_ONLY = "service_id,date,exception_type\nWD,20260105,1\nWD,20260106,1\nWD,20260110,1\n"


def test_calendar_weekdays(tmp_path):
    feed = load_feed(write_feed(tmp_path, feed_tables()))
    assert trips_on(feed, date(2026, 1, 5)).height == 40  # Monday
    assert trips_on(feed, date(2026, 1, 10)).height == 0  # Saturday


def test_calendar_dates_exceptions(tmp_path):
    exceptions = "service_id,date,exception_type\nWD,20260106,2\nWD,20260110,1\n"
    feed = load_feed(write_feed(tmp_path, feed_tables(**{"calendar_dates.txt": exceptions})))
    assert trips_on(feed, date(2026, 1, 6)).height == 0
    assert trips_on(feed, date(2026, 1, 10)).height == 40


def test_calendar_dates_only_feed(tmp_path):
    feed = load_feed(write_feed(tmp_path, feed_tables(**{"calendar.txt": None, "calendar_dates.txt": DATES_ONLY})))
    assert trips_on(feed, date(2026, 1, 6)).height == 40
    assert trips_on(feed, date(2026, 1, 7)).height == 0


def test_default_date_is_the_busiest_weekday(tmp_path):
    extra_trips, extra_times = timetable("R1", [600, 610], service="TUE", prefix="TUE")
    tables = feed_tables()
    tables["trips.txt"] += "\n".join(extra_trips) + "\n"
    tables["stop_times.txt"] += "\n".join(extra_times) + "\n"
    tables["calendar_dates.txt"] = "service_id,date,exception_type\nTUE,20260113,1\n"
    service = choose_service_date(load_feed(write_feed(tmp_path, tables)), None)
    assert service.day == date(2026, 1, 13)
    assert service.chosen_by == "busiest_weekday"
    assert service.trips == 42


def test_busiest_weekday_ties_go_to_the_earliest(tmp_path):
    service = choose_service_date(load_feed(write_feed(tmp_path, feed_tables())), None)
    assert service.day == date(2026, 1, 5)


def test_date_outside_the_feed_is_an_input_error(tmp_path):
    feed = load_feed(write_feed(tmp_path, feed_tables()))
    with pytest.raises(InputError, match="outside the feed's service") as error:
        choose_service_date(feed, date(2027, 3, 1))
    assert "2026-01-05" in error.value.en and "2026-01-30" in error.value.en


def test_date_without_service_is_an_input_error(tmp_path):
    feed = load_feed(write_feed(tmp_path, feed_tables()))
    with pytest.raises(InputError, match="No trip runs"):
        choose_service_date(feed, date(2026, 1, 10))


def test_cli_reports_the_date_used(cli, audit_args):
    result = cli(*audit_args(), "--format", "json")
    assert '"date": "2026-01-05"' in result.stdout
    assert '"chosen_by": "busiest_weekday"' in result.stdout
