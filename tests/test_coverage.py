"""Coverage geometry against figures derived by hand."""

import math

import numpy as np
import pytest
import shapely

from checker.metrics.coverage import compute_coverage
from tests.conftest import at, square_km

R = 500.0
DISC = math.pi * R**2


def _polygon(*rings):
    return shapely.Polygon(rings[0], rings[1:])


def _cover(area, points_km):
    lon, lat = zip(*[at(x, y) for x, y in points_km], strict=True) if points_km else ((), ())
    return compute_coverage(area, np.array(lon), np.array(lat), R)


def test_single_stop_in_a_large_square_covers_pi_r_squared():
    square = _polygon(square_km(-5, -5, 5, 5))
    cov = _cover(square, [(0, 0)])
    assert cov.covered_km2 * 1e6 == pytest.approx(DISC, rel=1e-4)
    assert cov.built_up_km2 == pytest.approx(100, rel=2e-3)  # the test grid's km are approximate
    assert cov.ratio == pytest.approx(cov.covered_km2 / cov.built_up_km2)
    assert cov.stops_used == 1 and cov.stops_outside_built_up == 0


def test_two_overlapping_stops_cover_two_discs_minus_their_lens():
    square = _polygon(square_km(-5, -5, 5, 5))
    d = 600.0
    lens = 2 * R**2 * math.acos(d / (2 * R)) - d / 2 * math.sqrt(4 * R**2 - d**2)
    cov = _cover(square, [(0, 0), (d / 1000, 0)])
    # the test grid's "km" is a local approximation, so allow the 600 m spacing to be off by a few cm
    assert cov.covered_km2 * 1e6 == pytest.approx(2 * DISC - lens, rel=5e-4)


def test_a_stop_outside_the_area_covers_only_its_intersection():
    square = _polygon(square_km(0, 0, 5, 5))
    cov = _cover(square, [(-0.3, 2.5)])  # 300 m west of the west edge
    segment = R**2 * math.acos(300 / R) - 300 * math.sqrt(R**2 - 300**2)
    assert cov.covered_km2 * 1e6 == pytest.approx(segment, rel=2e-3)
    assert cov.stops_outside_built_up == 1


def test_a_hole_is_not_built_up():
    outer = square_km(-5, -5, 5, 5)
    hole = square_km(-2, -2, 2, 2)
    with_hole = _polygon(outer, hole)
    cov = _cover(with_hole, [(0, 0)])  # a stop in the middle of the lake
    assert cov.covered_km2 == pytest.approx(0, abs=1e-9)
    assert cov.built_up_km2 == pytest.approx(84, rel=2e-3)
    assert cov.stops_outside_built_up == 1


def test_multipolygon_parts_are_summed():
    parts = shapely.MultiPolygon([_polygon(square_km(-5, -5, -1, 5)), _polygon(square_km(1, -5, 5, 5))])
    cov = _cover(parts, [(-3, 0), (3, 0)])
    assert cov.covered_km2 * 1e6 == pytest.approx(2 * DISC, rel=1e-4)


def test_no_stops_means_nothing_covered():
    cov = _cover(_polygon(square_km(-1, -1, 1, 1)), [])
    assert cov.ratio == 0 and cov.stops_used == 0
    assert cov.uncovered_km2 == pytest.approx(cov.built_up_km2)


def test_full_coverage_is_exactly_one():
    cov = _cover(_polygon(square_km(-0.2, -0.2, 0.2, 0.2)), [(0, 0)])
    assert cov.ratio == pytest.approx(1.0, abs=1e-9)
