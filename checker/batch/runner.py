"""Run a manifest's cities in parallel: worker processes on this machine, or a Dask distributed cluster.

The batch's --out is replaced whole (report/outdir.py): the run stages a sibling folder, writes each city's folder
and the summary into it, and swaps it in at the end. A city whose inputs, settings and rule pack hash as at its
last successful run is skipped: its previous folder is carried into the staged one (hard links, else a copy).
Folders of cities no longer in the manifest, and any other stale file, go with the old --out.

Faults stay with their city:
- a city's bad input, a bug, MemoryError (the --max-memory limit reached) or a polars panic is that city's error;
- a worker process that dies (killed by the OOM killer or by signal, a native crash, os._exit) is that city's
  error row ("worker died: killed by signal 9 (out of memory?)"), the dead worker is replaced and the other
  cities go on;
- workers end when the batch does: they are killed when it ends or is interrupted, and each asks the kernel to
  SIGKILL it when its parent dies (PR_SET_PDEATHSIG; elsewhere a thread watches the parent pid), so a `kill -9`
  of the batch leaves no worker auditing;
- Ctrl-C or SIGTERM: no new city starts, the workers are killed (none writes after the summary), the summary of
  the cities done so far is written marked as interrupted, and the interrupt goes on (exit 130 or 143).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from checker import __version__, faults
from checker.batch.manifest import CityJob
from checker.errors import InputError, Interrupted, excerpt
from checker.inputs import PATH_KEYS

HASH_FILE = ".inputs.sha256"
# Each worker gets its share of the cores: polars and the coverage union would otherwise each use them all.
THREAD_VARIABLES = ("POLARS_MAX_THREADS", "BUSCHECK_THREADS")
INTERRUPTED = "interrupted"


def inputs_hash(job: CityJob) -> str:
    """sha256 over every input file's bytes, the rule pack, the request's settings and buscheck's version."""
    from checker.load.pack import pack_path  # not the pipeline: the parent process stays light

    digest = hashlib.sha256(f"buscheck {__version__}\n".encode())
    request = asdict(job.request)
    settings = {k: (str(v) if v is not None else None) for k, v in request.items() if k not in PATH_KEYS}
    digest.update(json.dumps(settings, sort_keys=True, default=str).encode())
    try:
        digest.update(pack_path(job.request.rules).read_bytes())
    except (InputError, OSError):
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


def error_row(job: CityJob, out_dir: Path, message: str, status: str = "error") -> dict:
    return {"city": job.name, "slug": job.slug, "folder": str(out_dir), "status": status, "error": message, "tier": None,
            "tier_name": None, "coverage_min": None, "coverage_target": None, "coverage": None,
            "coverage_margin": None, "service_date": None, "route_directions": None, "failing_findings": None,
            "fails_by_rule": {}, "seconds": None}


def _fatal(error: BaseException) -> bool:
    """Errors after which a worker process is not trusted with another city."""
    return isinstance(error, MemoryError) or type(error).__name__ == "PanicException"


def audit_city(job: CityJob, out_dir: str, digest: str) -> dict:
    """Audit one city and write its folder (runs in a worker process or on a Dask worker). Every error is the
    city's row; `fatal` in the row says the process should not audit another city."""
    from checker.pipeline import run_audit
    from checker.report.document import to_document
    from checker.report.files import write_outputs

    folder = Path(out_dir)
    start = time.perf_counter()
    try:
        faults.inject("worker", job.name)
        audit = run_audit(job.request)
        doc = to_document(audit.result)  # once, for the city's files and its summary row
        write_outputs(audit, folder, extra={HASH_FILE: digest + "\n"}, doc=doc)
    except InputError as error:
        return error_row(job, folder, error.message())
    except MemoryError:
        return {**error_row(job, folder, "内存不足 / Out of memory (the --max-memory limit, or the machine's)"),
                "fatal": True}
    except (KeyboardInterrupt, Interrupted, SystemExit):
        raise
    except BaseException as error:  # a bug, or a native library's panic, in one city must not stop the province
        row = error_row(job, folder, f"内部错误 / Internal error: {type(error).__name__}: {excerpt(str(error), 300)}")
        return {**row, "fatal": True} if _fatal(error) else row
    return {**summary_row(job, doc, folder), "seconds": round(time.perf_counter() - start, 3)}


