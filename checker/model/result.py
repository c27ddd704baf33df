"""The one result every reporter reads: findings plus the metrics they were judged on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from checker.model.clock import Window
from checker.model.metrics import Metrics
from checker.model.pack import STRENGTHS, RulePack

STATUSES = ("fail", "not_assessed", "exempt", "pass", "info")  # worst first; info: reported, no threshold


@dataclass
class Finding:
    rule: str
    article: str
    family: str
    status: str  # pass | fail | not_assessed | exempt | info
    subject: dict[str, Any]  # {"type": "city", "city": ...} or {"type": "route", "route_id", "direction_id", ...}
    value: float | int | str | None  # unit "time": a Clock (integer seconds)
    threshold: float | int | str | None
    unit: str
    message_zh: str
    message_en: str
    detail: dict[str, Any] = field(default_factory=dict)
    strength: str = ""  # the rule's, for this city's tier (STRENGTHS); a check may set its own (a city's minimum)
    strength_words: str = ""  # quoted from the text

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status}")


def overall_status(statuses: Iterable[str]) -> str:
    """A rule's status over its findings: fail if any fails; else not assessed if any is; else pass, or
    exempt (info) when every finding is exempt (info)."""
    present = set(statuses)
    for status in ("fail", "not_assessed"):
        if status in present:
            return status
    for only in ("exempt", "info"):
        if present == {only}:
            return only
    return "pass"


@dataclass
class HubVerdict:
    """The judged side of one hub (Art. 10(4)): the bus times its hours call for and which routes meet them."""

    grace_min: float  # the city's hub settings the times were judged with
    lead_min: float
    need_last_leave_s: int
    need_first_arrive_s: int
    leaving_meets: list[bool]  # per entry of the hub's `leaving`, in order
    reaching_meets: list[bool]
    last_exempted_by: dict[str, Any] | None
    first_exempted_by: dict[str, Any] | None
    last_gap_min: float | None
    first_gap_min: float | None


@dataclass
class DayResult:
    """One day of a multi-day audit (--week, --dates): its date, day type, metrics and the settings used."""

    service_date: dict[str, Any]
    day_type: str  # weekday | saturday | sunday
    metrics: Metrics
    hub_verdicts: list[HubVerdict] | None
    peak_windows: list[Window]
    hours_set: bool  # False: the city sets no work hours for this day type (first/last-bus rules not assessed)
    work_start: str | None
    work_end: str | None


@dataclass
class AuditResult:
    city: dict[str, Any]
    tier: dict[str, Any]
    service_date: dict[str, Any]
    rule_pack: dict[str, Any]
    inputs: dict[str, Any]
    settings: dict[str, Any]
    findings: list[Finding]
    metrics: Metrics
    notices: list[dict[str, str]]
    tool: dict[str, str]
    schema_version: str
    hub_verdicts: list[HubVerdict] | None = None  # one per metrics.hubs.hubs entry, when hubs were given
    peak_windows: list[Window] = field(default_factory=list)  # the city's, as judged (settings shows their labels)
    days: list[DayResult] | None = None  # several dates audited: each day (the first is also metrics above)
    provenance: dict[str, Any] = field(default_factory=dict)  # when, from which files (SHA-256), whose feed

    @property
    def failed(self) -> bool:
        return any(f.status == "fail" for f in self.findings)

    @property
    def overall(self) -> str:
        """pass only when every rule is pass, exempt or info; incomplete when none fails and some rule is not
        assessed; fail otherwise. An audit with rules not assessed is not a pass."""
        statuses = set(self.rule_statuses().values())
        if "fail" in statuses:
            return "fail"
        return "incomplete" if "not_assessed" in statuses else "pass"

    def fails_at_or_above(self, strength: str) -> bool:
        """Whether a finding fails whose strength is `strength` or stronger (the --fail-on threshold)."""
        wanted = STRENGTHS[: STRENGTHS.index(strength) + 1]
        return any(f.status == "fail" and f.strength in wanted for f in self.findings)

    def rule_statuses(self) -> dict[str, str]:
        """Each rule's overall status, in the order the findings came (the pack's order)."""
        by_rule: dict[str, list[str]] = {}
        for finding in self.findings:
            by_rule.setdefault(finding.rule, []).append(finding.status)
        return {rule: overall_status(statuses) for rule, statuses in by_rule.items()}

    def summary(self) -> dict[str, Any]:
        counts = {status: 0 for status in STATUSES}
        by_rule: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            counts[finding.status] += 1
            by_rule.setdefault(finding.rule, {s: 0 for s in STATUSES})[finding.status] += 1
        fails = {strength: sum(f.status == "fail" and f.strength == strength for f in self.findings)
                 for strength in STRENGTHS}
        statuses = self.rule_statuses()
        return {"verdict": self.overall, "counts": counts, "by_rule": by_rule, "rules": statuses,
                "fails_by_strength": fails,
                "rules_not_assessed": [rule for rule, status in statuses.items() if status == "not_assessed"]}


@dataclass
class Audit:
    """What reporters read: the result, the pack (families, rule texts) and the coverage geometry
    (metrics/coverage.Coverage: covered and uncovered areas, projected stops, for the map and GeoJSON)."""

    result: AuditResult
    coverage: Any
    pack: RulePack
    basemap: Any = None  # report/basemap.Basemap with --basemap: tiles under report.html's map
