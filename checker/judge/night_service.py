"""Art. 10(4): night routes, judged by the city's own night settings."""

from __future__ import annotations

from checker.judge.context import Context, finding, no_routes, route_subject
from checker.judge.published import note_worst_gap
from checker.judge.registry import register
from checker.model.clock import Clock
from checker.model.pack import Rule
from checker.model.result import Finding


@register("night_service")
def check_night_service(rule: Rule, context: Context) -> list[Finding]:
    """Per night route and direction (metrics/route_kinds.py: named 夜班/通宵/N…, listed in the profile, or
    running only at night by its timetable), its first and last departure and its largest interval against
    the city's night settings (profile keys night_first_by, night_last_from, night_max_headway_min).

    Art. 10(4) leaves night-line hours and intervals to the city, so without those settings each night route
    is not assessed (never a pass against built-in defaults). Edge: a value equal to a setting passes.
    """
    routes = context.night_routes
    if not routes:
        return no_routes(rule, context.city, night=True)
    night = context.city.night
    findings = []
    for route in routes:
        assert route.night is not None
        first, last = Clock(route.first_departure_s).text()[:5], Clock(route.last_departure_s).text()[:5]
        max_gap = None if route.max_gap_s is None else round(route.max_gap_s / 60, 2)
        if not night.given:
            findings.append(finding(
                rule, "not_assessed", route_subject(route), max_gap, None, "min",
                f"{route.label} 夜班线路（{route.night.zh}）{first}–{last}，城市未设定夜班首末班与间隔要求，不评估。",
                f"{route.label} night route ({route.night.en}) runs {first}–{last}; the city has set no "
                "night-route hours or interval, so not assessed.",
            ))
            continue
        problems_zh, problems_en = [], []
        if night.first_by_s is not None and route.first_departure_s > night.first_by_s:
            limit = Clock(night.first_by_s).text()[:5]
            problems_zh.append(f"首班 {first} 晚于 {limit}")
            problems_en.append(f"first departure {first} after {limit}")
        if night.last_from_s is not None and route.last_departure_s < night.last_from_s:
            limit = Clock(night.last_from_s).text()[:5]
            problems_zh.append(f"末班 {last} 早于 {limit}")
            problems_en.append(f"last departure {last} before {limit}")
        limit_min = night.max_headway_min
        if limit_min is not None and max_gap is not None and max_gap > limit_min:
            problems_zh.append(f"最大间隔 {max_gap:g} 分钟超过 {limit_min:g} 分钟")
            problems_en.append(f"largest interval {max_gap:g} min over {limit_min:g} min")
        status = "fail" if problems_en else "pass"
        findings.append(note_worst_gap(finding(
            rule, status, route_subject(route), max_gap, limit_min, "min",
            f"{route.label} 夜班线路 {first}–{last}："
            + ("；".join(problems_zh) if problems_zh else "符合本市夜班要求") + "。",
            f"{route.label} night route {first}–{last}: "
            + ("; ".join(problems_en) if problems_en else "meets the city's night-route settings") + ".",
        ), route, context.metrics.timetable))
    return findings
