"""The peak load-factor precondition (Art. 10(3)): GTFS-Ride or a simple CSV, figures derived by hand."""

import json

import jsonschema
import pytest

from checker.errors import InputError
from tests.conftest import SCHEMA

# R1 leaves every 20 min from 07:00 (trips R1-0-0 at 07:00 ... R1-0-39); peak 07:00-09:00 holds trips 0..5
PEAK_TRIPS = [f"R1-0-{i}" for i in range(6)]


def _findings(cli, audit_args, *extra):
    result = cli(*audit_args(), *extra, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    return doc, {f["rule"]: f for f in doc["findings"] if f["subject"]["type"] == "route"}


def test_simple_csv(tmp_path, cli, audit_args):
    rows = [f"{t},{60 if i < 3 else 90},100" for i, t in enumerate(PEAK_TRIPS)] + ["R1-0-20,150,100"]
    path = tmp_path / "loads.csv"
    path.write_text("trip_id,peak_load,capacity\n" + "\n".join(rows) + "\n", encoding="utf-8")
    doc, found = _findings(cli, audit_args, "--load", path)
    load = found["GD-LOAD-PEAK"]
    # (3 x 60 + 3 x 90) / (6 x 100) = 0.75; the off-peak trip at 150% is not a peak trip
    assert (load["status"], load["value"], load["detail"]["trips"]) == ("pass", 0.75, 6)
    assert load["detail"]["max_trip_load_factor"] == 0.9
    assert "precondition met" in found["GD-FREQ-PEAK"]["message_en"]


def test_gtfs_ride_overload_fails(tmp_path, cli, audit_args):
    ride = tmp_path / "ride"
    ride.mkdir()
    board = ["trip_id,stop_id,stop_sequence,boardings,load_count,service_date"]
    capacity = ["trip_id,service_date,seated_capacity,standing_capacity"]
    for trip in PEAK_TRIPS:
        board += [f"{trip},A,1,70,70,20260105", f"{trip},B,2,0,85,20260105"]
        capacity.append(f"{trip},20260105,30,70")
    (ride / "board_alight.txt").write_text("\n".join(board) + "\n", encoding="utf-8")
    (ride / "trip_capacity.txt").write_text("\n".join(capacity) + "\n", encoding="utf-8")
    _, found = _findings(cli, audit_args, "--load", ride)
    load = found["GD-LOAD-PEAK"]
    assert (load["status"], load["value"]) == ("fail", 0.85)
    assert "more capacity needed" in load["message_en"]
    assert "precondition not met" in found["GD-FREQ-PEAK"]["message_en"]


def test_without_load_data_the_rule_is_not_assessed(cli, audit_args):
    doc, _ = _findings(cli, audit_args)
    load = [f for f in doc["findings"] if f["rule"] == "GD-LOAD-PEAK"]
    assert [f["status"] for f in load] == ["not_assessed"]


def test_zero_capacity_is_an_input_error(tmp_path):
    from datetime import date

    from checker.load.ridership import load_trip_loads

    path = tmp_path / "loads.csv"
    path.write_text("trip_id,peak_load,capacity\nT1,10,0\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_trip_loads(path, date(2026, 1, 5))
    assert (error.value.line, error.value.field) == (2, "capacity")


def test_zero_total_capacity_in_gtfs_ride_is_an_input_error(tmp_path):
    from datetime import date

    from checker.load.ridership import load_trip_loads

    (tmp_path / "board_alight.txt").write_text("trip_id,stop_id,load_count\nT1,A,10\n", encoding="utf-8")
    (tmp_path / "trip_capacity.txt").write_text("trip_id,seated_capacity,standing_capacity\nT1,0,0\n",
                                                encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_trip_loads(tmp_path, date(2026, 1, 5))
    assert (error.value.line, error.value.field) == (2, "seated_capacity")
