"""The departures that would fix a failing route-direction, attached to its failing interval and span
findings (operators act on this: "add 07:30, 08:15")."""

from __future__ import annotations

from checker.judge.context import Context
from checker.judge.headway_max import headway_limit
from checker.judge.remedy import Limits, plan_departures
from checker.model.clock import ClockMinute
from checker.model.metrics import RouteRow
from checker.model.result import Finding

ROUTE_TIMETABLE_CHECKS = ("headway_max", "first_departure_by", "last_departure_from")
NO_LIMIT_S = 10**6 * 60


def attach_remedies(findings: list[Finding], context: Context) -> None:
    """Give every failing interval or span finding the departures that fix every interval and span failure of
    its route-direction (judge/remedy.py: the fewest)."""
    checks = {rule.id for rule in context.pack.rules_checked_by(*ROUTE_TIMETABLE_CHECKS)}
    failing = [f for f in findings if f.rule in checks and f.status == "fail"]
    if not failing:
        return
    rules = {rule.params["window"]: rule for rule in context.pack.rules_checked_by("headway_max")}

    def limits(route: RouteRow) -> Limits:
        def seconds(window: str) -> int:
            rule = rules.get(window)
            return NO_LIMIT_S if rule is None else round(headway_limit(rule, context, route).minutes * 60)
        return Limits(peaks=context.city.peak_windows, peak_max_s=seconds("peak"), offpeak_max_s=seconds("offpeak"),
                      first_by_s=context.first_by_s(), last_from_s=context.last_from_s())

    routes = {r.key: r for r in context.day_routes}
    plans: dict[tuple[str, int], list[ClockMinute]] = {}
    for failed in failing:
        key = (failed.subject["route_id"], failed.subject["direction_id"])
        if key not in plans:
            plans[key] = [ClockMinute(t) for t in plan_departures(routes[key].departures_s, limits(routes[key]))]
        plan = plans[key]
        if not plan:
            continue
        failed.detail["add_departures"] = plan
        times = [t.text() for t in plan]
        failed.message_zh += f" 建议增开 {'、'.join(times)} 班次（可消除该方向全部间隔与首末班问题）。"
        failed.message_en += f" Add departures at {', '.join(times)} (fixes every interval and span failure of this direction)."
