"""Tiny service tables (首末班 + 发车间隔) written in code, for the service-table tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import at

ROUTES_HEADER = "route,direction,first_departure,last_departure,day_type,name,operator\n"
INTERVALS_HEADER = "route,direction,day_type,start,end,interval_min\n"
STOPS_HEADER = "route,direction,seq,stop_name,lon,lat\n"


def stop_rows(route: str, direction: int, points: list[tuple[float, float]], names: list[str] | None = None) -> str:
    """route_stops.csv rows for stops at the given (x km, y km) points from the test origin."""
    names = names or [f"{route}站{i + 1}" for i in range(len(points))]
    rows = []
    for i, (point, name) in enumerate(zip(points, names, strict=True)):
        lon, lat = at(*point)
        rows.append(f"{route},{direction},{i + 1},{name},{lon:.7f},{lat:.7f}\n")
    return "".join(rows)


def write_table(folder: Path, routes: str, intervals: str, route_stops: str, **extra: str) -> Path:
    """A service-table folder: the three required CSV files (headers added when missing) and any `extra`
    files given as name=text (holidays="date\\n2026-01-01\\n")."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"routes.csv": (ROUTES_HEADER, routes), "intervals.csv": (INTERVALS_HEADER, intervals),
             "route_stops.csv": (STOPS_HEADER, route_stops)}
    for name, (header, text) in files.items():
        has_header = text.split(",", 1)[0].lstrip("\ufeff") in ("route", "线路")
        (folder / name).write_text(text if has_header else header + text, encoding="utf-8")
    for name, text in extra.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def simple_table(folder: Path, route: str = "1", first: str = "06:00", last: str = "22:00",
                 bands: list[tuple[str, str, str]] | None = None, day_type: str = "all",
                 points: list[tuple[float, float]] | None = None) -> Path:
    """One route, direction 0, two stops 1 km apart (4 min at 15 km/h), the given bands (start, end, interval)."""
    bands = bands or [(first, last, "10")]
    return write_table(
        folder,
        f"{route},0,{first},{last},{day_type},测试线,测试公交\n",
        "".join(f"{route},0,{day_type},{s},{e},{i}\n" for s, e, i in bands),
        stop_rows(route, 0, points or [(0, 0), (1, 0)]),
    )
