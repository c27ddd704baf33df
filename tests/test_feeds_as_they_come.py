"""Feeds as they come (issue 13): every valid feed audited, every broken one refused with exit 2 naming file,
line and field, nothing dropped without a notice, and no traceback, whatever the input.

Each case is built in code and run through the command line, with the exit code and message it must give.
"""

import json
import os
import zipfile
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import (
    SCHEMA,
    feed_tables,
    line_ends,
    requote,
    square_km,
    timetable,
    write_feed,
    write_polygon,
)


def _run(cli, tmp_path, tables, *extra, polygon=None, as_zip=True):
    feed = write_feed(tmp_path / "feed", tables, as_zip=as_zip)
    polygon = polygon or write_polygon(tmp_path / "built_up.geojson")
    return cli("audit", feed, "--built-up", polygon, "--city", "广州", "--format", "json", *extra)


def _doc(result) -> dict:
    assert result.exit_code in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc


def _refused(result, *words: str) -> str:
    """The exit-2 message, checked: no traceback, bilingual, naming each of `words`."""
    assert result.exit_code == 2, (result.exit_code, result.stdout[-500:], result.stderr[-2000:])
    message = result.stderr
    assert "Traceback" not in result.output
    assert "输入错误 / Input error" in message
    for word in words:
        assert word in message, (word, message)
    return message


def _notices(doc) -> str:
    return " ".join(n["en"] for n in doc["notices"])


def _same_audit(a: dict, b: dict) -> None:
    """Equal result documents, but for the paths of the feed and polygon (each case has its own folder)."""
    a, b = json.loads(json.dumps(a)), json.loads(json.dumps(b))
    for doc in (a, b):
        doc["inputs"]["feed"] = doc["inputs"]["built_up"] = None
        del doc["provenance"]  # when, and the files' own bytes (SHA-256): different by design
    assert a == b


def _with_flex(tables: dict[str, str]) -> dict[str, str]:
    """The feed plus a GTFS-Flex route F1: its trip calls at a zone (location_id) and a stop group."""
    extra = ",location_id,location_group_id,start_pickup_drop_off_window,end_pickup_drop_off_window"
    lines = tables["stop_times.txt"].strip().split("\n")
    times = [lines[0] + extra] + [row + ",,,," for row in lines[1:]]
    times += ["F1-0,,,,1,zone1,,08:00:00,20:00:00", "F1-0,,,,2,,group1,08:00:00,20:00:00"]
    return {
        **tables,
        "routes.txt": tables["routes.txt"] + "F1,F1,Dial-a-ride,3\n",
        "trips.txt": tables["trips.txt"] + "F1,WD,F1-0,0\n",
        "stop_times.txt": "\n".join(times) + "\n",
        "booking_rules.txt": "booking_rule_id,booking_type\nBR1,1\n",
        "locations.geojson": '{"type":"FeatureCollection","features":[]}',
    }


# ---------------------------------------------------------------- valid feeds that must be audited

