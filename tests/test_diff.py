"""`buscheck diff`: two feeds compared without ids. A pure id churn is no change; each kind of change is found
once, with whether it needs public notice and, for lost service, the basic routes still within 500 m."""

import json
import math
import random
from datetime import date

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.compare.run import requests_for, run_diff
from checker.inputs import AuditRequest
from tests.conftest import REPO, at, feed_tables, shared_path, square_km, write_feed, write_polygon

DIFF_SCHEMA = json.loads((REPO / "schema" / "diff-v1.schema.json").read_text(encoding="utf-8"))

CALENDAR = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
WEEK_FLAGS = {"WD": "1,1,1,1,1,0,0", "SA": "0,0,0,0,0,1,0", "SU": "0,0,0,0,0,0,1"}
EVERY_15 = [360 + 15 * i for i in range(65)]  # 06:00 .. 22:00
STOPS = {"A": (0, 0), "B": (1, 0), "C": (2, 0), "D": (0, 2), "E": (1, 2), "F": (6, 6), "G": (6, 7)}
ROUTES = {  # name -> (stops in order, departures, both directions, long name)
    "1路": (["A", "B", "C"], EVERY_15, True, "东站-西站"),
    "2路": (["D", "E"], EVERY_15, True, "北环"),
    "3路": (["F", "G"], EVERY_15, False, "郊区线"),
}


def tables(routes=None, stops=None, prefix="", shuffle=False, saturday=None, sunday=None, weekday=True) -> dict[str, str]:
    """GTFS text tables; `prefix` renames every id (a new export), `shuffle` reorders every table's rows;
    `saturday`, `sunday`: the routes (as ROUTES) run on those days of the same weeks; `weekday=False`: none on
    weekdays."""
    routes = routes if routes is not None else ROUTES
    stops = stops if stops is not None else STOPS
    services = [(sid, days) for sid, days in (("WD", routes if weekday else None), ("SA", saturday), ("SU", sunday))
                if days is not None]
    names = list(dict.fromkeys(name for _, days in services for name in days))
    rows = {"routes": [], "trips": [], "stop_times": [], "stops": []}
    for sid, (x, y) in stops.items():
        lon, lat = at(x, y)
        rows["stops"].append(f"{prefix}{sid},站{sid},{lat:.7f},{lon:.7f}")
    for service, days in services:
        for name, (pattern, departures, both, long) in days.items():
            rid = f"{prefix}r{names.index(name)}"
            if not any(row.startswith(f"{rid},") for row in rows["routes"]):
                rows["routes"].append(f"{rid},{name},{long},3")
            for direction in ((0, 1) if both else (0,)):
                order = pattern if direction == 0 else pattern[::-1]
                for k, start in enumerate(departures):
                    tid = f"{rid}-{service}-{direction}-{k}" if service != "WD" else f"{rid}-{direction}-{k}"
                    rows["trips"].append(f"{rid},{service},{tid},{direction}")
                    for seq, stop in enumerate(order):
                        minutes = start + 5 * seq
                        t = f"{int(minutes // 60):02d}:{int(minutes % 60):02d}:00"
                        rows["stop_times"].append(f"{tid},{t},{t},{prefix}{stop},{seq + 1}")
    if shuffle:
        rng = random.Random(7)
        for values in rows.values():
            rng.shuffle(values)
    return {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://example.org,Asia/Shanghai\n",
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n" + "\n".join(rows["routes"]) + "\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "\n".join(rows["stops"]) + "\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(rows["trips"]) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(rows["stop_times"]) + "\n",
        "calendar.txt": CALENDAR + "".join(f"{sid},{WEEK_FLAGS[sid]},20260105,20260130\n" for sid, _ in services),
    }


def diff(tmp_path, old_tables, new_tables, old_date=None, new_date=None, week=False):
    old = write_feed(tmp_path / "old", old_tables)
    new = write_feed(tmp_path / "new", new_tables)
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-2, -2, 9, 9)])
    base = AuditRequest(feed=old, built_up=polygon, city="汕头", week=week)
    return run_diff(*requests_for(base, old, new, old_date, new_date)).result


