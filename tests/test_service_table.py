"""Reading a service table (首末班 + 发车间隔): headers in either language, .xlsx, the service-day clock, and every
kind of bad row as exit 2 naming the file, the line and the field."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.load.service_table import is_service_table, read_service_table
from tests.conftest import at
from tests.service_tables import simple_table, stop_rows, write_table

H = 3600


def _day(table, route="1", direction=0, day="weekday"):
    found = next(r for r in table.routes if (r.route, r.direction) == (route, direction))
    return found.days[day]


def test_english_and_chinese_headers_read_alike(tmp_path):
    english = simple_table(tmp_path / "en", bands=[("06:00", "09:00", "4-8"), ("09:00", "22:00", "10~12")])
    chinese = write_table(
        tmp_path / "zh",
        "线路,方向,首班,末班,日期类型,线路名称,运营企业\n1,上行,6:00,22:00,全周,测试线,测试公交\n",
        "线路,方向,日期类型,开始时间,结束时间,发车间隔（分钟）\n1,上行,全周,06:00,09:00,4–8\n1,上行,全周,09:00,22:00,10至12分钟\n",
        "线路,方向,序号,站名,经度,纬度\n" + stop_rows("1", 0, [(0, 0), (1, 0)]).replace(",0,", ",上行,"),
    )
    a, b = read_service_table(english), read_service_table(chinese)
    assert [(x.start_s, x.end_s, x.low_min, x.high_min) for x in _day(a).bands] == \
           [(x.start_s, x.end_s, x.low_min, x.high_min) for x in _day(b).bands] == \
           [(6 * H, 9 * H, 4, 8), (9 * H, 22 * H, 10, 12)]
    assert a.routes[0].name == b.routes[0].name == "测试线"
    assert set(a.routes[0].days) == {"weekday", "saturday", "sunday"}  # 全周 / all: the week, holidays apart


def test_xlsx_with_one_sheet_per_file(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "线路"
    book["线路"].append(["线路", "方向", "首班", "末班"])
    book["线路"].append(["1", 0, "06:00", "00:30"])
    intervals = book.create_sheet("发车间隔")
    intervals.append(["线路", "方向", "开始", "结束", "发车间隔"])
    intervals.append(["1", 0, "06:00", "20:00", "8-12"])
    intervals.append(["1", 0, "20:00", "00:30", 15])
    stops = book.create_sheet("线路站点")
    stops.append(["线路", "方向", "序号", "站名", "经度", "纬度"])
    for i, x in enumerate((0, 1)):
        stops.append(["1", 0, i + 1, f"站{i}", *at(x, 0)])
    path = tmp_path / "table.xlsx"
    book.save(path)
    assert is_service_table(path)
    service = _day(read_service_table(path))
    assert (service.first_s, service.last_s) == (6 * H, 24 * H + 30 * 60)
    assert [(b.start_s, b.end_s, b.high_min) for b in service.bands] == [(6 * H, 20 * H, 12), (20 * H, 24.5 * H, 15)]


@pytest.mark.parametrize("last", ["00:30", "24:30"])
def test_a_last_bus_after_midnight_written_either_way(tmp_path, last):
    table = read_service_table(simple_table(tmp_path, last=last, bands=[("06:00", "20:00", "10"),
                                                                        ("20:00", last, "15-20")]))
    service = _day(table)
    assert service.last_s == 24 * H + 30 * 60
    assert (service.bands[-1].start_s, service.bands[-1].end_s) == (20 * H, 24 * H + 30 * 60)


def test_a_night_route_on_the_service_day_clock(tmp_path):
    """22:00-05:00: 22:00-01:00 crosses midnight (its end is before the first bus), 01:00-05:00 lies after it."""
    table = read_service_table(simple_table(tmp_path, route="N1", first="22:00", last="05:00",
                                            bands=[("22:00", "01:00", "20-30"), ("01:00", "05:00", "40-60")]))
    service = _day(table, route="N1")
    assert (service.first_s, service.last_s) == (22 * H, 29 * H)
    assert [(b.start_s, b.end_s) for b in service.bands] == [(22 * H, 25 * H), (25 * H, 29 * H)]


def test_equal_overlapping_periods_merge_and_gaps_and_overreach_are_noticed(tmp_path):
    table = read_service_table(simple_table(tmp_path, bands=[("06:00", "09:00", "10"), ("08:00", "10:00", "10"),
                                                             ("12:00", "23:00", "15")]))
    service = _day(table)
    assert [(b.start_s, b.end_s) for b in service.bands] == [(6 * H, 10 * H), (12 * H, 22 * H)]
    text = " ".join(en for en, _ in table.notices)
    assert "10:00–12:00" in text  # no interval published: no departure
    assert "12:00–23:00" in text  # reaches past the last bus: kept to 22:00


def test_gcj02_coordinates_are_brought_to_wgs84(tmp_path):
    from checker.load.datum import from_wgs84

    lon, lat = at(0, 0)
    glon, glat = from_wgs84([lon], [lat], "gcj02")
    folder = write_table(tmp_path, "1,0,06:00,22:00,all,,\n", "1,0,all,06:00,22:00,10\n",
                         f"1,0,1,A,{glon[0]:.7f},{glat[0]:.7f}\n1,0,2,B,{glon[0] + 0.01:.7f},{glat[0]:.7f}\n")
    stop = read_service_table(folder, "gcj02").routes[0].stops[0]
    assert stop.lon == pytest.approx(lon, abs=1e-6) and stop.lat == pytest.approx(lat, abs=1e-6)


def test_stops_by_id_from_stops_csv(tmp_path):
    (lon, lat), (lon2, lat2) = at(0, 0), at(1, 0)
    folder = write_table(tmp_path, "1,0,06:00,22:00,,,\n", "1,0,,06:00,22:00,10\n",
                         "route,direction,seq,stop_id\n1,0,1,A1\n1,0,2,B2\n",
                         stops=f"stop_id,stop_name,lon,lat\nA1,火车站,{lon},{lat}\nB2,汽车站,{lon2},{lat2}\n")
    stops = read_service_table(folder).routes[0].stops
    assert [(s.stop_id, s.name) for s in stops] == [("A1", "火车站"), ("B2", "汽车站")]


# ---- bad input: exit 2, naming file, line and field ----------------------------------------------------------

def _bad(tmp_path, routes=None, intervals=None, route_stops=None) -> InputError:
    folder = write_table(tmp_path / "table", routes or "1,0,06:00,22:00,all,,\n",
                         intervals or "1,0,all,06:00,22:00,10\n",
                         route_stops or stop_rows("1", 0, [(0, 0), (1, 0)]))
    with pytest.raises(InputError) as raised:
        read_service_table(folder)
    return raised.value


@pytest.mark.parametrize("intervals, file, line, field, words", [
    ("1,0,all,06:00,22:00,8-4\n", "intervals.csv", 2, "interval_min", "runs backwards"),
    ("1,0,all,06:00,22:00,0\n", "intervals.csv", 2, "interval_min", "more than 0"),
    ("1,0,all,06:00,10:00,10\n1,0,all,10:00,08:00,10\n", "intervals.csv", 3, "end", "ends before it starts"),
    ("1,0,all,06:00,22:00,10\n2,0,all,06:00,22:00,10\n", "intervals.csv", 3, "route", "not in routes.csv"),
    ("1,0,all,06:00,12:00,10\n1,0,all,11:00,22:00,15\n", "intervals.csv", 3, "start", "overlaps the one on line 2"),
    ("1,0,all,06:00,22:00,ten\n", "intervals.csv", 2, "interval_min", "Expected minutes"),
    ("1,0,holiday,06:00,22:00,10\n", "intervals.csv", 2, "day_type", "no first and last bus"),
    ("1,0,someday,06:00,22:00,10\n", "intervals.csv", 2, "day_type", "Unknown day type"),
    ("1,0,all,6h,22:00,10\n", "intervals.csv", 2, "start", "Expected a time"),
])
def test_bad_intervals(tmp_path, intervals, file, line, field, words):
    error = _bad(tmp_path, intervals=intervals)
    assert (error.file.endswith(file), error.line, error.field) == (True, line, field)
    assert words in error.en


def test_a_period_crossing_midnight_is_not_an_error(tmp_path):
    folder = simple_table(tmp_path / "t", last="01:15", bands=[("06:00", "20:00", "10"), ("20:00", "01:15", "15")])
    assert _day(read_service_table(folder)).bands[-1].end_s == 25 * H + 15 * 60


def test_a_stop_without_coordinates(tmp_path):
    lon, lat = at(0, 0)
    error = _bad(tmp_path, route_stops=f"1,0,1,A,{lon},{lat}\n1,0,2,B,,\n")
    assert (error.file.endswith("route_stops.csv"), error.line, error.field) == (True, 3, "lon")


@pytest.mark.parametrize("routes, line, field, words", [
    ("1,0,06:00,22:00,all,,\n1,0,07:00,21:00,weekend,,\n", 3, "day_type", "already has a first and last bus"),
    ("1,2,06:00,22:00,all,,\n", 2, "direction", "Expected 0 or 1"),
    ("1,0,06:00,25:61,all,,\n", 2, "last_departure", "Expected a time"),
    ("1,0,06:00,22:00,all,A,\n1,1,06:00,22:00,all,B,\n", 3, "name", "Route 1 has name"),
])
def test_bad_routes(tmp_path, routes, line, field, words):
    stops = stop_rows("1", 0, [(0, 0), (1, 0)]) + stop_rows("1", 1, [(1, 0), (0, 0)])
    error = _bad(tmp_path, routes=routes, route_stops=stops,
                 intervals="1,0,all,06:00,22:00,10\n1,1,all,06:00,22:00,10\n")
    assert (error.file.endswith("routes.csv"), error.line, error.field) == (True, line, field)
    assert words in error.en


def test_a_route_with_one_stop_and_a_day_without_intervals(tmp_path):
    lon, lat = at(0, 0)
    error = _bad(tmp_path, route_stops=f"1,0,1,A,{lon},{lat}\n")
    assert (error.file.endswith("routes.csv"), error.line) == (True, 2) and "at least two" in error.en
    error = _bad(tmp_path / "b", intervals="1,0,weekday,06:00,22:00,10\n")
    assert error.file.endswith("routes.csv") and "no period for route 1 direction 0 on saturday" in error.en


def test_missing_column_names_the_header(tmp_path):
    error = _bad(tmp_path, intervals="route,direction,start,end\n1,0,06:00,22:00\n")
    assert (error.file.endswith("intervals.csv"), error.line, error.field) == (True, 1, "interval_min")


def test_not_a_table(tmp_path):
    assert not is_service_table(tmp_path)
    with pytest.raises(InputError):
        read_service_table(tmp_path / "missing")


# ---- property test: whatever a table holds, reading ends in a table or an InputError -----------------------

CELLS = st.one_of(st.sampled_from(["", "1", "0", "上行", "06:00", "00:30", "24:30", "25:61", "4-8", "8-4", "0", "4–8",
                                   "all", "节假日", "weekend", "nope", "113.3", "22.6", "999", "-", "1e9", "NaN"]),
                  st.text(max_size=5))
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=8), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["routes", "intervals", "route_stops"]), rows=ROWS, content=st.binary(max_size=80),
       as_bytes=st.booleans())
def test_random_tables_never_crash(tmp_path, which, rows, content, as_bytes):
    folder = simple_table(tmp_path / "t")
    header = (folder / f"{which}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    if as_bytes:
        (folder / f"{which}.csv").write_bytes(content)
    else:
        (folder / f"{which}.csv").write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    try:
        read_service_table(folder)
    except InputError as error:
        assert error.message()


def test_a_period_without_day_type_applies_to_the_routes_own_day_types(tmp_path):
    """routes.csv gives weekdays only; intervals.csv writes no day type: the period is the weekdays'. Written
    as 全周 (all) it would ask for a Saturday and a Sunday timetable that routes.csv does not give: an error."""
    folder = write_table(tmp_path / "a", "1,0,06:00,22:00,weekday,,\n",
                         "route,direction,start,end,interval_min\n1,0,06:00,22:00,10\n",
                         stop_rows("1", 0, [(0, 0), (1, 0)]))
    assert set(read_service_table(folder).routes[0].days) == {"weekday"}
    error = _bad(tmp_path / "b", routes="1,0,06:00,22:00,weekday,,\n", intervals="1,0,全周,06:00,22:00,10\n")
    assert error.field == "day_type" and "saturday" in error.en
