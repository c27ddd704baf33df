"""Which services run on a date, and which date to audit when none is given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    return feed.trips.filter(pl.col("service_id").is_in(services["service_id"].implode()))


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
    counted = feed.trips if basic_ids is None else feed.trips.filter(pl.col("route_id").is_in(basic_ids))
    bounds = [] if period is None else [(period[0] - _EPOCH).days, (period[1] - _EPOCH).days + 1]
    per_date = (_trips_on_candidate_dates(feed, counted, bounds)
                .group_by("day").agg(pl.col("trips").max())  # a date found twice: one count
                .filter(pl.col("trips") > 0)
                .with_columns(date=pl.lit(_EPOCH) + pl.duration(days=pl.col("day")), weekday=((pl.col("day") + 3) % 7) < 5))
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
    best = pick.sort(["trips", "date"], descending=[True, False]).row(0, named=True)
    day, basic = best["date"], int(best["trips"])
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
        day, how, trips_on(feed, day).height, basic,
        f"the {kind} with the most {counting_en} ({basic}){where_en}; ties go to the earliest",
        f"{counting_zh}最多（{basic} 个）的{'工作日' if kind == 'weekday' else '日期'}{where_zh}；并列取最早",
        outside,
    )


_EPOCH = date(1970, 1, 1)  # days are counted from it (1970-01-01 was a Thursday: weekday = (day + 3) % 7)


def _trips_on_candidate_dates(feed: Feed, trips: pl.DataFrame, bounds: list[int]) -> pl.DataFrame:
    """day (days since 1970), trips (of `trips` only): a set of dates that holds, for every count of a
    weekday between two boundaries, the first and the last date with it. Computed from calendar ranges and
    exceptions, never as days x services (20,000 services over ten years would be 73 million rows).

    Between two consecutive start or end dates of calendar.txt (and the `bounds`: the standard's period),
    each weekday has a constant count; the candidates are the first and the last date of each weekday in each
    such segment that has no calendar_dates exception (their count is the segment's), and every date with an
    exception (counted exactly). The last dates serve the nearest date before a period.
    """
    per_service = trips.group_by("service_id").len("n").with_columns(pl.col("n").cast(pl.Int64))
    day = pl.col("date").cast(pl.Int32)
    segments = pl.DataFrame(schema={"start": pl.Int32, "end": pl.Int32, **{w: pl.Int64 for w in WEEKDAYS}})
    calendar = None
    if feed.calendar is not None and feed.calendar.height:
        calendar = feed.calendar.join(per_service, on="service_id").with_columns(
            start=pl.col("start_date").cast(pl.Int32), end=pl.col("end_date").cast(pl.Int32))
        events = pl.concat([
            calendar.select(at="start", **{w: pl.col(w) * pl.col("n") for w in WEEKDAYS}),
            calendar.select(at=pl.col("end") + 1, **{w: -pl.col(w) * pl.col("n") for w in WEEKDAYS}),
            pl.DataFrame({"at": pl.Series(bounds, dtype=pl.Int32), **{w: pl.Series([0] * len(bounds), dtype=pl.Int64)
                                                                      for w in WEEKDAYS}}),
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
        w=pl.col("weekday").replace_strict(WEEKDAYS, list(range(7)), return_dtype=pl.Int32))
    lasts = firsts.select(day=pl.col("end") - ((pl.col("end") + 3) % 7 - pl.col("w")) % 7, start="start", end="end",
                          trips="trips")
    firsts = firsts.select(day=pl.col("start") + (pl.col("w") - (pl.col("start") + 3) % 7) % 7, start="start",
                           end="end", trips="trips")
    candidates = []
    for frame, step in ((firsts, 7), (lasts, -7)):
        days = frame["day"].to_list()
        for i in frame.with_row_index().filter(pl.col("day").is_in(list(exception_days)))["index"].to_list():
            while days[i] in exception_days:
                days[i] += step
        candidates.append(frame.with_columns(day=pl.Series(days, dtype=pl.Int32))
                          .filter(pl.col("day").is_between("start", "end")).select("day", "trips"))
    return pl.concat([*candidates, exceptions])


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
