"""The built-up area (建成区): any vector file GDAL reads, polygons only, reprojected to WGS-84, repaired."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from checker.errors import InputError


@dataclass
class BuiltUp:
    geometry: BaseGeometry  # (Multi)Polygon in WGS-84 lon/lat
    source: str
    source_crs: str
    notices: list[tuple[str, str]] = field(default_factory=list)


def load_built_up(path: str | Path) -> BuiltUp:
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise InputError(where, "The built-up area file does not exist.", "建成区文件不存在。")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files; all mean the same to a user
        raise InputError(
            where,
            f"Cannot read it as a vector file (GeoJSON, GeoPackage, Shapefile): {exc}",
            "无法作为矢量文件读取（应为 GeoJSON、GeoPackage 或 Shapefile）。",
        ) from None
    notices: list[tuple[str, str]] = []
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    polygonal = frame.geom_type.isin(["Polygon", "MultiPolygon"])
    if not polygonal.any():
        kinds = ", ".join(sorted(set(frame.geom_type))) or "no geometry"
        raise InputError(
            where,
            f"Expected Polygon or MultiPolygon features; found {kinds}.",
            f"应包含面（Polygon/MultiPolygon）要素；实际为 {kinds}。",
            field="geometry",
        )
    if not polygonal.all():
        dropped = int((~polygonal).sum())
        notices.append((f"{dropped} non-polygon feature(s) ignored.", f"已忽略 {dropped} 个非面要素。"))
        frame = frame[polygonal]
    source_crs = frame.crs.to_string() if frame.crs is not None else None
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputError(
                where,
                "The file declares no CRS and its coordinates are not longitude/latitude.",
                "文件未声明坐标系，且坐标不是经纬度。",
            )
        notices.append(
            ("The built-up file declares no CRS; read as WGS-84 longitude/latitude.", "建成区文件未声明坐标系，按 WGS-84 经纬度读取。")
        )
        frame = frame.set_crs(4326)
        source_crs = "EPSG:4326 (assumed)"
    frame = frame.to_crs(4326)
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        notices.append(
            (
                f"{int(invalid.sum())} invalid polygon(s) repaired (self-intersections or bad rings).",
                f"已修复 {int(invalid.sum())} 个无效多边形（自相交或环错误）。",
            )
        )
        frame = frame.set_geometry(frame.geometry.make_valid())
    polygons = shapely.union_all([_polygonal_part(g) for g in frame.geometry])
    if polygons.is_empty or polygons.area == 0:
        raise InputError(where, "The polygons have no area.", "多边形面积为零。", field="geometry")
    return BuiltUp(polygons, path.name, source_crs, notices)


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()
