"""One audit, wired stage by stage: load (read every input once) -> metrics -> judge -> result.
The CLI, the batch and the Python API call `run_audit`."""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from checker import RESULT_SCHEMA_VERSION, __version__
from checker.background import in_thread
from checker.bulk import bulk
from checker.convert.table_feed import as_gtfs
from checker.errors import InputError
from checker.inputs import INPUTS, AuditRequest, result_inputs
from checker.judge import CHECKS, judge
from checker.judge.deviations import apply_deviations
from checker.load.calendar import DAY_TYPE_NAMES, ServiceDate, choose_service_date, day_type_of, service_range
from checker.load.inputs import Loaded, load_dated_inputs, load_inputs
from checker.load.pack import load_pack, resolve_city
from checker.load.provenance import input_digests
from checker.metrics.compute import Measured, compute_metrics
from checker.metrics.route_kinds import basic_routes
from checker.model.clock import hm
from checker.model.pack import CityProfile, RulePack
from checker.model.result import Audit, AuditResult, DayResult, Finding, HubVerdict
from checker.report.basemap import open_basemap

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

    rules = [rule for rule in pack.rules if chosen(rule.id)]
    if not rules:
        raise InputError("--select" if select else "--ignore", "No rule of the pack is left to judge: an audit that "
                         "judges nothing cannot pass.", "没有剩下任何需要评估的规则：不评估任何规则的审计不能视为达标。",
                         value=", ".join([*select, *ignore]))
    return dataclasses.replace(pack, rules=rules)


def check_deviation_rules(deviations: list[Any], pack: RulePack, source: str) -> None:
    """A deviation naming no rule of the pack is a typo, not a deviation: exit 2 naming its line."""
    known = {rule.id.upper() for rule in pack.rules}
    for deviation in deviations:
        if deviation.rule.upper() not in known:
            raise InputError(source, f"No rule {deviation.rule} in pack {pack.id}.", f"规则包 {pack.id} 中没有规则 {deviation.rule}。",
                             line=deviation.line, field="rule", value=deviation.rule)


def run_audit(request: Any) -> Audit:
    return audit_with_inputs(request)[0]


def audit_days(request: Any, loaded: Loaded, basic: Any, pack: RulePack) -> tuple[list[ServiceDate], list[tuple[str, str]]]:
    """The dates to audit: --dates, or with --week a representative weekday, Saturday and Sunday (each chosen
    like the default date), or the one date; a day type the feed never runs is said, not skipped silently."""
    period = (date.fromisoformat(pack.effective_from), date.fromisoformat(pack.effective_until))
    def on(day: date | None) -> ServiceDate:
        chosen = choose_service_date(loaded.feed, day, basic.route_ids, period)
        assert chosen is not None  # only a day type can have no date
        return chosen

    if request.dates:
        return [on(day) for day in request.dates], []
    if not request.week:
        return [on(request.service_date)], []
    days, notices = [], []
    for day_type, (zh, en) in DAY_TYPE_NAMES.items():
        chosen = choose_service_date(loaded.feed, None, basic.route_ids, period, day_type)
        if chosen is None:
            notices.append((f"The feed runs no basic route on any {en}: that day type is not audited.",
                            f"GTFS 数据在任何{zh}均无基本公交运营，该日类型未审计。"))
        else:
            days.append(chosen)
    if not days:
        raise InputError(loaded.feed.label, "No basic route runs on any day of the feed.", "GTFS 数据中没有任何基本公交运营日。")
    return days, notices


@dataclass
class Day:
    service: ServiceDate
    day_type: str
    city: CityProfile
    measured: Measured
    findings: list[Finding]
    hub_verdicts: list[HubVerdict] | None


def _judge_day(request: Any, loaded: Loaded, pack: RulePack, city: CityProfile, basic: Any, service: ServiceDate,
               several: bool, coverages: dict[tuple, Any]) -> Day:
    day_type = day_type_of(service.day)
    day_city = city.for_day(day_type)  # a Sunday is judged with the city's Sunday settings, alone or in a week
    load_dated_inputs(request, loaded, service)
    measured = compute_metrics(loaded, request, pack, day_city, basic, coverages)
    findings, hub_verdicts = judge(pack, day_city, measured.metrics)
    if several:  # every finding says its day; a fail on any day is a fail of the rule, the day named
        zh, en = DAY_TYPE_NAMES[day_type]
        for found in findings:
            found.subject = {**found.subject, "date": service.day.isoformat(), "day_type": day_type}
            found.message_zh = f"【{zh} {service.day}】{found.message_zh}"
            found.message_en = f"[{en} {service.day}] {found.message_en}"
    return Day(service, day_type, day_city, measured, findings, hub_verdicts)


