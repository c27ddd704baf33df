"""Art. 10(4), hub clause: basic routes starting or ending at a rail, air, coach or ferry hub run hours that
meet that mode's, unless a night or dedicated line already serves the hub at those times."""

from __future__ import annotations

from typing import Any

from checker.judge.context import Context, city_subject, finding, requires_input
from checker.judge.published import note_estimated
from checker.judge.registry import register
from checker.load.hubs import MODE_NAMES
from checker.model.clock import ClockMinute
from checker.model.metrics import HubRoute, HubService
from checker.model.pack import HubSettings, Rule
from checker.model.result import Finding, HubVerdict

JUDGED_KINDS = ("basic",)  # night and dedicated lines are what exempts the others; other routes are not basic


def hub_verdict(hub: HubService, settings: HubSettings) -> HubVerdict:
    """The bus times a hub's hours call for, which routes meet them, and the night or dedicated line (the
    first that itself meets the time) that exempts the others."""
    need_last = hub.last_arrival_s + round(settings.grace_min * 60)
    need_first = hub.first_departure_s - round(settings.lead_min * 60)
    leaving = [r.time_s >= need_last for r in hub.leaving]
    reaching = [r.time_s <= need_first for r in hub.reaching]
    return HubVerdict(settings.grace_min, settings.lead_min, need_last, need_first, leaving, reaching,
                      _exempting(hub, hub.leaving, leaving, settings.exemption),
                      _exempting(hub, hub.reaching, reaching, settings.exemption),
                      _gap(hub.leaving, leaving, need_last, later=True),
                      _gap(hub.reaching, reaching, need_first, later=False))


def _exempting(hub: HubService, routes: list[HubRoute], meets: list[bool], reading: str) -> dict[str, Any] | None:
    """The night or dedicated line that exempts the other routes for this time: under the text's reading
    ("serves"), the first such line at the terminal, leaving or reaching it, saying whether it itself meets
    the time; under the stricter one ("meets"), the first such line that meets it."""
    lines = [(r, ok) for r, ok in zip(routes, meets, strict=True) if r.kind in ("night", "dedicated")]
    meeting = next((r for r, ok in lines if ok), None)
    if meeting is not None:
        return {"label": meeting.label, "kind": meeting.kind, "why": meeting.why, "meets": True}
    if reading == "meets":
        return None
    if lines:
        line = lines[0][0]
        return {"label": line.label, "kind": line.kind, "why": line.why, "meets": False}
    other = next((r for r in [*hub.leaving, *hub.reaching] if r.kind in ("night", "dedicated")), None)
    return None if other is None else {"label": other.label, "kind": other.kind, "why": other.why, "meets": None}


def _gap(routes: list[HubRoute], meets: list[bool], need_s: int, later: bool) -> float | None:
    """Minutes by which the best bus misses the hub's time, when none meets it; None when one does or none runs."""
    if not routes or any(meets):
        return None
    best = max(r.time_s for r in routes) if later else min(r.time_s for r in routes)
    return round(abs(need_s - best) / 60, 1)


@register("hub_alignment")
def check_hub_alignment(rule: Rule, context: Context) -> list[Finding]:
    """Per basic route-direction whose first stop lies within the profile's hub_distance_m (default 300 m) of
    a hub: its last departure from the hub, no earlier than the hub's last arrival + hub_grace_min (default
    30); per one whose last stop does: its first arrival, no later than the hub's first departure -
    hub_lead_min (default 30). Hub hours come from --hubs (a file, or a GTFS feed of the other mode).

    A night or dedicated line at the hub exempts the other routes there: the clause applies only where the
    terminal "has no night line or dedicated line" (该起讫点没有夜班线路或专班专线的). The finding names the
    line and says, as information, whether it itself meets the time. A profile may choose the stricter
    reading (hub_exemption = "meets"): only a line that meets the time exempts. A night line's
    arrivals after midnight count for the next morning's first departure; a day route's do not. Edge: a time
    equal to the requirement passes. Not assessed without --hubs; info (nothing to judge) when no basic route
    ends at a hub.
    """
    hubs = context.metrics.hubs
    if hubs is None:
        return requires_input(rule, context)
    findings = []
    settings = context.city.hub
    for hub in hubs.hubs:
        verdict = hub_verdict(hub, settings)
        for route, meets in zip(hub.leaving, verdict.leaving_meets, strict=True):
            if route.kind in JUDGED_KINDS:
                findings.append(_last_bus(rule, hub, route, meets, verdict, settings))
        for route, meets in zip(hub.reaching, verdict.reaching_meets, strict=True):
            if route.kind in JUDGED_KINDS:
                findings.append(note_estimated(_first_bus(rule, hub, route, meets, verdict, settings),
                                               context.metrics.timetable, "到达时间", "arrival time"))
    if not findings:
        distance = hubs.distance_m
        findings.append(finding(
            rule, "info", city_subject(context.city), None, None, "",
            f"{len(hubs.hubs)} 个枢纽 {distance:g} 米范围内均无基本公交线路的起讫站，无线路需评估。",
            f"No basic route starts or ends within {distance:g} m of any of the {len(hubs.hubs)} hubs; "
            "no route to assess.",
        ))
    return findings


