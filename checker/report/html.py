"""report.html: one self-contained file (no CDN, no network when viewed) a regulator can hand on; with
--basemap, the map's tiles are the one thing the reader's browser fetches."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from checker.model.metrics import Metrics
from checker.model.pack import STRENGTH_LABELS
from checker.model.result import STATUSES, Audit, Finding
from checker.report.basemap import tiles_svg
from checker.report.document import to_document
from checker.report.svg import coverage_map, timeline
from checker.report.templating import ENV, SORT_SCRIPT, content_security_policy
from checker.report.text import STATUS_LABEL, article_label

_DAY_NAMES = {"weekday": "工作日 weekday", "saturday": "周六 Saturday", "sunday": "周日 Sunday"}
TIMELINES_ALL_UP_TO = 80  # route-directions; above this only failing ones get a timeline
TIMELINES_MAX = 200


def _route_key(subject: dict) -> tuple | None:
    return (subject["route_id"], subject["direction_id"]) if subject.get("type") == "route" else None


def _route_rows(findings: list[Finding], metrics: Metrics, routes_doc: list[dict], day: str | None) -> list[dict]:
    """The route table of one day: each route-direction with its worst status, the departures to add, failing
    gaps (`day`: the date of a multi-day audit, whose findings say theirs)."""
    by_route: dict[tuple, list[Finding]] = {}
    for f in findings:
        key = _route_key(f.subject)
        if key is not None and f.subject.get("date") == day:
            by_route.setdefault(key, []).append(f)
    rows = []
    for route, shown in zip(metrics.routes, routes_doc, strict=True):
        found = by_route.get(route.key, [])
        status = min((f.status for f in found), key=STATUSES.index, default=None)  # None: no rule on routes
        adds = sorted({t for f in found for t in f.detail.get("add_departures", [])})
        gaps = [(f.detail["gap_from"], f.detail["gap_to"]) for f in found if f.status == "fail" and "gap_from" in f.detail]
        failing = [f.rule for f in found if f.status == "fail"]
        rows.append({**shown, "departures_s": route.departures_s, "status": status, "add": [t.text() for t in adds],
                     "gaps": gaps, "failing_rules": failing})
    rows.sort(key=lambda r: (STATUSES.index(r["status"]) if r["status"] else len(STATUSES),
                             r["route_short_name"] or r["route_id"], r["direction_id"]))
    return rows


def _markers(audit: Audit) -> list[dict]:
    metrics, to_local = audit.result.metrics, audit.coverage.to_local
    markers = []
    for hub in metrics.hubs.hubs if metrics.hubs else []:
        x, y = to_local.transform(hub.lon, hub.lat)
        markers.append({"x": x, "y": y, "kind": "hub", "label": f"{hub.name} ({hub.mode})"})
    for facility in (metrics.priority or {}).get("facilities", []):
        if not facility["in_scope"]:
            continue
        x, y = to_local.transform(facility["lon"], facility["lat"])
        kind = "facility" if facility["covered"] else "facility_missed"
        markers.append({"x": x, "y": y, "kind": kind,
                        "label": f"{facility['name']} · {facility['category_zh']} · {facility['distance_m']} m"})
    return markers


def render_html(audit: Audit, doc: dict[str, Any] | None = None) -> str:
    result, doc = audit.result, doc or to_document(audit.result)
    statuses = result.rule_statuses()
    families = []
    for family in audit.pack.families:
        rules = [{"rule": rule, "status": statuses[rule.id], "counts": doc["summary"]["by_rule"][rule.id],
                  "article": article_label(rule.article),
                  **dict(zip(("strength", "words"), rule.strength_for(doc["tier"]["id"]), strict=True))}
                 for rule in audit.pack.rules if rule.family == family.id and rule.id in statuses]
        if rules:
            families.append({"family": family, "rules": rules})
    if result.days:
        days = [(f"{_DAY_NAMES[day.day_type]} {day.service_date['date']}", day.service_date["date"], day.metrics,
                 shown["metrics"]["routes"], day.peak_windows, index)
                for index, (day, shown) in enumerate(zip(result.days, doc["days"], strict=True))]
    else:
        days = [("", None, result.metrics, doc["metrics"]["routes"], result.peak_windows, 0)]
    sections = []
    for label, date, metrics, routes_doc, peak_windows, index in days:
        routes = _route_rows(result.findings, metrics, routes_doc, date)
        peaks = [(w.start_s, w.end_s) for w in peak_windows]
        shown = routes if len(routes) <= TIMELINES_ALL_UP_TO else [r for r in routes if r["status"] == "fail"]
        timelines = [{"route": r, "svg": timeline(r["departures_s"], peaks, r["gaps"])} for r in shown[:TIMELINES_MAX]]
        sections.append({"label": label, "suffix": f"-{index}" if index else "", "routes": routes,
                         "timelines": timelines, "timelines_left": len(shown) - len(timelines)})
    cov, basemap = audit.coverage, audit.basemap
    underlay = None if basemap is None else functools.partial(tiles_svg, basemap, to_local=cov.to_local)
    return ENV.get_template("report.html.j2").render(
        csp=content_security_policy(SORT_SCRIPT, images=basemap.origins if basemap else ()), sort_script=SORT_SCRIPT,
        basemap=basemap.about() if basemap else None,
        doc=doc, sections=sections,
        families=families, status_label=STATUS_LABEL, strength_label=STRENGTH_LABELS,
        coverage_article=next((article_label(r.article) for r in audit.pack.rules_checked_by("coverage_min", "tm_coverage")),
                              None),
        map_svg=coverage_map(cov.area_local, cov.covered_local, cov.uncovered_local, cov.stops_local, _markers(audit),
                             cov.districts_local, underlay),
        problems=[f for f in doc["findings"] if f["status"] in ("fail", "not_assessed") or "deviation" in f["detail"]],
        evaluation=sorted((f for f in doc["findings"] if "evaluation" in f["detail"]),
                          key=lambda f: (f["detail"]["evaluation"]["number"] is None, f["detail"]["evaluation"]["number"] or 0)),
    )


def write_html(audit: Audit, path: Path, doc: dict[str, Any] | None = None) -> None:
    path.write_text(render_html(audit, doc), encoding="utf-8")
