"""report.html (offline, rendered in headless Chromium) and report.xlsx, on the sample city."""

import json
import os
import re
import shutil
import subprocess

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from checker.pipeline import AuditRequest, run_audit
from checker.report.files import write_outputs
from tests.browser import chromium
from tests.conftest import REPO

SAMPLE = REPO / "sample_feeds" / "sample_city"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "out"
    audit = run_audit(AuditRequest(
        feed=SAMPLE / "gtfs.zip", built_up=SAMPLE / "built_up.geojson", city="示例市", profile=SAMPLE / "profile.toml",
        districts=SAMPLE / "districts.geojson", hubs=SAMPLE / "hubs.csv", facilities=SAMPLE / "facilities.csv",
    ))
    write_outputs(audit, folder)
    return folder


def _headless(*args: str) -> subprocess.CompletedProcess:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def test_html_needs_no_network(out):
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "@import" not in html and "url(http" not in html


def test_html_renders_with_map_and_tables(out):
    dom = _headless("--dump-dom", (out / "report.html").as_uri()).stdout
    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert re.search(r'<svg id="coverage-map"[^>]*>', dom)
    covered = re.search(r'<path class="covered"[^>]* d="([^"]*)"', dom)
    assert covered and len(covered.group(1)) > 100
    assert dom.count('class="hub"') == 3
    routes = re.search(r'<table class="sortable" id="routes-table">.*?<tbody>(.*?)</tbody>', dom, re.S).group(1)
    assert routes.count("<tr>") == len(doc["metrics"]["routes"])
    assert routes.index("不达标 fail") < routes.index("达标 pass")  # failures first
    assert dom.count('<svg class="timeline"') == len(doc["metrics"]["routes"])
    hubs = re.search(r'id="hubs-table">.*?<tbody>(.*?)</tbody>', dom, re.S).group(1)
    assert hubs.count("<tr>") == 3 and "short 60.0 min" in hubs
    assert "东湾新村" in dom and "gd-basic-bus-2025" in dom


def test_html_screenshot(out, tmp_path):
    """A screenshot for a person to look at (kept in the test's tmp folder); here only that it is drawn."""
    shot = tmp_path / "report.png"
    _headless("--window-size=1200,2400", f"--screenshot={shot}", (out / "report.html").as_uri())
    assert shot.stat().st_size > 50_000