def every_30(routes=None) -> dict:
    """The routes at half their frequency: every 30 minutes from 06:00 to 22:00."""
    return {name: (pattern, departures[::2], both, long)
            for name, (pattern, departures, both, long) in (routes or ROUTES).items()}


def kinds(result) -> dict[str, list]:
    found: dict[str, list] = {}
    for change in result.changes:
        found.setdefault(change.kind, []).append(change)
    return found


def test_pure_id_churn_is_no_change(tmp_path):
    result = diff(tmp_path, tables(), tables(prefix="x9_", shuffle=True))
    assert result.changes == []
    assert {m.how for m in result.matches} == {"short_name"} and len(result.matches) == 3
    assert result.unmatched_old == result.unmatched_new == []


def test_route_withdrawn_with_replacement(tmp_path):
    routes = dict(ROUTES)
    del routes["2路"]  # D (0,2) and E (1,2): A and B of 1路 are 2 km away, beyond 500 m: no replacement
    found = kinds(diff(tmp_path, tables(), tables(routes=routes, prefix="n")))
    (withdrawn,) = found["route_withdrawn"]
    assert withdrawn.needs_notice and withdrawn.subject["route"] == "2路" and withdrawn.replacement == []
    assert {c.subject["stop"] for c in found["stop_unserved"]} == {"站D", "站E"}


def test_route_withdrawn_with_a_route_within_500m(tmp_path):
    routes = dict(ROUTES)
    # serves E (other name, other terminals: not 2路 renumbered, whose terminal D is 1 km from its own)
    routes["4路"] = (["E", "C"], EVERY_15[:10], False, "新线")
    old = tables(routes={k: v for k, v in routes.items() if k != "4路"})
    new_routes = {k: v for k, v in routes.items() if k != "2路"}
    found = kinds(diff(tmp_path, old, tables(routes=new_routes)))
    (withdrawn,) = found["route_withdrawn"]
    assert withdrawn.replacement == ["4路"]
    (added,) = found["route_added"]
    assert not added.needs_notice


def test_basic_to_custom_needs_art12_notice(tmp_path):
    routes = dict(ROUTES)
    routes["2路"] = (["D", "E"], EVERY_15, True, "定制通勤线")
    found = kinds(diff(tmp_path, tables(), tables(routes=routes)))
    (custom,) = found["basic_to_custom"]
    assert custom.needs_notice and custom.article == "12"


def test_direction_withdrawn(tmp_path):
    routes = dict(ROUTES)
    routes["1路"] = (["A", "B", "C"], EVERY_15, False, "东站-西站")
    found = kinds(diff(tmp_path, tables(), tables(routes=routes)))
    (gone,) = found["direction_withdrawn"]
    assert gone.needs_notice and gone.subject["old_direction_id"] == 1
    assert gone.replacement == []  # no other basic route near A, B, C


def test_trips_first_last_and_interval(tmp_path):
    routes = dict(ROUTES)
    routes["3路"] = (["F", "G"], [420 + 30 * i for i in range(26)], False, "郊区线")  # 07:00..19:30 every 30
    found = kinds(diff(tmp_path, tables(), tables(routes=routes)))
    (trips,) = found["trips_down"]
    assert (trips.old, trips.new) == (65, 26)
    (first,) = found["first_departure_later"]
    assert (first.old.text(), first.new.text()) == ("06:00:00", "07:00:00")
    (last,) = found["last_departure_earlier"]
    assert (last.old.text(), last.new.text()) == ("22:00:00", "19:30:00")
    (peak,) = found["peak_interval_longer"]
    assert (peak.old, peak.new) == (15, 30)
    (offpeak,) = found["offpeak_interval_longer"]
    assert (offpeak.old, offpeak.new) == (15, 30)
    failing = {c.subject["rule"] for c in found["rule_now_fails"]}
    assert failing == {"GD-SPAN-LAST"}  # 19:30 is before 20:00; 07:00 first still meets 07:30
    # a compliance statement, not an announcement: the reductions behind it need the notice
    assert not any(c.needs_notice for c in found["rule_now_fails"])


