"""Transit-metropolis indicators against the city's own targets: met, not met, reported (no target), or not
assessed (input missing). Each finding carries the self-evaluation table's row in its detail.

Every indicator is judged the same way; the checks differ in how metrics/indicators.py obtains the value,
so one function is registered under each indicator check's name, with that check's own parameters.
"""

from __future__ import annotations

from typing import Any

from checker.judge.context import Context, city_subject, finding
from checker.judge.published import note_estimated
from checker.judge.registry import number, register
from checker.model.pack import Param, Rule
from checker.model.result import Finding

_COMMON = (
    Param("number", "integer", "", "the indicator's number (序号) in the evaluation table", None),
    Param("unit", "text", "", "the indicator's unit, as the table gives it"),
    Param("better", "text", "", "which way is better, against the city's target", choices=("higher", "lower")),
)
INDICATOR_CHECKS = {
    "declared": "a value the city declares (--declared CSV indicator,value,source)",
    "tm_coverage": "share of the built-up area within radius_m of a stop of the listed modes served on the date "
                   "(every public transport stop, not only basic bus routes; the GD-COV-500 engine), %",
    "tm_peak_speed": "vehicle-km over vehicle-hours of peak departures, km/h",
    "tm_realtime": "share of trips running at the TripUpdates snapshots' times that have real-time data, %",
    "tm_on_time": "share of observed stop events within early_min early to late_min late, %",
    "tm_crowding": "summed peak load over capacity of peak trips (--load), %",
    "tm_network_km": "distinct stop-to-stop segments run on the audit date, straight lines, km",
    "tm_stops": "stops served on the audit date",
    "tm_bus_lanes": "bus-lane km (--bus-lanes) over network km, %",
    "tm_accessible_stops": "served stops with wheelchair_boarding 1 (platforms inherit their station), %",
    "tm_accessible_trips": "departures with wheelchair_accessible 1, %",
}
_EXTRA = {
    "tm_coverage": (number("radius_m", "m", "straight-line radius around each served stop"),
                    Param("modes", "list", "", "GTFS base route types whose served stops count (0 tram, 1 metro, "
                          "2 rail, 3 bus, 4 ferry, 11 trolleybus, 12 monorail; extended types map to these)")),
    "tm_on_time": (number("early_min", "min", "how early still counts as on time"),
                   number("late_min", "min", "how late still counts as on time")),
}


def _row(rule: Rule, context: Context, found: dict[str, Any] | None) -> dict[str, Any]:
    plan = context.city.indicators.get(rule.id, {})
    return {"id": rule.id, "number": rule.params.get("number"), "indicator": rule.title, "indicator_en": rule.title_en,
            "unit": rule.params["unit"], "better": rule.params["better"], "baseline": plan.get("baseline"),
            "target": plan.get("target"), "value": None if found is None else found["value"],
            "source": None if found is None else found["source"],
            "basis_en": None if found is None else found["basis_en"], "basis_zh": None if found is None else found["basis_zh"],
            "met": None}


def check_indicator(rule: Rule, context: Context) -> list[Finding]:
    """The indicator's value (computed by metrics/indicators.py from the feed and the other inputs, or
    declared by the city) against the target in the city's profile ([indicators] ID = { baseline, target }),
    in the direction `better` says. Without a target the value is reported (status info); without its input
    the indicator is not assessed, naming the input. Edge: a value equal to the target meets it.
    """
    found = (context.metrics.indicators or {}).get(rule.id)
    row = _row(rule, context, found)
    subject, unit, target = city_subject(context.city), rule.params["unit"], row["target"]
    if found is None:
        zh = f"{rule.title}：未提供{rule.input_zh or '申报数据（--declared）'}，不评估。"
        en = f"{rule.title_en}: not assessed; needs {rule.input or 'a declared value (--declared)'}."
        return [finding(rule, "not_assessed", subject, None, target, unit, zh, en, evaluation=row)]
    value = found["value"]
    source_zh = "计算" if found["source"] == "computed" else "申报"
    text = f"{value:g} {unit}"
    if target is None:
        return [_estimated(rule, context, finding(rule, "info", subject, value, None, unit,
                        f"{rule.title} {text}（{source_zh}：{found['basis_zh']}），未设目标。",
                        f"{rule.title_en} {text} ({found['source']}: {found['basis_en']}); no target set.",
                        evaluation=row))]
    met = value >= target if rule.params["better"] == "higher" else value <= target
    relation_zh, relation_en = ("不低于", "at least") if rule.params["better"] == "higher" else ("不高于", "at most")
    baseline = row["baseline"]
    return [_estimated(rule, context, finding(
        rule, "pass" if met else "fail", subject, value, target, unit,
        f"{rule.title} {text}（{source_zh}：{found['basis_zh']}），目标{relation_zh} {target:g}"
        + (f"，基准值 {baseline:g}" if baseline is not None else "") + f"：{'达标' if met else '未达标'}。",
        f"{rule.title_en} {text} ({found['source']}: {found['basis_en']}); target {relation_en} {target:g}"
        + (f", baseline {baseline:g}" if baseline is not None else "") + f": {'met' if met else 'not met'}.",
        evaluation={**row, "met": met},
    ))]


def _estimated(rule: Rule, context: Context, found: Finding) -> Finding:
    """Operating speed from a converted service table is its assumed speed, not a measurement: say so."""
    if rule.check != "tm_peak_speed" or found.detail["evaluation"]["source"] != "computed":
        return found
    return note_estimated(found, context.metrics.timetable, "运行时间（因而运营速度即所设速度）",
                          "running times (so the speed is the assumed one)")


for _name, _measures in INDICATOR_CHECKS.items():
    register(_name, *_COMMON, *_EXTRA.get(_name, ()), summary=f"Value: {_measures}.")(check_indicator)
