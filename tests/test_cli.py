"""The command-line contract: exit codes, JSON on stdout valid against the schema, --out written atomically."""

import json
import os
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import SCHEMA, feed_tables


def _json(result) -> dict:
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def test_route_rules_pass_for_a_20_minute_route(cli, audit_args):
    # every 20 min from 06:00 to 20:20: first, last and both headway rules pass
    tables = feed_tables(routes={"R1": [360 + 20 * i for i in range(44)]})
    result = cli(*audit_args(tables, city="罗定"), "--format", "json")
    doc = _json(result)
    statuses = {f["rule"]: f["status"] for f in doc["findings"] if f["subject"]["type"] == "route"}
    assert statuses == {"GD-FREQ-PEAK": "pass", "GD-FREQ-OFFPEAK": "pass", "GD-SPAN-FIRST": "pass",
                        "GD-SPAN-LAST": "pass"}
    coverage = next(f for f in doc["findings"] if f["rule"] == "GD-COV-500")
    assert coverage["status"] == "fail"  # two stops cannot cover half of 100 km2
    assert result.exit_code == 1


def test_exit_0_when_nothing_fails(tmp_path, cli):
    from tests.conftest import square_km, write_feed, write_polygon

    tables = feed_tables(routes={"R1": [360 + 20 * i for i in range(44)]})
    feed = write_feed(tmp_path / "f", tables)
    tiny = write_polygon(tmp_path / "tiny.geojson", [square_km(0.2, -0.1, 0.8, 0.1)])
    result = cli("audit", feed, "--built-up", tiny, "--city", "Luoding", "--format", "json")
    doc = _json(result)
    not_assessed = {f["rule"] for f in doc["findings"] if f["status"] == "not_assessed"}
    assert not_assessed == {"GD-LIST", "GD-LOAD-PEAK", "GD-HUB-ALIGN", "GD-PRIORITY"}  # never "pass" without data
    assert {f["status"] for f in doc["findings"] if f["rule"] == "GD-NIGHT"} == {"info"}  # no night route to judge
    assert doc["summary"]["verdict"] == "incomplete"  # an audit with rules not assessed is not a pass
    assert result.exit_code == 4
    judged = cli("audit", feed, "--built-up", tiny, "--city", "Luoding", "--format", "json",
                 "--ignore", "GD-LOAD-PEAK,GD-HUB-*", "--ignore", "GD-PRIORITY", "--ignore", "GD-LIST")
    assert _json(judged)["summary"]["verdict"] == "pass"
    assert judged.exit_code == 0


def test_json_contract_fields(cli, audit_args):
    doc = _json(cli(*audit_args(), "--format", "json"))
    assert doc["city"] == {"name": "广州", "name_en": "Guangzhou"}
    assert doc["tier"]["coverage_min"] == 1.0
    assert doc["rule_pack"]["document"] == "粤交〔2025〕9号"
    route = doc["metrics"]["routes"][0]
    assert (route["route_id"], route["direction_id"], route["trips"]) == ("R1", 0, 40)
    assert (route["first_departure"], route["last_departure"]) == ("07:00:00", "20:00:00")
    assert route["max_headway_peak_min"] == 20 and route["max_headway_offpeak_min"] == 20
    for key in ("ratio", "built_up_km2", "covered_km2", "stops_used"):
        assert key in doc["metrics"]["coverage"]
    for finding in doc["findings"]:
        assert finding["message_zh"] and finding["message_en"]


def test_first_bus_at_0700_fails_first_departure_rule(cli, audit_args):
    doc = _json(cli(*audit_args(), "--format", "json"))
    first = next(f for f in doc["findings"] if f["rule"] == "GD-SPAN-FIRST")
    assert (first["status"], first["value"], first["threshold"]) == ("pass", "07:00:00", "07:30:00")


def test_out_writes_all_files(tmp_path, cli, audit_args):
    out = tmp_path / "results"
    result = cli(*audit_args(), "--out", out)
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == [".buscheck-out", "findings.csv", "report.html", "report.xlsx",
                                                     "result.json", "routes.csv", "uncovered.geojson"]
    jsonschema.validate(json.loads((out / "result.json").read_text(encoding="utf-8")), SCHEMA)
    import csv

    with (out / "routes.csv").open(encoding="utf-8-sig") as handle:
        routes = list(csv.DictReader(handle))
    assert routes[0]["route_id"] == "R1" and routes[0]["last_departure"] == "20:00:00"
    uncovered = json.loads((out / "uncovered.geojson").read_text())
    areas = [f["properties"]["area_m2"] for f in uncovered["features"]]
    assert areas == sorted(areas, reverse=True) and areas
    assert not list(tmp_path.glob(".buscheck-*"))


