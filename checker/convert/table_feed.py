"""`buscheck audit TABLE`: a service table audited directly, converted on the fly into a temporary GTFS folder
that the ordinary loader then reads. One path for every feed: the audit sees exactly the feed that
`buscheck convert service-table` would write, validated by the same loader, and the conversion of a
300-route table costs a small fraction of a second."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from checker.load.service_table import is_service_table, read_service_table


@dataclass
class FeedPath:
    path: Path  # the GTFS feed to load
    datum: str  # the datum of its stop coordinates (WGS-84 once converted)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)


@contextmanager
def as_gtfs(path: Path, datum: str, reading: str = "upper", speed_kmh: float = 15.0,
            day: date | None = None) -> Iterator[FeedPath]:
    """The feed itself, or a service table (folder or .xlsx) converted for as long as the block runs. A
    service table has no dates and the audit date only picks its day type: the feed runs a year from `day`,
    or else from the next Monday that is not one of the table's holidays, so that the default audit date
    (the busiest weekday, ties to the earliest) is an ordinary weekday."""
    if not isinstance(path, str | Path):  # the Python API's in-memory feed
        yield FeedPath(path, datum)
        return
    if not is_service_table(path):
        yield FeedPath(Path(path), datum)
        return
    # imported for a table only: not on a feed's path
    from checker.convert.gtfs import PLACEHOLDER_URL, Options, to_gtfs, write_feed

    table = read_service_table(path, datum)
    start = day or _next_monday(date.today(), set(table.holidays))
    end = start + timedelta(days=364)
    converted = to_gtfs(table, Options(reading=reading, speed_kmh=speed_kmh, start=start, end=end,
                                       agency_url=PLACEHOLDER_URL))  # never published: no notice on the URL
    reading_en, reading_zh = (("upper end (the longest wait promised)", "上限（承诺的最长等候）") if reading == "upper"
                              else ("lower end", "下限"))
    summary = (
        f"{path} is a service table (首末班 + 发车间隔), converted for this audit: {converted.route_directions} "
        f"route-directions; each published interval range judged at its {reading_en} (--interval); stop times, "
        f"and so arrivals and speeds, estimated from straight-line stop distances at {speed_kmh:g} km/h "
        f"(--speed-kmh); dated {converted.start} to {converted.end}, since a table has no dates and the audit date "
        "only picks its day type.",
        f"{path} 为服务表（首末班 + 发车间隔），本次审计时转换：{converted.route_directions} 个线路方向；公布的间隔范围"
        f"按{reading_zh}评估（--interval）；站点时刻（因而到达时间与速度）按站间直线距离以 {speed_kmh:g} 公里/小时估算"
        f"（--speed-kmh）；服务表本无日期，按 {converted.start} 至 {converted.end} 编排，审计日仅用于确定日期类型。",
    )
    with tempfile.TemporaryDirectory(prefix="buscheck-table-") as folder:
        out = write_feed(converted.tables, Path(folder) / "gtfs")
        yield FeedPath(out, "wgs84", [summary, *table.notices, *converted.notices])


def _next_monday(today: date, holidays: set[date]) -> date:
    day = today + timedelta(days=(7 - today.weekday()) % 7)
    while day in holidays:
        day += timedelta(days=7)
    return day