def previous_row(job: CityJob, folder: Path, digest: str) -> dict | None:
    """The city's row from its last run, if that run succeeded on the same inputs."""
    marker, result = folder / HASH_FILE, folder / "result.json"
    try:
        if not (marker.is_file() and result.is_file()) or marker.read_text(encoding="utf-8").strip() != digest:
            return None
        return {**summary_row(job, json.loads(result.read_text(encoding="utf-8")), folder), "skipped": True}
    except (OSError, ValueError, KeyError, TypeError):  # an unreadable or damaged earlier result: audit again
        return None


# Worker processes ---------------------------------------------------------------------------------------------


def parse_memory(text: str | None) -> int | None:
    """--max-memory: bytes, or a number with K, M, G or T (powers of 1024; "2G", "1500M", "2GiB")."""
    if text is None:
        return None
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", str(text), re.I)
    if not found or float(found.group(1)) <= 0:
        raise InputError("--max-memory", "Expected a size such as 2G, 1500M or 4000000000.",
                         "应为大小，如 2G、1500M 或 4000000000。", value=text)
    power = " KMGT".index(found.group(2).upper() or " ")
    return int(float(found.group(1)) * 1024 ** power)


def _die_with_parent(parent: int) -> None:
    """The kernel kills this process when its parent dies (Linux); elsewhere a thread watches the parent."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the call above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="buscheck-parent-watch").start()


def _start_polars_threads() -> None:
    """Polars starts its thread pools (the CSV reader's and the streaming engine's among them) on first use; under
    --max-memory a pool that cannot start its threads left the worker waiting for ever. Started here, before the
    limit, they cost no more later."""
    import io

    import polars as pl

    frame = pl.read_csv(io.BytesIO(b"a,b\n1,x\n2,y\n"), infer_schema=False)
    frame.lazy().group_by("b").agg(pl.len()).collect()
    frame.lazy().select(pl.col("a").str.len_bytes().sum()).collect(engine="streaming")


def worker_main(connection: Connection, parent: int, max_memory: int | None) -> None:
    """A batch worker: audits the cities it is sent, one at a time, until told to stop or its parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent handles it
    _die_with_parent(parent)
    import checker.pipeline  # noqa: F401  imports before the memory limit, which is for the audit
    import checker.report.files  # noqa: F401

    if max_memory:
        _start_polars_threads()
        import resource  # POSIX only

        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = max_memory if hard == resource.RLIM_INFINITY else min(max_memory, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    while True:
        try:
            call = connection.recv()
        except (EOFError, OSError):
            call = None
        if call is None:  # the batch is done (or gone): leave without the interpreter's teardown, which
            _leave()  # frees the last city's objects one by one while the batch waits (0.2 s)
        row = audit_city(*call)
        if row.get("fatal") and max_memory and "--max-memory" not in row["error"]:
            row["error"] += f" (--max-memory {max_memory / (1 << 20):.0f} MiB reached?)"
        try:
            connection.send(row)
        except OSError:
            return
        if row.get("fatal"):
            return  # a fresh worker takes the next city


def _leave() -> None:
    """End this worker now: everything it wrote is closed, and its row sent."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            if stream is not None:  # None: started with the stream closed
                stream.flush()
    os._exit(0)


def death_message(exitcode: int | None, max_memory: int | None) -> str:
    """Why a worker process ended without answering."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if number == signal.SIGKILL:
            hint = "out of memory?"
        elif max_memory and number in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS):
            hint = f"{name}; over --max-memory?"
        else:
            hint = name
        return f"工作进程终止 / worker died: killed by signal {number} ({hint})"
    return f"工作进程终止 / worker died: exited with status {exitcode}"


class _Worker:
    def __init__(self, context: Any, max_memory: int | None):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, os.getpid(), max_memory), daemon=True,
                                       name="buscheck-worker")
        self.process.start()
        child.close()
        self.call: tuple | None = None
        self.retiring = False  # it answered after a fatal error and is ending: give it nothing more

    def give(self, call: tuple) -> None:
        self.call = call
        try:
            self.connection.send(call)
        except OSError:  # already dead: seen, and the city's error written, when its exit is noticed
            pass

    def answer(self) -> dict | None:
        """Its row, if one is waiting (also after the process has ended)."""
        try:
            if self.call is None or not self.connection.poll():
                return None
            row = self.connection.recv()
        except (EOFError, OSError):
            return None
        self.call = None
        self.retiring = bool(row.get("fatal"))
        return row

    def end(self, wait_s: float = 0) -> None:
        if wait_s and self.process.is_alive():
            try:
                self.connection.send(None)
            except OSError:
                pass
            self.process.join(wait_s)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.connection.close()


