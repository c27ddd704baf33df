"""Approved deviations applied to the findings: a failing finding that a valid deviation names becomes exempt,
with the reason and the document; an expired deviation or one that matches no failing finding is a notice."""

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


def apply_deviations(findings: list[Finding], deviations: list[Deviation], day: date,
                     source: str) -> list[tuple[str, str]]:
    """Turn matching failing findings exempt; return notices (en, zh) for expired and unmatched deviations."""
    notices = []
    for deviation in deviations:
        where = f"{source} line {deviation.line}"
        if deviation.valid_until is not None and deviation.valid_until < day:
            notices.append((f"{where}: the deviation for {deviation.rule} {deviation.subject} expired on "
                            f"{deviation.valid_until}, before the audit date {day}; not applied.",
                            f"{source} 第{deviation.line}行：{deviation.rule} {deviation.subject} 的批准例外已于 "
                            f"{deviation.valid_until} 到期（早于审计日 {day}），未采用。"))
            continue
        matched = [f for f in findings if f.status == "fail" and _matches(deviation, f)]
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
