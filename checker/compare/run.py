"""`buscheck diff`: audit both feeds against the same built-up area, city and pack, match their routes,
directions and stops without ids, and list every change of basic service with whether it needs notice."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from checker import __version__
from checker.background import in_thread
from checker.compare.changes import route_changes, stop_changes
from checker.compare.match import match_routes
from checker.compare.side import Side, build_side
from checker.convert.table_feed import as_gtfs
from checker.errors import InputError
from checker.load.base_routes import load_route_list
from checker.load.calendar import DAY_TYPE_NAMES, ServiceDate, day_type_of
from checker.load.feed import load_feed
from checker.load.inputs import Loaded
from checker.load.pack import resolve_city
from checker.load.polygons import project
from checker.metrics.route_kinds import basic_routes
from checker.model.diff import DIFF_SCHEMA_VERSION, Change, CoverageChange, DiffResult, DistrictChange
from checker.pipeline import audit_days, audit_with_inputs, open_pack

NOISE_KM2 = 1e-4  # 100 m2: differences of two unions below this are geometry noise, not a change
SPAN_CHECKS = ("first_departure_by", "last_departure_from")  # not assessed on a day type without its own hours


@dataclass
class Diff:
    result: DiffResult
    lost: BaseGeometry  # WGS-84: built-up area that lost its 500 m coverage (with --week: on any day type)
    gained: BaseGeometry
    lost_local: BaseGeometry  # the same in the audits' local metres
    gained_local: BaseGeometry
    old: Side  # with --week: the sides of the first day type compared
    new: Side
    days: list[tuple[str, Diff]] | None = None  # with --week: each day type compared and its own diff


def run_diff(old_request: Any, new_request: Any) -> Diff:
    """The diff of one date on each side (with `week` set on the requests: of each day type, `run_week_diff`).
    Like is compared with like: a side whose date was not given takes the day type of the other side's date
    (its busiest date of that type, picked as `buscheck audit --week` picks it); when the two dates are still
    of different day types (both were given so, or a feed never runs that day type) the result warns first."""
    if old_request.week or new_request.week:
        if old_request.service_date is not None or new_request.service_date is not None:
            raise InputError("--week", "--week compares each day type on its representative dates; it takes no "
                             "--old-date or --new-date.", "--week 按各日期类型的代表日比较，不能同时给出 --old-date 或 --new-date。")
        return run_week_diff(old_request, new_request)
    picked: dict[str, ServiceDate] = {}
    given_old, given_new = old_request.service_date is not None, new_request.service_date is not None
    if given_old and not given_new:
        new_request = _of_day_type(new_request, day_type_of(old_request.service_date), picked, "new")
    elif given_new and not given_old:
        old_request = _of_day_type(old_request, day_type_of(new_request.service_date), picked, "old")
    old_done, new_done = audit_both(old_request, new_request)
    old_type = _day_type(old_done[0].audit)
    if not given_old and not given_new and _day_type(new_done[0].audit) != old_type:
        new_request = _of_day_type(new_request, old_type, picked, "new")  # a feed with no basic weekday service
        if "new" in picked:
            new_done = audited_side(new_request)
    diff = _pair(old_request, new_request, old_done, new_done, picked)
    old_type, new_type = diff.result.old["day_type"], diff.result.new["day_type"]
    if not given_old and not given_new and old_type == new_type:
        en = DAY_TYPE_NAMES[old_type][1]
        diff.result.notices.insert(0, {
            "en": f"Both dates are {en}s, each feed's default date{' or one of its type' if picked else ''}: like is "
                  "compared with like.",
            "zh": f"两个比较日期均为{DAY_TYPE_NAMES[old_type][0]}（各自的默认审计日{'或同类型日期' if picked else ''}），同类日期相比。"})
    return diff


def audited_side(request: Any) -> tuple[Side, Loaded]:
    """One feed's audit and its side of the diff (with what it was loaded from)."""
    audit, loaded, measured = audit_with_inputs(request)
    return build_side(audit, loaded, measured), loaded


