"""Property tests: whatever a file holds, loading ends in a result or an InputError, never a crash; through the
command line, every run ends in exit 0, 1 or 2; and a valid feed gives the same result however its CSV is
quoted and whatever its line ends."""

import json
import os
import random
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from checker.batch.manifest import load_manifest
from checker.cli import app
from checker.errors import InputError
from checker.load.base_routes import load_route_list
from checker.load.built_up import load_built_up
from checker.load.declared import load_declared
from checker.load.facilities import load_facilities
from checker.load.feed import load_feed
from checker.load.hubs import load_hubs_file
from checker.load.pack import resolve_city
from checker.load.ridership import load_trip_loads
from checker.pipeline import AuditRequest, open_pack, run_audit
from checker.report.document import result_json
from tests.conftest import feed_tables, line_ends, requote, square_km, write_feed, write_polygon

CELLS = st.one_of(
    st.sampled_from(["", '""', "A", "B", "R1", "R1-0-0", "WD", "0", "1", "2", "3", "-1", "99", "07:00:00",
                     "25:61:00", "24:30:00", "47:59:59", "48:00:00", "100:00:00", "22.6", "113.3", "95", "abc",
                     '"q,uoted"', '"open', "天河", " 7:05:00 ", "1e9", "NaN", "20260105", "20260230", "00010101",
                     "zone1"]),
    st.text(max_size=6),
)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=9), max_size=5)
HEADERS = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone",
    "routes.txt": "route_id,route_short_name,route_long_name,route_type",
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence,location_id,location_group_id",
    "trips.txt": "route_id,service_id,trip_id,direction_id",
    "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date",
    "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times",
    "calendar_dates.txt": "service_id,date,exception_type",
    "shapes.txt": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence",
}
ENDS = st.sampled_from(["lf", "crlf", "cr", "mixed"])
# BUSCHECK_FUZZ=10 runs ten times as many examples (a longer hunt than the test suite's).
SCALE = int(os.environ.get("BUSCHECK_FUZZ", "1"))
FUZZ = settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW_FUZZ = settings(max_examples=15 * SCALE, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
MONDAY = date(2026, 1, 5)


def _load(tmp_path, name: str, content: bytes):
    path = tmp_path / "fuzz.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for table, text in feed_tables().items():
            archive.writestr(table, content if table == name else text)
        if name not in feed_tables():
            archive.writestr(name, content)
    try:
        load_feed(path, shapes=True)
    except InputError as error:
        assert error.message()
        assert len(error.message()) < 2500
        assert "\x00" not in error.message()


def _csv(header: str, rows: list[list[str]], ends: str, seed: int) -> str:
    return line_ends(header + "\n" + "".join(",".join(row) + "\n" for row in rows), ends, random.Random(seed))


@FUZZ
@given(name=st.sampled_from(sorted(HEADERS)), rows=ROWS, keep_header=st.booleans(), ends=ENDS, seed=st.integers(0, 9))
def test_random_rows_never_crash(tmp_path, name, rows, keep_header, ends, seed):
    header = HEADERS[name] if keep_header else "x,y"
    _load(tmp_path, name, _csv(header, rows, ends, seed).encode("utf-8"))


@FUZZ
@given(name=st.sampled_from(sorted(HEADERS)), content=st.binary(max_size=200))
def test_random_bytes_never_crash(tmp_path, name, content):
    _load(tmp_path, name, content)


@FUZZ
@given(name=st.sampled_from(sorted(HEADERS)), rows=ROWS)
def test_random_rows_in_utf16_never_crash(tmp_path, name, rows):
    _load(tmp_path, name, _csv(HEADERS[name], rows, "lf", 0).encode(random.choice(["utf-16-le", "utf-16", "gbk"]),
                                                                        errors="replace"))


# ---------------------------------------------------------------- the other loaders

def _expect_input_error_or_result(load):
    try:
        load()
    except InputError as error:
        assert error.message() and "\x00" not in error.message()


CSV_LOADERS = {
    "hubs.csv": ("name,mode,lat,lon,first_departure,last_arrival,day_type",
                 lambda p: load_hubs_file(p, MONDAY, "wgs84")),
    "facilities.csv": ("name,category,lat,lon",
                       lambda p: load_facilities(p, "wgs84", open_pack(None).rules_checked_by("priority_coverage")[0]
                                                 .params["categories"])),
    "routes.csv": ("route_id,route_short_name", load_route_list),
    "load.csv": ("trip_id,peak_load,capacity", lambda p: load_trip_loads(p, MONDAY)),
    "declared.csv": ("indicator,value,source", lambda p: load_declared(p, {"TM-01": "TM-01", "1": "TM-01"})),
    "manifest.csv": ("name,feed,built_up,peak_windows,coverage_target,feed_crs", load_manifest),
}


@FUZZ
@given(name=st.sampled_from(sorted(CSV_LOADERS)), rows=ROWS, keep_header=st.booleans(), ends=ENDS,
       seed=st.integers(0, 9), quote=st.booleans())
def test_csv_inputs_never_crash(tmp_path, name, rows, keep_header, ends, seed, quote):
    header, load = CSV_LOADERS[name]
    text = _csv(header if keep_header else "a,b", rows, ends, seed)
    path = tmp_path / name
    path.write_text(requote(line_ends(text, "lf")) if quote else text, encoding="utf-8")
    _expect_input_error_or_result(lambda: load(path))


NUMBERS = st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=32), st.integers(-10**8, 10**8),
                    st.sampled_from([113.3, 22.6, 95.0, -91.0, 12_600_000.0]))
