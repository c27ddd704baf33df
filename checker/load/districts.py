"""Districts (区县) for coverage per district: polygons with a name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from checker.errors import InputError
from checker.load.polygons import read_polygons

NAME_FIELDS = ("name", "NAME", "名称", "district", "NAME_CHN", "name_zh")


@dataclass
class District:
    name: str
    geometry: BaseGeometry  # WGS-84


def load_districts(path: str | Path, datum: str = "wgs84") -> tuple[list[District], list[tuple[str, str]]]:
    layer = read_polygons(path, "districts", "行政区", datum)
    fields = layer.properties[0].keys() if layer.properties else []
    name_field = next((f for f in NAME_FIELDS if f in fields), None)
    if name_field is None:
        raise InputError(str(path), f"Expected a name field ({', '.join(NAME_FIELDS)}); found {', '.join(fields)}.",
                         "行政区文件应包含名称字段（如 name）。", field="name")
    districts = [District(str(props.get(name_field) or f"#{i + 1}"), geometry)
                 for i, (props, geometry) in enumerate(zip(layer.properties, layer.geometries, strict=True))]
    return districts, layer.notices
