"""`buscheck diff`: audit both feeds against the same built-up area, city and pack, match their routes,
directions and stops without ids, and list every change of basic service with whether it needs notice."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from checker import __version__
from checker.compare.changes import route_changes, stop_changes
from checker.compare.match import match_routes
from checker.compare.side import Side, build_side
from checker.load.polygons import project
from checker.model.diff import DIFF_SCHEMA_VERSION, Change, CoverageChange, DiffResult, DistrictChange
from checker.pipeline import audit_with_inputs

NOISE_KM2 = 1e-4  # 100 m2: differences of two unions below this are geometry noise, not a change


@dataclass
class Diff:
    result: DiffResult
    lost: BaseGeometry  # WGS-84: built-up area that lost its 500 m coverage
    gained: BaseGeometry
    lost_local: BaseGeometry
    old: Side
    new: Side


def run_diff(old_request: Any, new_request: Any) -> Diff:
    old_audit, old_loaded, old_measured = audit_with_inputs(old_request)
    new_audit, new_loaded, new_measured = audit_with_inputs(new_request)
    old, new = build_side(old_audit, old_loaded, old_measured), build_side(new_audit, new_loaded, new_measured)
    matches, unmatched_old, unmatched_new = match_routes(old, new)
    changes = route_changes(old, new, matches, unmatched_old, unmatched_new) + stop_changes(old, new)
    coverage, lost, gained, lost_local = _coverage(old, new, old_loaded.districts)
    changes += _coverage_changes(coverage, old)

    def routes(side: Side, ids: list[str]) -> list[dict[str, Any]]:
        rows = side.routes.filter(side.routes["route_id"].is_in(ids)).sort("route_id")
        return [{"route_id": r["route_id"], "name": r["name"], "status": r["status"]} for r in rows.iter_rows(named=True)]

    def feed(request: Any, audit: Any) -> dict[str, Any]:
        return {"feed": str(request.feed), **audit.result.service_date}

    result = DiffResult(
        DIFF_SCHEMA_VERSION, {"name": "buscheck", "version": __version__}, old_audit.result.city,
        feed(old_request, old_audit), feed(new_request, new_audit), matches, routes(old, unmatched_old),
        routes(new, unmatched_new), changes, coverage,
        notices=[{"en": f"old feed: {n['en']}", "zh": f"旧数据：{n['zh']}"} for n in old_audit.result.notices]
        + [{"en": f"new feed: {n['en']}", "zh": f"新数据：{n['zh']}"} for n in new_audit.result.notices],
    )
    return Diff(result, lost, gained, lost_local, old, new)


def _coverage(old: Side, new: Side, districts: list[Any] | None) -> tuple[CoverageChange, BaseGeometry, BaseGeometry,
                                                                            BaseGeometry]:
    """Both audits project the same polygon the same way, so their covered areas compare directly."""
    a, b = old.audit.coverage, new.audit.coverage
    lost_local = shapely.difference(a.covered_local, b.covered_local)
    gained_local = shapely.difference(b.covered_local, a.covered_local)
    back = Transformer.from_crs(CRS.from_user_input(a.projection), 4326, always_xy=True)
    rows = []
    for district in districts or []:
        local = project(district.geometry, a.to_local)
        rows.append(DistrictChange(district.name, round(shapely.intersection(local, lost_local).area / 1e6, 4),
                                   round(shapely.intersection(local, gained_local).area / 1e6, 4)))
    rows.sort(key=lambda d: (-d.lost_km2, d.name))
    tier = old.audit.result.tier
    change = CoverageChange(round(a.ratio, 6), round(b.ratio, 6), tier["coverage_min"],
                            round(lost_local.area / 1e6, 4), round(gained_local.area / 1e6, 4), rows)
    return change, project(lost_local, back), project(gained_local, back), lost_local


def _coverage_changes(coverage: CoverageChange, old: Side) -> list[Change]:
    changes = []
    below = coverage.new_ratio < coverage.tier_min <= coverage.old_ratio
    subject = {"city": old.audit.result.city["name"]}
    if coverage.lost_km2 > NOISE_KM2:
        changes.append(Change(
            "coverage_lost", subject, coverage.old_ratio, coverage.new_ratio, True, "4",
            f"建成区 {coverage.lost_km2:.2f} 平方公里失去500米基本公交覆盖；覆盖率由 {coverage.old_ratio:.2%} 变为 "
            f"{coverage.new_ratio:.2%}（等级下限 {coverage.tier_min:.0%}）" + ("，降至下限以下" if below else "") + "。",
            f"{coverage.lost_km2:.2f} km2 of the built-up area lost its 500 m basic-bus coverage; coverage "
            f"{coverage.old_ratio:.2%} → {coverage.new_ratio:.2%} (tier minimum {coverage.tier_min:.0%})"
            + (", now below the minimum" if below else "") + "."))
    if coverage.gained_km2 > NOISE_KM2:
        changes.append(Change(
            "coverage_gained", subject, coverage.old_ratio, coverage.new_ratio, False, "4",
            f"建成区新增 {coverage.gained_km2:.2f} 平方公里500米基本公交覆盖。",
            f"{coverage.gained_km2:.2f} km2 of the built-up area gained 500 m basic-bus coverage."))
    return changes


def requests_for(base: Any, old_feed: Any, new_feed: Any, old_date: Any, new_date: Any,
                 old_routes: Any = None, new_routes: Any = None) -> tuple[Any, Any]:
    """The two audit requests of a diff: the same settings, each its own feed, date and basic-route list."""
    return (dataclasses.replace(base, feed=old_feed, service_date=old_date,
                                base_routes=old_routes or base.base_routes),
            dataclasses.replace(base, feed=new_feed, service_date=new_date,
                                base_routes=new_routes or base.base_routes))
