"""Art. 10(4), hub clause, judged through the whole audit on hand-built timetables.

The hub lies at stop B (1 km east of A). Each route runs A->B (direction 0, 10 minutes) and B->A (direction 1),
so direction 1 leaves the hub and direction 0 reaches it.
"""

import json

import pytest

from tests.conftest import at, feed_tables, timetable


def _tables(routes: dict[str, tuple[list[float], list[float]]], names: dict[str, str] | None = None,
            far: set[str] = frozenset()) -> dict[str, str]:
    """Each route: (departures A->B, departures B->A) in minutes; routes in `far` run C->D, 3 km away."""
    trips, times = [], []
    for route_id, (outbound, inbound) in routes.items():
        ends = ("C", "D") if route_id in far else ("A", "B")
        for direction, departures, stops in ((0, outbound, ends), (1, inbound, ends[::-1])):
            t, s = timetable(route_id, departures, direction, stops=stops)
            trips += t
            times += s
    names = names or {}
    stops = {"A": (0, 0), "B": (1, 0), "C": (0, 3), "D": (1, 3)}
    return feed_tables(
        routes={}, stops=stops,
        **{"routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
           + "".join(f"{r},{names.get(r, r)},,3\n" for r in routes),
           "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(trips) + "\n",
           "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n"},
    )


def _hubs_csv(tmp_path, first="06:30", last="23:30", where=(1.1, 0.0), mode="rail", extra_rows=""):
    lon, lat = at(*where)
    path = tmp_path / "hubs.csv"
    path.write_text("name,mode,lat,lon,first_departure,last_arrival\n"
                    f"火车站,{mode},{lat:.7f},{lon:.7f},{first},{last}\n{extra_rows}", encoding="utf-8")
    return path


def _hub_findings(cli, audit_args, tables, hubs, **extra) -> dict[tuple, dict]:
    doc = json.loads(cli(*audit_args(tables, hubs=hubs, **extra), "--format", "json").stdout)
    return {(f["subject"].get("route_id"), f["subject"].get("direction_id")): f
            for f in doc["findings"] if f["rule"] == "GD-HUB-ALIGN"}


def _day(first: float, last: float, step: float = 20) -> list[float]:
    values, t = [], first
    while t < last:
        values.append(t)
        t += step
    return values + [last]


def _profile(tmp_path, text: str):
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_last_buses_at_2350_and_2310_against_a_last_train_at_2330(tmp_path, cli, audit_args):
    tables = _tables({"R1": (_day(345, 1400), _day(360, 1430)), "R2": (_day(345, 1400), _day(360, 1390))})
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path),
                          profile=_profile(tmp_path, "hub_grace_min = 20\n"))
    assert (found[("R1", 1)]["status"], found[("R1", 1)]["value"], found[("R1", 1)]["threshold"]) == \
        ("pass", "23:50", "23:50")
    r2 = found[("R2", 1)]
    assert (r2["status"], r2["value"]) == ("fail", "23:10")
    assert r2["detail"]["add_departures"] == ["23:50"]
    assert "火车站" in r2["message_zh"] and "23:50" in r2["message_en"]


def test_default_grace_of_30_minutes(tmp_path, cli, audit_args):
    tables = _tables({"R1": (_day(345, 1400), _day(360, 1430))})
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path))
    assert (found[("R1", 1)]["status"], found[("R1", 1)]["threshold"]) == ("fail", "24:00")
    assert found[("R1", 1)]["detail"]["add_departures"] == ["24:00"]


def test_first_bus_must_arrive_30_minutes_before_the_first_train(tmp_path, cli, audit_args):
    # first train 06:30: R1 leaves A 05:45 and reaches the hub 05:55; R2 leaves 06:00, arrives 06:10
    tables = _tables({"R1": (_day(345, 1400), _day(360, 1440)), "R2": (_day(360, 1400), _day(360, 1440))})
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path))
    assert (found[("R1", 0)]["status"], found[("R1", 0)]["value"]) == ("pass", "05:55")
    r2 = found[("R2", 0)]
    assert (r2["status"], r2["value"], r2["threshold"]) == ("fail", "06:10", "06:00")
    assert r2["detail"]["add_departures"] == ["05:50"]  # 10 minutes' run to arrive by 06:00


def test_a_night_line_at_the_hub_exempts_the_other_routes(tmp_path, cli, audit_args):
    night = (_day(23 * 60, 29 * 60, 30), _day(23 * 60, 29 * 60, 30))  # 23:00-05:00, both ways
    tables = _tables({"R1": (_day(400, 1300), _day(400, 1300)), "N1": night}, names={"N1": "夜1路"})
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path))
    for key in (("R1", 0), ("R1", 1)):
        assert found[key]["status"] == "exempt"
        assert found[key]["detail"]["exempted_by"].startswith("夜1路")
        assert "夜1路" in found[key]["message_zh"]
    assert ("N1", 0) not in found  # the night line is what exempts; it is judged by GD-NIGHT


