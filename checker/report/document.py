"""The JSON document (result.json, `--format json`, schema/result-v1.schema.json): the result model with
clock times formatted, durations in minutes, and the field names of the documented contract."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import orjson

from checker.model.clock import Clock, clock_text, hm, hms
from checker.model.metrics import HubRoute, HubService, Metrics, RouteRow
from checker.model.result import AuditResult, HubVerdict

_AS_IS = frozenset({str, int, float, bool, type(None)})  # exact types: a Clock, an int subclass, is formatted


def plain(value: Any) -> Any:
    """JSON-ready: clock times as text, dataclasses (reasons and the like) as objects."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, Clock):
        return value.text()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    return value


def _subclass_value(value: Any) -> Any:
    """orjson's hook for what `plain` formats: a Clock as its text, another int/str/float subclass as itself."""
    if isinstance(value, Clock):
        return value.text()
    for base in (int, str, float):
        if isinstance(value, base):
            return base(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def plain_findings(findings: list[Any]) -> list[dict[str, Any]]:
    """`plain` of every finding's fields, by orjson in one pass (a megacity has ten thousand findings, and the
    recursion in Python cost a tenth of a second): the same values for what findings hold (text, numbers,
    clock times, lists and dicts of them; tests compare the two on every finding of the sample city). A value
    orjson cannot write as `plain` would (a numpy number, a key that is not text) takes `plain` itself."""
    return _findings_value(findings, as_text=False)


def _findings_value(findings: list[Any], as_text: bool) -> Any:
    """The findings for the document: their JSON text as an orjson.Fragment (`as_text`) or read back as
    objects; `plain` of each when orjson cannot write them as `plain` would."""
    written = _findings_json(findings)
    if written is None:
        return [plain(vars(f)) for f in findings]
    return orjson.Fragment(written) if as_text else orjson.loads(written)


def _findings_json(findings: list[Any]) -> bytes | None:
    """The findings' fields as compact JSON text, as `plain` would give them; None when orjson cannot."""
    try:
        return orjson.dumps([vars(f) for f in findings], default=_subclass_value,
                            option=orjson.OPT_PASSTHROUGH_SUBCLASS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 2)


def route_document(route: RouteRow, departures: orjson.Fragment | None = None) -> dict[str, Any]:
    """`departures`: the route's departures as JSON text already (see `departures_json`)."""
    peak, offpeak = route.window_maximum(peak=True), route.window_maximum(peak=False)
    night = route.night is not None
    return {
        "route_id": route.route_id, "direction_id": route.direction_id, "route_short_name": route.route_short_name,
        "route_long_name": route.route_long_name, "origin_stop_id": route.origin_stop_id, "towards": route.towards,
        "trips": route.trips,
        "first_departure": hms(route.first_departure_s), "last_departure": hms(route.last_departure_s),
        "first_departure_s": route.first_departure_s, "last_departure_s": route.last_departure_s,
        # day windows mean nothing for a night route (GD-NIGHT judges it): its interval is night_max_headway_min
        "max_headway_peak_min": None if night else _minutes(peak),
        "max_headway_offpeak_min": None if night else _minutes(offpeak),
        "max_gap_min": _minutes(route.max_gap_s),
        "night_max_headway_min": _minutes(route.max_gap_s) if night else None,  # a night route's own interval
        "windows": [{"window": w.window, "departures": w.departures, "max_headway_min": _minutes(w.max_headway_s),
                     "gap_from": hms(w.gap_from_s), "gap_to": hms(w.gap_to_s)} for w in route.windows],
        "departures": list(map(clock_text, route.departures_s)) if departures is None else departures,
        "night": night, "night_reason": plain(route.night),
    } | ({} if route.published is None else {"published_intervals": [  # a converted service table's periods
        {"start": hm(b.start_s), "end": hm(b.end_s), "min": b.low_min, "max": b.high_min,
         "judged": round(b.judged_min, 2)} for b in route.published]})


def _hub_route(route: HubRoute, meets: bool, leaving: bool) -> dict[str, Any]:
    key = "last_leave" if leaving else "first_arrive"
    entry = {"route_id": route.route_id, "direction_id": route.direction_id, "route_short_name": route.route_short_name,
             "label": route.label, "kind": route.kind, "basic": route.basic, "why": plain(route.why),
             "trips": route.trips, "terminal_distance_m": route.terminal_distance_m,
             key: hm(route.time_s), f"{key}_s": route.time_s, "meets": meets}
    if not leaving:
        entry["run_min"] = round((route.run_s or 0) / 60, 1)
    return entry


def hub_document(hub: HubService, verdict: HubVerdict) -> dict[str, Any]:
    leaving = [_hub_route(r, ok, True) for r, ok in zip(hub.leaving, verdict.leaving_meets, strict=True)]
    reaching = [_hub_route(r, ok, False) for r, ok in zip(hub.reaching, verdict.reaching_meets, strict=True)]
    return {
        "name": hub.name, "mode": hub.mode, "lon": hub.lon, "lat": hub.lat,
        "first_departure": hm(hub.first_departure_s), "last_arrival": hm(hub.last_arrival_s),
        "bus_last_leave_by": hm(verdict.need_last_leave_s), "bus_first_arrive_by": hm(verdict.need_first_arrive_s),
        "need_last_leave_s": verdict.need_last_leave_s, "need_first_arrive_s": verdict.need_first_arrive_s,
        "leaving": leaving, "reaching": reaching,
        "last_met_by": [r["label"] for r in leaving if r["meets"]],
        "first_met_by": [r["label"] for r in reaching if r["meets"]],
        "last_exempted_by": plain(verdict.last_exempted_by), "first_exempted_by": plain(verdict.first_exempted_by),
        "last_gap_min": verdict.last_gap_min, "first_gap_min": verdict.first_gap_min,
    }


def departures_json(routes: list[RouteRow]) -> list[orjson.Fragment] | None:
    """Each route's departures as the JSON text of their HH:MM:SS list, every departure of the day formatted
    in one numpy pass (a megacity's 200,000 are 57,000 different times, too many to cache the text of each);
    None for an hour of three digits, which the Python formatting writes as it is."""
    counts = np.fromiter(map(len, (r.departures_s for r in routes)), dtype=np.int64, count=len(routes))
    seconds = np.fromiter(itertools.chain.from_iterable(r.departures_s for r in routes), dtype=np.int64,
                          count=int(counts.sum()))
    if len(seconds) and not 0 <= seconds.min() <= seconds.max() < 100 * 3600:
        return None
    hours, rest = np.divmod(seconds, 3600)
    minutes, secs = np.divmod(rest, 60)
    text = np.empty((len(seconds), 11), dtype=np.uint8)  # "HH:MM:SS",
    text[:] = np.frombuffer(b'"00:00:00",', dtype=np.uint8)
    for column, value in ((1, hours), (4, minutes), (7, secs)):
        text[:, column] += (value // 10).astype(np.uint8)
        text[:, column + 1] += (value % 10).astype(np.uint8)
    written = text.tobytes()
    starts = (np.cumsum(counts) - counts) * 11
    return [orjson.Fragment(b"[" + written[start:start + max(count * 11 - 1, 0)] + b"]")  # no comma after the last
            for count, start in zip(counts.tolist(), starts.tolist(), strict=True)]


def metrics_document(metrics: Metrics, hub_verdicts: list[HubVerdict] | None, as_text: bool = False) -> dict[str, Any]:
    """`as_text`: each route's departures as their JSON text (an orjson.Fragment), for a document only
    written out compact."""
    departures = departures_json(metrics.routes) if as_text else None
    doc: dict[str, Any] = {
        "coverage": plain(metrics.coverage),
        "routes": [route_document(r) for r in metrics.routes] if departures is None else
                  [route_document(r, d) for r, d in zip(metrics.routes, departures, strict=True)],
        "load": plain(metrics.load),
        "hubs": None,
        "priority": metrics.priority,
    }
    if metrics.hubs is not None:
        verdicts = hub_verdicts or []
        settings = verdicts[0] if verdicts else None
        doc["hubs"] = {"source": metrics.hubs.source, "distance_m": metrics.hubs.distance_m,
                       "grace_min": settings.grace_min if settings else None,
                       "lead_min": settings.lead_min if settings else None,
                       "hubs": [hub_document(h, v) for h, v in zip(metrics.hubs.hubs, verdicts, strict=True)]}
    if metrics.indicators is not None:
        doc["indicators"] = plain(metrics.indicators)
    if metrics.route_list is not None:
        doc["route_list"] = plain(metrics.route_list)
    return doc


def to_document(result: AuditResult, as_text: bool = False) -> dict[str, Any]:
    """The document. `as_text`: the findings and each route's departures as their compact JSON text
    (orjson.Fragment), for a document that is only written out compact, so that the findings are not read
    back into objects to be written again, nor the departures made into 200,000 strings."""
    first = metrics_document(result.metrics, result.hub_verdicts, as_text)

    def day_metrics(day: Any) -> dict[str, Any]:  # the first day's are the result's own: built once
        same = day.metrics is result.metrics and day.hub_verdicts is result.hub_verdicts
        return first if same else metrics_document(day.metrics, day.hub_verdicts, as_text)

    return {
        "schema_version": result.schema_version,
        "tool": result.tool,
        "provenance": result.provenance,
        "city": result.city,
        "tier": result.tier,
        "service_date": result.service_date,
        "rule_pack": result.rule_pack,
        "inputs": result.inputs,
        "settings": result.settings,
        "summary": result.summary(),
        "findings": _findings_value(result.findings, as_text),
        "metrics": first,
        "notices": result.notices,
        **({"days": [{"service_date": day.service_date, "day_type": day.day_type, "hours_set": day.hours_set,
                      "work_start": day.work_start, "work_end": day.work_end,
                      "peak_windows": [w.label for w in day.peak_windows],
                      "metrics": day_metrics(day)} for day in result.days]}
           if result.days else {}),
    }


COMPACT_ABOVE_ROUTES = 2000  # a megacity's result.json is written without indentation (a third smaller)


def result_json(result: AuditResult, doc: dict[str, Any] | None = None) -> str:
    """The JSON document (`doc`, when the caller has it already): indented for people, compact for a megacity
    (thousands of route-directions)."""
    return result_bytes(result, doc).decode("utf-8")


def result_bytes(result: AuditResult, doc: dict[str, Any] | None = None) -> bytes:
    """`result_json` as UTF-8, for a file or a pipe: a megacity's ten megabytes not decoded to be encoded again."""
    rows = len(result.metrics.routes) + sum(len(day.metrics.routes) for day in result.days or [])  # --week: every day's
    compact = rows > COMPACT_ABOVE_ROUTES
    doc = doc or to_document(result, as_text=compact)  # a fragment keeps no indentation: compact only
    return orjson.dumps(doc, option=0 if compact else orjson.OPT_INDENT_2)
