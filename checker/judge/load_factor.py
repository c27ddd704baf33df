"""Art. 10(3): the peak load factor, the precondition of the 30-minute peak interval."""

from __future__ import annotations

from checker.judge.context import Context, finding, requires_input, route_subject
from checker.judge.registry import number, register
from checker.model.pack import Rule
from checker.model.result import Finding


@register("load_factor", number("max_ratio", "ratio", "largest allowed peak load factor (0.8 for 80%)"))
def check_load_factor(rule: Rule, context: Context) -> list[Finding]:
    """Per basic day route and direction, the summed maximum on-board load of its trips leaving in a peak
    window over their summed capacity (metrics/load_factor.py), against `max_ratio`, compared at the precision reported (0.01 percentage point).

    Not assessed without load data (--load), and for a route-direction whose peak trips have none. Edge: a
    ratio equal to the limit passes.
    """
    load = context.load_by_route
    limit = rule.params["max_ratio"]
    if load is None:
        return requires_input(rule, context, threshold=limit)
    findings = []
    for route in context.day_routes:
        measured = load.get(route.key)
        if measured is None:
            findings.append(finding(rule, "not_assessed", route_subject(route), None, limit, "ratio",
                                    f"{route.label} 无高峰班次的载客与运力数据。",
                                    f"{route.label}: no load and capacity data for its peak trips."))
            continue
        ratio = measured.load_factor
        passed = round(ratio, 4) <= round(limit, 4)  # compared at the precision reported
        highest = measured.max_trip_load_factor
        findings.append(finding(
            rule, "pass" if passed else "fail", route_subject(route), round(ratio, 4), limit, "ratio",
            f"{route.label} 高峰满载率 {ratio:.0%}（{measured.trips} 个高峰班次，单班最高 {highest:.0%}），"
            f"限值 {limit:.0%}{'' if passed else '，需增加运力'}。",
            f"{route.label} peak load factor {ratio:.0%} over {measured.trips} peak trips (highest trip "
            f"{highest:.0%}), limit {limit:.0%}{'' if passed else ': more capacity needed'}.",
            trips=measured.trips, max_trip_load_factor=highest,
        ))
    return findings
