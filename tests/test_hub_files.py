"""Hub hours read from a file or from a GTFS feed of the other mode."""

import json
from datetime import date

import polars as pl
import pytest

from checker.errors import InputError
from checker.load.datum import from_wgs84
from checker.load.hub_feed import load_hub_feed
from checker.load.hubs import load_hubs_file, mode_of
from tests.conftest import at, shared_path, write_feed

MONDAY, SATURDAY = date(2026, 1, 5), date(2026, 1, 10)
HEADER = "name,mode,lat,lon,first_departure,last_arrival,day_type\n"


def _csv(tmp_path, rows: str):
    path = tmp_path / "hubs.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_rows_of_one_hub_take_the_earliest_first_and_latest_last(tmp_path):
    path = _csv(tmp_path, "东站,rail(HSR),22.6,113.3,06:10,23:30,\n东站,rail,22.6,113.3,06:00,00:03,\n")
    hubs, _ = load_hubs_file(path, MONDAY, "wgs84")
    assert len(hubs) == 1
    assert (hubs[0].mode, hubs[0].first_departure_s, hubs[0].last_arrival_s) == ("rail", 6 * 3600, 24 * 3600 + 180)


def test_day_types_pick_the_rows_of_the_audit_date(tmp_path):
    path = _csv(tmp_path, "港,ferry,22.6,113.3,07:00,19:00,weekday\n港,ferry,22.6,113.3,08:00,18:00,周末\n"
                          "机场,air,22.7,113.3,06:00,23:59,weekend\n")
    weekday, notices = load_hubs_file(path, MONDAY, "wgs84")
    assert [(h.name, h.first_departure_s) for h in weekday] == [("港", 7 * 3600)]
    assert "机场" in notices[0][0]
    weekend, _ = load_hubs_file(path, SATURDAY, "wgs84")
    assert [(h.name, h.first_departure_s) for h in weekend] == [("港", 8 * 3600), ("机场", 6 * 3600)]


@pytest.mark.parametrize("row, field", [
    ("站,spaceport,22.6,113.3,06:00,23:00,", "mode"),
    ("站,rail,22.6,113.3,6h,23:00,", "first_departure"),
    ("站,rail,22.6,113.3,06:00,23:00,holiday", "day_type"),
    ("站,rail,95,113.3,06:00,23:00,", "lat"),
    (",rail,22.6,113.3,06:00,23:00,", "name"),
])
def test_bad_rows_are_named(tmp_path, row, field):
    with pytest.raises(InputError) as error:
        load_hubs_file(_csv(tmp_path, "好站,rail,22.6,113.3,06:00,23:00,\n" + row + "\n"), MONDAY, "wgs84")
    assert (error.value.line, error.value.field) == (3, field)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "hubs.csv"
    path.write_text("name,lat,lon,first_departure,last_arrival\n站,22.6,113.3,06:00,23:00\n", encoding="utf-8")
    with pytest.raises(InputError, match="mode"):
        load_hubs_file(path, MONDAY, "wgs84")


def test_geojson_hubs_in_gcj02(tmp_path):
    lon, lat = at(1, 1)
    glon, glat = from_wgs84([lon], [lat], "gcj02")
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [glon[0], glat[0]]},
               "properties": {"name": "机场", "mode": "机场", "first_departure": "07:00", "last_arrival": "23:30"}}
    path = tmp_path / "hubs.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    (hub,), _ = load_hubs_file(path, MONDAY, "gcj02")
    assert hub.mode == "air"
    assert hub.lon == pytest.approx(lon, abs=1e-5) and hub.lat == pytest.approx(lat, abs=1e-5)


def test_mode_words():
    assert [mode_of(w) for w in ("rail(HSR)", "高铁站", "Airport", "客运港", "地铁", "马车")] == \
        ["rail", "rail", "air", "ferry", "metro", None]


def _rail_feed(tmp_path):
    """Station S (two platforms) and station T 2 km away; one train each way, one frequency-based shuttle."""
    s_lon, s_lat = at(0, 0)
    t_lon, t_lat = at(2, 0)
    tables = {
        "routes.txt": "route_id,route_short_name,route_type\nL1,城际,2\nM1,地铁,1\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
                     f"S,南站,{s_lat},{s_lon},1,\nS1,南站 1站台,{s_lat},{s_lon},0,S\nS2,南站 2站台,{s_lat},{s_lon},0,S\n"
                     f"T,北站,{t_lat},{t_lon},0,\n",
        "trips.txt": "route_id,service_id,trip_id\nL1,WD,out\nL1,WD,back\nM1,WD,shuttle\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "out,06:05:00,06:05:00,S1,1\nout,06:25:00,06:25:00,T,2\n"
                          "back,23:20:00,23:20:00,T,1\nback,23:40:00,23:40:00,S2,2\n"
                          "shuttle,05:00:00,05:00:00,T,1\nshuttle,05:20:00,05:20:00,S2,2\n",
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nshuttle,05:30:00,24:10:00,1800\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WD,1,1,1,1,1,0,0,20260105,20260130\n",
    }
    return write_feed(tmp_path / "rail", tables)