def test_a_feed_with_every_field_quoted_audits_like_the_plain_one(tmp_path, cli):
    departures = [420 + 20 * i for i in range(40)]
    tables = feed_tables(routes={"R1": departures}, stops={"A": (0, 0), "M": (0.5, 0), "B": (1, 0)})
    trips, times = timetable("R1", departures, stops=("A", "M", "B"))
    times = [",".join([t[0], "", "", *t[3:]]) if t[3] == "M" else ",".join(t)  # untimed intermediate stop
             for t in (row.split(",") for row in times)]
    tables["trips.txt"] = "route_id,service_id,trip_id,direction_id,wheelchair_accessible\n" + "".join(
        t + ",\n" for t in trips)  # wheelchair_accessible empty
    tables["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n"
    stops = tables["stops.txt"].strip().split("\n")
    tables["stops.txt"] = stops[0] + ",wheelchair_boarding\n" + "".join(row + ",\n" for row in stops[1:])
    assert "R1-0-0,,,M,2" in tables["stop_times.txt"]
    plain = _doc(_run(cli, tmp_path / "plain", tables))
    quoted_tables = {name: requote(text) for name, text in tables.items()}
    assert '"R1-0-0","","","M","2"' in quoted_tables["stop_times.txt"]
    assert '"R1","WD","R1-0-0","0",""' in quoted_tables["trips.txt"]
    quoted = _doc(_run(cli, tmp_path / "quoted", quoted_tables))
    _same_audit(plain, quoted)


def test_gtfs_flex_trips_are_listed_not_judged(tmp_path, cli):
    doc = _doc(_run(cli, tmp_path, _with_flex(feed_tables())))
    assert doc["inputs"]["flexible_routes"] == ["F1"]
    assert {r["route_id"] for r in doc["metrics"]["routes"]} == {"R1"}  # fixed route audited, F1 not judged
    assert "GTFS-Flex" in _notices(doc) and "F1" in _notices(doc)
    assert "have no stop_times" not in _notices(doc)  # the flex trip is not counted as missing


@pytest.mark.parametrize(("row", "line_field_value"), [
    ("F1-0,8:61:00,8:61:00,,3,zone1,,,", ("arrival_time", "8:61:00")),  # on the zone row itself
    ("F1-0,25:99:00,25:99:00,A,3,,,,", ("arrival_time", "25:99:00")),  # on a fixed stop of the flex trip
    ("F1-0,08:30:00,08:30:00,A,abc,,,,", ("stop_sequence", "abc")),
    (",08:30:00,08:30:00,,3,zone1,,,", ("trip_id", "")),  # no trip: not set apart silently
])
def test_a_flex_trips_rows_are_checked_for_their_form_before_being_set_apart(tmp_path, cli, row, line_field_value):
    tables = _with_flex(feed_tables())
    tables["stop_times.txt"] += row + "\n"
    result = _run(cli, tmp_path, tables)
    assert result.exit_code == 2, result.output
    lines = tables["stop_times.txt"].strip().split("\n")
    assert f"line {len(lines)} " in result.stderr and f"field {line_field_value[0]} " in result.stderr
    assert repr(line_field_value[1]) in result.stderr


def test_a_zip_with_a_readme_at_its_root_and_the_feed_in_a_folder(tmp_path, cli):
    path = tmp_path / "feed.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "Feed of Sample City, licence CC-BY")
        archive.writestr("__MACOSX/city/._stops.txt", b"\x00\x05\x16\x07")
        for name, text in feed_tables().items():
            archive.writestr(f"city/{name}", text)
    result = cli("audit", path, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州", "--format",
                 "json")
    assert _doc(result)["metrics"]["routes"][0]["trips"] == 40


def test_a_folder_with_a_readme_and_the_feed_below(tmp_path, cli):
    folder = tmp_path / "download"
    write_feed(folder / "city", feed_tables(), as_zip=False)  # download/city/gtfs/*.txt
    (folder / "readme.txt").write_text("licence")
    result = cli("audit", folder, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    assert result.exit_code in (0, 1), result.stderr


def test_two_feeds_in_one_zip_are_refused(tmp_path, cli):
    path = tmp_path / "feed.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for folder in ("a", "b"):
            for name, text in feed_tables().items():
                archive.writestr(f"{folder}/{name}", text)
    result = cli("audit", path, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    _refused(result, "Several folders", "a/", "b/")


# ---------------------------------------------------------------- read right, or refused, never dropped

@pytest.mark.parametrize("style", ["cr", "crlf", "mixed"])
def test_line_ends_cr_crlf_and_mixed_read_alike(tmp_path, cli, style):
    import random

    tables = feed_tables()
    tables["calendar_dates.txt"] = "service_id,date,exception_type\nWD,20260105,2\n"  # a holiday
    plain = _doc(_run(cli, tmp_path / "lf", tables))
    assert plain["service_date"]["date"] == "2026-01-06"  # the holiday is not the busiest weekday
    other = {name: line_ends(text, style, random.Random(7)) for name, text in tables.items()}
    if style == "cr":
        assert "\n" not in other["calendar.txt"] and "\n" not in other["stop_times.txt"]
    _same_audit(plain, _doc(_run(cli, tmp_path / style, other)))


def test_trips_without_stop_times_are_a_notice_naming_their_routes(tmp_path, cli):
    tables = feed_tables(routes={"R1": [420 + 20 * i for i in range(40)], "R2": [430, 500]})
    tables["stop_times.txt"] = "\n".join(r for r in tables["stop_times.txt"].split("\n") if not r.startswith("R2-"))
    tables["trips.txt"] += "R1,WD,R1-extra,0\n"
    doc = _doc(_run(cli, tmp_path, tables))
    notice = next(n["en"] for n in doc["notices"] if "have no stop_times" in n["en"])
    assert notice.startswith("3 of the 43 trips running on 2026-01-05 have no stop_times")
    assert "R2 (2)" in notice and "R1 (1)" in notice
    assert "1 route(s) have no timed trip at all that day: R2" in notice


def test_trips_of_a_service_no_calendar_defines_are_noticed(tmp_path, cli):
    tables = feed_tables(routes={"R1": [420 + 20 * i for i in range(40)], "R2": [430]})
    tables["trips.txt"] = tables["trips.txt"].replace("R2,WD,", "R2,HOLIDAY,")
    doc = _doc(_run(cli, tmp_path, tables))
    assert ("trips.txt: 1 trip(s) name a service_id that neither calendar.txt nor calendar_dates.txt defines "
            "(HOLIDAY), so they never run; routes R2.") in _notices(doc)


def test_a_stop_times_file_with_no_rows_is_refused(tmp_path, cli):
    tables = feed_tables(**{"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"})
    _refused(_run(cli, tmp_path, tables), "stop_times.txt", "has no rows")


@pytest.mark.parametrize("row, field, words", [
    ("WD,1,1,1,1,1,0,0,20260130,20260105", "end_date", "end_date is before start_date"),
    ("WD,1,1,1,1,1,0,0,00010101,20260130", "start_date", "placeholder"),
    ("WD,1,1,1,1,1,0,0,20260105,20260230", "end_date", "that exists"),
    ("WD,1,1,1,1,1,0,0,2026015,20260130", "start_date", "YYYYMMDD"),
])
def test_calendar_dates_that_cannot_be_are_refused(tmp_path, cli, row, field, words):
    calendar = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n" + row
    message = _refused(_run(cli, tmp_path, feed_tables(**{"calendar.txt": calendar + "\n"})), "calendar.txt",
                       "line 2", f"field {field}", words)
    assert len(message) < 1000


def _times(rows: list[str]) -> dict[str, str]:
    tables = feed_tables(routes={"R1": [420]}, stops={"A": (0, 0), "M": (0.5, 0), "B": (1, 0)})
    tables["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(rows) + "\n"
    return tables


@pytest.mark.parametrize("rows, line, field, words", [
    # MobilityData: stop_time_with_arrival_before_previous_departure_time (error)
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,06:50:00,06:50:00,M,2", "R1-0-0,07:10:00,07:10:00,B,3"],
     3, "arrival_time", "times go backwards"),
    # ... and across an untimed stop
    (["R1-0-0,07:00:00,07:05:00,A,1", "R1-0-0,,,M,2", "R1-0-0,07:03:00,07:03:00,B,3"],
     4, "arrival_time", "times go backwards"),
    # ... where only the departure is written: that is the value shown
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,,06:50:00,M,2", "R1-0-0,07:10:00,07:10:00,B,3"],
     3, "arrival_time", "06:50:00"),
    # start_and_end_range_out_of_order: departure before arrival at a stop (error)
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,07:05:00,07:04:00,M,2", "R1-0-0,07:10:00,07:10:00,B,3"],
     3, "departure_time", "departure_time is before arrival_time"),
    # number_out_of_range: stop_sequence is a non-negative integer (error)
    (["R1-0-0,07:00:00,07:00:00,A,-1", "R1-0-0,07:05:00,07:05:00,M,2", "R1-0-0,07:10:00,07:10:00,B,3"],
     2, "stop_sequence", "zero or more"),
    # duplicate_key (trip_id, stop_sequence) (error)
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,07:05:00,07:05:00,M,2", "R1-0-0,07:10:00,07:10:00,B,2"],
     4, "stop_sequence", "repeats"),
    # a bus time a day past its service day: buscheck's own limit
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,07:05:00,07:05:00,M,2", "R1-0-0,99:59:59,99:59:59,B,3"],
     4, "arrival_time", "48:00:00"),
    # ... named where it is written: here only the departure is (it was blamed on the empty arrival)
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,,50:00:00,M,2", "R1-0-0,51:00:00,51:00:00,B,3"],
     3, "departure_time", "48:00:00"),
    # three-digit hours are not a GTFS time (they used to end in exit 3)
    (["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,07:05:00,07:05:00,M,2", "R1-0-0,100:00:00,100:00:00,B,3"],
     4, "arrival_time", "HH:MM:SS"),
])
def test_stop_times_that_cannot_be_are_refused(tmp_path, cli, rows, line, field, words):
    _refused(_run(cli, tmp_path, _times(rows)), "stop_times.txt", f"line {line}", f"field {field}", words)


