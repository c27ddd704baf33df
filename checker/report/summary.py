"""The province summary of a batch: cities ranked by coverage against their tier minimum (worst first),
failing findings per rule, and errors; as CSV, xlsx and one offline HTML page."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from checker.report.cells import csv_row, mark_text, xlsx_text
from checker.report.templating import ENV, content_security_policy

COLUMNS = ["rank", "city", "status", "tier", "coverage_min", "coverage_target", "coverage", "coverage_margin",
           "service_date", "route_directions", "failing_findings", "rules_not_assessed", "skipped", "seconds", "error",
           "folder"]


def ranked(rows: list[dict]) -> list[dict]:
    """Worst first: lowest coverage above (or below) the tier minimum; cities with errors last."""
    order = sorted(rows, key=lambda r: (r["coverage_margin"] is None, r["coverage_margin"] or 0, r["city"]))
    return [{**row, "rank": i + 1} for i, row in enumerate(order)]


def _rules(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(rule for row in rows for rule in row["fails_by_rule"]))


def _table(rows: list[dict]) -> tuple[list[str], list[list]]:
    rules = _rules(rows)
    header = [*COLUMNS, *[f"fail {rule}" for rule in rules]]
    body = [[row.get(c) for c in COLUMNS]
            + ["n.a." if rule in (row.get("not_assessed_rules") or []) else row["fails_by_rule"].get(rule) for rule in rules]
            for row in rows]
    return header, body


def write_summary(rows: list[dict], out: Path, interrupted: bool = False) -> list[Path]:
    """summary.csv, summary.xlsx and summary.html in `out`. `interrupted`: the batch was stopped; rows of the
    cities it did not audit have the status "interrupted" (ranked last, as errors)."""
    rows = ranked(rows)
    header, body = _table(rows)
    paths = [out / "summary.csv", out / "summary.xlsx", out / "summary.html"]
    with paths[0].open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([csv_row(["" if v is None else v for v in line]) for line in body])
    book = Workbook()
    sheet = book.active
    sheet.title = "省级汇总 Province (interrupted)" if interrupted else "省级汇总 Province"
    sheet.append([xlsx_text(name) for name in header])
    mark_text(sheet[1])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in body:  # city names and error messages as text, never formulas
        sheet.append([xlsx_text(v) if isinstance(v, str) else ("" if v is None else v) for v in line])
        mark_text(sheet[sheet.max_row])
    sheet.freeze_panes = "C2"
    book.save(paths[1])
    html = ENV.get_template("summary.html.j2").render(rows=rows, rules=_rules(rows), csp=content_security_policy(),
                                                      interrupted=interrupted)
    paths[2].write_text(html, encoding="utf-8")
    return paths
