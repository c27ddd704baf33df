"""Build the bundled sample city, 示例市 Sample City: a fictional prefecture-level city written by this project.

Deterministic: running it again gives byte-identical files. `python sample_feeds/build_sample_city.py`
rewrites sample_feeds/sample_city/{gtfs.zip, built_up.geojson, districts.geojson, profile.toml, hubs.csv,
facilities.csv}.

What it shows when audited (see README): most routes pass; route 5 runs every 40 min in the peaks, route 6
stops at 19:30, route 8 starts at 08:00, route 11 leaves a 75-minute midday gap; route 3's last morning-peak bus at 08:50 is followed by one at 09:30, a 40-minute gap that
straddles the peak's end and so counts for it; route 9 is written as
frequencies.txt and runs past midnight; the night route 夜1路 runs 22:30-28:30 and is judged by the city's night settings; the custom
route K1 (定制) is not a basic route; the built-up area
has a lake (a hole) and an industrial park only partly reached by buses. At the railway station the night
route exempts route 1 from the hub rule; at the coach station route 2 starts too late and ends too early; the
ferry pier is met by route 6. A housing estate (level 1) and a lakeside park (level 2) lie beyond 500 m.
"""

from __future__ import annotations

import csv
import io
import json
import math
import zipfile
from pathlib import Path

HERE = Path(__file__).parent / "sample_city"
LAT0, LON0 = 22.60, 113.10  # a fictional city placed in the Pearl River Delta
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))
STOP_SPACING_KM = 0.4
MINUTES_PER_STOP = 2


def lonlat(x_km: float, y_km: float) -> tuple[float, float]:
    return round(LON0 + x_km * 1000 / M_PER_DEG_LON, 6), round(LAT0 + y_km * 1000 / M_PER_DEG_LAT, 6)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def every(start: str, end: str, step: int) -> list[int]:
    """Departures from start up to and including end, every `step` minutes."""
    h0, m0 = map(int, start.split(":"))
    h1, m1 = map(int, end.split(":"))
    return list(range(h0 * 60 + m0, h1 * 60 + m1 + 1, step))


# route id, short name, long name, polyline in km, weekday departures (each direction), weekend departures
# (Saturday and Sunday alike, except where SUNDAY below gives a route its own Sunday timetable)
ROUTES = [
    ("R1", "1路", "东西干线 East-West trunk", [(-3.8, 0), (3.8, 0)],
     every("06:00", "22:30", 10), every("06:30", "22:00", 15)),
    ("R2", "2路", "南北干线 North-South trunk", [(-1, -2.8), (-1, 2.8)],
     every("06:15", "21:00", 15), every("06:30", "21:00", 20)),
    ("R3", "3路", "北环 North avenue", [(-3.8, 2), (3.0, 2)],
     every("06:30", "09:00", 20) + every("09:30", "17:00", 30) + every("17:20", "19:00", 20)
     + every("19:30", "20:30", 30), every("06:30", "20:30", 30)),
    ("R5", "5路", "南环 South avenue", [(-3.5, -2), (3.5, -2)],
     every("06:20", "09:00", 40) + every("10:00", "16:00", 60) + every("16:40", "19:20", 40)
     + every("20:20", "21:20", 60), every("06:20", "21:20", 60)),
    ("R6", "6路", "东线 East line", [(2.5, -2.8), (2.5, 2.8)],
     every("06:00", "19:30", 15), every("07:00", "19:30", 30)),
    ("R8", "8路", "西线 West line", [(-3, -2.5), (-3, 2.5)],
     every("08:00", "21:00", 20), every("08:00", "21:00", 30)),
    ("R11", "11路", "湖滨线 Lakeside line", [(1, -2.8), (1, 0), (3.5, 0.3)],
     every("06:00", "11:00", 20) + every("12:15", "21:15", 20), every("06:00", "21:00", 30)),
    ("R12", "12路", "北岸线 North shore line", [(-3.8, 1.0), (0.4, 1.0), (0.4, 2.6), (3.8, 2.6)],
     every("06:10", "21:10", 20), every("06:10", "21:10", 30)),
    ("N1", "夜1路", "夜班线 Night line", [(-3.8, 0.2), (3.8, 0.2)],
     every("22:30", "28:30", 30), every("22:30", "28:30", 30)),
    ("K1", "定制快线1", "定制公交 商务快线 Custom express", [(-3.8, -1), (3.8, -1)],
     [7 * 60 + 30, 8 * 60, 17 * 60 + 30, 18 * 60], []),
]
# On Sundays 12路 runs only every 75 minutes: it fails the 60-minute interval on Sunday alone (buscheck --week).
SUNDAY = {"R12": every("06:10", "21:10", 75)}
# Route 9 runs from the centre to the industrial park, written as frequencies.txt, service past midnight.
FREQUENCY_ROUTE = ("R9", "9路", "工业园线 Industrial park line", [(0, -0.5), (6.5, -0.5)])
FREQUENCY_WINDOWS = [("06:00:00", "09:00:00", 900, 1), ("09:00:00", "17:00:00", 1800, 1),
                     ("17:00:00", "19:00:00", 900, 0), ("19:00:00", "24:31:00", 1800, 0)]


