"""Run a manifest's cities in parallel: worker processes on this machine, or a Dask distributed cluster.

Each city writes its own report folder; a city whose inputs, settings and rule pack hash as at its last
successful run is skipped. A city's bad input is recorded as its error and never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from checker import __version__
from checker.batch.manifest import CityJob
from checker.errors import InputError, excerpt
from checker.inputs import PATH_KEYS

HASH_FILE = ".inputs.sha256"
# Each worker gets its share of the cores: polars and the coverage union would otherwise each use them all.
THREAD_VARIABLES = ("POLARS_MAX_THREADS", "BUSCHECK_THREADS")


def inputs_hash(job: CityJob) -> str:
    """sha256 over every input file's bytes, the rule pack, the request's settings and buscheck's version."""
    from checker.pipeline import open_pack

    digest = hashlib.sha256(f"buscheck {__version__}\n".encode())
    request = asdict(job.request)
    settings = {k: (str(v) if v is not None else None) for k, v in request.items() if k not in PATH_KEYS}
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    try:
        digest.update(open_pack(job.request.rules).path.read_bytes())
    except InputError:
        digest.update(b"no pack")
    for key in PATH_KEYS:
        path = request[key]
        digest.update(f"\n{key}:".encode())
        if path is None:
            continue
        path = Path(path)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
            if file.exists():
                with file.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
    return digest.hexdigest()


def summary_row(job: CityJob, doc: dict, out_dir: Path) -> dict:
    """One city's line of the province summary, from its result document."""
    coverage, tier = doc["metrics"]["coverage"], doc["tier"]
    fails = {rule: counts["fail"] for rule, counts in doc["summary"]["by_rule"].items()}
    return {
        "city": job.name, "slug": job.slug, "folder": str(out_dir), "status": doc["summary"]["verdict"], "error": None,
        "tier": tier["id"], "tier_name": tier["name"], "coverage_min": tier["coverage_min"],
        "coverage_target": tier["coverage_target"], "coverage": coverage["ratio"],
        "coverage_margin": round(coverage["ratio"] - tier["coverage_min"], 6),
        "service_date": doc["service_date"]["date"], "route_directions": len(doc["metrics"]["routes"]),
        "failing_findings": doc["summary"]["counts"]["fail"], "fails_by_rule": fails, "seconds": None,
        "rules_not_assessed": ", ".join(doc["summary"]["rules_not_assessed"]),
        "not_assessed_rules": doc["summary"]["rules_not_assessed"],
    }


def error_row(job: CityJob, out_dir: Path, message: str) -> dict:
    return {"city": job.name, "slug": job.slug, "folder": str(out_dir), "status": "error", "error": message, "tier": None,
            "tier_name": None, "coverage_min": None, "coverage_target": None, "coverage": None,
            "coverage_margin": None, "service_date": None, "route_directions": None, "failing_findings": None,
            "fails_by_rule": {}, "seconds": None}


def audit_city(job: CityJob, out_dir: str, digest: str) -> dict:
    """Audit one city and write its reports (runs in a worker process or on a Dask worker)."""
    from checker.pipeline import run_audit
    from checker.report.document import to_document
    from checker.report.files import write_outputs

    folder = Path(out_dir)
    start = time.perf_counter()
    try:
        audit = run_audit(job.request)
        write_outputs(audit, folder)
    except InputError as error:
        return error_row(job, folder, error.message())
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # a bug in one city must not stop the province (PanicException included)
        return error_row(job, folder, f"内部错误 / Internal error: {type(error).__name__}: {excerpt(str(error), 300)}")
    (folder / HASH_FILE).write_text(digest + "\n", encoding="utf-8")
    return {**summary_row(job, to_document(audit.result), folder), "seconds": round(time.perf_counter() - start, 3)}


def previous_row(job: CityJob, folder: Path, digest: str) -> dict | None:
    """The city's row from its last run, if that run succeeded on the same inputs."""
    marker, result = folder / HASH_FILE, folder / "result.json"
    if not (marker.is_file() and result.is_file()) or marker.read_text(encoding="utf-8").strip() != digest:
        return None
    return {**summary_row(job, json.loads(result.read_text(encoding="utf-8")), folder), "skipped": True}


def run_local(calls: list[tuple], workers: int) -> Iterator[dict]:
    """audit_city for each (job, out_dir, digest) in `workers` spawned processes (polars and GEOS threads do
    not survive fork)."""
    if workers <= 1:
        for call in calls:
            yield audit_city(*call)
        return
    context = multiprocessing.get_context("spawn")
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: threads for name in THREAD_VARIABLES})  # inherited by the spawned workers
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(audit_city, *call) for call in calls]
            for future in as_completed(futures):
                yield future.result()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dask(calls: list[tuple], scheduler: str) -> Iterator[dict]:
    """The same calls on a Dask distributed cluster; its workers need buscheck installed and the input paths."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise InputError("--scheduler", "Dask distributed is not installed: pip install 'buscheck[cluster]'.",
                         "未安装 Dask distributed：请执行 pip install 'buscheck[cluster]'。") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise InputError("--scheduler", f"Cannot reach the Dask scheduler ({exc}).", "无法连接 Dask 调度器。",
                         value=scheduler) from None
    with client:
        futures = [client.submit(audit_city, *call, pure=False) for call in calls]
        for future in dask_completed(futures):
            yield future.result()


def run_batch(jobs: list[CityJob], out: Path, workers: int, scheduler: str | None = None, force: bool = False,
              progress: Callable[[dict], None] | None = None) -> list[dict]:
    """Every city's summary row, in manifest order; cities with unchanged inputs are skipped unless `force`."""
    rows: dict[str, dict] = {}
    calls = []
    for job in jobs:
        folder = out / job.slug
        digest = inputs_hash(job)
        previous = None if force else previous_row(job, folder, digest)
        if previous is not None:
            rows[job.slug] = previous
            if progress:
                progress(previous)
        else:
            calls.append((job, str(folder), digest))
    results = run_dask(calls, scheduler) if scheduler else run_local(calls, workers)
    for row in results:
        rows[row["slug"]] = {**row, "skipped": False}
        if progress:
            progress(row)
    return [rows[job.slug] for job in jobs]