def test_hubs_from_a_gtfs_feed(tmp_path):
    hubs, notices = load_hub_feed(_rail_feed(tmp_path), MONDAY, "wgs84")
    by_name = {h.name: h for h in hubs}
    south = by_name["南站"]
    assert south.mode == "rail"  # served by rail and metro: rail ranks first
    assert south.first_departure_s == 6 * 3600 + 5 * 60  # the train at 06:05; the shuttle only arrives here
    # shuttle runs 05:30, 06:00, ... 24:00 (last start before 24:10), arriving 20 min later: 24:20
    assert south.last_arrival_s == 24 * 3600 + 20 * 60
    north = by_name["北站"]
    assert north.first_departure_s == 5 * 3600 + 30 * 60 and north.last_arrival_s == 6 * 3600 + 25 * 60
    assert "2 hubs" in notices[0][0]


def test_a_hub_feed_without_service_that_day(tmp_path):
    with pytest.raises(InputError, match="No trip of the hub feed"):
        load_hub_feed(_rail_feed(tmp_path), SATURDAY, "wgs84")


def test_guangzhou_metro_hub_hours(tmp_path):
    """Real hub hours (13 hubs, hand-transcribed, coordinates on the GCJ-02 datum) in the documented format.
    Rows without coordinates take them from the metro station list by name; 广州白云站 is in neither and is left out."""
    source = shared_path("guangzhou_metro_hub_hours", "gz_metro_hub_first_last.csv")
    stations = pl.read_csv(shared_path("metro_stations", "gz_stations.csv")).select(
        short="name", station_lat="lat", station_lng="lng")
    rows = (
        pl.read_csv(source)
        .with_columns(short=pl.col("station").str.replace(r"（.*）$", ""))
        .join(stations, on="short", how="left")
        .with_columns(lat=pl.coalesce("metroman_lat", "station_lat"), lon=pl.coalesce("metroman_lng", "station_lng"))
        .filter(pl.col("lat").is_not_null())
        .select(name="station", mode="hub_type", lat="lat", lon="lon", first_departure="first_departure",
                # a through station's last departure is its last arrival, within a minute
                last_arrival="last_departure")
    )
    path = tmp_path / "gz_hubs.csv"
    rows.write_csv(path)
    hubs, _ = load_hubs_file(path, MONDAY, "gcj02")
    by_name = {h.name: h for h in hubs}
    assert len(by_name) == 12 and "广州白云站" not in by_name
    assert {h.mode for h in hubs} == {"rail", "air", "coach", "ferry"}
    station = by_name["广州火车站"]
    assert station.last_arrival_s == 24 * 3600 + 3 * 60  # line 2 toward 嘉禾望岗 at 00:03
    east = by_name["广州东站"]
    assert (east.first_departure_s, east.last_arrival_s) == (6 * 3600, 23 * 3600 + 53 * 60)
    # GCJ-02 -> WGS-84 moves Guangzhou points by roughly 500-600 m
    assert 0.003 < abs(east.lon - 113.324179) < 0.007


def test_a_dash_means_the_row_has_no_such_service(tmp_path):
    path = _csv(tmp_path, "港,ferry,22.6,113.3,——,——,\n港,ferry,22.6,113.3,06:00,23:57,\n"
                          "终点站,rail,22.7,113.3,-,23:00,\n")
    with pytest.raises(InputError) as error:
        load_hubs_file(path, MONDAY, "wgs84")
    assert (error.value.line, error.value.field, error.value.value) == (4, "first_departure", "终点站")
    path = _csv(tmp_path, "港,ferry,22.6,113.3,——,——,\n港,ferry,22.6,113.3,06:00,23:57,\n")
    (hub,), _ = load_hubs_file(path, MONDAY, "wgs84")
    assert (hub.first_departure_s, hub.last_arrival_s) == (6 * 3600, 23 * 3600 + 57 * 60)
