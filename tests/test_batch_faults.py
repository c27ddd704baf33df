"""A batch survives its cities: a worker that dies is that city's error row and the rest go on; its --out is
replaced whole; `kill -9` leaves no worker behind; Ctrl-C and SIGTERM write the summary of the cities done."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from checker.batch.manifest import load_manifest
from checker.batch.runner import death_message, parse_memory, run_batch
from checker.errors import InputError
from checker.report.outdir import MARKER
from tests.conftest import REPO, feed_tables, wait_for, write_feed, write_polygon

CITIES = ["广州", "珠海", "汕头", "潮州"]
SUMMARY = ["summary.csv", "summary.html", "summary.xlsx"]


@pytest.fixture
def province(tmp_path):
    """Four cities on one small feed, each a fail (coverage) and none an error."""
    write_feed(tmp_path / "feed", feed_tables(routes={"R1": [360 + 15 * i for i in range(64)]}))
    write_polygon(tmp_path / "built_up.geojson")
    manifest = tmp_path / "province.toml"
    manifest.write_text('[defaults]\nbuilt_up = "built_up.geojson"\nfeed = "feed/gtfs.zip"\n\n'
                        + "".join(f'[[city]]\nname = "{name}"\n\n' for name in CITIES), encoding="utf-8")
    return manifest


def _summary(out: Path) -> dict[str, dict]:
    with (out / "summary.csv").open(encoding="utf-8-sig") as handle:
        return {row["city"]: row for row in csv.DictReader(handle)}


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _staging(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".buscheck-*") if p.name != MARKER]


@pytest.mark.parametrize("action, message", [
    ("kill", "worker died: killed by signal 9 (out of memory?)"),
    ("exit", "worker died: exited with status 7"),
    ("segv", "worker died: killed by signal 11 (SIGSEGV)"),
    ("panic", "Internal error: PanicException: injected panic"),
])
def test_a_dead_worker_is_its_citys_error_and_the_rest_go_on(province, tmp_path, cli, monkeypatch, action, message):
    monkeypatch.setenv("BUSCHECK_TEST_FAULT", f"worker:广州:{action}")
    out = tmp_path / "out"
    result = cli("batch", province, "--out", out, "--workers", 1)  # one worker: it must be replaced
    assert result.exit_code == 2, result.output  # a city's error
    rows = _summary(out)
    assert set(rows) == set(CITIES)
    assert rows["广州"]["status"] == "error" and message in rows["广州"]["error"]
    assert [rows[c]["status"] for c in CITIES[1:]] == ["fail", "fail", "fail"]
    for city in CITIES[1:]:
        assert (out / city / "report.html").is_file()
    assert _entries(out) == sorted([MARKER, *SUMMARY, *CITIES[1:]])  # no folder for the dead city
    assert _staging(tmp_path) == []


def test_over_max_memory_is_the_citys_error(province, tmp_path, cli, monkeypatch):
    monkeypatch.setenv("BUSCHECK_TEST_FAULT", "worker:珠海:memory")  # allocates until the limit stops it
    out = tmp_path / "out"
    result = cli("batch", province, "--out", out, "--workers", 2, "--max-memory", "1G")
    assert result.exit_code == 2, result.output
    rows = _summary(out)
    assert rows["珠海"]["status"] == "error" and "Out of memory" in rows["珠海"]["error"]
    assert [rows[c]["status"] for c in ("广州", "汕头", "潮州")] == ["fail"] * 3


def test_a_limit_too_small_for_any_city_ends_no_batch(province, tmp_path, cli, monkeypatch):
    """A real limit, no hook: every city runs out (a MemoryError, a polars panic, or an allocator's abort), the
    batch goes on to the summary. (With RUST_BACKTRACE=1 inherited, a panic's backtrace used to deadlock.)"""
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    out = tmp_path / "out"
    result = cli("batch", province, "--out", out, "--workers", 2, "--max-memory", "40M")
    assert result.exit_code == 2, result.output
    rows = _summary(out)
    assert [rows[c]["status"] for c in CITIES] == ["error"] * 4
    assert all("--max-memory" in r["error"] or "worker died" in r["error"] for r in rows.values()), rows


@pytest.mark.parametrize("text, size", [("2G", 2 << 30), ("1500M", 1500 << 20), ("4000000000", 4_000_000_000),
                                        ("2GiB", 2 << 30), ("0.5g", 1 << 29)])
def test_max_memory_sizes(text, size):
    assert parse_memory(text) == size


@pytest.mark.parametrize("text", ["lots", "-1G", "0", "2X"])
def test_bad_max_memory_is_exit_2(text):
    with pytest.raises(InputError):
        parse_memory(text)


def test_death_messages():
    assert death_message(-9, None) == "工作进程终止 / worker died: killed by signal 9 (out of memory?)"
    assert death_message(-6, 2 << 30).endswith("killed by signal 6 (SIGABRT; over --max-memory?)")
    assert death_message(1, None).endswith("exited with status 1")


def test_the_batch_out_holds_exactly_this_runs_files(province, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("batch", province, "--out", out, "--workers", 2).exit_code == 1
    assert _entries(out) == sorted([MARKER, *SUMMARY, *CITIES])
    kept = (out / "广州" / "report.html").stat().st_ino
    (out / "stray.txt").write_text("x", encoding="utf-8")
    text = province.read_text(encoding="utf-8")
    province.write_text(text.replace('[[city]]\nname = "潮州"\n', ""), encoding="utf-8")  # a city dropped
    rows = run_batch(load_manifest(province), out, workers=1)
    assert [r["skipped"] for r in rows] == [True, True, True]
    assert _entries(out) == sorted([MARKER, *SUMMARY, *CITIES[:3]])  # 潮州's folder and the stray file: gone
    assert (out / "广州" / "report.html").stat().st_ino == kept  # carried over by a hard link, not rewritten
    assert set(_summary(out)) == set(CITIES[:3]) and _staging(tmp_path) == []


def test_a_batch_out_with_foreign_files_is_refused(province, tmp_path, cli):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("batch", province, "--out", out, "--workers", 1)
    assert result.exit_code == 2 and "did not write" in result.output
    assert _entries(out) == ["notes.txt"]


# Whole processes: the batch as a user runs it -------------------------------------------------------------------


def _batch(province: Path, out: Path, fault: str, workers: int = 2) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "checker", "batch", str(province), "--out", str(out), "--workers", str(workers)],
        cwd=REPO, env={**os.environ, "BUSCHECK_TEST_FAULT": fault}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)


def _workers(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [c for c in children if "spawn_main" in " ".join(_cmdline(c))]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_kill_9_of_the_batch_leaves_no_process_and_the_next_run_no_staging(province, tmp_path):
    out = tmp_path / "out"
    batch = _batch(province, out, "worker:*:hang")
    try:
        wait_for(lambda: len(_workers(batch.pid)) == 2, 180)  # both workers started, auditing (hanging)
        family = psutil.Process(batch.pid).children(recursive=True)  # workers and multiprocessing's tracker
        batch.kill()
        batch.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p.pid for p in family if _alive(p)]  # no process alive after 5 s
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.communicate(timeout=30)
    assert len(_staging(tmp_path)) >= 1  # SIGKILL: the staged --out stays behind
    second = _batch(province, out, "")
    second.communicate(timeout=300)
    assert second.returncode == 1
    assert _staging(tmp_path) == [] and _entries(out) == sorted([MARKER, *SUMMARY, *CITIES])


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_batch_writes_the_summary_of_the_cities_done(province, tmp_path, signum, code):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM: no new city, workers
    killed, the summary of the cities done marked interrupted, exit 130 or 143, no traceback."""
    out = tmp_path / "out"
    batch = _batch(province, out, "worker:汕头:hang;worker:潮州:hang")
    try:
        # 广州 and 珠海 done: their folders in the staged --out, marked (the marker is written last)
        wait_for(lambda: len(list(tmp_path.glob(f".buscheck-*/*/{MARKER}"))) == 2, 180)
        wait_for(lambda: len(_workers(batch.pid)) == 2, 180)
        family = psutil.Process(batch.pid).children(recursive=True)
        start = time.monotonic()
        if signum == signal.SIGINT:
            os.killpg(batch.pid, signal.SIGINT)
        else:
            batch.send_signal(signal.SIGTERM)
        _, stderr = batch.communicate(timeout=60)
        took = time.monotonic() - start
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == code, stderr
    assert took < 10, took  # generous: measured 0.2-0.4 s on the 2-core development machine
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "Interrupted" in stderr
    deadline = time.monotonic() + 5  # multiprocessing's resource tracker ends when it sees its pipe closed
    while any(_alive(p) for p in family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p.pid for p in family if _alive(p)]
    rows = _summary(out)
    assert {c: rows[c]["status"] for c in CITIES} == {"广州": "fail", "珠海": "fail", "汕头": "interrupted",
                                                      "潮州": "interrupted"}
    assert "interrupted" in (out / "summary.html").read_text(encoding="utf-8")
    listing = sorted(str(p) for p in tmp_path.rglob("*"))
    assert _entries(out) == sorted([MARKER, *SUMMARY, "广州", "珠海"]) and _staging(tmp_path) == []
    time.sleep(1)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == listing  # no worker writes after the summary


def test_a_limit_met_after_start_up_ends_the_batch_instead_of_hanging_it(tmp_path):
    """Under a limit reached once the audit runs, a worker whose polars thread pool could not start its
    threads used to wait for ever (the sample city at 200M: every run hung); the pools now start before the
    limit. Run in a process of its own, so that a hang fails the test instead of stopping the suite."""
    sample = REPO / "sample_feeds" / "sample_city"
    manifest = tmp_path / "province.toml"
    manifest.write_text(f'[defaults]\nbuilt_up = "{sample / "built_up.geojson"}"\nfeed = "{sample / "gtfs.zip"}"\n\n'
                        + "".join(f'[[city]]\nname = "{name}"\n\n' for name in CITIES[:3]), encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "checker", "batch", str(manifest), "--out", str(out), "--workers", "2",
                          "--max-memory", "200M"], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.returncode in (1, 2), run.stderr
    assert set(_summary(out)) == set(CITIES[:3])
