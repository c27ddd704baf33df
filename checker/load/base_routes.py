"""--base-routes: the city's published list of basic routes (Art. 6), by route_id or route_short_name."""

from __future__ import annotations

from pathlib import Path

from checker.errors import InputError
from checker.load.archive import SingleFile
from checker.load.table import read_table
from checker.model.inputs import RouteList


def load_route_list(path: str | Path) -> RouteList:
    path = Path(path)
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
    values = frozenset(table.df[key].drop_nulls().str.strip_chars().to_list()) - {""}
    return RouteList(str(path), key, values)