@pytest.mark.parametrize("windows, line, field, words", [
    ("R1-0-0,06:00:00,49:00:00,600,0", 2, "end_time", "48:00:00"),
    ("R1-0-0,06:00:00,09:00:00,600,0\nR1-0-0,08:00:00,10:00:00,900,0", 3, "start_time", "overlaps"),
    # 20 rows that would give 3.5 million departures: refused at the row that passes 2 million
    ("".join(f"R1-0-{i},00:00:00,47:59:59,1,0\n" for i in range(20)), 13, "headway_secs", "2,000,000 departures"),
])
def test_frequencies_that_cannot_be_are_refused(tmp_path, cli, windows, line, field, words):
    tables = feed_tables(routes={"R1": [360 + i for i in range(20)]})
    tables["frequencies.txt"] = "trip_id,start_time,end_time,headway_secs,exact_times\n" + windows + "\n"
    _refused(_run(cli, tmp_path, tables), "frequencies.txt", f"line {line}", f"field {field}", words)


def test_a_stop_time_with_only_an_arrival_is_used_with_a_notice(tmp_path, cli):
    rows = ["R1-0-0,07:00:00,07:00:00,A,1", "R1-0-0,07:05:00,,M,2", "R1-0-0,07:10:00,07:10:00,B,3"]
    doc = _doc(_run(cli, tmp_path, _times(rows)))
    assert "stop_times.txt: 1 row(s) give only one of arrival_time and departure_time (line 3)" in _notices(doc)


