"""The transit-metropolis pack: each computed indicator against a hand-derived case, declared values, and
the Yangquan profile's baselines and targets."""

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from google.transit import gtfs_realtime_pb2

from checker.errors import InputError
from checker.load.pack import resolve_city
from checker.pipeline import AuditRequest, run_audit
from checker.pipeline import open_pack as load_pack
from checker.report.document import to_document
from tests.conftest import MONDAY, at, feed_tables, timetable, write_feed, write_polygon

ZONE = ZoneInfo("Asia/Shanghai")


def _audit(tmp_path, tables=None, **extra):
    feed = write_feed(tmp_path / "feed", tables or feed_tables())
    polygon = write_polygon(tmp_path / "built_up.geojson")
    request = AuditRequest(feed=feed, built_up=polygon, city="阳泉", rules="transit-metropolis",
                           profile="yangquan-2025", **extra)
    doc = to_document(run_audit(request).result)
    return {f["rule"]: f for f in doc["findings"] if f["subject"]["type"] == "city"}, doc


def _tables(routes: dict[str, tuple[list[float], tuple[str, ...], float]], names=None, **overrides):
    """Routes: (departure minutes, stops, run minutes); stops A (0,0), B (1 km, 0), C (1 km, 1 km), D (5 km, 0)."""
    trips, times = [], []
    for route_id, (departures, stops, run) in routes.items():
        t, s = timetable(route_id, departures, 0, stops=stops, run_minutes=run)
        trips += t
        times += s
    names = names or {}
    tables = feed_tables(routes={}, stops={"A": (0, 0), "B": (1, 0), "C": (1, 1), "D": (5, 0)}, **{
        "routes.txt": "route_id,route_short_name,route_long_name,route_type\n"
                      + "".join(f"{r},{names.get(r, r)},,3\n" for r in routes),
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "\n".join(trips) + "\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n",
    })
    tables.update(overrides)
    return tables


EVERY_10_IN_PEAKS = [420 + 10 * i for i in range(12)] + [1020 + 10 * i for i in range(12)]


def test_yangquan_profile_holds_the_plan_table():
    city = resolve_city(load_pack("transit-metropolis"), "阳泉", "yangquan-2025")
    assert len(city.indicators) == 21
    assert city.indicators["TM-04"] == {"baseline": 86.2, "target": 95}
    assert city.indicators["TM-06"] == {"baseline": 92, "target": 80}


def test_peak_speed_from_stops_and_from_shapes(tmp_path):
    # A -> B is 1 km in 10 minutes: 6 km/h by straight lines between stops
    found, _ = _audit(tmp_path / "a", _tables({"R1": (EVERY_10_IN_PEAKS, ("A", "B"), 10)}))
    speed = found["TM-07"]
    assert speed["value"] == pytest.approx(6.0, rel=0.005)
    assert speed["status"] == "fail" and speed["threshold"] == 19
    assert "stop-to-stop lines for 24" in speed["message_en"]
    # the same trips following a 2 km shape (A, up 0.5 km, across, down to B): 12 km/h
    points = [at(0, 0), at(0, 0.5), at(1, 0.5), at(1, 0)]
    shapes = "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n" + "".join(
        f"S1,{lat:.7f},{lon:.7f},{i + 1}\n" for i, (lon, lat) in enumerate(points))
    tables = _tables({"R1": (EVERY_10_IN_PEAKS, ("A", "B"), 10)})
    tables["trips.txt"] = tables["trips.txt"].replace("route_id,service_id,trip_id,direction_id",
                                                      "route_id,service_id,trip_id,direction_id,shape_id")
    tables["trips.txt"] = "\n".join(line + ",S1" if i else line
                                    for i, line in enumerate(tables["trips.txt"].strip().split("\n"))) + "\n"
    found, _ = _audit(tmp_path / "b", {**tables, "shapes.txt": shapes})
    assert found["TM-07"]["value"] == pytest.approx(12.0, rel=0.01)
    assert "shapes for 24" in found["TM-07"]["message_en"]


def test_offpeak_trips_do_not_count_for_peak_speed(tmp_path):
    slow_midday = [600 + 10 * i for i in range(6)]  # 10:00-10:50, 1 km in 60 min
    found, _ = _audit(tmp_path, _tables({"R1": (EVERY_10_IN_PEAKS, ("A", "B"), 10), "R2": (slow_midday, ("A", "B"), 60)}))
    assert found["TM-07"]["value"] == pytest.approx(6.0, rel=0.005)


def test_network_length_counts_a_shared_segment_once(tmp_path):
    routes = {"R1": ([480], ("A", "B"), 10), "R2": ([480], ("B", "A"), 10), "R3": ([480], ("A", "B", "C"), 20)}
    found, _ = _audit(tmp_path, _tables(routes))
    assert found["TM-NET-KM"]["value"] == pytest.approx(2.0, rel=0.005)  # A-B once, B-C once
    assert found["TM-NET-KM"]["status"] == "info"
    assert found["TM-STOPS"]["value"] == 3


