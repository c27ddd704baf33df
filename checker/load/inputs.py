"""Everything an audit reads, read once, before anything is computed: the feed (with the extra tables the
pack needs), the polygons, and every optional input of the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from checker.errors import InputError
from checker.load.archive import member_label
from checker.load.base_routes import load_route_list
from checker.load.built_up import BuiltUp, load_built_up
from checker.load.calendar import ServiceDate, trips_on
from checker.load.datum import LABELS as DATUM_LABELS
from checker.load.datum import to_wgs84
from checker.load.declared import load_declared
from checker.load.deviations import load_deviations
from checker.load.districts import load_districts
from checker.load.facilities import load_facilities
from checker.load.feed import Feed, load_feed
from checker.load.hub_feed import load_hub_feed
from checker.load.hubs import Hub, load_hubs_file
from checker.load.polygons import read_layer
from checker.load.realtime import Snapshot, read_avl, read_trip_updates
from checker.load.ridership import load_trip_loads
from checker.model.deviation import Deviation
from checker.model.inputs import RouteList
from checker.model.pack import RulePack

LENGTH_CHECKS = ("tm_peak_speed", "micro_route")  # need trip lengths, so shapes.txt
INDICATOR_CHECKS = ("declared", "tm_coverage", "tm_peak_speed", "tm_realtime", "tm_on_time", "tm_crowding",
                    "tm_network_km", "tm_stops", "tm_bus_lanes", "tm_accessible_stops", "tm_accessible_trips",
                    "micro_route")
LINES = ("LineString", "MultiLineString")
SHOWN_ROUTES = 20


@dataclass
class Loaded:
    feed: Feed
    built_up: BuiltUp
    districts: list[Any] | None = None
    route_list: RouteList | None = None
    trip_loads: pl.DataFrame | None = None
    hubs: list[Hub] | None = None
    facilities: list[Any] | None = None
    bus_lanes: list[Any] | None = None
    snapshots: list[Snapshot] | None = None
    observed_delays: pl.DataFrame | None = None
    declared: dict[str, Any] = field(default_factory=dict)
    digests: list[dict[str, Any]] = field(default_factory=list)  # each input file's SHA-256, for provenance
    service: ServiceDate | None = None  # chosen between the two phases of loading (load_dated_inputs)
    deviations: list[Deviation] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)


def load_inputs(request: Any, pack: RulePack, feed_path: Path | None = None, feed_datum: str | None = None) -> Loaded:
    """Read every input of `request` (an AuditRequest) that `pack` uses; say which ones it does not.
    `feed_path` and `feed_datum`: the GTFS to read instead of request.feed (a service table converted for the
    audit, whose stops are WGS-84 already)."""
    indicators = bool(pack.rules_checked_by(*INDICATOR_CHECKS))
    built_up = load_built_up(request.built_up, request.built_up_crs)
    districts, district_notices = (load_districts(request.districts, request.built_up_crs) if request.districts
                                   else (None, []))
    avl = indicators and request.on_time is not None and request.on_time.suffix.lower() == ".csv"
    feed = load_feed(feed_path or request.feed, keep_rows=avl, shapes=bool(pack.rules_checked_by(*LENGTH_CHECKS)))
    _stops_to_wgs84(feed, feed_datum or request.feed_crs)
    check_same_place(feed, built_up, districts, request)
    loaded = Loaded(feed, built_up, districts, notices=[*feed.notices, *built_up.notices, *district_notices])
    if request.base_routes is not None:
        loaded.route_list = load_route_list(request.base_routes)
    if request.deviations is not None:
        loaded.deviations = load_deviations(request.deviations)
    if request.facilities is not None:
        _facilities(request, pack, loaded)
    if indicators:
        _indicator_inputs(request, pack, loaded, avl)
    else:
        unused = [f"--{key.replace('_', '-')}" for key in ("bus_lanes", "realtime", "on_time", "declared")
                  if getattr(request, key) is not None]
        if unused:
            loaded.notices.append((f"Rule pack {pack.id} has no indicator that uses {', '.join(unused)}; not read.",
                                   f"规则包 {pack.id} 没有使用 {', '.join(unused)} 的指标，未读取。"))
    return loaded


def load_dated_inputs(request: Any, loaded: Loaded, service: ServiceDate) -> None:
    """The inputs read for the audit date, once it is chosen: peak loads of its trips, hub hours of its day type."""
    loaded.service = service
    loaded.notices += untimed_trips(loaded.feed, service)
    if request.load is not None:
        loaded.trip_loads, notices = load_trip_loads(request.load, service.day)
        loaded.notices += notices
    if request.hubs is not None:
        read = load_hub_feed if request.hubs.is_dir() or request.hubs.suffix.lower() == ".zip" else load_hubs_file
        loaded.hubs, notices = read(request.hubs, service.day, request.hubs_crs)
        loaded.notices += notices


def untimed_trips(feed: Feed, service: ServiceDate) -> list[tuple[str, str]]:
    """A notice for the trips of the audit date that have no stop_times (GTFS-Flex trips apart): they cannot
    be audited, and a route may vanish with them."""
    day_trips = trips_on(feed, service.day)
    missing = day_trips.filter(pl.col("trip_idx").is_null()).filter(
        ~pl.col("trip_id").is_in(feed.stop_times.flex_trip_ids.implode()))
    if missing.is_empty():
        return []
    per_route = missing.group_by("route_id").len().sort(["len", "route_id"], descending=[True, False])
    timed = day_trips.filter(pl.col("trip_idx").is_not_null())["route_id"].unique()
    gone = per_route.filter(~pl.col("route_id").is_in(timed.implode()))["route_id"].to_list()
    shown = ", ".join(f"{r} ({n})" for r, n in per_route.head(SHOWN_ROUTES).iter_rows())
    shown += " …" if per_route.height > SHOWN_ROUTES else ""
    lost_en = f"; {len(gone)} route(s) have no timed trip at all that day: {', '.join(gone[:SHOWN_ROUTES])}" if gone else ""
    lost_zh = f"；其中 {len(gone)} 条线路当天没有任何有时刻的班次：{'、'.join(gone[:SHOWN_ROUTES])}" if gone else ""
    return [(f"{missing.height} of the {day_trips.height} trips running on {service.day} have no stop_times, so they "
             f"are left out of the audit (route: trips) {shown}{lost_en}.",
             f"审计日 {service.day} 运营的 {day_trips.height} 个班次中有 {missing.height} 个在 stop_times.txt 中没有时刻，"
             f"未纳入审计（线路：班次数）{shown}{lost_zh}。")]


# Stops and polygons more than this far apart are not the same city (datum errors move points about 1 km).
SAME_PLACE_KM = 50


def check_same_place(feed: Feed, built_up: BuiltUp, districts: list[Any] | None, request: Any) -> None:
    """Refuse a built-up area that lies nowhere near the feed's stops (its coordinates are lat/lon swapped,
    projected without a declared CRS, or of another city), and districts that miss the built-up area."""
    stops = feed.stops.filter(pl.col("location_type") == 0).drop_nulls(["stop_lon", "stop_lat"])
    if stops.is_empty():
        return
    lon, lat = stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy()
    minx, miny, maxx, maxy = built_up.geometry.bounds
    dlat = SAME_PLACE_KM / 111.0
    dlon = dlat / max(float(np.cos(np.radians(np.clip((miny + maxy) / 2, -85, 85)))), 0.05)
    near = (lon >= minx - dlon) & (lon <= maxx + dlon) & (lat >= miny - dlat) & (lat <= maxy + dlat)
    if not near.any():
        swapped = bool(miny - dlat <= np.median(lon) <= maxy + dlat and minx - dlon <= np.median(lat) <= maxx + dlon)
        hint_en = (" Read with longitude and latitude swapped it would lie at the stops: GeoJSON wants [longitude, "
                   "latitude].") if swapped else ""
        hint_zh = "若交换经纬度则与站点重合：GeoJSON 坐标应为 [经度, 纬度]。" if swapped else ""
        raise InputError(
            str(request.built_up),
            f"The built-up area (longitude {minx:.3f} to {maxx:.3f}, latitude {miny:.3f} to {maxy:.3f}) lies more "
            f"than {SAME_PLACE_KM} km from every stop of the feed (around longitude {np.median(lon):.3f}, latitude "
            f"{np.median(lat):.3f}). Expected the same city's polygon in longitude/latitude (WGS-84, GCJ-02 or "
            f"BD-09), or a file that declares its CRS.{hint_en}",
            f"建成区（经度 {minx:.3f}–{maxx:.3f}，纬度 {miny:.3f}–{maxy:.3f}）距离所有站点（约经度 {np.median(lon):.3f}、"
            f"纬度 {np.median(lat):.3f}）均超过 {SAME_PLACE_KM} 公里。应为同一城市、以经纬度表示（或声明坐标系）的多边形。"
            f"{hint_zh}",
            field="geometry",
        )
    if districts and not any(d.geometry.intersects(built_up.geometry) for d in districts):
        raise InputError(str(request.districts), "None of the districts overlaps the built-up area; expected the "
                         "same city's districts, in the same coordinates.",
                         "没有任何行政区与建成区重叠；应为同一城市、同一坐标的行政区。", field="geometry")


def _stops_to_wgs84(feed: Feed, datum: str) -> None:
    """The feed's datum applied once, here: every later stage sees stops in WGS-84."""
    if datum == "wgs84":
        return
    given_lon, given_lat = feed.stops["stop_lon"].to_numpy(), feed.stops["stop_lat"].to_numpy()
    lon, lat = to_wgs84(given_lon, given_lat, datum)
    lost = np.isfinite(given_lon) & np.isfinite(given_lat) & ~(np.isfinite(lon) & np.isfinite(lat))
    if lost.any():  # a pole: the datum's formulas divide by the cosine of the latitude
        lost[~np.isin(np.arange(len(lost)), feed.stop_times.visit_stop_idx)] = False  # a stop no trip calls at: unplaced
    if lost.any():
        stop = feed.stops.row(int(np.flatnonzero(lost)[0]), named=True)
        name = DATUM_LABELS[datum]
        where = member_label(feed.path, "stops.txt", zipped=feed.path.is_file())
        raise InputError(where, f"The stop lies at a pole (latitude {stop['stop_lat']:g}), where {name} has no "
                         "position to convert: no bus stop is there.",
                         f"该站点位于极点（纬度 {stop['stop_lat']:g}），{name} 坐标在此无法换算，公交站点不可能位于此处。",
                         field="stop_lat", value=f"stop_id {stop['stop_id']}: {stop['stop_lat']:g}")
    feed.stops = feed.stops.with_columns(stop_lon=pl.Series(lon), stop_lat=pl.Series(lat))


