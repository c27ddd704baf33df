"""--feed-crs: GCJ-02 and BD-09 stop coordinates are brought back to WGS-84 before any geometry."""

import json
import warnings

import numpy as np
import prcoords
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.load.datum import from_wgs84, to_wgs84
from tests.conftest import LAT0, LON0, feed_tables, write_feed, write_polygon


def _metres(lon1, lat1, lon2, lat2):
    dy = (lat2 - lat1) * 110_574
    dx = (lon2 - lon1) * 111_320 * np.cos(np.radians(lat1))
    return np.hypot(dx, dy)


@pytest.mark.parametrize("datum, low, high", [("gcj02", 400, 700), ("bd09", 1000, 1400)])
def test_offsets_in_guangdong_and_round_trip(datum, low, high):
    lon, lat = np.array([LON0, 113.26, 114.06]), np.array([LAT0, 23.13, 22.54])
    shifted_lon, shifted_lat = from_wgs84(lon, lat, datum)
    offset = _metres(lon, lat, shifted_lon, shifted_lat)
    assert np.all((offset > low) & (offset < high))
    back_lon, back_lat = to_wgs84(shifted_lon, shifted_lat, datum)
    assert np.all(_metres(lon, lat, back_lon, back_lat) < 0.5)


def _prcoords(function, lon, lat):
    """prcoords itself, point by point (it warns for points outside China and returns them as they are)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        points = [function((float(y), float(x))) for x, y in zip(lon, lat, strict=True)]
    return np.array([p.lon for p in points]), np.array([p.lat for p in points])


_SAMPLES = st.lists(st.tuples(st.floats(60, 150), st.floats(-10, 70)), min_size=1, max_size=50)


@settings(max_examples=200, deadline=None)
@given(_SAMPLES)
@pytest.mark.parametrize("datum, forward, inverse", [
    ("gcj02", prcoords.wgs_gcj, prcoords.gcj_wgs_bored), ("bd09", prcoords.wgs_bd, prcoords.bd_wgs_bored)])
def test_the_array_conversions_are_prcoords(datum, forward, inverse, points):
    """Inside China, outside it (returned as they are by the forward conversions, still stepped by prcoords'
    inverse) and across its edges: every result prcoords' (to the last bit where numpy's sin and cos are the
    C library's, as on the machine this was written on; within a micrometre anywhere)."""
    lon, lat = np.array(points).T
    for ours, theirs in ((from_wgs84(lon, lat, datum), _prcoords(forward, lon, lat)),
                         (to_wgs84(lon, lat, datum), _prcoords(inverse, lon, lat))):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-11)


def test_a_city_of_stops_converts_alike():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(109.6, 117.3, 20_000), rng.uniform(20.2, 25.5, 20_000)  # Guangdong
    for datum, inverse in (("gcj02", prcoords.gcj_wgs_bored), ("bd09", prcoords.bd_wgs_bored)):
        np.testing.assert_allclose(to_wgs84(lon, lat, datum), _prcoords(inverse, lon, lat), rtol=0, atol=1e-11)


def test_gcj02_feed_is_covered_only_when_declared(tmp_path, cli):
    """Two stops 250 m inside a 1 km square; published in GCJ-02 they appear ~550 m away, outside it."""
    from tests.conftest import at, square_km

    wgs = [at(0.5, 0.5), at(0.75, 0.5)]
    lon, lat = from_wgs84(np.array([p[0] for p in wgs]), np.array([p[1] for p in wgs]), "gcj02")
    stops = "stop_id,stop_name,stop_lat,stop_lon\n" + "".join(
        f"{sid},{sid},{la:.7f},{lo:.7f}\n" for sid, lo, la in zip("AB", lon, lat, strict=True))
    feed = write_feed(tmp_path / "feed", feed_tables(**{"stops.txt": stops}))
    square = write_polygon(tmp_path / "sq.geojson", [square_km(0, 0, 1, 1)])
    ratios = {}
    for datum in ("wgs84", "gcj02"):
        result = cli("audit", feed, "--built-up", square, "--city", "广州", "--feed-crs", datum, "--format", "json")
        doc = json.loads(result.stdout)
        ratios[datum] = doc["metrics"]["coverage"]
        warned = any("likely GCJ-02: rerun with --feed-crs gcj02" in n["en"] for n in doc["notices"])
        assert warned == (datum == "wgs84")
    assert ratios["gcj02"]["stops_outside_built_up"] == 0
    assert ratios["wgs84"]["stops_outside_built_up"] == 2
    assert ratios["gcj02"]["ratio"] > ratios["wgs84"]["ratio"] + 0.2


def test_polygon_drawn_on_a_gcj02_map(tmp_path, cli):
    """WGS-84 stops, a 0.8 km square drawn on a GCJ-02 map (shifted ~550 m): the hint names --built-up-crs,
    which fixes it."""
    from shapely.geometry import Polygon, mapping

    from checker.load.datum import geometry_to_wgs84
    from tests.conftest import square_km

    feed = write_feed(tmp_path / "feed", feed_tables(stops={"A": (0.4, 0.4), "B": (0.45, 0.4)}))
    true_square = Polygon(square_km(0, 0, 0.8, 0.8))
    lon, lat = from_wgs84(*np.array(true_square.exterior.coords).T, "gcj02")
    drawn = Polygon(np.column_stack([lon, lat]))
    polygon = tmp_path / "gcj.geojson"
    polygon.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": mapping(drawn)}))
    plain = json.loads(cli("audit", feed, "--built-up", polygon, "--city", "广州", "--format", "json").stdout)
    assert any("rerun with --built-up-crs gcj02" in n["en"] for n in plain["notices"])
    fixed = json.loads(cli("audit", feed, "--built-up", polygon, "--city", "广州", "--built-up-crs", "gcj02",
                           "--format", "json").stdout)
    assert fixed["metrics"]["coverage"]["stops_outside_built_up"] == 0
    assert fixed["inputs"]["built_up_datum"] == "gcj02"
    back = geometry_to_wgs84(drawn, "gcj02")
    assert back.symmetric_difference(true_square).area / true_square.area < 1e-4


@pytest.mark.parametrize("used", [True, False])
def test_a_stop_at_a_pole_in_a_chinese_datum(tmp_path, cli, used):
    """GCJ-02 has no position at a pole (its formulas divide by the latitude's cosine): a stop a trip calls at
    there is exit 2 naming it; one that no trip calls at stays unplaced. Either way no numpy warning."""
    from tests.conftest import at

    pole_id = "A" if used else "P"
    rows = [f"{sid},Stop {sid},{at(x, 0)[1]:.7f},{at(x, 0)[0]:.7f}" for sid, x in (("A", 0), ("B", 1))]
    rows = [f"{pole_id},Stop {pole_id},90,0", *(r for r in rows if not r.startswith(f"{pole_id},"))]
    feed = write_feed(tmp_path / "feed", feed_tables(**{"stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n"
                                                        + "\n".join(rows) + "\n"}))
    polygon = write_polygon(tmp_path / "built_up.geojson")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = cli("audit", feed, "--built-up", polygon, "--city", "广州", "--feed-crs", "gcj02", "--format", "json")
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert "Traceback" not in result.output
    if used:
        assert result.exit_code == 2
        assert "gtfs.zip:stops.txt" in result.output and "stop_lat" in result.output
        assert "The stop lies at a pole (latitude 90), where GCJ-02 has no position to convert" in result.output
        assert "stop_id A: 90" in result.output
    else:
        assert result.exit_code in (0, 1, 4), result.output
