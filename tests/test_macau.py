"""Macau end to end (skipped without ../shared): DSAT's published schedules converted with `buscheck convert
macau`, audited with a profile and a built-up stand-in made from DSAT's poles; the published first and last
buses and interval ranges come out unchanged in the audit's route table."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.conftest import REPO, shared_path

pytestmark = pytest.mark.shared
MONDAY = "2026-03-02"
H = 3600


def _clock(text):
    hours, minutes = (int(x) for x in text.split(":"))
    return hours * H + minutes * 60


def _hm(seconds):
    return f"{seconds // H:02d}:{seconds % H // 60:02d}"


@pytest.fixture(scope="module")
def macau(tmp_path_factory):
    from typer.testing import CliRunner

    from checker.cli import app

    folder = shared_path("macau_bus")
    tmp = tmp_path_factory.mktemp("macau")
    runner = CliRunner()
    converted = runner.invoke(app, ["convert", "macau", str(folder), "--out", str(tmp / "macau.zip"),
                                    "--start-date", "2026-01-05", "--end-date", "2026-12-31",
                                    "--table-out", str(tmp / "table")])
    assert converted.exit_code == 0, converted.stderr
    spec = importlib.util.spec_from_file_location("make_built_up", REPO / "sample_feeds" / "macau" / "make_built_up.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    polygon = tmp / "built_up.geojson"
    polygon.write_text(json.dumps(maker.built_up(folder / "BUS_POLE.csv")), encoding="utf-8")
    audited = runner.invoke(app, ["audit", str(tmp / "macau.zip"), "--built-up", str(polygon), "--city", "澳门",
                                  "--profile", str(REPO / "sample_feeds" / "macau" / "profile.toml"),
                                  "--date", MONDAY, "--format", "json"])
    assert audited.exit_code == 1, audited.stderr  # some routes fail: see the README
    metadata = json.loads((folder / "route-metadata.json").read_text(encoding="utf-8"))["routes"]
    stops = json.loads((folder / "route-stops.json").read_text(encoding="utf-8"))
    return {"doc": json.loads(audited.stdout), "stdout": converted.stdout, "metadata": metadata, "stops": stops,
            "table": tmp / "table", "zip": tmp / "macau.zip"}


def _route(doc, route, direction):
    return next((r for r in doc["metrics"]["routes"] if r["route_id"] == route and r["direction_id"] == direction),
                None)


def test_route_1_as_published(macau):
    """Route 1, 關閘 ⇌ 媽閣, weekdays: direction 0 06:00-01:15 with 4-8, 10-12, 4-8, 10-12 min;
    direction 1 05:45-00:45 likewise (route-metadata.json)."""
    doc = macau["doc"]
    out = _route(doc, "1", 0)
    assert (out["first_departure"], out["last_departure"]) == ("06:00:00", "25:15:00")
    assert [(p["start"], p["end"], p["min"], p["max"]) for p in out["published_intervals"]] == [
        ("06:00", "10:00", 4, 8), ("10:00", "15:00", 10, 12), ("15:00", "20:00", 4, 8), ("20:00", "25:15", 10, 12)]
    back = _route(doc, "1", 1)
    assert (back["first_departure"], back["last_departure"]) == ("05:45:00", "24:45:00")
    peak = next(f for f in doc["findings"] if f["rule"] == "GD-FREQ-PEAK" and f["subject"]["route_id"] == "1"
                and f["subject"]["direction_id"] == 0)
    assert peak["status"] == "pass" and peak["value"] == 8
    assert "Published interval 4–8 min (06:00–10:00), judged at 8 min" in peak["message_en"]


def test_published_first_last_and_ranges_come_out_unchanged(macau):
    """Every route-direction whose weekday schedule is consistent in the source (no blank or conflicting
    period, first and last bus at the ends of the periods) keeps its first and last bus and every range."""
    doc, compared = macau["doc"], 0
    for route, entry in macau["metadata"].items():
        if route not in macau["stops"]:
            continue
        for direction, schedule in entry["schedule"].items():
            periods = [p for p in schedule.get("periods", []) if p["d"] == "weekdays"]
            if not periods or any(not p["f"] for p in periods) or "weekdays" in schedule.get("hours", {}):
                continue
            first = _clock(schedule["first"])
            on_day = [(_clock(p["s"]) + (24 * H if _clock(p["s"]) < first else 0), p) for p in periods]
            bands = []
            for start, p in sorted(on_day, key=lambda x: x[0]):
                end = _clock(p["e"]) + (24 * H if _clock(p["e"]) <= first else 0)
                low, high = (float(x) for x in (p["f"].split("-") * 2)[:2]) if "-" in p["f"] else (float(p["f"]),) * 2
                bands.append((start, end, low, high))
            last = _clock(schedule["last"]) + (24 * H if _clock(schedule["last"]) < first else 0)
            overlapping = any(b[0] < a[1] for a, b in zip(bands, bands[1:], strict=False))
            if overlapping or bands[0][0] != first or bands[-1][1] != last:
                continue
            out = _route(doc, route, int(direction))
            assert out is not None, (route, direction)
            assert (out["first_departure"][:5], out["last_departure"][:5]) == (_hm(first), _hm(last)), route
            assert [(p["start"], p["end"], p["min"], p["max"]) for p in out["published_intervals"]] == \
                   [(_hm(s), _hm(e), lo, hi) for s, e, lo, hi in bands], route
            compared += 1
    assert compared >= 50, compared


def test_what_the_audit_says(macau):
    import jsonschema

    from tests.conftest import SCHEMA

    doc = macau["doc"]
    jsonschema.validate(doc, SCHEMA)
    assert doc["city"]["name"] == "澳门" and doc["tier"]["id"] == "large"
    assert len(doc["metrics"]["routes"]) >= 80
    assert doc["metrics"]["coverage"]["ratio"] > 0.95  # the polygon is the poles' own footprint: see the README
    notices = " ".join(n["en"] for n in doc["notices"])
    assert "feed was converted" not in notices  # converted beforehand with `convert macau`, not on the fly
    by_rule = {}
    for f in doc["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    assert all("interval_reading" in f["detail"] for f in by_rule["GD-FREQ-PEAK"] if f["status"] in ("pass", "fail"))
    assert "Macau DSAT data" in macau["stdout"]


def test_the_converted_feed_breaks_no_mobilitydata_rule(macau):
    from tests.test_convert import ACCEPTED_INFOS, ACCEPTED_WARNINGS, validator_codes

    errors, warnings, infos = validator_codes(macau["zip"])
    assert not errors and warnings <= ACCEPTED_WARNINGS and infos <= ACCEPTED_INFOS


def test_the_table_as_read_is_the_documented_format(macau):
    """--table-out writes the routes, intervals and stops as read: a city's template, and a service table
    buscheck reads back."""
    from checker.load.service_table import read_service_table

    table = read_service_table(macau["table"])
    assert len({r.route for r in table.routes}) >= 70
