"""Which services run on a date, and which date to audit when none is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from checker.errors import InputError
from checker.load.feed import WEEKDAYS, Feed


@dataclass(frozen=True)
class ServiceDate:
    day: date
    chosen_by: str  # "requested" or "busiest_weekday" or "busiest_day"
    trips: int


def service_range(feed: Feed) -> tuple[date, date]:
    firsts, lasts = [], []
    if feed.calendar is not None and feed.calendar.height:
        firsts.append(feed.calendar["start_date"].min())
        lasts.append(feed.calendar["end_date"].max())
    if feed.calendar_dates is not None:
        added = feed.calendar_dates.filter(pl.col("exception_type") == 1)["date"]
        if added.len():
            firsts.append(added.min())
            lasts.append(added.max())
    if not firsts:
        raise InputError(feed.label, "The feed's calendar names no service day at all.", "GTFS 日历中没有任何运营日。")
    return min(firsts), max(lasts)


def active_services(feed: Feed, dates: pl.Series) -> pl.DataFrame:
    """(date, service_id) for every service running on each of `dates`, calendar_dates exceptions applied."""
    days = pl.DataFrame({"date": dates}).with_columns(weekday=pl.col("date").dt.weekday() - 1)
    parts = []
    if feed.calendar is not None:
        by_weekday = feed.calendar.unpivot(
            index=["service_id", "start_date", "end_date"], on=WEEKDAYS, variable_name="day", value_name="runs"
        ).with_columns(weekday=pl.col("day").replace_strict(WEEKDAYS, list(range(7)), return_dtype=pl.Int8))
        parts.append(
            days.join(by_weekday.filter(pl.col("runs") == 1), on="weekday")
            .filter(pl.col("date").is_between(pl.col("start_date"), pl.col("end_date")))
            .select("date", "service_id")
        )
    exceptions = feed.calendar_dates
    if exceptions is not None:
        exceptions = exceptions.join(days.select("date"), on="date")
        parts.append(exceptions.filter(pl.col("exception_type") == 1).select("date", "service_id"))
    running = pl.concat(parts).unique() if parts else pl.DataFrame(schema={"date": pl.Date, "service_id": pl.String})
    if exceptions is not None:
        removed = exceptions.filter(pl.col("exception_type") == 2).select("date", "service_id")
        running = running.join(removed, on=["date", "service_id"], how="anti")
    return running


def trips_on(feed: Feed, day: date) -> pl.DataFrame:
    services = active_services(feed, pl.Series([day], dtype=pl.Date))
    return feed.trips.join(services.select("service_id"), on="service_id", how="semi")


def choose_service_date(feed: Feed, requested: date | None) -> ServiceDate:
    first, last = service_range(feed)
    if requested is not None:
        if not first <= requested <= last:
            raise InputError(
                "--date",
                f"The date is outside the feed's service, {first} to {last}.",
                f"该日期不在 GTFS 数据的服务期（{first} 至 {last}）内。",
                value=str(requested),
            )
        count = trips_on(feed, requested).height
        if count == 0:
            raise InputError(
                "--date",
                f"No trip runs on that date (the feed covers {first} to {last}); choose another or omit --date.",
                f"该日期无任何班次运营（服务期 {first} 至 {last}）；请另选日期或省略 --date。",
                value=str(requested),
            )
        return ServiceDate(requested, "requested", count)
    per_date = _trips_on_candidate_dates(feed).with_columns(weekday=((pl.col("day") + 3) % 7) < 5)
    per_date = per_date.filter(pl.col("trips") > 0).sort(["trips", "day"], descending=[True, False])
    weekdays = per_date.filter(pl.col("weekday"))
    pick, how = (weekdays, "busiest_weekday") if weekdays.height else (per_date, "busiest_day")
    if pick.is_empty():
        raise InputError(feed.label, "No trip runs on any day of the feed's calendar.", "GTFS 日历中没有任何班次运营。")
    return ServiceDate(_EPOCH + timedelta(days=int(pick["day"][0])), how, int(pick["trips"][0]))


_EPOCH = date(1970, 1, 1)  # days are counted from it (1970-01-01 was a Thursday: weekday = (day + 3) % 7)


def _trips_on_candidate_dates(feed: Feed) -> pl.DataFrame:
    """day (days since 1970), trips: for a set of dates that holds, for every trip count a date of the feed
    has, the earliest date with that count. Computed from calendar ranges and exceptions, never as days x
    services (20,000 services over ten years would be 73 million rows).

    Between two consecutive start or end dates of calendar.txt, each weekday has a constant count; the
    candidates are the first date of each weekday in each such segment that has no calendar_dates exception
    (their count is the segment's), and every date with an exception (counted exactly).
    """
    per_service = feed.trips.group_by("service_id").len("n").with_columns(pl.col("n").cast(pl.Int64))
    day = pl.col("date").cast(pl.Int32)
    segments = pl.DataFrame(schema={"start": pl.Int32, "end": pl.Int32, **{w: pl.Int64 for w in WEEKDAYS}})
    calendar = None
    if feed.calendar is not None and feed.calendar.height:
        calendar = feed.calendar.join(per_service, on="service_id").with_columns(
            start=pl.col("start_date").cast(pl.Int32), end=pl.col("end_date").cast(pl.Int32))
        events = pl.concat([
            calendar.select(at="start", **{w: pl.col(w) * pl.col("n") for w in WEEKDAYS}),
            calendar.select(at=pl.col("end") + 1, **{w: -pl.col(w) * pl.col("n") for w in WEEKDAYS}),
        ]).group_by("at").agg(pl.col(w).sum() for w in WEEKDAYS).sort("at")
        segments = events.select(start="at", end=pl.col("at").shift(-1) - 1,
                                 **{w: pl.col(w).cum_sum() for w in WEEKDAYS}).drop_nulls("end")
    exceptions = pl.DataFrame(schema={"day": pl.Int32, "trips": pl.Int64})
    exception_days: set[int] = set()
    if feed.calendar_dates is not None and feed.calendar_dates.height:
        rows = feed.calendar_dates.join(per_service, on="service_id")
        exceptions = _exception_day_counts(rows, calendar, segments)
        exception_days = set(rows.select(day.unique())["date"].to_list())
    # the first date of each weekday in each segment, stepped a week on while it is an exception date
    firsts = segments.unpivot(index=["start", "end"], on=WEEKDAYS, variable_name="weekday", value_name="trips")
    firsts = firsts.filter(pl.col("trips") > 0).with_columns(
        w=pl.col("weekday").replace_strict(WEEKDAYS, list(range(7)), return_dtype=pl.Int32)
    ).select(day=pl.col("start") + (pl.col("w") - (pl.col("start") + 3) % 7) % 7, end="end", trips="trips")
    days = firsts["day"].to_list()
    for i in firsts.with_row_index().filter(pl.col("day").is_in(list(exception_days)))["index"].to_list():
        while days[i] in exception_days:
            days[i] += 7
    firsts = firsts.with_columns(day=pl.Series(days, dtype=pl.Int32)).filter(pl.col("day") <= pl.col("end"))
    return pl.concat([firsts.select("day", "trips"), exceptions])


def _exception_day_counts(rows: pl.DataFrame, calendar: pl.DataFrame | None, segments: pl.DataFrame) -> pl.DataFrame:
    """day, trips on each date that calendar_dates.txt names: the calendar's count for that weekday, plus the
    trips of services added that day, minus those of services removed (an exception that changes nothing, such
    as adding a service calendar.txt already runs, counts nothing)."""
    rows = rows.with_columns(day=pl.col("date").cast(pl.Int32)).group_by("day", "service_id").agg(
        n=pl.col("n").first(), added=(pl.col("exception_type") == 1).any(), removed=(pl.col("exception_type") == 2).any())
    rows = rows.with_columns(w=(pl.col("day") + 3) % 7)
    if calendar is not None:
        flags = calendar.select("service_id", "start", "end", runs=pl.concat_list(WEEKDAYS))
        rows = rows.join(flags, on="service_id", how="left").with_columns(
            scheduled=(pl.col("day").is_between("start", "end") & (pl.col("runs").list.get(pl.col("w")) == 1))
            .fill_null(False))
    else:
        rows = rows.with_columns(scheduled=pl.lit(False))
    running = (pl.col("scheduled") | pl.col("added")) & ~pl.col("removed")
    delta = rows.group_by("day").agg(
        change=(pl.col("n") * (running.cast(pl.Int64) - pl.col("scheduled").cast(pl.Int64))).sum()).sort("day")
    if segments.is_empty():
        return delta.select("day", trips="change")
    base = delta.join_asof(segments.sort("start"), left_on="day", right_on="start").with_columns(
        w=(pl.col("day") + 3) % 7)
    in_segment = pl.col("end").is_not_null() & (pl.col("day") <= pl.col("end"))
    scheduled = pl.concat_list(WEEKDAYS).list.get(pl.col("w"))
    return base.select("day", trips=pl.when(in_segment).then(scheduled).otherwise(0).fill_null(0) + pl.col("change"))
