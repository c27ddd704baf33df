"""Read a service table (首末班 + 发车间隔): a folder of CSV files or an .xlsx workbook with one sheet per file,
Chinese or English headers. Every bad row is an InputError naming the file, the line and the field.

    routes.csv       route, direction, first_departure, last_departure[, day_type, route_type, name, operator]
    intervals.csv    route, direction[, day_type], start, end, interval_min  (a number or a range 4-8, 4–8, 4~8;
                     no day type: the day types routes.csv gives that route-direction)
    route_stops.csv  route, direction, seq, stop_name, lon, lat  (or stop_id, with stops.csv)
    stops.csv        stop_id, stop_name, lon, lat  (optional)
    holidays.csv     date[, name]  (optional: the dates a holiday timetable applies on)

Times are read on the service-day clock of each route-direction and day type: a last departure earlier than
the first is after midnight (00:30 and 24:30 both mean 24:30); a period whose end is earlier than its start
crosses midnight when its end is no later than that day's first departure (20:00–01:15), and is an error
otherwise (10:00–08:00). Periods are kept within first..last (a notice says when one reaches outside), the
time between periods with no interval published is left without departures (a notice), and overlapping
periods with different intervals are an error. README, "Cities without GTFS", documents the format.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from checker.bulk import bulk
from checker.errors import InputError
from checker.load.datum import to_wgs84
from checker.load.encoding import to_utf8
from checker.model.service_table import (
    DAY_TYPE_ZH,
    DAY_TYPES,
    WEEK_DAY_TYPES,
    Band,
    DayService,
    ServiceTable,
    TableRoute,
    TableStop,
    range_text,
)

DAY = 24 * 3600
TABLES = {  # table -> accepted file stems (sheet names)
    "routes": ("routes", "线路", "线路表"),
    "intervals": ("intervals", "发车间隔", "间隔", "发班间隔"),
    "route_stops": ("route_stops", "线路站点", "站点序列"),
    "stops": ("stops", "站点"),
    "holidays": ("holidays", "节假日"),
}
COLUMNS = {  # canonical name -> accepted headers (compared lower-case, without a unit in brackets)
    "route": ("route", "route_short_name", "线路", "线路编号", "线路号", "路线"),
    "direction": ("direction", "direction_id", "方向"),
    "first_departure": ("first_departure", "first", "首班", "首班时间", "首班车", "首班车时间"),
    "last_departure": ("last_departure", "last", "末班", "末班时间", "末班车", "末班车时间"),
    "day_type": ("day_type", "日期类型", "日类型", "适用日", "运营日"),
    "route_type": ("route_type", "线路类型"),
    "name": ("name", "route_long_name", "线路名称", "名称", "起讫站"),
    "operator": ("operator", "运营企业", "运营单位", "经营者", "运营公司"),
    "start": ("start", "start_time", "开始", "开始时间", "起始时间", "时段开始"),
    "end": ("end", "end_time", "结束", "结束时间", "截止时间", "时段结束"),
    "interval_min": ("interval_min", "interval", "发车间隔", "发班间隔", "间隔"),
    "seq": ("seq", "sequence", "stop_sequence", "序号", "站序"),
    "stop_id": ("stop_id", "站点编号", "站点id", "站点代码"),
    "stop_name": ("stop_name", "站名", "站点名称"),
    "lon": ("lon", "lng", "longitude", "stop_lon", "经度"),
    "lat": ("lat", "latitude", "stop_lat", "纬度"),
    "date": ("date", "日期"),
}
REQUIRED = {
    "routes": ["route", "direction", "first_departure", "last_departure"],
    "intervals": ["route", "direction", "start", "end", "interval_min"],
    "route_stops": ["route", "direction", "seq"],
    "stops": ["stop_id", "lon", "lat"],
    "holidays": ["date"],
}
DAY_WORDS = {
    "weekday": ("weekday", "weekdays", "workday", "workdays", "mon-fri", "工作日", "平日", "周一至周五"),
    "saturday": ("saturday", "sat", "周六", "星期六"),
    "sunday": ("sunday", "sun", "周日", "星期日", "星期天"),
    "weekend": ("weekend", "weekends", "周末", "双休日"),
    "holiday": ("holiday", "holidays", "public holiday", "节假日", "法定节假日", "假日"),
    "all": ("all", "daily", "every day", "everyday", "全周", "每日", "每天", "全部"),
}
DAY_SETS = {"weekday": {"weekday"}, "saturday": {"saturday"}, "sunday": {"sunday"},
            "weekend": {"saturday", "sunday"}, "holiday": {"holiday"}, "all": set(WEEK_DAY_TYPES)}
DIRECTIONS = {"0": 0, "1": 1, "上行": 0, "下行": 1}
_CLOCK = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
_RANGE = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:[-–—~～至到]\s*(\d+(?:\.\d+)?))?$")
_ID = re.compile(r'^[!#-+\--~]+$')  # printable ASCII without space, comma or quote: safe as a GTFS id


@dataclass
class Row:
    where: str  # file, or workbook:sheet
    line: int
    values: dict[str, str]  # canonical column -> stripped text ('' when empty)

    def error(self, column: str, en: str, zh: str) -> InputError:
        return InputError(self.where, en, zh, line=self.line, field=column, value=self.values.get(column, ""))

    def text(self, column: str, required: bool = True) -> str:
        value = self.values.get(column, "")
        if required and not value:
            raise self.error(column, f"{column} is empty; every row needs one.", f"{column} 不能为空。")
        return value


@dataclass
class RouteIn:
    route: str
    direction: int
    days: set[str]
    first_s: int
    last_s: int
    route_type: int | None
    name: str
    operator: str
    row: Row


@dataclass
class PeriodIn:
    route: str
    direction: int
    days: set[str]
    start_s: int
    end_s: int
    low: float
    high: float
    row: Row
    explicit: bool  # a time was written past 24:00, so it is already on the service-day clock
    any_day: bool = False  # no day type written: the period applies to the day types routes.csv gives


@dataclass
class StopIn:
    route: str
    direction: int
    seq: int
    stop_id: str
    name: str
    lon: float | None
    lat: float | None
    row: Row


@dataclass
class RawTable:
    """The rows of a service table, each field parsed; assembled and cross-checked by `build_table`."""

    source: str
    routes: list[RouteIn]
    periods: list[PeriodIn]
    stops: list[StopIn]
    holidays: list[dt.date] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)


# ---- detection and reading -------------------------------------------------------------------------------

def is_service_table(path: str | Path) -> bool:
    """A folder with a routes and an intervals table (CSV), or an .xlsx workbook: not a GTFS feed."""
    path = Path(path)
    if path.is_file():
        return path.suffix.lower() == ".xlsx"
    if not path.is_dir():
        return False
    names = {p.name.lower() for p in path.iterdir() if p.is_file()}
    return all(any(f"{stem}.csv" in names for stem in TABLES[t]) for t in ("routes", "intervals"))


def read_service_table(path: str | Path, datum: str = "wgs84") -> ServiceTable:
    """The table at `path` (folder or .xlsx), validated; stop coordinates converted from `datum` to WGS-84."""
    path = Path(path)
    if not path.exists():
        raise InputError(str(path), "No such file or folder.", "文件或文件夹不存在。")
    with bulk():
        sheets = _read_workbook(path) if path.is_file() else _read_folder(path)
        return build_table(parse_rows(str(path), sheets), datum)


def _read_folder(path: Path) -> dict[str, list[Row]]:
    files = {p.name.lower(): p for p in path.iterdir() if p.is_file()}
    sheets: dict[str, list[Row]] = {}
    for table, stems in TABLES.items():
        found = next((files[f"{stem}.csv"] for stem in stems if f"{stem}.csv" in files), None)
        if found is None:
            continue
        try:
            data, _ = to_utf8(found.read_bytes())
        except OSError as exc:
            raise InputError(str(found), f"Cannot read the file ({exc}).", "无法读取该文件。") from None
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        reader = csv.reader(io.StringIO(text))
        lines: list[tuple[int, list[str]]] = []
        try:
            for record in reader:
                lines.append((reader.line_num, record))
        except csv.Error as exc:
            raise InputError(str(found), f"Not a readable CSV file ({exc}).", "不是可读取的 CSV 文件。",
                             line=reader.line_num) from None
        sheets[table] = _rows(str(found), table, lines)
    return sheets


def _read_workbook(path: Path) -> dict[str, list[Row]]:
    if path.suffix.lower() != ".xlsx":
        raise InputError(str(path), "Expected a service-table folder or an .xlsx workbook.",
                         "应为服务表文件夹或 .xlsx 工作簿。")
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(str(path), f"Not a readable .xlsx workbook ({exc}).", "不是可读取的 .xlsx 工作簿。") from None
    sheets: dict[str, list[Row]] = {}
    try:
        names = {name.strip().lower(): name for name in book.sheetnames}
        for table, stems in TABLES.items():
            name = next((names[stem] for stem in stems if stem in names), None)
            if name is None:
                continue
            lines = [(number, [_cell_text(value) for value in record])
                     for number, record in enumerate(book[name].iter_rows(values_only=True), start=1)]
            sheets[table] = _rows(f"{path}:{name}", table, lines)
    finally:
        book.close()
    return sheets


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.strftime("%H:%M:%S")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):  # Excel durations such as 24:30
        seconds = round(value.total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_key(text: str) -> str:
    text = re.sub(r"[(（\[].*?[)）\]]", "", text.replace("\ufeff", "")).strip().lower()
    return re.sub(r"[\s\-]+", "_", text)


_HEADERS = {header: canonical for canonical, headers in COLUMNS.items() for header in headers}


def _rows(where: str, table: str, lines: list[tuple[int, list[str]]]) -> list[Row]:
    lines = [(n, record) for n, record in lines if any(str(v).strip() for v in record)]
    if not lines:
        raise InputError(where, "The table is empty; expected a header line.", "表格为空，缺少表头。")
    header_line, header = lines[0]
    columns: dict[int, str] = {}
    for i, text in enumerate(header):
        canonical = _HEADERS.get(_header_key(str(text)))
        if canonical is None:
            continue  # remarks and other columns a city adds are ignored
        if canonical in columns.values():
            raise InputError(where, f"Two columns both mean {canonical}.", f"有两列都表示 {canonical}。",
                             line=header_line, field=str(text))
        columns[i] = canonical
    missing = [c for c in REQUIRED[table] if c not in columns.values()]
    if table == "route_stops" and "stop_id" not in columns.values():
        missing += [c for c in ("lon", "lat") if c not in columns.values()]
    if missing:
        accepted = " / ".join(COLUMNS[missing[0]])
        raise InputError(where, f"Missing required column {missing[0]} (accepted headers: {accepted}); the header "
                         f"has {', '.join(str(h) for h in header)}.", f"缺少必需列 {missing[0]}（可用表头：{accepted}）。",
                         line=header_line, field=missing[0])
    pairs, width = list(columns.items()), max(columns) + 1
    rows = []
    for n, record in lines[1:]:
        if len(record) < width:
            record = [*record, *[""] * (width - len(record))]
        rows.append(Row(where, n, {c: record[i].strip() for i, c in pairs}))
    return rows


# ---- fields ------------------------------------------------------------------------------------------------

def _direction(row: Row) -> int:
    value = row.text("direction")
    if value not in DIRECTIONS:
        raise row.error("direction", "Expected 0 or 1 (上行 0, 下行 1).", "应为 0 或 1（上行为 0，下行为 1）。")
    return DIRECTIONS[value]


def _days(row: Row) -> set[str]:
    word = row.text("day_type", required=False).lower() or "all"
    kind = next((kind for kind, words in DAY_WORDS.items() if word in words), None)
    if kind is None:
        raise row.error("day_type", "Unknown day type; expected weekday, saturday, sunday, weekend, holiday or all "
                        "(工作日, 周六, 周日, 周末, 节假日, 全周).",
                        "无法识别的日期类型；应为 工作日、周六、周日、周末、节假日 或 全周。")
    return set(DAY_SETS[kind])


def _clock(row: Row, column: str) -> tuple[int, bool]:
    """Seconds on the clock as written, and whether it was written past 24:00."""
    match = _CLOCK.match(row.text(column))
    if not match or int(match.group(2)) > 59 or (match.group(3) and int(match.group(3)) > 59) \
            or int(match.group(1)) > 47:
        raise row.error(column, "Expected a time HH:MM (after midnight 00:30 or 24:30).",
                        "应为 时:分 格式的时间（午夜后可写 00:30 或 24:30）。")
    hours, minutes, seconds = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    return hours * 3600 + minutes * 60 + seconds, hours >= 24


def _interval(row: Row) -> tuple[float, float]:
    text = row.text("interval_min").replace(" ", "")
    text = re.sub(r"(分钟|分|min|mins|minutes)$", "", text, flags=re.IGNORECASE)
    match = _RANGE.match(text)
    if not match:
        raise row.error("interval_min", "Expected minutes: a number (10) or a range (4-8, 4–8, 4~8).",
                        "应为分钟数：一个数（10）或一个范围（4-8、4–8、4~8）。")
    low = float(match.group(1))
    high = float(match.group(2)) if match.group(2) else low
    if low <= 0:
        raise row.error("interval_min", "An interval must be more than 0 minutes.", "发车间隔须大于 0 分钟。")
    if high < low:
        raise row.error("interval_min", f"The range runs backwards ({low:g} to {high:g}); write the shorter interval "
                        "first.", f"范围上下限颠倒（{low:g} 至 {high:g}），请先写较短的间隔。")
    return low, high


def _integer(row: Row, column: str, required: bool) -> int | None:
    text = row.text(column, required=required)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value.is_integer():
        raise row.error(column, "Expected a whole number.", "应为整数。")
    return int(value)


def _coordinate(row: Row, column: str, low: float, high: float) -> float | None:
    text = row.text(column, required=False)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise row.error(column, "Expected a number.", "应为数值。") from None
    if not low <= value <= high or value != value:
        raise row.error(column, f"Expected a number from {low:g} to {high:g}.", f"应为 {low:g} 至 {high:g} 之间的数值。")
    return value


def _date(row: Row) -> dt.date:
    text = row.text("date").replace("/", "-")
    try:
        return dt.date.fromisoformat(text) if "-" in text else dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise row.error("date", "Expected a date YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。") from None


def parse_rows(source: str, sheets: dict[str, list[Row]]) -> RawTable:
    """Every row's fields parsed (not yet checked against each other)."""
    for table in ("routes", "intervals", "route_stops"):
        if table not in sheets:
            names = " / ".join(f"{stem}.csv" for stem in TABLES[table])
            raise InputError(source, f"The service table has no {table} table ({names}, or a sheet so named).",
                             f"服务表缺少 {table} 表（{names}，或同名工作表）。", field=table)
    routes = []
    for row in sheets["routes"]:
        first, _ = _clock(row, "first_departure")
        last, _ = _clock(row, "last_departure")
        routes.append(RouteIn(row.text("route"), _direction(row), _days(row), first, last,
                              _integer(row, "route_type", required=False), row.text("name", False),
                              row.text("operator", False), row))
    periods = []
    for row in sheets["intervals"]:
        route, direction, days = row.text("route"), _direction(row), _days(row)
        start, late_start = _clock(row, "start")
        end, late_end = _clock(row, "end")
        low, high = _interval(row)
        periods.append(PeriodIn(route, direction, days, start, end, low, high, row, late_start or late_end,
                                any_day=not row.text("day_type", required=False)))
    stop_rows = {}
    for row in sheets.get("stops", []):
        stop_id = row.text("stop_id")
        if stop_id in stop_rows:
            raise row.error("stop_id", f"stop_id {stop_id} appears twice (first on line {stop_rows[stop_id].line}).",
                            f"stop_id {stop_id} 重复（首次出现于第 {stop_rows[stop_id].line} 行）。")
        stop_rows[stop_id] = row
    stops = []
    for row in sheets["route_stops"]:
        stop_id, name = row.text("stop_id", False), row.text("stop_name", False)
        lon, lat = _coordinate(row, "lon", -180, 180), _coordinate(row, "lat", -90, 90)
        if stop_id and (lon is None or lat is None):
            if stop_id not in stop_rows:
                where = "stops.csv" if "stops" in sheets else "route_stops.csv (no stops.csv was given)"
                raise row.error("stop_id", f"No such stop_id in {where}, and the row gives no lon and lat.",
                                "stops.csv 中没有该 stop_id，且本行未给出经纬度。")
            listed = stop_rows[stop_id]
            lon, lat = _coordinate(listed, "lon", -180, 180), _coordinate(listed, "lat", -90, 90)
            name = name or listed.text("stop_name", False)
            if lon is None or lat is None:
                raise listed.error("lon" if lon is None else "lat", "The stop has no coordinates.", "该站点缺少经纬度。")
        if lon is None or lat is None:
            raise row.error("lon" if lon is None else "lat", "The stop has no coordinates: give lon and lat (or a "
                            "stop_id listed in stops.csv with them).", "该站点缺少经纬度：请填写 lon、lat（或 stops.csv 中的 stop_id）。")
        if not name and not stop_id:
            raise row.error("stop_name", "stop_name is empty; every stop needs a name (or a stop_id).",
                            "stop_name 不能为空。")
        seq = _integer(row, "seq", required=True)
        assert seq is not None
        stops.append(StopIn(row.text("route"), _direction(row), seq, stop_id, name or stop_id, lon, lat, row))
    holidays = sorted({_date(row) for row in sheets.get("holidays", [])})
    return RawTable(source, routes, periods, stops, holidays)