GEOMETRY = st.fixed_dictionaries({
    "type": st.sampled_from(["Polygon", "MultiPolygon", "Point", "LineString", "Nonsense"]),
    "coordinates": st.recursive(st.lists(NUMBERS, min_size=2, max_size=3), lambda inner: st.lists(inner, max_size=5),
                                max_leaves=20),
})
CRS_NAMES = st.sampled_from([None, "EPSG:4326", "EPSG:3857", "EPSG:4490", "urn:ogc:def:crs:OGC:1.3:CRS84",
                             "EPSG:999999", "nonsense", 7])


@FUZZ
@given(geometries=st.lists(GEOMETRY, max_size=3), crs=CRS_NAMES)
def test_geojson_never_crashes(tmp_path, geometries, crs):
    document = {"type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {"name": "x"}, "geometry": g} for g in geometries]}
    if crs is not None:
        document["crs"] = {"type": "name", "properties": {"name": crs}}
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(document))
    _expect_input_error_or_result(lambda: load_built_up(path))


@FUZZ
@given(content=st.binary(max_size=300))
def test_geojson_bytes_never_crash(tmp_path, content):
    path = tmp_path / "b.geojson"
    path.write_bytes(content)
    _expect_input_error_or_result(lambda: load_built_up(path))


TOML_VALUES = st.one_of(st.integers(-5, 100), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                        st.sampled_from(['"07:00"', '"25:00"', '["07:00-09:00"]', '"city"', "true", "[1, 2]"]))


@FUZZ
@given(entries=st.dictionaries(st.sampled_from(["tier", "coverage_target", "work_start", "work_end", "peak_windows",
                                                "night_routes", "night_first_by", "night_max_headway_min",
                                                "hub_distance_m", "colour"]),
                               TOML_VALUES, max_size=4))
def test_profiles_never_crash(tmp_path, entries):
    lines = []
    for key, value in entries.items():
        text = value if isinstance(value, str) and value[:1] in '"[t' else json.dumps(value)
        lines.append(f"{key} = {text}")
    path = tmp_path / "p.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _expect_input_error_or_result(lambda: resolve_city(open_pack(None), "广州", path))


@FUZZ
@given(content=st.binary(max_size=200))
def test_manifests_never_crash(tmp_path, content):
    path = tmp_path / "m.toml"
    path.write_bytes(content)
    _expect_input_error_or_result(lambda: load_manifest(path))


# ---------------------------------------------------------------- the command line

def _mutated(rng: random.Random) -> dict[str, str]:
    """A valid feed with a few cells of a few files replaced by fuzz values."""
    tables = feed_tables(routes={"R1": [420 + 20 * i for i in range(12)], "R2": [430, 500, 600]},
                         **{"frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times\n"
                                               "R2-0-1,08:00:00,10:00:00,600,0\n"})
    values = ["", '""', "-1", "99", "25:61:00", "48:00:00", "06:00:00", "R9", "0", "2", "abc", "20260230", '"',
              "99:59:59", "113.3", "95"]
    for _ in range(rng.randint(1, 3)):
        name = rng.choice(sorted(tables))
        lines = tables[name].strip("\n").split("\n")
        at = rng.randrange(len(lines))
        row = lines[at].split(",")
        row[rng.randrange(len(row))] = rng.choice(values)
        lines[at] = ",".join(row)
        tables[name] = "\n".join(lines) + "\n"
    return tables


