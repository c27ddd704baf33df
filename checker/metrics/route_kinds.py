"""Route kinds, decided in one place: basic or custom (定制), night (夜班), dedicated (专线), micro-bus (微公交).

Each kind is said with a `Reason` (why, in both languages): a city list, a name, or the timetable. The
standard treats them differently: custom routes are not basic service (Art. 12); night routes are judged by
the city's own night settings (Art. 10(4)); a night or dedicated line at a hub exempts the others there
(Art. 10(4)); micro-bus routes are a transit-metropolis indicator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from checker.errors import InputError
from checker.load.feed import BASIC_ROUTE_TYPES, EXTENDED_ROUTE_TYPES
from checker.model.inputs import RouteList
from checker.model.metrics import Reason

CUSTOM_MARK = "定制"
NIGHT_NAME = re.compile(r"夜|通宵|^N\d+", re.IGNORECASE)
NIGHT_STARTS_AT = 21 * 3600  # a first departure at or after 21:00 ...
NIGHT_ENDS_BY = 5 * 3600  # ... or a last departure by 05:00 on the service day
DEDICATED_NAME = re.compile(r"专线|专班|机场快线|机场大巴|机场巴士|空港快线|高铁快线|airport\s*(express|bus|shuttle)",
                            re.IGNORECASE)
MICRO_NAME = re.compile(r"微公交|微循环|社区巴士|社区公交|社区专线|micro", re.IGNORECASE)
LISTED = Reason("listed in the city profile", "城市配置列明")


def is_bus(route_type: pl.Expr) -> pl.Expr:
    """GTFS bus and trolleybus route types: 3, 11, extended 700-799 (bus) and 800 (trolleybus)."""
    return route_type.is_in([3, 11, 800]) | route_type.is_between(700, 799)


def is_gtfs_route_type(route_type: pl.Expr) -> pl.Expr:
    """A route_type GTFS defines (the basic ones, or Google's extended 100-1799); others are noticed in loading."""
    return route_type.is_in(BASIC_ROUTE_TYPES) | route_type.is_between(*EXTENDED_ROUTE_TYPES)


def listed_or_named(route_id: str, names: tuple[str | None, ...], listed: set[str],
                    pattern: re.Pattern[str]) -> Reason | None:
    """Why a route is listed in the city profile (by route_id or short name, the first of `names`) or named
    by `pattern`, or None."""
    if route_id in listed or (names[0] or "") in listed:
        return LISTED
    for name in names:
        if name and pattern.search(name):
            return Reason(f"named {name}", f"名称“{name}”")
    return None


def night_reason(route_id: str, short_name: str | None, long_name: str | None, first_departure_s: int,
                 last_departure_s: int, listed: set[str]) -> Reason | None:
    """Why a route-direction is a night route, or None."""
    reason = listed_or_named(route_id, (short_name, long_name), listed, NIGHT_NAME)
    if reason is not None:
        return reason
    if first_departure_s >= NIGHT_STARTS_AT or last_departure_s <= NIGHT_ENDS_BY:
        return Reason("runs only at night by its timetable", "时刻表仅夜间运营")
    return None


def dedicated_reason(route_id: str, short_name: str | None, long_name: str | None, listed: set[str]) -> Reason | None:
    """Why a route is a dedicated line (airport or rail-station express and the like), or None."""
    return listed_or_named(route_id, (short_name, long_name), listed, DEDICATED_NAME)


def micro_reason(route_id: str, short_name: str | None, long_name: str | None, length_km: float,
                 listed: set[str], below_km: float | None) -> Reason | None:
    """Why a route-direction is a micro-bus route (named or listed so, or shorter than `below_km`), or None."""
    reason = listed_or_named(route_id, (short_name, long_name), listed, MICRO_NAME)
    if reason is None and below_km is not None and length_km < below_km:
        reason = Reason(f"shorter than {below_km:g} km", f"长度小于 {below_km:g} 公里")
    return reason


@dataclass
class BasicRoutes:
    route_ids: list[str]
    how_en: str
    how_zh: str
    excluded_custom: list[str] = field(default_factory=list)
    not_in_feed: list[str] = field(default_factory=list)
    not_bus: list[tuple[str, int]] = field(default_factory=list)  # (route_id, route_type) of other GTFS modes


def basic_routes(routes: pl.DataFrame, listed: RouteList | None) -> BasicRoutes:
    """The basic routes: the published list where given, else every bus route not marked custom (定制)."""
    if listed is not None:
        return _from_list(routes, listed)
    named = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("route_short_name", "route_long_name", "route_desc")], separator=" "
    )
    buses = routes.filter(is_bus(pl.col("route_type")))
    other = routes.filter(~is_bus(pl.col("route_type")) & is_gtfs_route_type(pl.col("route_type")))
    custom = buses.filter(named.str.contains(CUSTOM_MARK, literal=True))["route_id"].to_list()
    basic = buses.filter(~pl.col("route_id").is_in(custom))["route_id"].to_list()
    return BasicRoutes(
        basic,
        "No --base-routes list given: every bus/trolleybus route (route_type 3, 11, 700-799, 800) counts as basic, "
        f"except routes whose name or description contains '{CUSTOM_MARK}' (custom service).",
        f"未提供基本公交线路清单（--base-routes）：所有公共汽电车线路（route_type 3、11、700-799、800）均视为基本公交，"
        f"名称或说明含“{CUSTOM_MARK}”的定制化线路除外。",
        excluded_custom=custom,
        not_bus=[(r, int(t)) for r, t in other.select("route_id", "route_type").iter_rows()],
    )


def _from_list(routes: pl.DataFrame, listed: RouteList) -> BasicRoutes:
    key, wanted = listed.key, listed.values
    matched = routes.filter(pl.col(key).is_in(list(wanted)))
    found = set(matched[key].to_list())
    if not found:
        raise InputError(
            listed.path,
            f"None of the {len(wanted)} routes listed matches a {key} in the feed's routes.txt.",
            f"清单中的 {len(wanted)} 条线路均未在 routes.txt 中找到（按 {key} 匹配）。",
            field=key,
        )
    return BasicRoutes(
        matched["route_id"].to_list(),
        f"Basic routes from the published list {Path(listed.path).name} ({len(found)} of {len(wanted)} matched by {key}).",
        f"基本公交线路依据清单 {Path(listed.path).name} 确定（按 {key} 匹配 {len(found)}/{len(wanted)} 条）。",
        not_in_feed=sorted(wanted - found),
    )