# ---- assembling and cross-checking -------------------------------------------------------------------------

def _label(route: str, direction: int, day: str | None = None) -> tuple[str, str]:
    if day is None:
        return f"route {route} direction {direction}", f"线路 {route} 方向 {direction}"
    return f"route {route} direction {direction} on {day}", f"线路 {route} 方向 {direction}（{DAY_TYPE_ZH[day]}）"


def _hm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _on_clock(period: PeriodIn, first_s: int, last_s: int) -> tuple[int, int]:
    """The period on the service-day clock of a route-direction whose first departure is `first_s`."""
    start, end = period.start_s, period.end_s
    if period.explicit:  # a time written past 24:00 is already on the service-day clock
        if start >= DAY > end:
            end += DAY
        if end <= start:
            raise period.row.error("end", "The period ends before it starts.", "时段结束早于开始。")
        return start, end
    first_clock = first_s % DAY
    if end == start:
        raise period.row.error("end", "The period ends when it starts.", "时段的开始与结束相同。")
    if end < start:
        if end > first_clock:
            raise period.row.error(
                "end", f"The period ends before it starts. A period crossing midnight (20:00–01:15) must end by the "
                f"route's first departure, {_hm(first_clock)}.",
                f"时段结束早于开始。跨午夜的时段（如 20:00–01:15）须在该线路首班 {_hm(first_clock)} 之前结束。")
        return start, end + DAY
    if end <= first_clock and last_s >= DAY:  # wholly after midnight on a route that runs past it
        return start + DAY, end + DAY
    return start, end


