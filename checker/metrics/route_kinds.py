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
from typing import Any

import polars as pl

from checker.errors import InputError
from checker.load.feed import BASIC_ROUTE_TYPES, EXTENDED_ROUTE_TYPES
from checker.model.inputs import RouteList
from checker.model.metrics import Reason
from checker.model.pack import BasicPolicy

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


def base_route_type(route_type: pl.Expr) -> pl.Expr:
    """A GTFS route type, extended ones (100-1700) mapped to the base types: 0 tram, 1 metro, 2 rail, 3 bus,
    4 ferry, 6 aerial lift, 7 funicular, 11 trolleybus, 12 monorail."""
    return (pl.when(route_type < 100).then(route_type)
            .when(route_type.is_between(100, 199)).then(2)
            .when(route_type.is_between(200, 299)).then(3)  # coach
            .when(route_type == 405).then(12)
            .when(route_type.is_between(400, 499)).then(1)
            .when(route_type.is_between(700, 799)).then(3)
            .when(route_type == 800).then(11)
            .when(route_type.is_between(900, 999)).then(0)
            .when(route_type.is_between(1000, 1299)).then(4)
            .when(route_type.is_between(1300, 1399)).then(6)
            .when(route_type == 1400).then(7)
            .otherwise(route_type))


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
    excluded: list[dict[str, Any]] = field(default_factory=list)  # every bus route not counted, with the reason
    not_in_feed: list[str] = field(default_factory=list)
    not_bus: list[tuple[str, int]] = field(default_factory=list)  # (route_id, route_type) of other GTFS modes


def basic_routes(routes: pl.DataFrame, listed: RouteList | None, policy: BasicPolicy | None = None) -> BasicRoutes:
    """The basic routes: the published list (Art. 6) where given; else every bus route except custom service
    (its name or description carries one of the pack's custom words, Art. 2 and 12) and the extended route
    types the pack excludes (school, sightseeing, demand-responsive ...), each exclusion with its reason."""
    if listed is not None:
        return _from_list(routes, listed)
    policy = policy or BasicPolicy()
    named = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("route_short_name", "route_long_name", "route_desc")], separator=" "
    )
    buses = routes.filter(is_bus(pl.col("route_type")))
    other = routes.filter(~is_bus(pl.col("route_type")) & is_gtfs_route_type(pl.col("route_type")))
    custom_word = pl.lit(None, dtype=pl.String)
    for word in reversed(policy.custom_words):
        custom_word = pl.when(named.str.contains(word, literal=True)).then(pl.lit(word)).otherwise(custom_word)
    marked = buses.with_columns(custom_word=custom_word)
    excluded = []
    for row in marked.iter_rows(named=True):
        reason = None
        if row["custom_word"] is not None:
            reason = (f"custom service (定制化公交): its name or description contains '{row['custom_word']}'",
                      f"定制化公交：名称或说明含“{row['custom_word']}”")
        elif row["route_type"] in policy.excluded_types:
            en, zh = policy.excluded_types[row["route_type"]]
            reason = (f"route_type {row['route_type']}: {en}", f"route_type {row['route_type']}：{zh}")
        if reason is not None:
            excluded.append({"route_id": row["route_id"], "route_short_name": row["route_short_name"],
                             "route_type": row["route_type"], "reason_en": reason[0], "reason_zh": reason[1]})
    dropped = {e["route_id"] for e in excluded}
    custom = [e["route_id"] for e in excluded if e["reason_en"].startswith("custom")]
    basic = [r for r in buses["route_id"].to_list() if r not in dropped]
    words = "、".join(policy.custom_words)
    types = ", ".join(str(t) for t in sorted(policy.excluded_types)) or "none"
    return BasicRoutes(
        basic,
        "No --base-routes list given: every bus/trolleybus route (route_type 3, 11, 700-799, 800) counts as basic, "
        f"except custom service (name or description containing {', '.join(policy.custom_words)}) and route types "
        f"that are not public basic service ({types}); excluded routes are listed with their reason.",
        f"未提供基本公交线路清单（--base-routes）：所有公共汽电车线路（route_type 3、11、700-799、800）均视为基本公交，"
        f"名称或说明含“{words}”的定制化线路及非公众基本服务的线路类型（{types}）除外，排除的线路逐条列明原因。",
        excluded_custom=custom, excluded=excluded,
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
