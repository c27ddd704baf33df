"""Art. 10(4) first and last bus, and Art. 10(3) interval limits, judged through the whole audit."""

import json

import pytest

from tests.conftest import feed_tables


def _route_findings(cli, audit_args, departures, **extra) -> dict[str, dict]:
    result = cli(*audit_args(feed_tables(routes={"R1": departures}), **extra), "--format", "json")
    doc = json.loads(result.stdout)
    return {f["rule"]: f for f in doc["findings"] if f["subject"]["type"] == "route"}


def _every(start_min: int, end_min: int, step: int) -> list[int]:
    return list(range(start_min, end_min + 1, step))


@pytest.mark.parametrize("last, status", [(19 * 60 + 30, "fail"), (20 * 60, "pass"), (24 * 60 + 30, "pass")])
def test_last_departure(cli, audit_args, last, status):
    found = _route_findings(cli, audit_args, _every(360, last, 30))
    assert found["GD-SPAN-LAST"]["status"] == status
    assert found["GD-SPAN-LAST"]["threshold"] == "20:00:00"


@pytest.mark.parametrize("first, status", [(7 * 60 + 30, "pass"), (7 * 60 + 31, "fail")])
def test_first_departure(cli, audit_args, first, status):
    found = _route_findings(cli, audit_args, _every(first, 21 * 60, 15))
    assert found["GD-SPAN-FIRST"]["status"] == status


def test_work_hours_from_a_profile(tmp_path, cli, audit_args):
    profile = tmp_path / "p.toml"
    profile.write_text('work_start = "08:00"\nwork_end = "17:30"\n', encoding="utf-8")
    found = _route_findings(cli, audit_args, _every(6 * 60 + 40, 19 * 60 + 40, 15), profile=profile)  # last 19:40
    assert found["GD-SPAN-FIRST"]["threshold"] == "06:30:00"
    assert found["GD-SPAN-FIRST"]["status"] == "fail"
    assert found["GD-SPAN-LAST"]["status"] == "pass"


def test_peak_35_minute_gap_fails_with_its_times(cli, audit_args):
    times = [t for t in _every(360, 1260, 10) if not 470 < t < 505] + [505]
    found = _route_findings(cli, audit_args, sorted(times))
    peak = found["GD-FREQ-PEAK"]
    assert (peak["status"], peak["value"], peak["threshold"]) == ("fail", 35, 30)
    assert (peak["detail"]["gap_from"], peak["detail"]["gap_to"]) == ("07:50:00", "08:25:00")
    assert "80%" in peak["message_en"]
    assert found["GD-FREQ-OFFPEAK"]["status"] == "pass"


def test_offpeak_61_minutes_fails(cli, audit_args):
    times = _every(360, 600, 15) + _every(661, 1260, 15)
    found = _route_findings(cli, audit_args, times)
    assert (found["GD-FREQ-OFFPEAK"]["status"], found["GD-FREQ-OFFPEAK"]["value"]) == ("fail", 61)


def test_load_factor_is_not_assessed_without_load_data(cli, audit_args):
    doc = json.loads(cli(*audit_args(), "--format", "json").stdout)
    load = next(f for f in doc["findings"] if f["rule"] == "GD-LOAD-PEAK")
    assert load["status"] == "not_assessed"
