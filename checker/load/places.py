"""Places with attributes (hubs, facilities): a CSV with lat and lon columns, or a vector file of points or
polygons (GeoJSON, GeoPackage, Shapefile). Every row keeps where it came from, so errors can name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from checker.errors import InputError
from checker.load.archive import SingleFile
from checker.load.datum import to_wgs84
from checker.load.polygons import read_layer
from checker.load.table import LINE, read_table

PLACE_KINDS = ("Point", "MultiPoint", "Polygon", "MultiPolygon")


@dataclass
class Places:
    path: Path
    rows: list[dict[str, str | None]]  # the fields asked for, as text (None when empty)
    geometries: np.ndarray  # WGS-84 lon/lat
    lines: list[int | None]  # CSV line of each row; None for features of a vector file
    notices: list[tuple[str, str]] = field(default_factory=list)

    def error(self, index: int, field: str, value: object, en: str, zh: str) -> InputError:
        line = self.lines[index]
        where = str(self.path) if line is not None else f"{self.path} feature {index + 1} 第{index + 1}个要素"
        return InputError(where, en, zh, line=line, field=field, value=value)


def read_places(path: str | Path, what_en: str, what_zh: str, datum: str, required: list[str],
                optional: list[str] = ()) -> Places:
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), f"The {what_en} file does not exist.", f"{what_zh}文件不存在。")
    places = _read_csv(path, datum, required, optional) if path.suffix.lower() == ".csv" else \
        _read_vector(path, what_en, what_zh, datum, required, optional)
    for i, row in enumerate(places.rows):
        for name in required:
            if row[name] is None:
                raise places.error(i, name, "", f"{name} is empty; every {what_en} needs one.", f"{name} 不能为空。")
    return places


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _read_csv(path: Path, datum: str, required: list[str], optional: list[str]) -> Places:
    table = read_table(SingleFile(path), path.name, [*required, "lat", "lon"], optional)
    for column in ("lat", "lon"):
        table.require(column)
    df = table.df.with_columns(lat=table.floats("lat", -90, 90), lon=table.floats("lon", -180, 180))
    lon, lat = to_wgs84(df["lon"].to_numpy(), df["lat"].to_numpy(), datum)
    rows = [{name: _text(row[name]) for name in [*required, *optional]} for row in df.iter_rows(named=True)]
    return Places(path, rows, shapely.points(lon, lat), df[LINE].to_list())


def _read_vector(path: Path, what_en: str, what_zh: str, datum: str, required: list[str],
                 optional: list[str]) -> Places:
    layer = read_layer(path, what_en, what_zh, datum, PLACE_KINDS)
    rows = [{name: _text(props.get(name)) for name in [*required, *optional]} for props in layer.properties]
    return Places(path, rows, layer.geometries, [None] * len(rows), list(layer.notices))