def test_a_night_line_that_stops_too_early_exempts_under_the_text_not_under_the_stricter_reading(
        tmp_path, cli, audit_args):
    night = (_day(22 * 60, 23 * 60 + 20, 20), _day(22 * 60, 23 * 60 + 20, 20))  # ends 23:20, train until 23:30
    tables = _tables({"R1": (_day(400, 1300), _day(400, 1300)), "N1": night}, names={"N1": "夜1路"})
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path))
    # 该起讫点没有夜班线路或专班专线的: the terminal has a night line, so the clause does not apply
    assert found[("R1", 1)]["status"] == "exempt"
    assert "does not meet this time" in found[("R1", 1)]["message_en"]
    strict = _profile(tmp_path, 'hub_exemption = "meets"\n')
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path), profile=strict)
    assert found[("R1", 1)]["status"] == "fail"
    assert found[("R1", 0)]["status"] == "fail"


def test_a_dedicated_line_from_the_profile_exempts(tmp_path, cli, audit_args):
    tables = _tables({"R1": (_day(400, 1300), _day(400, 1300)), "X9": (_day(340, 1450), _day(340, 1450))})
    profile = _profile(tmp_path, 'dedicated_routes = ["X9"]\n')
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path), profile=profile)
    assert found[("R1", 1)]["status"] == "exempt"
    assert "dedicated" in found[("R1", 1)]["message_en"]


def test_routes_ending_beyond_the_distance_are_not_at_the_hub(tmp_path, cli, audit_args):
    tables = _tables({"R1": (_day(400, 1300), _day(400, 1300))}, far={"R1"})
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path))
    assert list(found.values())[0]["status"] == "info"  # no basic route at a hub: nothing to judge
    assert list(found.values())[0]["subject"]["type"] == "city"
    # 3 km away: a 3.5 km reach (profile) brings the route in
    found = _hub_findings(cli, audit_args, tables, _hubs_csv(tmp_path),
                          profile=_profile(tmp_path, "hub_distance_m = 3500\n"))
    assert found[("R1", 1)]["status"] == "fail"


def test_hub_summary_names_the_gap(tmp_path, cli, audit_args):
    tables = _tables({"R1": (_day(400, 1300), _day(400, 1300))})
    doc = json.loads(cli(*audit_args(tables, hubs=_hubs_csv(tmp_path)), "--format", "json").stdout)
    hub = doc["metrics"]["hubs"]["hubs"][0]
    assert (hub["bus_last_leave_by"], hub["bus_first_arrive_by"]) == ("24:00", "06:00")
    assert hub["last_gap_min"] == 140  # last bus 21:40, needed 24:00
    assert hub["first_gap_min"] == 50  # first arrival 06:50, needed 06:00
    assert hub["leaving"][0]["terminal_distance_m"] == pytest.approx(100, abs=0.5)  # B is 100 m from the hub


@pytest.mark.parametrize("option", ["hubs", "facilities"])
def test_rules_without_their_input_are_not_assessed(cli, audit_args, option):
    doc = json.loads(cli(*audit_args(), "--format", "json").stdout)
    rule = {"hubs": "GD-HUB-ALIGN", "facilities": "GD-PRIORITY"}[option]
    found = [f for f in doc["findings"] if f["rule"] == rule]
    assert [f["status"] for f in found] == ["not_assessed"]
    assert f"--{option}" in found[0]["message_en"]
    assert doc["metrics"][{"hubs": "hubs", "facilities": "priority"}[option]] is None


def test_a_bad_hub_file_is_exit_2_with_the_row_named(tmp_path, cli, audit_args):
    hubs = _hubs_csv(tmp_path, mode="spaceport")
    result = cli(*audit_args(hubs=hubs))
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "field mode" in result.stderr and "Traceback" not in result.stderr


def test_hubs_from_a_rail_gtfs_zip(tmp_path, cli, audit_args):
    from tests.conftest import write_feed

    lon, lat = at(1.05, 0)
    rail = write_feed(tmp_path / "rail", {
        "routes.txt": "route_id,route_type\nIC,2\n",
        "stops.txt": f"stop_id,stop_name,stop_lat,stop_lon\nRS,城际站,{lat},{lon}\nFAR,远站,{lat + 0.5},{lon}\n",
        "trips.txt": "route_id,service_id,trip_id\nIC,WD,t1\nIC,WD,t2\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "t1,06:30:00,06:30:00,RS,1\nt1,07:30:00,07:30:00,FAR,2\n"
                          "t2,22:00:00,22:00:00,FAR,1\nt2,23:00:00,23:00:00,RS,2\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WD,1,1,1,1,1,0,0,20260105,20260130\n",
    })
    tables = _tables({"R1": (_day(345, 1400), _day(360, 1410))})  # last bus leaves the station 23:30
    found = _hub_findings(cli, audit_args, tables, rail)
    assert (found[("R1", 1)]["status"], found[("R1", 1)]["threshold"]) == ("pass", "23:30")  # 23:00 + 30
    assert (found[("R1", 0)]["status"], found[("R1", 0)]["threshold"]) == ("pass", "06:00")  # 06:30 - 30
