"""The one result model every reporter reads: findings plus the metrics they were judged on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("fail", "not_assessed", "exempt", "pass", "info")  # worst first; info: reported, no threshold


@dataclass
class Finding:
    rule: str
    article: str
    family: str
    status: str  # pass | fail | not_assessed | exempt | info
    subject: dict[str, Any]  # {"type": "city", "city": ...} or {"type": "route", "route_id", "direction_id", ...}
    value: float | str | None
    threshold: float | str | None
    unit: str
    message_zh: str
    message_en: str
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status}")


@dataclass
class AuditResult:
    city: dict[str, Any]
    tier: dict[str, Any]
    service_date: dict[str, Any]
    rule_pack: dict[str, Any]
    inputs: dict[str, Any]
    settings: dict[str, Any]
    findings: list[Finding]
    metrics: dict[str, Any]
    notices: list[dict[str, str]]
    tool: dict[str, str]
    schema_version: str

    @property
    def failed(self) -> bool:
        return any(f.status == "fail" for f in self.findings)

    def summary(self) -> dict[str, Any]:
        counts = {status: 0 for status in STATUSES}
        for finding in self.findings:
            counts[finding.status] += 1
        by_rule: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            by_rule.setdefault(finding.rule, {s: 0 for s in STATUSES})[finding.status] += 1
        return {"verdict": "fail" if self.failed else "pass", "counts": counts, "by_rule": by_rule}

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": self.tool,
            "city": self.city,
            "tier": self.tier,
            "service_date": self.service_date,
            "rule_pack": self.rule_pack,
            "inputs": self.inputs,
            "settings": self.settings,
            "summary": self.summary(),
            "findings": [dict(vars(f)) for f in self.findings],
            "metrics": self.metrics,
            "notices": self.notices,
        }
