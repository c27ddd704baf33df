"""Every metric of one audit, computed once from what load/ read: no file is opened and no threshold is
known here. Route kinds come from metrics/route_kinds.py; coordinates are turned to WGS-84 once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from checker.load.calendar import trips_on
from checker.load.datum import from_wgs84, to_wgs84
from checker.load.inputs import INDICATOR_CHECKS, Loaded
from checker.metrics.coverage import Coverage, compute_coverage, district_coverage, share_inside
from checker.metrics.departures import infer_directions, origin_departures
from checker.metrics.hubs import hub_service
from checker.metrics.indicators import IndicatorInputs, compute_indicators
from checker.metrics.load_factor import peak_load_factors
from checker.metrics.priority import priority_coverage
from checker.metrics.route_kinds import BasicRoutes, basic_routes
from checker.metrics.route_table import route_rows
from checker.model.metrics import (
    CoverageSummary,
    DistrictCoverage,
    HubsMetric,
    LoadMetric,
    Metrics,
    RouteLoad,
)
from checker.model.pack import CityProfile, RulePack

OUTSIDE_WARNING_SHARE = 0.5


@dataclass
class Measured:
    metrics: Metrics
    coverage: Coverage  # with geometry, for the map and uncovered.geojson
    basic: BasicRoutes
    notices: list[tuple[str, str]] = field(default_factory=list)


def compute_metrics(loaded: Loaded, request: Any, pack: RulePack, city: CityProfile) -> Measured:
    feed, day = loaded.feed, loaded.service.day
    basic = basic_routes(feed.routes, loaded.route_list)
    notices: list[tuple[str, str]] = []
    if basic.not_bus:
        shown = ", ".join(f"{r} ({t})" for r, t in basic.not_bus[:20]) + (" …" if len(basic.not_bus) > 20 else "")
        notices.append((f"{len(basic.not_bus)} route(s) are not bus or trolleybus by their route_type, so no basic-bus "
                        f"rule judges them (route_type in brackets): {shown}.",
                        f"{len(basic.not_bus)} 条线路按 route_type 不属于公共汽电车，不按基本公交规则评判（括号内为 route_type）：{shown}。"))
    if basic.not_in_feed:
        shown = ", ".join(basic.not_in_feed[:20])
        notices.append((f"Listed basic routes not in the feed: {shown}.", f"清单中以下线路在 GTFS 中不存在：{shown}。"))

    day_trips = infer_directions(trips_on(feed, day), feed.trip_ends, feed.stops)
    trips = day_trips.filter(pl.col("route_id").is_in(basic.route_ids))
    all_departures = origin_departures(feed, day_trips)  # every route: hubs may be served by non-basic lines
    departures = all_departures.filter(pl.col("route_id").is_in(basic.route_ids))
    routes = route_rows(departures, feed.routes, city.peak_windows, set(city.night_routes))

    radius = next((r.params["radius_m"] for r in pack.rules_checked_by("coverage_min", "tm_coverage")), 500)
    served = feed.stops_served_by(trips["trip_id"])
    lon, lat = served["stop_lon"].to_numpy(), served["stop_lat"].to_numpy()  # WGS-84 since loading
    coverage = compute_coverage(loaded.built_up.geometry, lon, lat, radius)
    if coverage.stops_used and coverage.stops_outside_built_up / coverage.stops_used > OUTSIDE_WARNING_SHARE:
        notices.append(_outside_warning(coverage, request, lon, lat))

    metrics = Metrics(coverage=_coverage_summary(coverage, loaded), routes=routes)
    if loaded.trip_loads is not None:
        metrics.load = LoadMetric(str(request.load), [
            RouteLoad(**row) for row in peak_load_factors(departures, loaded.trip_loads, city.peak_windows)])
    if loaded.hubs is not None:
        metrics.hubs = _hubs(loaded, request, all_departures, basic.route_ids, city)
    if loaded.facilities is not None:
        rule = pack.rules_checked_by("priority_coverage")[0]
        stops = pl.DataFrame({"stop_id": served["stop_id"], "stop_name": served["stop_name"], "lon": lon, "lat": lat})
        metrics.priority = {"source": str(request.facilities), **priority_coverage(
            loaded.facilities, coverage, stops, rule.params["categories"], rule.params["radius_m"])}
    if pack.rules_checked_by(*INDICATOR_CHECKS):
        inputs = IndicatorInputs(feed, day, city, coverage, departures, served, loaded.trip_loads,
                                 snapshots=loaded.snapshots, observed_delays=loaded.observed_delays,
                                 bus_lanes=loaded.bus_lanes, declared=loaded.declared)
        metrics.indicators = compute_indicators(pack, inputs)
        notices += inputs.notices
    return Measured(metrics, coverage, basic, notices)


def _coverage_summary(coverage: Coverage, loaded: Loaded) -> CoverageSummary:
    districts = None
    if loaded.districts is not None:
        districts = [DistrictCoverage(**row) for row in district_coverage(coverage, loaded.districts)]
    return CoverageSummary(
        ratio=round(coverage.ratio, 6), built_up_km2=round(coverage.built_up_km2, 4),
        covered_km2=round(coverage.covered_km2, 4), uncovered_km2=round(coverage.uncovered_km2, 4),
        stops_used=coverage.stops_used, stops_outside_built_up=coverage.stops_outside_built_up,
        radius_m=coverage.radius_m, projection=coverage.projection, built_up_source=loaded.built_up.source,
        districts=districts,
    )


def _hubs(loaded: Loaded, request: Any, departures: pl.DataFrame, basic_ids: list[str], city: CityProfile) -> HubsMetric:
    """Every route of the day that starts or ends at a hub (terminals in WGS-84)."""
    feed = loaded.feed
    ends = pl.concat([departures["origin_stop_id"], departures["destination_stop_id"]]).unique()
    terminals = feed.stops.filter(pl.col("stop_id").is_in(ends.implode()))
    terminals = terminals.select("stop_id", lon="stop_lon", lat="stop_lat")
    assert loaded.hubs is not None
    entries = hub_service(loaded.hubs, departures, terminals, feed.routes, set(basic_ids), set(city.night_routes),
                          set(city.dedicated_routes), city.hub.distance_m)
    return HubsMetric(str(request.hubs), city.hub.distance_m, entries)


def _outside_warning(coverage: Coverage, request: Any, lon: np.ndarray, lat: np.ndarray) -> tuple[str, str]:
    """Most served stops lie outside the built-up area: say so, and test the likely causes, which are a
    Chinese datum on one side only: stops in GCJ-02/BD-09 read as WGS-84, or the polygon so."""
    share = coverage.stops_outside_built_up / coverage.stops_used
    readings = []
    if request.feed_crs == "wgs84":  # then the coordinates are the feed's own
        readings += [(f"the feed's coordinates are likely {name}", f"站点坐标很可能为 {name}", f"--feed-crs {datum}",
                      to_wgs84(lon, lat, datum)) for datum, name in (("gcj02", "GCJ-02"), ("bd09", "BD-09"))]
    if request.built_up_crs == "wgs84":
        # a polygon drawn in GCJ-02 lies where WGS-84 stops would appear once shifted into GCJ-02
        readings += [(f"the built-up polygon is likely drawn on a {name} map", f"建成区很可能绘制于 {name} 地图",
                      f"--built-up-crs {datum}", from_wgs84(lon, lat, datum))
                     for datum, name in (("gcj02", "GCJ-02"), ("bd09", "BD-09"))]
    for cause_en, cause_zh, option, (x, y) in readings:
        inside = share_inside(coverage, x, y)
        if inside > 1 - OUTSIDE_WARNING_SHARE:
            return (
                f"{share:.0%} of the served stops lie outside the built-up area, but {inside:.0%} would lie inside "
                f"if {cause_en}: rerun with {option}.",
                f"{share:.0%} 的服务站点位于建成区之外；若{cause_zh}，则 {inside:.0%} 位于建成区内：请使用 {option} 重新审计。",
            )
    return (
        f"{share:.0%} of the served stops lie outside the built-up area. Check --feed-crs and --built-up-crs "
        "(GCJ-02 and BD-09 readings did not help) and that the polygon is the same city.",
        f"{share:.0%} 的服务站点位于建成区之外。请核对 --feed-crs 与 --built-up-crs（按 GCJ-02、BD-09 解读均无改善），"
        "以及建成区是否为同一城市。",
    )
