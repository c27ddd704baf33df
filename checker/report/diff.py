"""Reports of `buscheck diff`: diff.json (schema/diff-v1.schema.json), changes.csv, coverage_lost.geojson,
coverage_gained.geojson, and notice.html / notice.xlsx: the bilingual list of changes that need public
notice, grouped by route, with a map of the coverage lost, to attach to a 公告."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import orjson
import shapely
from rich.console import Console
from rich.markup import escape

from checker.load.calendar import DAY_TYPE_NAMES
from checker.model.diff import Change
from checker.report.cells import csv_row, xlsx_cell
from checker.report.document import plain

KIND_LABELS = {
    "route_withdrawn": ("线路撤销", "route withdrawn"), "route_added": ("新增线路", "route added"),
    "route_renamed": ("线路更名", "route renamed"),
    "basic_to_custom": ("改为定制公交", "basic to custom"), "basic_to_not_basic": ("不再为基本公交", "no longer basic"),
    "direction_withdrawn": ("方向停运", "direction withdrawn"), "terminals_moved": ("起讫站变动", "terminals moved"),
    "trips_down": ("班次减少", "fewer trips"), "first_departure_later": ("首班推迟", "first departure later"),
    "last_departure_earlier": ("末班提前", "last departure earlier"),
    "peak_interval_longer": ("高峰间隔延长", "longer peak interval"),
    "offpeak_interval_longer": ("平峰间隔延长", "longer off-peak interval"),
    "rule_now_fails": ("新增不达标", "rule now fails"), "stop_unserved": ("站点停靠取消", "stop no longer served"),
    "coverage_lost": ("覆盖减少", "coverage lost"), "coverage_gained": ("覆盖增加", "coverage gained"),
    "day_type_withdrawn": ("该日期类型停运", "day type no longer run"),
    "day_type_added": ("新增运营日期类型", "day type now run"),
}


def diff_document(diff: Any) -> dict[str, Any]:
    document = plain(diff.result)
    document["needs_notice"] = diff.result.needs_notice
    return document


def diff_json(diff: Any) -> str:
    return orjson.dumps(diff_document(diff), option=orjson.OPT_INDENT_2).decode("utf-8")


def _subject_text(change: Change) -> str:
    s = change.subject
    return s.get("label") or s.get("route") or s.get("stop") or s.get("city") or ""


def _changes_csv(diff: Any, path: Path) -> None:
    columns = ["kind", "needs_notice", "article", "subject", "old_route_id", "new_route_id", "old", "new",
               "replacement", "message_zh", "message_en", "day_type"]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for c in diff.result.changes:
            writer.writerow(csv_row([
                c.kind, c.needs_notice, c.article, _subject_text(c), c.subject.get("old_route_id"),
                c.subject.get("new_route_id"), plain(c.old), plain(c.new), " ".join(c.replacement or []),
                c.message_zh, c.message_en, c.subject.get("day_type")]))


def _geojson(layers: list[tuple[dict[str, Any], Any]], path: Path) -> None:
    """One feature per polygon of each layer (geometry, with its properties: with --week, its day type)."""
    features = [{"type": "Feature", "properties": properties, "geometry": shapely.geometry.mapping(p)}
                for properties, geometry in layers if not geometry.is_empty
                for p in getattr(geometry, "geoms", [geometry])]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _layers(diff: Any, which: str) -> list[tuple[dict[str, Any], Any]]:
    """The area lost (or gained): with --week, that of each day type compared, marked with it."""
    if diff.days:
        return [({"day_type": day_type}, getattr(day, which)) for day_type, day in diff.days]
    return [({}, getattr(diff, which))]


def day_label(side: dict[str, Any] | None) -> str:
    """`2026-01-04 周日 Sunday`: a side's date and its day type."""
    if side is None:
        return "—"
    zh, en = DAY_TYPE_NAMES.get(side.get("day_type") or "", ("", ""))
    return f"{side['date']} {zh} {en}".rstrip()


