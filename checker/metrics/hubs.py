"""Bus service at passenger hubs (Art. 10(4)): which route-directions start or end at each hub, the last bus
leaving it and the first bus reaching it. Measured only: the judge (judge/hub_alignment.py) compares them
with the other mode's hours.

A route-direction starts at a hub when the first stop of one of its trips lies within `distance_m` of the
hub, and ends there when the last stop does; only those trips count for that hub.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from checker.load.hubs import Hub
from checker.metrics.distance import haversine_m
from checker.metrics.route_kinds import dedicated_reason, night_reason
from checker.model.metrics import HubRoute, HubService, direction_label

DAY_S = 24 * 3600


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
                distance_m: float) -> list[HubService]:
    """One entry per hub: its hours and every route-direction starting or ending there.

    `departures`: all routes running on the audit date (origin_departures); `terminals`: stop_id, lon, lat
    (WGS-84) and stop_name of their first and last stops; `routes`: routes.txt.
    """
    if not hubs:
        return []
    at_hub = _terminals_at_hubs(terminals, hubs, distance_m) if terminals.height else pl.DataFrame(
        schema={"stop_id": pl.String, "hub": pl.Int64, "distance_m": pl.Float64})
    keys = ["hub", "route_id", "direction_id"]
    leaving = (departures.join(at_hub, left_on="origin_stop_id", right_on="stop_id")
               .group_by(keys).agg(time_s=pl.col("departure_s").max(), trips=pl.len(),
                                   terminal_distance_m=pl.col("distance_m").max()))
    reaching = (departures.join(at_hub, left_on="destination_stop_id", right_on="stop_id")
                .group_by(keys).agg(time_s=pl.col("arrival_s").min(),
                                    overnight_s=(pl.col("arrival_s") - DAY_S).filter(pl.col("arrival_s") >= DAY_S).max(),
                                    run_s=(pl.col("arrival_s") - pl.col("departure_s")).sort_by("arrival_s").first(),
                                    trips=pl.len(), terminal_distance_m=pl.col("distance_m").max()))
    stop_names = dict(terminals.select("stop_id", "stop_name").iter_rows()) if "stop_name" in terminals.columns else {}
    kinds = _route_kinds(departures, routes, basic_ids, night_listed, dedicated_listed, stop_names)

    def entries(frame: pl.DataFrame, index: int) -> list[HubRoute]:
        rows = frame.filter(pl.col("hub") == index).sort("route_id", "direction_id").iter_rows(named=True)
        return [_route_entry(row, kinds) for row in rows]

    return [HubService(hub.name, hub.mode, round(hub.lon, 6), round(hub.lat, 6), hub.first_departure_s,
                       hub.last_arrival_s, entries(leaving, index), entries(reaching, index))
            for index, hub in enumerate(hubs)]


def _route_kinds(departures, routes, basic_ids, night_listed, dedicated_listed,
                 stop_names: dict[str, str | None]) -> dict[tuple, HubRoute]:
    """Per route-direction running today: a HubRoute template with its label (named by its commonest last
    stop, as on the route table) and kind (night, dedicated, basic or other)."""
    spans = departures.group_by("route_id", "direction_id").agg(
        first_departure_s=pl.col("departure_s").min(), last_departure_s=pl.col("departure_s").max(),
        destination_stop_id=pl.col("destination_stop_id").mode().sort().first(),
    ).join(routes.select("route_id", "route_short_name", "route_long_name"), on="route_id", how="left")
    kinds = {}
    for row in spans.iter_rows(named=True):
        names = (row["route_id"], row["route_short_name"], row["route_long_name"])
        night = night_reason(*names, row["first_departure_s"], row["last_departure_s"], night_listed)
        dedicated = dedicated_reason(*names, dedicated_listed)
        basic = row["route_id"] in basic_ids
        kind = "night" if night else "dedicated" if dedicated else "basic" if basic else "other"
        kinds[(row["route_id"], row["direction_id"])] = HubRoute(
            row["route_id"], row["direction_id"], row["route_short_name"],
            direction_label(row["route_short_name"] or row["route_id"], row["direction_id"],
                            stop_names.get(row["destination_stop_id"])), kind, basic, night or dedicated,
            trips=0, terminal_distance_m=0.0, time_s=0)
    return kinds


def _route_entry(row: dict, kinds: dict[tuple, HubRoute]) -> HubRoute:
    """The route-direction at this hub. Reaching it, a night line's bus that serves the hub's first departure
    is its last arrival after midnight (the service day's 24:00+ is the next morning); a day route's late
    buses do not count (a bus at 00:20 does not serve a 06:30 train), so for it, its first arrival."""
    template = kinds[(row["route_id"], row["direction_id"])]
    time_s = row["time_s"]
    if template.kind == "night" and row.get("overnight_s") is not None:
        time_s = row["overnight_s"]
    return HubRoute(template.route_id, template.direction_id, template.route_short_name, template.label,
                    template.kind, template.basic, template.why, row["trips"], row["terminal_distance_m"], time_s,
                    row.get("run_s"))