def test_terminal_moved(tmp_path):
    stops = dict(STOPS)
    stops["G2"] = (6, 7.1)  # 100 m from G
    routes = dict(ROUTES)
    routes["3路"] = (["F", "G2"], EVERY_15, False, "郊区线")
    found = kinds(diff(tmp_path, tables(), tables(routes=routes, stops=stops)))
    (moved,) = found["terminals_moved"]
    assert "destination 100 m" in moved.message_en


def test_coverage_lost_by_removing_one_stop_is_a_disk(tmp_path):
    """3路 serves F (6,6) and G (6,7), 1 km apart; dropping G from its pattern loses G's disk less the lens it
    shares with F's: pi r^2 - lens(d = 1 km, r = 0.5 km) = pi * 0.25 - 0 (the disks just touch)."""
    routes = dict(ROUTES)
    routes["3路"] = (["F", "C"], EVERY_15, False, "郊区线")  # G no longer served; C is served by 1路 anyway
    result = diff(tmp_path, tables(), tables(routes=routes))
    found = kinds(result)
    assert result.coverage.lost_km2 == pytest.approx(math.pi * 0.25, rel=0.002)
    (lost,) = found["coverage_lost"]
    assert lost.needs_notice
    assert {c.subject["stop"] for c in found["stop_unserved"]} == {"站G"}
    assert found["stop_unserved"][0].replacement == []


def test_cli_writes_every_file_and_exits_1_when_notice_is_needed(tmp_path, cli):
    routes = dict(ROUTES)
    del routes["3路"]
    old = write_feed(tmp_path / "old", tables())
    new = write_feed(tmp_path / "new", tables(routes=routes, prefix="z"))
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-2, -2, 9, 9)])
    out = tmp_path / "out"
    run = cli("diff", old, new, "--built-up", polygon, "--city", "汕头", "--out", out)
    assert run.exit_code == 1, run.output
    assert {p.name for p in out.iterdir()} >= {"diff.json", "changes.csv", "coverage_lost.geojson",
                                               "coverage_gained.geojson", "notice.html", "notice.xlsx"}
    doc = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, DIFF_SCHEMA)
    assert doc["needs_notice"] and any(c["kind"] == "route_withdrawn" for c in doc["changes"])
    assert "3路" in (out / "notice.html").read_text(encoding="utf-8")
    same = cli("diff", old, old, "--built-up", polygon, "--city", "汕头", "--format", "json")
    assert same.exit_code == 0 and json.loads(same.stdout)["changes"] == []


def test_rule_now_fails_is_kept_out_of_the_public_notice(tmp_path, cli):
    """notice.html and notice.xlsx are for the 公告: 3路's reductions are there, GD-SPAN-LAST now failing is
    only in diff.json and changes.csv."""
    routes = dict(ROUTES)
    routes["3路"] = (["F", "G"], [420 + 30 * i for i in range(26)], False, "郊区线")
    old = write_feed(tmp_path / "old", tables())
    new = write_feed(tmp_path / "new", tables(routes=routes))
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-2, -2, 9, 9)])
    out = tmp_path / "out"
    run = cli("diff", old, new, "--built-up", polygon, "--city", "汕头", "--out", out)
    assert run.exit_code == 1, run.output
    doc = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, DIFF_SCHEMA)
    (fails,) = [c for c in doc["changes"] if c["kind"] == "rule_now_fails"]
    assert fails["needs_notice"] is False and fails["subject"]["rule"] == "GD-SPAN-LAST"
    assert "GD-SPAN-LAST" in (out / "changes.csv").read_text(encoding="utf-8-sig")
    notice = (out / "notice.html").read_text(encoding="utf-8")
    assert "GD-SPAN-LAST" not in notice and "末班由 22:00 提前至 19:30" in notice
    assert "GD-SPAN-LAST" not in run.output  # the text lists the changes needing notice


