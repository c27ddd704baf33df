"""A stand-in built-up area for auditing Macau, made from DSAT's own bus poles (Macau publishes no 建成区
polygon that this project could find, and is not a city of the Guangdong standard).

    python sample_feeds/macau/make_built_up.py ../shared/data/macau_bus/BUS_POLE.csv macau_built_up.geojson

How: every pole with coordinates in BUS_POLE.csv (607 poles); poles within 600 m of each other form one
cluster (the union of 300 m discs around them), so the sea between the peninsula, Taipa and Coloane stays
out; each cluster's concave hull (shapely.concave_hull, ratio 0.2) is widened by 150 m. Distances are taken
in a Lambert azimuthal equal-area projection centred on Macau. The result, about 21 km² in seven pieces,
is the footprint of Macau's bus-pole network, not a surveyed built-up area: it leaves out built land far
from any pole and takes in hills and parks between poles. Coverage measured against it says how much of
that footprint lies within 500 m of a stop served on the audit date by the converted routes.

The polygon is written where asked and not kept in this repository: it is derived from the DSAT files,
which carry no licence.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

PROJECTION = "+proj=laea +lat_0=22.16 +lon_0=113.55 +datum=WGS84 +units=m"
LINK_M = 300  # poles within twice this distance belong to one cluster
RATIO = 0.2
WIDEN_M = 150


def built_up(poles_csv: str | Path) -> dict:
    """The polygon as a GeoJSON FeatureCollection in WGS-84 longitude/latitude."""
    with open(poles_csv, encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("lng") and r.get("lat")]
    lon = np.array([float(r["lng"]) for r in rows])
    lat = np.array([float(r["lat"]) for r in rows])
    forward = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)
    back = Transformer.from_crs(PROJECTION, "EPSG:4326", always_xy=True)
    points = shapely.points(*forward.transform(lon, lat))
    clusters = shapely.union_all(shapely.buffer(points, LINK_M))
    pieces = []
    for cluster in getattr(clusters, "geoms", [clusters]):
        members = shapely.multipoints(points[shapely.contains(cluster, points)])
        pieces.append(shapely.concave_hull(members, ratio=RATIO).buffer(WIDEN_M))
    area = shapely.union_all(pieces)
    area_wgs84 = shapely.transform(area, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))
    area_wgs84 = shapely.set_precision(area_wgs84, 1e-6)
    return {"type": "FeatureCollection", "features": [{
        "type": "Feature",
        "properties": {"name": "Macau bus-pole footprint (stand-in for a built-up area)",
                       "km2": round(area.area / 1e6, 2), "poles": len(rows)},
        "geometry": shapely.geometry.mapping(area_wgs84)}]}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    Path(sys.argv[2]).write_text(json.dumps(built_up(sys.argv[1])), encoding="utf-8")
    print(f"wrote {sys.argv[2]}")
