"""--feed-crs: GCJ-02 and BD-09 stop coordinates are brought back to WGS-84 before any geometry."""

import json

import numpy as np
import pytest

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
