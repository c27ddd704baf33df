"""One audit: inputs -> loaded feed for a service date -> metrics -> findings. The CLI and batch call this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from checker import RESULT_SCHEMA_VERSION, __version__
from checker.clock import hm
from checker.judge import judge
from checker.load.base_routes import select_basic_routes
from checker.load.built_up import load_built_up
from checker.load.calendar import choose_service_date, trips_on
from checker.load.datum import from_wgs84, to_wgs84
from checker.load.declared import load_declared
from checker.load.districts import load_districts
from checker.load.facilities import load_facilities
from checker.load.feed import load_feed
from checker.load.hub_feed import load_hub_feed
from checker.load.hubs import load_hubs_file
from checker.load.realtime import read_avl, read_trip_updates
from checker.load.ridership import load_trip_loads
from checker.metrics.coverage import Coverage, compute_coverage, district_coverage, share_inside
from checker.metrics.departures import infer_directions, origin_departures
from checker.metrics.hubs import hub_service
from checker.metrics.indicators import INDICATOR_CHECKS, IndicatorInputs, compute_indicators
from checker.metrics.load_factor import peak_load_factors
from checker.metrics.priority import priority_coverage
from checker.metrics.route_table import route_rows
from checker.model import AuditResult
from checker.rulepack import RulePack, load_pack, resolve_city

OUTSIDE_WARNING_SHARE = 0.5


@dataclass
class AuditRequest:
    feed: Path
    built_up: Path
    city: str
    service_date: date | None = None
    feed_crs: str = "wgs84"
    built_up_crs: str = "wgs84"  # datum of the built-up and district polygons' longitude/latitude
    base_routes: Path | None = None
    rules: str | None = None
    profile: Path | None = None
    load: Path | None = None
    districts: Path | None = None
    hubs: Path | None = None  # a hubs file (CSV, GeoJSON, ...) or a GTFS feed of the other mode
    hubs_crs: str = "wgs84"
    facilities: Path | None = None
    facilities_crs: str = "wgs84"
    overrides: dict = field(default_factory=dict)  # profile settings given by a batch manifest
    bus_lanes: Path | None = None  # transit-metropolis inputs
    bus_lanes_crs: str = "wgs84"
    realtime: Path | None = None
    on_time: Path | None = None
    declared: Path | None = None


@dataclass
class Audit:
    """The result plus what reporters need beyond the JSON document (geometry)."""

    result: AuditResult
    coverage: Coverage
    pack: RulePack


def run_audit(request: AuditRequest) -> Audit:
    pack = load_pack(request.rules)
    city = resolve_city(pack, request.city, request.profile, request.overrides)
    built_up = load_built_up(request.built_up, request.built_up_crs)
    districts, district_notices = (load_districts(request.districts, request.built_up_crs) if request.districts
                                   else (None, []))
    feed = load_feed(request.feed)
    service = choose_service_date(feed, request.service_date)
    basic = select_basic_routes(feed.routes, request.base_routes)
    notices = [*feed.notices, *built_up.notices, *district_notices, *city.notices]
    if basic.not_in_feed:
        shown = ", ".join(basic.not_in_feed[:20])
        notices.append((f"Listed basic routes not in the feed: {shown}.", f"清单中以下线路在 GTFS 中不存在：{shown}。"))

    day_trips = infer_directions(trips_on(feed, service.day), feed.trip_ends, feed.stops)
    trips = day_trips.filter(pl.col("route_id").is_in(basic.route_ids))
    all_departures = origin_departures(feed, day_trips)  # every route: hubs may be served by non-basic lines
    departures = all_departures.filter(pl.col("route_id").is_in(basic.route_ids))
    routes = route_rows(departures, feed.routes, city.peak_windows, set(city.night_routes))

    radius = next((r.params["radius_m"] for r in pack.rules if r.check in ("coverage_min", "tm_coverage")), 500)
    served = feed.stops_served_by(trips["trip_id"])
    raw_lon, raw_lat = served["stop_lon"].to_numpy(), served["stop_lat"].to_numpy()
    lon, lat = to_wgs84(raw_lon, raw_lat, request.feed_crs)
    coverage = compute_coverage(built_up.geometry, lon, lat, radius)
    if coverage.stops_used and coverage.stops_outside_built_up / coverage.stops_used > OUTSIDE_WARNING_SHARE:
        notices.append(_outside_warning(coverage, request, lon, lat, raw_lon, raw_lat))

    metrics = {"coverage": _coverage_dict(coverage, built_up), "routes": routes, "load": None, "hubs": None,
               "priority": None}
    if districts is not None:
        metrics["coverage"]["districts"] = district_coverage(coverage, districts)
    trip_loads = None
    if request.load is not None:
        trip_loads, load_notices = load_trip_loads(request.load, service.day)
        notices += load_notices
        metrics["load"] = {"source": str(request.load),
                           "routes": peak_load_factors(departures, trip_loads, city.peak_windows)}
    if request.hubs is not None:
        metrics["hubs"], hub_notices = _hubs(request, feed, all_departures, basic.route_ids, city, service.day)
        notices += hub_notices
    if request.facilities is not None:
        metrics["priority"], facility_notices = _priority(request, pack, coverage, served, lon, lat)
        notices += facility_notices
    if any(rule.check in INDICATOR_CHECKS for rule in pack.rules):
        inputs = IndicatorInputs(feed, service.day, city, coverage, departures, served, trip_loads,
                                 bus_lanes=request.bus_lanes, bus_lanes_datum=request.bus_lanes_crs)
        _observations(request, pack, feed, inputs)
        metrics["indicators"] = compute_indicators(pack, inputs)
        notices += inputs.notices
    else:
        unused = [f"--{key.replace('_', '-')}" for key in ("bus_lanes", "realtime", "on_time", "declared")
                  if getattr(request, key) is not None]
        if unused:
            notices.append((f"Rule pack {pack.id} has no indicator that uses {', '.join(unused)}; not read.",
                            f"规则包 {pack.id} 没有使用 {', '.join(unused)} 的指标，未读取。"))
    findings = judge(pack, city, metrics)
    result = AuditResult(
        schema_version=RESULT_SCHEMA_VERSION,
        tool={"name": "buscheck", "version": __version__},
        city={"name": city.name, "name_en": city.name_en},
        tier={"id": city.tier.id, "name": city.tier.name, "name_en": city.tier.name_en,
              "coverage_min": city.tier.coverage_min, "coverage_target": city.coverage_target},
        service_date={"date": service.day.isoformat(), "chosen_by": service.chosen_by, "trips": service.trips},
        rule_pack={"id": pack.id, "version": pack.version, "document": pack.document, "title": pack.title,
                   "title_en": pack.title_en, "effective_from": pack.effective_from,
                   "effective_until": pack.effective_until},
        inputs={
            "feed": str(request.feed), "feed_crs": request.feed_crs, "feed_encodings": feed.encodings,
            "direction_id": "given" if feed.has_direction_id else "inferred",
            "built_up": str(request.built_up), "built_up_crs": built_up.source_crs,
            "built_up_datum": request.built_up_crs,
            "base_routes": str(request.base_routes) if request.base_routes else None,
            "base_routes_rule": {"en": basic.how_en, "zh": basic.how_zh},
            "custom_routes_excluded": basic.excluded_custom,
            "profile": str(request.profile) if request.profile else None,
            "districts": str(request.districts) if request.districts else None,
            "load": str(request.load) if request.load else None,
            "hubs": str(request.hubs) if request.hubs else None,
            "hubs_crs": request.hubs_crs,
            "facilities": str(request.facilities) if request.facilities else None,
            "facilities_crs": request.facilities_crs,
            **{key: str(getattr(request, key)) for key in ("bus_lanes", "realtime", "on_time", "declared")
               if getattr(request, key) is not None},
        },
        settings={"work_start": hm(city.work_start_s), "work_end": hm(city.work_end_s),
                  "peak_windows": [w.label for w in city.peak_windows], "source": city.source},
        findings=findings,
        metrics=metrics,
        notices=[{"en": en, "zh": zh} for en, zh in notices],
    )
    return Audit(result, coverage, pack)


def _observations(request: AuditRequest, pack, feed, inputs: IndicatorInputs) -> None:
    """Real-time snapshots, observed delays and declared statistics for the indicators, where given."""
    if request.realtime is not None:
        inputs.snapshots = read_trip_updates(request.realtime)
    if request.on_time is not None:
        if request.on_time.suffix.lower() == ".csv":
            frequency_trips = set() if feed.frequencies is None else set(feed.frequencies["trip_id"].to_list())
            inputs.observed_delays, avl_notices = read_avl(request.on_time, feed.path, frequency_trips)
            inputs.notices += avl_notices
        else:
            rows = [row for snapshot in read_trip_updates(request.on_time) for row in snapshot.delays]
            inputs.observed_delays = pl.DataFrame(rows, schema=["trip_id", "stop_id", "delay_s"], orient="row")
    if request.declared is not None:
        keys = {}
        for rule in pack.rules:
            if rule.check in INDICATOR_CHECKS:
                keys[rule.id] = rule.id
                if "number" in rule.params:
                    keys[str(rule.params["number"])] = rule.id
        inputs.declared = load_declared(request.declared, keys)


def _hubs(request: AuditRequest, feed, departures: pl.DataFrame, basic_ids: list[str], city, day) -> tuple[dict, list]:
    """Hub hours from a file or a GTFS feed, and every route of the day that starts or ends at a hub."""
    if request.hubs.is_dir() or request.hubs.suffix.lower() == ".zip":
        hubs, notices = load_hub_feed(request.hubs, day, request.hubs_crs)
    else:
        hubs, notices = load_hubs_file(request.hubs, day, request.hubs_crs)
    ends = pl.concat([departures["origin_stop_id"], departures["destination_stop_id"]]).unique()
    terminals = feed.stops.filter(pl.col("stop_id").is_in(ends.implode()))
    lon, lat = to_wgs84(terminals["stop_lon"].to_numpy(), terminals["stop_lat"].to_numpy(), request.feed_crs)
    terminals = pl.DataFrame({"stop_id": terminals["stop_id"], "lon": lon, "lat": lat})
    entries = hub_service(hubs, departures, terminals, feed.routes, set(basic_ids), set(city.night_routes),
                          set(city.dedicated_routes), city.hub)
    settings = city.hub
    return {"source": str(request.hubs), "distance_m": settings.distance_m, "grace_min": settings.grace_min,
            "lead_min": settings.lead_min, "hubs": entries}, notices


def _priority(request: AuditRequest, pack, coverage: Coverage, served: pl.DataFrame, lon, lat) -> tuple[dict | None, list]:
    rule = next((r for r in pack.rules if r.check == "priority_coverage"), None)
    if rule is None:
        return None, [(f"Rule pack {pack.id} has no priority rule; --facilities was not used.",
                       f"规则包 {pack.id} 没有优先保障规则，未使用 --facilities。")]
    categories = rule.params["categories"]
    facilities, notices = load_facilities(request.facilities, request.facilities_crs, categories)
    stops = pl.DataFrame({"stop_id": served["stop_id"], "stop_name": served["stop_name"], "lon": lon, "lat": lat})
    result = priority_coverage(facilities, coverage, stops, categories, rule.params["radius_m"])
    return {"source": str(request.facilities), **result}, notices


def _coverage_dict(coverage: Coverage, built_up) -> dict:
    return {
        "ratio": round(coverage.ratio, 6),
        "built_up_km2": round(coverage.built_up_km2, 4),
        "covered_km2": round(coverage.covered_km2, 4),
        "uncovered_km2": round(coverage.uncovered_km2, 4),
        "stops_used": coverage.stops_used,
        "stops_outside_built_up": coverage.stops_outside_built_up,
        "radius_m": coverage.radius_m,
        "projection": coverage.projection,
        "built_up_source": built_up.source,
        "districts": None,
    }


def _outside_warning(coverage: Coverage, request: AuditRequest, lon, lat, raw_lon, raw_lat) -> tuple[str, str]:
    """Most served stops lie outside the built-up area: say so, and test the likely causes, which are a
    Chinese datum on one side only: stops in GCJ-02/BD-09 read as WGS-84, or the polygon so."""
    share = coverage.stops_outside_built_up / coverage.stops_used
    readings = []
    if request.feed_crs == "wgs84":
        readings += [(f"the feed's coordinates are likely {name}", f"站点坐标很可能为 {name}", f"--feed-crs {datum}",
                      to_wgs84(raw_lon, raw_lat, datum)) for datum, name in (("gcj02", "GCJ-02"), ("bd09", "BD-09"))]
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
