"""Matching two feeds without their ids, which operators regenerate between exports: routes by short name
(then long name, then terminal pair: a route renumbered keeps its long name or its terminals), directions by
their terminals, stops by position (within 30 m, the name breaking ties)."""

from __future__ import annotations

import numpy as np
import polars as pl

from checker.compare.side import Side
from checker.model.diff import RouteMatch

SAME_STOP_M = 30
SAME_TERMINAL_M = 200  # terminals of a route matched by its terminals alone


def _terminals(side: Side, route_id: str) -> np.ndarray:
    rows = side.directions.filter(pl.col("route_id") == route_id)
    return np.vstack([rows.select("ox", "oy").to_numpy(), rows.select("dx", "dy").to_numpy()]) if rows.height else \
        np.empty((0, 2))


def _terminal_distance(old: Side, old_id: str, new: Side, new_id: str) -> float:
    """The largest distance from a terminal of either route to the nearest terminal of the other."""
    a, b = _terminals(old, old_id), _terminals(new, new_id)
    if not len(a) or not len(b):
        return float("inf")
    d = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    return float(max(d.min(axis=1).max(), d.min(axis=0).max()))


def match_routes(old: Side, new: Side) -> tuple[list[RouteMatch], list[str], list[str]]:
    """Matches between routes that run on either date; the old and new route ids left unmatched."""
    olds = old.routes.filter(pl.col("running")).sort("route_id").to_dicts()
    news = new.routes.filter(pl.col("running")).sort("route_id").to_dicts()
    old_shorts = {r["short"] for r in olds if r["short"]}
    new_shorts = {r["short"] for r in news if r["short"]}
    free = {r["route_id"]: r for r in news}
    by_short: dict[str, dict[str, dict]] = {}  # the free new routes of each short name, in route_id order
    for r in news:
        by_short.setdefault(r["short"], {})[r["route_id"]] = r
    matches = []
    for route in olds:
        found, how = _find(route, free, by_short.get(route["short"], {}), old, new, old_shorts, new_shorts)
        if found is not None:
            matches.append(RouteMatch(route["name"], route["route_id"], found["route_id"], how))
            del free[found["route_id"]], by_short[found["short"]][found["route_id"]]
    matched_old = {m.old_route_id for m in matches}
    return matches, [r["route_id"] for r in olds if r["route_id"] not in matched_old], sorted(free)


def _find(route: dict, candidates: dict[str, dict], same_short: dict[str, dict], old: Side, new: Side,
          old_shorts: set[str], new_shorts: set[str]) -> tuple[dict | None, str]:
    """The new route that is `route` among the `candidates` still free (`same_short`: those of its short
    name): by its short name; else, by long name and then by terminals (within SAME_TERMINAL_M), among the new
    routes with no short name or whose short name no old route has: a route renumbered (1路 -> 101路) keeps
    its long name or its terminals, while a short name both feeds have belongs to the route of that name (a
    route whose short name the new feed still has, its namesake taken, is matched only to routes without a
    short name)."""
    def nearest(pool: list[dict]) -> dict | None:
        scored = [(_terminal_distance(old, route["route_id"], new, c["route_id"]), c["route_id"], c) for c in pool]
        return min(scored, key=lambda t: (t[0], t[1]))[2] if scored else None

    if route["short"]:
        same = list(same_short.values())
        if len(same) == 1:
            return same[0], "short_name"
        if same:
            both = [c for c in same if c["long"] == route["long"]]
            if len(both) == 1:
                return both[0], "short_and_long_name"
            return nearest(both or same), "short_name_and_terminals"
    renumbered = not route["short"] or route["short"] not in new_shorts
    pool = [c for c in candidates.values() if not c["short"] or (renumbered and c["short"] not in old_shorts)]
    if route["long"]:
        same = [c for c in pool if c["long"] == route["long"]]
        if len(same) == 1:
            return same[0], "long_name"
    close = [c for c in pool if _terminal_distance(old, route["route_id"], new, c["route_id"]) <= SAME_TERMINAL_M]
    found = nearest(close)
    return (found, "terminals") if found is not None else (None, "")


def match_directions(old: Side, old_id: str, new: Side, new_id: str) -> list[tuple[dict, dict | None]]:
    """Each old direction of a route with the new direction whose terminals are nearest (origin to origin
    plus destination to destination), or None when the new route runs fewer directions."""
    olds = old.directions_by_route.get(old_id, [])
    news = new.directions_by_route.get(new_id, [])
    pairs = sorted(((np.hypot(o["ox"] - n["ox"], o["oy"] - n["oy"]) + np.hypot(o["dx"] - n["dx"], o["dy"] - n["dy"]),
                     i, j) for i, o in enumerate(olds) for j, n in enumerate(news)))
    taken_old: dict[int, int] = {}
    taken_new: set[int] = set()
    for _, i, j in pairs:
        if i not in taken_old and j not in taken_new:
            taken_old[i] = j
            taken_new.add(j)
    return [(o, news[taken_old[i]] if i in taken_old else None) for i, o in enumerate(olds)]


def any_within(points: np.ndarray, targets: np.ndarray, metres: float) -> np.ndarray:
    """For each point (x, y), whether a target (x, y) lies within `metres`: a point at a target's very position
    by a set lookup (most stops keep theirs from one export to the next), the others by an STRtree."""
    found = np.zeros(len(points), dtype=bool)
    # a position that is not finite (projected from the far side of the earth) lies at no distance of anything
    finite = np.isfinite(points).all(axis=1)
    targets = targets[np.isfinite(targets).all(axis=1)]
    if not finite.any() or not len(targets):
        return found
    import shapely

    found[finite] = np.isin(points[finite, 0] + 1j * points[finite, 1], targets[:, 0] + 1j * targets[:, 1])
    rest = np.flatnonzero(finite & ~found)
    if len(rest):
        tree = shapely.STRtree(shapely.points(targets))
        near, _ = tree.query(shapely.points(points[rest]), predicate="dwithin", distance=metres)
        found[rest[near]] = True
    return found
