"""The built-up area (建成区): any vector file GDAL reads, polygons only, reprojected to WGS-84, repaired.

GeoJSON, the common case, is parsed by GEOS directly (shapely.from_geojson); other formats go through GDAL
(pyogrio's raw reader). Neither path imports geopandas, which would add most of a second to every audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from checker.errors import InputError

POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass
class BuiltUp:
    geometry: BaseGeometry  # (Multi)Polygon in WGS-84 lon/lat
    source: str
    source_crs: str
    notices: list[tuple[str, str]] = field(default_factory=list)


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(
        str(path),
        f"Cannot read it as a vector file (GeoJSON, GeoPackage, Shapefile): {exc}",
        "无法作为矢量文件读取（应为 GeoJSON、GeoPackage 或 Shapefile）。",
    )


def _read_geojson(path: Path) -> tuple[str | None, np.ndarray]:
    text = path.read_bytes()
    try:
        document = orjson.loads(text)
        # RFC 7946 GeoJSON is WGS-84; older files may still name another CRS in a "crs" member
        crs = (document.get("crs") or {}).get("properties", {}).get("name") if isinstance(document, dict) else None
        parsed = shapely.from_geojson(text)
    except (orjson.JSONDecodeError, shapely.errors.GEOSException, AttributeError, ValueError) as exc:
        raise _unreadable(path, exc) from None
    return crs or "EPSG:4326", shapely.get_parts(parsed) if parsed.geom_type == "GeometryCollection" else np.array([parsed])


def _read(path: Path) -> tuple[str | None, np.ndarray]:
    if path.suffix.lower() in (".geojson", ".json"):
        crs, geometries = _read_geojson(path)
    else:
        from pyogrio import raw

        try:
            meta, _, wkb, _ = raw.read(path, read_geometry=True, columns=[])
        except Exception as exc:  # pyogrio raises several types for unreadable files; all mean the same here
            raise _unreadable(path, exc) from None
        crs = meta.get("crs")
        geometries = shapely.from_wkb(wkb) if wkb is not None else np.array([], dtype=object)
    geometries = geometries[~shapely.is_missing(geometries)]
    return crs, geometries[~shapely.is_empty(geometries)]


def load_built_up(path: str | Path) -> BuiltUp:
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise InputError(where, "The built-up area file does not exist.", "建成区文件不存在。")
    crs, geometries = _read(path)
    notices: list[tuple[str, str]] = []
    kinds = shapely.get_type_id(geometries)
    polygonal = np.isin(kinds, [3, 6])  # Polygon, MultiPolygon
    if not polygonal.any():
        names = ", ".join(sorted({g.geom_type for g in geometries})) or "no geometry"
        raise InputError(
            where,
            f"Expected Polygon or MultiPolygon features; found {names}.",
            f"应包含面（Polygon/MultiPolygon）要素；实际为 {names}。",
            field="geometry",
        )
    if not polygonal.all():
        dropped = int((~polygonal).sum())
        notices.append((f"{dropped} non-polygon feature(s) ignored.", f"已忽略 {dropped} 个非面要素。"))
        geometries = geometries[polygonal]

    if crs is None:
        minx, miny, maxx, maxy = shapely.total_bounds(geometries)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InputError(
                where,
                "The file declares no CRS and its coordinates are not longitude/latitude.",
                "文件未声明坐标系，且坐标不是经纬度。",
            )
        notices.append(
            ("The built-up file declares no CRS; read as WGS-84 longitude/latitude.", "建成区文件未声明坐标系，按 WGS-84 经纬度读取。")
        )
        source_crs = "EPSG:4326 (assumed)"
    else:
        source_crs = crs
        declared = CRS.from_user_input(crs)
        if not declared.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            to_wgs84 = Transformer.from_crs(declared, 4326, always_xy=True)
            geometries = shapely.transform(
                geometries, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1]))
            )

    invalid = ~shapely.is_valid(geometries)
    if invalid.any():
        notices.append(
            (
                f"{int(invalid.sum())} invalid polygon(s) repaired (self-intersections or bad rings).",
                f"已修复 {int(invalid.sum())} 个无效多边形（自相交或环错误）。",
            )
        )
        geometries = np.array([_polygonal_part(shapely.make_valid(g)) if bad else g
                               for g, bad in zip(geometries, invalid, strict=True)], dtype=object)
    polygons = shapely.union_all(geometries)
    if polygons.is_empty or polygons.area == 0:
        raise InputError(where, "The polygons have no area.", "多边形面积为零。", field="geometry")
    return BuiltUp(polygons, path.name, source_crs, notices)


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type in POLYGONAL:
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()
