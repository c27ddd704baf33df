"""Everything the guide says real feeds do, in one feed, through the command line."""

import codecs
import json

import jsonschema
import numpy as np

from checker.load.datum import from_wgs84
from tests.conftest import SCHEMA, at, hms, square_km, write_feed, write_polygon


def _messy_tables() -> dict[str, bytes]:
    points = {"A": at(0, 0), "B": at(1.5, 0), "C": at(3, 0)}
    lon, lat = from_wgs84(np.array([p[0] for p in points.values()]), np.array([p[1] for p in points.values()]),
                          "gcj02")
    stops = "stop_id,stop_name,stop_lat,stop_lon\r\n" + "".join(
        f"{sid},{name},{la:.7f},{lo:.7f}\r\n"
        for sid, name, lo, la in zip(points, ["火车站", "人民公园", "大学城"], lon, lat, strict=True))
    stops += "JUNK,坐标缺省,0,0\r\n"  # a stop with placeholder coordinates, far outside the city
    trips, times = ["route_id,service_id,trip_id"], ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for n, start in enumerate(range(6 * 60, 25 * 60, 20)):  # 06:00 .. 24:40, past midnight
        for direction, order in ((0, "ABC"), (1, "CBA")):
            trip = f"T{direction}{n:03d}"
            trips.append(f"R1,D,{trip}")
            for k, stop in enumerate(order):
                times.append(f"{trip},{hms(start + 5 * k)},{hms(start + 5 * k)},{stop},{k + 1}")
    trips += ["R2,D,F0"]  # a frequency-based route
    times += ["F0,00:00:00,00:00:00,A,1", "F0,00:10:00,00:10:00,JUNK,2"]
    return {
        "routes.txt": codecs.BOM_UTF8 + "route_id,route_short_name,route_long_name,route_type\r\nR1,1路,干线,3\r\n"
                      "R2,2路,支线,3\r\n".encode(),
        "stops.txt": stops.encode("gbk"),
        "trips.txt": "\r\n".join(trips).encode() + b"\r\n",
        "stop_times.txt": "\r\n".join(times).encode() + b"\r\n",
        "calendar_dates.txt": b"service_id,date,exception_type\r\nD,20260105,1\r\nD,20260106,1\r\n",
        "frequencies.txt": b"trip_id,start_time,end_time,headway_secs,exact_times\r\nF0,06:00:00,22:00:00,1800,0\r\n",
    }


def test_messy_feed_audits_cleanly(tmp_path, cli):
    feed = write_feed(tmp_path / "feed", _messy_tables())
    polygon = write_polygon(tmp_path / "b.geojson", [square_km(-1, -1, 4, 1)])
    result = cli("audit", feed, "--built-up", polygon, "--city", "广州", "--feed-crs", "gcj02", "--format", "json")
    assert result.exit_code in (0, 1, 4), result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    day = doc["service_date"]
    assert (day["date"], day["chosen_by"], day["trips"], day["basic_trips"]) == ("2026-01-05", "busiest_weekday", 115, 115)
    assert doc["inputs"]["feed_encodings"]["stops.txt"] == "gb18030"
    assert doc["inputs"]["direction_id"] == "inferred"
    routes = {(r["route_id"], r["direction_id"]): r for r in doc["metrics"]["routes"]}
    assert routes[("R1", 0)]["last_departure"] == "24:40:00"
    assert routes[("R1", 1)]["trips"] == 57
    assert routes[("R2", 0)]["trips"] == 32  # 06:00 .. 21:30 every 30 min
    coverage = doc["metrics"]["coverage"]
    assert coverage["stops_used"] == 4 and coverage["stops_outside_built_up"] == 1  # only the junk stop
    notices = " ".join(n["en"] for n in doc["notices"])
    assert "agency.txt" in notices and "direction_id" in notices and "gb18030" in notices
