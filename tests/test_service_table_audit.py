"""`buscheck audit TABLE`: a service table audited directly, with answers derived by hand: the published range
and the reading in every headway finding, midnight, day types, coverage, estimated running times."""

from __future__ import annotations

import json
import math

import pytest

from tests.conftest import write_polygon
from tests.service_tables import simple_table, stop_rows, write_table

MONDAY = "2026-01-05"


def _audit(cli, tmp_path, table, *extra, date=MONDAY):
    polygon = write_polygon(tmp_path / "built_up.geojson")
    result = cli("audit", table, "--built-up", polygon, "--city", "广州", "--format", "json", "--date", date,
                 "--ignore", "GD-LOAD-PEAK,GD-LIST", *extra)
    assert result.exit_code in (0, 1, 4), result.stderr
    return json.loads(result.stdout)


def _findings(doc, rule, route=None):
    return [f for f in doc["findings"] if f["rule"] == rule and (route is None or f["subject"].get("route_short_name") == route)]


def _route(doc, name, direction=0):
    return next(r for r in doc["metrics"]["routes"] if r["route_short_name"] == name and r["direction_id"] == direction)


PEAK_BANDS = [("06:00", "07:00", "10-15"), ("07:00", "09:00", "25–35"), ("09:00", "17:00", "20-30"),
              ("17:00", "19:00", "25–35"), ("19:00", "22:00", "20-30")]


def test_peak_band_25_35_fails_upper_and_passes_lower(tmp_path, cli):
    """Upper: 07:00, 07:35, 08:10, 08:45, then 09:00: the largest peak interval is 35 min > 30: fail.
    Lower: 07:00, 07:25, 07:50, 08:15, 08:40, then 09:00: 25 min: pass. Off-peak: 30 (upper) or 20 (lower)."""
    table = simple_table(tmp_path / "t", bands=PEAK_BANDS)
    upper = _audit(cli, tmp_path, table)
    lower = _audit(cli, tmp_path, table, "--interval", "lower")
    (peak_upper,), (peak_lower,) = _findings(upper, "GD-FREQ-PEAK"), _findings(lower, "GD-FREQ-PEAK")
    assert (peak_upper["status"], peak_upper["value"]) == ("fail", 35)
    assert (peak_lower["status"], peak_lower["value"]) == ("pass", 25)
    assert "Published interval 25–35 min (07:00–09:00), judged at 35 min (the range's upper end)" \
        in peak_upper["message_en"]
    assert "公布发车间隔 25–35 分钟（07:00–09:00），取上限按 35 分钟评估" in peak_upper["message_zh"]
    assert "judged at 25 min (the range's lower end)" in peak_lower["message_en"]
    assert peak_upper["detail"]["interval_reading"] == "upper"
    assert peak_upper["detail"]["published_intervals"] == [
        {"start": "07:00", "end": "09:00", "min": 25, "max": 35, "judged": 35}]
    (offpeak,) = _findings(upper, "GD-FREQ-OFFPEAK")
    assert offpeak["status"] == "pass" and offpeak["value"] == 30 and offpeak["detail"]["interval_reading"] == "upper"
    assert _findings(lower, "GD-FREQ-OFFPEAK")[0]["value"] == 20
    route = _route(upper, "1")
    assert route["published_intervals"][1] == {"start": "07:00", "end": "09:00", "min": 25, "max": 35, "judged": 35}
    notices = " ".join(n["en"] for n in upper["notices"])
    assert "service table" in notices and "upper end" in notices and "15 km/h" in notices