def test_accessible_stops_and_trips(tmp_path):
    stops = ("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,wheelchair_boarding\n"
             f"A,A,{at(0, 0)[1]},{at(0, 0)[0]},0,,1\nP,P,{at(1, 0)[1]},{at(1, 0)[0]},1,,1\n"
             f"B,B,{at(1, 0)[1]},{at(1, 0)[0]},0,P,\nC,C,{at(1, 1)[1]},{at(1, 1)[0]},0,,2\n"
             f"D,D,{at(5, 0)[1]},{at(5, 0)[0]},0,,0\n")
    tables = _tables({"R1": ([480, 490, 500, 510], ("A", "B", "C", "D"), 30)}, **{"stops.txt": stops})
    tables["trips.txt"] = ("route_id,service_id,trip_id,direction_id,wheelchair_accessible\n"
                           "R1,WD,R1-0-0,0,1\nR1,WD,R1-0-1,0,1\nR1,WD,R1-0-2,0,2\nR1,WD,R1-0-3,0,\n")
    found, _ = _audit(tmp_path, tables)
    # A yes, B inherits its station's yes, C no, D unknown: 2 of 4
    assert (found["TM-16"]["value"], found["TM-16"]["status"]) == (50.0, "pass")  # target 4.2%
    assert found["TM-ACC-TRIPS"]["value"] == 50.0 and found["TM-ACC-TRIPS"]["status"] == "info"


def _snapshot(path, minutes: float, trip_ids: list[str]):
    message = gtfs_realtime_pb2.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    moment = datetime.combine(datetime.fromisoformat(MONDAY).date(), time(), ZONE).timestamp() + minutes * 60
    message.header.timestamp = int(moment)
    for trip_id in trip_ids:
        entity = message.entity.add()
        entity.id = trip_id
        entity.trip_update.trip.trip_id = trip_id
        update = entity.trip_update.stop_time_update.add()
        update.stop_id = "B"
        update.arrival.delay = 60
    path.write_bytes(message.SerializeToString())
    return path


def test_realtime_rate_over_the_trips_running_at_the_snapshot(tmp_path):
    # every 10 min from 07:00, 30 min runs: at 08:05 the 07:40, 07:50 and 08:00 trips are running
    departures = [420 + 10 * i for i in range(30)]
    snapshot = _snapshot(tmp_path / "rt.pb", 8 * 60 + 5, ["R1-0-4", "R1-0-5", "R1-0-0"])  # 07:40, 07:50, and 07:00
    found, _ = _audit(tmp_path, _tables({"R1": (departures, ("A", "B"), 30)}), realtime=snapshot)
    rate = found["TM-08"]
    assert rate["value"] == pytest.approx(200 / 3, abs=1e-3)
    assert rate["status"] == "fail" and "2 of 3 trips" in rate["message_en"]


def test_on_time_rate_from_an_avl_file(tmp_path):
    departures = [420 + 10 * i for i in range(4)]  # 07:00 .. 07:30, reaching B 10 min later
    avl = tmp_path / "avl.csv"
    avl.write_text("trip_id,stop_id,actual_time\n"
                   "R1-0-0,B,07:08:30\n"   # 1.5 min early: not on time
                   "R1-0-1,B,07:21:00\n"   # 1 min late
                   "R1-0-2,B,07:33:00\n"   # 3 min late: the edge, on time
                   "R1-0-3,B,07:43:20\n",  # 3 min 20 s late
                   encoding="utf-8")
    found, _ = _audit(tmp_path, _tables({"R1": (departures, ("A", "B"), 10)}), on_time=avl)
    assert (found["TM-05"]["value"], found["TM-05"]["status"]) == (50.0, "fail")  # target 80%


def test_on_time_from_archived_trip_updates(tmp_path):
    folder = tmp_path / "archive"
    folder.mkdir()
    _snapshot(folder / "a.pb", 480, ["R1-0-0", "R1-0-1"])  # delays of 60 s: on time
    found, _ = _audit(tmp_path, _tables({"R1": ([420, 430], ("A", "B"), 10)}), on_time=folder)
    assert found["TM-05"]["value"] == 100.0


