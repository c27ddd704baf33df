"""A rule pack is input: checked against the registry of checks when it loads, before any feed is read.
A typo is exit 2 naming the pack file, its line, the rule and the key; a family the pack declares reaches
every report."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.judge import CHECKS
from checker.load.pack import pack_files
from checker.pipeline import open_pack

REPO = Path(__file__).resolve().parent.parent
GD = REPO / "rules" / "gd-basic-bus-2025.toml"


def _pack(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = GD.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "typo.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize("pack", [p.stem for p in pack_files()])
def test_every_shipped_pack_validates_against_the_registry(pack):
    loaded = open_pack(pack)
    assert loaded.rules
    for rule in loaded.rules:
        check = CHECKS[rule.check]
        assert set(rule.params) == {p.name for p in check.params}, rule.id
        assert rule.family in {f.id for f in loaded.families}


@pytest.mark.parametrize("old, new, key, words", [
    ('check = "headway_max"', 'check = "headway_maxx"', "check", "Unknown check"),
    ("max_min = 30", "max_mins = 30", "max_mins", "takes no parameter max_mins"),
    ("radius_m = 500\ntitle = \"建成区", "radius_m = \"500m\"\ntitle = \"建成区", "radius_m", "Expected a number"),
    ('window = "peak"', 'window = "rush"', "window", "Expected one of peak, offpeak"),
    ('family = "frequency"', 'family = "frequencies"', "family", "Unknown family"),
    ("max_ratio = 0.80\n", "\n", "check", "needs the parameter max_ratio"),
    ('effective_from = "2025-12-01"', 'effective_from = "1 Dec 2025"', "effective_from", "Expected a date"),
])
def test_pack_typo_names_file_line_rule_and_key(tmp_path, old, new, key, words):
    path = _pack(tmp_path, old, new)
    with pytest.raises(InputError) as raised:
        open_pack(str(path))
    error = raised.value
    assert error.file == str(path)
    assert error.field == key
    assert words in error.en
    assert error.line is not None and key in path.read_text(encoding="utf-8").splitlines()[error.line - 1]
    if key not in ("effective_from",):
        assert error.en.startswith("rule GD-")  # the rule is named


def test_coverage_as_a_percent_string_is_refused(tmp_path):
    text = GD.read_text(encoding="utf-8").replace("coverage_min = 0.60", 'coverage_min = "60%"')
    path = tmp_path / "percent.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        open_pack(str(path))
    assert raised.value.field == "coverage_min" and raised.value.line is not None


def test_duplicate_rule_id_is_refused(tmp_path):
    path = _pack(tmp_path, 'id = "GD-FREQ-OFFPEAK"', 'id = "GD-FREQ-PEAK"')
    with pytest.raises(InputError, match="appears twice"):
        open_pack(str(path))


def test_pack_typo_exits_2_before_reading_the_feed_in_under_a_second(tmp_path):
    """A fresh process, as a user runs it: the feed path does not even exist, so only the pack is read."""
    path = _pack(tmp_path, 'check = "headway_max"', 'check = "headway_maxx"')
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "checker", "audit", str(tmp_path / "no-such-feed.zip"), "--built-up",
                          str(tmp_path / "none.geojson"), "--city", "广州", "--rules", str(path)],
                         capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - start
    assert run.returncode == 2, run.stderr
    assert "headway_maxx" in run.stderr and "GD-FREQ-PEAK" in run.stderr and str(path) in run.stderr
    assert "Traceback" not in run.stderr
    assert elapsed < 5  # generous for a loaded CI machine; `make bench` is where speed is measured


def test_a_new_family_appears_in_text_html_and_xlsx(tmp_path, cli, audit_args):
    """Families are pack data: a new one reaches every report, with the pack's own labels."""
    openpyxl = pytest.importorskip("openpyxl")
    text = GD.read_text(encoding="utf-8").replace(
        '[[families]]\nid = "priority"',
        '[[families]]\nid = "night"\nzh = "夜间服务"\nen = "Night service"\n\n[[families]]\nid = "priority"')
    rule_start = text.index('id = "GD-NIGHT"')
    text = text[:rule_start] + text[rule_start:].replace('family = "service_hours"', 'family = "night"', 1)
    pack = tmp_path / "families.toml"
    pack.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = cli(*audit_args(), "--rules", pack, "--out", out)
    assert result.exit_code in (0, 1), result.output
    assert "夜间服务 Night service" in result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "夜间服务" in html and "Night service" in html
    book = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    assert any(name.startswith("夜间服务") for name in book.sheetnames)
    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert {f["family"] for f in doc["findings"] if f["rule"] == "GD-NIGHT"} == {"night"}


def test_rules_show_names_the_code_that_judges(cli):
    shown = cli("rules", "show", "GD-FREQ-PEAK")
    assert shown.exit_code == 0
    assert "checker.judge.headway_max.check_headway_max" in shown.output
    assert "max_min = 30 min" in shown.output
    assert "window edge" in shown.output.replace("\n", " ")  # the docstring, so the docs cannot drift


def test_rules_show_finds_any_packs_rule_without_rules_option(cli):
    shown = cli("rules", "show", "TM-04")
    assert shown.exit_code == 0
    assert "transit-metropolis" in shown.output and "checker.judge.indicator.check_indicator" in shown.output


def test_rules_show_unknown_rule_is_exit_2(cli):
    assert cli("rules", "show", "GD-NOPE").exit_code == 2


@pytest.mark.parametrize(("zh", "en"), [("覆盖", "Coverage"),  # the name of report.xlsx's own coverage sheet
                                        ("服务/频次", "Frequency: a/b?")])  # characters a sheet name cannot hold
def test_family_names_that_clash_as_sheet_names_still_give_a_workbook(tmp_path, cli, audit_args, zh, en):
    openpyxl = pytest.importorskip("openpyxl")
    text = GD.read_text(encoding="utf-8")
    old = '[[families]]\nid = "coverage"\nzh = "覆盖范围"\nen = "Coverage"'
    assert old in text
    pack = tmp_path / "sheets.toml"
    pack.write_text(text.replace(old, f'[[families]]\nid = "coverage"\nzh = "{zh}"\nen = "{en}"'), encoding="utf-8")
    out = tmp_path / "out"
    result = cli(*audit_args(), "--rules", pack, "--out", out)
    assert result.exit_code in (0, 1), result.output
    names = openpyxl.load_workbook(out / "report.xlsx", read_only=True).sheetnames
    assert len({n.casefold() for n in names}) == len(names) and "覆盖 Coverage" in names
    assert not any(set(n) & set("[]:*?/\\") for n in names)
