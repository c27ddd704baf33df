"""Coverage geometry against figures derived by hand."""

import math

import numpy as np
import polars as pl
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


def test_district_coverage_by_hand():
    from checker.load.districts import District
    from checker.metrics.coverage import district_coverage

    square = _polygon(square_km(-5, -5, 5, 5))
    cov = _cover(square, [(-2.5, 0)])
    west = District("west", _polygon(square_km(-6, -6, 0, 6)))
    east = District("east", _polygon(square_km(0, -6, 6, 6)))
    lake = District("lake", _polygon(square_km(20, 20, 21, 21)))  # no built-up area inside
    rows = district_coverage(cov, [east, west, lake])
    assert [r["name"] for r in rows] == ["east", "west", "lake"]  # worst first, no built-up area last
    assert rows[0]["ratio"] == 0
    assert rows[1]["covered_km2"] * 1e6 == pytest.approx(DISC, rel=1e-3)
    assert rows[1]["ratio"] == pytest.approx(DISC / 50e6, rel=3e-3)
    assert rows[2]["ratio"] is None


def test_polygon_circles_are_within_a_hundredth_of_a_percentage_point(monkeypatch):
    """Our equal-area polygon circles against 2048-sided ones, for overlapping stops of a dense network."""
    rng = np.random.default_rng(7)
    square = _polygon(square_km(-3, -3, 3, 3))
    points = [tuple(p) for p in rng.uniform(-3.5, 3.5, size=(150, 2))]
    ours = _cover(square, points)
    lon, lat = zip(*[at(x, y) for x, y in points], strict=True)
    import checker.metrics.discs as discs_module

    monkeypatch.setattr(discs_module, "QUAD_SEGMENTS", 512)
    fine = compute_coverage(square, np.array(lon), np.array(lat), R)
    assert 0.3 < ours.ratio < 0.99
    assert abs(ours.ratio - fine.ratio) < 1e-4  # 0.01 percentage point


def test_agrees_with_an_independent_geopandas_computation():
    """Cairns stops on their convex hull: ours against geopandas in UTM 55S with 1024-sided circles."""
    import geopandas as gpd

    from checker.load.feed import load_feed
    from tests.conftest import shared_path

    feed = load_feed(shared_path("cairns", "cairns_gtfs.zip"))
    stops = feed.stops.filter(pl.col("location_type") == 0)
    lon, lat = stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy()
    hull = shapely.MultiPoint(np.column_stack([lon, lat])).convex_hull.buffer(-0.01)
    ours = compute_coverage(hull, lon, lat, R)

    points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(32755)
    area = gpd.GeoSeries([hull], crs=4326).to_crs(32755).iloc[0]
    covered = shapely.intersection(shapely.union_all(points.buffer(R, quad_segs=256).values), area)
    theirs = covered.area / area.area
    assert ours.stops_outside_built_up > 0
    assert abs(ours.ratio - theirs) < 2e-4  # UTM's scale error cancels in a ratio


def test_two_thread_union_equals_the_single_one(monkeypatch):
    import checker.metrics.coverage as coverage_module

    rng = np.random.default_rng(3)
    square = _polygon(square_km(-4, -4, 4, 4))
    points = [tuple(p) for p in rng.uniform(-4, 4, size=(300, 2))]
    monkeypatch.setattr(coverage_module, "PARALLEL_FROM", 10**9)
    serial = _cover(square, points)
    monkeypatch.setattr(coverage_module, "PARALLEL_FROM", 10)
    threaded = _cover(square, points)
    assert threaded.covered_km2 == pytest.approx(serial.covered_km2, rel=1e-12)


def test_discs_are_the_buffered_points_vertex_for_vertex():
    """The discs are one disc moved onto each stop: vertex for vertex what buffering each stop gives."""
    from checker.metrics.discs import QUAD_SEGMENTS, discs, equal_area_radius

    rng = np.random.default_rng(5)
    centres = np.unique(rng.uniform(-3000, 3000, size=(200, 2)) + [5e5, 2.5e6], axis=0)
    buffered = shapely.buffer(shapely.points(centres), equal_area_radius(R, 4 * QUAD_SEGMENTS), quad_segs=QUAD_SEGMENTS)
    assert shapely.equals_exact(discs(centres, R), buffered, tolerance=0).all()


ORIGIN = np.array([5e5, 2.5e6])
PARK = np.array([2500.0, 0.0])  # from ORIGIN


