"""Which routes are basic bus routes (基本公交, Art. 6 list): a published list, or bus routes not marked custom."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from checker.errors import InputError
from checker.load.archive import SingleFile
from checker.load.table import read_table

CUSTOM_MARK = "定制"


def is_bus(route_type: pl.Expr) -> pl.Expr:
    """GTFS bus and trolleybus route types: 3, 11, extended 700-799 (bus) and 800 (trolleybus)."""
    return route_type.is_in([3, 11, 800]) | route_type.is_between(700, 799)


@dataclass
class BasicRoutes:
    route_ids: list[str]
    how_en: str
    how_zh: str
    excluded_custom: list[str] = field(default_factory=list)
    not_in_feed: list[str] = field(default_factory=list)


def select_basic_routes(routes: pl.DataFrame, base_routes_file: str | Path | None) -> BasicRoutes:
    if base_routes_file is not None:
        return _from_list(routes, Path(base_routes_file))
    named = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("route_short_name", "route_long_name", "route_desc")], separator=" "
    )
    buses = routes.filter(is_bus(pl.col("route_type")))
    custom = buses.filter(named.str.contains(CUSTOM_MARK, literal=True))["route_id"].to_list()
    basic = buses.filter(~pl.col("route_id").is_in(custom))["route_id"].to_list()
    return BasicRoutes(
        basic,
        "No --base-routes list given: every bus/trolleybus route (route_type 3, 11, 700-799, 800) counts as basic, "
        f"except routes whose name or description contains '{CUSTOM_MARK}' (custom service).",
        f"未提供基本公交线路清单（--base-routes）：所有公共汽电车线路（route_type 3、11、700-799、800）均视为基本公交，"
        f"名称或说明含“{CUSTOM_MARK}”的定制化线路除外。",
        excluded_custom=custom,
    )


def _from_list(routes: pl.DataFrame, path: Path) -> BasicRoutes:
    table = read_table(SingleFile(path), path.name, [], ["route_id", "route_short_name"])
    given = [c for c in ("route_id", "route_short_name") if table.df[c].null_count() < table.df.height]
    if not given:
        raise InputError(
            str(path),
            "Expected a CSV with a route_id or route_short_name column.",
            "应为含 route_id 或 route_short_name 列的 CSV 文件。",
            line=1,
        )
    key = given[0]
    wanted = set(table.df[key].drop_nulls().str.strip_chars().to_list()) - {""}
    matched = routes.filter(pl.col(key).is_in(list(wanted)))
    found = set(matched[key].to_list())
    missing = sorted(wanted - found)
    if not found:
        raise InputError(
            str(path),
            f"None of the {len(wanted)} routes listed matches a {key} in the feed's routes.txt.",
            f"清单中的 {len(wanted)} 条线路均未在 routes.txt 中找到（按 {key} 匹配）。",
            field=key,
        )
    return BasicRoutes(
        matched["route_id"].to_list(),
        f"Basic routes from the published list {path.name} ({len(found)} of {len(wanted)} matched by {key}).",
        f"基本公交线路依据清单 {path.name} 确定（按 {key} 匹配 {len(found)}/{len(wanted)} 条）。",
        not_in_feed=missing,
    )
