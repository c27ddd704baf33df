"""Art. 10(4), hub clause: basic routes starting or ending at a rail, air, coach or ferry hub run hours that
meet that mode's, unless a night or dedicated line already serves the hub at those times."""

from __future__ import annotations

from checker.clock import hm
from checker.judge.context import Context, city_subject, finding, requires_input
from checker.load.hubs import MODE_NAMES
from checker.model import Finding
from checker.rulepack import Rule

JUDGED_KINDS = ("basic",)  # night and dedicated lines are what exempts the others; other routes are not basic


def check_hub_alignment(rule: Rule, context: Context) -> list[Finding]:
    hubs = context.metrics.get("hubs")
    if hubs is None:
        return requires_input(rule, context)
    findings = []
    for hub in hubs["hubs"]:
        findings += [_last_bus(rule, hub, entry, hubs) for entry in hub["leaving"] if entry["kind"] in JUDGED_KINDS]
        findings += [_first_bus(rule, hub, entry, hubs) for entry in hub["reaching"] if entry["kind"] in JUDGED_KINDS]
    if not findings:
        distance = hubs["distance_m"]
        findings.append(finding(
            rule, "not_assessed", city_subject(context.city), None, None, "",
            f"{len(hubs['hubs'])} 个枢纽 {distance:g} 米范围内均无基本公交线路的起讫站，无线路需评估。",
            f"No basic route starts or ends within {distance:g} m of any of the {len(hubs['hubs'])} hubs; "
            "no route to assess.",
        ))
    return findings


def _subject(entry: dict, hub: dict) -> dict:
    return {"type": "route", "route_id": entry["route_id"], "direction_id": entry["direction_id"],
            "route_short_name": entry["route_short_name"], "hub": hub["name"]}


def _exemption(exempt: dict, hub: dict) -> tuple[str, str]:
    kind_zh, kind_en = {"night": ("夜班线", "night line"), "dedicated": ("专线", "dedicated line")}[exempt["kind"]]
    return (f"{hub['name']}已有{kind_zh} {exempt['label']}（{exempt['why']['zh']}）衔接，本线路免于评估。",
            f"exempt: the {kind_en} {exempt['label']} ({exempt['why']['en']}) serves {hub['name']} at that time.")


def _last_bus(rule: Rule, hub: dict, entry: dict, hubs: dict) -> Finding:
    mode_zh, mode_en = MODE_NAMES[hub["mode"]]
    need = hub["bus_last_leave_by"]
    head_zh = (f"{entry['label']} 自{hub['name']}（{mode_zh}）末班 {entry['last_leave']}；{mode_zh}末班到达 "
               f"{hub['last_arrival']}，公交末班应不早于 {need}（{hubs['grace_min']:g} 分钟后）")
    head_en = (f"{entry['label']} last departure from {hub['name']} ({mode_en}) {entry['last_leave']}; the last "
               f"{mode_en} arrival is {hub['last_arrival']}, so the last bus should leave no earlier than {need} "
               f"({hubs['grace_min']:g} min later)")
    return _judged(rule, hub, entry, hubs, entry["last_leave"], need, hub["last_exempted_by"], head_zh, head_en,
                   [need], f"建议增开 {need} 自{hub['name']}发出的班次。",
                   f"Add a departure from {hub['name']} at {need}.")


def _first_bus(rule: Rule, hub: dict, entry: dict, hubs: dict) -> Finding:
    mode_zh, mode_en = MODE_NAMES[hub["mode"]]
    need = hub["bus_first_arrive_by"]
    leave = hm(hub["need_first_arrive_s"] - round(entry["run_min"] * 60))
    head_zh = (f"{entry['label']} 首班到达{hub['name']}（{mode_zh}）{entry['first_arrive']}；{mode_zh}首班出发 "
               f"{hub['first_departure']}，公交首班应不晚于 {need} 到达（提前 {hubs['lead_min']:g} 分钟）")
    head_en = (f"{entry['label']} first arrival at {hub['name']} ({mode_en}) {entry['first_arrive']}; the first "
               f"{mode_en} departure is {hub['first_departure']}, so the first bus should arrive by {need} "
               f"({hubs['lead_min']:g} min earlier)")
    return _judged(rule, hub, entry, hubs, entry["first_arrive"], need, hub["first_exempted_by"], head_zh, head_en,
                   [leave], f"建议增开 {leave} 自起点发车（全程约 {entry['run_min']:g} 分钟）、{need} 前到达的班次。",
                   f"Add a trip leaving its origin at {leave} (about {entry['run_min']:g} min to the hub) to arrive by {need}.")


def _judged(rule, hub, entry, hubs, value, need, exempt, head_zh, head_en, add, fix_zh, fix_en) -> Finding:
    detail = {"hub": hub["name"], "hub_mode": hub["mode"]}
    if entry["meets"]:
        status, zh, en = "pass", f"{head_zh}，已衔接。", f"{head_en}: met."
    elif exempt is not None:
        exempt_zh, exempt_en = _exemption(exempt, hub)
        status, zh, en = "exempt", f"{head_zh}；{exempt_zh}", f"{head_en}; {exempt_en}"
        detail["exempted_by"] = exempt["label"]
    else:
        status, zh, en = "fail", f"{head_zh}，未衔接。{fix_zh}", f"{head_en}: not met. {fix_en}"
        detail["add_departures"] = add
    return finding(rule, status, _subject(entry, hub), value, need, "time", zh, en, **detail)