def build_table(raw: RawTable, datum: str = "wgs84") -> ServiceTable:
    """Check the rows against each other and assemble the table: see the module docstring."""
    notices = list(raw.notices)
    by_key: dict[tuple[str, int], dict[str, RouteIn]] = defaultdict(dict)
    attributes: dict[str, RouteIn] = {}
    for entry in raw.routes:
        days = by_key[(entry.route, entry.direction)]
        for day in sorted(entry.days, key=DAY_TYPES.index):
            if day in days:
                other = days[day]
                raise entry.row.error("day_type", f"{_label(entry.route, entry.direction)[0]} already has a first and "
                                      f"last bus for {day} on line {other.row.line}.",
                                      f"{_label(entry.route, entry.direction)[1]} 的{DAY_TYPE_ZH[day]}首末班已在第 "
                                      f"{other.row.line} 行给出。")
            days[day] = entry
        known = attributes.setdefault(entry.route, entry)
        for column in ("name", "operator", "route_type"):
            mine, theirs = getattr(entry, column), getattr(known, column)
            if mine not in ("", None) and theirs not in ("", None) and mine != theirs:
                raise entry.row.error(column, f"Route {entry.route} has {column} {theirs!r} on line {known.row.line}.",
                                      f"线路 {entry.route} 在第 {known.row.line} 行的 {column} 为 {theirs!r}，前后不一致。")
            if theirs in ("", None) and mine not in ("", None):
                setattr(known, column, mine)

    periods: dict[tuple[str, int, str], list[tuple[int, int, PeriodIn]]] = defaultdict(list)
    for period in raw.periods:
        key = (period.route, period.direction)
        if key not in by_key:
            listed = sorted({d for r, d in by_key if r == period.route})
            en, zh = ((f"Route {period.route} is not in routes.csv.", f"routes.csv 中没有线路 {period.route}。")
                      if not listed else (f"Route {period.route} has no direction {period.direction} in routes.csv.",
                                          f"routes.csv 中线路 {period.route} 没有方向 {period.direction}。"))
            raise period.row.error("route", en, zh)
        days = period.days & set(by_key[key]) if period.any_day else period.days
        for day in sorted(days, key=DAY_TYPES.index):
            entry = by_key[key].get(day)
            if entry is None:
                en, zh = _label(period.route, period.direction, day)
                raise period.row.error("day_type", f"routes.csv gives no first and last bus for {en}; add a row for "
                                       "that day type.", f"routes.csv 未给出{zh}的首末班，请补充该日期类型的行。")
            start, end = _on_clock(period, entry.first_s, _last(entry))
            periods[(period.route, period.direction, day)].append((start, end, period))

    stops: dict[tuple[str, int], list[StopIn]] = defaultdict(list)
    for stop in raw.stops:
        if (stop.route, stop.direction) not in by_key:
            raise stop.row.error("route", f"{_label(stop.route, stop.direction)[0].capitalize()} is not in routes.csv.",
                                 f"routes.csv 中没有{_label(stop.route, stop.direction)[1]}。")
        stops[(stop.route, stop.direction)].append(stop)

    lon = np.array([s.lon for s in raw.stops], dtype=float)
    lat = np.array([s.lat for s in raw.stops], dtype=float)
    wlon, wlat = to_wgs84(lon, lat, datum) if len(lon) else (lon, lat)
    position = {id(s): (float(x), float(y)) for s, x, y in zip(raw.stops, wlon, wlat, strict=True)}
    stop_ids: dict[tuple[str, float, float], str] = {}  # (given id or name, lon, lat) -> stop_id
    placed: dict[str, StopIn] = {}  # stop_id -> the row that placed it

    clipped: list[str] = []
    gaps: list[str] = []
    routes = []
    for (route, direction), days in by_key.items():
        entry = next(iter(days.values()))
        listed = sorted(stops.get((route, direction), []), key=lambda s: s.seq)
        for a, b in zip(listed, listed[1:], strict=False):
            if a.seq == b.seq:
                raise b.row.error("seq", f"seq {b.seq} appears twice for this route and direction (also on line "
                                  f"{a.row.line}).", f"该线路方向的序号 {b.seq} 重复（另见第 {a.row.line} 行）。")
        if len(listed) < 2:
            en, zh = _label(route, direction)
            raise entry.row.error("route", f"{en.capitalize()} has {len(listed)} stop(s) in route_stops.csv; a trip "
                                  "needs at least two.", f"{zh} 在 route_stops.csv 中只有 {len(listed)} 个站点，至少需要两个。")
        table_stops = []
        for stop in listed:
            x, y = position[id(stop)]
            given = stop.stop_id if stop.stop_id and _ID.match(stop.stop_id) else ""
            key = (given or stop.name, round(x, 6), round(y, 6))
            if key not in stop_ids:
                if given in placed:
                    raise stop.row.error("stop_id", f"stop_id {given} is placed elsewhere on line "
                                         f"{placed[given].row.line}.", f"stop_id {given} 在第 {placed[given].row.line} "
                                         "行的坐标不同。")
                new_id, n = given, len(stop_ids)
                while not new_id or new_id in placed:  # a generated id, unlike any id the table gives
                    n += 1
                    new_id = f"S{n:04d}"
                placed[new_id] = stop
                stop_ids[key] = new_id
            table_stops.append(TableStop(stop_ids[key], stop.name, x, y))
        services = {}
        for day, day_entry in days.items():
            first, last = day_entry.first_s, _last(day_entry)
            bands = _bands(periods.get((route, direction, day), []), first, last, clipped, gaps,
                           _label(route, direction, day))
            if not bands and first != last:
                en, zh = _label(route, direction, day)
                raise day_entry.row.error("day_type", f"intervals.csv gives no period for {en}, so the departures "
                                          f"between the first ({_hm(first)}) and last ({_hm(last)}) bus are unknown.",
                                          f"intervals.csv 未给出{zh}的发车间隔，首班 {_hm(first)} 与末班 {_hm(last)} "
                                          "之间的班次无法确定。")
            services[day] = DayService(first, last, tuple(bands))
        routes.append(TableRoute(route, direction, attributes[route].name, attributes[route].operator,
                                 attributes[route].route_type if attributes[route].route_type is not None else 3,
                                 table_stops, services))
    if clipped:
        notices.append((f"{len(clipped)} period(s) reach outside their route's first and last departure; departures "
                        f"are kept between the first and last bus: {_some(clipped)}.",
                        f"{len(clipped)} 个时段超出所属线路的首末班时间，班次只保留在首末班之间：{_some(clipped)}。"))
    if gaps:
        notices.append((f"{len(gaps)} stretch(es) between the first and last bus have no published interval, and so "
                        f"no departure: {_some(gaps)}.",
                        f"{len(gaps)} 段首末班之间的时间未公布发车间隔，该段不安排班次：{_some(gaps)}。"))
    return ServiceTable(raw.source, datum, sorted(routes, key=lambda r: (r.route, r.direction)), raw.holidays,
                        notices=notices)


