"""A deterministic generator of realistic city feeds for benchmarks: `python -m bench.generate large OUT_DIR`.

Presets (routes x 2 directions x trips x stops per trip):
- small: 60 routes, 1,000 stops, about 300,000 stop_times
- prefecture: 240 routes, 4,000 stops, about 1,100,000 stop_times (a prefecture-level city; the batch bench)
- large: 1,200 routes, 20,000 stops, about 5,000,000 stop_times (Guangzhou scale)
- xlarge: 2,400 routes, 40,000 stops, about 10,000,000 stop_times (twice large, at the same stop density)
Features real feeds have: times past 24:00, calendar plus calendar_dates exceptions, shapes, a GBK-free UTF-8
stops file with Chinese names, a built-up polygon with a hole. Same seed, same bytes.
stop_times.txt is made and compressed a chunk at a time, so the generator's memory does not grow with it.
"""

from __future__ import annotations

import json
import math
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

LAT0, LON0 = 23.13, 113.26  # centred on Guangzhou
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


@dataclass(frozen=True)
class Preset:
    routes: int
    stops: int
    stops_per_trip: int
    city_radius_km: float


PRESETS = {
    "small": Preset(routes=60, stops=1_000, stops_per_trip=20, city_radius_km=6),
    "prefecture": Preset(routes=240, stops=4_000, stops_per_trip=20, city_radius_km=10),
    "large": Preset(routes=1_200, stops=20_000, stops_per_trip=20, city_radius_km=22),
    "xlarge": Preset(routes=2_400, stops=40_000, stops_per_trip=20, city_radius_km=31),
}
CHUNK_ROWS = 1_000_000  # stop_times rows made and compressed at a time


