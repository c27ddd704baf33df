"""Transit metropolis: micro-bus (微公交) routes of the expected length."""

from __future__ import annotations

from checker.judge.context import Context, city_subject, finding
from checker.judge.registry import number, register
from checker.model.pack import Rule
from checker.model.result import Finding


@register("micro_route", number("min_km", "km", "shortest expected length"),
          number("max_km", "km", "longest expected length"))
def check_micro_route(rule: Rule, context: Context) -> list[Finding]:
    """Per micro-bus route-direction (metrics/route_kinds.py: named 微公交/微循环/社区巴士, listed in the
    profile's micro_routes, or shorter than its micro_below_km), its length (shape, else stop-to-stop lines)
    between `min_km` and `max_km`, with its non-linearity coefficient (none for a loop) as information.

    Edges: both bounds are inside. Not assessed when no route is a micro-bus route.
    """
    found = (context.metrics.indicators or {}).get(rule.id)
    low, high = rule.params["min_km"], rule.params["max_km"]
    if not found or not found["routes"]:
        return [finding(rule, "not_assessed", city_subject(context.city), None, f"{low:g}-{high:g}", "km",
                        "没有识别为微公交的线路（名称含微公交/微循环/社区巴士，或城市配置 micro_routes、micro_below_km）。",
                        "No micro-bus route found (named 微公交/微循环/社区巴士, or the profile's micro_routes or "
                        "micro_below_km).")]
    findings = []
    for route in found["routes"]:
        label = f"{route['route_short_name'] or route['route_id']} ({route['direction_id']})"
        ok = low <= route["length_km"] <= high
        shape_zh = "环线" if route["loop"] else f"非直线系数 {route['nonlinearity']:g}"
        shape_en = "a loop" if route["loop"] else f"non-linearity {route['nonlinearity']:g}"
        subject = {"type": "route", "route_id": route["route_id"], "direction_id": route["direction_id"],
                   "route_short_name": route["route_short_name"]}
        findings.append(finding(
            rule, "pass" if ok else "fail", subject, route["length_km"], f"{low:g}-{high:g}", "km",
            f"{label} 微公交（{route['why'].zh}）长度 {route['length_km']:g} 公里，宜为 {low:g}–{high:g} 公里；{shape_zh}。",
            f"{label} micro-bus route ({route['why'].en}) {route['length_km']:g} km long, {low:g}-{high:g} km "
            f"expected; {shape_en}.",
            nonlinearity=route["nonlinearity"], straight_km=route["straight_km"], loop=route["loop"],
        ))
    return findings
