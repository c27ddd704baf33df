"""The bundled sample city: its story holds, and its whole result matches the reviewed golden JSON.

After an intended change, rewrite the golden file with BUSCHECK_UPDATE_GOLDEN=1 make test and review the diff.
"""

import json
import os

import pytest

from checker.pipeline import AuditRequest, run_audit
from checker.report.document import result_json
from tests.conftest import REPO

SAMPLE = REPO / "sample_feeds" / "sample_city"
GOLDEN = REPO / "tests" / "golden" / "sample_city.json"


@pytest.fixture(scope="module")
def doc():
    cwd = os.getcwd()
    os.chdir(REPO)  # relative paths in the document, as `make demo` gives them
    try:
        request = AuditRequest(
            feed=SAMPLE.relative_to(REPO) / "gtfs.zip",
            built_up=SAMPLE.relative_to(REPO) / "built_up.geojson",
            city="示例市",
            profile=SAMPLE.relative_to(REPO) / "profile.toml",
            districts=SAMPLE.relative_to(REPO) / "districts.geojson",
            hubs=SAMPLE.relative_to(REPO) / "hubs.csv",
            facilities=SAMPLE.relative_to(REPO) / "facilities.csv",
        )
        return json.loads(result_json(run_audit(request).result))  # through the real serialiser
    finally:
        os.chdir(cwd)


def _statuses(doc, rule):
    return {(f["subject"]["route_short_name"], f["subject"]["direction_id"]): f["status"]
            for f in doc["findings"] if f["rule"] == rule}


def test_the_sample_city_hubs_and_priority_story(doc):
    hubs = {(f["subject"]["hub"].split()[0], f["subject"]["route_short_name"], f["subject"]["direction_id"]):
            (f["status"], f["value"], f["detail"].get("add_departures")) for f in doc["findings"]
            if f["rule"] == "GD-HUB-ALIGN"}
    assert hubs == {
        ("示例市火车站", "1路", 1): ("exempt", "22:30", None),  # the night route leaves the station after 23:40
        ("示例市火车站", "1路", 0): ("exempt", "06:38", None),  # ... and reaches it at 05:08, before 06:00
        ("示例市汽车客运站", "2路", 1): ("fail", "21:00", ["22:00"]),  # last coach 21:30 + 30 min
        ("示例市汽车客运站", "2路", 0): ("fail", "06:43", ["05:42"]),  # arrive by 06:10, 28 min from the origin
        ("示例港客运码头", "6路", 0): ("pass", "19:30", None),
        ("示例港客运码头", "6路", 1): ("pass", "06:28", None),
    }
    levels = {f["subject"]["level"]: (f["status"], f["value"], [u["name"].split()[0] for u in f["detail"]["uncovered"]])
              for f in doc["findings"] if f["rule"] == "GD-PRIORITY"}
    # Art. 11 is an order: level 1 (83%) is served at least as well as level 2 (67%) and the built-up area (80%);
    # level 2 is served worse than the built-up area as a whole, so it fails
    assert levels == {1: ("pass", round(5 / 6, 6), ["东湾新村"]), 2: ("fail", round(2 / 3, 6), ["湖滨公园"])}
    level1 = doc["metrics"]["priority"]["levels"][0]
    assert level1["out_of_scope"] == 1  # the rural school lies outside the built-up area
    estate = level1["uncovered"][0]
    assert estate["nearest_stop_name"].startswith("5路") and estate["distance_m"] == pytest.approx(608.3, abs=1)