def test_text_output_names_rules_and_verdict(cli, audit_args):
    result = cli(*audit_args())
    assert "结论 Verdict" in result.stdout
    assert "GD-COV-500" in result.stdout and "GD-FREQ-PEAK" in result.stdout


@pytest.mark.parametrize("extra, needle", [
    (["--date", "2026-13-01"], "YYYY-MM-DD"),
    (["--date", "2030-01-01"], "outside the feed's service"),
    (["--city", "Atlantis"], "not a city of rule pack"),
    (["--rules", "no-such-pack"], "No rule pack"),
])
def test_bad_arguments_exit_2(cli, audit_args, extra, needle):
    args = audit_args()
    if extra[0] == "--city":
        args[args.index("--city") + 1] = extra[1]
        extra = []
    result = cli(*args, *extra)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2(cli):
    assert cli("audit").exit_code == 2


def test_rules_list_and_show(cli):
    listing = cli("rules")
    assert listing.exit_code == 0
    assert "GD-FREQ-OFFPEAK" in listing.stdout
    shown = cli("rules", "show", "GD-SPAN-LAST")
    assert shown.exit_code == 0
    assert "10(4)" in shown.stdout and "after_work_end_min = 120" in shown.stdout
    assert cli("rules", "show", "NOPE").exit_code == 2


def test_direction_inferred_and_reported(cli, audit_args):
    tables = feed_tables()
    tables["trips.txt"] = tables["trips.txt"].replace(",0\n", ",\n")
    doc = _json(cli(*audit_args(tables), "--format", "json"))
    assert doc["inputs"]["direction_id"] == "inferred"
    assert any("direction_id" in n["en"] for n in doc["notices"])
    assert [r["direction_id"] for r in doc["metrics"]["routes"]] == [0]


def test_out_that_is_a_file_exits_2_before_any_work(tmp_path, cli, audit_args):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    result = cli(*audit_args(), "--out", blocker)
    assert result.exit_code == 2
    assert "Expected a folder" in result.stderr
    assert blocker.read_text() == "not a folder"


def test_districts_through_the_cli(tmp_path, cli, audit_args):
    from tests.conftest import square_km

    districts = tmp_path / "districts.geojson"
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        for name, ring in (("west", square_km(-6, -6, 0.5, 6)), ("east", square_km(0.5, -6, 6, 6)))]}
    districts.write_text(json.dumps(collection), encoding="utf-8")
    result = cli(*audit_args(), "--districts", districts, "--format", "json", "--out", tmp_path / "out")
    doc = _json(result)
    rows = doc["metrics"]["coverage"]["districts"]
    assert {r["name"] for r in rows} == {"west", "east"}
    assert rows[0]["ratio"] <= rows[1]["ratio"]
    assert "各区覆盖率" not in result.stdout  # json to stdout, no text
    missing = cli(*audit_args(), "--districts", tmp_path / "none.geojson")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def _console(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "checker", *map(str, args)], capture_output=True, text=True)


def test_version_and_bilingual_usage_errors():
    from checker import __version__

    assert _console("--version").stdout.strip() == f"buscheck {__version__}"
    typo = _console("audit", "x.zip", "--fedd-crs", "gcj02")
    assert typo.returncode == 2 and "Traceback" not in typo.stderr
    assert "--feed-crs" in typo.stderr and "没有此选项" in typo.stderr  # did-you-mean, in both languages


def test_datums_however_written(cli, audit_args):
    for written in ("GCJ-02", "gcj-02", "gcj02", "Gaode"):
        result = cli(*audit_args(), "--feed-crs", written, "--format", "json")
        assert json.loads(result.stdout)["inputs"]["feed_crs"] == "gcj02", written
    assert _console("audit", "x.zip", "--built-up", "b.geojson", "--city", "广州", "--feed-crs", "mars").returncode == 2


def test_city_did_you_mean(cli, audit_args):
    result = cli(*audit_args(city="Shenzen"))
    assert result.exit_code == 2
    assert "深圳 / Shenzhen" in result.output