def test_an_empty_route_type_is_refused_and_an_unknown_one_noticed(tmp_path, cli):
    tables = feed_tables(routes={"R1": [420 + 20 * i for i in range(40)], "R2": [430]})
    empty = {**tables, "routes.txt": tables["routes.txt"].replace("R2,R2,Route R2,3", "R2,R2,Route R2,")}
    _refused(_run(cli, tmp_path / "a", empty), "routes.txt", "line 3", "field route_type", "empty")
    unknown = {**tables, "routes.txt": tables["routes.txt"].replace("R2,R2,Route R2,3", "R2,R2,Route R2,99")}
    doc = _doc(_run(cli, tmp_path / "b", unknown))
    assert "1 route(s) have a route_type GTFS does not define" in _notices(doc) and "R2 (99)" in _notices(doc)
    assert {r["route_id"] for r in doc["metrics"]["routes"]} == {"R1"}


def test_routes_that_are_not_bus_are_noticed(tmp_path, cli):
    tables = feed_tables(routes={"R1": [420 + 20 * i for i in range(40)], "M1": [430]})
    tables["routes.txt"] = tables["routes.txt"].replace("M1,M1,Route M1,3", "M1,M1,Route M1,1")
    doc = _doc(_run(cli, tmp_path, tables))
    assert "1 route(s) are not bus or trolleybus" in _notices(doc) and "M1 (1)" in _notices(doc)


def _polygon_file(path: Path, coordinates, crs: str | None = None) -> Path:
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "d"}, "geometry": {"type": "Polygon", "coordinates": coordinates}}]}
    if crs:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(document))
    return path


def _mercator(ring):
    from pyproj import Transformer

    to = Transformer.from_crs(4326, 3857, always_xy=True)
    return [list(to.transform(x, y)) for x, y in ring]


