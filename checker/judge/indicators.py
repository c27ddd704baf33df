"""Transit-metropolis indicators against the city's own targets: met, not met, reported (no target), or not
assessed (input missing). Each finding carries the self-evaluation table's row in its detail."""

from __future__ import annotations

from checker.judge.context import Context, city_subject, finding
from checker.model import Finding
from checker.rulepack import Rule


def _row(rule: Rule, context: Context, found: dict | None) -> dict:
    plan = context.city.indicators.get(rule.id, {})
    return {"id": rule.id, "number": rule.params.get("number"), "indicator": rule.title, "indicator_en": rule.title_en,
            "unit": rule.params["unit"], "better": rule.params["better"], "baseline": plan.get("baseline"),
            "target": plan.get("target"), "value": None if found is None else found["value"],
            "source": None if found is None else found["source"],
            "basis_en": None if found is None else found["basis_en"], "basis_zh": None if found is None else found["basis_zh"],
            "met": None}


def check_indicator(rule: Rule, context: Context) -> list[Finding]:
    found = (context.metrics.get("indicators") or {}).get(rule.id)
    row = _row(rule, context, found)
    subject, unit, target = city_subject(context.city), rule.params["unit"], row["target"]
    if found is None:
        needs = rule.params.get("input")
        zh = f"{rule.title}：未提供{rule.params.get('input_zh', '申报数据（--declared）')}，不评估。"
        en = f"{rule.title_en}: not assessed; needs {needs or 'a declared value (--declared)'}."
        return [finding(rule, "not_assessed", subject, None, target, unit, zh, en, evaluation=row)]
    value = found["value"]
    source_zh = "计算" if found["source"] == "computed" else "申报"
    text = f"{value:g} {unit}"
    if target is None:
        return [finding(rule, "info", subject, value, None, unit,
                        f"{rule.title} {text}（{source_zh}：{found['basis_zh']}），未设目标。",
                        f"{rule.title_en} {text} ({found['source']}: {found['basis_en']}); no target set.",
                        evaluation=row)]
    met = value >= target if rule.params["better"] == "higher" else value <= target
    relation_zh, relation_en = ("不低于", "at least") if rule.params["better"] == "higher" else ("不高于", "at most")
    return [finding(
        rule, "pass" if met else "fail", subject, value, target, unit,
        f"{rule.title} {text}（{source_zh}：{found['basis_zh']}），目标{relation_zh} {target:g}"
        + (f"，基准值 {row['baseline']:g}" if row["baseline"] is not None else "") + f"：{'达标' if met else '未达标'}。",
        f"{rule.title_en} {text} ({found['source']}: {found['basis_en']}); target {relation_en} {target:g}"
        + (f", baseline {row['baseline']:g}" if row["baseline"] is not None else "") + f": {'met' if met else 'not met'}.",
        evaluation={**row, "met": met},
    )]


def check_micro_route(rule: Rule, context: Context) -> list[Finding]:
    found = (context.metrics.get("indicators") or {}).get(rule.id)
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
            f"{label} 微公交（{route['why']['zh']}）长度 {route['length_km']:g} 公里，宜为 {low:g}–{high:g} 公里；{shape_zh}。",
            f"{label} micro-bus route ({route['why']['en']}) {route['length_km']:g} km long, {low:g}-{high:g} km "
            f"expected; {shape_en}.",
            nonlinearity=route["nonlinearity"], straight_km=route["straight_km"], loop=route["loop"],
        ))
    return findings
