"""Apply a rule pack's thresholds to the audit's metrics: one module per check, each registered in
judge/registry.py with its parameters and docstring (`buscheck rules show ID` prints them)."""

from __future__ import annotations

from checker.judge import (  # noqa: F401  (each module registers its check)
    coverage_min,
    first_departure_by,
    headway_max,
    hub_alignment,
    indicator,
    last_departure_from,
    listed_routes,
    load_factor,
    micro_route,
    night_service,
    priority_coverage,
)
from checker.judge.context import Context
from checker.judge.registry import CHECKS, Check
from checker.judge.remedies import attach_remedies
from checker.model.metrics import Metrics
from checker.model.pack import CityProfile, RulePack
from checker.model.result import Finding, HubVerdict

__all__ = ["CHECKS", "Check", "judge"]


def judge(pack: RulePack, city: CityProfile, metrics: Metrics) -> tuple[list[Finding], list[HubVerdict] | None]:
    """Every rule's findings, in the pack's order, with departures to add on failing route-directions; and
    the judged side of each hub (for the hub table of the reports)."""
    context = Context(pack, city, metrics)
    findings: list[Finding] = []
    for rule in pack.rules:
        strength, words = rule.strength_for(city.tier.id)
        for found in CHECKS[rule.check].function(rule, context):
            if not found.strength:
                found.strength, found.strength_words = strength, words
            findings.append(found)
    attach_remedies(findings, context)
    hubs = None if metrics.hubs is None else [hub_alignment.hub_verdict(h, city.hub) for h in metrics.hubs.hubs]
    return findings, hubs
