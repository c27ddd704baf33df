"""Chinese map datums. GCJ-02 and BD-09 shift Guangdong points by 0.5-1.3 km, more than the 500 m coverage
radius, so stop coordinates are brought to WGS-84 before any geometry (prcoords, iterative inverse)."""

from __future__ import annotations

import threading
import warnings

import numpy as np
import prcoords

_INVERSE = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}
_FORWARD = {"gcj02": prcoords.wgs_gcj, "bd09": prcoords.wgs_bd}
_WARNINGS = threading.Lock()  # catch_warnings changes process-wide state: one thread at a time (diff runs two)


def _apply(func, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out_lon = np.empty(len(lon))
    out_lat = np.empty(len(lat))
    with _WARNINGS, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # points outside China are returned unchanged, which is right
        for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
            converted = func((float(y), float(x)))
            out_lat[i], out_lon[i] = converted.lat, converted.lon
    return out_lon, out_lat


def to_wgs84(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _apply(_INVERSE[datum], lon, lat)


def from_wgs84(lon: np.ndarray, lat: np.ndarray, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to `datum`; used to build test data and to explain offsets."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _apply(_FORWARD[datum], lon, lat)


def geometry_to_wgs84(geometry, datum: str):
    """A shapely geometry (or array of them) with every vertex brought from `datum` to WGS-84."""
    if datum == "wgs84":
        return geometry
    import shapely

    return shapely.transform(geometry, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], datum)))