def _subject(route: HubRoute, hub: HubService) -> dict[str, Any]:
    return {"type": "route", "route_id": route.route_id, "direction_id": route.direction_id,
            "route_short_name": route.route_short_name, "hub": hub.name}


def _exemption(exempt: dict[str, Any], hub: HubService) -> tuple[str, str]:
    kind_zh, kind_en = {"night": ("夜班线", "night line"), "dedicated": ("专线", "dedicated line")}[exempt["kind"]]
    if exempt["meets"]:
        return (f"{hub.name}已有{kind_zh} {exempt['label']}（{exempt['why'].zh}）衔接，本线路免于评估。",
                f"exempt: the {kind_en} {exempt['label']} ({exempt['why'].en}) serves {hub.name} at that time.")
    itself_zh = "该线路本身未满足此衔接时间（仅供参考）" if exempt["meets"] is False else "该线路不在此方向运营（仅供参考）"
    itself_en = ("that line itself does not meet this time (for information)" if exempt["meets"] is False
                 else "that line does not run in this direction (for information)")
    return (f"起讫点{hub.name}设有{kind_zh} {exempt['label']}（{exempt['why'].zh}），按第十条第四项"
            f"“该起讫点没有夜班线路或专班专线的”之规定，本线路免于评估；{itself_zh}。",
            f"exempt: the terminal at {hub.name} has the {kind_en} {exempt['label']} ({exempt['why'].en}), and Art. "
            f"10(4) asks for aligned hours only where it has none; {itself_en}.")


def _last_bus(rule: Rule, hub: HubService, route: HubRoute, meets: bool, verdict: HubVerdict,
              settings: HubSettings) -> Finding:
    mode_zh, mode_en = MODE_NAMES[hub.mode]
    need, leave = ClockMinute(verdict.need_last_leave_s), ClockMinute(route.time_s)
    last_arrival = ClockMinute(hub.last_arrival_s).text()
    head_zh = (f"{route.label} 自{hub.name}（{mode_zh}）末班 {leave.text()}；{mode_zh}末班到达 "
               f"{last_arrival}，公交末班应不早于 {need.text()}（{settings.grace_min:g} 分钟后）")
    head_en = (f"{route.label} last departure from {hub.name} ({mode_en}) {leave.text()}; the last "
               f"{mode_en} arrival is {last_arrival}, so the last bus should leave no earlier than {need.text()} "
               f"({settings.grace_min:g} min later)")
    return _judged(rule, hub, route, meets, leave, need, verdict.last_exempted_by, head_zh, head_en, [need],
                   f"建议增开 {need.text()} 自{hub.name}发出的班次。", f"Add a departure from {hub.name} at {need.text()}.")


def _first_bus(rule: Rule, hub: HubService, route: HubRoute, meets: bool, verdict: HubVerdict,
               settings: HubSettings) -> Finding:
    mode_zh, mode_en = MODE_NAMES[hub.mode]
    need, arrive = ClockMinute(verdict.need_first_arrive_s), ClockMinute(route.time_s)
    run_min = round((route.run_s or 0) / 60, 1)
    leave = ClockMinute(verdict.need_first_arrive_s - round(run_min * 60))
    first_departure = ClockMinute(hub.first_departure_s).text()
    head_zh = (f"{route.label} 首班到达{hub.name}（{mode_zh}）{arrive.text()}；{mode_zh}首班出发 "
               f"{first_departure}，公交首班应不晚于 {need.text()} 到达（提前 {settings.lead_min:g} 分钟）")
    head_en = (f"{route.label} first arrival at {hub.name} ({mode_en}) {arrive.text()}; the first "
               f"{mode_en} departure is {first_departure}, so the first bus should arrive by {need.text()} "
               f"({settings.lead_min:g} min earlier)")
    return _judged(rule, hub, route, meets, arrive, need, verdict.first_exempted_by, head_zh, head_en, [leave],
                   f"建议增开 {leave.text()} 自起点发车（全程约 {run_min:g} 分钟）、{need.text()} 前到达的班次。",
                   f"Add a trip leaving its origin at {leave.text()} (about {run_min:g} min to the hub) to arrive by "
                   f"{need.text()}.")


def _judged(rule: Rule, hub: HubService, route: HubRoute, meets: bool, value: ClockMinute, need: ClockMinute,
            exempt: dict[str, Any] | None, head_zh: str, head_en: str, add: list[ClockMinute], fix_zh: str,
            fix_en: str) -> Finding:
    detail: dict[str, Any] = {"hub": hub.name, "hub_mode": hub.mode}
    if meets:
        status, zh, en = "pass", f"{head_zh}，已衔接。", f"{head_en}: met."
    elif exempt is not None:
        exempt_zh, exempt_en = _exemption(exempt, hub)
        status, zh, en = "exempt", f"{head_zh}；{exempt_zh}", f"{head_en}; {exempt_en}"
        detail["exempted_by"] = exempt["label"]
    else:
        status, zh, en = "fail", f"{head_zh}，未衔接。{fix_zh}", f"{head_en}: not met. {fix_en}"
        detail["add_departures"] = add
    return finding(rule, status, _subject(route, hub), value, need, "time", zh, en, **detail)