def test_periods_crossing_midnight(tmp_path, cli):
    """Last bus 00:30 (24:30): 20:00-00:30 every 20 gives 20:00 ... 24:20, then the last bus at 24:30.
    A night route 22:00-05:00: 22:00-01:00 every 30 (upper of 20-30) and 01:00-05:00 every 60, last 29:00."""
    folder = write_table(
        tmp_path / "t",
        "1,0,06:00,00:30,all,,\nN1,0,22:00,05:00,all,夜班,\n",
        "1,0,all,06:00,20:00,10\n1,0,all,20:00,00:30,15-20\nN1,0,all,22:00,01:00,20-30\nN1,0,all,01:00,05:00,40-60\n",
        stop_rows("1", 0, [(0, 0), (1, 0)]) + stop_rows("N1", 0, [(0, 1), (1, 1)]),
    )
    doc = _audit(cli, tmp_path, folder)
    day = _route(doc, "1")
    assert (day["first_departure"], day["last_departure"]) == ("06:00:00", "24:30:00")
    assert day["departures"][-3:] == ["24:00:00", "24:20:00", "24:30:00"]
    assert day["published_intervals"][-1] == {"start": "20:00", "end": "24:30", "min": 15, "max": 20, "judged": 20}
    night = _route(doc, "N1")
    assert night["night"] and (night["first_departure"], night["last_departure"]) == ("22:00:00", "29:00:00")
    assert night["departures"] == ["22:00:00", "22:30:00", "23:00:00", "23:30:00", "24:00:00", "24:30:00",
                                   "25:00:00", "26:00:00", "27:00:00", "28:00:00", "29:00:00"]
    assert night["night_max_headway_min"] == 60


DAY_TYPES = "\n".join([
    "1,0,06:00,22:00,weekday,,", "1,0,06:30,21:30,saturday,,", "1,0,07:00,21:00,sunday,,",
    "1,0,07:30,20:30,holiday,,", "2,0,06:15,21:45,weekday,,"]) + "\n"


@pytest.mark.parametrize("date, first, last, two", [
    ("2026-01-05", "06:00:00", "22:00:00", "06:15:00"),  # Monday
    ("2026-01-10", "06:30:00", "21:30:00", None),  # Saturday: route 2 runs on weekdays only
    ("2026-01-11", "07:00:00", "21:00:00", None),  # Sunday
    ("2026-01-01", "07:30:00", "20:30:00", "06:15:00"),  # Thursday, a holiday: route 1's holiday timetable;
])  # route 2 has none and runs its weekday one
def test_first_and_last_on_each_day_type(tmp_path, cli, date, first, last, two):
    intervals = "".join(f"1,0,{day},{f},{t},30\n" for day, f, t in (
        ("weekday", "06:00", "22:00"), ("saturday", "06:30", "21:30"), ("sunday", "07:00", "21:00"),
        ("holiday", "07:30", "20:30"))) + "2,0,weekday,06:15,21:45,15\n"
    folder = write_table(tmp_path / "t", DAY_TYPES, intervals,
                         stop_rows("1", 0, [(0, 0), (1, 0)]) + stop_rows("2", 0, [(0, 1), (1, 1)]),
                         holidays="日期,名称\n2026-01-01,元旦\n")
    doc = _audit(cli, tmp_path, folder, date=date)
    route = _route(doc, "1")
    assert (route["first_departure"], route["last_departure"]) == (first, last)
    names = {r["route_short_name"]: r for r in doc["metrics"]["routes"]}
    assert (names["2"]["first_departure"] if "2" in names else None) == two


def test_coverage_of_three_stops_is_three_disks(tmp_path, cli):
    """Three stops at least 2 km apart, well inside a 10 km square: 3 x pi x 0.5^2 km2 = 2.35619 km2 covered."""
    folder = write_table(tmp_path / "t", "A,0,06:00,22:00,all,,\nB,0,06:00,22:00,all,,\n",
                         "A,0,all,06:00,22:00,10\nB,0,all,06:00,22:00,10\n",
                         stop_rows("A", 0, [(-2, 0), (1, 0)], ["西站", "中心站"])
                         + stop_rows("B", 0, [(1, 0), (1, 2.5)], ["中心站", "北站"]))  # one stop shared
    coverage = _audit(cli, tmp_path, folder)["metrics"]["coverage"]
    assert coverage["stops_used"] == 3
    assert coverage["covered_km2"] == pytest.approx(3 * math.pi * 0.25, rel=1e-4)
    # the square is 10 km by 10 km by the tests' flat-earth origin, slightly more on the sphere
    assert coverage["ratio"] == pytest.approx(3 * math.pi * 0.25 / coverage["built_up_km2"], rel=1e-3)


