"""The Python API: checker.audit and checker.diff, from paths, a gtfs_kit.Feed, a shapely geometry or a
GeoDataFrame, with pandas and geopandas views of the result."""

import json

import pytest

import checker
from tests.conftest import REPO

CITY = REPO / "sample_feeds" / "sample_city"
OPTIONS = {"profile": str(CITY / "profile.toml"), "districts": str(CITY / "districts.geojson")}


def _without_inputs(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in ("inputs", "provenance")}


def test_a_gtfs_kit_feed_gives_the_same_result_as_its_zip():
    gk = pytest.importorskip("gtfs_kit")
    from_zip = checker.audit(CITY / "gtfs.zip", CITY / "built_up.geojson", "示例市", **OPTIONS)
    feed = gk.read_feed(CITY / "gtfs.zip", dist_units="km")
    from_kit = checker.audit(feed, CITY / "built_up.geojson", "示例市", **OPTIONS)
    a, b = from_zip.document, from_kit.document
    assert b["inputs"]["feed"] == "gtfs_kit.Feed"
    assert json.dumps(_without_inputs(a), sort_keys=True) == json.dumps(_without_inputs(b), sort_keys=True)


def test_geometry_and_geodataframe_built_up_areas():
    gpd = pytest.importorskip("geopandas")
    frame = gpd.read_file(CITY / "built_up.geojson")
    by_file = checker.audit(CITY / "gtfs.zip", CITY / "built_up.geojson", "示例市", **OPTIONS)
    by_frame = checker.audit(CITY / "gtfs.zip", frame, "示例市", **OPTIONS)
    by_shape = checker.audit(CITY / "gtfs.zip", frame.union_all(), "示例市", **OPTIONS)
    assert by_file.coverage.ratio == pytest.approx(by_frame.coverage.ratio) == pytest.approx(by_shape.coverage.ratio)
    assert by_shape.document["inputs"]["built_up"].endswith("(Python API)")


def test_frames_json_and_write(tmp_path):
    pytest.importorskip("geopandas")
    result = checker.audit(CITY / "gtfs.zip", CITY / "built_up.geojson", "示例市", **OPTIONS)
    assert result.verdict == "fail"
    findings = result.findings
    assert set(findings["rule"]) >= {"GD-COV-500", "GD-FREQ-PEAK"} and "strength" in findings.columns
    assert len(result.routes) == len(result.document["metrics"]["routes"])
    uncovered = result.coverage.uncovered
    assert uncovered.crs.to_epsg() == 4326 and uncovered["area_m2"].is_monotonic_decreasing
    assert uncovered["area_m2"].sum() / 1e6 == pytest.approx(result.document["metrics"]["coverage"]["uncovered_km2"],
                                                             rel=1e-3)
    districts = result.districts
    assert list(districts["name"]) == [d["name"] for d in result.document["metrics"]["coverage"]["districts"]]
    assert json.loads(result.to_json())["summary"]["verdict"] == "fail"
    written = result.write(tmp_path / "out")
    assert {p.name for p in written} >= {"result.json", "report.html", "report.xlsx"}


def test_diff_from_the_api():
    pytest.importorskip("geopandas")
    compared = checker.diff(CITY / "gtfs.zip", CITY / "gtfs.zip", CITY / "built_up.geojson", "示例市",
                            profile=str(CITY / "profile.toml"))
    assert not compared.needs_notice and compared.changes.empty and compared.lost.empty