def test_text_output_cuts_nothing_at_80_columns(tmp_path):
    """Every message and every departure to add is printed whole: wrapped, never cut with an ellipsis."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    run = subprocess.run([sys.executable, "-m", "checker", "audit", city / "gtfs.zip", "--built-up",
                          city / "built_up.geojson", "--city", "示例市", "--profile", city / "profile.toml",
                          "--hubs", city / "hubs.csv", "--week"], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "80"})
    assert run.returncode == 1, run.stderr
    assert "…" not in run.stdout
    lines = [line.strip() for line in run.stdout.splitlines()]
    assert any("07:10、08:25、09:40、10:55、12:10、13:25、14:40、15:55、17:10、18:25、19:40" in line for line in lines)


def test_audit_leaves_without_teardown_once_everything_is_written(tmp_path):
    """`audit` ends with os._exit after flushing (checker/__main__.py): the exit status, the whole JSON on a
    pipe and every report are there."""
    import subprocess
    import sys

    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    run = subprocess.run([sys.executable, "-m", "checker", "audit", city / "gtfs.zip", "--built-up",
                          city / "built_up.geojson", "--city", "示例市", "--profile", city / "profile.toml",
                          "--week", "--format", "json", "--out", tmp_path / "out"], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    printed = json.loads(run.stdout)
    written = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert printed["findings"] == written["findings"] and len(printed["findings"]) > 10
    assert (tmp_path / "out" / "report.xlsx").stat().st_size > 0 and (tmp_path / "out" / "report.html").exists()


def test_a_script_calling_main_carries_on_after_the_audit(tmp_path):
    """Only the program (`run`: the console script, `python -m checker`) leaves without teardown; a script that
    calls `main` in its own process gets SystemExit and goes on."""
    import subprocess
    import sys

    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    code = ("import sys\nfrom checker.__main__ import main\n"
            f"sys.argv = ['buscheck', 'audit', {str(city / 'gtfs.zip')!r}, '--built-up', "
            f"{str(city / 'built_up.geojson')!r}, '--city', '示例市', '--profile', {str(city / 'profile.toml')!r}, "
            "'--format', 'json']\n"
            "try:\n    main()\nexcept SystemExit as done:\n    print('carried on', done.code, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "carried on 1" in run.stderr, run.stderr[-2000:]


def test_the_program_with_stdout_closed_still_exits_2_on_bad_input():
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", "import os, runpy, sys; os.close(1); sys.stdout = None; "
                          "sys.argv = ['buscheck', 'audit', 'x.zip', '--built-up', 'b.geojson', '--city', '广州', "
                          "'--date', '2099-13-01']; runpy.run_module('checker', run_name='__main__')"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr[-2000:]


@pytest.mark.parametrize("command", ["audit", "diff"])
def test_with_stdout_closed_the_files_are_written_or_it_exits_2_before_any_work(command, tmp_path):
    """Started with standard output closed (`>&-`): with --out the files are written and nothing is printed;
    without, the result has nowhere to go: exit 2 saying so, not an internal error once the work is done."""
    import subprocess
    import sys

    from tests.conftest import REPO

    city = REPO / "sample_feeds" / "sample_city"
    feeds = [str(city / "gtfs.zip")] * (2 if command == "diff" else 1)
    argv = ["buscheck", command, *feeds, "--built-up", str(city / "built_up.geojson"), "--city", "示例市",
            "--profile", str(city / "profile.toml"), "--format", "json"]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "import os, runpy, sys; os.close(1); sys.stdout = None; "
                               f"sys.argv = {[*argv, *extra]!r}; runpy.run_module('checker', run_name='__main__')"],
                              capture_output=True, text=True)

    closed = run()
    assert closed.returncode == 2 and "Standard output is closed" in closed.stderr and "标准输出已关闭" in closed.stderr, \
        closed.stderr[-2000:]
    written = run("--out", str(tmp_path / "out"))
    assert written.returncode in (0, 1) and not written.stderr, written.stderr[-2000:]
    assert (tmp_path / "out" / ("diff.json" if command == "diff" else "result.json")).is_file()


@pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(os, "mkfifo"), reason="POSIX devices and FIFOs")
@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_an_input_that_never_ends_or_blocks_is_refused_not_hashed(tmp_path, kind):
    """The inputs are hashed (for the provenance) while they load; a device or a pipe without a writer is
    refused by its loader, and the hash must neither read it for ever nor block the exit."""
    import subprocess
    import sys

    from tests.conftest import REPO

    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe")
    given = "/dev/zero" if kind == "device" else str(tmp_path / "pipe")
    city = REPO / "sample_feeds" / "sample_city"
    for threads in ("2", "1"):  # a batch worker's share of two cores: the hash runs before the loading
        run = subprocess.run([sys.executable, "-m", "checker", "audit", city / "gtfs.zip", "--built-up",
                              city / "built_up.geojson", "--city", "示例市", "--profile", city / "profile.toml",
                              "--facilities", given],
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "BUSCHECK_THREADS": threads})
        assert run.returncode == 2 and "facilities" in run.stderr, run.stderr[-1000:]