def clock_text(seconds: pl.Expr) -> pl.Expr:
    """Seconds -> 'HH:MM:SS' (hours may pass 24), for whole columns."""
    def two(part: pl.Expr) -> pl.Expr:
        return part.cast(pl.String).str.zfill(2)

    return pl.format("{}:{}:{}", two(seconds // 3600), two(seconds % 3600 // 60), two(seconds % 60))


def _stop_times_chunks(blocks: list[tuple[int, np.ndarray, np.ndarray]],
                       rows: int = CHUNK_ROWS) -> Iterator[pl.DataFrame]:
    """stop_times.txt in frames of about `rows` rows: each trip's stops 90 s apart from its departure."""
    trips, stops, seqs, times = [], [], [], []
    size = 0
    for i, (first_trip, starts, seq) in enumerate(blocks):
        k, n = len(seq), len(starts)
        trips.append(np.repeat(np.arange(first_trip, first_trip + n), k))
        stops.append(np.tile(seq, n))
        seqs.append(np.tile(np.arange(1, k + 1), n))
        times.append((starts[:, None] + np.arange(k)[None, :] * 90).ravel())
        size += n * k
        if size >= rows or i == len(blocks) - 1:
            seconds = pl.col("seconds")
            yield pl.DataFrame({
                "trip": np.concatenate(trips), "stop": np.concatenate(stops),
                "seconds": np.concatenate(times).astype(np.int64), "stop_sequence": np.concatenate(seqs),
            }).select(
                trip_id=pl.format("T{}", pl.col("trip")), arrival_time=clock_text(seconds),
                departure_time=clock_text(seconds),
                stop_id=pl.format("S{}", pl.col("stop").cast(pl.String).str.zfill(5)),  # S{i:05d}, as in stops.txt
                stop_sequence=pl.col("stop_sequence"))
            trips, stops, seqs, times = [], [], [], []
            size = 0


def _lonlat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return LON0 + x_m / M_PER_DEG_LON, LAT0 + y_m / M_PER_DEG_LAT


def generate(preset_name: str, out_dir: Path, seed: int = 20251013) -> tuple[Path, Path]:
    preset = PRESETS[preset_name]
    rng = np.random.default_rng(seed)
    radius = preset.city_radius_km * 1000

    # stops scattered over the city disc, denser towards the centre
    r = radius * np.sqrt(rng.random(preset.stops)) ** 1.3
    theta = rng.random(preset.stops) * 2 * np.pi
    sx, sy = r * np.cos(theta), r * np.sin(theta)
    stop_lon, stop_lat = _lonlat(sx, sy)
    stop_ids = np.array([f"S{i:05d}" for i in range(preset.stops)])
    stops = pl.DataFrame({
        "stop_id": stop_ids, "stop_name": [f"站{i}号 Stop {i}" for i in range(preset.stops)],
        "stop_lat": np.round(stop_lat, 6), "stop_lon": np.round(stop_lon, 6),
    })

    # each route: a pattern of nearby stops ordered along a random axis
    patterns = []
    for _ in range(preset.routes):
        centre = rng.integers(preset.stops)
        d = np.hypot(sx - sx[centre], sy - sy[centre])
        near = np.argsort(d)[: preset.stops_per_trip * 3]
        chosen = rng.choice(near, preset.stops_per_trip, replace=False)
        angle = rng.random() * np.pi
        order = np.argsort(sx[chosen] * np.cos(angle) + sy[chosen] * np.sin(angle))
        patterns.append(chosen[order])

    # first pass: the timetable of each route-direction (the only random draws after the patterns), trips and
    # shapes; stop_times, 20 rows a trip, are only made in the second pass, a chunk at a time, while writing
    trip_rows: dict[str, list] = {"route_id": [], "service_id": [], "trip_id": [], "direction_id": [], "shape_id": []}
    shape_rows: dict[str, list] = {"shape_id": [], "shape_pt_lat": [], "shape_pt_lon": [], "shape_pt_sequence": []}
    blocks: list[tuple[int, np.ndarray, np.ndarray]] = []  # (first trip number, departures, stop pattern)
    n_trip = 0
    for route, pattern in enumerate(patterns):
        headway = int(rng.choice([300, 420, 600, 720, 900, 1200, 1800, 2400]))
        first = int(rng.integers(5 * 3600 + 1800, 7 * 3600))
        last = int(rng.integers(20 * 3600, 25 * 3600 + 1800))  # some past midnight
        starts = np.arange(first, last + 1, headway)
        for direction in (0, 1):
            seq = pattern if direction == 0 else pattern[::-1]
            shape_id = f"SH{route}-{direction}"
            shape_rows["shape_id"] += [shape_id] * len(seq)
            shape_rows["shape_pt_lat"] += list(np.round(stop_lat[seq], 6))
            shape_rows["shape_pt_lon"] += list(np.round(stop_lon[seq], 6))
            shape_rows["shape_pt_sequence"] += list(range(1, len(seq) + 1))
            for service, spacing in (("WD", 1), ("WE", 3)):
                chosen_starts = starts[::spacing] + (0 if direction == 0 else headway // 2)
                count = len(chosen_starts)
                blocks.append((n_trip, chosen_starts, seq))
                trip_rows["route_id"] += [f"R{route}"] * count
                trip_rows["service_id"] += [service] * count
                trip_rows["trip_id"] += [f"T{n_trip + k}" for k in range(count)]
                trip_rows["direction_id"] += [direction] * count
                trip_rows["shape_id"] += [shape_id] * count
                n_trip += count

    routes = pl.DataFrame({
        "route_id": [f"R{i}" for i in range(preset.routes)],
        "agency_id": ["GZ"] * preset.routes,
        "route_short_name": [f"{i + 1}路" for i in range(preset.routes)],
        "route_long_name": [f"线路 {i + 1}" for i in range(preset.routes)],
        "route_type": [3] * preset.routes,
    })
    tables = {
        "agency.txt": pl.DataFrame({"agency_id": ["GZ"], "agency_name": ["Bench Bus"], "agency_url": ["https://example.org"],
                                    "agency_timezone": ["Asia/Shanghai"]}),
        "routes.txt": routes,
        "stops.txt": stops,
        "trips.txt": pl.DataFrame(trip_rows),
        "stop_times.txt": None,  # streamed: _stop_times_chunks
        "shapes.txt": pl.DataFrame(shape_rows),
        "calendar.txt": pl.DataFrame({
            "service_id": ["WD", "WE"], "monday": [1, 0], "tuesday": [1, 0], "wednesday": [1, 0],
            "thursday": [1, 0], "friday": [1, 0], "saturday": [0, 1], "sunday": [0, 1],
            "start_date": ["20260101", "20260101"], "end_date": ["20261231", "20261231"]}),
        "calendar_dates.txt": pl.DataFrame({"service_id": ["WD", "WE", "WD", "WE"],
                                            "date": ["20261001", "20261001", "20261002", "20261002"],
                                            "exception_type": [2, 1, 2, 1]}),
    }
    del trip_rows, shape_rows
    out_dir.mkdir(parents=True, exist_ok=True)
    feed_path = out_dir / f"{preset_name}_gtfs.zip"
    with zipfile.ZipFile(feed_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, frame in tables.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if frame is not None:
                archive.writestr(info, frame.write_csv())
                continue
            # deflate's output does not depend on how its input is split: the same bytes as one writestr
            # (Zip64 only when the text may pass 2 GiB, as writestr would decide: a header of the same bytes)
            rows = sum(len(starts) * len(seq) for _, starts, seq in blocks)
            with archive.open(info, "w", force_zip64=rows * 64 > zipfile.ZIP64_LIMIT) as member:
                for i, chunk in enumerate(_stop_times_chunks(blocks)):
                    member.write(chunk.write_csv(include_header=i == 0).encode())

    def circle(cx: float, cy: float, rad: float, clockwise: bool) -> list[list[float]]:
        angles = np.linspace(2 * math.pi, 0, 73) if clockwise else np.linspace(0, 2 * math.pi, 73)
        lon, lat = _lonlat(cx + rad * np.cos(angles), cy + rad * np.sin(angles))
        return np.column_stack([lon, lat]).round(6).tolist()

    ring, hole = circle(0, 0, radius, False), circle(2000, 0, 1500, True)  # a lake east of the centre
    polygon = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": preset_name},
               "geometry": {"type": "Polygon", "coordinates": [ring, hole]}}]}
    polygon_path = out_dir / f"{preset_name}_built_up.geojson"
    polygon_path.write_text(json.dumps(polygon))
    return feed_path, polygon_path


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else "small"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("bench/data")
    feed, polygon = generate(name, out)
    print(f"wrote {feed} ({feed.stat().st_size / 1e6:.1f} MB) and {polygon}")