def test_renumbered_route_is_renamed_not_withdrawn(tmp_path):
    """1路 renumbered 101路, same long name and stops: one change, route_renamed (Art. 4: riders must be told),
    not a withdrawal plus an addition."""
    routes = {("101路" if name == "1路" else name): route for name, route in ROUTES.items()}
    result = diff(tmp_path, tables(), tables(routes=routes, prefix="n"))
    found = kinds(result)
    assert set(found) == {"route_renamed"}
    (renamed,) = found["route_renamed"]
    assert renamed.needs_notice and renamed.article == "4" and (renamed.old, renamed.new) == ("1路", "101路")
    assert renamed.subject["old_name"] == "1路" and renamed.subject["new_name"] == "101路"
    assert "1路 更名（改号）为 101路" in renamed.message_zh and "1路 renamed (renumbered) 101路" in renamed.message_en
    assert {m.how for m in result.matches if m.name == "1路"} == {"long_name"}
    assert result.unmatched_old == result.unmatched_new == []


def test_renumbered_and_renamed_route_is_matched_by_its_terminals(tmp_path, cli):
    routes = {name: route for name, route in ROUTES.items() if name != "1路"}
    routes["K1"] = (["A", "B", "C"], EVERY_15, True, "东西快线")
    old = write_feed(tmp_path / "old", tables())
    new = write_feed(tmp_path / "new", tables(routes=routes, prefix="k"))
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-2, -2, 9, 9)])
    run = cli("diff", old, new, "--built-up", polygon, "--city", "汕头", "--format", "json")
    assert run.exit_code == 1, run.output
    doc = json.loads(run.stdout)
    jsonschema.validate(doc, DIFF_SCHEMA)
    assert [(c["kind"], c["old"], c["new"]) for c in doc["changes"]] == [("route_renamed", "1路", "K1")]
    assert {m["how"] for m in doc["matches"] if m["name"] == "1路"} == {"terminals"}


def test_a_short_name_both_feeds_have_is_no_renumbering(tmp_path):
    """New 2路 runs 1路's stops and nothing runs 2路's: 2路 is still 2路 (its terminals moved), and 1路, whose
    terminals are those of the new 2路, is withdrawn, not renamed into a name the old feed already had."""
    routes = {"2路": (["A", "B", "C"], EVERY_15, True, "北环"), "3路": ROUTES["3路"]}
    found = kinds(diff(tmp_path, tables(), tables(routes=routes)))
    assert [c.subject["route"] for c in found["route_withdrawn"]] == ["1路"]
    assert "route_renamed" not in found and {c.subject["route"] for c in found["terminals_moved"]} == {"2路"}


def test_different_day_types_are_said_first(tmp_path, cli):
    """A Friday against a Sunday of the same feed (every 30 minutes on Sundays): each difference between the
    two days comes out as a change, so the result, the text and notice.html say first that the comparison
    mixes day types. The exit code is that of the changes, as before."""
    feed = tables(sunday=every_30())
    result = diff(tmp_path, feed, feed, date(2026, 1, 9), date(2026, 1, 11))
    assert (result.old["day_type"], result.new["day_type"]) == ("weekday", "sunday")
    (warning,) = result.warnings
    assert "different day types" in warning["en"] and "2026-01-09 (old feed) is a weekday" in warning["en"]
    assert "旧数据 2026-01-09 为工作日，新数据 2026-01-11 为周日" in warning["zh"]
    assert kinds(result)["trips_down"]  # the difference between the days, which the warning is about

    out = tmp_path / "out"
    run = cli("diff", tmp_path / "old" / "gtfs.zip", tmp_path / "old" / "gtfs.zip", "--built-up", tmp_path / "b.geojson",
              "--city", "汕头", "--old-date", "2026-01-09", "--new-date", "2026-01-11", "--out", out)
    assert run.exit_code == 1, run.output
    assert run.output.index("WARNING") < run.output.index("需公告的变更")
    assert run.output.rindex("WARNING") > run.output.rindex("•")  # and again where the list ends
    notice = (out / "notice.html").read_text(encoding="utf-8")
    assert 'class="warning"' in notice and notice.index("两个比较日的日期类型不同") < notice.index("<h2>")
    jsonschema.validate(json.loads((out / "diff.json").read_text(encoding="utf-8")), DIFF_SCHEMA)


