"""Everything an audit reads, read once, before anything is computed: the feed (with the extra tables the
pack needs), the polygons, and every optional input of the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from checker.load.base_routes import load_route_list
from checker.load.built_up import BuiltUp, load_built_up
from checker.load.calendar import ServiceDate
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
    if request.load is not None:
        loaded.trip_loads, notices = load_trip_loads(request.load, service.day)
        loaded.notices += notices
    if request.hubs is not None:
        read = load_hub_feed if request.hubs.is_dir() or request.hubs.suffix.lower() == ".zip" else load_hubs_file
        loaded.hubs, notices = read(request.hubs, service.day, request.hubs_crs)
        loaded.notices += notices


def _stops_to_wgs84(feed: Feed, datum: str) -> None:
    """The feed's datum applied once, here: every later stage sees stops in WGS-84."""
    if datum == "wgs84":
        return
    lon, lat = to_wgs84(feed.stops["stop_lon"].to_numpy(), feed.stops["stop_lat"].to_numpy(), datum)
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