@contextlib.contextmanager
def _worker_environment(workers: int) -> Iterator[None]:
    """Inherited by the spawned workers: their share of the cores; and no Rust backtraces (a panic's message is
    the city's error row; printing a backtrace allocates, and under --max-memory a panic whose backtrace cannot
    be allocated deadlocked the worker; BUSCHECK_DEBUG=1 keeps them)."""
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    variables = {name: threads for name in THREAD_VARIABLES}
    if not os.environ.get("BUSCHECK_DEBUG"):
        variables["RUST_BACKTRACE"] = "0"
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_local(calls: Iterable[tuple], workers: int, max_memory: int | None = None) -> Generator[dict, None, None]:
    """audit_city for each (job, out_dir, digest) in up to `workers` spawned processes (polars and GEOS threads
    do not survive fork); a worker that dies is that city's error row and is replaced. `calls` is drawn as
    workers come free, so that the next cities' inputs are hashed while the first ones are audited; the
    workers start with the first call. Closing the generator (or an interrupt while it waits) kills the
    workers."""
    pending = iter(calls)
    upcoming = next(pending, None)
    if upcoming is None:
        return
    context = multiprocessing.get_context("spawn")
    pool: list[_Worker] = []
    with _worker_environment(workers):
        try:
            while upcoming is not None or any(w.call is not None for w in pool):
                for worker in pool:
                    if worker.call is None and not worker.retiring and upcoming is not None:
                        worker.give(upcoming)
                        upcoming = next(pending, None)
                while len([w for w in pool if not w.retiring]) < workers and upcoming is not None:
                    worker = _Worker(context, max_memory)
                    pool.append(worker)
                    worker.give(upcoming)
                    upcoming = next(pending, None)
                wait([w.connection for w in pool if w.call is not None] + [w.process.sentinel for w in pool],
                     timeout=2)
                for worker in list(pool):
                    row = worker.answer()
                    if row is not None:
                        yield row
                    if worker.process.is_alive():
                        continue
                    row = worker.answer()  # sent just before it ended
                    if row is not None:
                        yield row
                    pool.remove(worker)
                    worker.end()
                    if worker.call is not None:  # it died with a city: that city's error
                        job, out_dir, _ = worker.call
                        yield error_row(job, Path(out_dir), death_message(worker.process.exitcode, max_memory))
        finally:
            for worker in pool:
                worker.end(wait_s=1 if worker.call is None else 0)


def run_dask(calls: list[tuple], scheduler: str) -> Generator[dict, None, None]:
    """The same calls on a Dask distributed cluster; its workers need buscheck installed and the input paths.
    A task that fails there (Dask gives up on a city whose worker keeps dying: KilledWorker) is that city's
    error."""
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
        futures = {client.submit(audit_city, *call, pure=False): call for call in calls}
        try:
            for future in dask_completed(list(futures)):
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - the city's error, whatever the cluster says
                    job, out_dir, _ = futures[future]
                    yield error_row(job, Path(out_dir), f"Dask: {type(error).__name__}: {error}")
        finally:
            client.cancel(list(futures))


# The batch ----------------------------------------------------------------------------------------------------


def _carry(previous: Path, staged: Path) -> None:
    """An unchanged city's folder into the staged --out: hard links (no copy), else a copy."""
    try:
        shutil.copytree(previous, staged, copy_function=os.link)
    except OSError:
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(previous, staged)


def _tidy(staged: Path, done: set[str]) -> None:
    """Before the switch: the staged --out holds the folders of the cities done and nothing else (a worker killed
    while writing leaves its own staging folder here; every worker has ended by now)."""
    from checker.report.outdir import LOCK

    for entry in staged.iterdir():
        if entry.name in done or entry.name == LOCK:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _folder(out: Path, slug: str) -> Path:
    folder = out / slug
    if slug in ("", ".", "..") or folder.parent != out or os.sep in slug or (os.altsep and os.altsep in slug):
        raise ValueError(f"city folder {slug!r} would not be inside {out}")
    return folder


