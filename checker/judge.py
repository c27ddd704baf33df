"""Apply a rule pack's thresholds to the audit's metrics. One small function per kind of check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.clock import hms
from checker.model import Finding
from checker.rulepack import CityProfile, Rule, RulePack


def judge(pack: RulePack, city: CityProfile, metrics: dict[str, Any]) -> list[Finding]:
    findings: list[Finding] = []
    for rule in pack.rules:
        findings.extend(CHECKS[rule.check](rule, city, metrics))
    return findings


def _finding(rule: Rule, status: str, subject: dict, value, threshold, unit: str, zh: str, en: str, **detail):
    return Finding(rule.id, rule.article, rule.family, status, subject, value, threshold, unit, zh, en, detail)


def _city_subject(city: CityProfile) -> dict:
    return {"type": "city", "city": city.name, "city_en": city.name_en}


def _route_subject(route: dict) -> dict:
    return {
        "type": "route",
        "route_id": route["route_id"],
        "direction_id": route["direction_id"],
        "route_short_name": route["route_short_name"],
    }


def _no_routes(rule: Rule, city: CityProfile) -> list[Finding]:
    return [
        _finding(rule, "not_assessed", _city_subject(city), None, None, "",
                 "审计日没有基本公交线路运营，无法评估。", "No basic route runs on the audit date; nothing to assess.")
    ]


def check_coverage(rule: Rule, city: CityProfile, metrics: dict) -> list[Finding]:
    cov = metrics["coverage"]
    target = city.coverage_target
    ratio = cov["ratio"]
    # Compare at the precision reported (0.01 percentage point) so that 99.999% is not a failure of 100%.
    passed = round(ratio, 4) >= round(target, 4)
    basis_en = "the city's own target" if target > city.tier.coverage_min else f"the {city.tier.name_en} minimum"
    basis_zh = "本市自定目标" if target > city.tier.coverage_min else f"{city.tier.name}最低要求"
    return [
        _finding(
            rule, "pass" if passed else "fail", _city_subject(city), round(ratio, 6), target, "ratio",
            f"建成区基本公交站点{rule.params['radius_m']}米覆盖率 {ratio:.2%}，{basis_zh} {target:.0%}，"
            f"{'达标' if passed else '未达标'}；未覆盖 {cov['uncovered_km2']:.2f} 平方公里。",
            f"{ratio:.2%} of the built-up area lies within {rule.params['radius_m']} m of a basic-bus stop; "
            f"{basis_en} is {target:.0%}: {'met' if passed else 'not met'}; "
            f"{cov['uncovered_km2']:.2f} km2 uncovered.",
        )
    ]


def check_headway(rule: Rule, city: CityProfile, metrics: dict) -> list[Finding]:
    routes = metrics["routes"]
    if not routes:
        return _no_routes(rule, city)
    limit = rule.params["max_min"]
    peak = rule.params["window"] == "peak"
    findings = []
    for route in routes:
        windows = [w for w in route["windows"] if (w["window"] != "offpeak") == peak]
        measured = [w for w in windows if w["max_headway_min"] is not None]
        subject = _route_subject(route)
        label = f"{route['route_short_name'] or route['route_id']} ({route['direction_id']})"
        if not measured:
            findings.append(
                _finding(rule, "not_assessed", subject, None, limit, "min",
                         f"{label} 无平峰运营时段，不评估平峰间隔。",
                         f"{label} has no off-peak operating time; off-peak interval not assessed.")
            )
            continue
        worst = max(measured, key=lambda w: w["max_headway_min"])
        value = worst["max_headway_min"]
        passed = value <= limit
        where = "平峰" if not peak else f"高峰 {worst['window']}"
        where_en = "off-peak" if not peak else f"peak {worst['window']}"
        gap = f"{worst['gap_from'][:5]}–{worst['gap_to'][:5]}"
        caveat_zh = "（以高峰满载率不超过80%为前提）" if peak else ""
        caveat_en = " (assuming a peak load factor of at most 80%)" if peak else ""
        findings.append(
            _finding(
                rule, "pass" if passed else "fail", subject, value, limit, "min",
                f"{label} {where}最大发车间隔 {value:g} 分钟（{gap}），限值 {limit} 分钟{caveat_zh}。",
                f"{label} largest {where_en} interval {value:g} min ({gap}), limit {limit} min{caveat_en}.",
                window=worst["window"], gap_from=worst["gap_from"], gap_to=worst["gap_to"],
            )
        )
    return findings


def check_first_departure(rule: Rule, city: CityProfile, metrics: dict) -> list[Finding]:
    latest = city.work_start_s - rule.params["before_work_start_min"] * 60
    return _span_check(rule, city, metrics, "first_departure", latest, lambda v: v <= latest,
                       "首班", "first departure", "不晚于", "no later than")


def check_last_departure(rule: Rule, city: CityProfile, metrics: dict) -> list[Finding]:
    earliest = city.work_end_s + rule.params["after_work_end_min"] * 60
    return _span_check(rule, city, metrics, "last_departure", earliest, lambda v: v >= earliest,
                       "末班", "last departure", "不早于", "no earlier than")


def _span_check(rule, city, metrics, key, limit_s, ok: Callable[[int], bool], zh, en, rel_zh, rel_en):
    routes = metrics["routes"]
    if not routes:
        return _no_routes(rule, city)
    limit = hms(limit_s)
    findings = []
    for route in routes:
        value_s = route[f"{key}_s"]
        passed = ok(value_s)
        label = f"{route['route_short_name'] or route['route_id']} ({route['direction_id']})"
        findings.append(
            _finding(
                rule, "pass" if passed else "fail", _route_subject(route), route[key], limit, "time",
                f"{label} {zh} {route[key][:5]}，应{rel_zh} {limit[:5]}。",
                f"{label} {en} {route[key][:5]}, required {rel_en} {limit[:5]}.",
            )
        )
    return findings


def check_requires_input(rule: Rule, city: CityProfile, metrics: dict) -> list[Finding]:
    return [
        _finding(
            rule, "not_assessed", _city_subject(city), None, rule.params.get("max_ratio"), "",
            f"未提供{rule.params['input_zh']}，不评估。",
            f"Not assessed: needs {rule.params['input']}, which this audit was not given.",
        )
    ]


CHECKS: dict[str, Callable[[Rule, CityProfile, dict], list[Finding]]] = {
    "coverage_min": check_coverage,
    "headway_max": check_headway,
    "first_departure_by": check_first_departure,
    "last_departure_from": check_last_departure,
    "requires_input": check_requires_input,
}