def test_xlsx_has_the_json_figures(out):
    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    book = load_workbook(out / "report.xlsx", read_only=True)
    assert book.sheetnames[:5] == ["摘要 Summary", "覆盖范围 Coverage", "服务频次 Frequency", "服务时间 Service hours",
                                   "优先保障 Priority"]
    summary = {row[0]: row[1] for row in book["摘要 Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["覆盖率 coverage ratio"] == doc["metrics"]["coverage"]["ratio"]
    by_rule = {row[0]: row[1:] for row in book["摘要 Summary"].iter_rows(values_only=True)
               if row and row[0] in doc["summary"]["by_rule"]}
    for rule, counts in doc["summary"]["by_rule"].items():
        assert by_rule[rule] == (counts["pass"], counts["fail"], counts["not_assessed"], counts["exempt"])
    frequency = list(book["服务频次 Frequency"].iter_rows(values_only=True))[1:]
    assert len(frequency) == sum(f["family"] == "frequency" for f in doc["findings"])
    routes = list(book["线路 Routes"].iter_rows(values_only=True))[1:]
    assert len(routes) == len(doc["metrics"]["routes"])
    first = doc["metrics"]["routes"][0]  # departures typed as times of the service day, to the second
    row = next(r for r in routes if (r[0], r[1]) == (first["route_id"], first["direction_id"]))
    assert row[3] == first["towards"]
    assert round(row[5].total_seconds()) == first["first_departure_s"]
    assert round(row[6].total_seconds()) == first["last_departure_s"]
    assert {r[0] for r in book["枢纽 Hubs"].iter_rows(values_only=True)} >= {h["name"] for h in doc["metrics"]["hubs"]["hubs"]}


def test_the_map_has_a_scale_north_districts_gap_labels_and_a_matching_legend(tmp_path):
    from checker.pipeline import AuditRequest, run_audit
    from checker.report.html import render_html
    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    html = render_html(run_audit(AuditRequest(
        feed=city / "gtfs.zip", built_up=city / "built_up.geojson", city="示例市", profile=city / "profile.toml",
        districts=city / "districts.geojson", hubs=city / "hubs.csv", facilities=city / "facilities.csv")))
    svg = html[html.index('<svg id="coverage-map"'):]
    svg = svg[:svg.index("</svg>")]
    assert 'class="scale"' in svg and "2 km" in svg and 'class="north"' in svg
    assert "西区 West district" in svg and "东区 East district" in svg
    assert svg.count(" km²</text>") == 5  # the five largest uncovered areas labelled
    for symbol in ("枢纽 hub", "已覆盖的优先设施 priority facility reached", "未覆盖的优先设施", "行政区 district"):
        assert symbol in svg
    assert 'class="legend"' not in html  # the legend is drawn in the map, with the map's own symbols


PRINTED_PAGES_AT_MOST = 20  # the sample city prints on 15 A4 pages today


def test_report_prints_on_a4_with_the_summary_and_provenance_on_page_one(out, tmp_path):
    """Chromium's print to PDF: page 1 is the cover (verdict, strengths, provenance), the whole fits in N pages."""
    if shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("poppler-utils is not installed; `make test` installs it")
        pytest.skip("poppler-utils (pdfinfo, pdftotext) not installed here")
    pdf = tmp_path / "report.pdf"
    _headless("--no-pdf-header-footer", f"--print-to-pdf={pdf}", (out / "report.html").as_uri())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= PRINTED_PAGES_AT_MOST
    assert "A4" in info or "595" in info  # A4 is 595 x 842 points
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "SHA-256" in first and "buscheck" in first and "Verdict" in first


def test_provenance_in_every_file(out):
    import json

    import openpyxl

    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    files = {f["input"]: f for f in doc["provenance"]["files"]}
    assert len(files["feed"]["sha256"]) == 64 and doc["provenance"]["generated_at"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert files["feed"]["sha256"] in html and 'id="provenance"' in html
    book = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    summary = [row for row in book[book.sheetnames[0]].iter_rows(values_only=True)]
    assert any(files["feed"]["sha256"] in str(cell) for row in summary for cell in row)


def test_result_json_is_compact_for_a_megacity(monkeypatch):
    from checker.report import document
    from checker.report.document import result_json
    audit = run_audit(AuditRequest(feed=SAMPLE / "gtfs.zip", built_up=SAMPLE / "built_up.geojson", city="示例市",
                                   profile=SAMPLE / "profile.toml"))
    indented = result_json(audit.result)
    monkeypatch.setattr(document, "COMPACT_ABOVE_ROUTES", len(audit.result.metrics.routes) - 1)
    compact = result_json(audit.result)
    assert "\n" in indented and "\n" not in compact and json.loads(compact) == json.loads(indented)
    # written alone, the findings go in as the text orjson made of them: the same bytes as from the document
    alone = document.to_document(audit.result, as_text=True)
    assert isinstance(alone["findings"], orjson.Fragment)
    assert all(isinstance(r["departures"], orjson.Fragment) for r in alone["metrics"]["routes"])
    assert compact == orjson.dumps(document.to_document(audit.result)).decode("utf-8")
    assert compact == result_json(audit.result, document.to_document(audit.result))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 100 * 3600 - 1), max_size=30), max_size=8))
def test_departures_written_at_once_are_the_text_of_each(routes):
    """departures_json formats every departure in one numpy pass: the same text as clock_text, route by route
    (an empty route gives [])."""
    from checker.model.clock import clock_text
    from checker.model.metrics import RouteRow
    from checker.report.document import departures_json

    rows = [RouteRow(route_id=f"r{i}", direction_id=0, route_short_name=None, route_long_name=None,
                     origin_stop_id=None, trips=len(times), first_departure_s=min(times, default=0),
                     last_departure_s=max(times, default=0), max_gap_s=None, windows=[], departures_s=times,
                     night=None)
            for i, times in enumerate(routes)]
    written = departures_json(rows)
    assert written is not None
    assert [orjson.loads(orjson.dumps(f)) for f in written] == [list(map(clock_text, times)) for times in routes]
    past = RouteRow(route_id="r", direction_id=0, route_short_name=None, route_long_name=None, origin_stop_id=None,
                    trips=1, first_departure_s=360000, last_departure_s=360000, max_gap_s=None, windows=[],
                    departures_s=[100 * 3600], night=None)
    assert departures_json([*rows, past]) is None  # an hour of three digits: left to clock_text
