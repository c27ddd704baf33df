"""report.html: one self-contained file (no CDN, no network when viewed) a regulator can hand on."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from checker.audit import Audit
from checker.clock import parse_clock
from checker.model import STATUSES, Finding
from checker.report.svg import coverage_map, timeline
from checker.report.text import FAMILIES, STATUS_LABEL

TIMELINES_ALL_UP_TO = 80  # route-directions; above this only failing ones get a timeline
TIMELINES_MAX = 200

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())


def rule_status(findings: list[Finding]) -> str:
    """A rule's overall status: fail if any fails; else not assessed if any is; else pass, or exempt if all are."""
    statuses = {f.status for f in findings}
    for status in ("fail", "not_assessed"):
        if status in statuses:
            return status
    for only in ("exempt", "info"):
        if statuses == {only}:
            return only
    return "pass"


def _route_key(subject: dict) -> tuple | None:
    return (subject["route_id"], subject["direction_id"]) if subject.get("type") == "route" else None


def _route_rows(audit: Audit) -> list[dict]:
    """The route table: each route-direction with its worst status, the departures to add, failing gaps."""
    by_route: dict[tuple, list[Finding]] = {}
    for f in audit.result.findings:
        key = _route_key(f.subject)
        if key is not None:
            by_route.setdefault(key, []).append(f)
    rows = []
    for route in audit.result.metrics["routes"]:
        found = by_route.get((route["route_id"], route["direction_id"]), [])
        status = min((f.status for f in found), key=STATUSES.index, default=None)  # None: no rule on routes
        adds = sorted({t for f in found for t in f.detail.get("add_departures", [])})
        gaps = [(parse_clock(f.detail["gap_from"]), parse_clock(f.detail["gap_to"]))
                for f in found if f.status == "fail" and "gap_from" in f.detail]
        failing = [f.rule for f in found if f.status == "fail"]
        rows.append({**route, "status": status, "add": adds, "gaps": gaps, "failing_rules": failing})
    rows.sort(key=lambda r: (STATUSES.index(r["status"]) if r["status"] else len(STATUSES),
                             r["route_short_name"] or r["route_id"], r["direction_id"]))
    return rows


def _markers(audit: Audit) -> list[dict]:
    metrics, to_local = audit.result.metrics, audit.coverage.to_local
    markers = []
    for hub in (metrics.get("hubs") or {}).get("hubs", []):
        x, y = to_local.transform(hub["lon"], hub["lat"])
        markers.append({"x": x, "y": y, "kind": "hub", "label": f"{hub['name']} ({hub['mode']})"})
    for facility in (metrics.get("priority") or {}).get("facilities", []):
        if not facility["in_scope"]:
            continue
        x, y = to_local.transform(facility["lon"], facility["lat"])
        kind = "facility" if facility["covered"] else "facility_missed"
        markers.append({"x": x, "y": y, "kind": kind,
                        "label": f"{facility['name']} · {facility['category_zh']} · {facility['distance_m']} m"})
    return markers


def render_html(audit: Audit) -> str:
    result, doc = audit.result, audit.result.to_dict()
    rules = []
    for rule in audit.pack.rules:
        found = [f for f in result.findings if f.rule == rule.id]
        if found:
            rules.append({"rule": rule, "status": rule_status(found), "counts": doc["summary"]["by_rule"][rule.id]})
    routes = _route_rows(audit)
    peaks = [tuple(parse_clock(part) for part in label.split("-")) for label in doc["settings"]["peak_windows"]]
    shown = routes if len(routes) <= TIMELINES_ALL_UP_TO else [r for r in routes if r["status"] == "fail"]
    timelines = [{"route": r, "svg": timeline([parse_clock(t) for t in r["departures"]], peaks, r["gaps"])}
                 for r in shown[:TIMELINES_MAX]]
    cov = audit.coverage
    return _ENV.get_template("report.html.j2").render(
        doc=doc, rules=rules, routes=routes, timelines=timelines, timelines_left=len(shown) - len(timelines),
        families=FAMILIES, status_label=STATUS_LABEL,
        map_svg=coverage_map(cov.area_local, cov.covered_local, cov.uncovered_local, cov.stops_local, _markers(audit)),
        problems=[f for f in result.findings if f.status in ("fail", "not_assessed")],
        evaluation=sorted((f for f in result.findings if "evaluation" in f.detail),
                          key=lambda f: (f.detail["evaluation"]["number"] is None, f.detail["evaluation"]["number"] or 0)),
    )


def write_html(audit: Audit, path: Path) -> None:
    path.write_text(render_html(audit), encoding="utf-8")
