"""Night routes: told apart by name, list or timetable, exempt from the day rules, judged by the city's own."""

import json

import pytest

from checker.metrics import route_kinds
from tests.conftest import feed_tables


def night_reason(row, listed):
    return route_kinds.night_reason(row["route_id"], row["route_short_name"], row["route_long_name"],
                                    row["first_departure_s"], row["last_departure_s"], listed)


def _row(short="1路", long="", first="06:00", last="22:00", route_id="R1"):
    h1, m1 = map(int, first.split(":"))
    h2, m2 = map(int, last.split(":"))
    return {"route_id": route_id, "route_short_name": short, "route_long_name": long,
            "first_departure_s": h1 * 3600 + m1 * 60, "last_departure_s": h2 * 3600 + m2 * 60}


@pytest.mark.parametrize("row, night", [
    (_row(short="夜12路"), True),
    (_row(long="通宵快线"), True),
    (_row(short="N8"), True),
    (_row(first="22:30", last="29:00"), True),
    (_row(first="00:30", last="04:30"), True),
    (_row(first="05:30", last="24:30"), False),
    (_row(short="8路"), False),
])
def test_night_reason(row, night):
    assert (night_reason(row, set()) is not None) == night


def test_listed_in_profile():
    assert night_reason(_row(short="88路"), {"88路"}).en == "listed in the city profile"


def _audit(cli, audit_args, tmp_path, profile_text: str):
    tables = feed_tables(routes={"R1": list(range(360, 1261, 15)), "N1": list(range(1350, 1741, 30))})
    tables["routes.txt"] = tables["routes.txt"].replace("N1,N1,Route N1", "N1,夜1路,Route N1")
    profile = tmp_path / "p.toml"
    profile.write_text(profile_text, encoding="utf-8")
    doc = json.loads(cli(*audit_args(tables), "--profile", profile, "--format", "json").stdout)
    return {(f["rule"], f["subject"].get("route_id")): f for f in doc["findings"]}


def test_night_route_is_exempt_from_day_rules_and_not_assessed_without_settings(cli, audit_args, tmp_path):
    found = _audit(cli, audit_args, tmp_path, "")
    for rule in ("GD-FREQ-PEAK", "GD-FREQ-OFFPEAK", "GD-SPAN-FIRST", "GD-SPAN-LAST"):
        assert found[(rule, "N1")]["status"] == "exempt"
        assert found[(rule, "R1")]["status"] == "pass"
    assert found[("GD-NIGHT", "N1")]["status"] == "not_assessed"


def test_night_route_judged_by_the_city_settings(cli, audit_args, tmp_path):
    # N1 leaves 22:30 .. 29:00 every 30 min
    found = _audit(cli, audit_args, tmp_path,
                   'night_first_by = "23:00"\nnight_last_from = "28:00"\nnight_max_headway_min = 30\n')
    assert found[("GD-NIGHT", "N1")]["status"] == "pass"
    found = _audit(cli, audit_args, tmp_path, "night_max_headway_min = 20\n")
    assert found[("GD-NIGHT", "N1")]["status"] == "fail"
    assert "30 min over 20" in found[("GD-NIGHT", "N1")]["message_en"]