def _town(seed: int, dense: int, sparse: int) -> np.ndarray:
    """A dense centre, a sparse fringe and a ring of stops around a park that no disc reaches (a hole)."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * 1400 + PARK
    others = np.vstack([rng.normal(0, 900, size=(dense, 2)), rng.uniform(-6000, 6000, size=(sparse, 2))])
    others = others[np.hypot(*(others - PARK).T) > 1300]
    return np.unique(np.vstack([others, ring]) + ORIGIN, axis=0)


@pytest.mark.parametrize(("seed", "dense", "sparse"), [(1, 1500, 100), (2, 400, 400), (3, 3000, 0), (4, 0, 300)])
def test_the_union_without_inner_discs_is_the_union_of_all_discs(seed, dense, sparse):
    """Leaving out the discs that lie inside full cells, and adding those cells, changes nothing but rounding."""
    from checker.metrics.discs import discs, inner_discs, union_of_discs

    centres = _town(seed, dense, sparse)
    area = shapely.box(*(ORIGIN - 5000), *(ORIGIN + 5000))
    every = shapely.union_all(discs(centres, R))
    ours = union_of_discs(centres, R, area)
    inside_every, inside_ours = shapely.intersection(every, area), shapely.intersection(ours, area)
    assert inside_ours.area == pytest.approx(inside_every.area, rel=1e-12)
    assert shapely.symmetric_difference(inside_every, inside_ours).area < 1e-6  # m2
    assert not shapely.intersects(ours, shapely.Point(ORIGIN + PARK))  # the park stays a hole
    inner, _ = inner_discs(centres, R)
    assert inner.any() or not dense  # the test does leave discs out where stops are dense


def test_full_cells_lie_in_a_disc_and_inner_discs_in_full_cells():
    from checker.metrics.discs import QUAD_SEGMENTS, discs, equal_area_radius, inner_discs

    centres = _town(7, 600, 50)
    polygons = discs(centres, R)
    inner, cells = inner_discs(centres, equal_area_radius(R, 4 * QUAD_SEGMENTS))
    assert inner.sum() > 50 and len(cells) > 100
    tree = shapely.STRtree(polygons)
    holders = tree.query(cells, predicate="within")  # (cell, disc) pairs: each cell within one disc at least
    assert set(holders[0]) == set(range(len(cells)))
    assert shapely.covered_by(polygons[inner], shapely.union_all(cells)).all()


def test_a_grid_too_large_leaves_every_disc_in(monkeypatch):
    import checker.metrics.discs as discs_module

    centres = _town(1, 1500, 100)
    monkeypatch.setattr(discs_module, "MAX_CELLS", 100)
    inner, cells = discs_module.inner_discs(centres, R)
    assert not inner.any() and not len(cells)
    area = shapely.box(*(ORIGIN - 5000), *(ORIGIN + 5000))
    plain = shapely.intersection(shapely.union_all(discs_module.discs(centres, R)), area)
    assert shapely.intersection(discs_module.union_of_discs(centres, R, area), area).area == pytest.approx(plain.area)


def test_a_stop_projected_to_infinity_leaves_the_union_as_it_was():
    """A stop on the far side of the earth projects to infinity: it lays no cell and is never inner, and the
    other stops' union is the one they give alone."""
    from checker.metrics.discs import inner_discs, union_of_discs

    centres = _town(1, 800, 50)
    far = np.vstack([centres, [[np.inf, np.inf]]])
    inner, cells = inner_discs(far, R)
    assert not inner[-1] and inner.any()
    assert not inner_discs(np.array([[np.nan, 1.0], [np.inf, 2.0]]), R)[0].any()
    area = shapely.box(*(ORIGIN - 5000), *(ORIGIN + 5000))
    alone = shapely.intersection(union_of_discs(centres, R, area), area)
    assert shapely.intersection(union_of_discs(far, R, area), area).area == pytest.approx(alone.area, rel=1e-12)


def test_an_antipodal_stop_is_an_audit_like_any_other():
    """Through compute_coverage, as the audit calls it: no warning, no error, the same ratio."""
    import warnings

    square = _polygon(square_km(-3, -3, 3, 3))
    points = [(x, y) for x in (-2, -1, 0, 1, 2) for y in (-2, -1, 0, 1, 2)]
    lon, lat = map(np.array, zip(*[at(x, y) for x, y in points], strict=True))
    near = compute_coverage(square, lon, lat, R)
    centre = shapely.centroid(square)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        far = compute_coverage(square, np.append(lon, centre.x - 180), np.append(lat, -centre.y), R)
    assert far.ratio == pytest.approx(near.ratio, rel=1e-12)


def test_coverage_is_computed_in_one_thread_when_no_other_can_start(monkeypatch):
    import concurrent.futures

    import checker.metrics.coverage as coverage_module

    rng = np.random.default_rng(3)
    square = _polygon(square_km(-4, -4, 4, 4))
    points = [tuple(p) for p in rng.uniform(-4, 4, size=(300, 2))]
    monkeypatch.setattr(coverage_module, "PARALLEL_FROM", 10)
    threaded = _cover(square, points)

    import checker.background

    class NoThreads(concurrent.futures.ThreadPoolExecutor):
        def submit(self, *args, **kwargs):
            raise RuntimeError("can't start new thread")

    monkeypatch.setattr(checker.background, "ThreadPoolExecutor", NoThreads)
    assert _cover(square, points).covered_km2 == pytest.approx(threaded.covered_km2, rel=1e-12)
