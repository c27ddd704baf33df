"""Result files for --out: written to a temporary folder first, moved into place only when all are written."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

import shapely

from checker.errors import InputError
from checker.model.result import Audit
from checker.report.cells import csv_cell, csv_row
from checker.report.document import plain, result_json, route_document


def _findings_csv(audit: Audit, path: Path) -> None:
    columns = ["rule", "article", "family", "status", "subject_type", "city", "route_id", "direction_id",
               "route_short_name", "hub", "level", "value", "threshold", "unit", "message_zh", "message_en"]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for f in audit.result.findings:
            s = f.subject
            writer.writerow(csv_row([f.rule, f.article, f.family, f.status, s["type"], s.get("city", ""), s.get("route_id", ""),
                             s.get("direction_id", ""), s.get("route_short_name", ""), s.get("hub", ""),
                             s.get("level", ""), plain(f.value), plain(f.threshold), f.unit,
                             f.message_zh, f.message_en]))


def _routes_csv(audit: Audit, path: Path) -> None:
    """One row per route-direction, with the departures an operator would add to comply. Text cells that a
    spreadsheet would read as a formula are neutralised (report/cells.py), in findings.csv too."""
    wanted: dict[tuple, set[str]] = {}
    for f in audit.result.findings:
        if "add_departures" in f.detail:
            wanted.setdefault((f.subject["route_id"], f.subject["direction_id"]), set()).update(
                t.text() for t in f.detail["add_departures"])
    plans = {key: " ".join(sorted(times)) for key, times in wanted.items()}
    columns = ["route_id", "direction_id", "route_short_name", "route_long_name", "origin_stop_id", "trips",
               "first_departure", "last_departure", "max_headway_peak_min", "max_headway_offpeak_min",
               "max_gap_min", "night", "add_departures"]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # BOM so that Excel reads Chinese right
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        for route in audit.result.metrics.routes:
            row = {**route_document(route), "add_departures": plans.get(route.key, "")}
            writer.writerow({key: csv_cell(row[key]) for key in columns})


def _parts(geometry) -> list:
    if geometry.is_empty:
        return []
    return list(geometry.geoms) if hasattr(geometry, "geoms") else [geometry]


def _uncovered_geojson(audit: Audit, path: Path) -> None:
    """Each uncovered piece of the built-up area, largest first, with its area in square metres."""
    pieces = zip(_parts(audit.coverage.uncovered_local), _parts(audit.coverage.uncovered), strict=True)
    ranked = sorted(((local.area, part) for local, part in pieces), key=lambda pair: -pair[0])
    features = [
        {"type": "Feature", "properties": {"rank": i + 1, "area_m2": round(area, 1)},
         "geometry": shapely.geometry.mapping(part)}
        for i, (area, part) in enumerate(ranked)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def check_out_dir(out_dir: Path) -> None:
    """Refuse an --out that cannot be written before any work is done."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("--out", "Expected a folder; a file of that name exists.", "应为文件夹；同名文件已存在。",
                         value=str(out_dir))
    parent = next((p for p in [out_dir, *out_dir.parents] if p.exists()), Path("."))
    if not os.access(parent, os.W_OK):
        raise InputError("--out", f"Cannot write in {parent}.", f"无法写入 {parent}。", value=str(out_dir))


def write_outputs(audit: Audit, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".buscheck-", dir=out_dir.parent))
    try:
        (staging / "result.json").write_text(result_json(audit.result), encoding="utf-8")
        _findings_csv(audit, staging / "findings.csv")
        _routes_csv(audit, staging / "routes.csv")
        _uncovered_geojson(audit, staging / "uncovered.geojson")
        from checker.report.html import write_html  # jinja2 and openpyxl: only when reports are written
        from checker.report.xlsx import write_xlsx

        write_html(audit, staging / "report.html")
        write_xlsx(audit, staging / "report.xlsx")
        out_dir.mkdir(exist_ok=True)
        written = []
        for item in sorted(staging.iterdir()):
            target = out_dir / item.name
            item.replace(target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
