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


# ---------------------------------------------------------------- the busiest date without days x services

def _random_feed(seed: int):
    """A Feed holding only what choose_service_date reads: trips per service, calendar, calendar_dates."""
    import random
    from datetime import timedelta

    import polars as pl

    from checker.load.feed import WEEKDAYS, Feed

    r = random.Random(seed)
    services = [f"S{i}" for i in range(r.randint(1, 6))]
    trips = pl.DataFrame({"service_id": [r.choice([*services, "NONE"]) for _ in range(r.randint(1, 30))]})
    rows = []
    for service in services:
        if r.random() < 0.7:
            start = date(2026, 1, 1) + timedelta(days=r.randint(0, 60))
            rows.append({"service_id": service, **{w: r.randint(0, 1) for w in WEEKDAYS}, "start_date": start,
                         "end_date": start + timedelta(days=r.randint(0, 50))})
    schema = {"service_id": pl.String, **{w: pl.Int64 for w in WEEKDAYS}, "start_date": pl.Date, "end_date": pl.Date}
    calendar = pl.DataFrame(rows, schema=schema) if rows else None
    exceptions = None
    if r.random() < 0.7 or calendar is None:
        exceptions = pl.DataFrame(
            [{"service_id": r.choice([*services, "NONE"]), "date": date(2026, 1, 1) + timedelta(days=r.randint(0, 110)),
              "exception_type": r.choice([1, 2])} for _ in range(r.randint(1, 25))],
            schema={"service_id": pl.String, "date": pl.Date, "exception_type": pl.Int64})
    return Feed("x", None, "Asia/Shanghai", None, trips, None, None, calendar, exceptions, None)


def _busiest_by_brute_force(feed):
    """The definition: trips on every day of the feed's range, the most on a weekday (else any day), earliest."""
    from datetime import timedelta

    import polars as pl

    from checker.load.calendar import active_services, service_range

    first, last = service_range(feed)
    days = pl.Series(pl.date_range(first, last, timedelta(days=1), eager=True))
    per_date = (active_services(feed, days).join(feed.trips.group_by("service_id").len("trips"), on="service_id")
                .group_by("date").agg(pl.col("trips").sum()).filter(pl.col("trips") > 0)
                .sort(["trips", "date"], descending=[True, False]))
    weekdays = per_date.filter(pl.col("date").dt.weekday() <= 5)
    pick = weekdays if weekdays.height else per_date
    return (pick["date"][0], int(pick["trips"][0])) if pick.height else None


@pytest.mark.parametrize("seed", range(200))
def test_busiest_date_matches_the_day_by_day_definition(seed):
    feed = _random_feed(seed)
    expected = _busiest_by_brute_force(feed)
    if expected is None:
        with pytest.raises(InputError):
            choose_service_date(feed, None)
        return
    chosen = choose_service_date(feed, None)
    assert (chosen.day, chosen.trips) == expected


def test_twenty_thousand_services_over_ten_years_stay_small():
    """The issue's case: a 4.4 MB feed with 20,000 services over ten years took 4.4 GB expanded day by day."""
    import random
    import time
    from datetime import timedelta

    import polars as pl

    from checker.load.feed import WEEKDAYS, Feed

    r = random.Random(1)
    rows = []
    for i in range(20_000):
        start = date(2020, 1, 1) + timedelta(days=r.randint(0, 3000))
        rows.append({"service_id": f"S{i}", **{w: r.randint(0, 1) for w in WEEKDAYS}, "start_date": start,
                     "end_date": start + timedelta(days=r.randint(0, 3650))})
    exceptions = pl.DataFrame({"service_id": [f"S{r.randrange(20_000)}" for _ in range(50_000)],
                               "date": [date(2020, 1, 1) + timedelta(days=r.randint(0, 6000)) for _ in range(50_000)],
                               "exception_type": [r.choice([1, 2]) for _ in range(50_000)]})
    trips = pl.DataFrame({"service_id": [f"S{i % 20_000}" for i in range(100_000)]})
    feed = Feed("x", None, "Asia/Shanghai", None, trips, None, None, pl.DataFrame(rows), exceptions, None)
    started = time.perf_counter()
    chosen = choose_service_date(feed, None)
    assert time.perf_counter() - started < 20  # about 1 s here; day by day it was minutes and gigabytes
    assert chosen.chosen_by == "busiest_weekday" and chosen.trips > 0


def test_a_calendar_open_until_9999_is_read(tmp_path):
    calendar = ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                "WD,1,1,1,1,1,0,0,20260105,99991231\n")
    feed = load_feed(write_feed(tmp_path, feed_tables(**{"calendar.txt": calendar})))
    assert choose_service_date(feed, None).day == date(2026, 1, 5)
    assert choose_service_date(feed, date(9999, 12, 31)).trips == 40  # a Friday