def grouped(changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """Changes that need notice, by route (stops and the city last)."""
    groups: dict[str, list[Change]] = {}
    for c in changes:
        if c.needs_notice:
            key = c.subject.get("route") or ("站点 stops" if "stop" in c.subject else "全市 city")
            groups.setdefault(key, []).append(c)
    return sorted(groups.items(), key=lambda kv: (kv[0] in ("站点 stops", "全市 city"), kv[0]))


def _notice_html(diff: Any, path: Path) -> None:
    import functools

    from checker.report.basemap import tiles_svg
    from checker.report.svg import coverage_map
    from checker.report.templating import ENV, content_security_policy

    cov, basemap = diff.new.audit.coverage, diff.new.audit.basemap
    underlay = None if basemap is None else functools.partial(tiles_svg, basemap, to_local=cov.to_local)
    lost_map = coverage_map(cov.area_local, cov.covered_local, diff.lost_local, cov.stops_local, [], underlay=underlay)
    path.write_text(ENV.get_template("notice.html.j2").render(
        csp=content_security_policy(images=basemap.origins if basemap else ()), basemap=basemap.about() if basemap else None,
        doc=diff_document(diff), groups=grouped(diff.result.changes), labels=KIND_LABELS,
        map_svg=lost_map, notice_count=sum(c.needs_notice for c in diff.result.changes), day_label=day_label,
        day_types=DAY_TYPE_NAMES), encoding="utf-8")


def _notice_xlsx(diff: Any, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("公告变更 Notice")
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, h) for h in ("线路 route", "变更 change", "条款 article", "旧 old", "新 new",
                                                "500米内替代线路 replacement", "说明 message_zh", "message_en")])
    for route, changes in grouped(diff.result.changes):
        for c in changes:
            zh, en = KIND_LABELS.get(c.kind, (c.kind, c.kind))
            sheet.append([xlsx_cell(sheet, v) for v in (route, f"{zh} {en}", c.article, str(plain(c.old)),
                                                        str(plain(c.new)), "、".join(c.replacement or []),
                                                        c.message_zh, c.message_en)])
    book.save(path)


def diff_files(diff: Any) -> dict[str, Any]:
    """Each file of a diff's --out with its writer (report/files.write_folder puts them in place whole)."""
    return {"diff.json": lambda path: path.write_text(diff_json(diff), encoding="utf-8"),
            "changes.csv": lambda path: _changes_csv(diff, path),
            "coverage_lost.geojson": lambda path: _geojson(_layers(diff, "lost"), path),
            "coverage_gained.geojson": lambda path: _geojson(_layers(diff, "gained"), path),
            "notice.html": lambda path: _notice_html(diff, path),
            "notice.xlsx": lambda path: _notice_xlsx(diff, path)}


def render_diff_text(diff: Any, console: Console) -> None:
    r = diff.result
    if r.days:
        console.print(f"[bold]buscheck diff --week[/bold] {escape(r.city['name'])}: {escape(r.old['feed'])} → "
                      f"{escape(r.new['feed'])}")
        for day in r.days:
            zh, en = DAY_TYPE_NAMES[day["day_type"]]
            old, new = (day[side]["date"] if day[side] else "无 none" for side in ("old", "new"))
            console.print(f"  {zh} {en}: {old} → {new}", markup=False)
    else:
        console.print(f"[bold]buscheck diff[/bold] {escape(r.city['name'])}: {escape(day_label(r.old))} "
                      f"({escape(r.old['feed'])}) → {escape(day_label(r.new))} ({escape(r.new['feed'])})")
    for warning in r.warnings:
        console.print(f"[bold red]注意 WARNING[/bold red] {escape(warning['zh'])}\n  {escape(warning['en'])}")
    hows: dict[str, int] = {}
    for m in r.matches:
        hows[m.how] = hows.get(m.how, 0) + 1
    console.print(f"线路匹配 routes matched: {len(r.matches)} ({', '.join(f'{k} {v}' for k, v in sorted(hows.items()))}); "
                  f"unmatched old {len(r.unmatched_old)}, new {len(r.unmatched_new)}")
    for day in r.days or [{"day_type": None, "coverage": r.coverage}]:
        cov = day["coverage"]
        if cov is None:
            continue
        zh, en = DAY_TYPE_NAMES.get(day["day_type"] or "", ("", ""))
        console.print(f"覆盖率 coverage{f' {zh} {en}' if zh else ''} {cov.old_ratio:.2%} → {cov.new_ratio:.2%} (minimum "
                      f"{cov.tier_min:.0%}); lost {cov.lost_km2:.2f} km², gained {cov.gained_km2:.2f} km²", markup=False)
    notice = [c for c in r.changes if c.needs_notice]
    console.print(f"\n需公告的变更 changes needing public notice: [bold]{len(notice)}[/bold] of {len(r.changes)}\n")
    for route, changes in grouped(r.changes):
        console.print(f"[bold]{escape(route)}[/bold]")
        for c in changes:
            console.print(f"  • {c.message_zh}\n    {c.message_en}", markup=False)
    if r.warnings:  # the list may be long: the warning again where the reader ends
        console.print("\n[bold red]注意 WARNING[/bold red] 两个比较日的日期类型不同，见上 / the two dates are of different "
                      "day types (see above)")
