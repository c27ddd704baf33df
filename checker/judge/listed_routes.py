"""Art. 6: basic routes are managed as a published list (基本公交线路实行清单化管理，并向社会公开)."""

from __future__ import annotations

from checker.judge.context import Context, city_subject, finding, requires_input
from checker.judge.registry import register
from checker.model.metrics import ListedRoute
from checker.model.pack import Rule
from checker.model.result import Finding


def _subject(route: ListedRoute) -> dict[str, object]:
    return {"type": "route", "route_id": route.route_id, "direction_id": None,
            "route_short_name": route.route_short_name}


def _label(route: ListedRoute) -> str:
    return route.route_short_name or route.route_id


@register("listed_routes")
def check_listed_routes(rule: Rule, context: Context) -> list[Finding]:
    """With the city's published list of basic routes (--base-routes), each listed route of the feed must run
    on the audit date: the list promises it, so one that does not run fails. A bus route that runs but is not
    listed is reported (info): it is not judged as basic, and the regulator should know it is there. Listed
    names that match no route of the feed are a notice of the audit.

    Not assessed without --base-routes (the feed alone cannot say which routes the city promised). A route of
    the list runs when any of its trips departs on the audit date, in either direction. The list does not say
    on which day types a route runs, so on a Saturday or Sunday (--week) a listed route that does not run is
    reported (info), not failed.
    """
    listed = context.metrics.route_list
    if listed is None:
        return requires_input(rule, context)
    # the list does not say which day types a route runs: one that does not run on a weekend day is reported
    weekend = context.city.day_type in ("saturday", "sunday")
    missing = "info" if weekend else "fail"
    findings = [finding(rule, missing, _subject(route), None, None, "",
                        f"基本公交清单中的 {_label(route)} 在审计日没有运营班次" + ("（周末，仅供参考）。" if weekend else "。"),
                        f"{_label(route)} is on the published list of basic routes but has no departure on the audit date"
                        + (" (a weekend day: for information)." if weekend else "."))
                for route in listed.not_running]
    findings += [finding(rule, "info", _subject(route), None, None, "",
                         f"{_label(route)} 在审计日运营，但不在基本公交清单中，未按基本公交评估。",
                         f"{_label(route)} runs on the audit date but is not on the published list of basic routes; "
                         "it is not judged as basic.")
                 for route in listed.unlisted_running]
    running = listed.listed - len(listed.not_in_feed) - len(listed.not_running)
    findings.append(finding(
        rule, "fail" if listed.not_running and not weekend else "pass", city_subject(context.city), running,
        listed.listed, "routes",
        f"基本公交清单 {listed.listed} 条线路中 {running} 条在审计日运营"
        + (f"，{len(listed.not_in_feed)} 条在 GTFS 中不存在" if listed.not_in_feed else "") + "。",
        f"{running} of the {listed.listed} routes on the published list run on the audit date"
        + (f"; {len(listed.not_in_feed)} are not in the feed" if listed.not_in_feed else "") + ".",
        not_in_feed=listed.not_in_feed,
    ))
    return findings
