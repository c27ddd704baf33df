"""Headways per window, derived by hand. Minutes after midnight in, minutes out."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.metrics.timetable import OFFPEAK, Window, headways, route_spans

PEAKS = [Window(7 * 3600, 9 * 3600), Window(17 * 3600, 19 * 3600)]
AM, PM = "07:00-09:00", "17:00-19:00"


def _departures(minutes: list[float], route="R", direction=0) -> pl.DataFrame:
    return pl.DataFrame({
        "route_id": [route] * len(minutes),
        "direction_id": [direction] * len(minutes),
        "trip_id": [f"t{i}" for i in range(len(minutes))],
        "origin_stop_id": ["A"] * len(minutes),
        "departure_s": [round(m * 60) for m in minutes],
    })


def _windows(minutes: list[float]) -> dict[str, dict]:
    table = headways(_departures(minutes), PEAKS)
    return {
        row["window"]: {**row, "max_min": None if row["max_headway_s"] is None else row["max_headway_s"] / 60}
        for row in table.iter_rows(named=True)
    }


def _hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def test_every_20_minutes_is_a_20_minute_headway():
    w = _windows(list(range(_hm("06:00"), _hm("22:00") + 1, 20)))
    assert w[AM]["max_min"] == w[PM]["max_min"] == w[OFFPEAK]["max_min"] == 20
    assert w[AM]["departures"] == 6  # 07:00, 07:20, ..., 08:40


def test_a_35_minute_gap_in_the_peak():
    times = [t for t in range(_hm("06:00"), _hm("22:00") + 1, 10) if not _hm("07:50") < t < _hm("08:25")]
    times.append(_hm("08:25"))
    w = _windows(sorted(times))
    assert w[AM]["max_min"] == 35
    assert (w[AM]["gap_from_s"], w[AM]["gap_to_s"]) == (_hm("07:50") * 60, _hm("08:25") * 60)
    assert w[PM]["max_min"] == 10
    assert w[OFFPEAK]["max_min"] == 10  # a gap wholly inside a peak is not off-peak


def test_a_gap_straddling_a_window_edge_counts_for_both_sides():
    times = [_hm("06:00"), _hm("06:30"), _hm("06:50"), _hm("07:40"), _hm("08:00"), _hm("08:20"), _hm("08:40"),
             _hm("09:00"), _hm("10:00")]
    w = _windows(times)
    assert w[AM]["max_min"] == 50  # 06:50 -> 07:40 straddles 07:00
    assert w[OFFPEAK]["max_min"] == 60  # 09:00 -> 10:00, and 06:50 -> 07:40 counts here too (50)


def test_first_departure_after_the_window_opens_is_measured_from_the_edge():
    w = _windows(list(range(_hm("07:40"), _hm("21:00") + 1, 10)))
    assert w[AM]["max_min"] == 40
    assert w[AM]["gap_from_s"] == 7 * 3600


def test_last_departure_before_the_window_closes_is_measured_to_the_edge():
    w = _windows(list(range(_hm("06:00"), _hm("17:30") + 1, 10)))
    assert w[PM]["max_min"] == 90  # 17:30 -> 19:00, no bus left


def test_a_window_with_no_departure_is_never_nan():
    w = _windows([_hm("10:00"), _hm("11:00"), _hm("12:00")])
    assert w[AM]["max_min"] == 180  # waiting from 07:00 to 10:00
    assert w[AM]["departures"] == 0
    assert w[PM]["max_min"] == 7 * 60  # last bus 12:00, window ends 19:00


def test_a_single_departure_in_a_window():
    w = _windows([_hm("08:00")])
    assert w[AM]["max_min"] == 60  # 07:00 -> 08:00 and 08:00 -> 09:00
    assert w[OFFPEAK]["max_min"] is None  # no off-peak operating time


def test_service_past_midnight_stays_on_its_day():
    times = list(range(_hm("06:00"), _hm("24:30") + 1, 30))
    spans = route_spans(_departures(times))
    assert spans["last_departure_s"][0] == 24 * 3600 + 30 * 60
    assert _windows(times)[OFFPEAK]["max_min"] == 30


def test_directions_and_routes_are_separate():
    both = pl.concat([_departures([420, 440, 460], direction=0), _departures([430, 470], direction=1),
                      _departures([420, 425], route="S")])
    table = headways(both, PEAKS).filter(pl.col("window") == AM)
    got = {(r["route_id"], r["direction_id"]): r["max_headway_s"] / 60 for r in table.iter_rows(named=True)}
    assert got == {("R", 0): pytest.approx(80), ("R", 1): pytest.approx(70), ("S", 0): pytest.approx(115)}


def test_a_missing_key_groups_as_a_group_by_would():
    """Departures whose direction_id is missing form one direction of their own, as a group-by keeps nulls
    together (the loader infers every direction; the measure does not depend on it)."""
    departures = pl.concat([_departures([_hm("07:00"), _hm("07:25"), _hm("07:40")], direction=0),
                            _departures([_hm("07:00"), _hm("08:50")]).with_columns(
                                direction_id=pl.lit(None, dtype=pl.Int64))])
    table = headways(departures, PEAKS).filter(pl.col("window") == AM)
    got = {row["direction_id"]: row["max_headway_s"] / 60 for row in table.iter_rows(named=True)}
    assert got == {0: 80, None: 110}  # without an id: the 07:00 to 08:50 gap, not two first departures


def test_the_readme_worked_example():
    w = _windows([_hm(t) for t in ("06:50", "07:40", "08:00", "08:20", "08:40", "09:30")])
    assert (w[AM]["max_min"], w[OFFPEAK]["max_min"]) == (50, 50)
    w = _windows([_hm(t) for t in ("07:40", "08:00", "08:20", "08:40", "09:30")])
    assert w[AM]["max_min"] == 50  # 08:40 -> 09:30 still straddles 09:00; from 07:00 it is 40
    assert (w[AM]["gap_from_s"], w[AM]["gap_to_s"]) == (_hm("08:40") * 60, _hm("09:30") * 60)


def _by_hand(departures: pl.DataFrame, peaks: list[Window]) -> list[tuple]:
    """The README's headway semantics, route by route in plain Python: the oracle for `headways`."""
    rows = []
    for (route, direction), group in _groups(departures):
        times = sorted(group)
        gaps = list(zip(times, times[1:], strict=False))

        def worst(candidates):
            if not candidates:
                return None, None, None
            start, end = max(candidates, key=lambda gap: (gap[1] - gap[0], -gap[0]))
            return end - start, start, end

        for window in peaks:
            a, b = window.start_s, window.end_s
            candidates = [(s, e) for s, e in gaps if s < b and e > a]
            candidates += [(a, times[0])] if times[0] > a else []
            candidates += [(times[-1], b)] if times[-1] < b else []
            rows.append((route, direction, window.label, sum(a <= t < b for t in times), *worst(candidates)))
        off = [(s, e) for s, e in gaps if not any(s >= w.start_s and e <= w.end_s for w in peaks)]
        outside = sum(not any(w.start_s <= t < w.end_s for w in peaks) for t in times)
        rows.append((route, direction, OFFPEAK, outside, *worst(off)))
    return sorted(rows, key=lambda row: row[:3])


