"""`make bench`: buscheck against the parse floor and against gtfs-kit, on generated feeds, on this machine.

(a) floor: unzip stop_times.txt and parse the columns an audit needs with polars;
(b) a full `buscheck audit` of the same zip in a fresh process (wall time, peak memory);
(c) gtfs-kit: read_feed + compute_trip_stats + compute_route_stats for the same date and peak window.
Medians of --repeat runs for (a) and (b); (c) runs once (it takes minutes on the large feed).
Benchmarks are not tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import io
import resource
import statistics
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import polars as pl

from bench.generate import generate

DATA = Path(__file__).parent / "data"
DATE = "2026-03-02"  # a Monday in the generated calendar
COLUMNS = ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]


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


def audit(feed: Path, polygon: Path, *extra: str) -> float:
    command = [sys.executable, "-m", "checker", "audit", str(feed), "--built-up", str(polygon), "--city", "广州",
               *(extra or ("--date", DATE)), "--format", "json"]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1, 4):
        raise SystemExit(f"audit failed: {done.stderr}")
    return elapsed


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


def diff(feed: Path, polygon: Path) -> float:
    """`buscheck diff` of the feed against its renamed copy, in a fresh process."""
    command = [sys.executable, "-m", "checker", "diff", str(feed), str(renamed_copy(feed)), "--built-up", str(polygon),
               "--city", "广州", "--old-date", DATE, "--new-date", DATE, "--format", "json"]
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"diff failed: {done.stderr}")
    return elapsed


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--presets", nargs="+", default=["small", "large"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-gtfs-kit", action="store_true", help="leave out (c), which takes minutes")
    parser.add_argument("--skip-diff", action="store_true", help="leave out buscheck diff of the large feed")
    args = parser.parse_args()

    rows = []
    coverage_s = None
    for preset in args.presets:
        feed, polygon = _feed(preset)
        floors = [floor(feed) for _ in range(args.repeat)]
        rows_count = floors[0][1]
        a = statistics.median(t for t, _ in floors)
        b = statistics.median(audit(feed, polygon) for _ in range(args.repeat))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        c = None if args.skip_gtfs_kit else gtfs_kit_path(feed)
        rows.append((preset, rows_count, a, b, peak_mb, c))
        if preset == "large":
            coverage_s = statistics.median(coverage_only(polygon) for _ in range(args.repeat))
            week_s = audit(feed, polygon, "--week")
            print(f"--week (weekday, Saturday, Sunday) of the large feed: {week_s:.2f} s ({week_s / b:.1f}x one day)",
                  flush=True)
            if not args.skip_diff:
                diff_s = diff(feed, polygon)
                print(f"diff of the large feed and its renamed copy: {diff_s:.2f} s ({diff_s / b:.1f}x one audit)",
                      flush=True)
        print(f"{preset}: done", flush=True)

    print("\n| feed | stop_times | (a) parse floor | (b) buscheck audit | b/a | peak memory (b) | (c) gtfs-kit | c/b |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for preset, count, a, b, peak, c in rows:
        kit = f"{c:.1f} s | {c / b:.0f}x" if c is not None else "not run | -"
        print(f"| {preset} | {count:,} | {a:.2f} s | {b:.2f} s | {b / a:.1f}x | {peak:,.0f} MB | {kit} |")
    print("\n(peak memory is the largest of all audit processes run so far; run one preset alone for its own)")
    if coverage_s is not None:
        print(f"coverage alone: 20,000 stops over the large built-up polygon in {coverage_s:.2f} s (median)")


if __name__ == "__main__":
    main()