@bulk()
def audit_with_inputs(request: Any) -> tuple[Audit, Loaded, Measured]:
    """The audit, and what it was computed from (for `buscheck diff`, which compares two of them). The feed
    is loaded once, however many dates are audited."""
    basemap = open_basemap(request.basemap, request.basemap_datum)  # a bad template: exit 2 before any work
    if basemap is not None:
        request = dataclasses.replace(request, basemap_datum=basemap.datum)  # auto: as known from the host
    full_pack = open_pack(request.rules)
    pack = select_rules(full_pack, request.select, request.ignore)
    city = resolve_city(pack, request.city, request.profile, request.overrides)
    # the inputs' SHA-256 (hashlib without the GIL) while they are loaded; a bad input's exit does not wait for it
    pending_digests = in_thread(input_digests, [(spec.name, getattr(request, spec.name)) for spec in INPUTS],
                                name="buscheck-digests", daemon=True)
    with as_gtfs(request.feed, request.feed_crs, request.interval, request.speed_kmh, request.service_date) as source:
        loaded = load_inputs(request, pack, source.path, source.datum)  # a service table is converted on the fly
    loaded.notices[:0] = source.notices
    digests = pending_digests.result()
    basic = basic_routes(loaded.feed.routes, loaded.route_list, pack.basic_policy)
    services, day_notices = audit_days(request, loaded, basic, pack)
    several = len(services) > 1
    coverages: dict[tuple, Any] = {}  # days that serve the same stops share one coverage
    days = [_judge_day(request, loaded, pack, city, basic, service, several, coverages) for service in services]
    first = days[0]
    service, measured = first.service, first.measured
    findings = [found for day in days for found in day.findings]
    check_deviation_rules(loaded.deviations, full_pack, str(request.deviations))
    deviation_notices = apply_deviations(findings, loaded.deviations, service.day,
                                         str(request.deviations)) if loaded.deviations else []
    feed = loaded.feed
    in_force = [(
        f"The audit date {day.service.day} is outside the period {pack.document} is in force "
        f"({pack.effective_from} to {pack.effective_until}): the standard did not apply on that date.",
        f"审计日 {day.service.day} 不在 {pack.document} 的施行期（{pack.effective_from} 至 {pack.effective_until}）内，"
        "该日该规范并不适用。") for day in days
        if not pack.effective_from <= day.service.day.isoformat() <= pack.effective_until]
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
    if feed.flexible_routes:  # GTFS-Flex service: listed, not judged
        inputs["flexible_routes"] = feed.flexible_routes
    notices = [*in_force, *day_notices, *loaded.notices, *city.notices,
               *(notice for day in days for notice in day.measured.notices), *deviation_notices]
    result = AuditResult(
        schema_version=RESULT_SCHEMA_VERSION,
        tool={"name": "buscheck", "version": __version__},
        city={"name": city.name, "name_en": city.name_en},
        tier={"id": city.tier.id, "name": city.tier.name, "name_en": city.tier.name_en,
              "coverage_min": city.tier.coverage_min, "coverage_target": city.coverage_target},
        service_date=_service_date(service),
        provenance=_provenance(loaded, digests, [day.service for day in days]),
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
        notices=[{"en": en, "zh": zh} for en, zh in dict.fromkeys(notices)],
        hub_verdicts=first.hub_verdicts,
        peak_windows=city.peak_windows,
        days=[DayResult(_service_date(day.service), day.day_type, day.measured.metrics, day.hub_verdicts,
                        day.city.peak_windows, day.city.hours_set,
                        None if not day.city.hours_set else hm(day.city.work_start_s),
                        None if not day.city.hours_set else hm(day.city.work_end_s))
              for day in days] if several else None,
    )
    return Audit(result, measured.coverage, pack, basemap), loaded, measured


def _provenance(loaded: Loaded, digests: list[dict[str, Any]], services: list[ServiceDate]) -> dict[str, Any]:
    """When and from what the result was made: for a report that is signed and may be contested."""
    first, last = service_range(loaded.feed)
    return {"generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "agencies": loaded.feed.about.get("agencies", []), "feed_info": loaded.feed.about.get("feed_info"),
            "calendar": {"start": first.isoformat(), "end": last.isoformat()},
            "audit_dates": [s.day.isoformat() for s in services], "files": digests}


def _service_date(service: ServiceDate) -> dict[str, Any]:
    return {"date": service.day.isoformat(), "chosen_by": service.chosen_by, "trips": service.trips,
            "basic_trips": service.basic_trips, "why_en": service.why_en, "why_zh": service.why_zh}
