"""Priority facilities (Art. 11): per priority level, the share of facilities within the coverage radius of
a served basic-bus stop, and the nearest stop of each facility. Distances are measured in the coverage's
local projection; a polygon facility counts as reached when any part of it is within the radius."""

from __future__ import annotations

import numpy as np
import polars as pl
import shapely

from checker.load.facilities import Facility
from checker.load.polygons import project
from checker.metrics.coverage import Coverage


def priority_coverage(facilities: list[Facility], coverage: Coverage, stops: pl.DataFrame,
                      categories: dict[str, dict], radius_m: float) -> dict:
    """`stops`: stop_id, stop_name, lon, lat (WGS-84) of the stops counted for coverage."""
    local = project(np.array([f.geometry for f in facilities], dtype=object), coverage.to_local)
    in_built_up = shapely.intersects(local, coverage.area_local)
    x, y = coverage.to_local.transform(stops["lon"].to_numpy(), stops["lat"].to_numpy())
    if len(x):
        tree = shapely.STRtree(shapely.points(x, y))
        (which, nearest), distances = tree.query_nearest(local, return_distance=True, all_matches=False)
        order = np.argsort(which)
        nearest, distances = nearest[order], distances[order]
    rows = []
    for i, facility in enumerate(facilities):
        spec = categories[facility.category]
        point = shapely.point_on_surface(facility.geometry)
        row = {
            "name": facility.name, "category": facility.category, "category_zh": spec["zh"], "level": spec["level"],
            "lon": round(point.x, 6), "lat": round(point.y, 6), "in_built_up": bool(in_built_up[i]),
            "in_scope": bool(in_built_up[i]) or not spec.get("built_up_only", True),
            "nearest_stop_id": stops["stop_id"][int(nearest[i])] if len(x) else None,
            "nearest_stop_name": stops["stop_name"][int(nearest[i])] if len(x) else None,
            "distance_m": round(float(distances[i]), 1) if len(x) else None,
        }
        row["covered"] = row["distance_m"] is not None and row["distance_m"] <= radius_m
        rows.append(row)
    levels = []
    for level in sorted({spec["level"] for spec in categories.values()}):
        counted = [r for r in rows if r["level"] == level and r["in_scope"]]
        covered = sum(r["covered"] for r in counted)
        levels.append({
            "level": level, "facilities": len(counted), "covered": covered,
            "share": round(covered / len(counted), 6) if counted else None,
            "out_of_scope": sum(1 for r in rows if r["level"] == level and not r["in_scope"]),
            "uncovered": sorted((r for r in counted if not r["covered"]),
                                key=lambda r: (-(r["distance_m"] or float("inf")), r["name"])),
        })
    return {"radius_m": radius_m, "levels": levels, "facilities": rows}
