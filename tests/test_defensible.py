"""Defensible verdicts (粤交〔2025〕9号 read article by article): the text's strength on every finding, the
city's own decisions, approved deviations, readings that do not overstate the text, and headlines that are
never silently wrong. Every expected figure is derived by hand in the test."""

import json

import numpy as np
import pytest

from checker.load.datum import from_wgs84
from checker.model.pack import STRENGTHS
from tests.conftest import CALENDAR, MONDAY, at, feed_tables, square_km, timetable, write_feed, write_polygon

EVERY_20 = [360 + 20 * i for i in range(49)]  # 06:00 to 22:00 every 20 min: meets every GD day rule


def _doc(result) -> dict:
    assert result.exit_code in (0, 1, 4), result.output
    return json.loads(result.stdout)


def _findings(doc: dict, rule: str) -> list[dict]:
    return [f for f in doc["findings"] if f["rule"] == rule]


def _profile(tmp_path, text: str):
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- 1. strength ------------------------------------------------------------------------------------------

def test_every_finding_carries_the_texts_strength_per_tier(cli, audit_args):
    guangzhou = _doc(cli(*audit_args(city="广州"), "--format", "json"))
    shantou = _doc(cli(*audit_args(city="汕头"), "--format", "json"))
    for doc in (guangzhou, shantou):
        assert all(f["strength"] in STRENGTHS and f["strength_words"] for f in doc["findings"])
    # Art. 10(1): megacities "原则上应达100%", the other tiers "不低于"
    assert _findings(guangzhou, "GD-COV-500")[0]["strength"] == "in_principle"
    assert _findings(shantou, "GD-COV-500")[0]["strength"] == "shall"
    strengths = {f["rule"]: f["strength"] for f in shantou["findings"]}
    assert strengths["GD-FREQ-PEAK"] == strengths["GD-FREQ-OFFPEAK"] == "in_principle"  # 原则上不大于
    assert strengths["GD-SPAN-FIRST"] == strengths["GD-SPAN-LAST"] == "should"  # 不宜晚于 / 不宜早于


def test_fail_on_decides_which_fails_make_exit_1(cli, audit_args):
    """A timetable from 08:00 every 20 min fails only 'should' rules' neighbours: first bus after 07:30
    (should) and the 07:00-08:00 peak wait (in principle)."""
    late = {"R1": [480 + 20 * i for i in range(43)]}  # 08:00 .. 22:00
    args = [*audit_args(feed_tables(routes=late), city="汕头"), "--format", "json", "--select", "GD-SPAN-*"]
    assert cli(*args).exit_code == 1  # default --fail-on should: any fail
    relaxed = cli(*args, "--fail-on", "in_principle")
    assert relaxed.exit_code == 0  # the span rules are "should" only; nothing else selected
    doc = json.loads(relaxed.stdout)
    assert doc["summary"]["verdict"] == "fail" and doc["summary"]["fails_by_strength"]["should"] == 1


# --- the city's own minima (Art. 10(3)) --------------------------------------------------------------------

def test_city_minimum_per_route_and_city_wide(tmp_path, cli, audit_args):
    routes = {"R1": EVERY_20, "R2": EVERY_20}
    profile = _profile(tmp_path, 'peak_max_headway_min = 15\nfrequency_document = "示例市交通运输局〔2026〕1号"\n'
                                 '[route_max_headway_min]\nR2 = { peak = 20 }\n')
    doc = _doc(cli(*audit_args(feed_tables(routes=routes), city="汕头"), "--profile", profile, "--format", "json"))
    peak = {f["subject"]["route_id"]: f for f in _findings(doc, "GD-FREQ-PEAK")}
    # R1: 20 min against the city's 15: fails, citing the document, as the city's own binding minimum
    assert (peak["R1"]["status"], peak["R1"]["threshold"], peak["R1"]["strength"]) == ("fail", 15, "shall")
    assert "示例市交通运输局〔2026〕1号" in peak["R1"]["message_zh"] and peak["R1"]["detail"]["limit_source"] == "city"
    # R2: its own 20 min: passes
    assert (peak["R2"]["status"], peak["R2"]["threshold"], peak["R2"]["detail"]["limit_source"]) == ("pass", 20, "route")
    # the departures to add follow the city's limit: 15-min gaps need one more departure inside each 20
    assert peak["R1"]["detail"]["add_departures"]


