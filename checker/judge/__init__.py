"""Apply a rule pack's thresholds to the audit's metrics: one function per kind of check, grouped by family."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.judge.context import Context, requires_input
from checker.judge.coverage import check_coverage
from checker.judge.hubs import check_hub_alignment
from checker.judge.indicators import check_indicator, check_micro_route
from checker.judge.priority import check_priority_coverage
from checker.judge.timetable import (
    attach_remedies,
    check_first_departure,
    check_headway,
    check_last_departure,
    check_load_factor,
    check_night_service,
)
from checker.model import Finding
from checker.rulepack import CityProfile, Rule, RulePack


def judge(pack: RulePack, city: CityProfile, metrics: dict[str, Any]) -> list[Finding]:
    context = Context(pack, city, metrics)
    findings: list[Finding] = []
    for rule in pack.rules:
        findings.extend(CHECKS[rule.check](rule, context))
    attach_remedies(findings, context)
    return findings


CHECKS: dict[str, Callable[[Rule, Context], list[Finding]]] = {
    "coverage_min": check_coverage,
    "headway_max": check_headway,
    "first_departure_by": check_first_departure,
    "last_departure_from": check_last_departure,
    "load_factor": check_load_factor,
    "night_service": check_night_service,
    "hub_alignment": check_hub_alignment,
    "priority_coverage": check_priority_coverage,
    "requires_input": requires_input,
    "micro_route": check_micro_route,
    **{check: check_indicator for check in ("declared", "tm_coverage", "tm_peak_speed", "tm_realtime", "tm_on_time",
                                            "tm_crowding", "tm_network_km", "tm_stops", "tm_bus_lanes",
                                            "tm_accessible_stops", "tm_accessible_trips")},
}
