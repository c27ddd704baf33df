"""One audit, wired stage by stage: load (read every input once) -> metrics -> judge -> result.
The CLI, the batch and the Python API call `run_audit`."""

from __future__ import annotations

import dataclasses
import fnmatch
from datetime import date
from typing import Any

from checker import RESULT_SCHEMA_VERSION, __version__
from checker.convert.table_feed import as_gtfs
from checker.errors import InputError
from checker.inputs import AuditRequest, result_inputs
from checker.judge import CHECKS, judge
from checker.judge.deviations import apply_deviations
from checker.load.calendar import choose_service_date
from checker.load.inputs import load_dated_inputs, load_inputs
from checker.load.pack import load_pack, resolve_city
from checker.metrics.compute import compute_metrics
from checker.metrics.route_kinds import basic_routes
from checker.model.clock import hm
from checker.model.pack import RulePack
from checker.model.result import Audit, AuditResult

__all__ = ["Audit", "AuditRequest", "open_pack", "run_audit"]


def open_pack(name_or_path: str | None) -> RulePack:
    """A rule pack, validated against the registry of checks."""
    return load_pack(name_or_path, CHECKS)


def select_rules(pack: RulePack, select: list[str], ignore: list[str]) -> RulePack:
    """The pack with only the rules `select` names (all when empty) less those `ignore` names; patterns like
    GD-FREQ-* match rule ids case-insensitively, as a linter's --select and --ignore do."""
    if not select and not ignore:
        return pack
    for option, patterns in (("--select", select), ("--ignore", ignore)):
        for pattern in patterns:
            if not any(fnmatch.fnmatch(rule.id.upper(), pattern.upper()) for rule in pack.rules):
                raise InputError(option, f"Matches no rule of pack {pack.id}.", f"与规则包 {pack.id} 中的任何规则都不匹配。",
                                 value=pattern)

    def chosen(rule_id: str) -> bool:
        def matches(patterns: list[str]) -> bool:
            return any(fnmatch.fnmatch(rule_id.upper(), p.upper()) for p in patterns)
        return (not select or matches(select)) and not matches(ignore)

    return dataclasses.replace(pack, rules=[rule for rule in pack.rules if chosen(rule.id)])


def run_audit(request: Any) -> Audit:
    pack = select_rules(open_pack(request.rules), request.select, request.ignore)
    city = resolve_city(pack, request.city, request.profile, request.overrides)
    with as_gtfs(request.feed, request.feed_crs, request.interval, request.speed_kmh, request.service_date) as source:
        loaded = load_inputs(request, pack, source.path, source.datum)  # a service table is converted on the fly
    loaded.notices[:0] = source.notices
    basic = basic_routes(loaded.feed.routes, loaded.route_list, pack.basic_policy)
    period = (date.fromisoformat(pack.effective_from), date.fromisoformat(pack.effective_until))
    service = choose_service_date(loaded.feed, request.service_date, basic.route_ids, period)
    load_dated_inputs(request, loaded, service)
    measured = compute_metrics(loaded, request, pack, city, basic)
    findings, hub_verdicts = judge(pack, city, measured.metrics)
    deviation_notices = apply_deviations(findings, loaded.deviations, service.day,
                                         str(request.deviations)) if loaded.deviations else []
    feed = loaded.feed
    in_force = [] if pack.effective_from <= service.day.isoformat() <= pack.effective_until else [(
        f"The audit date {service.day} is outside the period {pack.document} is in force "
        f"({pack.effective_from} to {pack.effective_until}): the standard did not apply on that date.",
        f"审计日 {service.day} 不在 {pack.document} 的施行期（{pack.effective_from} 至 {pack.effective_until}）内，"
        "该日该规范并不适用。")]
    inputs = {
        **result_inputs(request),
        "feed_encodings": feed.encodings,
        "direction_id": "given" if feed.has_direction_id else "inferred",
        "built_up_crs": loaded.built_up.source_crs,
        "built_up_datum": request.built_up_crs,
        "base_routes_rule": {"en": basic.how_en, "zh": basic.how_zh},
        "custom_routes_excluded": basic.excluded_custom,
        "routes_excluded": basic.excluded,
    }
    result = AuditResult(
        schema_version=RESULT_SCHEMA_VERSION,
        tool={"name": "buscheck", "version": __version__},
        city={"name": city.name, "name_en": city.name_en},
        tier={"id": city.tier.id, "name": city.tier.name, "name_en": city.tier.name_en,
              "coverage_min": city.tier.coverage_min, "coverage_target": city.coverage_target},
        service_date={"date": service.day.isoformat(), "chosen_by": service.chosen_by, "trips": service.trips,
                      "basic_trips": service.basic_trips, "why_en": service.why_en, "why_zh": service.why_zh},
        rule_pack={"id": pack.id, "version": pack.version, "document": pack.document, "title": pack.title,
                   "title_en": pack.title_en, "effective_from": pack.effective_from,
                   "effective_until": pack.effective_until, "report_title": pack.report_title,
                   "report_title_en": pack.report_title_en},
        inputs=inputs,
        settings={"work_start": hm(city.work_start_s), "work_end": hm(city.work_end_s),
                  "peak_windows": [w.label for w in city.peak_windows], "source": city.source,
                  "rules_selected": [rule.id for rule in pack.rules]},
        findings=findings,
        metrics=measured.metrics,
        notices=[{"en": en, "zh": zh} for en, zh in [*in_force, *loaded.notices, *city.notices, *measured.notices, *deviation_notices]],
        hub_verdicts=hub_verdicts,
        peak_windows=city.peak_windows,
    )
    return Audit(result, measured.coverage, pack)
