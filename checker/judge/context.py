"""What every check needs: the pack, the city, the metrics, and how a finding is written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from checker.model import Finding
from checker.rulepack import CityProfile, Rule, RulePack


@dataclass
class Context:
    pack: RulePack
    city: CityProfile
    metrics: dict[str, Any]

    @cached_property
    def load_by_route(self) -> dict[tuple, dict] | None:
        load = self.metrics.get("load")
        if load is None:
            return None
        return {(r["route_id"], r["direction_id"]): r for r in load["routes"]}

    @cached_property
    def day_routes(self) -> list[dict]:
        return [r for r in self.metrics["routes"] if not r["night"]]

    @cached_property
    def night_routes(self) -> list[dict]:
        return [r for r in self.metrics["routes"] if r["night"]]

    def rule_param(self, check: str, name: str, **match) -> Any:
        for rule in self.pack.rules:
            if rule.check == check and all(rule.params.get(k) == v for k, v in match.items()):
                return rule.params[name]
        return None

    def first_by_s(self) -> int | None:
        before = self.rule_param("first_departure_by", "before_work_start_min")
        return None if before is None else self.city.work_start_s - before * 60

    def last_from_s(self) -> int | None:
        after = self.rule_param("last_departure_from", "after_work_end_min")
        return None if after is None else self.city.work_end_s + after * 60


def finding(rule: Rule, status: str, subject: dict, value, threshold, unit: str, zh: str, en: str, **detail):
    return Finding(rule.id, rule.article, rule.family, status, subject, value, threshold, unit, zh, en, detail)


def city_subject(city: CityProfile) -> dict:
    return {"type": "city", "city": city.name, "city_en": city.name_en}


def route_subject(route: dict) -> dict:
    return {
        "type": "route",
        "route_id": route["route_id"],
        "direction_id": route["direction_id"],
        "route_short_name": route["route_short_name"],
    }


def route_label(route: dict) -> str:
    return f"{route['route_short_name'] or route['route_id']} ({route['direction_id']})"


def no_routes(rule: Rule, city: CityProfile, night: bool = False) -> list[Finding]:
    kind_zh, kind_en = ("夜班", "night") if night else ("基本公交", "basic")
    return [
        finding(rule, "not_assessed", city_subject(city), None, None, "",
                 f"审计日没有{kind_zh}线路运营，无法评估。", f"No {kind_en} route runs on the audit date; nothing to assess.")
    ]


def night_exemptions(rule: Rule, context: Context) -> list[Finding]:
    return [
        finding(rule, "exempt", route_subject(route), None, None, "",
                 f"{route_label(route)} 为夜班线路（{route['night_reason']['zh']}），其首末班与间隔由城市另定（第10条第4项），见 GD-NIGHT。",
                 f"{route_label(route)} is a night route ({route['night_reason']['en']}); Art. 10(4) leaves its hours and "
                 "intervals to the city: see GD-NIGHT.")
        for route in context.night_routes
    ]


def requires_input(rule: Rule, context: Context) -> list[Finding]:
    return [
        finding(
            rule, "not_assessed", city_subject(context.city), None, rule.params.get("max_ratio"), "",
            f"未提供{rule.params['input_zh']}，不评估。",
            f"Not assessed: needs {rule.params['input']}, which this audit was not given.",
        )
    ]
