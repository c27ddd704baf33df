"""Property tests: whatever bytes a feed file holds, loading ends in a feed or an InputError, never a crash."""

import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.load.feed import load_feed
from tests.conftest import feed_tables

CELLS = st.one_of(
    st.sampled_from(["", "A", "B", "R1", "R1-0-0", "1", "2", "-1", "07:00:00", "25:61:00", "24:30:00", "22.6",
                     "113.3", "abc", '"q,uoted"', "天河", " 7:05:00 ", "1e9", "NaN"]),
    st.text(max_size=6),
)
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=5)
HEADERS = {
    "stops.txt": "stop_id,stop_name,stop_lat,stop_lon,location_type",
    "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence",
    "trips.txt": "route_id,service_id,trip_id,direction_id",
    "frequencies.txt": "trip_id,start_time,end_time,headway_secs,exact_times",
    "calendar_dates.txt": "service_id,date,exception_type",
}
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load(tmp_path, name: str, content: bytes):
    path = tmp_path / "fuzz.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for table, text in feed_tables().items():
            archive.writestr(table, content if table == name else text)
        if name not in feed_tables():
            archive.writestr(name, content)
    try:
        load_feed(path)
    except InputError as error:
        assert error.message()


@FUZZ
@given(name=st.sampled_from(sorted(HEADERS)), rows=ROWS, keep_header=st.booleans())
def test_random_rows_never_crash(tmp_path, name, rows, keep_header):
    header = HEADERS[name] if keep_header else "x,y"
    text = header + "\n" + "".join(",".join(row) + "\n" for row in rows)
    _load(tmp_path, name, text.encode("utf-8"))


@FUZZ
@given(name=st.sampled_from(sorted(HEADERS)), content=st.binary(max_size=200))
def test_random_bytes_never_crash(tmp_path, name, content):
    _load(tmp_path, name, content)
