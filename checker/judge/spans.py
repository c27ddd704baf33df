"""What the first- and last-departure checks share: one finding per basic day route-direction."""

from __future__ import annotations

from collections.abc import Callable

from checker.judge.context import Context, finding, night_exemptions, no_routes, route_subject
from checker.model.clock import Clock
from checker.model.pack import Rule
from checker.model.result import Finding


def span_findings(rule: Rule, context: Context, end: str, limit_s: int | None, ok: Callable[[int], bool],
                  zh: str, en: str, rel_zh: str, rel_en: str) -> list[Finding]:
    """`end` is "first" or "last": each day route-direction's first (last) departure against `limit_s`; not
    assessed on a day type whose work hours the city's profile does not set (weekends, in a --week audit)."""
    if not context.metrics.routes:
        return no_routes(rule, context.city)
    if limit_s is None:
        return [finding(rule, "not_assessed", route_subject(route), None, None, "time",
                        f"{route.label} 城市未设定该日类型的一般上下班时间，不评估{zh}。",
                        f"{route.label}: the city sets no work hours for this day type; {en} not assessed.")
                for route in context.day_routes] + night_exemptions(rule, context)
    limit = Clock(limit_s)
    findings = []
    for route in context.day_routes:
        value = Clock(route.first_departure_s if end == "first" else route.last_departure_s)
        passed = ok(value)
        findings.append(
            finding(
                rule, "pass" if passed else "fail", route_subject(route), value, limit, "time",
                f"{route.label} {zh} {value.text()[:5]}，应{rel_zh} {limit.text()[:5]}。",
                f"{route.label} {en} {value.text()[:5]}, required {rel_en} {limit.text()[:5]}.",
            )
        )
    return findings + night_exemptions(rule, context)