def test_a_date_not_given_takes_the_day_type_of_the_other(tmp_path):
    """--old-date a Sunday and no --new-date: the new feed's Sunday (its busiest, ties to the earliest), not
    its busiest weekday; with neither date, both sides are weekdays, and the result says so."""
    feed = tables(sunday=every_30())
    result = diff(tmp_path / "one", feed, feed, old_date=date(2026, 1, 18))
    assert result.new["day_type"] == "sunday" and result.new["date"] == "2026-01-11"
    assert result.new["chosen_by"] == "same_day_type" and "Sunday" in result.new["why_en"]
    assert result.warnings == [] and result.changes == []
    result = diff(tmp_path / "other", feed, feed, new_date=date(2026, 1, 18))
    assert (result.old["date"], result.old["chosen_by"]) == ("2026-01-11", "same_day_type")
    result = diff(tmp_path / "none", feed, feed)
    assert result.old["day_type"] == result.new["day_type"] == "weekday" and result.warnings == []
    assert result.notices[0]["en"].startswith("Both dates are weekdays")


def test_a_feed_without_the_day_type_is_compared_with_a_warning(tmp_path, cli):
    """The new feed runs on Sundays only: no weekday to compare with the old feed's, so its busiest day (a
    Sunday) is taken and the result warns; nothing needs notice, so the exit code stays 0."""
    result = diff(tmp_path, tables(), tables(weekday=False, sunday=ROUTES))
    assert (result.old["day_type"], result.new["day_type"]) == ("weekday", "sunday")
    assert result.new["chosen_by"] == "busiest_day" and len(result.warnings) == 1
    assert not result.needs_notice
    run = cli("diff", tmp_path / "old" / "gtfs.zip", tmp_path / "new" / "gtfs.zip", "--built-up",
              tmp_path / "b.geojson", "--city", "汕头")
    assert run.exit_code == 0 and "WARNING" in run.output


def test_week_compares_each_day_type(tmp_path, cli):
    """3路 every 30 minutes on Sundays instead of every 15, and no Saturday service any more: a diff of one
    date (a weekday on each side) sees nothing; --week finds both, each saying its day."""
    sunday = dict(ROUTES)
    sunday["3路"] = every_30()["3路"]
    old = tables(saturday=ROUTES, sunday=ROUTES)
    new = tables(prefix="w", sunday=sunday)
    assert diff(tmp_path / "day", old, new).changes == []
    result = diff(tmp_path / "week", old, new, week=True)
    assert [(d["day_type"], d["old"]["date"], d["new"] and d["new"]["date"]) for d in result.days] == [
        ("weekday", "2026-01-05", "2026-01-05"), ("saturday", "2026-01-10", None), ("sunday", "2026-01-11", "2026-01-11")]
    found = kinds(result)
    (withdrawn,) = found["day_type_withdrawn"]
    assert withdrawn.needs_notice and withdrawn.subject["day_type"] == "saturday"
    assert withdrawn.message_zh.startswith("【周六】") and withdrawn.message_en.startswith("[Saturday]")
    (trips,) = found["trips_down"]
    assert (trips.old, trips.new) == (65, 33) and trips.subject["day_type"] == "sunday"
    assert trips.message_zh.startswith("【周日】3路 (0)") and trips.message_en.startswith("[Sunday] 3路 (0)")
    assert "offpeak_interval_longer" in found
    assert "peak_interval_longer" not in found  # a Sunday has no peak window unless the profile sets one
    assert {c.subject["day_type"] for c in result.changes} == {"saturday", "sunday"}
    assert {m.day_type for m in result.matches} == {"weekday", "sunday"}
    assert (result.old["date"], result.old["chosen_by"]) == ("2026-01-05", "busiest_weekday")

    added = kinds(diff(tmp_path / "back", new, old, week=True))["day_type_added"]
    assert [(c.subject["day_type"], c.needs_notice) for c in added] == [("saturday", False)]

    out = tmp_path / "out"
    args = [tmp_path / "week" / "old" / "gtfs.zip", tmp_path / "week" / "new" / "gtfs.zip", "--built-up",
            tmp_path / "week" / "b.geojson", "--city", "汕头"]
    run = cli("diff", *args, "--week", "--out", out)
    assert run.exit_code == 1, run.output
    assert "周日 Sunday: 2026-01-11 → 2026-01-11" in run.output and "周六 Saturday: 2026-01-10 → 无 none" in run.output
    doc = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, DIFF_SCHEMA)
    assert doc["schema_version"] == "1.1" and [d["day_type"] for d in doc["days"]] == ["weekday", "saturday", "sunday"]
    assert "【周日】3路 (0) 日班次由 65 减至 33" in (out / "notice.html").read_text(encoding="utf-8")
    assert "day_type" in (out / "changes.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    lost = json.loads((out / "coverage_lost.geojson").read_text(encoding="utf-8"))
    assert all(f["properties"]["day_type"] in ("weekday", "sunday") for f in lost["features"])
    assert cli("diff", *args, "--week", "--old-date", "2026-01-05").exit_code == 2


def test_week_from_the_api(tmp_path):
    import checker

    old = write_feed(tmp_path / "old", tables(sunday=ROUTES))
    new = write_feed(tmp_path / "new", tables(prefix="a", sunday=every_30()))
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-2, -2, 9, 9)])
    compared = checker.diff(old, new, polygon, "汕头", week=True)
    changes = compared.diff.result.changes
    assert compared.needs_notice and {c.subject["day_type"] for c in changes} == {"sunday"}
    assert jsonschema.validate(json.loads(compared.to_json()), DIFF_SCHEMA) is None


