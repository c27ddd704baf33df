"""The Python API, for notebooks: `checker.audit(...)` and `checker.diff(...)`.

    import checker
    result = checker.pipeline("gtfs.zip", "built_up.geojson", "汕头")   # or a gtfs_kit.Feed, a shapely geometry
    result.verdict, result.findings, result.routes, result.coverage.uncovered, result.districts
    result.to_json(); result.write("out/")

Pandas and geopandas frames come from the `notebook` extra (pip install 'buscheck[notebook]'); the audit
itself needs neither.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from checker.inputs import AuditRequest


def _feed(feed: Any) -> Any:
    """A path stays a path; a gtfs_kit.Feed becomes an in-memory source of its tables (no zip written)."""
    if isinstance(feed, str | Path):
        return Path(feed)
    if hasattr(feed, "stop_times") and hasattr(feed, "routes"):
        from checker.load.memory import MemorySource, gtfs_kit_tables

        return MemorySource(gtfs_kit_tables(feed), "gtfs_kit.Feed")
    raise TypeError("feed: expected a path to a GTFS zip or folder, or a gtfs_kit.Feed")


def _polygon(built_up: Any) -> Any:
    """A path stays a path; a GeoDataFrame or GeoSeries becomes one geometry in WGS-84; a shapely geometry is
    taken as longitude/latitude."""
    if isinstance(built_up, str | Path):
        return Path(built_up)
    if hasattr(built_up, "to_crs"):  # geopandas
        frame = built_up.to_crs(4326) if built_up.crs is not None else built_up
        return frame.union_all() if hasattr(frame, "union_all") else frame.unary_union
    if hasattr(built_up, "geom_type"):
        return built_up
    raise TypeError("built_up: expected a path, a shapely geometry or a GeoDataFrame")


def _request(feed: Any, built_up: Any, city: str, options: dict[str, Any]) -> Any:
    for key in ("base_routes", "profile", "load", "districts", "hubs", "facilities", "bus_lanes", "realtime",
                "on_time", "declared", "deviations"):
        if isinstance(options.get(key), str):
            options[key] = Path(options[key])
    if isinstance(options.get("service_date"), str):
        options["service_date"] = date.fromisoformat(options["service_date"])
    return AuditRequest(feed=_feed(feed), built_up=_polygon(built_up), city=city, **options)


class Coverage:
    def __init__(self, audit: Any):
        self._audit = audit

    @property
    def ratio(self) -> float:
        return float(self._audit.result.metrics.coverage.ratio)

    @property
    def uncovered(self) -> Any:
        """The uncovered parts of the built-up area, largest first, as a GeoDataFrame (WGS-84)."""
        import geopandas as gpd

        geometry = self._audit.coverage.uncovered
        parts = [] if geometry.is_empty else list(getattr(geometry, "geoms", [geometry]))
        frame = gpd.GeoDataFrame(geometry=parts, crs=4326)
        local = self._audit.coverage.uncovered_local
        local_parts = [] if local.is_empty else list(getattr(local, "geoms", [local]))
        frame["area_m2"] = [p.area for p in local_parts]
        return frame.sort_values("area_m2", ascending=False, ignore_index=True)


class Result:
    """One audit: the same document as result.json, and pandas/geopandas views of its tables."""

    def __init__(self, audit: Any, loaded: Any):
        self.audit = audit
        self._loaded = loaded
        self.coverage = Coverage(audit)

    @property
    def document(self) -> dict[str, Any]:
        from checker.report.document import to_document

        return to_document(self.audit.result)

    @property
    def verdict(self) -> str:
        return self.audit.result.overall

    @property
    def findings(self) -> Any:
        import pandas as pd

        rows = []
        for f in self.document["findings"]:
            subject = {f"subject_{k}" if k == "type" else k: v for k, v in f["subject"].items()}
            rows.append({**{k: v for k, v in f.items() if k not in ("subject", "detail")}, **subject,
                         "add_departures": " ".join(f["detail"].get("add_departures", []))})
        return pd.DataFrame(rows)

    @property
    def routes(self) -> Any:
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in r.items() if k not in ("windows", "departures")}
                             for r in self.document["metrics"]["routes"]])

    @property
    def districts(self) -> Any:
        """Coverage per district (with --districts) as a GeoDataFrame, worst first; None without districts."""
        if not self._loaded.districts:
            return None
        import geopandas as gpd

        shapes = {d.name: d.geometry for d in self._loaded.districts}
        rows = self.document["metrics"]["coverage"]["districts"] or []
        return gpd.GeoDataFrame(rows, geometry=[shapes[r["name"]] for r in rows], crs=4326)

    def to_json(self) -> str:
        from checker.report.document import result_json

        return result_json(self.audit.result)

    def write(self, out_dir: str | Path) -> list[Path]:
        from checker.report.files import check_out_dir, write_outputs

        check_out_dir(Path(out_dir))
        return write_outputs(self.audit, Path(out_dir))

    def __repr__(self) -> str:
        r = self.audit.result
        return (f"<buscheck Result {r.city['name']} {r.service_date['date']}: {self.verdict}, "
                f"{len(r.findings)} findings>")


def audit(feed: Any, built_up: Any, city: str, **options: Any) -> Result:
    """Audit one city. `feed`: a GTFS zip or folder, or a gtfs_kit.Feed; `built_up`: a file, a shapely geometry
    (longitude/latitude) or a GeoDataFrame; `options`: those of `buscheck audit` by their Python names
    (service_date, feed_crs, built_up_crs, base_routes, rules, profile, load, districts, hubs, facilities,
    deviations, week, dates, select, ignore, ...)."""
    from checker.pipeline import audit_with_inputs

    done, loaded, _ = audit_with_inputs(_request(feed, built_up, city, dict(options)))
    return Result(done, loaded)


class DiffResult:
    def __init__(self, diff: Any):
        self.diff = diff

    @property
    def needs_notice(self) -> bool:
        return self.diff.result.needs_notice

    @property
    def changes(self) -> Any:
        import pandas as pd

        from checker.report.document import plain

        return pd.DataFrame([{**{k: v for k, v in plain(c).items() if k != "subject"}, **c.subject}
                             for c in self.diff.result.changes])

    @property
    def lost(self) -> Any:
        import geopandas as gpd

        geometry = self.diff.lost
        return gpd.GeoDataFrame(geometry=[] if geometry.is_empty else list(getattr(geometry, "geoms", [geometry])),
                                crs=4326)

    def to_json(self) -> str:
        from checker.report.diff import diff_json

        return diff_json(self.diff)

    def write(self, out_dir: str | Path) -> list[Path]:
        from checker.report.diff import diff_files
        from checker.report.files import write_folder

        return write_folder(Path(out_dir), "diff", diff_files(self.diff))


def diff(old_feed: Any, new_feed: Any, built_up: Any, city: str, old_date: str | None = None,
         new_date: str | None = None, **options: Any) -> DiffResult:
    """Compare the basic service of two feeds (paths or gtfs_kit.Feed objects), as `buscheck diff` does;
    `week=True` compares each day type (weekday, Saturday, Sunday) on its representative dates, as
    `buscheck diff --week` does."""
    from checker.compare.run import requests_for, run_diff

    base = _request(old_feed, built_up, city, dict(options))
    old, new = requests_for(base, _feed(old_feed), _feed(new_feed),
                            date.fromisoformat(old_date) if old_date else None,
                            date.fromisoformat(new_date) if new_date else None)
    return DiffResult(run_diff(old, new))