def test_night_rule_without_city_settings_is_not_assessed(cli, audit_args):
    routes = {"R1": EVERY_20, "N1": [22 * 60 + 30 * i for i in range(12)]}
    tables = feed_tables(routes=routes)
    tables["routes.txt"] = tables["routes.txt"].replace("N1,N1,", "N1,夜1路,")
    doc = _doc(cli(*audit_args(tables, city="汕头"), "--format", "json"))
    assert {f["status"] for f in _findings(doc, "GD-NIGHT")} == {"not_assessed"}


# --- approved deviations -----------------------------------------------------------------------------------

def test_deviation_turns_a_matching_fail_exempt_and_reports_expired_and_unmatched(tmp_path, cli, audit_args):
    late = {"R1": [480 + 20 * i for i in range(43)]}  # first bus 08:00: fails GD-SPAN-FIRST (07:30)
    deviations = tmp_path / "deviations.csv"
    deviations.write_text(
        "rule,subject,direction,reason,document,valid_until\n"
        "GD-SPAN-FIRST,R1,0,工业区上班时间较晚，批准推迟首班,示例市交通运输局〔2026〕2号,2026-12-31\n"
        "GD-SPAN-LAST,R1,,已过期的例外,旧文件,2025-12-31\n"
        "GD-FREQ-PEAK,R9,,不存在的线路,某文件,\n", encoding="utf-8")
    doc = _doc(cli(*audit_args(feed_tables(routes=late), city="汕头"), "--deviations", deviations, "--format", "json"))
    first = _findings(doc, "GD-SPAN-FIRST")[0]
    assert first["status"] == "exempt"
    assert first["detail"]["deviation"]["document"] == "示例市交通运输局〔2026〕2号"
    assert "批准推迟首班" in first["message_zh"]
    notices = " ".join(n["en"] for n in doc["notices"])
    assert "line 3" in notices and "expired on 2025-12-31" in notices
    assert "line 4" in notices and "matches no failing finding" in notices


# --- Art. 11 as an order -----------------------------------------------------------------------------------

def test_priority_order_fails_the_level_served_worse_than_the_next(tmp_path, cli, audit_args):
    """Stops A (0,0) and B (1,0). Level 1: a school 3 km away (not reached); level 2: a mall beside A (reached).
    Level 2 is better served (100%) than level 1 (0%): level 1 fails, level 2 passes (100% >= the area's)."""
    facilities = tmp_path / "facilities.csv"
    school, mall = at(0, 3), at(0, 0.2)
    facilities.write_text(f"name,category,lon,lat\n远郊学校,学校,{school[0]},{school[1]}\n商场,商圈,{mall[0]},{mall[1]}\n",
                          encoding="utf-8")
    doc = _doc(cli(*audit_args(city="汕头"), "--facilities", facilities, "--format", "json"))
    levels = {f["subject"]["level"]: f for f in _findings(doc, "GD-PRIORITY")}
    assert (levels[1]["status"], levels[1]["value"], levels[1]["threshold"]) == ("fail", 0.0, 1.0)
    assert "priority level 2" in levels[1]["message_en"]
    assert levels[2]["status"] == "pass"
    profile = _profile(tmp_path, 'priority_min_share = { "2" = 1.0 }\n')  # a city's own minimum still applies
    doc = _doc(cli(*audit_args(city="汕头"), "--facilities", facilities, "--profile", profile, "--format", "json"))
    assert {f["subject"]["level"]: f["threshold"] for f in _findings(doc, "GD-PRIORITY")}[2] == 1.0


# --- which routes are basic --------------------------------------------------------------------------------

