"""Transit-metropolis indicators: each rule of the pack that names an indicator gets a value with its source
(computed or declared) and what it was computed from, or None when its input was not given."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from checker.load.feed import Feed
from checker.load.realtime import Snapshot
from checker.metrics import network
from checker.metrics.coverage import Coverage
from checker.metrics.distance import haversine_m
from checker.metrics.load_factor import peak_crowding
from checker.model.pack import CityProfile, Rule, RulePack


@dataclass
class IndicatorInputs:
    feed: Feed
    day: date
    city: CityProfile
    coverage: Coverage
    departures: pl.DataFrame  # the audited routes' departures on the day (origin_departures)
    served: pl.DataFrame  # stops served by them (rows of stops.txt)
    trip_loads: pl.DataFrame | None = None
    snapshots: list[Snapshot] | None = None
    observed_delays: pl.DataFrame | None = None  # trip_id, stop_id, delay_s
    bus_lanes: list | None = None  # line geometries (WGS-84), as load/polygons.read_layer gives them
    declared: dict = field(default_factory=dict)
    notices: list = field(default_factory=list)
    segments: network.Segments | None = None  # computed once per audit


def _value(value: float, basis_en: str, basis_zh: str, **detail) -> dict:
    return {"value": value, "source": "computed", "basis_en": basis_en, "basis_zh": basis_zh, **detail}


def compute_indicators(pack: RulePack, inputs: IndicatorInputs) -> dict[str, dict | None]:
    lengths = None
    inputs.segments = network.Segments.of(inputs.feed)
    results: dict[str, dict | None] = {}
    for rule in pack.rules:
        if rule.check == "declared":
            found = inputs.declared.get(rule.id)
            results[rule.id] = None if found is None else {
                "value": found["value"], "source": "declared", "basis_en": found["source"] or "declared by the city",
                "basis_zh": found["source"] or "城市申报"}
        elif rule.check in ("tm_peak_speed", "micro_route") and lengths is None:
            lengths = network.trip_lengths(inputs.feed, inputs.segments)
        if rule.check in COMPUTE:
            results[rule.id] = COMPUTE[rule.check](rule, inputs, lengths)
    return results


def _coverage(rule: Rule, inputs: IndicatorInputs, _) -> dict:
    cov = inputs.coverage
    return _value(round(cov.ratio * 100, 4), f"{cov.covered_km2:.2f} of {cov.built_up_km2:.2f} km2, {cov.stops_used} stops",
                  f"{cov.covered_km2:.2f}/{cov.built_up_km2:.2f} 平方公里，{cov.stops_used} 个站点")


def _peak_speed(rule: Rule, inputs: IndicatorInputs, lengths: pl.DataFrame) -> dict | None:
    speed = network.peak_speed(inputs.departures, lengths, inputs.city.peak_windows)
    if speed is None:
        return None
    by = speed["length_from"]
    return _value(speed["km_h"], f"{speed['vehicle_km']:,} vehicle-km over {speed['vehicle_hours']:,} vehicle-hours of "
                  f"{speed['departures']} peak departures; lengths from shapes for {by.get('shape', 0)}, from stop-to-stop "
                  f"lines for {by.get('stops', 0)}",
                  f"高峰 {speed['departures']} 个班次 {speed['vehicle_km']:,} 车公里 / {speed['vehicle_hours']:,} 车小时；"
                  f"长度取线形 {by.get('shape', 0)} 个、取站间直线 {by.get('stops', 0)} 个", **speed)


def _realtime(rule: Rule, inputs: IndicatorInputs, _) -> dict | None:
    if inputs.snapshots is None:
        return None
    zone = ZoneInfo(inputs.feed.timezone)
    midnight = datetime.combine(inputs.day, time(), zone)
    active, covered, used = set(), set(), 0
    runs = inputs.departures.select("trip_id", "departure_s", "arrival_s")
    for snapshot in inputs.snapshots:
        at = (datetime.fromtimestamp(snapshot.timestamp, zone) - midnight).total_seconds()
        if not 0 <= at < 48 * 3600:
            continue
        used += 1
        running = set(runs.filter((pl.col("departure_s") <= at) & (pl.col("arrival_s") >= at))["trip_id"].to_list())
        active |= running
        covered |= running & snapshot.trip_ids
    if used < len(inputs.snapshots):
        skipped = len(inputs.snapshots) - used
        inputs.notices.append((f"{skipped} GTFS-Realtime snapshot(s) are not of the audit date {inputs.day}; ignored.",
                               f"{skipped} 个 GTFS-Realtime 快照不属于审计日 {inputs.day}，未使用。"))
    if not active:
        return None
    share = len(covered) / len(active)
    return _value(round(share * 100, 4), f"{len(covered)} of {len(active)} trips running at {used} snapshot time(s)",
                  f"{used} 个快照时刻运营的 {len(active)} 个班次中 {len(covered)} 个有实时信息",
                  active_trips=len(active), covered_trips=len(covered), snapshots=used)


def _on_time(rule: Rule, inputs: IndicatorInputs, _) -> dict | None:
    delays = inputs.observed_delays
    if delays is None or delays.is_empty():
        return None
    early, late = rule.params["early_min"] * 60, rule.params["late_min"] * 60
    on_time = int(delays["delay_s"].is_between(-early, late).sum())
    return _value(round(on_time / delays.height * 100, 4),
                  f"{on_time} of {delays.height} observed stop events within {rule.params['early_min']:g} min early to "
                  f"{rule.params['late_min']:g} min late",
                  f"{delays.height} 次实际到发中 {on_time} 次在提前 {rule.params['early_min']:g} 分钟至延误 "
                  f"{rule.params['late_min']:g} 分钟以内", observations=delays.height)


def _crowding(rule: Rule, inputs: IndicatorInputs, _) -> dict | None:
    if inputs.trip_loads is None:
        return None
    crowding = peak_crowding(inputs.departures, inputs.trip_loads, inputs.city.peak_windows)
    if crowding is None:
        return None
    return _value(round(crowding["ratio"] * 100, 4), f"peak load over capacity of {crowding['trips']} peak trips",
                  f"{crowding['trips']} 个高峰班次的最大载客量与额定载客量之比", trips=crowding["trips"])


def _network_km(inputs: IndicatorInputs) -> float:
    return network.network_length_km(inputs.feed, inputs.segments, inputs.departures["trip_id"].unique())


def _network(rule: Rule, inputs: IndicatorInputs, _) -> dict:
    km = _network_km(inputs)
    return _value(round(km, 3), "unique stop-to-stop segments run on the audit date, straight lines",
                  "审计日运营的相邻站点对（去重）直线长度")


def _stops(rule: Rule, inputs: IndicatorInputs, _) -> dict:
    return _value(inputs.served.height, "stops served on the audit date", "审计日有线路停靠的站点")


def _bus_lanes(rule: Rule, inputs: IndicatorInputs, _) -> dict | None:
    if inputs.bus_lanes is None:
        return None
    lane_km = 0.0
    for geometry in inputs.bus_lanes:
        for line in getattr(geometry, "geoms", [geometry]):
            xy = np.asarray(line.coords)
            lane_km += float(haversine_m(xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]).sum()) / 1000
    km = _network_km(inputs)
    return _value(round(lane_km / km * 100, 4) if km else 0.0,
                  f"{lane_km:.2f} km of bus lanes over a {km:.2f} km network", f"专用道 {lane_km:.2f} 公里 / 线网 {km:.2f} 公里",
                  lane_km=round(lane_km, 3), network_km=round(km, 3))


def _accessible(found: dict | None, total: str, what_en: str, what_zh: str) -> dict | None:
    if found is None or found["share"] is None:
        return None
    return _value(round(found["share"] * 100, 4),
                  f"{found['accessible']} of {found[total]} {what_en} ({found['unknown']} without information)",
                  f"{found[total]} 个{what_zh}中 {found['accessible']} 个（{found['unknown']} 个未填写）", **found)


def _accessible_stops(rule: Rule, inputs: IndicatorInputs, _) -> dict | None:
    return _accessible(network.accessible_stops(inputs.served, inputs.feed.stops), "stops", "served stops", "站点")


def _accessible_trips(rule: Rule, inputs: IndicatorInputs, _) -> dict | None:
    return _accessible(network.accessible_trips(inputs.departures, inputs.feed.trips), "departures", "departures", "班次")


def _micro(rule: Rule, inputs: IndicatorInputs, lengths: pl.DataFrame) -> dict:
    shapes = network.route_shapes(inputs.departures, lengths, inputs.feed.stops, inputs.feed.routes)
    routes = network.micro_routes(shapes, set(inputs.city.micro_routes), inputs.city.micro_below_km)
    return {"value": len(routes), "source": "computed", "basis_en": "micro-bus route-directions",
            "basis_zh": "微公交线路方向", "routes": routes}


COMPUTE = {
    "tm_coverage": _coverage, "tm_peak_speed": _peak_speed, "tm_realtime": _realtime, "tm_on_time": _on_time,
    "tm_crowding": _crowding, "tm_network_km": _network, "tm_stops": _stops, "tm_bus_lanes": _bus_lanes,
    "tm_accessible_stops": _accessible_stops, "tm_accessible_trips": _accessible_trips, "micro_route": _micro,
}
INDICATOR_CHECKS = {"declared", *COMPUTE}
