"""One audit: inputs -> loaded feed for a service date -> metrics -> findings. The CLI and batch call this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from checker import RESULT_SCHEMA_VERSION, __version__
from checker.clock import hm
from checker.judge import judge
from checker.load.base_routes import select_basic_routes
from checker.load.built_up import load_built_up
from checker.load.calendar import choose_service_date, trips_on
from checker.load.datum import to_wgs84
from checker.load.districts import load_districts
from checker.load.feed import load_feed
from checker.load.ridership import load_trip_loads
from checker.metrics.coverage import Coverage, compute_coverage, district_coverage, share_inside
from checker.metrics.departures import infer_directions, origin_departures
from checker.metrics.load_factor import peak_load_factors
from checker.metrics.route_table import route_rows
from checker.model import AuditResult
from checker.rulepack import load_pack, resolve_city

OUTSIDE_WARNING_SHARE = 0.5


@dataclass
class AuditRequest:
    feed: Path
    built_up: Path
    city: str
    service_date: date | None = None
    feed_crs: str = "wgs84"
    base_routes: Path | None = None
    rules: str | None = None
    profile: Path | None = None
    load: Path | None = None
    districts: Path | None = None


@dataclass
class Audit:
    """The result plus what reporters need beyond the JSON document (geometry)."""

    result: AuditResult
    coverage: Coverage


def run_audit(request: AuditRequest) -> Audit:
    pack = load_pack(request.rules)
    city = resolve_city(pack, request.city, request.profile)
    built_up = load_built_up(request.built_up)
    districts, district_notices = load_districts(request.districts) if request.districts else (None, [])
    feed = load_feed(request.feed)
    service = choose_service_date(feed, request.service_date)
    basic = select_basic_routes(feed.routes, request.base_routes)
    notices = [*feed.notices, *built_up.notices, *district_notices, *city.notices]
    if basic.not_in_feed:
        shown = ", ".join(basic.not_in_feed[:20])
        notices.append((f"Listed basic routes not in the feed: {shown}.", f"清单中以下线路在 GTFS 中不存在：{shown}。"))

    trips = trips_on(feed, service.day).filter(pl.col("route_id").is_in(basic.route_ids))
    trips = infer_directions(trips, feed.trip_ends, feed.stops)
    departures = origin_departures(feed, trips)
    routes = route_rows(departures, feed.routes, city.peak_windows, set(city.night_routes))

    radius = next((r.params["radius_m"] for r in pack.rules if r.check == "coverage_min"), 500)
    served = feed.stops_served_by(trips["trip_id"])
    lon, lat = to_wgs84(served["stop_lon"].to_numpy(), served["stop_lat"].to_numpy(), request.feed_crs)
    coverage = compute_coverage(built_up.geometry, lon, lat, radius)
    if coverage.stops_used and coverage.stops_outside_built_up / coverage.stops_used > OUTSIDE_WARNING_SHARE:
        raw_lon, raw_lat = served["stop_lon"].to_numpy(), served["stop_lat"].to_numpy()
        notices.append(_outside_warning(coverage, request.feed_crs, raw_lon, raw_lat))

    metrics = {"coverage": _coverage_dict(coverage, built_up), "routes": routes, "load": None}
    if districts is not None:
        metrics["coverage"]["districts"] = district_coverage(coverage, districts)
    if request.load is not None:
        trip_loads, load_notices = load_trip_loads(request.load, service.day)
        notices += load_notices
        metrics["load"] = {"source": str(request.load),
                           "routes": peak_load_factors(departures, trip_loads, city.peak_windows)}
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
            "base_routes": str(request.base_routes) if request.base_routes else None,
            "base_routes_rule": {"en": basic.how_en, "zh": basic.how_zh},
            "custom_routes_excluded": basic.excluded_custom,
            "profile": str(request.profile) if request.profile else None,
            "districts": str(request.districts) if request.districts else None,
            "load": str(request.load) if request.load else None,
        },
        settings={"work_start": hm(city.work_start_s), "work_end": hm(city.work_end_s),
                  "peak_windows": [w.label for w in city.peak_windows], "source": city.source},
        findings=findings,
        metrics=metrics,
        notices=[{"en": en, "zh": zh} for en, zh in notices],
    )
    return Audit(result, coverage)


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


def _outside_warning(coverage: Coverage, feed_crs: str, lon, lat) -> tuple[str, str]:
    """Most served stops lie outside the built-up area: say so, and test the likely causes."""
    share = coverage.stops_outside_built_up / coverage.stops_used
    if feed_crs == "wgs84":
        for datum, name in (("gcj02", "GCJ-02"), ("bd09", "BD-09")):
            inside = share_inside(coverage, *to_wgs84(lon, lat, datum))
            if inside > 1 - OUTSIDE_WARNING_SHARE:
                return (
                    f"{share:.0%} of the served stops lie outside the built-up area; read as {name}, {inside:.0%} "
                    f"would lie inside. The feed's coordinates are likely {name}: rerun with --feed-crs {datum}.",
                    f"{share:.0%} 的服务站点位于建成区之外；若按 {name} 解读，{inside:.0%} 位于建成区内。"
                    f"站点坐标很可能为 {name}，请使用 --feed-crs {datum} 重新审计。",
                )
        hint_en = ("The feed's coordinates may be GCJ-02 or BD-09 (try --feed-crs gcj02 or bd09), or the polygon "
                   "may be of another city or digitised on a GCJ-02 map.")
        hint_zh = "站点坐标可能为 GCJ-02 或 BD-09（可尝试 --feed-crs gcj02 或 bd09），或建成区并非同一城市、系在 GCJ-02 地图上绘制。"
    else:
        hint_en = f"Check that --feed-crs {feed_crs} is right and that the built-up polygon is the same city."
        hint_zh = f"请核对 --feed-crs {feed_crs} 是否正确，以及建成区是否为同一城市。"
    return (
        f"{share:.0%} of the served stops lie outside the built-up area. {hint_en}",
        f"{share:.0%} 的服务站点位于建成区之外。{hint_zh}",
    )
