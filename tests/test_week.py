"""--week and --dates: one load of the feed, a weekday, a Saturday and a Sunday audited, each finding saying
its day, the verdict combining the days (a fail on any day is a fail, the day named)."""

import json

import jsonschema

from tests.conftest import SCHEMA, at, feed_tables, timetable

CALENDAR = ("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
            "WD,1,1,1,1,1,0,0,20260105,20260130\n"
            "WE,0,0,0,0,0,1,1,20260105,20260130\n"
            "ALL,1,1,1,1,1,1,1,20260105,20260130\n")
GOOD = [360 + 15 * i for i in range(65)]  # 06:00 .. 22:00 every 15 min: meets every day rule
SPARSE = [360 + 90 * i for i in range(11)]  # every 90 min: fails the 60-min off-peak interval


def _tables(routes: dict[str, tuple[list[float], str]]) -> dict[str, str]:
    trips, times = [], []
    for route, (departures, service) in routes.items():
        t, s = timetable(route, departures, service=service)
        trips += t
        times += s
    return feed_tables(routes={}, **{
        "calendar.txt": CALENDAR,
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
                      + "".join(f"{r},{r},,3\n" for r in routes),
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(trips) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n"})


def _run(cli, audit_args, tables, *extra):
    result = cli(*audit_args(tables, city="汕头"), "--format", "json", "--week", *extra)
    assert result.exit_code in (0, 1, 4), result.output
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_week_audits_each_day_type_with_its_own_routes(cli, audit_args, tmp_path):
    tables = _tables({"WDAY": (GOOD, "WD"), "WEND": (SPARSE, "WE"), "DAILY": (GOOD, "ALL")})
    profile = tmp_path / "p.toml"
    profile.write_text('[weekend]\nwork_start = "09:00"\nwork_end = "18:00"\npeak_windows = []\n', encoding="utf-8")
    doc = _run(cli, audit_args, tables, "--profile", profile)
    days = [(d["service_date"]["date"], d["day_type"]) for d in doc["days"]]
    assert days == [("2026-01-05", "weekday"), ("2026-01-10", "saturday"), ("2026-01-11", "sunday")]
    routes = {d["day_type"]: sorted({r["route_id"] for r in d["metrics"]["routes"]}) for d in doc["days"]}
    assert routes == {"weekday": ["DAILY", "WDAY"], "saturday": ["DAILY", "WEND"], "sunday": ["DAILY", "WEND"]}
    offpeak = {(f["subject"]["day_type"], f["subject"]["route_id"]): f["status"] for f in doc["findings"]
               if f["rule"] == "GD-FREQ-OFFPEAK"}
    assert offpeak == {("weekday", "DAILY"): "pass", ("weekday", "WDAY"): "pass", ("saturday", "DAILY"): "pass",
                       ("saturday", "WEND"): "fail", ("sunday", "DAILY"): "pass", ("sunday", "WEND"): "fail"}
    failing = next(f for f in doc["findings"] if f["rule"] == "GD-FREQ-OFFPEAK" and f["status"] == "fail")
    assert failing["message_en"].startswith("[Saturday 2026-01-10]")
    assert doc["summary"]["rules"]["GD-FREQ-OFFPEAK"] == "fail"  # a fail on any day fails the rule
    # weekend: no peak windows in the profile: the peak rule has nothing to judge there (info, not missing)
    peak = {f["subject"]["day_type"]: f["status"] for f in doc["findings"] if f["rule"] == "GD-FREQ-PEAK"}
    assert peak == {"weekday": "pass", "saturday": "info", "sunday": "info"}


def test_weekend_without_settings_leaves_span_rules_not_assessed(cli, audit_args):
    doc = _run(cli, audit_args, _tables({"DAILY": (GOOD, "ALL")}))
    first = {f["subject"]["day_type"]: f["status"] for f in doc["findings"] if f["rule"] == "GD-SPAN-FIRST"}
    assert first == {"weekday": "pass", "saturday": "not_assessed", "sunday": "not_assessed"}
    assert [d["hours_set"] for d in doc["days"]] == [True, False, False]
    assert doc["summary"]["rules"]["GD-SPAN-FIRST"] == "not_assessed"  # the audit is not complete for it


def test_a_day_type_the_feed_never_runs_is_said(cli, audit_args):
    doc = _run(cli, audit_args, _tables({"WDAY": (GOOD, "WD")}))
    assert "days" not in doc and doc["service_date"]["date"] == "2026-01-05"  # one day type: one day audited
    assert any("no basic route on any Saturday" in n["en"] for n in doc["notices"])
    assert any("no basic route on any Sunday" in n["en"] for n in doc["notices"])


def test_dates_audits_the_given_dates(cli, audit_args):
    tables = _tables({"DAILY": (GOOD, "ALL")})
    result = cli(*audit_args(tables, city="汕头"), "--format", "json", "--dates", "2026-01-06,2026-01-07")
    doc = json.loads(result.stdout)
    assert [d["service_date"]["date"] for d in doc["days"]] == ["2026-01-06", "2026-01-07"]


def test_the_sample_city_fails_only_on_sunday(cli):
    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    result = cli("audit", city / "gtfs.zip", "--built-up", city / "built_up.geojson", "--city", "示例市",
                 "--profile", city / "profile.toml", "--week", "--format", "json")
    doc = json.loads(result.stdout)
    route12 = {f["subject"]["day_type"] for f in doc["findings"] if f["subject"].get("route_id") == "R12"
               and f["status"] == "fail"}
    assert route12 == {"sunday"}


def test_routes_csv_has_every_day(cli, tmp_path):
    import csv

    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    out = tmp_path / "out"
    cli("audit", city / "gtfs.zip", "--built-up", city / "built_up.geojson", "--city", "示例市",
        "--profile", city / "profile.toml", "--week", "--out", out)
    with (out / "routes.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["day_type"] for r in rows} == {"weekday", "saturday", "sunday"}
    sunday12 = [r for r in rows if r["route_id"] == "R12" and r["day_type"] == "sunday"]
    assert sunday12 and all(r["max_headway_offpeak_min"] == "75.0" and r["add_departures"] for r in sunday12)


def test_each_day_has_its_own_coverage_and_days_with_the_same_stops_share_one(cli, audit_args, tmp_path):
    """The union of discs is computed once for days that serve the same stops (a cache of a pure function):
    each day's coverage is still that of its own stops, as a one-day audit of that date gives it."""
    wide = _tables({"WDAY": (GOOD, "WD"), "DAILY": (GOOD, "ALL")})
    lon, lat = at(3, 0)
    wide["stops.txt"] += f"C,Stop C,{lat:.7f},{lon:.7f}\n"  # a stop only the weekday route calls at, 2 km east of B
    wide["stop_times.txt"] = "\n".join(
        line.replace(",B,", ",C,") if line.startswith("WDAY") else line
        for line in wide["stop_times.txt"].splitlines()) + "\n"
    doc = _run(cli, audit_args, wide)
    ratios = {d["day_type"]: d["metrics"]["coverage"]["ratio"] for d in doc["days"]}
    assert ratios["saturday"] == ratios["sunday"] < ratios["weekday"]
    assert doc["metrics"] == doc["days"][0]["metrics"]  # the first day's document is the result's own
    for day in doc["days"]:
        alone = json.loads(cli(*audit_args(wide, city="汕头"), "--format", "json", "--date",
                               day["service_date"]["date"]).stdout)
        assert alone["metrics"]["coverage"] == day["metrics"]["coverage"]

