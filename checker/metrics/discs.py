"""The union of equal discs around the served stops, the costliest geometry of an audit, made cheap without
changing it.

A disc is a regular polygon of 64 sides (its radius enlarged so that its area is the circle's), one polygon at
the origin moved onto each stop: vertex for vertex what buffering each stop gives.

In a city most discs lie deep inside the others, and GEOS spends most of the union merging them. So before
the union, a grid of square cells is laid over the discs:
- a cell is *full* when it lies inside one disc: its farthest corner lies inside that disc's inscribed circle
  (less a micrometre for rounding), and a disc is convex;
- a disc is *inner* when every cell that its circumscribed circle reaches is full.
The union is then the full cells (one polygon, their coverage union) and the discs that are not inner. This
is the same set, exactly: every full cell lies inside a disc, and every inner disc lies inside full cells.
Only the rounding of GEOS's overlay can tell them apart (areas agree to about 1e-15; tests/test_coverage.py).
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

QUAD_SEGMENTS = 16  # 4 * 16 = 64 sides: with the equal-area radius, within 0.0001 pp of true circles (tests)
CELL_SHARE = 0.4  # cell side / radius: the fastest on the bench feeds (0.25-0.5 within 10% of it)
MAX_CELLS = 25_000_000  # a grid larger than this (discs spread over a province) is not laid: plain union
ROUNDING_M = 1e-6


def equal_area_radius(radius: float, sides: int) -> float:
    """Circumradius of a regular polygon with `sides` whose area equals a circle of `radius`."""
    return radius * math.sqrt(2 * math.pi / (sides * math.sin(2 * math.pi / sides)))


def discs(centres: np.ndarray, radius_m: float) -> np.ndarray:
    """The disc polygon around each (x, y) of `centres`, in metres."""
    template = shapely.get_coordinates(shapely.buffer(
        shapely.Point(0, 0), equal_area_radius(radius_m, 4 * QUAD_SEGMENTS), quad_segs=QUAD_SEGMENTS))
    return shapely.polygons(template[None, :, :] + centres[:, None, :])


def union_of_discs(centres: np.ndarray, radius_m: float, area: BaseGeometry) -> BaseGeometry:
    """The union of the discs around `centres`, exact within `area` (beyond it, discs and cells that do not
    reach it are left out): the full cells and the discs that are not inner."""
    if not len(centres):
        return shapely.Polygon()
    inner, cells = inner_discs(centres, equal_area_radius(radius_m, 4 * QUAD_SEGMENTS))
    outer = discs(centres[~inner], radius_m)
    parts = [outer[shapely.intersects(outer, area)]]
    if len(cells):
        parts.append([shapely.coverage_union_all(cells[shapely.intersects(cells, area)])])
    return shapely.union_all(np.concatenate(parts))


def _axis_reach(lower: np.ndarray, side: float) -> tuple[np.ndarray, np.ndarray]:
    """Along one axis, per centre and neighbouring cell, given the cell's lower edge relative to the centre
    (n, m): the squared distance to its farther edge and to its nearer point (0 when the centre is inside)."""
    upper = lower + side
    farther = np.maximum(lower * lower, upper * upper)
    nearer = np.maximum(np.maximum(lower, -upper), 0.0)
    return farther, nearer * nearer


def inner_discs(centres: np.ndarray, circumradius: float) -> tuple[np.ndarray, np.ndarray]:
    """Which discs are inner (every cell their circumscribed circle reaches is full), and the full cells as
    boxes. None inner when the grid would be too large; a centre that is not finite (a stop projected from the
    far side of the earth) is never inner and lays no cell."""
    finite = np.isfinite(centres).all(axis=1)
    if not finite.all():
        inner = np.zeros(len(centres), dtype=bool)
        if not finite.any():
            return inner, np.empty(0, dtype=object)
        inner[finite], cells = inner_discs(centres[finite], circumradius)
        return inner, cells
    side = CELL_SHARE * circumradius
    inscribed = circumradius * math.cos(math.pi / (4 * QUAD_SEGMENTS)) - ROUNDING_M
    reach_m = circumradius + ROUNDING_M
    reach = math.ceil(reach_m / side) + 1
    origin = centres.min(axis=0) - (reach + 1) * side
    cell = np.floor((centres - origin) / side).astype(np.int64)
    nx, ny = (cell.max(axis=0) + reach + 2).tolist()
    if nx * ny > MAX_CELLS:
        return np.zeros(len(centres), dtype=bool), np.empty(0, dtype=object)
    offsets = np.arange(-reach, reach + 1)
    within = centres - origin - cell * side  # each centre's place in its own cell, 0 to side
    far_x, near_x = _axis_reach(offsets[None, :] * side - within[:, :1], side)
    far_y, near_y = _axis_reach(offsets[None, :] * side - within[:, 1:], side)
    full_here = far_x[:, :, None] + far_y[:, None, :] <= inscribed * inscribed
    reached = near_x[:, :, None] + near_y[:, None, :] < reach_m * reach_m
    index = (cell[:, 0, None, None] + offsets[None, :, None]) * ny + (cell[:, 1, None, None] + offsets[None, None, :])
    full = np.zeros(nx * ny, dtype=bool)
    full[index[full_here]] = True
    inner = (full[index] | ~reached).all(axis=(1, 2))
    ix, iy = np.divmod(np.flatnonzero(full), ny)
    # each edge from its grid line, so that neighbouring cells share their edges exactly (a coverage)
    return inner, shapely.box(origin[0] + ix * side, origin[1] + iy * side,
                              origin[0] + (ix + 1) * side, origin[1] + (iy + 1) * side)
