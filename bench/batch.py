"""`python -m bench.batch`: a province batch of 21 generated prefecture feeds (prefecture preset, about 1.1 M
stop_times each, one seed each),
audited with --workers 1 (the sum of single-city times) and --workers 2, in fresh processes, --force so
that nothing is skipped. Prints the wall times, how close two workers come to half of one, and the goal of
issue 19 (bench/goals.py): the two-worker wall at most 1.1 x its total CPU time / 2."""

from __future__ import annotations

import csv
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.generate import generate
from bench.goals import compile_checker, table
from checker.pipeline import open_pack

DATA = Path(__file__).parent / "data" / "province"
PRESET = "prefecture"


def _manifest() -> Path:
    pack = open_pack(None)
    cities = [c["name"] for tier in pack.tiers if tier.id != "county" for c in tier.cities]
    lines = []
    for i, city in enumerate(cities):
        folder = DATA / f"{i:02d}"
        feed, polygon = folder / f"{PRESET}_gtfs.zip", folder / f"{PRESET}_built_up.geojson"
        if not feed.exists():
            print(f"generating feed {i + 1} of {len(cities)} ...", flush=True)
            generate(PRESET, folder, seed=20251013 + i)
        lines.append(f'[[city]]\nname = "{city}"\nfeed = "{feed}"\nbuilt_up = "{polygon}"\n')
    manifest = DATA / "manifest.toml"
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest


def _batch(manifest: Path, workers: int) -> tuple[float, float]:
    """Wall time and CPU time (user + system, all processes) of one batch run."""
    out = DATA / f"out{workers}"
    if out.is_dir() and not (out / ".buscheck-out").exists():  # the bench's own, from before folders were marked
        shutil.rmtree(out)
    command = [sys.executable, "-m", "checker", "batch", str(manifest), "--out", str(out),
               "--workers", str(workers), "--force"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"batch failed: {done.stdout}\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _city_seconds(out: Path) -> float:
    with (out / "summary.csv").open(encoding="utf-8-sig") as handle:
        return sum(float(row["seconds"]) for row in csv.DictReader(handle))


def main() -> None:
    compile_checker()
    manifest = _manifest()
    one, one_cpu = _batch(manifest, 1)
    single = _city_seconds(DATA / "out1")
    two, two_cpu = _batch(manifest, 2)
    print(f"\n21 prefecture feeds ({PRESET} preset):")
    print(f"  sum of single-city times (audit + reports, in one process): {single:.1f} s")
    print(f"  --workers 1: wall {one:.1f} s, CPU {one_cpu:.1f} s, {one_cpu / one:.2f} cores busy")
    print(f"  --workers 2: wall {two:.1f} s, CPU {two_cpu:.1f} s, {two_cpu / two:.2f} cores busy; "
          f"wall = {two / (single / 2):.2f} x half the sum of single-city times, {two / (two_cpu / 2):.2f} x half its CPU time")
    print("\nGoal (issue 19):\n")
    print(table({"batch_ratio": (two / (two_cpu / 2), f"wall {two:.1f} s, CPU {two_cpu:.1f} s")}, ["batch_ratio"]))


if __name__ == "__main__":
    main()