def audit_both(old_request: Any, new_request: Any) -> tuple[tuple[Side, Loaded], tuple[Side, Loaded]]:
    """The two audits side by side, each building its side, the new one in a second thread: polars, GEOS and
    inflating release the GIL, so each fills the gaps the other's Python leaves on the cores, and the side
    finished first is built while the other is still being audited. The old side's error comes first, as if
    they had run one after the other; an interrupt is not held up by the thread (a daemon)."""
    done: dict[str, Any] = {}

    def new_side() -> None:
        try:
            done["new"] = audited_side(new_request)
        except BaseException as error:  # handed to the main thread
            done["error"] = error

    thread = threading.Thread(target=new_side, name="buscheck-new-feed", daemon=True)
    thread.start()
    old_done = audited_side(old_request)
    thread.join()
    if "error" in done:
        raise done["error"]
    return old_done, done["new"]


def _day_type(audit: Any) -> str:
    return day_type_of(date.fromisoformat(audit.result.service_date["date"]))


def _pair(old_request: Any, new_request: Any, old_done: tuple[Side, Loaded], new_done: tuple[Side, Loaded],
          picked: dict[str, ServiceDate] | None = None) -> Diff:
    """The diff of two audits, one date each."""
    (old, old_loaded), (new, _) = old_done, new_done
    old_audit, new_audit = old.audit, new.audit
    # the areas lost and gained (GEOS, without the GIL) while the routes and stops are compared
    pending = in_thread(_coverage, old, new, old_loaded.districts, name="buscheck-diff-coverage")
    matches, unmatched_old, unmatched_new = match_routes(old, new)
    changes = route_changes(old, new, matches, unmatched_old, unmatched_new) + stop_changes(old, new)
    coverage, lost_local, gained_local = pending.result()
    changes += _coverage_changes(coverage, old)

    def routes(side: Side, ids: list[str]) -> list[dict[str, Any]]:
        rows = side.routes.filter(side.routes["route_id"].is_in(ids)).sort("route_id")
        return [{"route_id": r["route_id"], "name": r["name"], "status": r["status"]} for r in rows.iter_rows(named=True)]

    def feed(request: Any, audit: Any, which: str) -> dict[str, Any]:
        chosen = (picked or {}).get(which)
        day = audit.result.service_date
        shown = {"feed": str(request.feed), **day, "day_type": _day_type(audit)}
        if chosen is not None:  # picked by this diff, not requested: say how
            other, other_zh = ("old", "旧") if which == "new" else ("new", "新")
            zh, en = DAY_TYPE_NAMES[shown["day_type"]]
            shown.update(chosen_by="same_day_type", basic_trips=chosen.basic_trips,
                         why_en=f"a {en}, the day type of the {other} feed's date: {chosen.why_en}",
                         why_zh=f"与{other_zh}数据的比较日同为{zh}：{chosen.why_zh}")
        return shown

    old_side, new_side = feed(old_request, old_audit, "old"), feed(new_request, new_audit, "new")
    result = DiffResult(
        DIFF_SCHEMA_VERSION, {"name": "buscheck", "version": __version__}, old_audit.result.city,
        old_side, new_side, matches, routes(old, unmatched_old), routes(new, unmatched_new), changes, coverage,
        notices=[{"en": f"old feed: {n['en']}", "zh": f"旧数据：{n['zh']}"} for n in old_audit.result.notices]
        + [{"en": f"new feed: {n['en']}", "zh": f"新数据：{n['zh']}"} for n in new_audit.result.notices],
        warnings=_mixed_day_types(old_side, new_side),
    )
    back = _to_wgs84(old)
    return Diff(result, project(lost_local, back), project(gained_local, back), lost_local, gained_local, old, new)