@functools.lru_cache(maxsize=64)
def _file_name(where: str) -> str:
    return Path(where).name


def _last(entry: RouteIn) -> int:
    """The last departure on the service-day clock: earlier than the first means after midnight."""
    return entry.last_s + DAY if entry.last_s < entry.first_s and entry.last_s < DAY else entry.last_s


def _some(items: list[str], limit: int = 8) -> str:
    return "; ".join(items[:limit]) + (f"; … ({len(items) - limit} more)" if len(items) > limit else "")


def _bands(found: list[tuple[int, int, PeriodIn]], first: int, last: int, clipped: list[str], gaps: list[str],
           label: tuple[str, str]) -> list[Band]:
    """Sorted, overlaps with different intervals rejected (equal ones merged), kept within first..last."""
    found = sorted(found, key=lambda f: (f[0], f[2].row.line))
    merged: list[tuple[int, int, PeriodIn]] = []
    for start, end, period in found:
        if merged and start < merged[-1][1]:
            p_start, p_end, previous = merged[-1]
            if (previous.low, previous.high) != (period.low, period.high):
                later, earlier = (period, previous) if period.row.line >= previous.row.line else (previous, period)
                raise later.row.error(
                    "start", f"This period ({_hm(start)}–{_hm(end)}, {range_text(period.low, period.high)} min) overlaps "
                    f"the one on line {earlier.row.line} ({_hm(p_start)}–{_hm(p_end)}, "
                    f"{range_text(previous.low, previous.high)} min) for {label[0]} with a different interval.",
                    f"{label[1]}：本时段（{_hm(start)}–{_hm(end)}，{range_text(period.low, period.high)} 分钟）与第 "
                    f"{earlier.row.line} 行的时段（{_hm(p_start)}–{_hm(p_end)}，{range_text(previous.low, previous.high)} "
                    "分钟）重叠且间隔不同。")
            merged[-1] = (p_start, max(p_end, end), previous)
            continue
        merged.append((start, end, period))
    bands = []
    for start, end, period in merged:
        kept_start, kept_end = max(start, first), min(end, last)
        if (kept_start, kept_end) != (start, end):
            clipped.append(f"{label[0]} {_hm(start)}–{_hm(end)} ({period.row.where} line {period.row.line})")
        if kept_end > kept_start:
            bands.append(Band(kept_start, kept_end, period.low, period.high,
                              f"{_file_name(period.row.where)}:{period.row.line}"))
    edges = [first, *[t for b in bands for t in (b.start_s, b.end_s)], last]
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b > a and bands:
            gaps.append(f"{label[0]} {_hm(a)}–{_hm(b)}")
    return bands