@pytest.mark.parametrize("option", ["--built-up", "--districts"])
def test_polygons_not_in_longitude_latitude_are_refused(tmp_path, cli, option):
    ring = square_km(-5, -5, 5, 5)
    cases = {
        "mercator": ([_mercator(ring)], None, ["EPSG:3857", "longitude/latitude"]),
        "latitude over 90": ([[[x, y + 80] for x, y in ring]], None, ["latitude -90 to 90"]),
        "swapped": ([[[y, x] for x, y in ring]], None, ["swapped"]),
        "unknown crs": ([ring], "EPSG:999999", ["field crs", "Unknown coordinate reference system"]),
    }
    good = write_polygon(tmp_path / "good.geojson")
    for name, (rings, crs, words) in cases.items():
        bad = _polygon_file(tmp_path / f"{name}.geojson", rings, crs)
        args = ["--districts", bad] if option == "--districts" else []
        result = _run(cli, tmp_path / name, feed_tables(), *args, polygon=good if args else bad)
        _refused(result, str(bad), *words)


def test_mercator_with_its_crs_declared_is_read(tmp_path, cli):
    polygon = _polygon_file(tmp_path / "m.geojson", [_mercator(square_km(-5, -5, 5, 5))], "EPSG:3857")
    doc = _doc(_run(cli, tmp_path, feed_tables(), "--districts", polygon))
    assert doc["metrics"]["coverage"]["districts"][0]["built_up_km2"] == pytest.approx(100, rel=0.01)


@pytest.mark.parametrize("place", ["southern hemisphere", "antarctica"])
def test_a_polygon_far_from_every_stop_is_refused(tmp_path, cli, place):
    move = {"southern hemisphere": lambda x, y: [x, -y],  # the right numbers, the wrong sign
            "antarctica": lambda x, y: [x, y - 97.6]}[place]
    far = [[move(x, y) for x, y in square_km(-5, -5, 5, 5)]]
    polygon = _polygon_file(tmp_path / "far.geojson", far)
    _refused(_run(cli, tmp_path, feed_tables(), polygon=polygon), "far.geojson", "50 km from every stop",
             "Expected the same city's polygon in longitude/latitude")
    districts = _polygon_file(tmp_path / "d.geojson", far)
    _refused(_run(cli, tmp_path / "d", feed_tables(), "--districts", districts), "d.geojson",
             "None of the districts overlaps")


# ---------------------------------------------------------------- bad input is exit 2, not 3

def test_a_duplicated_header_column_is_refused(tmp_path, cli):
    tables = feed_tables()
    tables["stops.txt"] = tables["stops.txt"].replace("stop_lat,stop_lon", "stop_lat,stop_lat", 1)
    _refused(_run(cli, tmp_path, tables), "stops.txt", "line 1", "field stop_lat", "twice")


