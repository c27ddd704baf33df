"""Suggested departures: the fewest additions that fix every interval and span failure, derived by hand."""

from checker.judge.remedy import Limits, plan_departures
from checker.metrics.timetable import Window

PEAKS = [Window(7 * 3600, 9 * 3600), Window(17 * 3600, 19 * 3600)]
LIMITS = Limits(PEAKS, 30 * 60, 60 * 60, first_by_s=7 * 3600 + 1800, last_from_s=20 * 3600)


def m(text: str) -> int:
    h, mm = text.split(":")
    return int(h) * 3600 + int(mm) * 60


def hm(seconds: list[int]) -> list[str]:
    return [f"{s // 3600:02d}:{s % 3600 // 60:02d}" for s in seconds]


def every(start: str, end: str, step: int) -> list[int]:
    return list(range(m(start), m(end) + 1, step * 60))


def test_a_compliant_timetable_needs_nothing():
    assert plan_departures(every("06:00", "22:00", 20), LIMITS) == []


def test_a_35_minute_peak_gap_needs_one_departure():
    times = [t for t in every("06:00", "22:00", 10) if not m("07:50") < t < m("08:25")]
    assert hm(plan_departures(times, LIMITS)) == ["08:20"]


def test_a_75_minute_peak_gap_needs_two():
    times = [t for t in every("06:00", "22:00", 15) if not m("07:15") < t < m("08:30")]
    added = plan_departures(times, LIMITS)
    assert hm(added) == ["07:45", "08:15"]


def test_off_peak_gap_uses_the_off_peak_limit():
    times = every("06:00", "11:00", 20) + every("12:15", "21:00", 20)
    assert hm(plan_departures(times, LIMITS)) == ["12:00"]


def test_gap_running_into_a_peak_stops_at_its_edge():
    # 05:00 -> 07:10 (130 min) would need four departures at the peak limit, but only the piece that
    # reaches into the peak is held to 30 min: 05:00-06:00 and 06:00-07:00 are off-peak (60), 07:00-07:10
    times = [m("05:00")] + every("07:10", "22:00", 10)
    assert hm(plan_departures(times, LIMITS)) == ["06:00", "07:00"]


def test_late_first_bus_gets_one_at_the_latest_allowed_time():
    times = every("08:00", "21:00", 20)
    assert hm(plan_departures(times, LIMITS)) == ["07:30"]  # 07:00->07:30 and 07:30->08:00 are 30 min


def test_early_last_bus_gets_one_at_the_earliest_allowed_time():
    times = every("06:00", "19:30", 15)
    assert hm(plan_departures(times, LIMITS)) == ["20:00"]


def test_every_added_plan_passes_a_recheck():
    import polars as pl

    from checker.metrics.timetable import headways

    times = [m("06:40"), m("07:50"), m("10:30"), m("17:05"), m("19:10")]
    fixed = sorted(times + plan_departures(times, LIMITS))
    table = headways(pl.DataFrame({"route_id": "R", "direction_id": 0, "trip_id": "t", "origin_stop_id": "A",
                                   "departure_s": fixed}), PEAKS)
    worst = {r["window"]: r["max_headway_s"] for r in table.iter_rows(named=True)}
    assert worst["07:00-09:00"] <= 1800 and worst["17:00-19:00"] <= 1800 and worst["offpeak"] <= 3600
    assert fixed[0] <= LIMITS.first_by_s and fixed[-1] >= LIMITS.last_from_s