@SLOW_FUZZ
@given(seed=st.integers(0, 10**6), ends=ENDS, quote=st.booleans())
def test_the_command_line_ends_in_0_1_or_2(tmp_path_factory, seed, ends, quote):
    rng = random.Random(seed)
    tables = _mutated(rng)
    tables = {n: line_ends(requote(t, quote_all=quote, rng=rng) if quote else t, ends, rng) for n, t in tables.items()}
    folder = tmp_path_factory.mktemp("cli")
    feed = write_feed(folder, tables, as_zip=rng.random() < 0.7)
    polygon = write_polygon(folder / "b.geojson")
    result = CliRunner().invoke(app, ["audit", str(feed), "--built-up", str(polygon), "--city", "广州", "--format",
                                      "json"], catch_exceptions=True)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output[-2000:], result.exception)
    assert "Traceback" not in result.output


def _valid_feed(rng: random.Random) -> dict[str, str]:
    """A valid feed: random departures, an untimed intermediate stop, optional fields left empty, frequencies."""
    routes = {f"R{i}": sorted(rng.sample(range(300, 1400, 5), rng.randint(1, 30))) for i in range(rng.randint(1, 3))}
    stops = {"A": (0, 0), "M": (rng.uniform(-2, 2), rng.uniform(-2, 2)), "B": (1, 0)}
    tables = feed_tables(routes=routes, stops=stops)
    trips, times = [], []
    for route_id, departures in routes.items():
        for n, start in enumerate(departures):
            trip = f"{route_id}-{n}"
            direction = rng.choice(["0", "1", ""])
            trips.append(f"{route_id},WD,{trip},{direction},{rng.choice(['', '0', '1', '2'])}")
            for k, stop in enumerate("AMB"):
                minute = start + 5 * k
                stamp = f"{minute // 60:02d}:{minute % 60:02d}:00"
                shown = "" if stop == "M" and rng.random() < 0.5 else stamp
                times.append(f"{trip},{shown},{shown},{stop},{k + 1}")
    tables["trips.txt"] = "route_id,service_id,trip_id,direction_id,wheelchair_accessible\n" + "\n".join(trips) + "\n"
    tables["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + "\n".join(times) + "\n"
    tables["calendar_dates.txt"] = f"service_id,date,exception_type\nWD,202601{rng.randint(5, 30):02d},2\n"
    if rng.random() < 0.5:
        tables["frequencies.txt"] = ("trip_id,start_time,end_time,headway_secs,exact_times\n"
                                     f"R0-0,06:00:00,{rng.randint(7, 23):02d}:00:00,{rng.choice([300, 900, 1800])},\n")
    return tables


def _audit(folder, tables) -> dict:
    feed = write_feed(folder, tables)
    polygon = write_polygon(folder / "b.geojson", [square_km(-3, -3, 3, 3)])
    doc = json.loads(result_json(run_audit(AuditRequest(feed=feed, built_up=polygon, city="广州")).result))
    doc["inputs"]["feed"] = doc["inputs"]["built_up"] = None
    del doc["provenance"]  # when, and the files' own bytes (SHA-256): different by design
    return doc


@SLOW_FUZZ
@given(seed=st.integers(0, 10**6), ends=ENDS, quoting=st.sampled_from(["all", "some", "none"]))
def test_a_valid_feed_gives_one_result_however_quoted_and_whatever_its_line_ends(tmp_path_factory, seed, ends,
                                                                                 quoting):
    rng = random.Random(seed)
    tables = _valid_feed(rng)
    plain = _audit(tmp_path_factory.mktemp("plain"), tables)
    rewritten = {name: line_ends(text if quoting == "none" else requote(text, quoting == "all", rng), ends, rng)
                 for name, text in tables.items()}
    assert _audit(tmp_path_factory.mktemp("other"), rewritten) == plain


@pytest.mark.parametrize("seed", range(3))
def test_valid_feeds_audit(tmp_path, seed):
    """The valid-feed generator makes feeds that audit (so the property above compares results, not errors)."""
    assert _audit(tmp_path, _valid_feed(random.Random(seed)))["metrics"]["routes"]
