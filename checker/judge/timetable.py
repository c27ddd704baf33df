"""Art. 10(3) and 10(4) per route and direction: intervals, first and last departures, load factor, night
routes, and the departures that would fix a failing direction."""

from __future__ import annotations

from collections.abc import Callable

from checker.clock import hm, hms, parse_clock
from checker.judge.context import (
    Context,
    finding,
    night_exemptions,
    no_routes,
    requires_input,
    route_label,
    route_subject,
)
from checker.metrics.timetable import OFFPEAK
from checker.model import Finding
from checker.remedy import Limits, plan_departures
from checker.rulepack import Rule

ROUTE_TIMETABLE_CHECKS = ("headway_max", "first_departure_by", "last_departure_from")


def _load_caveat(route: dict, context: Context) -> tuple[str, str]:
    load = (context.load_by_route or {}).get((route["route_id"], route["direction_id"]))
    limit = context.rule_param("load_factor", "max_ratio") or 0.8
    if load is None:
        return f"（以高峰满载率不超过{limit:.0%}为前提）", f" (assuming a peak load factor of at most {limit:.0%})"
    ratio = load["load_factor"]
    if ratio <= limit:
        return f"（高峰满载率 {ratio:.0%}，满足前提）", f" (peak load factor {ratio:.0%}: precondition met)"
    return (f"（高峰满载率 {ratio:.0%} 超过 {limit:.0%}，前提不成立，需增加运力）",
            f" (peak load factor {ratio:.0%} exceeds {limit:.0%}: precondition not met, more capacity needed)")


def check_headway(rule: Rule, context: Context) -> list[Finding]:
    if not context.metrics["routes"]:
        return no_routes(rule, context.city)
    limit = rule.params["max_min"]
    peak = rule.params["window"] == "peak"
    findings = []
    for route in context.day_routes:
        windows = [w for w in route["windows"] if (w["window"] != OFFPEAK) == peak]
        measured = [w for w in windows if w["max_headway_min"] is not None]
        subject = route_subject(route)
        label = route_label(route)
        if not measured:
            findings.append(
                finding(rule, "not_assessed", subject, None, limit, "min",
                         f"{label} 无平峰运营时段，不评估平峰间隔。",
                         f"{label} has no off-peak operating time; off-peak interval not assessed.")
            )
            continue
        worst = max(measured, key=lambda w: w["max_headway_min"])
        value = worst["max_headway_min"]
        passed = value <= limit
        where = "平峰" if not peak else f"高峰（{worst['window']}）"
        where_en = "off-peak" if not peak else f"peak {worst['window']}"
        gap = f"{worst['gap_from'][:5]}–{worst['gap_to'][:5]}"
        caveat_zh, caveat_en = _load_caveat(route, context) if peak else ("", "")
        findings.append(
            finding(
                rule, "pass" if passed else "fail", subject, value, limit, "min",
                f"{label} {where}最大发车间隔 {value:g} 分钟（{gap}），限值 {limit} 分钟{caveat_zh}。",
                f"{label} largest {where_en} interval {value:g} min ({gap}), limit {limit} min{caveat_en}.",
                window=worst["window"], gap_from=worst["gap_from"], gap_to=worst["gap_to"],
            )
        )
    return findings + night_exemptions(rule, context)


def check_first_departure(rule: Rule, context: Context) -> list[Finding]:
    latest = context.first_by_s()
    return _span_check(rule, context, "first_departure", latest, lambda v: v <= latest,
                       "首班", "first departure", "不晚于", "no later than")


def check_last_departure(rule: Rule, context: Context) -> list[Finding]:
    earliest = context.last_from_s()
    return _span_check(rule, context, "last_departure", earliest, lambda v: v >= earliest,
                       "末班", "last departure", "不早于", "no earlier than")


def _span_check(rule, context: Context, key, limit_s, ok: Callable[[int], bool], zh, en, rel_zh, rel_en):
    if not context.metrics["routes"]:
        return no_routes(rule, context.city)
    limit = hms(limit_s)
    findings = []
    for route in context.day_routes:
        passed = ok(route[f"{key}_s"])
        label = route_label(route)
        findings.append(
            finding(
                rule, "pass" if passed else "fail", route_subject(route), route[key], limit, "time",
                f"{label} {zh} {route[key][:5]}，应{rel_zh} {limit[:5]}。",
                f"{label} {en} {route[key][:5]}, required {rel_en} {limit[:5]}.",
            )
        )
    return findings + night_exemptions(rule, context)