def test_a_table_in_gcj02_is_audited_with_feed_crs(tmp_path, cli):
    """Stops written in GCJ-02 (an AMap-based system): read as WGS-84 they lie ~0.56 km off; with --feed-crs
    gcj02 the conversion brings them back, and coverage is the disks' again."""
    from checker.load.datum import from_wgs84
    from tests.conftest import at

    points = [at(-2, 0), at(1, 0)]
    lon, lat = from_wgs84([p[0] for p in points], [p[1] for p in points], "gcj02")
    rows = "".join(f"A,0,{i + 1},S{i},{x:.7f},{y:.7f}\n" for i, (x, y) in enumerate(zip(lon, lat, strict=True)))
    folder = write_table(tmp_path / "t", "A,0,06:00,22:00,all,,\n", "A,0,all,06:00,22:00,10\n", rows)
    polygon = write_polygon(tmp_path / "small.geojson", [[list(at(-2.5, -0.5)), list(at(1.5, -0.5)),
                                                          list(at(1.5, 0.5)), list(at(-2.5, 0.5)),
                                                          list(at(-2.5, -0.5))]])
    result = cli("audit", folder, "--built-up", polygon, "--city", "广州", "--format", "json", "--date", MONDAY,
                 "--feed-crs", "gcj02")
    coverage = json.loads(result.stdout)["metrics"]["coverage"]
    assert coverage["stops_outside_built_up"] == 0
    assert coverage["covered_km2"] > 0.99 * 2 * (math.pi * 0.25 - 2 * _segment(0.5, 0.5))


def _segment(r, d):
    """Area of the part of a disc of radius r beyond a chord at distance d from its centre (km2)."""
    return r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)


def test_arrival_at_a_hub_is_marked_estimated(tmp_path, cli):
    """Route 1 ends at a railway station whose first train leaves 06:30; its first bus leaves 06:00 and is
    estimated to arrive 06:04 (1 km at 15 km/h), before the 06:00 the 30-minute lead asks: fails, and says the
    arrival is an estimate from distance."""
    from tests.conftest import at

    table = simple_table(tmp_path / "t")
    lon, lat = at(1, 0)
    hubs = tmp_path / "hubs.csv"
    hubs.write_text(f"name,mode,lat,lon,first_departure,last_arrival\n火车站,rail,{lat},{lon},06:30,21:00\n",
                    encoding="utf-8")
    doc = _audit(cli, tmp_path, table, "--hubs", hubs)
    (arrival,) = [f for f in _findings(doc, "GD-HUB-ALIGN") if "first arrival" in f["message_en"]]
    assert arrival["status"] == "fail" and arrival["value"] == "06:04"
    assert "estimated from straight-line stop distances at 15 km/h" in arrival["message_en"]
    assert arrival["detail"]["running_times"] == "estimated at 15 km/h"


def test_a_gtfs_feed_is_unchanged(tmp_path, cli, audit_args):
    """The new fields appear only for a converted service table."""
    result = cli(*audit_args(), "--format", "json")
    doc = json.loads(result.stdout)
    assert all("published_intervals" not in r for r in doc["metrics"]["routes"])
    assert all("interval_reading" not in f["detail"] for f in doc["findings"])


def test_audit_of_a_bad_table_is_exit_2(tmp_path, cli):
    folder = simple_table(tmp_path / "t", bands=[("06:00", "22:00", "8-4")])
    result = cli("audit", folder, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "intervals.csv, line 2 第2行, field interval_min 字段" in result.stderr


def test_report_files_show_the_published_ranges(tmp_path, cli):
    from openpyxl import load_workbook

    table = simple_table(tmp_path / "t", bands=PEAK_BANDS)
    out = tmp_path / "out"
    result = cli("audit", table, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州", "--date", MONDAY,
                 "--out", out)
    assert result.exit_code == 1, result.stderr
    expected = ("06:00-07:00 10-15; 07:00-09:00 25-35; 09:00-17:00 20-30; 17:00-19:00 25-35; 19:00-22:00 20-30")
    routes = (out / "routes.csv").read_text(encoding="utf-8-sig")
    assert routes.splitlines()[0].endswith(",published_intervals") and expected in routes
    sheet = load_workbook(out / "report.xlsx")["线路 Routes"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "公布发车间隔 published_intervals" and rows[1][-1] == expected
