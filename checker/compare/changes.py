"""The changes between two feeds' basic service, each with whether it needs public notice (Art. 4: any
reduction of basic service; Art. 12: basic service replaced by custom service) and, for a lost route or
stop, the basic routes of the new feed that still serve within 500 m."""

from __future__ import annotations

import numpy as np
import polars as pl

from checker.compare.match import SAME_STOP_M, any_within, match_directions
from checker.compare.side import Side
from checker.model.clock import Clock
from checker.model.diff import Change, RouteMatch
from checker.model.metrics import RouteRow

REPLACEMENT_M = 500


def _hm(seconds: int) -> str:
    return Clock(seconds).text()[:5]


def replacement_routes(new: Side, points: np.ndarray, exclude: set[str] = frozenset()) -> list[str]:
    """Names of the new feed's basic routes with a stop within 500 m of any of `points` (local metres)."""
    if not len(points) or not new.route_stops.height:
        return []
    stops = new.route_stops
    xy = stops.select("x", "y").to_numpy()
    near = np.zeros(len(xy), dtype=bool)
    for chunk in np.array_split(points, max(1, len(points) // 256)):
        d = np.hypot(xy[:, None, 0] - chunk[None, :, 0], xy[:, None, 1] - chunk[None, :, 1])
        near |= (d <= REPLACEMENT_M).any(axis=1)
    ids = set(stops.filter(pl.Series(near))["route_id"].to_list()) - exclude
    names = new.routes.filter(pl.col("route_id").is_in(list(ids))).sort("name")
    return names["name"].to_list()


def route_changes(old: Side, new: Side, matches: list[RouteMatch], unmatched_old: list[str],
                  unmatched_new: list[str]) -> list[Change]:
    changes: list[Change] = []
    old_rows = {r.key: r for r in old.audit.result.metrics.routes}
    new_rows = {r.key: r for r in new.audit.result.metrics.routes}
    old_status = _statuses(old)
    new_status = _statuses(new)
    old_routes = {r["route_id"]: r for r in old.routes.to_dicts()}
    new_routes = {r["route_id"]: r for r in new.routes.to_dicts()}

    for route_id in unmatched_old:
        route = old_routes[route_id]
        if route["status"] != "basic":
            continue
        points = old.route_stops.filter(pl.col("route_id") == route_id).select("x", "y").to_numpy()
        replacement = replacement_routes(new, points)
        changes.append(Change(
            "route_withdrawn", {"route": route["name"], "old_route_id": route_id, "new_route_id": None}, "runs",
            "withdrawn", True, "4", _withdrawn_zh(route["name"], replacement), _withdrawn_en(route["name"], replacement),
            replacement))
    for route_id in unmatched_new:
        route = new_routes[route_id]
        if route["status"] == "basic":
            changes.append(Change(
                "route_added", {"route": route["name"], "old_route_id": None, "new_route_id": route_id}, None, "runs",
                False, "4", f"新增基本公交线路 {route['name']}。", f"Basic route {route['name']} added."))

    for match in matches:
        before, after = old_routes[match.old_route_id], new_routes[match.new_route_id]
        subject = {"route": match.name, "old_route_id": match.old_route_id, "new_route_id": match.new_route_id}
        if before["status"] != "basic":
            continue
        renamed = _renamed(before, after, match, subject)
        if renamed is not None:
            changes.append(renamed)
        if after["status"] != "basic":
            changes.append(_no_longer_basic(before, after, subject, old, new))
            continue
        for o, n in match_directions(old, match.old_route_id, new, match.new_route_id):
            label = f"{match.name} ({o['direction_id']})"
            dsubject = {**subject, "old_direction_id": o["direction_id"],
                        "new_direction_id": None if n is None else n["direction_id"], "label": label}
            if n is None:
                points = old.route_stops.filter(pl.col("route_id") == match.old_route_id).select("x", "y").to_numpy()
                replacement = replacement_routes(new, points, exclude={match.new_route_id})
                changes.append(Change(
                    "direction_withdrawn", dsubject, o["trips"], 0, True, "4",
                    f"{label} 该方向停止运营。" + _replacement_zh(replacement),
                    f"{label}: this direction no longer runs." + _replacement_en(replacement), replacement))
                continue
            changes += _direction_changes(dsubject, label, o, n, old_rows.get((match.old_route_id, o["direction_id"])),
                                          new_rows.get((match.new_route_id, n["direction_id"])))
            changes += _rule_changes(dsubject, label, old_status.get((match.old_route_id, o["direction_id"]), {}),
                                     new_status.get((match.new_route_id, n["direction_id"]), {}))
    return changes


def _public_name(route: dict) -> str:
    """The name people know the route by (its short name, else its long name; never its id, which churns)."""
    return route["short"] or route["long"]


def _renamed(before: dict, after: dict, match: RouteMatch, subject: dict) -> Change | None:
    """A route matched by its long name or terminals whose name changed: a renumbering riders must be told."""
    old_name, new_name = _public_name(before), _public_name(after)
    if not old_name or not new_name or old_name == new_name:
        return None
    how_zh, how_en = {"long_name": ("线路全称相同", "same long name"),
                      "terminals": ("起讫站相同", "same terminals")}.get(match.how, (match.how, match.how))
    return Change("route_renamed", {**subject, "old_name": old_name, "new_name": new_name}, old_name, new_name, True,
                  "4", f"基本公交线路 {old_name} 更名（改号）为 {new_name}（{how_zh}）。",
                  f"Basic route {old_name} renamed (renumbered) {new_name} ({how_en}).")


def _no_longer_basic(before: dict, after: dict, subject: dict, old: Side, new: Side) -> Change:
    why = new.reasons.get(after["route_id"], "")
    points = old.route_stops.filter(pl.col("route_id") == before["route_id"]).select("x", "y").to_numpy()
    replacement = replacement_routes(new, points, exclude={after["route_id"]})
    if after["status"] == "custom":
        return Change("basic_to_custom", subject, "basic", "custom", True, "12",
                      f"{before['name']} 由基本公交改为定制化公交：依第十二条须提前向社会公示说明原因。" + _replacement_zh(replacement),
                      f"{before['name']} changes from basic to custom service ({why}): Art. 12 asks for the reason to be "
                      "published in advance." + _replacement_en(replacement), replacement)
    return Change("basic_to_not_basic", subject, "basic", after["status"], True, "4",
                  f"{before['name']} 不再作为基本公交（{why}）。" + _replacement_zh(replacement),
                  f"{before['name']} is no longer basic service ({why})." + _replacement_en(replacement), replacement)


def _direction_changes(subject: dict, label: str, o: dict, n: dict, before: RouteRow | None,
                       after: RouteRow | None) -> list[Change]:
    changes = []
    moved = [(end, float(np.hypot(o[f"{end[0]}x"] - n[f"{end[0]}x"], o[f"{end[0]}y"] - n[f"{end[0]}y"])))
             for end in ("origin", "destination")]
    moved = [(end, m) for end, m in moved if m > SAME_STOP_M]
    if moved:
        text_en = ", ".join(f"{end} {m:.0f} m" for end, m in moved)
        text_zh = "、".join(f"{'起点' if end == 'origin' else '终点'} {m:.0f} 米" for end, m in moved)
        changes.append(Change("terminals_moved", subject, [o["origin_stop_id"], o["destination_stop_id"]],
                              [n["origin_stop_id"], n["destination_stop_id"]], True, "4",
                              f"{label} 起讫站位置变动：{text_zh}。", f"{label}: terminals moved ({text_en})."))
    if n["trips"] < o["trips"]:
        fewer = o["trips"] - n["trips"]
        changes.append(Change("trips_down", subject, o["trips"], n["trips"], True, "4",
                              f"{label} 日班次由 {o['trips']} 减至 {n['trips']}（减少 {fewer} 班，{fewer / o['trips']:.0%}）。",
                              f"{label}: trips per day down from {o['trips']} to {n['trips']} ({fewer} fewer, "
                              f"{fewer / o['trips']:.0%})."))
    if before is None or after is None:
        return changes
    if after.first_departure_s > before.first_departure_s:
        changes.append(Change("first_departure_later", subject, Clock(before.first_departure_s),
                              Clock(after.first_departure_s), True, "4",
                              f"{label} 首班由 {_hm(before.first_departure_s)} 推迟至 {_hm(after.first_departure_s)}。",
                              f"{label}: first departure later, {_hm(before.first_departure_s)} → "
                              f"{_hm(after.first_departure_s)}."))
    if after.last_departure_s < before.last_departure_s:
        changes.append(Change("last_departure_earlier", subject, Clock(before.last_departure_s),
                              Clock(after.last_departure_s), True, "4",
                              f"{label} 末班由 {_hm(before.last_departure_s)} 提前至 {_hm(after.last_departure_s)}。",
                              f"{label}: last departure earlier, {_hm(before.last_departure_s)} → "
                              f"{_hm(after.last_departure_s)}."))
    for peak, kind, zh, en in ((True, "peak_interval_longer", "高峰", "peak"),
                               (False, "offpeak_interval_longer", "平峰", "off-peak")):
        a, b = before.window_maximum(peak), after.window_maximum(peak)
        if a is not None and b is not None and b > a:
            changes.append(Change(kind, subject, round(a / 60, 2), round(b / 60, 2), True, "4",
                                  f"{label} {zh}最大发车间隔由 {a / 60:g} 分钟延长至 {b / 60:g} 分钟。",
                                  f"{label}: largest {en} interval longer, {a / 60:g} → {b / 60:g} min."))
    return changes


def _statuses(side: Side) -> dict[tuple[str, int], dict[str, str]]:
    found: dict[tuple[str, int], dict[str, str]] = {}
    for f in side.audit.result.findings:
        s = f.subject
        if s.get("type") == "route" and s.get("direction_id") is not None and "hub" not in s:
            found.setdefault((s["route_id"], s["direction_id"]), {})[f.rule] = f.status
    return found


def _rule_changes(subject: dict, label: str, before: dict[str, str], after: dict[str, str]) -> list[Change]:
    """Rules that passed for the route-direction and fail now: kept in diff.json and changes.csv, but no notice
    of their own (a compliance statement is no announcement; the reductions behind it are changes of their own)."""
    return [Change("rule_now_fails", {**subject, "rule": rule}, "pass", "fail", False, "4",
                   f"{label} 原达标的 {rule} 现不达标。", f"{label}: {rule} passed before and fails now.")
            for rule in sorted(after) if after[rule] == "fail" and before.get(rule) == "pass"]


def stop_changes(old: Side, new: Side) -> list[Change]:
    """Stops of the old feed's basic routes with no basic-served stop of the new feed within 30 m."""
    olds = old.basic_stops.sort("stop_id")
    kept = any_within(olds.select("x", "y").to_numpy(), new.basic_stops.select("x", "y").to_numpy(), SAME_STOP_M)
    changes = []
    for row, found in zip(olds.iter_rows(named=True), kept, strict=True):
        if found:
            continue
        replacement = replacement_routes(new, np.array([[row["x"], row["y"]]]))
        name = row["stop_name"] or row["stop_id"]
        changes.append(Change(
            "stop_unserved", {"stop": name, "old_stop_id": row["stop_id"]}, "served", "unserved", True, "4",
            f"站点 {name} 不再有基本公交停靠。" + _replacement_zh(replacement),
            f"Stop {name} is no longer served by any basic route." + _replacement_en(replacement), replacement))
    return changes


def _replacement_zh(routes: list[str]) -> str:
    return f"500米内可替代的基本公交线路：{'、'.join(routes)}。" if routes else "500米内没有可替代的基本公交线路。"


def _replacement_en(routes: list[str]) -> str:
    return (f" Basic routes within 500 m: {', '.join(routes)}." if routes
            else " No basic route serves within 500 m.")


def _withdrawn_zh(name: str, replacement: list[str]) -> str:
    return f"基本公交线路 {name} 撤销。" + _replacement_zh(replacement)


def _withdrawn_en(name: str, replacement: list[str]) -> str:
    return f"Basic route {name} withdrawn." + _replacement_en(replacement)

