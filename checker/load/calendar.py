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
    trips: int  # every trip running that day
    basic_trips: int | None = None  # trips of basic routes that day, when the choice counted them
    why_en: str = ""
    why_zh: str = ""
    outside_period: bool = False  # no date of the feed lies in the standard's period: the nearest was taken


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


DAY_TYPES = {"weekday": (1, 2, 3, 4, 5), "saturday": (6,), "sunday": (7,)}  # ISO weekdays
DAY_TYPE_NAMES = {"weekday": ("工作日", "weekday"), "saturday": ("周六", "Saturday"), "sunday": ("周日", "Sunday")}


def day_type_of(day: date) -> str:
    return next(kind for kind, days in DAY_TYPES.items() if day.isoweekday() in days)


def choose_service_date(feed: Feed, requested: date | None, basic_ids: list[str] | None = None,
                        period: tuple[date, date] | None = None, day_type: str | None = None) -> ServiceDate | None:
    """The requested date; else the weekday with the most trips of basic routes (`basic_ids`; all trips when
    None), among the feed's dates inside `period` (the standard's) when any are, else the feed's dates nearest
    to it; ties to the earliest. A bus audit must not pick a rail-heavy day, nor a day before the standard.
    With `day_type` (weekday, saturday, sunday): the busiest date of that type, or None if the feed never
    runs basic service on one."""
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
    basic = pl.len() if basic_ids is None else pl.col("route_id").is_in(basic_ids).sum()
    per_service = feed.trips.group_by("service_id").agg(trips=pl.len(), basic=basic)
    per_date = (
        active_services(feed, dates)
        .join(per_service, on="service_id")
        .group_by("date")
        .agg(pl.col("trips").sum(), pl.col("basic").sum())
        .filter(pl.col("basic") > 0)
        .with_columns(weekday=pl.col("date").dt.weekday() <= 5)
    )
    if day_type is not None:
        per_date = per_date.filter(pl.col("date").dt.weekday().is_in(DAY_TYPES[day_type]))
        if per_date.is_empty():
            return None
    if per_date.is_empty():
        raise InputError(feed.label, "No trip of a basic route runs on any day of the feed's calendar.",
                         "GTFS 日历中没有任何基本公交班次运营。")
    outside = False
    if period is not None:
        inside = per_date.filter(pl.col("date").is_between(*period))
        if inside.height:
            per_date = inside
        else:  # the nearest dates to the standard's period
            outside = True
            distance = pl.when(pl.col("date") < period[0]).then(pl.lit(period[0]) - pl.col("date")).otherwise(
                pl.col("date") - pl.lit(period[1]))
            per_date = per_date.with_columns(distance=distance).filter(pl.col("distance") == pl.col("distance").min())
    weekdays = per_date.filter(pl.col("weekday"))
    pick, how = (weekdays, "busiest_weekday") if weekdays.height else (per_date, "busiest_day")
    best = pick.sort(["basic", "date"], descending=[True, False]).row(0, named=True)
    kind = "weekday" if how == "busiest_weekday" else "day"
    counting_en = "trips of basic routes" if basic_ids is not None else "trips"
    counting_zh = "基本公交班次" if basic_ids is not None else "班次"
    if period is None:
        where_en = where_zh = ""
    elif outside:
        where_en, where_zh = (f" among the feed's dates nearest to the standard's period ({period[0]} to {period[1]}), "
                              "none of its dates lying inside it", f"（数据无一日在规范施行期 {period[0]} 至 {period[1]} 内，取最接近的日期）")
    else:
        where_en, where_zh = (f" within the standard's period ({period[0]} to {period[1]})",
                              f"（规范施行期 {period[0]} 至 {period[1]} 内）")
    return ServiceDate(
        best["date"], how, int(best["trips"]), int(best["basic"]),
        f"the {kind} with the most {counting_en} ({best['basic']}){where_en}; ties go to the earliest",
        f"{counting_zh}最多（{best['basic']} 个）的{'工作日' if kind == 'weekday' else '日期'}{where_zh}；并列取最早",
        outside,
    )
