"""Approved deviations applied to the findings: a failing finding that a valid deviation names becomes exempt,
with the reason and the document; an expired deviation or one that matches no failing finding is a notice.

Only what the standard leaves to the city can be waived: findings of `in_principle` (原则上) and `should`
(宜/不宜) rules, and the city's own minima. A binding provincial requirement (`shall`: 应, 不低于) cannot be
waived by a city's file; such a deviation is a notice and the finding stays as it is. Validity is checked
against each finding's own date (a --week audit has several)."""

from __future__ import annotations

from datetime import date

from checker.model.deviation import Deviation
from checker.model.result import Finding


def _matches(deviation: Deviation, finding: Finding) -> bool:
    if deviation.rule.upper() != finding.rule.upper():
        return False
    subject = finding.subject
    if deviation.subject == "city":
        return subject["type"] == "city"
    if subject["type"] != "route" or deviation.subject not in (subject.get("route_id"), subject.get("route_short_name")):
        return False
    return deviation.direction is None or deviation.direction == subject.get("direction_id")


def _day(finding: Finding, day: date) -> date:
    own = finding.subject.get("date")
    return date.fromisoformat(own) if own else day


def apply_deviations(findings: list[Finding], deviations: list[Deviation], day: date,
                     source: str) -> list[tuple[str, str]]:
    """Turn matching failing findings exempt; return notices (en, zh) for expired, unmatched and refused ones."""
    notices = []
    first = min((_day(f, day) for f in findings), default=day)
    for deviation in deviations:
        where = f"{source} line {deviation.line}"
        if deviation.valid_until is not None and deviation.valid_until < first:
            notices.append((f"{where}: the deviation for {deviation.rule} {deviation.subject} expired on "
                            f"{deviation.valid_until}, before the audit date {first}; not applied.",
                            f"{source} 第{deviation.line}行：{deviation.rule} {deviation.subject} 的批准例外已于 "
                            f"{deviation.valid_until} 到期（早于审计日 {first}），未采用。"))
            continue
        named = [f for f in findings if f.status == "fail" and _matches(deviation, f)]
        binding = [f for f in named if f.strength == "shall" and f.detail.get("limit_source") in (None, "pack")]
        if binding:
            notices.append((f"{where}: {deviation.rule} is a binding requirement of the standard (shall: "
                            f"“{binding[0].strength_words}”); a city's deviation cannot waive it, so it was not applied.",
                            f"{source} 第{deviation.line}行：{deviation.rule} 为规范的强制性要求（“{binding[0].strength_words}”），"
                            "城市的批准例外不能豁免，未采用。"))
            continue
        matched = [f for f in named if deviation.valid_until is None or deviation.valid_until >= _day(f, day)]
        if not matched:
            notices.append((f"{where}: the deviation for {deviation.rule} {deviation.subject} matches no failing finding.",
                            f"{source} 第{deviation.line}行：{deviation.rule} {deviation.subject} 的批准例外没有对应的不达标项。"))
        for found in matched:
            found.status = "exempt"
            found.detail["deviation"] = {"reason": deviation.reason, "document": deviation.document,
                                         "valid_until": None if deviation.valid_until is None
                                         else deviation.valid_until.isoformat()}
            found.message_zh += f" 已批准例外（{deviation.document}）：{deviation.reason}。"
            found.message_en += f" Approved deviation ({deviation.document}): {deviation.reason}."
    return notices