@pytest.mark.shared
def test_real_feed_against_an_altered_copy(tmp_path):
    """Cairns (2014) against a copy with every route_id, trip_id and stop_id renamed, rows reversed, and two
    documented changes: route 111's trips all removed; every second trip of route 110 removed."""
    import io
    import zipfile

    import polars as pl

    source = shared_path("cairns", "cairns_gtfs.zip")
    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    frames = {name: pl.read_csv(io.BytesIO(data), infer_schema_length=0) for name, data in files.items()
              if name.endswith(".txt")}
    routes = frames["routes.txt"]
    gone = routes.filter(pl.col("route_short_name") == "111")["route_id"].to_list()
    halved = routes.filter(pl.col("route_short_name") == "110")["route_id"].to_list()
    trips = frames["trips.txt"].filter(~pl.col("route_id").is_in(gone))
    thin = trips.filter(pl.col("route_id").is_in(halved)).sort("trip_id").gather_every(2, offset=1)["trip_id"]
    trips = trips.filter(~pl.col("trip_id").is_in(thin.implode()))
    frames["trips.txt"] = trips
    frames["stop_times.txt"] = frames["stop_times.txt"].filter(pl.col("trip_id").is_in(trips["trip_id"].implode()))
    renamed = {}
    for name, frame in frames.items():
        for column in ("route_id", "trip_id", "stop_id", "parent_station"):
            if column in frame.columns:
                frame = frame.with_columns(pl.when(pl.col(column).is_not_null())
                                           .then(pl.lit("v2-") + pl.col(column)).alias(column))
        renamed[name] = frame.reverse() if name != "stop_times.txt" else frame
    new = tmp_path / "new"
    new.mkdir()
    for name, frame in renamed.items():
        frame.write_csv(new / name)
    hull = pl.read_csv(io.BytesIO(files["stops.txt"]), infer_schema_length=0)
    lons, lats = hull["stop_lon"].cast(pl.Float64), hull["stop_lat"].cast(pl.Float64)
    ring = [[lons.min(), lats.min()], [lons.max(), lats.min()], [lons.max(), lats.max()], [lons.min(), lats.max()],
            [lons.min(), lats.min()]]
    polygon = write_polygon(tmp_path / "b.geojson", [ring])
    profile = tmp_path / "p.toml"
    profile.write_text('tier = "prefecture"\n', encoding="utf-8")
    base = AuditRequest(feed=source, built_up=polygon, city="Cairns", profile=profile)
    day = date(2014, 5, 30)
    result = run_diff(*requests_for(base, source, new, day, day)).result
    found = kinds(result)
    withdrawn = {c.subject["route"] for c in found.get("route_withdrawn", [])}
    assert withdrawn == {"111"}
    fewer = {c.subject["route"] for c in found.get("trips_down", [])}
    assert fewer == {"110"}
    unexpected = set(found) - {"route_withdrawn", "trips_down", "stop_unserved", "coverage_lost", "rule_now_fails",
                               "peak_interval_longer", "offpeak_interval_longer", "first_departure_later",
                               "last_departure_earlier"}
    assert not unexpected, unexpected
    assert all(c.subject.get("route") in (None, "110", "111") for c in result.changes)


