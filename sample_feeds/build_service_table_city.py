"""Build 样板县 Sample County, a fictional county seat that publishes no GTFS, only its service table
(首末班 + 发车间隔), the way most Guangdong cities do. Written by this project; deterministic:

    python sample_feeds/build_service_table_city.py

rewrites sample_feeds/service_table_city/{routes.csv, intervals.csv, route_stops.csv, holidays.csv,
built_up.geojson, profile.toml}. Stop coordinates are written in GCJ-02, as an AMap-based system gives
them (audit with --feed-crs gcj02); the built-up area is WGS-84. intervals.csv has Chinese headers, the
other files English ones: buscheck reads either.

What it shows (README, "Cities without GTFS"): route 1 (both directions) meets every interval; route 2's
peak band 25–35 min fails the 30-minute rule read at its upper end and passes at its lower
(--interval lower); route 3, a loop, runs past midnight (last bus 00:30); route 5 runs a holiday
timetable on the dates of holidays.csv and nothing at weekends; 夜1路 is a night route judged by the
profile's night settings.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import prcoords

HERE = Path(__file__).parent / "service_table_city"
LAT0, LON0 = 23.40, 112.70  # fictional, inland Guangdong
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def wgs84(x_km: float, y_km: float) -> tuple[float, float]:
    return LON0 + x_km * 1000 / M_PER_DEG_LON, LAT0 + y_km * 1000 / M_PER_DEG_LAT


def gcj02(x_km: float, y_km: float) -> tuple[float, float]:
    lon, lat = wgs84(x_km, y_km)
    shifted = prcoords.wgs_gcj((lat, lon))
    return round(shifted.lon, 6), round(shifted.lat, 6)


# route, name, operator, stops (name, x km, y km) for direction 0, directions
ROUTES = [
    ("1", "火车站—人民医院", "样板县公交公司", [("火车站", -2.4, 0.0), ("解放路口", -1.6, 0.0), ("县政府", -0.8, 0.0),
                                               ("中心广场", 0.0, 0.0), ("文化宫", 0.8, 0.0), ("人民医院", 1.6, 0.0)], (0, 1)),
    ("2", "汽车站—工业园", "样板县公交公司", [("汽车站", -1.0, -1.4), ("南门", -0.2, -1.4), ("中心广场南", 0.0, -0.5),
                                             ("东湖路", 1.0, -0.9), ("工业园", 2.2, -1.2)], (0, 1)),
    ("3", "环城线", "样板县公交公司", [("中心广场北", 0.0, 0.4), ("北门", 0.0, 1.3), ("城北新区", 1.0, 1.4),
                                      ("东湖公园", 1.4, 0.6), ("文化宫北", 0.8, 0.4), ("中心广场北", 0.0, 0.4)], (0,)),
    ("5", "县城—云雾山景区", "样板县旅游客运", [("中心广场", 0.0, 0.0), ("西郊", -1.2, 0.9), ("云雾山景区", -2.2, 1.6)],
     (0, 1)),
    ("夜1路", "火车站—城北新区", "样板县公交公司", [("火车站", -2.4, 0.0), ("中心广场", 0.0, 0.0), ("北门", 0.0, 1.3),
                                               ("城北新区", 1.0, 1.4)], (0,)),
]
# route, direction, day type, first, last; then the periods (start, end, interval) of that day type
TIMETABLES = [
    ("1", 0, "weekday", "06:00", "22:00", [("06:00", "07:00", "10-15"), ("07:00", "09:00", "6-8"),
                                            ("09:00", "17:00", "10-15"), ("17:00", "19:00", "6-8"),
                                            ("19:00", "22:00", "15-20")]),
    ("1", 1, "weekday", "06:20", "22:20", [("06:20", "07:00", "10-15"), ("07:00", "09:00", "6-8"),
                                            ("09:00", "17:00", "10-15"), ("17:00", "19:00", "6-8"),
                                            ("19:00", "22:20", "15-20")]),
    ("1", 0, "weekend", "06:30", "21:30", [("06:30", "21:30", "12-15")]),
    ("1", 1, "weekend", "06:50", "21:50", [("06:50", "21:50", "12-15")]),
    ("2", 0, "weekday", "06:30", "21:00", [("06:30", "07:00", "20"), ("07:00", "09:00", "25-35"),
                                            ("09:00", "17:00", "40-50"), ("17:00", "19:00", "25-35"),
                                            ("19:00", "21:00", "40-60")]),
    ("2", 1, "weekday", "06:45", "21:15", [("06:45", "07:00", "20"), ("07:00", "09:00", "25-35"),
                                            ("09:00", "17:00", "40-50"), ("17:00", "19:00", "25-35"),
                                            ("19:00", "21:15", "40-60")]),
    ("2", 0, "weekend", "07:00", "20:00", [("07:00", "20:00", "40-60")]),
    ("2", 1, "weekend", "07:15", "20:15", [("07:15", "20:15", "40-60")]),
    ("3", 0, "all", "06:30", "00:30", [("06:30", "20:00", "15-20"), ("20:00", "00:30", "20-30")]),
    ("5", 0, "weekday", "06:30", "20:30", [("06:30", "20:30", "20-30")]),
    ("5", 1, "weekday", "07:15", "21:15", [("07:15", "21:15", "20-30")]),
    ("5", 0, "holiday", "07:00", "21:00", [("07:00", "21:00", "15-20")]),
    ("5", 1, "holiday", "07:45", "21:45", [("07:45", "21:45", "15-20")]),
    ("夜1路", 0, "all", "22:30", "04:30", [("22:30", "01:00", "30-40"), ("01:00", "04:30", "40-60")]),
]
HOLIDAYS = [(f"{year}-01-01", "元旦") for year in (2026, 2027)] + [  # illustrative dates
    (f"{year}-10-0{d}", "国庆节") for year in (2026, 2027) for d in range(1, 8)]
HOLIDAYS.sort()
PROFILE = """# City profile of the fictional county seat 样板县 (Sample County): a county seat (县城) is not listed in the
# pack, so it declares its tier here; its night-route settings are its own (Art. 10(4)).
city = "样板县"
city_en = "Sample County"
tier = "county"
night_routes = ["夜1路"]
night_first_by = "23:00"
night_last_from = "28:00"
night_max_headway_min = 45
"""


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build() -> None:
    HERE.mkdir(exist_ok=True)
    names = {route: (name, operator) for route, name, operator, _, _ in ROUTES}
    _write_csv(HERE / "routes.csv",
               ["route", "direction", "first_departure", "last_departure", "day_type", "name", "operator"],
               [[route, direction, first, last, day, *names[route]]
                for route, direction, day, first, last, _ in TIMETABLES])
    _write_csv(HERE / "intervals.csv", ["线路", "方向", "日期类型", "开始", "结束", "发车间隔（分钟）"],
               [[route, direction, day, start, end, interval]
                for route, direction, day, _, _, periods in TIMETABLES for start, end, interval in periods])
    stops = []
    for route, _, _, points, directions in ROUTES:
        for direction in directions:
            ordered = points if direction == 0 else points[::-1]
            for seq, (name, x, y) in enumerate(ordered, start=1):
                stops.append([route, direction, seq, name, *gcj02(x, y)])
    _write_csv(HERE / "route_stops.csv", ["route", "direction", "seq", "stop_name", "lon", "lat"], stops)
    _write_csv(HERE / "holidays.csv", ["date", "name"], [list(h) for h in HOLIDAYS])
    ring = [wgs84(x, y) for x, y in [(-2.8, -1.8), (2.8, -1.8), (2.8, 2.0), (-2.8, 2.0), (-2.8, -1.8)]]
    built_up = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "样板县建成区 Sample County built-up area (fictional)"},
        "geometry": {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}}]}
    (HERE / "built_up.geojson").write_text(json.dumps(built_up, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (HERE / "profile.toml").write_text(PROFILE, encoding="utf-8")


if __name__ == "__main__":
    build()
    print(f"wrote {HERE}")
