"""report.xlsx for regulators: a summary sheet, one sheet per rule family with its findings, and the route,
district, hub and facility tables; the figures are those of result.json."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from checker.model.pack import STRENGTH_LABELS
from checker.model.result import Audit
from checker.report.cells import xlsx_text
from checker.report.document import to_document
from checker.report.text import STATUS_LABEL

DAY_S = 24 * 3600
FILLS = {"fail": "#FBDADA", "pass": "#DCF3E3", "not_assessed": "#FDF1CC", "exempt": "#DCEBFB", "info": "#E6E9F2"}
FINDING_COLUMNS = ["规则 rule", "条款 article", "结论 status", "要求强度 strength", "对象 subject", "线路 route_id", "方向 direction_id",
                   "枢纽 hub", "值 value", "限值 threshold", "单位 unit", "建议增开 add_departures", "说明 message_zh",
                   "message_en"]


class Book:
    """report.xlsx, written with XlsxWriter row by row (constant memory; several times faster than openpyxl for a
    megacity's tens of thousands of findings). Every text is written as a string cell, never a formula or a link,
    whatever it starts with; characters XML cannot hold become U+FFFD."""

    def __init__(self, path: Path):
        self.path = path
        # its temporary files (one per sheet) beside the workbook: in --out's staging folder, removed with it
        # if the writing is cut short (a killed writer cannot remove them)
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent),
                                                    "strings_to_formulas": False,
                                                    "strings_to_urls": False, "strings_to_numbers": False,
                                                    "nan_inf_to_errors": True})
        self.bold = self.book.add_format({"bold": True})
        self.fills = {status: self.book.add_format({"bg_color": color}) for status, color in FILLS.items()}
        self.number_formats = {form: self.book.add_format({"num_format": form}) for form in ("0.00%", "[h]:mm:ss")}
        self.titles: set[str] = set()

    def _title(self, title: str) -> str:
        """A sheet name Excel takes: without []:*?/\\, not starting or ending with an apostrophe, at most 31
        characters, and unlike the others whatever the case (a pack's family names are data: two may clash)."""
        title = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'")[:31] or "Sheet"
        unique, n = title, 1
        while unique.casefold() in self.titles:
            n += 1
            unique = f"{title[:31 - len(f' ({n})')]} ({n})"
        self.titles.add(unique.casefold())
        return unique

    def sheet(self, title: str, header: list[str], rows: list[list], status_column: int | None = None,
              percent_columns: tuple[int, ...] = (), time_columns: tuple[int, ...] = ()) -> None:
        """A sheet: bold header row, frozen, column widths; status cells coloured and in both languages; percent
        and time-of-day cells typed (a time past 24:00 stays one, [h]:mm:ss)."""
        sheet = self.book.add_worksheet(self._title(title))
        sheet.freeze_panes(1, 0)
        for i, name in enumerate(header):
            sheet.set_column(i, i, min(60, max(10, len(name) + 2)))
            sheet.write_string(0, i, xlsx_text(name), self.bold)
        typed = {i: self.number_formats["0.00%"] for i in percent_columns}
        typed |= {i: self.number_formats["[h]:mm:ss"] for i in time_columns}
        # the undecorated writers: the public ones first convert "A1" cell names, which these rows never use
        # (XlsxWriter keeps both, _write_string being "the undecorated version of write_string")
        text = getattr(sheet, "_write_string", sheet.write_string)
        number = getattr(sheet, "_write_number", sheet.write_number)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if status_column == c and value in self.fills:  # in both languages, as in every other output
                    text(r, c, STATUS_LABEL.get(value, value), self.fills[value])
                elif isinstance(value, str):
                    text(r, c, xlsx_text(value))
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    number(r, c, value, typed.get(c))
                elif value is not None:
                    text(r, c, xlsx_text(str(value)))

    def close(self) -> None:
        try:
            self.book.close()
        except FileCreateError as error:  # a full disk or a folder gone: the OSError, which --out reports
            raise (error.args[0] if error.args and isinstance(error.args[0], OSError) else OSError(str(error))) from None


def _subject(subject: dict) -> str:
    if subject["type"] == "route":
        return f"{subject.get('route_short_name') or subject['route_id']} ({subject['direction_id']})"
    if subject["type"] == "priority_level":
        return f"第{subject['level']}优先级 level {subject['level']}"
    return subject.get("city", "")


def write_xlsx(audit: Audit, path: Path, doc: dict[str, Any] | None = None) -> None:
    doc = doc or to_document(audit.result)
    book = Book(path)
    summary = [
        ["城市 city", f"{doc['city']['name']} {doc['city']['name_en']}"],
        ["等级 tier", f"{doc['tier']['name']} {doc['tier']['name_en']}"],
        ["覆盖率目标 coverage target", doc["tier"]["coverage_target"]],
        ["审计日 service date", doc["service_date"]["date"]],
        ["规则包 rule pack", f"{doc['rule_pack']['id']} {doc['rule_pack']['version']} {doc['rule_pack']['document']}"],
        ["结论 verdict", STATUS_LABEL[doc["summary"]["verdict"]]],
        ["生成时间 generated", doc["provenance"]["generated_at"]],
        ["工具 tool", f"buscheck {doc['tool']['version']}, schema {doc['schema_version']}"],
        ["数据发布方 feed agencies", "、".join(doc["provenance"]["agencies"])],
        ["数据日历 feed calendar", f"{doc['provenance']['calendar']['start']} – {doc['provenance']['calendar']['end']}"],
        ["坐标 datums", f"feed {doc['inputs']['feed_crs']}, built-up {doc['inputs']['built_up_datum']}"],
        *[[f"输入 input {f['input']}", f"{f['path']} · {f['bytes']} B · SHA-256 {f['sha256']}"]
          for f in doc["provenance"]["files"]],
        *[[f"不达标（{STRENGTH_LABELS[s][0]}） fails ({STRENGTH_LABELS[s][1]})", n]
          for s, n in doc["summary"]["fails_by_strength"].items()],
        ["未评估的规则 rules not assessed", ", ".join(doc["summary"]["rules_not_assessed"])],
        ["覆盖率 coverage ratio", doc["metrics"]["coverage"]["ratio"]],
        [],
        ["规则 rule", "达标 pass", "不达标 fail", "未评估 not assessed", "豁免 exempt"],
        *[[rule, c["pass"], c["fail"], c["not_assessed"], c["exempt"]] for rule, c in doc["summary"]["by_rule"].items()],
    ]
    book.sheet("摘要 Summary", ["项目 item", "值 value"], summary)
    for family in audit.pack.families:
        rows = [[f["rule"], f["article"], f["status"], f"{STRENGTH_LABELS[f['strength']][0]} {f['strength']}: {f['strength_words']}",
                 _subject(f["subject"]), f["subject"].get("route_id"),
                 f["subject"].get("direction_id"), f["subject"].get("hub"), f["value"], f["threshold"], f["unit"],
                 " ".join(f["detail"].get("add_departures", [])), f["message_zh"], f["message_en"]]
                for f in doc["findings"] if f["family"] == family.id]
        if rows:
            book.sheet(f"{family.zh} {family.en}"[:31], FINDING_COLUMNS, rows, status_column=2)
    evaluated = [f["detail"]["evaluation"] | {"status": f["status"]} for f in doc["findings"] if "evaluation" in f["detail"]]
    if evaluated:
        columns = ["number", "indicator", "indicator_en", "unit", "baseline", "target", "value", "source", "status",
                   "basis_zh", "basis_en"]
        book.sheet("自评表 Self-evaluation", columns, [[e[c] for c in columns] for e in evaluated], status_column=8)
    cov = doc["metrics"]["coverage"]
    book.sheet("覆盖 Coverage", ["指标 metric", "值 value"],
           [[k, cov[k]] for k in ("ratio", "built_up_km2", "covered_km2", "uncovered_km2", "stops_used",
                                  "stops_outside_built_up", "radius_m", "projection")])
    if cov.get("districts"):
        book.sheet("分区 Districts", ["区 district", "建成区 built_up_km2", "覆盖 covered_km2", "未覆盖 uncovered_km2",
                                       "覆盖率 ratio"],
               [[d["name"], d["built_up_km2"], d["covered_km2"], d["uncovered_km2"], d["ratio"]] for d in cov["districts"]],
               percent_columns=(4,))
    published = any("published_intervals" in r for r in doc["metrics"]["routes"])  # a converted service table

    def periods(r: dict[str, Any]) -> list[str]:
        """The published periods of a converted service table ("06:00-10:00 4-8; ..."), when there are any."""
        if not published:
            return []
        return ["; ".join(f"{p['start']}-{p['end']} {p['min']:g}" + (f"-{p['max']:g}" if p["max"] != p["min"] else "")
                          for p in r.get("published_intervals", []))]

    days = ([(d["service_date"]["date"], d["day_type"], d["metrics"]["routes"]) for d in doc["days"]]
            if doc.get("days") else [(None, None, doc["metrics"]["routes"])])
    book.sheet("线路 Routes", [*(["日期 date", "日类型 day_type"] if doc.get("days") else []),
                                "route_id", "direction_id", "route_short_name", "往 towards", "trips", "first_departure",
                                "last_departure", "max_headway_peak_min", "max_headway_offpeak_min", "max_gap_min", "night",
                                *(["公布发车间隔 published_intervals"] if published else [])],
           [[*([day, day_type] if doc.get("days") else []),
             r["route_id"], r["direction_id"], r["route_short_name"], r.get("towards"), r["trips"], r["first_departure_s"] / DAY_S,
             r["last_departure_s"] / DAY_S,
             r["max_headway_peak_min"], r["max_headway_offpeak_min"], r["max_gap_min"], r["night"], *periods(r)]
            for day, day_type, routes in days for r in routes],
           time_columns=tuple(i + (2 if doc.get("days") else 0) for i in (5, 6)))
    hubs = doc["metrics"].get("hubs")
    if hubs:
        book.sheet("枢纽 Hubs", ["枢纽 hub", "mode", "first_departure", "last_arrival", "bus_last_leave_by",
                                  "last_met_by", "last_gap_min", "bus_first_arrive_by", "first_met_by", "first_gap_min"],
               [[h["name"], h["mode"], h["first_departure"], h["last_arrival"], h["bus_last_leave_by"],
                 ", ".join(h["last_met_by"]), h["last_gap_min"], h["bus_first_arrive_by"], ", ".join(h["first_met_by"]),
                 h["first_gap_min"]] for h in hubs["hubs"]])
    priority = doc["metrics"].get("priority")
    if priority:
        book.sheet("设施 Facilities", ["设施 name", "category", "level", "in_scope", "nearest_stop_id",
                                        "nearest_stop_name", "distance_m", "covered"],
               [[f["name"], f["category"], f["level"], f["in_scope"], f["nearest_stop_id"], f["nearest_stop_name"],
                 f["distance_m"], f["covered"]] for f in priority["facilities"]])
    book.close()