def test_the_two_audits_run_side_by_side_and_the_old_sides_error_comes_first(tmp_path):
    """The new feed is audited in a second thread; its errors reach the caller, the old feed's first."""
    from checker.errors import InputError

    good = write_feed(tmp_path / "good", feed_tables())
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-2, -2, 9, 9)])
    for old, new, named in ((good, broken, "broken.zip"), (broken, tmp_path / "missing.zip", "broken.zip")):
        base = AuditRequest(feed=old, built_up=polygon, city="汕头")
        with pytest.raises(InputError) as error:
            run_diff(*requests_for(base, old, new, date(2026, 1, 5), date(2026, 1, 5)))
        assert named in error.value.message()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8),
       st.lists(st.tuples(st.integers(0, 7), st.integers(0, 5)), max_size=60), st.data())
def test_each_routes_stops_are_every_stop_its_trips_call_at_once(stops_count, trips_count, visits, data):
    """_route_stops packs each call into one integer (route number x stops + stop row): against sets."""
    import numpy as np
    import polars as pl

    from checker.compare.side import _route_stops
    from checker.load.stop_times import StopTimes

    visits = sorted((trip % trips_count, stop % stops_count) for trip, stop in visits)  # grouped by trip
    routes = data.draw(st.lists(st.sampled_from(["r1", "r10", "r2", None]), min_size=trips_count,
                                max_size=trips_count))  # None: not a basic trip that day (or untimed)
    trip_ends = pl.DataFrame({"trip_id": [f"t{i}" for i in range(trips_count)],
                              "trip_idx": pl.Series(range(trips_count), dtype=pl.UInt32)})
    stop_times = StopTimes(trip_ends, np.array([t for t, _ in visits], dtype=np.uint32),
                           np.array([s for _, s in visits], dtype=np.uint32))
    trips = pl.DataFrame({"trip_idx": [None if r is None else i for i, r in enumerate(routes)], "route_id": routes},
                         schema={"trip_idx": pl.UInt32, "route_id": pl.String})
    stops = pl.DataFrame({"stop_id": [f"s{9 - i}" for i in range(stops_count)],
                          "stop_name": [f"name {i}" for i in range(stops_count)],
                          "x": [float(i) for i in range(stops_count)], "y": [-float(i) for i in range(stops_count)]})
    found = _route_stops(stop_times, trips, stops)
    expected = sorted({(routes[t], f"s{9 - s}", f"name {s}", float(s), -float(s)) for t, s in visits
                       if routes[t] is not None})
    assert found.columns == ["route_id", "stop_id", "stop_name", "x", "y"]
    assert found.rows() == expected