def _facilities(request: Any, pack: RulePack, loaded: Loaded) -> None:
    rules = pack.rules_checked_by("priority_coverage")
    if not rules:
        loaded.notices.append((f"Rule pack {pack.id} has no priority rule; --facilities was not used.",
                               f"规则包 {pack.id} 没有优先保障规则，未使用 --facilities。"))
        return
    loaded.facilities, notices = load_facilities(request.facilities, request.facilities_crs,
                                                 rules[0].params["categories"])
    loaded.notices += notices


def _indicator_inputs(request: Any, pack: RulePack, loaded: Loaded, avl: bool) -> None:
    """Bus lanes, real-time snapshots, observed delays and declared statistics, where given."""
    if request.bus_lanes is not None:
        layer = read_layer(request.bus_lanes, "bus lanes", "公交专用道", request.bus_lanes_crs, LINES)
        loaded.bus_lanes = layer.geometries
        loaded.notices += layer.notices
    if request.realtime is not None:
        loaded.snapshots = read_trip_updates(request.realtime)
    if request.on_time is not None:
        if avl:
            loaded.observed_delays, notices = read_avl(request.on_time, loaded.feed)
            loaded.notices += notices
        else:
            rows = [row for snapshot in read_trip_updates(request.on_time) for row in snapshot.delays]
            loaded.observed_delays = pl.DataFrame(rows, schema=["trip_id", "stop_id", "delay_s"], orient="row")
    if request.declared is not None:
        keys = {}
        for rule in pack.rules_checked_by(*INDICATOR_CHECKS):
            keys[rule.id] = rule.id
            if rule.params.get("number") is not None:
                keys[str(rule.params["number"])] = rule.id
        loaded.declared = load_declared(request.declared, keys)