def _mixed_day_types(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    if old["day_type"] == new["day_type"]:
        return []
    (old_zh, old_en), (new_zh, new_en) = DAY_TYPE_NAMES[old["day_type"]], DAY_TYPE_NAMES[new["day_type"]]
    return [{
        "en": f"The two dates are of different day types: {old['date']} (old feed) is a {old_en}, {new['date']} "
              f"(new feed) a {new_en}. Service differs between day types by design, so the changes below mix what "
              "changed in the feed with the difference between the two days. Compare like with like: give dates "
              "of the same day type, or use --week.",
        "zh": f"两个比较日的日期类型不同：旧数据 {old['date']} 为{old_zh}，新数据 {new['date']} 为{new_zh}。不同日期类型的"
              "服务本就不同，以下变更混杂了数据的变化与两日之间的差异。请比较同类型日期，或使用 --week。"}]


def representative_dates(request: Any) -> tuple[dict[str, ServiceDate], list[tuple[str, str]]]:
    """Each day type's date as `buscheck audit --week` picks it (pipeline.audit_days: the busiest date of the
    type for basic routes, inside the standard's period), and the notices of the day types the feed never
    runs. The feed (and the basic-route list) is read, nothing else: no built-up area, no audit."""
    pack = open_pack(request.rules)
    with as_gtfs(request.feed, request.feed_crs, request.interval, request.speed_kmh, request.service_date) as source:
        feed = load_feed(source.path)
    route_list = load_route_list(request.base_routes) if request.base_routes is not None else None
    basic = basic_routes(feed.routes, route_list, pack.basic_policy)
    week = dataclasses.replace(request, week=True, dates=[], service_date=None)
    days, notices = audit_days(week, Loaded(feed, None), basic, pack)  # type: ignore[arg-type]  # reads .feed only
    return {day_type_of(day.day): day for day in days}, notices


def _of_day_type(request: Any, day_type: str, picked: dict[str, ServiceDate], which: str) -> Any:
    """The request on its feed's representative date of `day_type` (recorded in `picked`); unchanged when the
    feed never runs basic service on that day type (the result then warns of the mixed day types)."""
    chosen = representative_dates(request)[0].get(day_type)
    if chosen is None:
        return request
    picked[which] = chosen
    return dataclasses.replace(request, service_date=chosen.day)


def _day_request(request: Any, day: ServiceDate) -> tuple[Any, bool]:
    """The audit of one day of a --week diff, judged as `buscheck audit --week` judges its day type: a weekend
    day with the profile's hours and peak windows for it ([weekend], [saturday], [sunday]) or else none; and
    whether the city sets hours for it (without, the first- and last-bus rules are not assessed)."""
    day_type = day_type_of(day.day)
    request = dataclasses.replace(request, service_date=None, week=False, dates=[day.day])
    # the audit judges a day with its day type's settings (pipeline: city.for_day); say whether it has hours
    city = resolve_city(open_pack(request.rules), request.city, request.profile, request.overrides).for_day(day_type)
    return request, city.hours_set


def run_week_diff(old_request: Any, new_request: Any) -> Diff:
    """`buscheck diff --week`: weekday with weekday, Saturday with Saturday, Sunday with Sunday, each side on
    its representative date of the type. Every change says its day; a day type one side runs and the other
    does not is a change itself (needing notice when the old feed ran it)."""
    old_days, old_notices = representative_dates(old_request)
    new_days, new_notices = representative_dates(new_request)
    pairs: list[tuple[str, str, Diff]] = []
    rows: list[dict[str, Any]] = []
    for day_type in DAY_TYPE_NAMES:
        o, n = old_days.get(day_type), new_days.get(day_type)
        if o is not None and n is not None:
            pairs.append((day_type, day_type, _week_pair(old_request, new_request, o, n)))
        rows.append({"day_type": day_type, "old": None if o is None else _date_dict(o),
                     "new": None if n is None else _date_dict(n), "coverage": None})
    if not pairs:  # no day type in common: the first day of each, compared as they are (the result warns)
        o, n = next(iter(old_days.values())), next(iter(new_days.values()))
        pairs.append((day_type_of(o.day), day_type_of(n.day), _week_pair(old_request, new_request, o, n)))
    first = pairs[0][2]
    city = first.result.city
    changes: list[Change] = []
    for row in rows:
        for old_type, new_type, diff in pairs:
            if old_type == row["day_type"]:
                row["coverage"] = diff.result.coverage if old_type == new_type else None
                changes += _tagged(diff, old_type, new_type)
        o, n = old_days.get(row["day_type"]), new_days.get(row["day_type"])
        if (o is None) != (n is None):
            changes.append(_day_type_change(city["name"], row["day_type"], o, n))
    notices: dict[tuple[str, str], None] = {}
    for label, label_zh, found in (("old", "旧", old_notices), ("new", "新", new_notices)):
        for en, zh in found:
            notices[(f"{label} feed: {en}", f"{label_zh}数据：{zh}")] = None
    for _, _, diff in pairs:
        for notice in diff.result.notices:
            notices[(notice["en"], notice["zh"])] = None
    warnings = [w for _, _, diff in pairs for w in diff.result.warnings]
    result = DiffResult(
        DIFF_SCHEMA_VERSION, first.result.tool, city, first.result.old, first.result.new,
        [m for _, _, diff in pairs for m in diff.result.matches],
        [r for _, _, diff in pairs for r in diff.result.unmatched_old],
        [r for _, _, diff in pairs for r in diff.result.unmatched_new],
        changes, first.result.coverage, notices=[{"en": en, "zh": zh} for en, zh in notices], warnings=warnings,
        days=rows)
    back = _to_wgs84(first.old)
    lost_local, lost = union_in_metres([diff.lost_local for _, _, diff in pairs], back)
    gained_local, gained = union_in_metres([diff.gained_local for _, _, diff in pairs], back)
    return Diff(result, lost, gained, lost_local, gained_local, first.old, first.new,
                days=[(old_type, diff) for old_type, _, diff in pairs])


def _week_pair(old_request: Any, new_request: Any, o: ServiceDate, n: ServiceDate) -> Diff:
    (old_day, old_hours), (new_day, new_hours) = _day_request(old_request, o), _day_request(new_request, n)
    diff = _pair(old_day, new_day, *audit_both(old_day, new_day))
    diff.result.old.update(_date_dict(o))  # chosen as audit --week chooses, not "requested"
    diff.result.new.update(_date_dict(n))
    if not (old_hours and new_hours):  # the first- and last-bus rules are not assessed that day: no verdict changed
        span = {rule.id for rule in open_pack(old_request.rules).rules_checked_by(*SPAN_CHECKS)}
        diff.result.changes = [c for c in diff.result.changes
                               if not (c.kind == "rule_now_fails" and c.subject.get("rule") in span)]
    return diff


def _date_dict(day: ServiceDate) -> dict[str, Any]:
    return {"date": day.day.isoformat(), "chosen_by": day.chosen_by, "trips": day.trips,
            "basic_trips": day.basic_trips, "why_en": day.why_en, "why_zh": day.why_zh,
            "day_type": day_type_of(day.day)}


def _tagged(diff: Diff, old_type: str, new_type: str) -> list[Change]:
    """The changes of one day type, their subjects carrying it and their messages naming it (【周日】, [Sunday]);
    its matches and unmatched routes say it too."""
    (old_zh, old_en), (new_zh, new_en) = DAY_TYPE_NAMES[old_type], DAY_TYPE_NAMES[new_type]
    zh, en = (old_zh, old_en) if old_type == new_type else (f"{old_zh}→{new_zh}", f"{old_en} → {new_en}")
    for match in diff.result.matches:
        match.day_type = old_type
    for route in diff.result.unmatched_old + diff.result.unmatched_new:
        route["day_type"] = old_type
    for change in diff.result.changes:
        change.subject = {**change.subject, "day_type": old_type,
                          **({} if old_type == new_type else {"new_day_type": new_type})}
        change.message_zh = f"【{zh}】{change.message_zh}"
        change.message_en = f"[{en}] {change.message_en}"
    return diff.result.changes


def _day_type_change(city: str, day_type: str, old: ServiceDate | None, new: ServiceDate | None) -> Change:
    """A day type only one feed runs basic service on: withdrawn (needs notice) or added."""
    zh, en = DAY_TYPE_NAMES[day_type]
    subject: dict[str, Any] = {"city": city, "day_type": day_type}
    if old is not None:
        return Change("day_type_withdrawn", subject, old.day.isoformat(), None, True, "4",
                      f"【{zh}】新数据在任何{zh}均无基本公交运营（旧数据 {old.day} 有 {old.basic_trips} 个基本公交班次）。",
                      f"[{en}] The new feed runs no basic route on any {en} (the old feed ran {old.basic_trips} "
                      f"trips of basic routes on {old.day}).")
    assert new is not None
    return Change("day_type_added", subject, None, new.day.isoformat(), False, "4",
                  f"【{zh}】新数据在{zh}开行基本公交（{new.day} 有 {new.basic_trips} 个基本公交班次），旧数据在任何{zh}均无。",
                  f"[{en}] The new feed runs basic routes on {en}s ({new.basic_trips} trips of basic routes on "
                  f"{new.day}); the old feed ran none on any {en}.")


def union_in_metres(areas: list[BaseGeometry], back: Transformer) -> tuple[BaseGeometry, BaseGeometry]:
    """The union of areas in local metres, and that union in WGS-84 (`back`). Unioned where GEOS made them:
    their WGS-84 copies need not be valid (a sliver between two discs may cross itself once projected), and
    an overlay of invalid polygons fails."""
    local = shapely.union_all(areas)
    return local, project(local, back)


def _to_wgs84(side: Side) -> Transformer:
    """From the audit's local metres (both audits of a diff share them) to WGS-84."""
    return Transformer.from_crs(CRS.from_user_input(side.audit.coverage.projection), 4326, always_xy=True)


def _coverage(old: Side, new: Side, districts: list[Any] | None) -> tuple[CoverageChange, BaseGeometry, BaseGeometry]:
    """Both audits project the same polygon the same way, so their covered areas compare directly: the
    change, and the area lost and gained in local metres."""
    a, b = old.audit.coverage, new.audit.coverage
    lost_local = shapely.difference(a.covered_local, b.covered_local)
    gained_local = shapely.difference(b.covered_local, a.covered_local)
    rows = []
    for district in districts or []:
        local = project(district.geometry, a.to_local)
        rows.append(DistrictChange(district.name, round(shapely.intersection(local, lost_local).area / 1e6, 4),
                                   round(shapely.intersection(local, gained_local).area / 1e6, 4)))
    rows.sort(key=lambda d: (-d.lost_km2, d.name))
    tier = old.audit.result.tier
    change = CoverageChange(round(a.ratio, 6), round(b.ratio, 6), tier["coverage_min"],
                            round(lost_local.area / 1e6, 4), round(gained_local.area / 1e6, 4), rows)
    return change, lost_local, gained_local


def _coverage_changes(coverage: CoverageChange, old: Side) -> list[Change]:
    changes = []
    below = coverage.new_ratio < coverage.tier_min <= coverage.old_ratio
    subject = {"city": old.audit.result.city["name"]}
    if coverage.lost_km2 > NOISE_KM2:
        changes.append(Change(
            "coverage_lost", subject, coverage.old_ratio, coverage.new_ratio, True, "4",
            f"建成区 {coverage.lost_km2:.2f} 平方公里失去500米基本公交覆盖；覆盖率由 {coverage.old_ratio:.2%} 变为 "
            f"{coverage.new_ratio:.2%}（等级下限 {coverage.tier_min:.0%}）" + ("，降至下限以下" if below else "") + "。",
            f"{coverage.lost_km2:.2f} km2 of the built-up area lost its 500 m basic-bus coverage; coverage "
            f"{coverage.old_ratio:.2%} → {coverage.new_ratio:.2%} (tier minimum {coverage.tier_min:.0%})"
            + (", now below the minimum" if below else "") + "."))
    if coverage.gained_km2 > NOISE_KM2:
        changes.append(Change(
            "coverage_gained", subject, coverage.old_ratio, coverage.new_ratio, False, "4",
            f"建成区新增 {coverage.gained_km2:.2f} 平方公里500米基本公交覆盖。",
            f"{coverage.gained_km2:.2f} km2 of the built-up area gained 500 m basic-bus coverage."))
    return changes


def requests_for(base: Any, old_feed: Any, new_feed: Any, old_date: Any, new_date: Any,
                 old_routes: Any = None, new_routes: Any = None) -> tuple[Any, Any]:
    """The two audit requests of a diff: the same settings, each its own feed, date and basic-route list."""
    return (dataclasses.replace(base, feed=old_feed, service_date=old_date,
                                base_routes=old_routes or base.base_routes),
            dataclasses.replace(base, feed=new_feed, service_date=new_date,
                                base_routes=new_routes or base.base_routes))