def test_routes_of_one_short_name_are_matched_in_turn():
    """Two old routes named 5路 and two new ones: the first takes the new route of its long name, the second
    the one left, alone under its short name now (the index drops a route once matched); a route without a
    short name is matched by its long name."""
    import polars as pl

    from checker.compare.match import match_routes
    from checker.compare.side import Side

    def side(rows: list[tuple[str, str, str]]) -> Side:
        routes = pl.DataFrame({"route_id": [r[0] for r in rows], "short": [r[1] for r in rows],
                               "long": [r[2] for r in rows], "name": [r[1] for r in rows],
                               "status": ["basic"] * len(rows), "running": [True] * len(rows)})
        directions = pl.DataFrame(schema={"route_id": pl.String, "direction_id": pl.Int64, "ox": pl.Float64,
                                          "oy": pl.Float64, "dx": pl.Float64, "dy": pl.Float64})
        return Side(None, routes, directions, pl.DataFrame(), {})  # type: ignore[arg-type]

    old = side([("a", "5路", "东站-西站"), ("b", "5路", "南站-北站"), ("c", "", "环线")])
    new = side([("w", "", "环线"), ("x", "5路", "东站-西站"), ("y", "5路", "南站-北站")])
    matches, unmatched_old, unmatched_new = match_routes(old, new)
    assert [(m.old_route_id, m.new_route_id, m.how) for m in matches] == [
        ("a", "x", "short_and_long_name"), ("b", "y", "short_name"), ("c", "w", "long_name")]
    assert unmatched_old == unmatched_new == []


# a sliver of the area a --week diff found lost (the small bench feed against a thinned copy), in the audit's
# local metres: valid there, crossing itself once projected to WGS-84
SLIVER_CRS = "+proj=laea +lat_0=23.130000 +lon_0=113.258698 +datum=WGS84 +units=m +no_defs +type=crs"
SLIVER = ("POLYGON ((-5308.209185 -2538.682751, -5343.972977 -2452.154951, -5319.359871 -2433.900627, "
          "-5277.239294 -2408.654525, -5232.84699 -2387.658529, -5186.610478 -2371.11484, -5138.975043 -2359.182785, "
          "-5090.39944 -2351.977275, -5041.351478 -2349.567703, -4992.303516 -2351.977275, -4943.727913 -2359.182785, "
          "-4936.188771 -2361.071242, -4944.849393 -2326.496098, -4932.917338 -2374.131533, -4916.37365 -2420.368044, "
          "-4904.867528 -2444.695694, -4914.947489 -2458.286948, -4936.7732 -2494.700947, -4950.839072 -2494.009935, "
          "-4999.887034 -2496.419507, -5048.462637 -2503.625017, -5096.098072 -2515.557072, -5142.334583 -2532.100761, "
          "-5186.726888 -2553.096757, -5228.847464 -2578.342859, -5268.290667 -2607.595932, -5271.081562 -2610.125452, "
          "-5066.502172 -3003.786649, -5308.209185 -2538.682751))")


def test_a_week_diffs_areas_are_unioned_in_metres():
    """Each day type losing the same sliver: the union is made in metres and then projected, since the
    sliver's WGS-84 copy crosses itself and GEOS refuses to union it (an internal error before)."""
    import shapely
    from pyproj import CRS, Transformer

    from checker.compare.run import union_in_metres
    from checker.load.polygons import project

    sliver = shapely.from_wkt(SLIVER)
    back = Transformer.from_crs(CRS.from_user_input(SLIVER_CRS), 4326, always_xy=True)
    assert shapely.is_valid(sliver) and not shapely.is_valid(project(sliver, back))
    local, wgs84 = union_in_metres([sliver, sliver, sliver], back)
    assert local.area == pytest.approx(sliver.area, rel=1e-12)
    assert shapely.equals_exact(wgs84, project(local, back), tolerance=0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), max_size=25),
       st.lists(st.tuples(st.integers(-5, 5), st.integers(-5, 5)), max_size=25), st.sampled_from([0, 10, 30]))
def test_a_stop_is_kept_when_a_new_stop_lies_within_30m(old, new, metres):
    """any_within against every distance: a point on a target found by lookup, the others by distance (an
    exact 30 m counts; an infinite position, from the far side of the earth, is near nothing)."""
    import numpy as np

    from checker.compare.match import any_within

    points = np.array(old, dtype=float).reshape(-1, 2) * 10
    targets = np.array(new, dtype=float).reshape(-1, 2) * 10
    expected = [any(np.hypot(*(p - t)) <= metres for t in targets) for p in points]
    assert any_within(points, targets, metres).tolist() == expected
    far = np.array([[np.inf, 0.0], [np.nan, 0.0]])
    assert not any_within(far, np.vstack([targets, far]), metres).any()
