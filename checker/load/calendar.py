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
    dates = pl.Series(pl.date_range(first, last, timedelta(days=1), eager=True))
    per_service = feed.trips.group_by("service_id").len("trips")
    per_date = (
        active_services(feed, dates)
        .join(per_service, on="service_id")
        .group_by("date")
        .agg(pl.col("trips").sum())
        .with_columns(weekday=pl.col("date").dt.weekday() <= 5)
        .sort(["trips", "date"], descending=[True, False])
    )
    weekdays = per_date.filter(pl.col("weekday"))
    pick, how = (weekdays, "busiest_weekday") if weekdays.height else (per_date, "busiest_day")
    if pick.is_empty():
        raise InputError(feed.label, "No trip runs on any day of the feed's calendar.", "GTFS 日历中没有任何班次运营。")
    return ServiceDate(pick["date"][0], how, int(pick["trips"][0]))
