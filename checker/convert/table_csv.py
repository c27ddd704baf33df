"""A service table written back as the documented CSV format (routes.csv, intervals.csv, route_stops.csv,
holidays.csv): what `buscheck convert macau --table-out` shows of the DSAT files as read, and a template a
city can copy. Times past midnight are written 24:30; coordinates are WGS-84."""

from __future__ import annotations

import csv
from pathlib import Path

from checker.model.service_table import DAY_TYPES, ServiceTable


def _hm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def write_table(table: ServiceTable, folder: str | Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    routes, intervals, stops = [], [], []
    for route in table.routes:
        for day in DAY_TYPES:
            service = route.days.get(day)
            if service is None:
                continue
            routes.append([route.route, route.direction, _hm(service.first_s), _hm(service.last_s), day,
                           route.route_type, route.name, route.operator])
            for band in service.bands:
                intervals.append([route.route, route.direction, day, _hm(band.start_s), _hm(band.end_s),
                                  band.text.replace("–", "-")])
        for seq, stop in enumerate(route.stops, start=1):
            stops.append([route.route, route.direction, seq, stop.stop_id, stop.name, f"{stop.lon:.6f}",
                          f"{stop.lat:.6f}"])
    files = {
        "routes.csv": (["route", "direction", "first_departure", "last_departure", "day_type", "route_type", "name",
                        "operator"], routes),
        "intervals.csv": (["route", "direction", "day_type", "start", "end", "interval_min"], intervals),
        "route_stops.csv": (["route", "direction", "seq", "stop_id", "stop_name", "lon", "lat"], stops),
    }
    if table.holidays:
        files["holidays.csv"] = (["date"], [[day.isoformat()] for day in table.holidays])
    written = []
    for name, (header, rows) in files.items():
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written