def check_load_factor(rule: Rule, context: Context) -> list[Finding]:
    load = context.load_by_route
    if load is None:
        return requires_input(rule, context)
    limit = rule.params["max_ratio"]
    findings = []
    for route in context.day_routes:
        measured = load.get((route["route_id"], route["direction_id"]))
        label = route_label(route)
        if measured is None:
            findings.append(finding(rule, "not_assessed", route_subject(route), None, limit, "ratio",
                                     f"{label} 无高峰班次的载客与运力数据。",
                                     f"{label}: no load and capacity data for its peak trips."))
            continue
        ratio = measured["load_factor"]
        passed = ratio <= limit
        findings.append(finding(
            rule, "pass" if passed else "fail", route_subject(route), round(ratio, 4), limit, "ratio",
            f"{label} 高峰满载率 {ratio:.0%}（{measured['trips']} 个高峰班次，单班最高 {measured['max_trip_load_factor']:.0%}），"
            f"限值 {limit:.0%}{'' if passed else '，需增加运力'}。",
            f"{label} peak load factor {ratio:.0%} over {measured['trips']} peak trips (highest trip "
            f"{measured['max_trip_load_factor']:.0%}), limit {limit:.0%}{'' if passed else ': more capacity needed'}.",
            trips=measured["trips"], max_trip_load_factor=measured["max_trip_load_factor"],
        ))
    return findings


def check_night_service(rule: Rule, context: Context) -> list[Finding]:
    routes = context.night_routes
    if not routes:
        return no_routes(rule, context.city, night=True)
    night = context.city.night
    findings = []
    for route in routes:
        label = route_label(route)
        if not night:
            findings.append(finding(
                rule, "not_assessed", route_subject(route), route["max_gap_min"], None, "min",
                f"{label} 夜班线路（{route['night_reason']['zh']}）{route['first_departure'][:5]}–{route['last_departure'][:5]}，"
                "城市未设定夜班首末班与间隔要求，不评估。",
                f"{label} night route ({route['night_reason']['en']}) runs {route['first_departure'][:5]}–"
                f"{route['last_departure'][:5]}; the city has set no night-route hours or interval, so not assessed.",
            ))
            continue
        problems_zh, problems_en = [], []
        if "night_first_by" in night and route["first_departure_s"] > parse_clock(night["night_first_by"]):
            problems_zh.append(f"首班 {route['first_departure'][:5]} 晚于 {night['night_first_by']}")
            problems_en.append(f"first departure {route['first_departure'][:5]} after {night['night_first_by']}")
        if "night_last_from" in night and route["last_departure_s"] < parse_clock(night["night_last_from"]):
            problems_zh.append(f"末班 {route['last_departure'][:5]} 早于 {night['night_last_from']}")
            problems_en.append(f"last departure {route['last_departure'][:5]} before {night['night_last_from']}")
        limit = night.get("night_max_headway_min")
        if limit is not None and route["max_gap_min"] is not None and route["max_gap_min"] > limit:
            problems_zh.append(f"最大间隔 {route['max_gap_min']:g} 分钟超过 {limit} 分钟")
            problems_en.append(f"largest interval {route['max_gap_min']:g} min over {limit} min")
        status = "fail" if problems_en else "pass"
        findings.append(finding(
            rule, status, route_subject(route), route["max_gap_min"], limit, "min",
            f"{label} 夜班线路 {route['first_departure'][:5]}–{route['last_departure'][:5]}："
            + ("；".join(problems_zh) if problems_zh else "符合本市夜班要求") + "。",
            f"{label} night route {route['first_departure'][:5]}–{route['last_departure'][:5]}: "
            + ("; ".join(problems_en) if problems_en else "meets the city's night-route settings") + ".",
        ))
    return findings


def attach_remedies(findings: list[Finding], context: Context) -> None:
    """Give every failing interval or span finding the departures that would fix its route-direction."""
    checks = {rule.id for rule in context.pack.rules if rule.check in ROUTE_TIMETABLE_CHECKS}
    failing = [f for f in findings if f.rule in checks and f.status == "fail"]
    if not failing:
        return
    limits = Limits(
        peaks=context.city.peak_windows,
        peak_max_s=(context.rule_param("headway_max", "max_min", window="peak") or 10**6) * 60,
        offpeak_max_s=(context.rule_param("headway_max", "max_min", window="offpeak") or 10**6) * 60,
        first_by_s=context.first_by_s(),
        last_from_s=context.last_from_s(),
    )
    routes = {(r["route_id"], r["direction_id"]): r for r in context.day_routes}
    plans: dict[tuple, list[str]] = {}
    for failed in failing:
        key = (failed.subject["route_id"], failed.subject["direction_id"])
        if key not in plans:
            departures = [parse_clock(t) for t in routes[key]["departures"]]
            plans[key] = [hm(t) for t in plan_departures(departures, limits)]
        plan = plans[key]
        if not plan:
            continue
        failed.detail["add_departures"] = plan
        failed.message_zh += f" 建议增开 {'、'.join(plan)} 班次（可消除该方向全部间隔与首末班问题）。"
        failed.message_en += f" Add departures at {', '.join(plan)} (fixes every interval and span failure of this direction)."
