"""Bus service at passenger hubs (Art. 10(4)): which route-directions start or end at each hub, the last bus
leaving it and the first bus reaching it, against the other mode's hours.

A route-direction starts at a hub when the first stop of one of its trips lies within `distance_m` of the
hub, and ends there when the last stop does; only those trips count for that hub.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from checker.clock import hm
from checker.dedicated_routes import dedicated_reason
from checker.load.hubs import Hub
from checker.metrics.distance import haversine_m
from checker.night_routes import night_reason

DAY_S = 24 * 3600


@dataclass(frozen=True)
class HubSettings:
    distance_m: float
    grace_min: float  # the last bus leaves at least this long after the last arrival
    lead_min: float  # the first bus arrives at least this long before the first departure


HUB_DEFAULTS = HubSettings(distance_m=300, grace_min=30, lead_min=30)  # a rule pack's [defaults] may differ


def _terminals_at_hubs(terminals: pl.DataFrame, hubs: list[Hub], distance_m: float) -> pl.DataFrame:
    """stop_id, hub (index), distance_m for every terminal stop within reach of a hub (the nearest hub)."""
    lon, lat = terminals["lon"].to_numpy(), terminals["lat"].to_numpy()
    hub_lon = np.array([h.lon for h in hubs])
    hub_lat = np.array([h.lat for h in hubs])
    distances = haversine_m(lon[:, None], lat[:, None], hub_lon[None, :], hub_lat[None, :])
    nearest = distances.argmin(axis=1)
    nearest_m = distances[np.arange(len(lon)), nearest]
    near = nearest_m <= distance_m
    return pl.DataFrame({"stop_id": terminals["stop_id"].filter(pl.Series(near)),
                         "hub": nearest[near].astype(np.int64), "distance_m": np.round(nearest_m[near], 1)})


def hub_service(hubs: list[Hub], departures: pl.DataFrame, terminals: pl.DataFrame, routes: pl.DataFrame,
                basic_ids: set[str], night_listed: set[str], dedicated_listed: set[str],
                settings: HubSettings) -> list[dict]:
    """One entry per hub: its hours, the required bus times, and every route-direction starting or ending there.

    `departures`: all routes running on the audit date (origin_departures); `terminals`: stop_id, lon, lat
    (WGS-84) of their first and last stops; `routes`: routes.txt.
    """
    if not hubs:
        return []
    at_hub = _terminals_at_hubs(terminals, hubs, settings.distance_m) if terminals.height else pl.DataFrame(
        schema={"stop_id": pl.String, "hub": pl.Int64, "distance_m": pl.Float64})
    keys = ["hub", "route_id", "direction_id"]
    leaving = (departures.join(at_hub, left_on="origin_stop_id", right_on="stop_id")
               .group_by(keys).agg(last_leave_s=pl.col("departure_s").max(), trips=pl.len(),
                                   terminal_distance_m=pl.col("distance_m").max()))
    reaching = (departures.join(at_hub, left_on="destination_stop_id", right_on="stop_id")
                .group_by(keys).agg(first_arrive_s=pl.col("arrival_s").min(),
                                    overnight_s=(pl.col("arrival_s") - DAY_S).filter(pl.col("arrival_s") >= DAY_S).max(),
                                    run_s=(pl.col("arrival_s") - pl.col("departure_s")).sort_by("arrival_s").first(),
                                    trips=pl.len(), terminal_distance_m=pl.col("distance_m").max()))
    kinds = _route_kinds(departures, routes, basic_ids, night_listed, dedicated_listed)
    entries = []
    for index, hub in enumerate(hubs):
        need_last = hub.last_arrival_s + round(settings.grace_min * 60)
        need_first = hub.first_departure_s - round(settings.lead_min * 60)
        leave = [_route_entry(row, kinds, "last_leave_s", row["last_leave_s"] >= need_last)
                 for row in leaving.filter(pl.col("hub") == index).sort("route_id", "direction_id").iter_rows(named=True)]
        reach = [_route_entry(row, kinds, "first_arrive_s", row["first_arrive_s"] <= need_first)
                 for row in (_morning_arrival(r, kinds) for r in reaching.filter(pl.col("hub") == index)
                             .sort("route_id", "direction_id").iter_rows(named=True))]
        entries.append({
            "name": hub.name, "mode": hub.mode, "lon": round(hub.lon, 6), "lat": round(hub.lat, 6),
            "first_departure": hm(hub.first_departure_s), "last_arrival": hm(hub.last_arrival_s),
            "bus_last_leave_by": hm(need_last), "bus_first_arrive_by": hm(need_first),
            "need_last_leave_s": need_last, "need_first_arrive_s": need_first,
            "leaving": leave, "reaching": reach,
            "last_met_by": [r["label"] for r in leave if r["meets"]],
            "first_met_by": [r["label"] for r in reach if r["meets"]],
            "last_exempted_by": _exempting(leave), "first_exempted_by": _exempting(reach),
            "last_gap_min": _gap(leave, need_last, "last_leave_s", later=True),
            "first_gap_min": _gap(reach, need_first, "first_arrive_s", later=False),
        })
    return entries


def _route_kinds(departures, routes, basic_ids, night_listed, dedicated_listed) -> dict[tuple, dict]:
    """Per route-direction: label and kind (night, dedicated, basic or other), for routes that run today."""
    spans = departures.group_by("route_id", "direction_id").agg(
        first_departure_s=pl.col("departure_s").min(), last_departure_s=pl.col("departure_s").max()
    ).join(routes.select("route_id", "route_short_name", "route_long_name"), on="route_id", how="left")
    kinds = {}
    for row in spans.iter_rows(named=True):
        night = night_reason(row, night_listed)
        dedicated = dedicated_reason(row, dedicated_listed)
        kind = "night" if night else "dedicated" if dedicated else "basic" if row["route_id"] in basic_ids else "other"
        kinds[(row["route_id"], row["direction_id"])] = {
            "label": f"{row['route_short_name'] or row['route_id']} ({row['direction_id']})",
            "route_short_name": row["route_short_name"], "kind": kind,
            "basic": row["route_id"] in basic_ids, "why": night or dedicated,
        }
    return kinds


def _morning_arrival(row: dict, kinds: dict) -> dict:
    """The bus arrival that serves the hub's first departure. For a night line, its last arrival after midnight
    (the service day's 24:00+ is the next morning); a day route's late buses do not count (a bus at 00:20 does
    not serve a 06:30 train), so for it, its first arrival of the day."""
    if kinds[(row["route_id"], row["direction_id"])]["kind"] == "night" and row["overnight_s"] is not None:
        return {**row, "first_arrive_s": row["overnight_s"]}
    return row


def _route_entry(row: dict, kinds: dict, key: str, meets: bool) -> dict:
    info = kinds[(row["route_id"], row["direction_id"])]
    entry = {"route_id": row["route_id"], "direction_id": row["direction_id"], "route_short_name": info["route_short_name"],
             "label": info["label"], "kind": info["kind"], "basic": info["basic"], "why": info["why"],
             "trips": row["trips"], "terminal_distance_m": row["terminal_distance_m"],
             key.removesuffix("_s"): hm(row[key]), key: row[key], "meets": meets}
    if "run_s" in row:
        entry["run_min"] = round(row["run_s"] / 60, 1)
    return entry


def _exempting(entries: list[dict]) -> dict | None:
    """The first night or dedicated line that itself meets the hub's time: it exempts the other routes."""
    line = next((r for r in entries if r["kind"] in ("night", "dedicated") and r["meets"]), None)
    return None if line is None else {"label": line["label"], "kind": line["kind"], "why": line["why"]}


def _gap(entries: list[dict], need_s: int, key: str, later: bool) -> float | None:
    """Minutes by which the best bus misses the hub's time, when none meets it; None when one does or none runs."""
    if not entries or any(r["meets"] for r in entries):
        return None
    best = max(r[key] for r in entries) if later else min(r[key] for r in entries)
    return round(abs(need_s - best) / 60, 1)
