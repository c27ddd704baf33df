"""Polygon layers (built-up areas, districts): read, keep polygons, reproject to WGS-84, repair.

GeoJSON, the common case, is parsed with orjson and GEOS (shapely.from_geojson); other formats go through
GDAL (pyogrio's raw reader). Neither path imports geopandas, which would add most of a second to every
audit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.geometry.base import BaseGeometry

from checker.errors import InputError
from checker.load.datum import geometry_to_wgs84

POLYGONAL = ("Polygon", "MultiPolygon")
MAX_GEOJSON_BYTES = 1_000_000_000
LONLAT_EXPECTED = ("Expected longitude/latitude in degrees (longitude -180 to 180, latitude -90 to 90, in that order, "
                   "as GeoJSON wants), or a file that declares its CRS")
LONLAT_EXPECTED_ZH = "应为经纬度（经度 -180 至 180，纬度 -90 至 90，GeoJSON 中经度在前），或在文件中声明坐标系"


@dataclass
class PolygonLayer:
    geometries: np.ndarray  # WGS-84 lon/lat, each valid and of one of the kinds asked for
    properties: list[dict]  # one per geometry
    source_crs: str
    notices: list[tuple[str, str]] = field(default_factory=list)


def project(geometry, transformer: Transformer):
    """A geometry (or array of them) with every vertex passed through `transformer` (x, y order)."""
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _unreadable(path: Path, exc: Exception) -> InputError:
    return InputError(
        str(path),
        f"Cannot read it as a vector file (GeoJSON, GeoPackage, Shapefile): {exc}",
        "无法作为矢量文件读取（应为 GeoJSON、GeoPackage 或 Shapefile）。",
    )


def _read_geojson(path: Path) -> tuple[str | None, list, list[dict]]:
    try:
        if path.stat().st_size > MAX_GEOJSON_BYTES:
            raise ValueError(f"the file is over {MAX_GEOJSON_BYTES:,} bytes")
        document = orjson.loads(path.read_bytes())
        if document.get("type") == "FeatureCollection":
            features = document["features"]
        elif document.get("type") == "Feature":
            features = [document]
        else:
            features = [{"geometry": document, "properties": {}}]
        geometries = [shapely.from_geojson(orjson.dumps(f["geometry"])) if f.get("geometry") else None
                      for f in features]
        properties = [f.get("properties") or {} for f in features]
        # RFC 7946 GeoJSON is WGS-84; older files may still name another CRS in a "crs" member
        crs = (document.get("crs") or {}).get("properties", {}).get("name")
    except (orjson.JSONDecodeError, shapely.errors.GEOSException, AttributeError, KeyError, TypeError,
            ValueError, OSError) as exc:
        raise _unreadable(path, exc) from None
    return crs, geometries, properties


def _read_gdal(path: Path) -> tuple[str | None, list, list[dict]]:
    from pyogrio import raw

    try:
        meta, _, wkb, fields = raw.read(path, read_geometry=True)
    except Exception as exc:  # pyogrio raises several types for unreadable files; all mean the same here
        raise _unreadable(path, exc) from None
    geometries = list(shapely.from_wkb(wkb)) if wkb is not None else []
    names = list(meta["fields"])
    properties = [{name: column[i] for name, column in zip(names, fields, strict=True)}
                  for i in range(len(geometries))]
    return meta.get("crs"), geometries, properties


def read_polygons(path: str | Path, what_en: str, what_zh: str, datum: str = "wgs84") -> PolygonLayer:
    return read_layer(path, what_en, what_zh, datum, POLYGONAL)


def read_layer(path: str | Path, what_en: str, what_zh: str, datum: str, kinds: tuple[str, ...]) -> PolygonLayer:
    """Features whose geometry type is one of `kinds`, in WGS-84; the others are dropped with a notice."""
    path = Path(path)
    where = str(path)
    if not path.exists():
        raise InputError(where, f"The {what_en} file does not exist.", f"{what_zh}文件不存在。")
    if path.is_dir() and path.suffix.lower() != ".gdb":
        raise InputError(where, f"Expected a {what_en} file (GeoJSON, GeoPackage, Shapefile); this is a folder.",
                         f"应为{what_zh}文件（GeoJSON、GeoPackage 或 Shapefile），而非文件夹。")
    reader = _read_geojson if path.suffix.lower() in (".geojson", ".json") else _read_gdal
    crs, geometries, properties = reader(path)
    notices: list[tuple[str, str]] = []
    kept = [(g, p) for g, p in zip(geometries, properties, strict=True) if g is not None and not g.is_empty]
    polygons = [(g, p) for g, p in kept if g.geom_type in kinds]
    expected = "/".join(kinds)
    if not polygons:
        names = ", ".join(sorted({g.geom_type for g, _ in kept})) or "no geometry"
        raise InputError(
            where,
            f"Expected {expected} features; found {names}.",
            f"应包含 {expected} 要素；实际为 {names}。",
            field="geometry",
        )
    if len(polygons) < len(kept):
        dropped = len(kept) - len(polygons)
        notices.append((f"{path.name}: {dropped} feature(s) that are not {expected} ignored.",
                        f"{path.name}：已忽略 {dropped} 个非 {expected} 要素。"))
    shapes = np.array([g for g, _ in polygons], dtype=object)
    source_crs = crs
    if crs is None:
        _check_lonlat(shapes, where, "The file declares no CRS and its coordinates are not longitude/latitude.",
                      "文件未声明坐标系，且坐标不是经纬度。")
        if reader is _read_geojson:  # RFC 7946: GeoJSON is WGS-84 longitude/latitude unless it says otherwise
            source_crs = "EPSG:4326"
        else:
            notices.append((f"{path.name} declares no CRS; read as WGS-84 longitude/latitude.",
                            f"{path.name} 未声明坐标系，按 WGS-84 经纬度读取。"))
            source_crs = "EPSG:4326 (assumed)"
    else:
        try:
            declared = CRS.from_user_input(crs)
        except CRSError:
            raise InputError(where, "Unknown coordinate reference system; expected an EPSG code such as EPSG:4326 "
                             "or EPSG:4490.", "无法识别的坐标系；应为 EPSG 代码，如 EPSG:4326、EPSG:4490。",
                             field="crs", value=str(crs)) from None
        if not declared.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            try:
                shapes = project(shapes, Transformer.from_crs(declared, 4326, always_xy=True))
            except (CRSError, ProjError) as exc:
                raise InputError(where, f"Cannot convert from the declared CRS to longitude/latitude ({exc}).",
                                 "无法从所声明的坐标系转换为经纬度。", field="crs", value=str(crs)) from None
        _check_lonlat(shapes, where, f"Once converted from its declared CRS {crs}, the coordinates are not "
                      "longitude/latitude.", f"按所声明的坐标系 {crs} 转换后，坐标不是经纬度。")
    shapes = geometry_to_wgs84(shapes, datum)
    invalid = ~shapely.is_valid(shapes)
    if invalid.any():
        notices.append((
            f"{path.name}: {int(invalid.sum())} invalid polygon(s) repaired (self-intersections or bad rings).",
            f"{path.name}：已修复 {int(invalid.sum())} 个无效多边形（自相交或环错误）。",
        ))
        shapes = np.array([_polygonal_part(shapely.make_valid(g)) if bad else g
                           for g, bad in zip(shapes, invalid, strict=True)], dtype=object)
    return PolygonLayer(shapes, [p for _, p in polygons], source_crs, notices)


def _check_lonlat(shapes: np.ndarray, where: str, en: str, zh: str) -> None:
    """Raise unless every coordinate is a finite longitude/latitude, naming the range found and, for metres
    such as EPSG:3857's, what they likely are."""
    minx, miny, maxx, maxy = shapely.total_bounds(shapes)
    if np.isfinite([minx, miny, maxx, maxy]).all() and -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return
    found = f"x {minx:.6g} to {maxx:.6g}, y {miny:.6g} to {maxy:.6g}"
    hint_en = hint_zh = ""
    if np.isfinite([minx, miny, maxx, maxy]).all() and max(abs(minx), abs(maxx), abs(miny), abs(maxy)) > 1000:
        hint_en = (" They look like metres of a projection (Web Mercator, EPSG:3857, for one): declare it, as "
                   '"crs": {"type": "name", "properties": {"name": "EPSG:3857"}}, or convert to longitude/latitude.')
        hint_zh = "坐标看似投影坐标（米，如 EPSG:3857 Web 墨卡托）：请在文件中声明坐标系，或转换为经纬度。"
    elif np.isfinite([minx, miny, maxx, maxy]).all() and -90 <= minx <= maxx <= 90 and -180 <= miny <= maxy <= 180:
        hint_en = " Latitude and longitude look swapped: GeoJSON wants [longitude, latitude]."
        hint_zh = "经纬度似乎颠倒：GeoJSON 坐标应为 [经度, 纬度]。"
    raise InputError(where, f"{en} {LONLAT_EXPECTED}; found {found}.{hint_en}",
                     f"{zh}{LONLAT_EXPECTED_ZH}；实际范围 {found}。{hint_zh}", field="geometry")


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    if geometry.geom_type in POLYGONAL:
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()