def test_the_sample_city_tells_its_story(doc):
    day = doc["service_date"]
    # 830 trips run that day, 822 of them on basic routes (the custom route K1's 8 are not counted)
    assert (day["date"], day["chosen_by"], day["trips"], day["basic_trips"]) == ("2026-01-02", "busiest_weekday", 830, 822)
    failing = {rule: sorted({name for (name, _), s in _statuses(doc, rule).items() if s == "fail"})
               for rule in ("GD-FREQ-PEAK", "GD-FREQ-OFFPEAK", "GD-SPAN-FIRST", "GD-SPAN-LAST")}
    assert failing == {"GD-FREQ-PEAK": ["3路", "5路", "8路"], "GD-FREQ-OFFPEAK": ["11路"],
                       "GD-SPAN-FIRST": ["8路"], "GD-SPAN-LAST": ["6路"]}
    assert doc["inputs"]["custom_routes_excluded"] == ["K1"]
    assert "K1" not in {r["route_id"] for r in doc["metrics"]["routes"]}
    late = [r for r in doc["metrics"]["routes"] if r["route_id"] == "R9"]
    assert {r["last_departure"] for r in late} == {"24:30:00"}
    assert not any(r["night"] for r in late)  # a day route that runs late is still a day route
    assert _statuses(doc, "GD-NIGHT") == {("夜1路", 0): "pass", ("夜1路", 1): "pass"}
    assert _statuses(doc, "GD-SPAN-LAST")[("夜1路", 0)] == "exempt"
    fixes = {f["subject"]["route_short_name"]: f["detail"]["add_departures"]
             for f in doc["findings"] if f["status"] == "fail" and "add_departures" in f["detail"]}
    assert fixes["8路"] == ["07:30"] and fixes["6路"] == ["20:00"] and fixes["11路"] == ["12:00"]
    coverage = doc["metrics"]["coverage"]
    assert 0.6 < coverage["ratio"] < 0.9  # above the 60% tier minimum, below the city's own 90% target
    cov = next(f for f in doc["findings"] if f["rule"] == "GD-COV-500")
    assert (cov["status"], cov["threshold"]) == ("fail", 0.9)


def test_districts_add_up_to_the_city(doc):
    coverage = doc["metrics"]["coverage"]
    districts = coverage["districts"]
    assert [d["name"] for d in districts][0] == "东区 East district"  # the half-served industrial park
    assert sum(d["built_up_km2"] for d in districts) == pytest.approx(coverage["built_up_km2"], abs=3e-4)
    assert sum(d["covered_km2"] for d in districts) == pytest.approx(coverage["covered_km2"], abs=3e-4)  # 4 decimals each


def test_built_up_area_matches_its_construction(doc):
    # 8 km x 6 km minus a 1 km x 0.8 km lake, plus a 2 km x 2 km industrial park
    assert doc["metrics"]["coverage"]["built_up_km2"] == pytest.approx(48 - 0.8 + 4, rel=2e-3)


def test_valid_against_the_schema(doc):
    import jsonschema

    from tests.conftest import SCHEMA

    jsonschema.validate(doc, SCHEMA)


def test_golden(doc):
    doc = {**doc, "provenance": {**doc["provenance"], "generated_at": "(the time of the run)"}}
    if os.environ.get("BUSCHECK_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert _approx(doc) == expected


def _approx(value):
    """Floats compared to 1e-6 relative, so a GEOS or PROJ update does not fail the golden on the 7th digit."""
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-6, abs=1e-9)
    if isinstance(value, dict):
        return {k: _approx(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_approx(v) for v in value]
    return value


def test_findings_made_plain_in_one_pass_are_plain_finding_by_finding():
    """result.json's findings come from orjson in one pass (plain_findings): for every finding of the sample
    city over a week (clock times, hubs' minutes, remedies, exemptions) they equal `plain` of each."""
    import math

    from checker.report.document import plain, plain_findings

    request = AuditRequest(feed=SAMPLE / "gtfs.zip", built_up=SAMPLE / "built_up.geojson", city="示例市",
                           profile=SAMPLE / "profile.toml", districts=SAMPLE / "districts.geojson",
                           hubs=SAMPLE / "hubs.csv", facilities=SAMPLE / "facilities.csv", week=True)
    findings = run_audit(request).result.findings
    assert len(findings) > 50
    assert plain_findings(findings) == [plain(vars(f)) for f in findings]

    class Odd:  # what orjson cannot write as plain would: plain itself is used
        pass

    odd = findings[0]
    saved = odd.detail
    odd.detail = {1: Odd, "x": math.pi}
    try:
        assert plain_findings([odd]) == [plain(vars(odd))]
    finally:
        odd.detail = saved
