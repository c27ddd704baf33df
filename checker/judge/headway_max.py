"""Art. 10(3): the largest dispatch interval at the origin, in the peak windows or off-peak."""

from __future__ import annotations

from dataclasses import dataclass

from checker.judge.context import Context, finding, night_exemptions, no_routes, route_subject
from checker.judge.published import note_published
from checker.judge.registry import number, register
from checker.model.clock import Clock
from checker.model.metrics import RouteRow
from checker.model.pack import Param, Rule
from checker.model.result import Finding


def _load_caveat(route: RouteRow, context: Context) -> tuple[str, str]:
    """The 30-minute peak interval holds only while the peak load factor is at most 80% (GD-LOAD-PEAK)."""
    load = (context.load_by_route or {}).get(route.key)
    limit = context.rule_param("load_factor", "max_ratio") or 0.8
    if load is None:
        return f"（以高峰满载率不超过{limit:.0%}为前提）", f" (assuming a peak load factor of at most {limit:.0%})"
    ratio = load.load_factor
    if ratio <= limit:
        return f"（高峰满载率 {ratio:.0%}，满足前提）", f" (peak load factor {ratio:.0%}: precondition met)"
    return (f"（高峰满载率 {ratio:.0%} 超过 {limit:.0%}，前提不成立，需增加运力）",
            f" (peak load factor {ratio:.0%} exceeds {limit:.0%}: precondition not met, more capacity needed)")


CITY_WORDS = "城市交通运输主管部门应当根据当地的实际情况，对基本公交线路制定相应的服务频次最低要求"


@dataclass(frozen=True)
class Limit:
    minutes: float
    source: str  # pack | city | route
    city_minutes: float | None = None  # the city's own figure, also when it is looser and the pack's applies


def headway_limit(rule: Rule, context: Context, route: RouteRow) -> Limit:
    """The interval a route-direction is judged against. Art. 10(3) asks the city to set its own minimum
    service frequency (城市交通运输主管部门应当…制定相应的服务频次最低要求) beside the standard's in-principle
    30/60 minutes: the city's figure (for this route, else city-wide) applies where it is stricter; where it is
    looser, the standard's in-principle figure still stands (the finding says so)."""
    peak = rule.params["window"] == "peak"
    own, source = context.city.headway_minima.limit(route.route_id, route.route_short_name, peak)
    if own is None or own > rule.params["max_min"]:
        return Limit(rule.params["max_min"], "pack", own)
    return Limit(own, source or "city", own)


def _basis(own: Limit, rule: Rule, context: Context) -> tuple[str, str]:
    if own.source == "pack":
        if own.city_minutes is None:
            return "", ""
        return (f"（本市规定 {own.city_minutes:g} 分钟宽于省规范原则上的 {own.minutes:g} 分钟，按省规范评估）",
                f" (the city's own {own.city_minutes:g} min is looser than the standard's in-principle "
                f"{own.minutes:g} min, which applies)")
    document = context.city.headway_minima.document
    cite_zh, cite_en = (f"，{document}", f", {document}") if document else ("", "")
    whose_zh, whose_en = ("本市对该线路规定", "the city's own for this route") if own.source == "route" else (
        "本市规定", "the city's own")
    return f"（{whose_zh}{cite_zh}）", f" ({whose_en}{cite_en})"


@register("headway_max",
          Param("window", "text", "", "which windows: the peak windows, or the operating time outside them",
                choices=("peak", "offpeak")),
          number("max_min", "min", "largest allowed gap between consecutive departures", low=1))
def check_headway_max(rule: Rule, context: Context) -> list[Finding]:
    """Per basic day route and direction, the largest gap between consecutive departures at the origin
    terminal in the peak windows (`window = "peak"`, the worst of them) or off-peak, against `max_min`.

    Edges (metrics/timetable.py): a gap counts for every window it overlaps; a peak window is measured from
    its own edge where the route has no departure before or after it inside the window (first bus 07:40:
    a 40-minute wait in a 07:00-09:00 peak); off-peak is the operating time from the first to the last
    departure outside the peaks. A route with no off-peak operating time is not assessed off-peak. Night
    routes are exempt (GD-NIGHT judges them). Peak verdicts state the load-factor precondition.

    The city's own minima (profile peak_max_headway_min / offpeak_max_headway_min, per route
    route_max_headway_min) replace `max_min` where set: the finding says so, cites frequency_document, and
    carries the strength "shall" (the city's own requirement), noting when it is looser than the pack's.

    On a feed converted from a service table (buscheck convert, or a table audited directly) the finding also
    names the published period(s) the worst gap falls in, their range and the end judged ("published interval
    4–8 min, judged at 8 min"), or says that no interval is published there (judge/published.py).
    """
    if not context.metrics.routes:
        return no_routes(rule, context.city)
    peak = rule.params["window"] == "peak"
    findings = []
    for route in context.day_routes:
        own = headway_limit(rule, context, route)
        limit = own.minutes
        measured = [w for w in route.windows if (w.window != "offpeak") == peak and w.max_headway_s is not None]
        subject = route_subject(route)
        if not measured and peak:  # no peak window set for this day type: nothing to judge, nothing missing
            findings.append(finding(rule, "info", subject, None, limit, "min",
                                    f"{route.label} 城市未设该日类型的高峰时段，无高峰间隔需评估。",
                                    f"{route.label}: the city sets no peak window for this day type; no peak interval "
                                    "to judge."))
            continue
        if not measured:
            findings.append(finding(rule, "not_assessed", subject, None, limit, "min",
                                    f"{route.label} 无平峰运营时段，不评估平峰间隔。",
                                    f"{route.label} has no off-peak operating time; off-peak interval not assessed."))
            continue
        worst = max(measured, key=lambda w: w.max_headway_s or 0)
        assert worst.max_headway_s is not None and worst.gap_from_s is not None and worst.gap_to_s is not None
        value = round(worst.max_headway_s / 60, 2)
        passed = value <= limit
        where = "平峰" if not peak else f"高峰（{worst.window}）"
        where_en = "off-peak" if not peak else f"peak {worst.window}"
        gap_from, gap_to = Clock(worst.gap_from_s), Clock(worst.gap_to_s)
        gap = f"{gap_from.text()[:5]}–{gap_to.text()[:5]}"
        caveat_zh, caveat_en = _load_caveat(route, context) if peak else ("", "")
        basis_zh, basis_en = _basis(own, rule, context)
        judged = finding(
            rule, "pass" if passed else "fail", subject, value, limit, "min",
            f"{route.label} {where}最大发车间隔 {value:g} 分钟（{gap}），限值 {limit:g} 分钟{basis_zh}{caveat_zh}。",
            f"{route.label} largest {where_en} interval {value:g} min ({gap}), limit {limit:g} min{basis_en}{caveat_en}.",
            window=worst.window, gap_from=gap_from, gap_to=gap_to, limit_source=own.source,
        )
        if own.source != "pack":
            judged.strength, judged.strength_words = "shall", CITY_WORDS
        findings.append(note_published(judged, route, worst.gap_from_s, worst.gap_to_s, context.metrics.timetable))
    return findings + night_exemptions(rule, context)