def feed_bytes(job: CityJob) -> int:
    """How large a city's feed is on disk (a zip; a folder's stop_times.txt): the measure of its audit's
    length that the dispatch order uses. 0 when it cannot be read (the worker reports that)."""
    if not isinstance(job.request.feed, str | Path):  # the Python API's feed in memory
        return 0
    feed = Path(job.request.feed)
    try:
        return (feed / "stop_times.txt").stat().st_size if feed.is_dir() else feed.stat().st_size
    except OSError:
        return 0


def largest_first(jobs: list[CityJob]) -> list[CityJob]:
    """The cities in the order they are given to workers: the largest feeds first (ties in manifest order), so
    that the last city to finish is a small one and no worker waits long for the others at the end (a
    provincial capital audited last would run alone). The summary keeps the manifest's order."""
    return sorted(jobs, key=lambda job: -feed_bytes(job))


def _summary_writer() -> Callable[..., list[Path]]:
    """write_summary, imported when first needed: its openpyxl would delay the workers' start by 0.14 s."""
    from checker.report.summary import write_summary

    return write_summary


def run_batch(jobs: list[CityJob], out: Path, workers: int, scheduler: str | None = None, force: bool = False,
              progress: Callable[[dict], None] | None = None, max_memory: int | None = None,
              inputs: list[Path] | None = None) -> list[dict]:
    """Audit every city into `out` (replaced whole) and write the summary there; every city's summary row, in
    manifest order. Cities with unchanged inputs are skipped unless `force`. When interrupted after at least
    one city is done, the summary of those is written (the others marked interrupted) and the interrupt raised
    again; interrupted earlier, `out` is left as it was."""
    from checker.report.outdir import OutDir

    if max_memory and scheduler:
        raise InputError("--max-memory", "The limit applies to local worker processes; set your Dask workers' "
                         "memory limit on the cluster (dask worker --memory-limit).",
                         "内存上限仅适用于本机工作进程；Dask 集群请在其 worker 上设置（--memory-limit）。")
    out = Path(out)
    paths = [p for job in jobs for key in PATH_KEYS if (p := getattr(job.request, key)) is not None]
    with OutDir(out, "batch", [*(inputs or []), *paths]) as root:
        staged = root.path
        rows: dict[str, dict] = {}
        digests: dict[str, str] = {}

        def calls() -> Iterator[tuple]:
            """The cities to audit, largest feed first, each hashed when a worker is ready for it; unchanged
            ones carried over."""
            for job in largest_first(jobs):
                folder = _folder(out, job.slug)
                digest = digests[job.slug] = inputs_hash(job)
                previous = None if force else previous_row(job, folder, digest)
                if previous is None:
                    yield job, str(_folder(staged, job.slug)), digest
                    continue
                _carry(folder, _folder(staged, job.slug))
                rows[job.slug] = previous
                if progress:
                    progress(previous)
            # every city handed out: openpyxl is imported while the last ones run, in a thread of its own: in the
            # main thread, a Ctrl-C or SIGTERM landing inside the import (inside openpyxl's XML parsing) was lost
            threading.Thread(target=_summary_writer, daemon=True, name="buscheck-summary-import").start()

        results = (run_dask(list(calls()), scheduler) if scheduler
                   else run_local(calls(), min(workers, len(jobs)), max_memory))
        try:
            with contextlib.closing(results):  # closing it ends the workers
                for row in results:
                    row = {**row, "folder": str(out / row["slug"]), "skipped": False}
                    row.pop("fatal", None)
                    rows[row["slug"]] = row
                    if progress:
                        progress(row)
        except (KeyboardInterrupt, Interrupted):
            for job in jobs:  # a city written whose row had not arrived yet (of those hashed so far)
                if job.slug not in rows and job.slug in digests:
                    found = previous_row(job, _folder(staged, job.slug), digests[job.slug])
                    if found is not None:
                        rows[job.slug] = {**found, "folder": str(out / job.slug), "skipped": False}
            if rows:  # what is done is kept; the rest is marked
                message = "批量审计被中断，未审计 / not audited: the batch was interrupted"
                done = [rows.get(job.slug) or error_row(job, out / job.slug, message, status=INTERRUPTED)
                        for job in jobs]
                _tidy(staged, {job.slug for job in jobs if job.slug in rows})
                _summary_writer()(done, staged, interrupted=True)
                root.commit()
            raise
        _tidy(staged, set(rows))
        ordered = [rows[job.slug] for job in jobs]
        root.write("summary.csv, summary.xlsx, summary.html", lambda path: _summary_writer()(ordered, staged))
        root.commit()
    return ordered
