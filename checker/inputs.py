"""The one table of an audit's inputs. The CLI options of `buscheck audit`, the keys of a batch manifest,
the fields of `AuditRequest` and `result.inputs` are all derived from it, so an input is added in one place."""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from datetime import date
from pathlib import Path
from typing import Any

DATUMS = ("wgs84", "gcj02", "bd09")


@dataclass(frozen=True)
class InputSpec:
    name: str  # AuditRequest field and manifest key; the CLI option is --name-with-dashes
    help_en: str
    help_zh: str
    required: bool = False
    datum: str | None = None  # the name of its datum option (longitude/latitude in WGS-84, GCJ-02 or BD-09)
    datum_help: str = ""
    always_in_result: bool = False  # result.inputs lists it (null) even when not given
    kind: str = "path"  # "path": a file or folder (hashed, relative to a manifest); "url": a URL template
    datum_default: str = "wgs84"  # "auto": known from the input itself (a basemap's host) unless given

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")


INPUTS: tuple[InputSpec, ...] = (
    InputSpec("feed", "GTFS feed: a .zip or a folder", "GTFS 数据（zip 或文件夹）", required=True,
              datum="feed_crs", datum_help="Datum of stop coordinates / 站点坐标系", always_in_result=True),
    InputSpec("built_up", "Built-up area polygons (GeoJSON, GPKG, SHP)", "建成区", required=True,
              datum="built_up_crs", datum_help="Datum of the polygons' lon/lat (DataV maps: gcj02) / 建成区坐标系",
              always_in_result=True),
    InputSpec("base_routes", "CSV of basic routes (route_id or route_short_name)", "基本公交线路清单",
              always_in_result=True),
    InputSpec("profile", "City profile TOML (or a shipped profile's name): tier, own target, work hours, peaks",
              "城市配置", always_in_result=True),
    InputSpec("load", "Peak load: GTFS-Ride or CSV trip_id,peak_load,capacity", "满载率数据", always_in_result=True),
    InputSpec("districts", "District polygons with a name field", "行政区（分区覆盖率）", always_in_result=True),
    InputSpec("hubs", "Hub hours: CSV/GeoJSON (name, mode, lat, lon, first_departure, last_arrival) or a GTFS feed "
              "of rail, metro, air, coach or ferry", "对外交通枢纽运营时间", datum="hubs_crs",
              datum_help="Datum of the hubs' coordinates / 枢纽坐标系", always_in_result=True),
    InputSpec("facilities", "Priority facilities: CSV/GeoJSON with name, category", "优先保障设施", datum="facilities_crs",
              datum_help="Datum of the facilities' coordinates / 设施坐标系", always_in_result=True),
    InputSpec("bus_lanes", "Bus-lane lines (GeoJSON, ...) for TM-13", "公交专用道", datum="bus_lanes_crs",
              datum_help="Datum of the bus lanes / 专用道坐标系"),
    InputSpec("realtime", "GTFS-Realtime TripUpdates snapshot(s) for TM-08", "实时到站快照"),
    InputSpec("on_time", "Archived TripUpdates, or AVL CSV trip_id,stop_id,actual_time, for TM-05", "正点数据"),
    InputSpec("declared", "Declared statistics CSV indicator,value,source", "申报数据"),
    InputSpec("deviations", "Approved deviations CSV rule,subject,direction,reason,document,valid_until: a matching "
              "fail becomes exempt", "批准的例外（提前发班、延迟收班等）"),
    InputSpec("basemap", "Tiles under report.html's map, fetched by the reader's browser (the report is offline "
              "without): an XYZ URL template with {z} {x} {y}, optional {s}, e.g. "
              "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "报告底图瓦片地址模板（由浏览器加载）",
              kind="url", datum="basemap_datum", datum_default="auto",
              datum_help="Datum of the tiles: auto (known hosts: AutoNavi/amap, Tencent, google.cn are gcj02; "
                         "others wgs84), wgs84 or gcj02 / 底图坐标系"),
)
PATH_KEYS = tuple(spec.name for spec in INPUTS if spec.kind == "path")
URL_KEYS = tuple(spec.name for spec in INPUTS if spec.kind == "url")
DATUM_KEYS = tuple(spec.datum for spec in INPUTS if spec.datum)
DATUM_DEFAULTS = {spec.datum: spec.datum_default for spec in INPUTS if spec.datum}
# Inputs that only some rule checks read, and the checks that read them (others get a notice, not a silent drop).
INDICATOR_INPUTS = ("bus_lanes", "realtime", "on_time", "declared")

AuditRequest = make_dataclass(
    "AuditRequest",
    [("feed", Path), ("built_up", Path), ("city", str),
     ("service_date", date | None, field(default=None)),
     ("rules", str | None, field(default=None)),
     ("overrides", dict[str, Any], field(default_factory=dict)),  # profile settings given by a batch manifest
     ("week", bool, field(default=False)),  # a representative weekday, Saturday and Sunday
     ("dates", list[date], field(default_factory=list)),  # these dates
     ("select", list[str], field(default_factory=list)),  # rule id patterns to judge (all when empty)
     ("ignore", list[str], field(default_factory=list)),  # rule id patterns not to judge
     ("interval", str, field(default="upper")),  # a service-table feed: which end of a published range is judged
     ("speed_kmh", float, field(default=15.0)),  # a service-table feed: speed its stop times are estimated at
     *[(spec.name, (Path if spec.kind == "path" else str) | None, field(default=None))
       for spec in INPUTS if not spec.required],
     *[(key, str, field(default=default)) for key, default in DATUM_DEFAULTS.items()]],
)
AuditRequest.__module__ = __name__  # so that worker processes can unpickle it
AuditRequest.__doc__ = "What one audit is asked to do: the inputs of INPUTS, their datums, the city, date and pack."


def describe(value: Any, kind: str = "path") -> str:
    """How result.inputs names an input: its path, or what the Python API was given instead of one; a URL
    template with its keys (天地图's tk=, ...) as ***."""
    if kind == "url":
        from checker.report.basemap import redacted

        return redacted(str(value))
    if hasattr(value, "geom_type"):
        return f"{value.geom_type} (Python API)"
    return str(value)


def result_inputs(request: Any) -> dict[str, Any]:
    """`result.inputs`: each input's path (null where not given, for the usual ones) and its datum."""
    shown: dict[str, Any] = {}
    for spec in INPUTS:
        value = getattr(request, spec.name)
        if value is None and not spec.always_in_result:
            continue
        shown[spec.name] = None if value is None else describe(value, spec.kind)
        if spec.datum and (value is not None or spec.always_in_result):
            shown[spec.datum] = getattr(request, spec.datum)
    return shown