def _groups(departures: pl.DataFrame) -> list[tuple[tuple[str, int], list[int]]]:
    found: dict[tuple[str, int], list[int]] = {}
    for route, direction, at in departures.select("route_id", "direction_id", "departure_s").iter_rows():
        found.setdefault((route, direction), []).append(at)
    return sorted(found.items())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 1), st.integers(5 * 12, 23 * 12)),
                min_size=1, max_size=40),
       st.lists(st.tuples(st.integers(6, 20), st.integers(1, 6)), min_size=0, max_size=3))
def test_headways_agree_with_the_rules_worked_by_hand(rows, windows):
    """Any departures (five-minute steps, so gaps tie) and any peaks, overlapping or not, or none (a day type
    without peaks: every departure is off-peak)."""
    departures = pl.DataFrame({"route_id": [r for r, _, _ in rows], "direction_id": [d for _, d, _ in rows],
                               "departure_s": [t * 300 for _, _, t in rows]})
    peaks = list({Window(start * 3600, (start + hours) * 3600) for start, hours in windows})
    table = headways(departures, peaks)
    assert [tuple(row) for row in table.iter_rows()] == _by_hand(departures, peaks)


def test_a_day_without_peaks_counts_every_departure_off_peak():
    table = headways(_departures([360, 380, 400, 460]), [])
    assert table.select("window", "departures", "max_headway_s").rows() == [(OFFPEAK, 4, 60 * 60)]
