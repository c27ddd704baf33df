"""One audit, wired stage by stage: load (read every input once) -> metrics -> judge -> result.
The CLI, the batch and the Python API call `run_audit`."""

from __future__ import annotations

from typing import Any

from checker import RESULT_SCHEMA_VERSION, __version__
from checker.inputs import AuditRequest, result_inputs
from checker.judge import CHECKS, judge
from checker.load.inputs import load_inputs
from checker.load.pack import load_pack, resolve_city
from checker.metrics.compute import compute_metrics
from checker.model.clock import hm
from checker.model.pack import RulePack
from checker.model.result import Audit, AuditResult

__all__ = ["Audit", "AuditRequest", "open_pack", "run_audit"]


def open_pack(name_or_path: str | None) -> RulePack:
    """A rule pack, validated against the registry of checks."""
    return load_pack(name_or_path, CHECKS)


def run_audit(request: Any) -> Audit:
    pack = open_pack(request.rules)
    city = resolve_city(pack, request.city, request.profile, request.overrides)
    loaded = load_inputs(request, pack)
    measured = compute_metrics(loaded, request, pack, city)
    findings, hub_verdicts = judge(pack, city, measured.metrics)
    feed, service, basic = loaded.feed, loaded.service, measured.basic
    inputs = {
        **result_inputs(request),
        "feed_encodings": feed.encodings,
        "direction_id": "given" if feed.has_direction_id else "inferred",
        "built_up_crs": loaded.built_up.source_crs,
        "built_up_datum": request.built_up_crs,
        "base_routes_rule": {"en": basic.how_en, "zh": basic.how_zh},
        "custom_routes_excluded": basic.excluded_custom,
    }
    if feed.flexible_routes:  # GTFS-Flex service: listed, not judged
        inputs["flexible_routes"] = feed.flexible_routes
    result = AuditResult(
        schema_version=RESULT_SCHEMA_VERSION,
        tool={"name": "buscheck", "version": __version__},
        city={"name": city.name, "name_en": city.name_en},
        tier={"id": city.tier.id, "name": city.tier.name, "name_en": city.tier.name_en,
              "coverage_min": city.tier.coverage_min, "coverage_target": city.coverage_target},
        service_date={"date": service.day.isoformat(), "chosen_by": service.chosen_by, "trips": service.trips},
        rule_pack={"id": pack.id, "version": pack.version, "document": pack.document, "title": pack.title,
                   "title_en": pack.title_en, "effective_from": pack.effective_from,
                   "effective_until": pack.effective_until},
        inputs=inputs,
        settings={"work_start": hm(city.work_start_s), "work_end": hm(city.work_end_s),
                  "peak_windows": [w.label for w in city.peak_windows], "source": city.source},
        findings=findings,
        metrics=measured.metrics,
        notices=[{"en": en, "zh": zh} for en, zh in [*loaded.notices, *city.notices, *measured.notices]],
        hub_verdicts=hub_verdicts,
        peak_windows=city.peak_windows,
    )
    return Audit(result, measured.coverage, pack)
