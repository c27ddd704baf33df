"""What every check needs: the pack, the city, the metrics, and how a finding is written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from checker.model.metrics import Metrics, RouteLoad, RouteRow
from checker.model.pack import CityProfile, Rule, RulePack
from checker.model.result import Finding


@dataclass
class Context:
    pack: RulePack
    city: CityProfile
    metrics: Metrics

    @cached_property
    def load_by_route(self) -> dict[tuple[str, int], RouteLoad] | None:
        if self.metrics.load is None:
            return None
        return {(r.route_id, r.direction_id): r for r in self.metrics.load.routes}

    @cached_property
    def day_routes(self) -> list[RouteRow]:
        return [r for r in self.metrics.routes if r.night is None]

    @cached_property
    def night_routes(self) -> list[RouteRow]:
        return [r for r in self.metrics.routes if r.night is not None]

    def rule_param(self, check: str, name: str, **match: Any) -> Any:
        """A parameter of the first rule judged by `check` (whose parameters equal `match`), or None."""
        for rule in self.pack.rules_checked_by(check):
            if all(rule.params.get(k) == v for k, v in match.items()):
                return rule.params[name]
        return None

    def first_by_s(self) -> int | None:
        before = self.rule_param("first_departure_by", "before_work_start_min")
        if before is None or not self.city.hours_set:
            return None
        return self.city.work_start_s - round(before * 60)

    def last_from_s(self) -> int | None:
        after = self.rule_param("last_departure_from", "after_work_end_min")
        if after is None or not self.city.hours_set:
            return None
        return self.city.work_end_s + round(after * 60)


def finding(rule: Rule, status: str, subject: dict[str, Any], value: Any, threshold: Any, unit: str, zh: str, en: str,
            **detail: Any) -> Finding:
    return Finding(rule.id, rule.article, rule.family, status, subject, value, threshold, unit, zh, en, detail)


def city_subject(city: CityProfile) -> dict[str, Any]:
    return {"type": "city", "city": city.name, "city_en": city.name_en}


def route_subject(route: RouteRow) -> dict[str, Any]:
    return {"type": "route", "route_id": route.route_id, "direction_id": route.direction_id,
            "route_short_name": route.route_short_name, "towards": route.towards}


def no_routes(rule: Rule, city: CityProfile, night: bool = False) -> list[Finding]:
    """No basic route runs: the rule cannot be assessed. No night route runs: nothing to judge (info), since
    Art. 10(4) asks for night lines only where the city finds them necessary."""
    if night:
        return [finding(rule, "info", city_subject(city), None, None, "",
                        "审计日没有夜班线路运营，无需评估。", "No night route runs on the audit date; nothing to judge.")]
    return [
        finding(rule, "not_assessed", city_subject(city), None, None, "",
                "审计日没有基本公交线路运营，无法评估。", "No basic route runs on the audit date; nothing to assess.")
    ]


def night_exemptions(rule: Rule, context: Context) -> list[Finding]:
    """Night routes are exempt from the day rules: Art. 10(4) leaves their hours and intervals to the city."""
    findings = []
    for route in context.night_routes:
        assert route.night is not None
        findings.append(finding(
            rule, "exempt", route_subject(route), None, None, "",
            f"{route.label} 为夜班线路（{route.night.zh}），其首末班与间隔由城市另定（第10条第4项），见 GD-NIGHT。",
            f"{route.label} is a night route ({route.night.en}); Art. 10(4) leaves its hours and "
            "intervals to the city: see GD-NIGHT."))
    return findings


def requires_input(rule: Rule, context: Context, threshold: Any = None) -> list[Finding]:
    """The rule needs an input this audit was not given: not assessed, saying which input."""
    return [
        finding(
            rule, "not_assessed", city_subject(context.city), None, threshold, "",
            f"未提供{rule.input_zh or '所需输入'}，不评估。",
            f"Not assessed: needs {rule.input or 'an input'}, which this audit was not given.",
        )
    ]