def test_avl_record_without_a_scheduled_stop_is_named(tmp_path):
    avl = tmp_path / "avl.csv"
    avl.write_text("trip_id,stop_id,actual_time\nR1-0-0,B,07:10:00\nR1-0-0,C,07:12:00\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        _audit(tmp_path, _tables({"R1": ([420], ("A", "B"), 10)}), on_time=avl)
    assert (error.value.line, error.value.field) == (3, "stop_id")


def test_peak_crowding_from_load_data(tmp_path):
    load = tmp_path / "load.csv"
    load.write_text("trip_id,peak_load,capacity\nR1-0-0,60,80\nR1-0-1,70,80\nR1-0-2,100,80\n", encoding="utf-8")
    found, _ = _audit(tmp_path, _tables({"R1": ([420, 430, 600], ("A", "B"), 10)}), load=load)
    # the 10:00 trip is not in a peak: (60 + 70) / 160
    assert found["TM-06"]["value"] == pytest.approx(81.25)
    assert found["TM-06"]["status"] == "fail"  # at most 80%


def test_bus_lane_ratio(tmp_path):
    lanes = tmp_path / "lanes.geojson"
    lanes.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [at(0, 0), at(0.5, 0)]}}]}))
    routes = {"R1": ([480], ("A", "B", "C"), 20)}  # a 2 km network
    found, _ = _audit(tmp_path, _tables(routes), bus_lanes=lanes)
    assert found["TM-13"]["value"] == pytest.approx(25.0, rel=0.005)
    assert found["TM-13"]["status"] == "pass"


def test_declared_values_by_number_or_id(tmp_path):
    declared = tmp_path / "declared.csv"
    declared.write_text("indicator,value,source\n1,39.4,2025 居民出行调查\nTM-03,0.05,\n20,3,\n", encoding="utf-8")
    found, doc = _audit(tmp_path, declared=declared)
    assert (found["TM-01"]["status"], found["TM-01"]["value"]) == ("pass", 39.4)
    assert "居民出行调查" in found["TM-01"]["message_zh"]
    assert found["TM-03"]["status"] == "fail"  # at most 0.04
    assert found["TM-20"]["status"] == "pass"
    assert found["TM-02"]["status"] == "not_assessed"
    row = found["TM-01"]["detail"]["evaluation"]
    assert (row["number"], row["baseline"], row["target"], row["source"], row["met"]) == (1, 38.5, 39, "declared", True)


def test_unknown_declared_indicator_is_named(tmp_path):
    declared = tmp_path / "declared.csv"
    declared.write_text("indicator,value\n1,39\n99,1\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        _audit(tmp_path, declared=declared)
    assert (error.value.line, error.value.field, error.value.value) == (3, "indicator", "99")


def test_micro_routes_length_and_non_linearity(tmp_path):
    # 微公交1: A -> C -> D: 1.41 + 4.12 = 5.54 km over a 5 km straight line; 微公交2: A -> B, 1 km
    routes = {"M1": ([480], ("A", "C", "D"), 20), "M2": ([480], ("A", "B"), 10), "R9": ([480], ("A", "D"), 20)}
    _, doc = _audit(tmp_path, _tables(routes, names={"M1": "微公交1", "M2": "社区巴士2"}))
    micro = {f["subject"]["route_id"]: f for f in doc["findings"] if f["rule"] == "TM-MICRO"}
    assert set(micro) == {"M1", "M2"}  # R9 is not marked micro
    assert micro["M1"]["status"] == "pass" and micro["M1"]["value"] == pytest.approx(5.537, abs=0.02)
    assert micro["M1"]["detail"]["nonlinearity"] == pytest.approx(5.537 / 5, abs=0.01)
    assert micro["M2"]["status"] == "fail"  # 1 km, below 3


def test_without_inputs_the_indicators_are_not_assessed(tmp_path):
    found, doc = _audit(tmp_path)
    for rule in ("TM-05", "TM-06", "TM-08", "TM-13", "TM-16", "TM-01"):
        assert found[rule]["status"] == "not_assessed", rule
    assert found["TM-04"]["status"] == "fail"  # two stops cannot cover 95% of a 10 km square
    assert doc["summary"]["counts"]["info"] == 2


def test_the_document_follows_the_schema(tmp_path):
    import jsonschema

    from tests.conftest import SCHEMA

    declared = tmp_path / "declared.csv"
    declared.write_text("indicator,value\n1,39\n", encoding="utf-8")
    _, doc = _audit(tmp_path, _tables({"M1": ([480], ("A", "C", "D"), 20)}, names={"M1": "微公交1"}), declared=declared)
    jsonschema.validate(json.loads(json.dumps(doc, default=str)), SCHEMA)


def test_cli_prints_the_self_evaluation_table(cli, audit_args, tmp_path):
    args = audit_args(city="阳泉", rules="transit-metropolis", profile="yangquan-2025", out=tmp_path / "out")
    result = cli(*args)
    assert result.exit_code == 1
    assert "指标自评表 Indicator self-evaluation" in result.stdout and "城市公共交通站点500米覆盖率" in result.stdout
    doc = json.loads((tmp_path / "out" / "result.json").read_text(encoding="utf-8"))
    assert doc["rule_pack"]["id"] == "transit-metropolis"
    assert (tmp_path / "out" / "report.html").read_text(encoding="utf-8").count('id="evaluation-table"') == 1
