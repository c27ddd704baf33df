"""Tiny feeds and polygons built in code, so that every expected figure can be derived by hand."""

from __future__ import annotations

import csv
import io
import json
import math
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
SCHEMA = json.loads((REPO / "schema" / "result-v1.schema.json").read_text(encoding="utf-8"))

# A point in Guangdong; 1 km in degrees near it.
LAT0, LON0 = 22.60, 113.30
KM_LAT = 1000 / 110_574.0
KM_LON = 1000 / (111_320.0 * math.cos(math.radians(LAT0)))

CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WD,1,1,1,1,1,0,0,20260105,20260130\n"
)
MONDAY = "2026-01-05"


def at(x_km: float, y_km: float) -> tuple[float, float]:
    """(lon, lat) of a point x km east and y km north of the test origin."""
    return LON0 + x_km * KM_LON, LAT0 + y_km * KM_LAT


def hms(minutes: float) -> str:
    seconds = round(minutes * 60)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def timetable(route_id: str, departures: list[float], direction: int | None = 0, stops=("A", "B"),
              service: str = "WD", run_minutes: float = 10, prefix: str | None = None) -> tuple[list[str], list[str]]:
    """trips.txt and stop_times.txt rows for trips of one route-direction leaving at `departures` (minutes)."""
    trips, times = [], []
    for n, start in enumerate(departures):
        trip_id = f"{prefix or route_id}-{direction}-{n}"
        trips.append(f"{route_id},{service},{trip_id},{'' if direction is None else direction}")
        for k, stop in enumerate(stops):
            t = hms(start + k * run_minutes / max(1, len(stops) - 1))
            times.append(f"{trip_id},{t},{t},{stop},{k + 1}")
    return trips, times


def feed_tables(routes: dict[str, list[float]] | None = None, stops: dict[str, tuple[float, float]] | None = None,
                **overrides: str) -> dict[str, str]:
    """GTFS tables as text: each route runs A->B at the given departure minutes on weekdays."""
    routes = routes if routes is not None else {"R1": [420 + 20 * i for i in range(40)]}
    stops = stops or {"A": (0, 0), "B": (1, 0)}
    trip_rows, time_rows = [], []
    for route_id, departures in routes.items():
        trips, times = timetable(route_id, departures)
        trip_rows += trips
        time_rows += times
    stop_rows = [f"{sid},Stop {sid},{at(*xy)[1]:.7f},{at(*xy)[0]:.7f}" for sid, xy in stops.items()]
    tables = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Test,https://example.org,Asia/Shanghai\n",
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
        + "".join(f"{r},{r},Route {r},3\n" for r in routes),
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + "\n".join(stop_rows) + "\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(trip_rows) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(time_rows) + "\n",
        "calendar.txt": CALENDAR,
    }
    tables.update(overrides)
    return {name: text for name, text in tables.items() if text is not None}


def write_feed(folder: Path, tables: dict[str, str | bytes], as_zip: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if as_zip:
        path = folder / "gtfs.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, text in tables.items():
                archive.writestr(name, text if isinstance(text, bytes) else text.encode("utf-8"))
        return path
    path = folder / "gtfs"
    path.mkdir(exist_ok=True)
    for name, text in tables.items():
        (path / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def requote(text: str, quote_all: bool = True, rng=None) -> str:
    """The CSV `text` rewritten with every field quoted (an empty field becomes ""), or with each field quoted
    at random by `rng` (a random.Random); lines end in LF."""
    out = io.StringIO()
    for row in csv.reader(io.StringIO(text)):
        cells = ['"' + cell.replace('"', '""') + '"'
                 if quote_all or any(c in cell for c in ',"\r\n') or (rng is not None and rng.random() < 0.5)
                 else cell for cell in row]
        out.write(",".join(cells) + "\n")
    return out.getvalue()


def line_ends(text: str, style: str, rng=None) -> str:
    """`text` with its line ends as LF, CRLF, CR (old Mac), or mixed (each line at random by `rng`)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if style == "mixed":
        ends = ["\n", "\r\n", "\r"]
        return "".join(line + (rng.choice(ends) if i < len(lines) - 1 else "") for i, line in enumerate(lines))
    return {"lf": "\n", "crlf": "\r\n", "cr": "\r"}[style].join(lines)


def square_km(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [list(at(x0, y0)), list(at(x1, y0)), list(at(x1, y1)), list(at(x0, y1)), list(at(x0, y0))]


def write_polygon(path: Path, rings: list[list[list[float]]] | None = None, geometry: dict | None = None) -> Path:
    geometry = geometry or {"type": "Polygon", "coordinates": rings or [square_km(-5, -5, 5, 5)]}
    collection = {"type": "FeatureCollection",
                  "features": [{"type": "Feature", "properties": {"name": "test"}, "geometry": geometry}]}
    path.write_text(json.dumps(collection), encoding="utf-8")
    return path


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def audit_args(tmp_path):
    """Arguments for `buscheck audit` on a feed built from `feed_tables(**kwargs)` in a 10 km square."""

    def build(tables: dict[str, str] | None = None, city: str = "广州", **extra: str) -> list[str]:
        feed = write_feed(tmp_path / "feed", tables or feed_tables())
        polygon = write_polygon(tmp_path / "built_up.geojson")
        args = ["audit", str(feed), "--built-up", str(polygon), "--city", city]
        for key, value in extra.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        return args

    return build


def shared_path(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


def wait_for(condition, timeout: float) -> None:
    """Poll `condition` until it holds; TimeoutError after `timeout` seconds (for tests that watch processes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.05)