def test_route_types_and_custom_brands_excluded_with_reasons(cli, audit_args):
    routes = {"R1": EVERY_20, "S712": EVERY_20, "S713": EVERY_20, "K1": EVERY_20}
    tables = feed_tables(routes=routes)
    tables["routes.txt"] = ("route_id,route_short_name,route_long_name,route_type\n"
                            "R1,1路,,3\nS712,校车,,712\nS713,学生线,,713\nK1,如约巴士1号线,,3\n")
    doc = _doc(cli(*audit_args(tables, city="汕头"), "--format", "json"))
    excluded = {e["route_id"]: e for e in doc["inputs"]["routes_excluded"]}
    assert set(excluded) == {"S712", "K1"}
    assert "school bus" in excluded["S712"]["reason_en"] and "如约巴士" in excluded["K1"]["reason_zh"]
    judged = {r["route_id"] for r in doc["metrics"]["routes"]}
    assert judged == {"R1", "S713"}  # 713 school and public service stays basic


def test_listed_route_not_running_fails_and_unlisted_running_is_reported(tmp_path, cli, audit_args):
    tables = feed_tables(routes={"R1": EVERY_20, "R2": EVERY_20})
    tables["routes.txt"] += "R3,R3,Route R3,3\n"  # in routes.txt, no trips
    listed = tmp_path / "basic.csv"
    listed.write_text("route_id\nR1\nR3\n", encoding="utf-8")
    doc = _doc(cli(*audit_args(tables, city="汕头"), "--base-routes", listed, "--format", "json"))
    found = {(f["subject"].get("route_id"), f["status"]) for f in _findings(doc, "GD-LIST")}
    assert ("R3", "fail") in found and ("R2", "info") in found
    city = next(f for f in _findings(doc, "GD-LIST") if f["subject"]["type"] == "city")
    assert (city["status"], city["value"], city["threshold"]) == ("fail", 1, 2)


# --- Art. 17 and the default date --------------------------------------------------------------------------

def test_audit_date_outside_the_standards_period_is_noted(cli, audit_args):
    calendar = CALENDAR.replace("20260105,20260130", "20240101,20240131")  # before 2025-12-01
    doc = _doc(cli(*audit_args(feed_tables(**{"calendar.txt": calendar})), "--format", "json"))
    assert doc["service_date"]["date"] == "2024-01-31"  # the nearest weekday to the period
    assert any("not apply on that date" in n["en"] or "outside the period" in n["en"] for n in doc["notices"])


