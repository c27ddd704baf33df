"""The built-up area (建成区): every polygon of the file, merged into one WGS-84 (Multi)Polygon."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry.base import BaseGeometry

from checker.errors import InputError
from checker.load.datum import geometry_to_wgs84
from checker.load.polygons import read_polygons


@dataclass
class BuiltUp:
    geometry: BaseGeometry  # (Multi)Polygon in WGS-84 lon/lat
    source: str
    source_crs: str
    notices: list[tuple[str, str]] = field(default_factory=list)


def load_built_up(path: str | Path | BaseGeometry, datum: str = "wgs84") -> BuiltUp:
    """The built-up area from a file, or (the Python API) a shapely geometry in longitude/latitude of `datum`."""
    if isinstance(path, BaseGeometry):
        polygons = [g for g in getattr(path, "geoms", [path]) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polygons:
            raise InputError("built_up", "Expected a Polygon or MultiPolygon.", "应为多边形。", field="geometry")
        merged = geometry_to_wgs84(shapely.make_valid(shapely.union_all(polygons)), datum)
        return BuiltUp(merged, "geometry (Python API)", "EPSG:4326")
    layer = read_polygons(path, "built-up area", "建成区", datum)
    merged = shapely.union_all(layer.geometries)
    if merged.is_empty or merged.area == 0:
        raise InputError(str(path), "The polygons have no area.", "多边形面积为零。", field="geometry")
    return BuiltUp(merged, Path(path).name, layer.source_crs, layer.notices)