def stops_along(line: list[tuple[float, float]]) -> list[tuple[float, float]]:
    points = [line[0]]
    for (x0, y0), (x1, y1) in zip(line, line[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        steps = max(1, round(length / STOP_SPACING_KM))
        points += [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps) for k in range(1, steps + 1)]
    return points


def build_tables() -> dict[str, list[list]]:
    tables: dict[str, list[list]] = {
        "agency.txt": [["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
                       ["SC", "示例市公共交通集团 Sample City Bus", "https://example.org/bus", "Asia/Shanghai", "zh"]],
        "routes.txt": [["route_id", "agency_id", "route_short_name", "route_long_name", "route_desc", "route_type"]],
        "stops.txt": [["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type", "parent_station"]],
        "trips.txt": [["route_id", "service_id", "trip_id", "trip_headsign", "direction_id"]],
        "stop_times.txt": [["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]],
        "calendar.txt": [["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                          "sunday", "start_date", "end_date"],
                         ["WD", 1, 1, 1, 1, 1, 0, 0, "20260101", "20261231"],
                         ["SA", 0, 0, 0, 0, 0, 1, 0, "20260101", "20261231"],
                         ["SU", 0, 0, 0, 0, 0, 0, 1, "20260101", "20261231"]],
        # New Year's Day and National Day run the weekend timetable.
        "calendar_dates.txt": [["service_id", "date", "exception_type"],
                               ["WD", "20260101", 2], ["SU", "20260101", 1],
                               ["WD", "20261001", 2], ["SU", "20261001", 1]],
        "frequencies.txt": [["trip_id", "start_time", "end_time", "headway_secs", "exact_times"]],
    }

    def add_route(route_id, short, long_name, line, desc=""):
        tables["routes.txt"].append([route_id, "SC", short, long_name, desc, 3])
        stop_ids = []
        for i, (x, y) in enumerate(stops_along(line)):
            stop_id = f"{route_id}-{i:02d}"
            lon, lat = lonlat(x, y)
            tables["stops.txt"].append([stop_id, f"{short} 第{i + 1}站 stop {i + 1}", lat, lon, 0, ""])
            stop_ids.append(stop_id)
        return stop_ids

    def add_trip(route_id, service, direction, stop_ids, start_minutes, trip_id):
        sequence = stop_ids if direction == 0 else stop_ids[::-1]
        tables["trips.txt"].append([route_id, service, trip_id, sequence[-1], direction])
        for k, stop_id in enumerate(sequence):
            time = hhmm(start_minutes + k * MINUTES_PER_STOP)
            tables["stop_times.txt"].append([trip_id, time, time, stop_id, k + 1])

    for route_id, short, long_name, line, weekday, weekend in ROUTES:
        desc = "定制化公交 custom service" if route_id.startswith("K") else ""
        stop_ids = add_route(route_id, short, long_name, line, desc)
        for service, departures in (("WD", weekday), ("SA", weekend), ("SU", SUNDAY.get(route_id, weekend))):
            for direction in (0, 1):
                for n, start in enumerate(departures):
                    add_trip(route_id, service, direction, stop_ids, start, f"{route_id}-{service}-{direction}-{n:03d}")

    route_id, short, long_name, line = FREQUENCY_ROUTE
    stop_ids = add_route(route_id, short, long_name, line)
    for service in ("WD", "SA", "SU"):
        for direction in (0, 1):
            trip_id = f"{route_id}-{service}-{direction}-F"
            add_trip(route_id, service, direction, stop_ids, 6 * 60, trip_id)
            for start, end, headway, exact in FREQUENCY_WINDOWS:
                tables["frequencies.txt"].append([trip_id, start, end, headway, exact])
    return tables


def built_up_geojson() -> dict:
    def ring(points):
        coords = [list(lonlat(x, y)) for x, y in points]
        return coords + [coords[0]]

    main = [ring([(-4, -3), (4, -3), (4, 3), (-4, 3)]),
            ring([(0.8, 0.6), (0.8, 1.4), (1.8, 1.4), (1.8, 0.6)])]  # the lake: a hole
    park = [ring([(5, -1), (7, -1), (7, 1), (5, 1)])]
    return {
        "type": "FeatureCollection",
        "name": "sample_city_built_up",
        "features": [
            {"type": "Feature", "properties": {"name": "中心城区 central district"},
             "geometry": {"type": "Polygon", "coordinates": main}},
            {"type": "Feature", "properties": {"name": "工业园 industrial park"},
             "geometry": {"type": "Polygon", "coordinates": park}},
        ],
    }


def districts_geojson() -> dict:
    """Three districts (区) covering the city and its surroundings; each holds part of the built-up area."""
    def square(x0, y0, x1, y1):
        coords = [list(lonlat(x, y)) for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]]
        return {"type": "Polygon", "coordinates": [coords + [coords[0]]]}

    parts = [("西区 West district", (-5, -4, -1, 4)), ("中区 Central district", (-1, -4, 2, 4)),
             ("东区 East district", (2, -4, 8, 4))]
    return {"type": "FeatureCollection", "name": "sample_city_districts",
            "features": [{"type": "Feature", "properties": {"name": name}, "geometry": square(*box)}
                         for name, box in parts]}


# name, mode, position in km, first departure, last arrival (the other mode's hours)
HUBS = [
    ("示例市火车站 Sample City Railway Station", "rail", (3.9, 0.1), "06:30", "23:10"),
    ("示例市汽车客运站 Sample City Coach Station", "coach", (-1.0, 2.9), "06:40", "21:30"),
    ("示例港客运码头 Sample Port Ferry Pier", "ferry", (2.5, -2.9), "07:00", "19:00"),
]
# name, category (ids and Chinese words are both accepted), position in km
FACILITIES = [
    ("示例市第一中学 No. 1 Middle School", "学校", (0.2, 0.3)),
    ("示例市人民医院 People's Hospital", "hospital", (-2.2, 1.3)),
    ("示例市政务服务中心 Government Service Centre", "政府", (0.4, 1.8)),
    ("东湾新村 Dongwan housing estate", "居住区", (3.2, -2.6)),
    ("工业园就业区 Industrial park jobs", "就业区", (6.0, -0.2)),
    ("示例市火车站 Railway Station", "hub", (3.9, 0.1)),
    ("郊野学校 Rural school (outside the built-up area)", "school", (-6.0, 0.0)),
    ("中央商圈 Central business district", "商圈", (-0.6, 0.1)),
    ("湖滨公园 Lakeside park", "旅游景点", (1.3, 1.45)),
    ("示例会展中心 Convention centre", "convention", (-3.0, -1.5)),
]


def places_csv(header: list[str], rows: list[tuple]) -> list[list]:
    table = [header]
    for name, kind, (x, y), *times in rows:
        lon, lat = lonlat(x, y)
        table.append([name, kind, lat, lon, *times])
    return table


PROFILE = """# City profile of the fictional sample city. A real prefecture in the rule pack needs no profile;
# a city the pack does not list (a county seat, a new city) declares its tier here.
city = "示例市"
city_en = "Sample City"
tier = "prefecture"          # other prefecture-level city: 60% minimum
coverage_target = 0.90        # the city's own, higher target (Art. 10(1) allows one)
work_start = "09:00"
work_end = "18:00"
peak_windows = ["07:00-09:00", "17:00-19:00"]
# Night routes (Art. 10(4)): the city sets their hours and interval; service-day clock, so 28:00 is 04:00.
night_first_by = "23:00"
night_last_from = "28:00"
night_max_headway_min = 30

# Weekends (buscheck --week): later work hours and no peak windows; without this table the first- and
# last-bus rules would not be assessed on Saturdays and Sundays.
[weekend]
work_start = "10:00"
work_end = "18:00"
peak_windows = []
"""


def csv_bytes(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(HERE / "gtfs.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in build_tables().items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, csv_bytes(rows))
    (HERE / "built_up.geojson").write_text(json.dumps(built_up_geojson(), ensure_ascii=False, indent=1) + "\n",
                                           encoding="utf-8")
    (HERE / "districts.geojson").write_text(json.dumps(districts_geojson(), ensure_ascii=False, indent=1) + "\n",
                                            encoding="utf-8")
    (HERE / "profile.toml").write_text(PROFILE, encoding="utf-8")
    (HERE / "hubs.csv").write_bytes(csv_bytes(places_csv(
        ["name", "mode", "lat", "lon", "first_departure", "last_arrival"], HUBS)))
    (HERE / "facilities.csv").write_bytes(csv_bytes(places_csv(["name", "category", "lat", "lon"], FACILITIES)))


if __name__ == "__main__":
    main()
