"""Result files for --out: written to a staging folder first, which then replaces --out whole (outdir.py)."""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import shapely

from checker import faults
from checker.model.clock import hm
from checker.model.result import Audit
from checker.model.service_table import range_text
from checker.report.aside import Aside, aside
from checker.report.cells import csv_cell, csv_row
from checker.report.document import plain, result_bytes, to_document
from checker.report.outdir import OutDir, check_out_dir

__all__ = ["check_out_dir", "write_outputs"]


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


def _routes_csv(audit: Audit, path: Path, doc: dict[str, Any]) -> None:
    """One row per route-direction, with the departures an operator would add to comply. Text cells that a
    spreadsheet would read as a formula are neutralised (report/cells.py), in findings.csv too. `doc`: the
    JSON document, whose route entries are these rows' (built once)."""
    wanted: dict[tuple, set[str]] = {}
    for f in audit.result.findings:
        if "add_departures" in f.detail:
            key = (f.subject.get("date"), f.subject["route_id"], f.subject["direction_id"])
            wanted.setdefault(key, set()).update(t.text() for t in f.detail["add_departures"])
    plans = {key: " ".join(sorted(times)) for key, times in wanted.items()}
    result = audit.result
    days = ([(d.service_date["date"], d.day_type, d.metrics) for d in result.days] if result.days
            else [(None, None, result.metrics)])
    documented = [d["metrics"]["routes"] for d in doc["days"]] if result.days else [doc["metrics"]["routes"]]
    columns = [*(["date", "day_type"] if result.days else []),
               "route_id", "direction_id", "route_short_name", "route_long_name", "towards", "origin_stop_id", "trips",
               "first_departure", "last_departure", "max_headway_peak_min", "max_headway_offpeak_min",
               "max_gap_min", "night", "add_departures"]
    if any(route.published is not None for _, _, metrics in days for route in metrics.routes):
        columns.append("published_intervals")  # a converted service table: "06:00-10:00 4-8; ..."
    with path.open("w", newline="", encoding="utf-8-sig") as handle:  # BOM so that Excel reads Chinese right
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        for (day, day_type, metrics), entries in zip(days, documented, strict=True):  # --week: every day's routes
            for route, entry in zip(metrics.routes, entries, strict=True):
                published = "; ".join(f"{hm(b.start_s)}-{hm(b.end_s)} "
                                      f"{range_text(b.low_min, b.high_min).replace('–', '-')}"
                                      for b in route.published or [])
                row = {**entry, "date": day, "day_type": day_type, "published_intervals": published,
                       "add_departures": plans.get((day, *route.key), "")}
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


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_outputs(audit: Audit, out_dir: Path, extra: dict[str, str] | None = None,
                  inputs: Iterable[Path | str | None] = (), doc: dict[str, Any] | None = None,
                  json_bytes: bytes | None = None, xlsx_aside: bool = False) -> list[Path]:
    """Every result file (and `extra` text files, such as a batch city's input hash) written into a staging
    folder, then put in place of `out_dir` whole (report/outdir.py). `doc` and `json_bytes`: the JSON
    document, and its UTF-8 text, when the caller has them already. `xlsx_aside`: report.xlsx written by a
    forked child meanwhile (report/aside.py; the CLI asks for it, a notebook or a batch worker does not)."""
    doc = doc or to_document(audit.result)  # once, for the JSON, HTML and xlsx alike
    data = json_bytes if json_bytes is not None else result_bytes(audit.result, doc)
    from checker.report.html import write_html  # jinja2 and XlsxWriter: only when reports are written
    from checker.report.xlsx import write_xlsx

    def xlsx(path: Path) -> None:
        faults.inject("xlsx", audit.result.city["name"])  # tests: a fault in the child that writes it
        write_xlsx(audit, path, doc)

    def html(path: Path) -> None:
        faults.inject("write", audit.result.city["name"])  # tests: a full disk, a hang while writing
        write_html(audit, path, doc)

    with OutDir(out_dir, "audit", inputs) as out:
        with aside(xlsx, out.path / "report.xlsx") if xlsx_aside else Aside(xlsx, out.path / "report.xlsx") as book:
            out.write("result.json", lambda path: path.write_bytes(data))
            out.write("findings.csv", lambda path: _findings_csv(audit, path))
            out.write("routes.csv", lambda path: _routes_csv(audit, path, doc))
            out.write("uncovered.geojson", lambda path: _uncovered_geojson(audit, path))
            out.write("report.html", html)
            out.write("report.xlsx", book.result)
        for name, text in (extra or {}).items():
            out.write(name, functools.partial(_write_text, text=text))
        out.commit()
    return [out.given / name for name in sorted(out.written) if not name.startswith(".")]


def write_folder(out_dir: Path, kind: str, files: dict[str, Callable[[Path], object]],
                 inputs: Iterable[Path | str | None] = ()) -> list[Path]:
    """Files written by their writers into a staging folder, then put in place of `out_dir` whole (as
    write_outputs does for an audit; `buscheck diff` writes its own files this way)."""
    with OutDir(out_dir, kind, inputs) as out:
        for name, writer in files.items():
            out.write(name, writer)
        out.commit()
    return [out.given / name for name in sorted(out.written) if not name.startswith(".")]
