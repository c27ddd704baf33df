"""Stop coverage (Art. 10(1)): the share of the built-up area within a straight-line radius of a served stop.

Geometry is done in a Lambert azimuthal equal-area projection centred on the built-up area, so areas are
exact and distances within a city are off by far less than a metre. Circles are polygons with 64 sides
whose radius is enlarged so that each polygon has exactly the circle's area.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from checker.background import in_parts, threads
from checker.load.polygons import project
from checker.metrics.discs import union_of_discs

PARALLEL_FROM = 2_000  # discs; below this a second thread costs more than it saves


@dataclass
class Coverage:
    ratio: float
    built_up_km2: float
    covered_km2: float
    uncovered_km2: float
    stops_used: int
    stops_outside_built_up: int
    radius_m: float
    projection: str
    uncovered: BaseGeometry  # WGS-84 lon/lat
    uncovered_local: BaseGeometry  # same parts, in `projection` metres
    covered_local: BaseGeometry
    area_local: BaseGeometry
    to_local: Transformer  # WGS-84 lon/lat -> `projection`
    stops_local: np.ndarray  # (n, 2) stop positions in `projection` metres
    districts_local: list[tuple[str, BaseGeometry]] = field(default_factory=list)  # for the map, with --districts


def local_projection(area_wgs84: BaseGeometry) -> CRS:
    centre = area_wgs84.centroid
    return CRS.from_proj4(
        f"+proj=laea +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} +datum=WGS84 +units=m +no_defs"
    )


def _served_area(centres: np.ndarray, radius_m: float, area: BaseGeometry) -> BaseGeometry:
    """Union of the discs around `centres` (sorted west to east), exact within the area: each half unioned in
    its own thread (GEOS releases the GIL), then the two joined."""
    if threads() < 2 or len(centres) < PARALLEL_FROM:
        return union_of_discs(centres, radius_m, area)
    halves = in_parts(lambda part: union_of_discs(part, radius_m, area), np.array_split(centres, 2))
    return shapely.union_all(halves)


def compute_coverage(
    built_up_wgs84: BaseGeometry, stop_lon: np.ndarray, stop_lat: np.ndarray, radius_m: float
) -> Coverage:
    crs = local_projection(built_up_wgs84)
    forward = Transformer.from_crs(4326, crs, always_xy=True)
    back = Transformer.from_crs(crs, 4326, always_xy=True)
    area = project(built_up_wgs84, forward)
    x, y = forward.transform(np.asarray(stop_lon, dtype=float), np.asarray(stop_lat, dtype=float))
    inside = shapely.contains_xy(area, x, y) if len(x) else np.array([], dtype=bool)
    if len(x):
        # sorted west to east (np.unique sorts by x), stops at one position given one disc: the union is the same
        served_area = _served_area(np.unique(np.column_stack([x, y]), axis=0), radius_m, area)
    else:
        served_area = shapely.Polygon()
    covered = shapely.intersection(area, served_area)
    uncovered = shapely.difference(area, served_area)
    total = area.area
    return Coverage(
        ratio=covered.area / total,
        built_up_km2=total / 1e6,
        covered_km2=covered.area / 1e6,
        uncovered_km2=uncovered.area / 1e6,
        stops_used=int(len(x)),
        stops_outside_built_up=int((~inside).sum()),
        radius_m=radius_m,
        projection=crs.srs,
        uncovered=project(uncovered, back),
        uncovered_local=uncovered,
        covered_local=covered,
        area_local=area,
        to_local=forward,
        stops_local=np.column_stack([x, y]) if len(x) else np.empty((0, 2)),
    )


def district_coverage(coverage: Coverage, districts: list) -> list[dict]:
    """Coverage inside each district's part of the built-up area, worst first (no built-up area: last)."""
    local = np.array([project(d.geometry, coverage.to_local) for d in districts], dtype=object)
    built = shapely.area(shapely.intersection(local, coverage.area_local)).tolist()
    covered = shapely.area(shapely.intersection(local, coverage.covered_local)).tolist()
    rows = [
        {
            "name": district.name,
            "built_up_km2": round(b / 1e6, 4),
            "covered_km2": round(c / 1e6, 4),
            "uncovered_km2": round((b - c) / 1e6, 4),
            "ratio": round(c / b, 6) if b > 0 else None,
        }
        for district, b, c in zip(districts, built, covered, strict=True)
    ]
    return sorted(rows, key=lambda r: (r["ratio"] is None, r["ratio"] or 0, r["name"]))


def share_inside(coverage: Coverage, lon: np.ndarray, lat: np.ndarray) -> float:
    """Share of the points (WGS-84) that lie inside the built-up area."""
    if not len(lon):
        return 0.0
    x, y = coverage.to_local.transform(lon, lat)
    return float(shapely.contains_xy(coverage.area_local, x, y).mean())


def share_far_from(coverage: Coverage, lon: np.ndarray, lat: np.ndarray, metres: float, samples: int = 4000) -> float:
    """Share of the built-up area farther than `metres` from every point (WGS-84), estimated on a regular grid
    of about `samples` points over the polygon (exact enough to tell a built-up area from a prefecture)."""
    area = coverage.area_local
    if area.is_empty or not len(lon):
        return 1.0
    x0, y0, x1, y1 = area.bounds
    step = max(((x1 - x0) * (y1 - y0) / samples) ** 0.5, 1.0)
    gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
    gx, gy = gx.ravel(), gy.ravel()
    inside = shapely.contains_xy(area, gx, gy)
    if not inside.any():
        return 0.0
    grid = shapely.points(gx[inside], gy[inside])
    sx, sy = coverage.to_local.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    tree = shapely.STRtree(shapely.points(sx, sy))
    near, _ = tree.query_nearest(grid, max_distance=metres, return_distance=True, all_matches=False)
    reached = np.zeros(len(grid), dtype=bool)
    reached[near[0]] = True
    return float(1 - reached.mean())