def _zip_with(path: Path, tables: dict[str, str], patch=None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
    if patch:
        data = bytearray(path.read_bytes())
        patch(data)
        path.write_bytes(bytes(data))
    return path


def _central_entry(data: bytearray, name: bytes) -> int:
    """Offset of the central directory record of `name`."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        if data[at + 46: at + 46 + len(name)] == name:
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(name)


def _set_flag_encrypted(data: bytearray) -> None:
    at = _central_entry(data, b"stop_times.txt")
    data[at + 8] |= 0x1


def _set_deflate64(data: bytearray) -> None:
    at = _central_entry(data, b"stop_times.txt")
    data[at + 10: at + 12] = (9).to_bytes(2, "little")


def _corrupt_stop_times(data: bytearray) -> None:
    at = _central_entry(data, b"stop_times.txt")
    local = int.from_bytes(data[at + 42: at + 46], "little")
    start = local + 30 + len(b"stop_times.txt")
    for i in range(start + 20, start + 60):
        data[i] ^= 0x5A


@pytest.mark.parametrize("patch, words", [
    (_set_flag_encrypted, ["encrypted"]),
    (_set_deflate64, ["Deflate64"]),
    (_corrupt_stop_times, ["damaged"]),
])
def test_zip_entries_that_cannot_be_read_are_refused(tmp_path, cli, patch, words):
    path = _zip_with(tmp_path / "gtfs.zip", feed_tables(), patch)
    result = cli("audit", path, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    _refused(result, "gtfs.zip:stop_times.txt", *words)


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, cli):
    tables = feed_tables()
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
        with archive.open("shapes.txt", "w") as handle:  # 40 MB of one repeated row, about 1000x smaller
            handle.write(b"shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n")
            row = b"S,22.6,113.3,1\n" * 65536
            for _ in range(40_000_000 // len(row)):
                handle.write(row)
    assert path.stat().st_size < 200_000
    result = cli("audit", path, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "阳泉", "--rules",
                 "transit-metropolis", "--profile", "yangquan-2025")  # the pack that reads shapes.txt
    _refused(result, "bomb.zip:shapes.txt", "zip bomb")


def test_limits_on_declared_and_inflated_sizes(tmp_path, monkeypatch):
    from checker.errors import InputError
    from checker.load import archive
    from checker.load.feed import load_feed

    path = write_feed(tmp_path, feed_tables())
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    with pytest.raises(InputError, match="up to 1,000 bytes"):
        load_feed(path)
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 10**9)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 3000)
    with pytest.raises(InputError, match="add up to more than 3,000 bytes"):
        load_feed(path)


def test_a_utf16_file_without_bom_reads_and_no_nul_reaches_a_message(tmp_path, cli):
    tables = feed_tables()
    tables["stops.txt"] = tables["stops.txt"].encode("utf-16-le")
    result = _run(cli, tmp_path / "ok", tables)
    assert result.exit_code in (0, 1), result.stderr
    broken = feed_tables()
    broken["stops.txt"] = broken["stops.txt"].replace("stop_id", "stopid").encode("utf-16-le")
    message = _refused(_run(cli, tmp_path / "bad", broken), "stops.txt", "stop_id")
    assert "\x00" not in message


def test_a_folder_as_a_file_option_is_refused(tmp_path, cli, audit_args):
    folder = tmp_path / "somewhere"
    folder.mkdir()
    _refused(cli(*audit_args(), "--profile", folder), "folder")
    feed = write_feed(tmp_path / "feed", feed_tables())
    _refused(cli("audit", feed, "--built-up", folder, "--city", "广州"), "folder")
    _refused(cli(*audit_args(), "--base-routes", folder), "folder")


def test_a_rule_pack_with_a_text_threshold_is_refused(tmp_path, cli, audit_args):
    from tests.conftest import REPO

    text = (REPO / "rules" / "gd-basic-bus-2025.toml").read_text(encoding="utf-8")
    assert "max_min = 30" in text
    pack = tmp_path / "pack.toml"
    pack.write_text(text.replace("max_min = 30", 'max_min = "30 min"', 1), encoding="utf-8")
    _refused(cli(*audit_args(), "--rules", pack), "pack.toml", "field max_min")


@pytest.mark.parametrize("text, field", [
    ('city = ["示例市"]\n', "city"),
    ('city = "示例市"\n', "city"),
    ('defaults = 3\n[[city]]\nname = "a"\n', "defaults"),
])
def test_malformed_batch_manifests_are_refused(tmp_path, cli, text, field):
    manifest = tmp_path / "m.toml"
    manifest.write_text(text, encoding="utf-8")
    _refused(cli("batch", manifest, "--out", tmp_path / "out"), "m.toml", f"field {field}")


def test_an_out_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path, cli, audit_args, monkeypatch):
    import checker.report.outdir as files

    parent = tmp_path / "readonly"
    out = parent / "out"
    out.mkdir(parents=True)
    real = files._writable
    monkeypatch.setattr(files, "_writable", lambda folder: folder != parent and real(folder))
    monkeypatch.setattr("checker.pipeline.run_audit", lambda request: pytest.fail("the audit ran"))
    _refused(cli(*audit_args(), "--out", out), "--out", f"Cannot write in {parent}")  # an existing --out
    _refused(cli(*audit_args(), "--out", parent / "new"), "--out", f"Cannot write in {parent}")
    monkeypatch.setattr(files, "_writable", lambda folder: folder != out and real(folder))
    _refused(cli(*audit_args(), "--out", out), "--out", f"Cannot write in {out}")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_an_out_folder_in_a_read_only_parent(tmp_path, cli, audit_args):
    parent = tmp_path / "readonly"
    (parent / "out").mkdir(parents=True)
    parent.chmod(0o555)
    try:
        _refused(cli(*audit_args(), "--out", parent / "out"), "--out")
    finally:
        parent.chmod(0o755)


# ---------------------------------------------------------------- crashes and resources

def test_a_polars_panic_is_an_internal_error_not_a_failing_rule(tmp_path, cli, audit_args, monkeypatch):
    import polars as pl

    def panic(request):
        raise pl.exceptions.PanicException("capacity overflow")

    monkeypatch.setattr("checker.pipeline.run_audit", panic)
    result = cli(*audit_args())
    assert result.exit_code == 3
    assert "Internal error: PanicException" in result.stderr and "Traceback" not in result.output


def test_an_unclosed_quote_names_its_line_and_the_message_stays_short(tmp_path, cli):
    tables = feed_tables()
    rows = tables["stop_times.txt"].split("\n")
    rows[5] = rows[5].replace("R1-0-2", '"R1-0-2', 1)
    tables["stop_times.txt"] = "\n".join(rows + [f"R9-{i},07:00:00,07:00:00,A,1" for i in range(20000)])
    message = _refused(_run(cli, tmp_path, tables), "stop_times.txt", "line 6", "unmatched quote")
    assert len(message) < 800


def test_a_value_spanning_lines_is_refused(tmp_path, cli):
    tables = feed_tables()
    tables["stops.txt"] = tables["stops.txt"].replace("Stop B", '"Stop\nB"')
    _refused(_run(cli, tmp_path, tables), "stops.txt", "line 3", "cannot span lines")


def test_a_link_out_of_the_feed_folder_is_refused(tmp_path, cli):
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    feed = write_feed(tmp_path / "f", feed_tables(), as_zip=False)
    (feed / "agency.txt").unlink()
    (feed / "agency.txt").symlink_to(outside)
    result = cli("audit", feed, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    message = _refused(result, "agency.txt", "outside the feed folder")
    assert "root:x" not in message


def test_a_link_inside_the_feed_folder_is_followed(tmp_path, cli):
    feed = write_feed(tmp_path / "f", feed_tables(), as_zip=False)
    (feed / "calendar.txt").rename(feed / "calendar.real")
    (feed / "calendar.txt").symlink_to(feed / "calendar.real")
    result = cli("audit", feed, "--built-up", write_polygon(tmp_path / "b.geojson"), "--city", "广州")
    assert result.exit_code in (0, 1), result.stderr


def test_empty_lines_are_skipped_with_a_notice(tmp_path, cli):
    tables = feed_tables()
    tables["stops.txt"] = tables["stops.txt"].replace("\n", "\n\n", 1) + "\n\n"
    doc = _doc(_run(cli, tmp_path, tables))
    assert "stops.txt: 3 empty line(s) skipped (line 2, 5, 6;" in _notices(doc)


def test_the_sample_city_quoted_with_cr_line_ends_gives_the_identical_result(tmp_path):
    from checker.pipeline import AuditRequest, run_audit
    from checker.report.document import result_json
    from tests.conftest import REPO

    sample = REPO / "sample_feeds" / "sample_city"
    rewritten = tmp_path / "gtfs.zip"
    with zipfile.ZipFile(sample / "gtfs.zip") as source, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            text = source.read(info).decode("utf-8")
            out.writestr(info.filename, line_ends(requote(text), "cr"))
            assert "\n" not in line_ends(requote(text), "cr")

    def audit(feed: Path) -> dict:
        request = AuditRequest(
            feed=feed, built_up=sample / "built_up.geojson", city="示例市", profile=sample / "profile.toml",
            districts=sample / "districts.geojson", hubs=sample / "hubs.csv", facilities=sample / "facilities.csv")
        doc = json.loads(result_json(run_audit(request).result))
        doc["inputs"]["feed"] = "gtfs.zip"
        del doc["provenance"]  # when, and the files' own bytes (SHA-256): different by design
        return doc

    assert audit(rewritten) == audit(sample / "gtfs.zip")
