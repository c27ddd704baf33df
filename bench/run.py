"""`make bench`: buscheck against the parse floor and against gtfs-kit, on generated feeds, on this machine.

Per preset (bench/generate.py; small and large by default):
(a) floor: unzip stop_times.txt with zipfile and parse the columns an audit needs with polars (median of
    --repeat); with isal installed, the same parse after ISA-L's inflate is printed too, for information only:
    the goals are against the zipfile floor;
(b) a full `buscheck audit --format json` of the same zip, each run in a fresh process, timed and with that
    process's own peak memory (os.wait4): median, min-max spread and the largest peak of --repeat runs;
(c) the audit with --out (every report written), with --week (three day types), and `buscheck diff`
    of the feed against a copy with every id renamed, each in a fresh process (median of up to 3 runs each);
(a), (b) and (c) run in rounds, one of each per round (c in the first three only), so that each figure and
    the audit it is compared with are measured over the same minutes of a machine whose speed drifts;
(d) gtfs-kit: read_feed + compute_trip_stats + compute_route_stats for the same date and peak window (once;
    minutes on the large feed).
Then a markdown table of every figure of issue 19 against its goal (bench/goals.py); the batch goal is
bench.batch's. Benchmarks are not tests: nothing here asserts a time.

The xlarge preset (about 10 M stop_times; not run by default, it takes minutes) gets (a) and (b) only, to
show the audit staying within its ratio to the floor and its memory per M stop_times against large's:
    python -m bench.run --presets large xlarge --repeat 3
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from bench.generate import generate
from bench.goals import compile_checker, table

DATA = Path(__file__).parent / "data"
DATE = "2026-03-02"  # a Monday in the generated calendar
COLUMNS = ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]
AUDIT_ONLY = {"xlarge"}  # presets that get (a) and (b) only
MAXRSS_BYTES = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux


def _feed(preset: str) -> tuple[Path, Path]:
    feed, polygon = DATA / f"{preset}_gtfs.zip", DATA / f"{preset}_built_up.geojson"
    if not (feed.exists() and polygon.exists()):
        print(f"generating the {preset} feed ...", flush=True)
        generate(preset, DATA)
    return feed, polygon


def floor(feed: Path) -> tuple[float, int]:
    start = time.perf_counter()
    with zipfile.ZipFile(feed) as archive:
        data = archive.read("stop_times.txt")
    frame = pl.read_csv(io.BytesIO(data), columns=COLUMNS, infer_schema=False)
    return time.perf_counter() - start, frame.height


def floor_isal(feed: Path) -> float | None:
    """The floor with stop_times.txt inflated as buscheck inflates it (ISA-L, its CRC checked); None without isal."""
    try:
        import isal  # noqa: F401  without it buscheck inflates with zlib, and this floor is the one above
    except ImportError:
        return None
    from checker.load.archive import FeedSource

    start = time.perf_counter()
    data = FeedSource(feed).read("stop_times.txt")
    pl.read_csv(io.BytesIO(data), columns=COLUMNS, infer_schema=False)
    return time.perf_counter() - start


def apart(name: str, path: Path) -> Any:
    """`name(path)` of this module in a fresh process, its result read back. This process stays small: on Linux a
    child's peak memory (ru_maxrss) starts from its parent's at fork, so a parent that had parsed a feed itself
    would inflate every audit's figure."""
    code = f"import json, sys; from bench.run import {name}; print(json.dumps({name}(__import__('pathlib').Path(sys.argv[1]))))"
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent)
    if done.returncode:
        raise SystemExit(f"{name} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@dataclass(frozen=True)
class Run:
    """One fresh process: wall seconds, its own peak memory (MB, 10^6 bytes) and CPU seconds."""
    seconds: float
    peak_mb: float
    cpu: float


def child(command: list[str], ok: tuple[int, ...], what: str) -> Run:
    """Run `command` in a fresh process; os.wait4 gives that process's own rusage (RUSAGE_CHILDREN would give
    the largest peak of every child so far)."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
        if process.returncode not in ok:
            errors.seek(0)
            raise SystemExit(f"{what} failed (exit status {process.returncode}): "
                             f"{errors.read().decode(errors='replace')[-3000:]}")
    return Run(elapsed, usage.ru_maxrss * MAXRSS_BYTES / 1e6, usage.ru_utime + usage.ru_stime)


def median_run(runs: list[Run]) -> Run:
    """The run of median time (of an odd number; the slower middle one of an even number), with the largest
    peak memory of all."""
    middle = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
    return Run(middle.seconds, max(run.peak_mb for run in runs), middle.cpu)


def audit(feed: Path, polygon: Path, *extra: str) -> Run:
    """`buscheck audit` of one day (or `extra` options instead of --date) in a fresh process."""
    command = [sys.executable, "-m", "checker", "audit", str(feed), "--built-up", str(polygon), "--city", "广州",
               *(extra or ("--date", DATE)), "--format", "json"]
    return child(command, (0, 1, 4), "audit")


def audit_out(feed: Path, polygon: Path) -> Run:
    """The one-day audit writing every report (--out) into a new temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="buscheck-bench-"))
    try:
        return audit(feed, polygon, "--date", DATE, "--out", str(folder / "out"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def renamed_copy(feed: Path) -> Path:
    """The same feed as a new export would give it: every route, trip, stop and service id renamed."""
    target = feed.with_name(feed.stem + "_renamed.zip")
    if target.exists():
        return target
    with zipfile.ZipFile(feed) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            frame = pl.read_csv(io.BytesIO(source.read(name)), infer_schema=False)
            ids = [c for c in ("route_id", "trip_id", "stop_id", "service_id", "parent_station") if c in frame.columns]
            frame = frame.with_columns(pl.when(pl.col(c).is_not_null()).then(pl.lit("v2-") + pl.col(c)).alias(c)
                                       for c in ids)
            out.writestr(name, frame.write_csv())
    return target


def diff(feed: Path, polygon: Path) -> Run:
    """`buscheck diff` of the feed against its renamed copy, in a fresh process."""
    command = [sys.executable, "-m", "checker", "diff", str(feed), str(renamed_copy(feed)), "--built-up", str(polygon),
               "--city", "广州", "--old-date", DATE, "--new-date", DATE, "--format", "json"]
    return child(command, (0, 1), "diff")


def coverage_only(polygon: Path, stops: int = 20_000) -> float:
    """Coverage alone: `stops` random points over the polygon's bounding box (the issue's 20,000-stop case)."""
    import numpy as np

    from checker.load.built_up import load_built_up
    from checker.metrics.coverage import compute_coverage

    area = load_built_up(polygon).geometry
    minx, miny, maxx, maxy = area.bounds
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(minx, maxx, stops), rng.uniform(miny, maxy, stops)
    start = time.perf_counter()
    compute_coverage(area, lon, lat, 500)
    return time.perf_counter() - start


def gtfs_kit_path(feed: Path) -> float:
    import gtfs_kit as gk

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = gk.read_feed(feed, dist_units="km")
        stats = gk.compute_trip_stats(loaded)
        gk.compute_route_stats(loaded, dates=[DATE.replace("-", "")], trip_stats=stats,
                               headway_start_time="07:00:00", headway_end_time="09:00:00", split_directions=True)
    return time.perf_counter() - start


@dataclass
class Measured:
    preset: str
    stop_times: int
    floor: float  # median seconds
    floor_isal: float | None
    audits: list[Run]
    out: Run | None = None
    week: Run | None = None
    diff: Run | None = None
    gtfs_kit: float | None = None

    @property
    def audit(self) -> float:
        return statistics.median(run.seconds for run in self.audits)

    @property
    def spread(self) -> str:
        times = [run.seconds for run in self.audits]
        return f"{min(times):.2f}–{max(times):.2f} s"

    @property
    def peak_mb(self) -> float:
        return max(run.peak_mb for run in self.audits)

    @property
    def mb_per_million(self) -> float:
        return self.peak_mb / (self.stop_times / 1e6)


def measure(preset: str, args: argparse.Namespace) -> Measured:
    """--repeat rounds, each running (a) and (b), and in the first three (c), one after the other: this shared
    machine's speed drifts from minute to minute, and in rounds every figure and the audit it is compared
    with are measured over the same minutes (in blocks, the floors could fall in a fast minute and the
    audits in a slow one)."""
    feed, polygon = _feed(preset)
    with_c = preset not in AUDIT_ONLY
    if with_c and not args.skip_diff:
        renamed_copy(feed)  # made once, outside the timing
    floors, isal, audits, outs, weeks, diffs = [], [], [], [], [], []
    for round_ in range(args.repeat):
        floors.append(apart("floor", feed))
        isal.append(apart("floor_isal", feed))
        audits.append(audit(feed, polygon))
        if with_c and round_ < 3:
            if not args.skip_out:
                outs.append(audit_out(feed, polygon))
            if not args.skip_week:
                weeks.append(audit(feed, polygon, "--week"))
            if not args.skip_diff:
                diffs.append(diff(feed, polygon))
    done = Measured(preset, floors[0][1], statistics.median(t for t, _ in floors),
                    None if None in isal else statistics.median(t for t in isal if t is not None), audits,
                    median_run(outs) if outs else None, median_run(weeks) if weeks else None,
                    median_run(diffs) if diffs else None)
    print(f"{preset}: {done.stop_times:,} stop_times; floor {done.floor:.2f} s; audit {done.audit:.2f} s "
          f"(median of {args.repeat}, {done.spread}), {done.audit / done.floor:.2f}x the floor; "
          f"peak memory {done.peak_mb:,.0f} MB ({done.mb_per_million:,.0f} MB per M stop_times)", flush=True)
    if done.floor_isal is not None:
        print(f"  (information: the floor with ISA-L's inflate instead of zipfile's: {done.floor_isal:.2f} s; "
              f"audit / that floor {done.audit / done.floor_isal:.2f}x. The goals are against the zipfile floor.)",
              flush=True)
    if done.out:
        print(f"  --out (every report): {done.out.seconds:.2f} s, {done.out.seconds - done.audit:+.2f} s on the "
              f"median audit; peak memory {done.out.peak_mb:,.0f} MB", flush=True)
    if done.week:
        print(f"  --week (weekday, Saturday, Sunday): {done.week.seconds:.2f} s, {done.week.seconds / done.audit:.2f}x "
              f"one day; peak memory {done.week.peak_mb:,.0f} MB", flush=True)
    if done.diff:
        print(f"  diff against the renamed copy: {done.diff.seconds:.2f} s, {done.diff.seconds / done.audit:.2f}x "
              f"one audit; peak memory {done.diff.peak_mb:,.0f} MB", flush=True)
    if not with_c:
        return done
    if not args.skip_gtfs_kit:
        done.gtfs_kit = apart("gtfs_kit_path", feed)
        print(f"  gtfs-kit path: {done.gtfs_kit:.1f} s, {done.gtfs_kit / done.audit:.0f}x the audit", flush=True)
    if preset == "large":
        coverage_s = statistics.median(apart("coverage_only", polygon) for _ in range(args.repeat))
        print(f"  coverage alone: 20,000 stops over the large built-up polygon in {coverage_s:.2f} s (median)",
              flush=True)
    return done


def goal_figures(results: dict[str, Measured]) -> dict[str, tuple[float, str]]:
    """The figures of bench/goals.py that these runs measured."""
    figures: dict[str, tuple[float, str]] = {}
    if small := results.get("small"):
        figures["small_audit"] = (small.audit, f"{small.spread} over {len(small.audits)}")
    if large := results.get("large"):
        figures["large_ratio"] = (large.audit / large.floor,
                                  f"audit {large.audit:.2f} s, {large.spread}; floor {large.floor:.2f} s")
        figures["large_memory"] = (large.peak_mb, f"largest of {len(large.audits)} runs")
        if large.out:
            figures["large_out"] = (large.out.seconds - large.audit,
                                    f"{large.out.seconds:.2f} s vs {large.audit:.2f} s, medians")
        if large.week:
            figures["week_ratio"] = (large.week.seconds / large.audit, f"{large.week.seconds:.2f} s")
        if large.diff:
            figures["diff_ratio"] = (large.diff.seconds / large.audit, f"{large.diff.seconds:.2f} s")
        if large.gtfs_kit is not None:
            figures["gtfs_kit_ratio"] = (large.gtfs_kit / large.audit, f"{large.gtfs_kit:.1f} s")
    if xlarge := results.get("xlarge"):
        figures["xlarge_ratio"] = (xlarge.audit / xlarge.floor, f"{xlarge.stop_times / 1e6:.1f} M stop_times; audit "
                                   f"{xlarge.audit:.2f} s, {xlarge.spread}; floor {xlarge.floor:.2f} s")
        if large:
            figures["xlarge_memory_growth"] = (
                xlarge.mb_per_million / large.mb_per_million,
                f"{xlarge.mb_per_million:,.0f} vs {large.mb_per_million:,.0f} MB per M; "
                f"{xlarge.peak_mb:,.0f} vs {large.peak_mb:,.0f} MB")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["small", "large"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-gtfs-kit", action="store_true", help="leave out (d), which takes minutes")
    parser.add_argument("--skip-diff", action="store_true", help="leave out buscheck diff")
    parser.add_argument("--skip-week", action="store_true", help="leave out the --week audit")
    parser.add_argument("--skip-out", action="store_true", help="leave out the audit with --out")
    args = parser.parse_args()

    compile_checker()
    results = {preset: measure(preset, args) for preset in args.presets}

    print("\n| feed | stop_times | (a) parse floor | (b) audit, median | spread | b/a | peak memory (b) "
          "| per M stop_times | --out adds | --week / day | diff / audit | (d) gtfs-kit | d/b |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results.values():
        out = f"{r.out.seconds - r.audit:+.2f} s" if r.out else "-"
        week = f"{r.week.seconds / r.audit:.2f}x" if r.week else "-"
        changed = f"{r.diff.seconds / r.audit:.2f}x" if r.diff else "-"
        kit = f"{r.gtfs_kit:.1f} s | {r.gtfs_kit / r.audit:.0f}x" if r.gtfs_kit is not None else "not run | -"
        print(f"| {r.preset} | {r.stop_times:,} | {r.floor:.2f} s | {r.audit:.2f} s | {r.spread} "
              f"| {r.audit / r.floor:.2f}x | {r.peak_mb:,.0f} MB | {r.mb_per_million:,.0f} MB | {out} | {week} "
              f"| {changed} | {kit} |")
    print(f"\nmedians of {args.repeat}; each audit in a fresh process, peak memory its own (the largest over its runs; "
          "MB = 10^6 bytes); --out, --week and diff medians of up to 3, gtfs-kit once.")
    print("\nGoals (issue 19):\n")
    print(table(goal_figures(results), not_run={"batch_ratio": "see `python -m bench.batch`"}))


if __name__ == "__main__":
    main()
