"""Chinese map datums. GCJ-02 and BD-09 shift Guangdong points by 0.5-1.3 km, more than the 500 m coverage
radius, so stop coordinates are brought to WGS-84 before any geometry.

The conversions are prcoords' (its formulas, its constants, its iterative inverse "bored" to 1e-5 degree),
computed over whole arrays with numpy: a feed of twenty thousand GCJ-02 stops took half a second point by
point. numpy's pow, hypot and arctan2 may differ from the C library's in the last bit (its SIMD versions),
so those three are taken from the math module, value by value; with them the results here equal prcoords'
to the last bit, and tests hold them to within 1e-11 degree (a micrometre) of prcoords' on any machine."""

from __future__ import annotations

import math

import numpy as np
from prcoords import BD_DLAT, BD_DLON, GCJ_A, GCJ_EE, PRC_EPS

LABELS = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}  # how messages and reports name them
_CHINA = (0.8293, 55.8271, 72.004, 137.8347)  # prcoords.sanity_in_china_p: lat from, lat to, lon from, lon to
_MAX_STEPS = 10


def _pow(values: np.ndarray, exponent: float) -> np.ndarray:
    return np.fromiter(map(math.pow, values.tolist(), [exponent] * len(values)), dtype=float, count=len(values))


def _hypot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.fromiter(map(math.hypot, a.tolist(), b.tolist()), dtype=float, count=len(a))


def _atan2(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.fromiter(map(math.atan2, y.tolist(), x.tolist()), dtype=float, count=len(y))


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lat_from, lat_to, lon_from, lon_to = _CHINA
    return (lat_from <= lat) & (lat <= lat_to) & (lon_from <= lon) & (lon <= lon_to)


def _wgs_gcj(lon: np.ndarray, lat: np.ndarray, check_china: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """prcoords.wgs_gcj: with `check_china`, a point outside China is returned as it is."""
    x, y = lon - 105, lat - 35
    d_lat_m = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + (
        2 * np.sin(x * 6 * math.pi) + 2 * np.sin(x * 2 * math.pi) + 2 * np.sin(y * math.pi)
        + 4 * np.sin(y / 3 * math.pi) + 16 * np.sin(y / 12 * math.pi) + 32 * np.sin(y / 30 * math.pi)) * 20 / 3)
    d_lon_m = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + (
        2 * np.sin(x * 6 * math.pi) + 2 * np.sin(x * 2 * math.pi) + 2 * np.sin(x * math.pi)
        + 4 * np.sin(x / 3 * math.pi) + 15 * np.sin(x / 12 * math.pi) + 30 * np.sin(x / 30 * math.pi)) * 20 / 3)
    rad_lat = np.radians(lat)
    magic = 1 - GCJ_EE * _pow(np.sin(rad_lat), 2)
    lat_deg_arclen = np.radians((GCJ_A * (1 - GCJ_EE)) / _pow(magic, 1.5))
    lon_deg_arclen = np.radians(GCJ_A * np.cos(rad_lat) / np.sqrt(magic))
    out_lon, out_lat = lon + (d_lon_m / lon_deg_arclen), lat + (d_lat_m / lat_deg_arclen)
    if not check_china:
        return out_lon, out_lat
    inside = _in_china(lon, lat)
    return np.where(inside, out_lon, lon), np.where(inside, out_lat, lat)


def _gcj_wgs_rough(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """prcoords.gcj_wgs: gcj - (wgs_gcj(gcj) - gcj)."""
    f_lon, f_lat = _wgs_gcj(lon, lat)
    return lon - (f_lon - lon), lat - (f_lat - lat)


def _gcj_bd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """prcoords.gcj_bd (no check of its own)."""
    x, y = lon, lat
    r = np.sqrt(x * x + y * y) + 0.00002 * np.sin(np.radians(y) * 3000)
    theta = _atan2(y, x) + 0.000003 * np.cos(np.radians(x) * 3000)
    return r * np.cos(theta) + BD_DLON, r * np.sin(theta) + BD_DLAT


def _bd_gcj(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """prcoords.bd_gcj."""
    x, y = lon - BD_DLON, lat - BD_DLAT
    r = np.sqrt(x * x + y * y) - 0.00002 * np.sin(np.radians(y) * 3000)
    theta = _atan2(y, x) - 0.000003 * np.cos(np.radians(x) * 3000)
    return r * np.cos(theta), r * np.sin(theta)


def _wgs_bd(lon: np.ndarray, lat: np.ndarray, check_china: bool = True) -> tuple[np.ndarray, np.ndarray]:
    return _gcj_bd(*_wgs_gcj(lon, lat, check_china))


def _bd_wgs_rough(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _gcj_wgs_rough(*_bd_gcj(lon, lat))


def _bored(forward, rough, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """prcoords._bored: from the rough inverse, step each point by how far its forward image misses, until it
    misses by at most PRC_EPS degrees or ten steps are taken (each point stops on its own)."""
    out_lon, out_lat = rough(lon, lat)
    moving = np.arange(len(lon))
    for _ in range(_MAX_STEPS):
        if not len(moving):
            break
        f_lon, f_lat = forward(out_lon[moving], out_lat[moving], False)
        d_lon, d_lat = f_lon - lon[moving], f_lat - lat[moving]
        out_lon[moving] -= d_lon
        out_lat[moving] -= d_lat
        moving = moving[_hypot(d_lat, d_lon) > PRC_EPS]
    return out_lon, out_lat


_INVERSE = {"gcj02": (_wgs_gcj, _gcj_wgs_rough), "bd09": (_wgs_bd, _bd_wgs_rough)}
_FORWARD = {"gcj02": _wgs_gcj, "bd09": _wgs_bd}


def to_wgs84(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "wgs84":
        return lon, lat
    forward, rough = _INVERSE[datum]
    with np.errstate(all="ignore"):  # a pole gives no position (NaN), which callers check, not a warning
        return _bored(forward, rough, lon, lat)


def from_wgs84(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to `datum`; used to build test data and to explain offsets."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "wgs84":
        return lon, lat
    with np.errstate(all="ignore"):
        return _FORWARD[datum](lon, lat)


def geometry_to_wgs84(geometry, datum: str):
    """A shapely geometry (or array of them) with every vertex brought from `datum` to WGS-84."""
    if datum == "wgs84":
        return geometry
    import shapely

    return shapely.transform(geometry, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], datum)))