def test_default_date_counts_basic_route_trips_not_rail(cli, audit_args):
    """Monday: 200 rail trips and 10 bus trips; Tuesday: 40 bus trips. A bus audit takes Tuesday."""
    calendar = CALENDAR + "MON,1,0,0,0,0,0,0,20260105,20260130\nTUE,0,1,0,0,0,0,0,20260105,20260130\n"
    trips, times = [], []
    for route, deps, service in (("RAIL", list(range(300, 500)), "MON"), ("BUS", EVERY_20[:10], "MON"),
                                 ("BUS", EVERY_20[:40], "TUE")):
        t, s = timetable(route, deps, service=service, prefix=f"{route}{service}")
        trips += t
        times += s
    tables = feed_tables(routes={}, **{
        "calendar.txt": calendar,
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\nRAIL,R,,2\nBUS,B,,3\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(trips) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n"})
    doc = _doc(cli(*audit_args(tables, city="汕头"), "--format", "json"))
    assert doc["service_date"]["date"] == "2026-01-06"  # the first Tuesday
    assert doc["service_date"]["basic_trips"] == 40 and "basic routes" in doc["service_date"]["why_en"]


# --- transit metropolis: every public transport stop ---------------------------------------------------------

def test_tm04_counts_a_metro_station_that_the_guangdong_rule_does_not(tmp_path, cli, audit_args):
    """Bus stops A (0,0) and B (1,0); a metro station M at (4,0). Built-up area 10 x 10 km (100 km2).
    TM-04 counts M's 500 m circle (pi * 0.25 km2 = 0.785 km2 more); GD-COV-500 does not."""
    bus_trips, bus_times = timetable("B1", EVERY_20)
    metro_trips, metro_times = timetable("M1", EVERY_20, stops=("M", "M2"))
    tables = feed_tables(routes={}, stops={"A": (0, 0), "B": (1, 0), "M": (4, 0), "M2": (4.0, 0.0001)}, **{
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\nB1,1路,,3\nM1,地铁1号线,,1\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(bus_trips + metro_trips) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          + "\n".join(bus_times + metro_times) + "\n"})
    gd = _doc(cli(*audit_args(tables, city="汕头"), "--format", "json"))
    tm = _doc(cli(*audit_args(tables, city="阳泉"), "--rules", "transit-metropolis", "--profile", "yangquan-2025",
                  "--format", "json"))
    gd_km2, tm_km2 = gd["metrics"]["coverage"]["covered_km2"], tm["metrics"]["coverage"]["covered_km2"]
    assert tm_km2 - gd_km2 == pytest.approx(np.pi * 0.25, rel=0.01)
    assert tm["rule_pack"]["report_title"] == "公交都市创建评价指标自评"


# --- never a silently wrong headline ----------------------------------------------------------------------

@pytest.mark.parametrize("outside", [0.2, 0.47, 0.9])
def test_datum_notice_whenever_another_reading_puts_more_stops_inside(tmp_path, cli, outside):
    """Stops drawn on a GCJ-02 map and read as WGS-84 are ~0.6 km off. The polygon ends where a share
    `outside` of the true stop positions lie beyond its edge once shifted; another reading (--feed-crs gcj02)
    puts them back inside, and the notice names it."""
    xs = np.linspace(0, 9, 40)
    true_lon, true_lat = np.array([at(x, 0)[0] for x in xs]), np.array([at(x, 0)[1] for x in xs])
    gcj_lon, gcj_lat = from_wgs84(true_lon, true_lat, "gcj02")
    stops = {f"S{i}": None for i in range(len(xs))}
    stop_rows = "".join(f"S{i},S{i},{gcj_lat[i]:.7f},{gcj_lon[i]:.7f}\n" for i in range(len(xs)))
    trips, times = timetable("R1", EVERY_20, stops=tuple(stops))
    tables = feed_tables(routes={}, **{
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\nR1,1路,,3\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + stop_rows,
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(trips) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n"})
    feed = write_feed(tmp_path / "feed", tables)
    # the true positions, clipped by a band the GCJ-02 shift leaves `outside` of the stops beyond (shift is east/north)
    band = write_polygon(tmp_path / "b.geojson", [square_km(-1, -0.3, 9.5 - 10 * outside, 0.3)])
    run = cli("audit", feed, "--built-up", band, "--city", "汕头", "--format", "json")
    doc = _doc(run)
    assert any("--feed-crs gcj02" in n["en"] for n in doc["notices"]), doc["notices"]


def test_no_datum_notice_on_correct_input(cli, audit_args):
    doc = _doc(cli(*audit_args(), "--format", "json"))
    assert not any("--feed-crs" in n["en"] or "--built-up-crs" in n["en"] for n in doc["notices"])


def test_a_prefecture_polygon_is_flagged_as_not_a_built_up_area(tmp_path, cli, audit_args):
    """Stops within 1 km of the origin; a 100 x 100 km polygon: almost all of it is more than 2 km away."""
    feed = write_feed(tmp_path / "feed", feed_tables())
    prefecture = write_polygon(tmp_path / "p.geojson", [square_km(-50, -50, 50, 50)])
    doc = _doc(cli("audit", feed, "--built-up", prefecture, "--city", "汕头", "--format", "json"))
    assert doc["metrics"]["coverage"]["far_from_stops_share"] > 0.99
    assert any("administrative boundary" in n["en"] for n in doc["notices"])
    assert "may not be a built-up area" in _findings(doc, "GD-COV-500")[0]["message_en"]
    around = write_polygon(tmp_path / "around.geojson", [square_km(-1.5, -1.5, 2.5, 1.5)])  # close around the stops
    small = _doc(cli("audit", feed, "--built-up", around, "--city", "汕头", "--format", "json"))
    assert small["metrics"]["coverage"]["far_from_stops_share"] < 0.05
    assert not any("administrative boundary" in n["en"] for n in small["notices"])


# --- found by an independent review ----------------------------------------------------------------------

def test_an_audit_that_judges_nothing_is_refused(cli, audit_args):
    assert cli(*audit_args(), "--ignore", "*").exit_code == 2
    assert cli(*audit_args(), "--select", "GD-COV-500", "--ignore", "GD-COV-500").exit_code == 2


def test_a_deviation_cannot_waive_a_binding_requirement(tmp_path, cli, audit_args):
    deviations = tmp_path / "d.csv"
    deviations.write_text("rule,subject,reason,document\nGD-COV-500,city,预算不足,某文件\n", encoding="utf-8")
    doc = _doc(cli(*audit_args(city="汕头"), "--deviations", deviations, "--select", "GD-COV-500", "--format", "json"))
    coverage = _findings(doc, "GD-COV-500")[0]
    assert coverage["status"] == "fail" and "deviation" not in coverage["detail"]  # 不低于 60%: binding
    assert any("cannot waive it" in n["en"] for n in doc["notices"])


def test_a_deviation_naming_no_rule_is_an_input_error(tmp_path, cli, audit_args):
    deviations = tmp_path / "d.csv"
    deviations.write_text("rule,subject,reason,document\nGD-SPAN-FRIST,R1,原因,文件\n", encoding="utf-8")
    result = cli(*audit_args(), "--deviations", deviations)
    assert result.exit_code == 2 and "line 2" in result.output and "GD-SPAN-FRIST" in result.output


def test_a_deviation_expires_per_day_in_a_week(tmp_path, cli):
    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    deviations = tmp_path / "d.csv"
    deviations.write_text("rule,subject,reason,document,valid_until\n"
                          "GD-FREQ-OFFPEAK,12路,周日减班,某文件,2026-01-03\n", encoding="utf-8")
    doc = _doc(cli("audit", city / "gtfs.zip", "--built-up", city / "built_up.geojson", "--city", "示例市",
                   "--profile", city / "profile.toml", "--week", "--deviations", deviations, "--format", "json"))
    sunday = [f for f in _findings(doc, "GD-FREQ-OFFPEAK") if f["subject"].get("route_id") == "R12"
              and f["subject"]["day_type"] == "sunday"]
    assert sunday and {f["status"] for f in sunday} == {"fail"}  # the deviation ended on Saturday


def test_one_sunday_is_judged_with_the_sunday_settings(tmp_path, cli, audit_args):
    calendar = CALENDAR.replace("WD,1,1,1,1,1,0,0", "WD,1,1,1,1,1,1,1")
    late = {"R1": [500 + 20 * i for i in range(40)]}  # first bus 08:20: after 07:30, before 08:30
    profile = _profile(tmp_path, '[weekend]\nwork_start = "10:00"\nwork_end = "18:00"\npeak_windows = []\n')
    args = audit_args(feed_tables(routes=late, **{"calendar.txt": calendar}), city="汕头")
    sunday = _doc(cli(*args, "--profile", profile, "--date", "2026-01-11", "--format", "json"))
    monday = _doc(cli(*args, "--profile", profile, "--date", "2026-01-12", "--format", "json"))
    assert _findings(sunday, "GD-SPAN-FIRST")[0]["status"] == "pass"  # by 08:30 on a Sunday
    assert _findings(monday, "GD-SPAN-FIRST")[0]["status"] == "fail"  # by 07:30 on a Monday


def test_a_looser_city_minimum_leaves_the_standards_figure_standing(tmp_path, cli, audit_args):
    routes = {"R1": [420 + 40 * i for i in range(20)]}  # every 40 min: over the standard's in-principle 30
    profile = _profile(tmp_path, "peak_max_headway_min = 45\n")
    doc = _doc(cli(*audit_args(feed_tables(routes=routes), city="汕头"), "--profile", profile, "--format", "json"))
    peak = _findings(doc, "GD-FREQ-PEAK")[0]
    assert (peak["status"], peak["threshold"], peak["strength"]) == ("fail", 30, "in_principle")
    assert "looser" in peak["message_en"]


@pytest.mark.parametrize("old, new, key", [
    ("max_min = 30", "max_min = 0", "max_min"),
    ("max_min = 30", "max_min = inf", "max_min"),
    ("radius_m = 500\ntitle = \"建成区", "radius_m = -500\ntitle = \"建成区", "radius_m"),
    ("coverage_min = 0.60", "coverage_min = 60", "coverage_min"),
    ("max_ratio = 0.80", "max_ratio = 80", "max_ratio"),
    ('effective_from = "2025-12-01"', 'effective_from = "2025-13-45"', "effective_from"),
    ('strength_by_tier = { megacity =', 'strength_by_tier = { megacty =', "strength_by_tier"),
    ('work_start = "09:00"', 'work_start = "25:00"', "work_end"),
    ('  { name = "云浮", en = "Yunfu" },', '  { name = "云浮", en = "Yunfu" },\n  { name = "广州", en = "Guangzhou" },',
     "cities"),
])
def test_pack_values_out_of_range_are_refused_naming_the_key(tmp_path, old, new, key):
    from checker.errors import InputError
    from checker.pipeline import open_pack
    from tests.conftest import REPO

    text = (REPO / "rules" / "gd-basic-bus-2025.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "pack.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        open_pack(str(path))
    assert raised.value.field == key and raised.value.file == str(path)


def test_a_pack_saved_with_a_bom_loads(tmp_path):
    from checker.pipeline import open_pack
    from tests.conftest import REPO

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (REPO / "rules" / "gd-basic-bus-2025.toml").read_bytes())
    assert open_pack(str(path)).rules


@pytest.mark.parametrize("text, key", [
    ("peak_max_headway_min = inf\n", "peak_max_headway_min"),
    ("peak_max_headway_min = 0.5\n", "peak_max_headway_min"),
    ('work_start = "25:00"\n', "work_end"),
    ("[route_max_headway_min]\nR1 = { peak = 1e9 }\n", "route_max_headway_min.R1"),
    ('[weekend]\nwork_start = "10:00"\nwork_end = "18:00"\npeak_windows = "07:00-09:00"\n', "weekend.peak_windows"),
])
def test_profile_values_out_of_range_are_refused(tmp_path, cli, audit_args, text, key):
    result = cli(*audit_args(city="汕头"), "--profile", _profile(tmp_path, text))
    assert result.exit_code == 2 and key in result.output


def test_week_and_date_exclude_each_other(cli, audit_args):
    assert cli(*audit_args(), "--week", "--date", MONDAY).exit_code == 2
    assert cli(*audit_args(), "--week", "--dates", MONDAY).exit_code == 2


def test_a_listed_route_not_running_on_a_weekend_day_is_information(tmp_path, cli, audit_args):
    listed = tmp_path / "basic.csv"
    listed.write_text("route_id\nR1\n", encoding="utf-8")
    doc = _doc(cli(*audit_args(city="汕头"), "--base-routes", listed, "--week", "--select", "GD-LIST",
                   "--format", "json"))
    assert {f["status"] for f in _findings(doc, "GD-LIST") if f["subject"]["type"] == "city"} == {"pass"}


def test_missing_only_the_citys_own_coverage_target_is_guidance(tmp_path, cli, audit_args):
    """Art. 10(1): 60% is binding (不低于) for Shantou; a city's own higher target (覆盖目标) is its own."""
    profile = _profile(tmp_path, "coverage_target = 0.99\n")
    feed = write_feed(tmp_path / "feed", feed_tables(stops={"A": (0, 0), "B": (0.7, 0)}))
    small = write_polygon(tmp_path / "b.geojson", [square_km(-0.6, -0.6, 1.3, 0.6)])
    doc = _doc(cli("audit", feed, "--built-up", small, "--city", "汕头", "--profile", profile, "--format", "json"))
    coverage = _findings(doc, "GD-COV-500")[0]
    assert coverage["status"] == "fail" and coverage["value"] >= 0.6
    assert coverage["strength"] == "should" and "60% is met" in coverage["message_en"].replace("minimum of ", "")


def test_rules_show_prints_the_strength(cli):
    shown = cli("rules", "show", "GD-COV-500")
    assert "shall" in shown.output and "不低于" in shown.output and "原则上应达100%" in shown.output
