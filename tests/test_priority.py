"""Art. 11 priority facilities: distances derived by hand. The default test feed serves stops A (0, 0) and
B (1 km, 0) inside a 10 km built-up square."""

import json

import pytest

from checker.errors import InputError
from checker.load.facilities import load_facilities
from checker.pipeline import open_pack as load_pack
from tests.conftest import at, square_km

KM_TOLERANCE_M = 2  # the test grid's km-per-degree is a local approximation


def _csv(tmp_path, rows: list[tuple[str, str, float, float]]):
    path = tmp_path / "facilities.csv"
    lines = ["name,category,lat,lon"] + [f"{n},{c},{at(x, y)[1]:.7f},{at(x, y)[0]:.7f}" for n, c, x, y in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _audit(cli, audit_args, facilities) -> dict:
    return json.loads(cli(*audit_args(facilities=facilities), "--format", "json").stdout)


def test_levels_shares_and_nearest_stops(tmp_path, cli, audit_args):
    path = _csv(tmp_path, [("一中", "学校", 0, 0.4), ("人民医院", "hospital", 0, 0.6), ("商圈", "business", 1.3, 0),
                           ("郊外学校", "school", 6, 0), ("机场", "airport", 6, 0)])
    doc = _audit(cli, audit_args, path)
    rows = {r["name"]: r for r in doc["metrics"]["priority"]["facilities"]}
    assert rows["一中"]["distance_m"] == pytest.approx(400, abs=KM_TOLERANCE_M) and rows["一中"]["covered"]
    assert rows["人民医院"]["distance_m"] == pytest.approx(600, abs=KM_TOLERANCE_M) and not rows["人民医院"]["covered"]
    assert rows["人民医院"]["nearest_stop_id"] == "A"
    assert rows["商圈"]["nearest_stop_id"] == "B" and rows["商圈"]["covered"]
    assert not rows["郊外学校"]["in_scope"]  # a school outside the built-up area is outside the article
    assert rows["机场"]["in_scope"] and rows["机场"]["category"] == "hub"  # hubs count wherever they are
    levels = {f["subject"]["level"]: f for f in doc["findings"] if f["rule"] == "GD-PRIORITY"}
    one = levels[1]
    assert (one["status"], one["value"], one["threshold"]) == ("fail", round(1 / 3, 6), 1.0)
    assert [u["name"] for u in one["detail"]["uncovered"]] == ["机场", "人民医院"]  # farthest first
    assert one["detail"]["out_of_scope"] == 1
    assert "人民医院（最近站点 Stop A，601 m）" in one["message_zh"]  # 600 m on the approximate grid is 600.9 m
    assert (levels[2]["status"], levels[2]["value"]) == ("pass", 1.0)


def test_a_polygon_facility_is_reached_by_its_nearest_edge(tmp_path, cli, audit_args):
    estate = {"type": "Feature", "properties": {"name": "新村", "category": "居住区"},
              "geometry": {"type": "Polygon", "coordinates": [square_km(0.3, 0.3, 2, 2)]}}
    path = tmp_path / "facilities.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [estate]}), encoding="utf-8")
    doc = _audit(cli, audit_args, path)
    (row,) = doc["metrics"]["priority"]["facilities"]
    assert row["distance_m"] == pytest.approx(300, abs=KM_TOLERANCE_M)  # B (1, 0) to the edge y = 0.3
    levels = {f["subject"]["level"]: f["status"] for f in doc["findings"] if f["rule"] == "GD-PRIORITY"}
    assert levels == {1: "pass", 2: "not_assessed"}  # no second-level facility listed


def test_unknown_category_names_the_row(tmp_path):
    path = _csv(tmp_path, [("一中", "学校", 0, 0.4), ("游泳馆", "体育", 0, 1)])
    categories = load_pack(None).rule("GD-PRIORITY").params["categories"]
    with pytest.raises(InputError) as error:
        load_facilities(path, "wgs84", categories)
    assert (error.value.line, error.value.field, error.value.value) == (3, "category", "体育")
    assert "school (学校)" in error.value.en


def test_every_category_of_the_article_is_in_the_pack():
    categories = load_pack(None).rule("GD-PRIORITY").params["categories"]
    levels = {c: spec["level"] for c, spec in categories.items()}
    assert levels == {"hub": 1, "school": 1, "hospital": 1, "government": 1, "residential": 1, "employment": 1,
                      "business": 2, "tourism": 2, "convention": 2}
