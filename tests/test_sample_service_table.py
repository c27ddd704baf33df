"""The bundled service-table city 样板县 (sample_feeds/service_table_city/): rebuilt byte for byte, audited
directly from its CSV files, it tells the story the README tells."""

from __future__ import annotations

import importlib.util
import json

import jsonschema
import pytest

from tests.conftest import REPO, SCHEMA

FOLDER = REPO / "sample_feeds" / "service_table_city"


def _audit(cli, *extra, date="2026-03-02"):
    result = cli("audit", FOLDER, "--built-up", FOLDER / "built_up.geojson", "--city", "样板县",
                 "--profile", FOLDER / "profile.toml", "--feed-crs", "gcj02", "--date", date, "--format", "json",
                 *extra)
    assert result.exit_code in (1, 4), result.stderr  # some rule fails; or, read at the lower end, none does
    return json.loads(result.stdout)


def _rule(doc, rule, route, direction=0):
    return next(f for f in doc["findings"] if f["rule"] == rule and f["subject"].get("route_short_name") == route
                and f["subject"].get("direction_id") == direction)


def test_the_builder_reproduces_the_files(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("builder", REPO / "sample_feeds" / "build_service_table_city.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    monkeypatch.setattr(builder, "HERE", tmp_path)
    builder.build()
    for path in FOLDER.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_story(cli):
    doc = _audit(cli)
    jsonschema.validate(doc, SCHEMA)
    assert 0.5 < doc["metrics"]["coverage"]["ratio"] < 0.6  # county minimum 50%: met
    peak = _rule(doc, "GD-FREQ-PEAK", "2")
    assert (peak["status"], peak["value"]) == ("fail", 35)  # 25-35 min read at its upper end
    assert "Published interval 25–35 min (07:00–09:00), judged at 35 min" in peak["message_en"]
    assert _rule(doc, "GD-FREQ-PEAK", "1")["status"] == "pass"
    loop = next(r for r in doc["metrics"]["routes"] if r["route_short_name"] == "3")
    assert (loop["first_departure"], loop["last_departure"]) == ("06:30:00", "24:30:00")
    night = _rule(doc, "GD-NIGHT", "夜1路")
    assert (night["status"], night["value"]) == ("fail", 60)  # 40-60 min after 01:00, the city allows 45


def test_lower_reading_passes_route_2(cli):
    doc = _audit(cli, "--interval", "lower")
    peak = _rule(doc, "GD-FREQ-PEAK", "2")
    assert (peak["status"], peak["value"]) == ("pass", 25)
    assert peak["detail"]["interval_reading"] == "lower"


@pytest.mark.parametrize("date, first", [("2026-10-01", "07:00:00"), ("2026-10-05", "07:00:00"),
                                         ("2026-10-12", "06:30:00")])
def test_route_5_runs_its_holiday_timetable_on_holidays(cli, date, first):
    doc = _audit(cli, date=date)
    route = next(r for r in doc["metrics"]["routes"] if r["route_short_name"] == "5" and r["direction_id"] == 0)
    assert route["first_departure"] == first
