"""Every metric of one audit, computed once from what load/ read: no file is opened and no threshold is
known here. Route kinds come from metrics/route_kinds.py; coordinates are turned to WGS-84 once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from checker.background import completed, in_thread
from checker.load.calendar import trips_on
from checker.load.datum import LABELS as DATUM_LABELS
from checker.load.datum import from_wgs84, to_wgs84
from checker.load.inputs import INDICATOR_CHECKS, Loaded
from checker.load.polygons import project
from checker.metrics.coverage import (
    Coverage,
    compute_coverage,
    district_coverage,
    share_far_from,
    share_inside,
)
from checker.metrics.departures import infer_directions, origin_departures
from checker.metrics.hubs import hub_service
from checker.metrics.indicators import IndicatorInputs, compute_indicators
from checker.metrics.load_factor import peak_load_factors
from checker.metrics.priority import priority_coverage
from checker.metrics.route_kinds import BasicRoutes, base_route_type, is_bus
from checker.metrics.route_table import route_rows
from checker.model.metrics import (
    FAR_FROM_STOPS_M,
    CoverageSummary,
    DistrictCoverage,
    HubsMetric,
    ListedRoute,
    LoadMetric,
    Metrics,
    RouteListMetric,
    RouteLoad,
)
from checker.model.pack import CityProfile, RulePack

OUTSIDE_WARNING_SHARE = 0.5
DATUM_GAIN = 0.05  # another datum reading that puts 5 percentage points more served stops inside is named
DATUM_SAMPLE = 500
_CHINESE_DATUMS = [(datum, DATUM_LABELS[datum]) for datum in ("gcj02", "bd09")]


@dataclass
class Measured:
    metrics: Metrics
    coverage: Coverage  # with geometry, for the map and uncovered.geojson
    basic: BasicRoutes
    notices: list[tuple[str, str]] = field(default_factory=list)
    departures: pl.DataFrame | None = None  # every route's departures on the date (origin_departures)
    day_trips: pl.DataFrame | None = None  # every trip of the date, directions inferred


def compute_metrics(loaded: Loaded, request: Any, pack: RulePack, city: CityProfile, basic: BasicRoutes,
                    coverages: dict[tuple, Coverage] | None = None) -> Measured:
    """The day's metrics. `coverages`: coverage already computed for the same stops (the days of a --week
    usually serve the same stops, and the union of their discs is the costliest step), filled as computed."""
    assert loaded.service is not None
    feed, day = loaded.feed, loaded.service.day
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
    radius = next((r.params["radius_m"] for r in pack.rules_checked_by("coverage_min", "tm_coverage")), 500)
    served = feed.stops_served_by(_coverage_trips(pack, feed, day_trips, trips))
    lon, lat = served["stop_lon"].to_numpy(), served["stop_lat"].to_numpy()  # WGS-84 since loading
    key = (radius, lon.tobytes(), lat.tobytes())
    known = (coverages or {}).get(key)
    # the union of discs (GEOS, without the GIL), the longest step, starts first and runs while the departures
    # and the route table are computed
    pending = completed(known) if known is not None else in_thread(
        compute_coverage, loaded.built_up.geometry, lon, lat, radius, name="buscheck-coverage")
    all_departures = origin_departures(feed, day_trips)  # every route: hubs may be served by non-basic lines
    departures = all_departures.filter(pl.col("route_id").is_in(basic.route_ids))

    published = None
    if feed.published_intervals is not None:  # a converted service table: the published range of each window
        published = feed.published_intervals.join(trips.select("trip_id", "route_id", "direction_id"), on="trip_id")
    routes = route_rows(departures, feed.routes, city.peak_windows, set(city.night_routes), published, feed.stops)

    coverage = pending.result()
    if coverages is not None:
        coverages[key] = coverage
    datum_notice = _datum_notice(coverage, request, lon, lat)
    if datum_notice is not None:
        notices.append(datum_notice)

    summary = _coverage_summary(coverage, loaded)
    stops = feed.stops.filter(pl.col("location_type").fill_null(0) == 0)
    summary.far_from_stops_share = round(share_far_from(
        coverage, stops["stop_lon"].to_numpy(), stops["stop_lat"].to_numpy(), FAR_FROM_STOPS_M), 4)
    if summary.polygon_doubtful:
        notices.append((
            f"{summary.far_from_stops_share:.0%} of the built-up polygon ({summary.built_up_km2:,.0f} km2) lies more than "
            f"{FAR_FROM_STOPS_M / 1000:g} km from every stop of the feed: it may be an administrative boundary, not the "
            "built-up area (建成区) that Art. 10(1) measures. Check the polygon before signing the coverage verdict.",
            f"建成区多边形（{summary.built_up_km2:,.0f} 平方公里）有 {summary.far_from_stops_share:.0%} 的面积距离所有站点超过 "
            f"{FAR_FROM_STOPS_M / 1000:g} 公里，可能是行政区划边界而非第十条第一项所称的建成区。请核对后再签署覆盖率结论。"))
    metrics = Metrics(coverage=summary, routes=routes, timetable=feed.estimated)
    if loaded.route_list is not None:
        metrics.route_list = _route_list(loaded, basic, all_departures)
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
    return Measured(metrics, coverage, basic, notices, all_departures, day_trips)


def _coverage_trips(pack: RulePack, feed: Any, day_trips: pl.DataFrame, basic_trips: pl.DataFrame) -> pl.DataFrame:
    """Whose stops count for coverage: Guangdong's rule counts basic-route stops; the transit-metropolis
    indicator (城市公共交通站点) every public transport stop of the modes its rule lists."""
    if pack.rules_checked_by("coverage_min") or not pack.rules_checked_by("tm_coverage"):
        return basic_trips
    modes = set(pack.rules_checked_by("tm_coverage")[0].params["modes"])
    types = feed.routes.select("route_id", mode=base_route_type(pl.col("route_type")))
    return day_trips.join(types, on="route_id").filter(pl.col("mode").is_in(list(modes)))


def _route_list(loaded: Loaded, basic: BasicRoutes, departures: pl.DataFrame) -> RouteListMetric:
    """Listed routes that do not run on the audit date, and bus routes that run but are not listed."""
    routes = loaded.feed.routes
    running = set(departures["route_id"].unique().to_list())
    listed_ids = set(basic.route_ids)
    buses = routes.filter(is_bus(pl.col("route_type")))

    def rows(frame: pl.DataFrame) -> list[ListedRoute]:
        return [ListedRoute(r["route_id"], r["route_short_name"])
                for r in frame.sort("route_id").iter_rows(named=True)]

    assert loaded.route_list is not None
    return RouteListMetric(
        source=loaded.route_list.path, listed=len(loaded.route_list.values), not_in_feed=basic.not_in_feed,
        not_running=rows(routes.filter(pl.col("route_id").is_in(list(listed_ids - running)))),
        unlisted_running=rows(buses.filter(pl.col("route_id").is_in(list(running - listed_ids)))),
    )


def _coverage_summary(coverage: Coverage, loaded: Loaded) -> CoverageSummary:
    districts = None
    if loaded.districts is not None:
        districts = [DistrictCoverage(**row) for row in district_coverage(coverage, loaded.districts)]
        coverage.districts_local = [(d.name, project(d.geometry, coverage.to_local)) for d in loaded.districts]
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
    terminals = terminals.select("stop_id", "stop_name", lon="stop_lon", lat="stop_lat")
    assert loaded.hubs is not None
    entries = hub_service(loaded.hubs, departures, terminals, feed.routes, set(basic_ids), set(city.night_routes),
                          set(city.dedicated_routes), city.hub.distance_m)
    return HubsMetric(str(request.hubs), city.hub.distance_m, entries)


def _datum_notice(coverage: Coverage, request: Any, lon: np.ndarray, lat: np.ndarray) -> tuple[str, str] | None:
    """A Chinese datum on one side only (stops in GCJ-02/BD-09 read as WGS-84, or the polygon so) shifts every
    stop by 0.5-1.3 km and silently changes coverage. Warn whenever another reading puts at least
    DATUM_GAIN more of the served stops inside the built-up area than the given one, naming the option; and
    whenever most stops lie outside, whatever the cause. Tested on an even sample of the stops (the shift is
    nearly constant over a city)."""
    if not coverage.stops_used:
        return None
    pick = np.unique(np.linspace(0, len(lon) - 1, min(len(lon), DATUM_SAMPLE)).astype(int))
    lon, lat = lon[pick], lat[pick]
    given = share_inside(coverage, lon, lat)
    share = coverage.stops_outside_built_up / coverage.stops_used
    readings = []
    if request.feed_crs == "wgs84":  # then the coordinates are the feed's own
        readings += [(f"the feed's coordinates are likely {name}", f"站点坐标很可能为 {name}", f"--feed-crs {datum}",
                      to_wgs84(lon, lat, datum)) for datum, name in _CHINESE_DATUMS]
    if request.built_up_crs == "wgs84":
        # a polygon drawn in GCJ-02 lies where WGS-84 stops would appear once shifted into GCJ-02
        readings += [(f"the built-up polygon is likely drawn on a {name} map", f"建成区很可能绘制于 {name} 地图",
                      f"--built-up-crs {datum}", from_wgs84(lon, lat, datum))
                     for datum, name in _CHINESE_DATUMS]
    scored = [(share_inside(coverage, x, y), cause_en, cause_zh, option) for cause_en, cause_zh, option, (x, y)
              in readings]
    best = max(scored, default=None)
    if best is not None and best[0] - given >= DATUM_GAIN:
        inside, cause_en, cause_zh, option = best
        return (
            f"{share:.0%} of the served stops lie outside the built-up area, but {inside:.0%} would lie inside "
            f"(now {given:.0%}) if {cause_en}: rerun with {option}. Coverage depends on it.",
            f"{share:.0%} 的服务站点位于建成区之外；若{cause_zh}，则 {inside:.0%}（现为 {given:.0%}）位于建成区内：请使用 "
            f"{option} 重新审计，覆盖率取决于此。",
        )
    if share <= OUTSIDE_WARNING_SHARE:
        return None
    return (
        f"{share:.0%} of the served stops lie outside the built-up area. Check --feed-crs and --built-up-crs "
        "(GCJ-02 and BD-09 readings did not help) and that the polygon is the same city.",
        f"{share:.0%} 的服务站点位于建成区之外。请核对 --feed-crs 与 --built-up-crs（按 GCJ-02、BD-09 解读均无改善），"
        "以及建成区是否为同一城市。",
    )
