"""Every registered check of checker/judge/, called directly on hand-made typed records (no feed, no CLI).

Each check gets a passing, a failing and an edge case; every expected figure is derived by hand in the test.
The rules are the real ones of rules/gd-basic-bus-2025.toml and rules/transit-metropolis.toml; the city is
Shantou (prefecture tier, 60% coverage minimum, work 09:00-18:00, peaks 07:00-09:00 and 17:00-19:00), so the
first bus is due by 07:30 (09:00 - 90 min) and the last from 20:00 (18:00 + 120 min).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl
import pytest

import checker.judge  # noqa: F401  (registers every check)
from checker.judge.context import Context
from checker.judge.registry import CHECKS
from checker.judge.remedies import attach_remedies
from checker.load.pack import resolve_city
from checker.metrics.route_table import route_rows
from checker.model.clock import Clock, ClockMinute, parse_clock
from checker.model.metrics import (
    CoverageSummary,
    HubRoute,
    HubService,
    HubsMetric,
    LoadMetric,
    Metrics,
    Reason,
    RouteLoad,
    RouteRow,
    WindowHeadway,
)
from checker.model.pack import CityProfile, NightSettings, Rule, RulePack
from checker.model.result import Finding
from checker.pipeline import open_pack

GD: RulePack = open_pack(None)
TM: RulePack = open_pack("transit-metropolis")
SHANTOU: CityProfile = resolve_city(GD, "汕头")
GUANGZHOU: CityProfile = resolve_city(GD, "广州")
YANGQUAN: CityProfile = resolve_city(TM, "阳泉")


# --- builders ---------------------------------------------------------------------------------------------

def s(text: str) -> int:
    """'07:30' -> seconds since the service day's start (hours may pass 24)."""
    return parse_clock(text)


def every(start: str, end: str, step_min: int) -> list[int]:
    """Departures from `start` to `end` inclusive, every `step_min` minutes, in seconds."""
    return list(range(s(start), s(end) + 1, step_min * 60))


def route(departures: list[int], route_id: str = "R1", direction: int = 0, name: str | None = None,
          city: CityProfile = SHANTOU, night_listed: frozenset[str] = frozenset()) -> RouteRow:
    """One route-direction's RouteRow, measured by metrics/route_table.py from a tiny departures frame."""
    frame = pl.DataFrame({
        "route_id": [route_id] * len(departures),
        "direction_id": [direction] * len(departures),
        "trip_id": [f"{route_id}-{direction}-{n}" for n in range(len(departures))],
        "departure_s": departures,
        "arrival_s": [t + 600 for t in departures],
        "origin_stop_id": ["A"] * len(departures),
        "destination_stop_id": ["B"] * len(departures),
    }, schema_overrides={"direction_id": pl.Int64, "departure_s": pl.Int64, "arrival_s": pl.Int64})
    routes = pl.DataFrame({"route_id": [route_id], "route_short_name": [name or route_id],
                           "route_long_name": [None]}, schema_overrides={"route_long_name": pl.String})
    (row,) = route_rows(frame, routes, city.peak_windows, set(night_listed))
    return row


def coverage(ratio: float, built_up_km2: float = 100.0) -> CoverageSummary:
    covered = round(ratio * built_up_km2, 6)
    return CoverageSummary(ratio=ratio, built_up_km2=built_up_km2, covered_km2=covered,
                           uncovered_km2=round(built_up_km2 - covered, 6), stops_used=10, stops_outside_built_up=0,
                           radius_m=500, projection="test", built_up_source="test")


def context(routes: list[RouteRow] = (), city: CityProfile = SHANTOU, pack: RulePack = GD, ratio: float = 1.0,
            **metrics: Any) -> Context:
    return Context(pack, city, Metrics(coverage=coverage(ratio), routes=list(routes), **metrics))


def run(rule_id: str, ctx: Context) -> list[Finding]:
    rule = ctx.pack.rule(rule_id)
    assert rule is not None, rule_id
    return CHECKS[rule.check].function(rule, ctx)


def one(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    return findings[0]


def by_route(findings: list[Finding]) -> dict[str, Finding]:
    return {f.subject["route_id"]: f for f in findings}


ALL_DAY = every("06:00", "22:00", 20)  # 06:00 ... 22:00 every 20 min: every gap 20 min, span 06:00-22:00


# --- registry ---------------------------------------------------------------------------------------------

def test_every_check_has_a_docstring_and_typed_params():
    assert CHECKS
    for name, check in CHECKS.items():
        assert check.doc.strip(), f"{name} has no docstring"
        assert check.name == name
        for param in check.params:
            assert param.kind in ("number", "integer", "text", "table", "list"), (name, param)


def test_every_rule_of_the_real_packs_names_a_registered_check():
    for pack in (GD, TM):
        for rule in pack.rules:
            assert rule.check in CHECKS, rule.id


# --- sanity of the route builder (what the headway checks read) -------------------------------------------

def test_route_builder_measures_windows_by_hand():
    row = route(ALL_DAY)
    assert (row.first_departure_s, row.last_departure_s, row.max_gap_s) == (s("06:00"), s("22:00"), 20 * 60)
    windows = {w.window: w for w in row.windows}
    assert set(windows) == {"07:00-09:00", "17:00-19:00", "offpeak"}
    assert windows["07:00-09:00"].departures == 6  # 07:00, 07:20, ..., 08:40 (end exclusive)
    assert windows["07:00-09:00"].max_headway_s == 20 * 60
    assert row.night is None


# --- coverage_min (GD-COV-500) ----------------------------------------------------------------------------

def test_coverage_at_the_tier_minimum_passes():
    f = one(run("GD-COV-500", context(ratio=0.60)))
    assert (f.status, f.value, f.threshold, f.unit) == ("pass", 0.6, 0.6, "ratio")
    assert f.subject == {"type": "city", "city": "汕头", "city_en": "Shantou"}
    assert "prefecture" in f.message_en


def test_coverage_below_the_tier_minimum_fails():
    f = one(run("GD-COV-500", context(ratio=0.5999)))
    assert (f.status, f.value, f.threshold) == ("fail", 0.5999, 0.6)
    assert "40.01 km2 uncovered" in f.message_en  # 100 km2 built up, 59.99 covered


def test_coverage_compared_at_a_hundredth_of_a_percentage_point():
    # 99.995% rounds to 100.00% at 4 decimals of the ratio: not a failure of the megacity 100% minimum
    assert one(run("GD-COV-500", context(city=GUANGZHOU, ratio=0.99995))).status == "pass"
    # 99.994% rounds to 99.99%: a failure
    assert one(run("GD-COV-500", context(city=GUANGZHOU, ratio=0.99994))).status == "fail"


def test_coverage_against_the_citys_own_higher_target():
    city = dataclasses.replace(SHANTOU, coverage_target=0.70)
    f = one(run("GD-COV-500", context(city=city, ratio=0.65)))  # above the 60% minimum, below its own 70%
    assert (f.status, f.threshold) == ("fail", 0.70)
    assert "city's own target" in f.message_en


# --- headway_max (GD-FREQ-PEAK, GD-FREQ-OFFPEAK) ----------------------------------------------------------

def test_peak_headway_every_20_minutes_passes():
    f = one(run("GD-FREQ-PEAK", context([route(ALL_DAY)])))
    assert (f.status, f.value, f.threshold, f.unit) == ("pass", 20.0, 30, "min")
    assert f.subject["route_id"] == "R1" and f.subject["direction_id"] == 0
    assert "assuming a peak load factor of at most 80%" in f.message_en


def test_peak_headway_with_a_40_minute_gap_fails_and_names_the_gap():
    departures = [t for t in ALL_DAY if t != s("07:40")]  # 07:20 -> 08:00 is 40 min
    f = one(run("GD-FREQ-PEAK", context([route(departures)])))
    assert (f.status, f.value) == ("fail", 40.0)
    assert f.detail["window"] == "07:00-09:00"
    assert f.detail["gap_from"] == s("07:20") and f.detail["gap_to"] == s("08:00")
    assert isinstance(f.detail["gap_from"], Clock) and isinstance(f.detail["gap_to"], Clock)
    assert "07:20–08:00" in f.message_en


def test_peak_headway_exactly_at_the_limit_passes():
    departures = every("06:00", "22:00", 30)  # every gap 30 min
    assert one(run("GD-FREQ-PEAK", context([route(departures)]))).status == "pass"


def test_peak_headway_counts_the_wait_from_the_window_edge():
    # first bus 07:40: a 40-minute wait from 07:00 inside the 07:00-09:00 peak, though every gap is 10 min
    f = one(run("GD-FREQ-PEAK", context([route(every("07:40", "22:00", 10))])))
    assert (f.status, f.value) == ("fail", 40.0)
    assert (f.detail["gap_from"], f.detail["gap_to"]) == (s("07:00"), s("07:40"))


def test_peak_headway_worst_of_the_two_peaks():
    departures = [t for t in ALL_DAY if t not in (s("17:40"), s("18:00"))]  # 17:20 -> 18:20: 60 min
    f = one(run("GD-FREQ-PEAK", context([route(departures)])))
    assert (f.status, f.value, f.detail["window"]) == ("fail", 60.0, "17:00-19:00")


def test_peak_verdict_states_the_load_precondition_from_load_data():
    load = LoadMetric("test", [RouteLoad("R1", 0, 0.9, 4, 1.0)])
    f = one(run("GD-FREQ-PEAK", context([route(ALL_DAY)], load=load)))
    assert f.status == "pass"  # the interval itself is judged as measured
    assert "peak load factor 90% exceeds 80%" in f.message_en


def test_offpeak_headway_every_20_minutes_passes():
    f = one(run("GD-FREQ-OFFPEAK", context([route(ALL_DAY)])))
    assert (f.status, f.value, f.threshold, f.detail["window"]) == ("pass", 20.0, 60, "offpeak")


def test_offpeak_headway_with_a_90_minute_gap_fails():
    departures = every("06:00", "10:00", 20) + every("11:30", "22:00", 20)  # 10:00 -> 11:30
    f = one(run("GD-FREQ-OFFPEAK", context([route(departures)])))
    assert (f.status, f.value) == ("fail", 90.0)
    assert (f.detail["gap_from"], f.detail["gap_to"]) == (s("10:00"), s("11:30"))


def test_offpeak_headway_exactly_60_minutes_passes():
    departures = every("06:00", "10:00", 20) + every("11:00", "22:00", 20)  # 10:00 -> 11:00
    f = one(run("GD-FREQ-OFFPEAK", context([route(departures)])))
    assert (f.status, f.value) == ("pass", 60.0)


def test_offpeak_not_assessed_for_a_route_running_only_in_the_peak():
    f = one(run("GD-FREQ-OFFPEAK", context([route(every("07:00", "08:40", 20))])))
    assert (f.status, f.value, f.threshold) == ("not_assessed", None, 60)
    assert "no off-peak operating time" in f.message_en


def test_headway_night_routes_are_exempt():
    night = route(every("22:00", "28:00", 30), route_id="N1", name="N1")
    assert night.night is not None
    findings = by_route(run("GD-FREQ-PEAK", context([route(ALL_DAY), night])))
    assert findings["R1"].status == "pass"
    assert (findings["N1"].status, findings["N1"].value) == ("exempt", None)
    assert "GD-NIGHT" in findings["N1"].message_en


def test_headway_without_any_route_is_not_assessed():
    f = one(run("GD-FREQ-PEAK", context([])))
    assert (f.status, f.subject["type"]) == ("not_assessed", "city")


def test_peak_rule_without_peak_windows_has_nothing_to_judge_and_does_not_speak_of_off_peak():
    city = dataclasses.replace(SHANTOU, peak_windows=[])
    f = one(run("GD-FREQ-PEAK", context([route(ALL_DAY, city=city)], city=city)))
    assert f.status == "info"  # no peak window set: nothing to judge, nothing missing
    assert "off-peak" not in f.message_en


def test_headway_from_hand_built_windows():
    # WindowHeadway records written directly: the check takes the worst peak window
    row = RouteRow("W1", 1, "W1", None, "A", 30, s("06:00"), s("22:00"), 45 * 60, [
        WindowHeadway("07:00-09:00", 5, 25 * 60, s("07:10"), s("07:35")),
        WindowHeadway("17:00-19:00", 4, 45 * 60, s("17:30"), s("18:15")),
        WindowHeadway("offpeak", 21, 45 * 60, s("17:30"), s("18:15")),
    ], [], None)
    f = one(run("GD-FREQ-PEAK", context([row])))
    assert (f.status, f.value, f.detail["window"]) == ("fail", 45.0, "17:00-19:00")
    assert f.subject["direction_id"] == 1
    assert one(run("GD-FREQ-OFFPEAK", context([row]))).status == "pass"  # 45 <= 60


# --- first_departure_by (GD-SPAN-FIRST) and last_departure_from (GD-SPAN-LAST) -----------------------------

def test_first_departure_exactly_at_the_limit_passes():
    f = one(run("GD-SPAN-FIRST", context([route(every("07:30", "22:00", 20))])))
    assert (f.status, f.value, f.threshold, f.unit) == ("pass", s("07:30"), s("07:30"), "time")
    assert isinstance(f.value, Clock) and isinstance(f.threshold, Clock)


def test_first_departure_one_minute_late_fails():
    f = one(run("GD-SPAN-FIRST", context([route(every("07:31", "22:00", 20))])))
    assert (f.status, f.value, f.threshold) == ("fail", s("07:31"), s("07:30"))
    assert "07:31" in f.message_en and "07:30" in f.message_en


def test_first_departure_limit_follows_the_citys_work_start():
    city = dataclasses.replace(SHANTOU, work_start_s=s("08:00"))  # 08:00 - 90 min = 06:30
    f = one(run("GD-SPAN-FIRST", context([route(ALL_DAY, city=city)], city=city)))
    assert (f.status, f.threshold) == ("pass", s("06:30"))  # 06:00 <= 06:30
    f = one(run("GD-SPAN-FIRST", context([route(every("06:40", "22:00", 20), city=city)], city=city)))
    assert (f.status, f.threshold) == ("fail", s("06:30"))


def test_first_departure_night_route_exempt():
    night = route(every("22:00", "28:00", 30), route_id="N1", name="N1")
    findings = by_route(run("GD-SPAN-FIRST", context([route(ALL_DAY), night])))
    assert (findings["R1"].status, findings["N1"].status) == ("pass", "exempt")


def test_last_departure_exactly_at_the_limit_passes():
    f = one(run("GD-SPAN-LAST", context([route(every("06:00", "20:00", 20))])))
    assert (f.status, f.value, f.threshold) == ("pass", s("20:00"), s("20:00"))
    assert isinstance(f.value, Clock)


def test_last_departure_one_minute_early_fails():
    f = one(run("GD-SPAN-LAST", context([route(every("06:19", "19:59", 20))])))
    assert (f.status, f.value, f.threshold) == ("fail", s("19:59"), s("20:00"))


def test_last_departure_after_midnight_counts_as_24_plus():
    f = one(run("GD-SPAN-LAST", context([route(every("06:30", "24:30", 20))])))
    assert (f.status, f.value) == ("pass", s("24:30"))
    assert f.value.text() == "24:30:00"


def test_last_departure_night_route_exempt():
    night = route(every("22:00", "28:00", 30), route_id="N1", name="N1")
    findings = by_route(run("GD-SPAN-LAST", context([route(every("06:00", "19:00", 20)), night])))
    assert (findings["R1"].status, findings["N1"].status) == ("fail", "exempt")


def test_span_checks_without_any_route_are_not_assessed():
    assert one(run("GD-SPAN-FIRST", context([]))).status == "not_assessed"
    assert one(run("GD-SPAN-LAST", context([]))).status == "not_assessed"


# --- remedies (attach_remedies, judge/remedy.py) ----------------------------------------------------------

def test_remedy_adds_a_departure_to_a_40_minute_peak_gap():
    # 07:20 -> 08:00 in the peak (limit 30): the greedy walk places one departure as late as allowed,
    # 07:20 + 30 min = 07:50, leaving 07:50 -> 08:00 (10 min)
    departures = [t for t in ALL_DAY if t != s("07:40")]
    ctx = context([route(departures)])
    findings = run("GD-FREQ-PEAK", ctx) + run("GD-FREQ-OFFPEAK", ctx)
    attach_remedies(findings, ctx)
    peak, offpeak = findings
    assert peak.status == "fail"
    assert peak.detail["add_departures"] == [s("07:50")]
    assert all(isinstance(t, ClockMinute) for t in peak.detail["add_departures"])
    assert "Add departures at 07:50" in peak.message_en
    assert offpeak.status == "pass" and "add_departures" not in offpeak.detail


def test_remedy_one_departure_fixes_a_late_first_bus_and_its_peak_wait():
    # first bus 08:00: GD-SPAN-FIRST fails (limit 07:30) and GD-FREQ-PEAK fails (07:00 -> 08:00 is 60 min);
    # a first bus at 07:30 fixes both (07:00 -> 07:30 and 07:30 -> 08:00 are 30 min each)
    ctx = context([route(every("08:00", "22:00", 20))])
    findings = run("GD-SPAN-FIRST", ctx) + run("GD-FREQ-PEAK", ctx)
    assert [f.status for f in findings] == ["fail", "fail"]
    attach_remedies(findings, ctx)
    assert [f.detail["add_departures"] for f in findings] == [[s("07:30")], [s("07:30")]]


# --- load_factor (GD-LOAD-PEAK) ---------------------------------------------------------------------------

def test_load_factor_without_load_data_is_not_assessed():
    f = one(run("GD-LOAD-PEAK", context([route(ALL_DAY)])))
    assert (f.status, f.threshold, f.subject["type"]) == ("not_assessed", 0.8, "city")
    assert "--load" in f.message_en


def test_load_factor_at_the_limit_passes_and_above_fails():
    routes = [route(ALL_DAY, route_id="A"), route(ALL_DAY, route_id="B")]
    load = LoadMetric("test", [RouteLoad("A", 0, 0.8, 6, 0.95), RouteLoad("B", 0, 0.81, 6, 1.1)])
    findings = by_route(run("GD-LOAD-PEAK", context(routes, load=load)))
    assert (findings["A"].status, findings["A"].value, findings["A"].threshold) == ("pass", 0.8, 0.8)
    assert (findings["B"].status, findings["B"].value) == ("fail", 0.81)
    assert findings["B"].detail == {"trips": 6, "max_trip_load_factor": 1.1}
    assert "more capacity needed" in findings["B"].message_en


def test_load_factor_route_without_data_is_not_assessed():
    routes = [route(ALL_DAY, route_id="A"), route(ALL_DAY, route_id="B")]
    load = LoadMetric("test", [RouteLoad("A", 0, 0.5, 6, 0.7)])
    findings = by_route(run("GD-LOAD-PEAK", context(routes, load=load)))
    assert findings["A"].status == "pass"
    assert (findings["B"].status, findings["B"].value, findings["B"].subject["type"]) == ("not_assessed", None, "route")


def test_load_factor_matches_direction():
    # data for direction 1 only: direction 0 of the same route has none
    load = LoadMetric("test", [RouteLoad("A", 1, 0.5, 6, 0.7)])
    f = one(run("GD-LOAD-PEAK", context([route(ALL_DAY, route_id="A", direction=0)], load=load)))
    assert f.status == "not_assessed"


def test_load_factor_never_fails_with_a_value_equal_to_its_limit():
    load = LoadMetric("test", [RouteLoad("A", 0, 0.80004, 200, 0.9)])
    f = one(run("GD-LOAD-PEAK", context([route(ALL_DAY, route_id="A")], load=load)))
    assert not (f.status == "fail" and f.value == f.threshold), (f.status, f.value, f.threshold)


# --- night_service (GD-NIGHT) -----------------------------------------------------------------------------

NIGHT_RULES = NightSettings(first_by_s=s("22:30"), last_from_s=s("28:00"), max_headway_min=30)


def test_night_service_without_night_routes_has_nothing_to_judge():
    f = one(run("GD-NIGHT", context([route(ALL_DAY)])))
    assert (f.status, f.subject["type"]) == ("info", "city")


def test_night_service_without_city_settings_is_not_assessed():
    night = route(every("22:00", "28:00", 30), route_id="N1", name="N1")
    f = one(run("GD-NIGHT", context([route(ALL_DAY), night])))
    assert (f.status, f.subject["route_id"], f.value) == ("not_assessed", "N1", 30.0)
    assert "set no night-route hours" in f.message_en


def test_night_service_exactly_at_every_setting_passes():
    city = dataclasses.replace(SHANTOU, night=NIGHT_RULES)
    night = route(every("22:30", "28:00", 30), route_id="N1", name="N1")  # first 22:30, last 04:00, gaps 30
    f = one(run("GD-NIGHT", context([route(ALL_DAY), night], city=city)))
    assert (f.status, f.value, f.threshold) == ("pass", 30.0, 30)


def test_night_service_fails_on_each_setting():
    city = dataclasses.replace(SHANTOU, night=NIGHT_RULES)
    # first 23:00 (after 22:30), last 27:45 = 03:45 (before 04:00), one 45-minute gap 26:00 -> 26:45
    departures = every("23:00", "26:00", 30) + every("26:45", "27:45", 30)
    f = one(run("GD-NIGHT", context([route(departures, route_id="N2", name="N2")], city=city)))
    assert (f.status, f.value) == ("fail", 45.0)
    assert "first departure 23:00 after 22:30" in f.message_en
    assert "last departure 27:45 before 28:00" in f.message_en
    assert "largest interval 45 min over 30 min" in f.message_en


def test_night_service_judges_only_the_settings_given():
    city = dataclasses.replace(SHANTOU, night=NightSettings(max_headway_min=60))
    night = route(every("23:00", "26:00", 45), route_id="N1", name="N1")  # late start, short span: not judged
    f = one(run("GD-NIGHT", context([night], city=city)))
    assert (f.status, f.value, f.threshold) == ("pass", 45.0, 60)


def test_night_route_by_timetable_or_profile_list():
    by_time = route(every("21:00", "26:00", 30), route_id="T1")  # first departure at 21:00
    listed = route(ALL_DAY, route_id="L1", night_listed=frozenset({"L1"}))
    assert by_time.night is not None and listed.night is not None
    findings = by_route(run("GD-NIGHT", context([by_time, listed])))
    assert set(findings) == {"T1", "L1"}


# --- hub_alignment (GD-HUB-ALIGN) -------------------------------------------------------------------------
# The hub: last arrival 23:00, first departure 07:00; default grace and lead 30 min, so the last bus must
# leave no earlier than 23:30 and the first bus arrive no later than 06:30.

def hub_route(route_id: str, time: str, kind: str = "basic", run_min: int | None = None) -> HubRoute:
    why = None if kind == "basic" else Reason(f"named {route_id}", f"名称“{route_id}”")
    return HubRoute(route_id, 0, route_id, f"{route_id} (0)", kind, kind == "basic", why, 20, 120.0, s(time),
                    None if run_min is None else run_min * 60)


def hubs(leaving: list[HubRoute] = (), reaching: list[HubRoute] = ()) -> HubsMetric:
    hub = HubService("火车站", "rail", 113.3, 22.6, s("07:00"), s("23:00"), list(leaving), list(reaching))
    return HubsMetric("test", 300, [hub])


def test_hub_alignment_without_hubs_is_not_assessed():
    f = one(run("GD-HUB-ALIGN", context([route(ALL_DAY)])))
    assert (f.status, f.subject["type"]) == ("not_assessed", "city")
    assert "--hubs" in f.message_en


def test_hub_alignment_exactly_at_the_required_times_passes():
    ctx = context(hubs=hubs([hub_route("L", "23:30")], [hub_route("A", "06:30", run_min=25)]))
    leave, arrive = run("GD-HUB-ALIGN", ctx)
    assert (leave.status, leave.value, leave.threshold, leave.unit) == ("pass", s("23:30"), s("23:30"), "time")
    assert isinstance(leave.value, ClockMinute)
    assert (arrive.status, arrive.value, arrive.threshold) == ("pass", s("06:30"), s("06:30"))
    assert leave.subject["hub"] == "火车站" and leave.detail == {"hub": "火车站", "hub_mode": "rail"}


def test_hub_alignment_fails_with_the_departures_to_add():
    ctx = context(hubs=hubs([hub_route("L", "23:00")], [hub_route("A", "06:40", run_min=25)]))
    leave, arrive = run("GD-HUB-ALIGN", ctx)
    assert (leave.status, leave.value, leave.threshold) == ("fail", s("23:00"), s("23:30"))
    assert leave.detail["add_departures"] == [s("23:30")]  # a last bus at the required time
    # the first bus must arrive by 06:30 and runs 25 min: leave its origin at 06:05
    assert (arrive.status, arrive.value, arrive.threshold) == ("fail", s("06:40"), s("06:30"))
    assert arrive.detail["add_departures"] == [s("06:05")]
    assert all(isinstance(t, ClockMinute) for t in arrive.detail["add_departures"])
    assert "06:05" in arrive.message_en


def test_hub_alignment_exempt_by_a_night_line_that_meets_the_time():
    night = hub_route("N5", "24:10", kind="night")  # leaves the hub after 23:30
    findings = run("GD-HUB-ALIGN", context(hubs=hubs([hub_route("L", "23:00"), night])))
    f = one(findings)  # the night line itself is not judged here
    assert (f.subject["route_id"], f.status, f.detail["exempted_by"]) == ("L", "exempt", "N5 (0)")
    assert "add_departures" not in f.detail
    assert "night line N5 (0)" in f.message_en


def test_hub_alignment_a_night_line_at_the_terminal_exempts_even_when_it_misses_the_time():
    """Art. 10(4) asks for aligned hours only where the terminal has no night or dedicated line."""
    night = hub_route("N5", "23:10", kind="night")  # before 23:30
    f = one(run("GD-HUB-ALIGN", context(hubs=hubs([hub_route("L", "23:00"), night]))))
    assert f.status == "exempt" and f.detail["exempted_by"] == night.label
    assert "does not meet this time" in f.message_en


def test_hub_alignment_stricter_reading_a_night_line_missing_the_time_exempts_nobody():
    strict = dataclasses.replace(SHANTOU, hub=dataclasses.replace(SHANTOU.hub, exemption="meets"))
    night = hub_route("N5", "23:10", kind="night")  # before 23:30
    f = one(run("GD-HUB-ALIGN", context(city=strict, hubs=hubs([hub_route("L", "23:00"), night]))))
    assert f.status == "fail"


def test_hub_alignment_exempt_by_a_dedicated_line_on_arrival():
    express = hub_route("K1", "06:00", kind="dedicated", run_min=20)
    f = one(run("GD-HUB-ALIGN", context(hubs=hubs(reaching=[hub_route("A", "07:00", run_min=25), express]))))
    assert (f.status, f.detail["exempted_by"]) == ("exempt", "K1 (0)")


def test_hub_alignment_with_no_basic_route_at_a_hub_has_nothing_to_judge():
    f = one(run("GD-HUB-ALIGN", context(hubs=hubs([hub_route("N5", "24:10", kind="night")]))))
    assert (f.status, f.subject["type"]) == ("info", "city")


def test_hub_alignment_follows_the_citys_grace():
    city = dataclasses.replace(SHANTOU, hub=dataclasses.replace(SHANTOU.hub, grace_min=0))  # need 23:00
    f = one(run("GD-HUB-ALIGN", context(city=city, hubs=hubs([hub_route("L", "23:00")]))))
    assert (f.status, f.threshold) == ("pass", s("23:00"))


# --- priority_coverage (GD-PRIORITY) ----------------------------------------------------------------------

def facility(name: str, distance_m: float | None, category: str = "school", level: int = 1) -> dict[str, Any]:
    """A row of metrics/priority.py's facilities list (radius 500 m)."""
    return {"name": name, "category": category, "category_zh": category, "level": level, "lon": 113.3,
            "lat": 22.6, "in_built_up": True, "in_scope": True, "nearest_stop_id": None if distance_m is None else "S1",
            "nearest_stop_name": None if distance_m is None else "Stop 1", "distance_m": distance_m,
            "covered": distance_m is not None and distance_m <= 500}


def level(number: int, rows: list[dict[str, Any]], out_of_scope: int = 0) -> dict[str, Any]:
    covered = sum(r["covered"] for r in rows)
    return {"level": number, "facilities": len(rows), "covered": covered,
            "share": round(covered / len(rows), 6) if rows else None, "out_of_scope": out_of_scope,
            "uncovered": sorted((r for r in rows if not r["covered"]),
                                key=lambda r: (-(r["distance_m"] or float("inf")), r["name"]))}


def test_priority_without_facilities_requires_input():
    f = one(run("GD-PRIORITY", context()))
    assert (f.status, f.subject["type"]) == ("not_assessed", "city")
    assert "--facilities" in f.message_en


def test_priority_levels_pass_fail_and_empty():
    level1 = [facility("一中", 120.0), facility("人民医院", 500.0, "hospital")]  # 500 m exactly is reached
    level2 = [facility("幸福小区", 300.0, "residential", 2), facility("工业园", 800.0, "employment", 2),
              facility("新城", None, "residential", 2)]
    priority = {"radius_m": 500, "levels": [level(1, level1), level(2, level2, out_of_scope=1), level(3, [])],
                "facilities": level1 + level2}
    findings = {f.subject["level"]: f for f in run("GD-PRIORITY", context(priority=priority))}
    assert (findings[1].status, findings[1].value, findings[1].threshold) == ("pass", 1.0, 1.0)
    assert findings[1].detail["uncovered"] == []
    # 1 of 3 reached: share 0.333333; the unreached named farthest first (no stop at all counts as farthest)
    assert (findings[2].status, findings[2].value) == ("fail", 0.333333)
    assert [r["name"] for r in findings[2].detail["uncovered"]] == ["新城", "工业园"]
    assert findings[2].detail["out_of_scope"] == 1
    assert "1 of 3 facilities" in findings[2].message_en
    assert "工业园 (nearest stop Stop 1, 800 m)" in findings[2].message_en
    assert (findings[3].status, findings[3].value) == ("not_assessed", None)


def test_priority_share_compared_at_a_hundredth_of_a_percentage_point():
    priority = {"radius_m": 500, "facilities": [], "levels": [
        {"level": 1, "facilities": 20000, "covered": 19999, "share": 0.99995, "out_of_scope": 0, "uncovered": []},
        {"level": 2, "facilities": 10000, "covered": 9999, "share": 0.9999, "out_of_scope": 0, "uncovered": []},
    ]}
    findings = {f.subject["level"]: f for f in run("GD-PRIORITY", context(priority=priority))}
    assert (findings[1].status, findings[2].status) == ("pass", "fail")


# --- micro_route (TM-MICRO) -------------------------------------------------------------------------------

def micro(route_id: str, length_km: float, loop: bool = False) -> dict[str, Any]:
    straight = 2.0
    return {"route_id": route_id, "direction_id": 0, "route_short_name": f"微公交{route_id}", "length_km": length_km,
            "straight_km": 0.05 if loop else straight, "nonlinearity": None if loop else round(length_km / straight, 3),
            "loop": loop, "why": Reason(f"named 微公交{route_id}", f"名称“微公交{route_id}”")}


def micro_indicator(routes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"TM-MICRO": {"value": len(routes), "source": "computed", "basis_en": "micro-bus route-directions",
                         "basis_zh": "微公交线路方向", "routes": routes}}


def test_micro_route_not_assessed_without_micro_routes():
    for indicators in (None, micro_indicator([])):
        f = one(run("TM-MICRO", context(pack=TM, city=YANGQUAN, indicators=indicators)))
        assert (f.status, f.threshold, f.subject["type"]) == ("not_assessed", "3-6", "city")


def test_micro_route_lengths_with_both_bounds_inside():
    routes = [micro("M1", 3.0), micro("M2", 6.0, loop=True), micro("M3", 2.9), micro("M4", 6.5), micro("M5", 4.2)]
    findings = by_route(run("TM-MICRO", context(pack=TM, city=YANGQUAN, indicators=micro_indicator(routes))))
    assert {k: f.status for k, f in findings.items()} == {"M1": "pass", "M2": "pass", "M3": "fail", "M4": "fail",
                                                          "M5": "pass"}
    assert (findings["M5"].value, findings["M5"].threshold, findings["M5"].unit) == (4.2, "3-6", "km")
    assert findings["M5"].detail == {"nonlinearity": 2.1, "straight_km": 2.0, "loop": False}  # 4.2 km / 2 km
    assert findings["M2"].detail["nonlinearity"] is None and "a loop" in findings["M2"].message_en


# --- indicators (tm_coverage, tm_crowding, declared) ------------------------------------------------------

def found(value: float, source: str = "computed") -> dict[str, Any]:
    return {"value": value, "source": source, "basis_en": "by hand", "basis_zh": "手算"}


def indicator_city(**targets: dict[str, float]) -> CityProfile:
    return dataclasses.replace(YANGQUAN, indicators=targets)


def tm(rule_id: str, value: dict[str, Any] | None, city: CityProfile = YANGQUAN) -> Finding:
    return one(run(rule_id, context(pack=TM, city=city, indicators={rule_id: value})))


def test_indicator_without_a_target_is_information():
    f = tm("TM-04", found(92.5))
    assert (f.status, f.value, f.threshold, f.unit) == ("info", 92.5, None, "%")
    assert f.detail["evaluation"]["met"] is None and f.detail["evaluation"]["number"] == 4
    assert "no target set" in f.message_en


def test_indicator_better_higher_meets_at_the_target_and_fails_below():
    city = indicator_city(**{"TM-04": {"baseline": 80.0, "target": 95.0}})
    f = tm("TM-04", found(95.0), city)
    assert (f.status, f.value, f.threshold) == ("pass", 95.0, 95.0)
    assert f.detail["evaluation"]["met"] is True and f.detail["evaluation"]["baseline"] == 80.0
    assert "target at least 95, baseline 80: met" in f.message_en
    f = tm("TM-04", found(94.99), city)
    assert f.status == "fail" and f.detail["evaluation"]["met"] is False


def test_indicator_better_lower_meets_at_the_target_and_fails_above():
    city = indicator_city(**{"TM-06": {"target": 80.0}})
    assert tm("TM-06", found(80.0), city).status == "pass"
    assert tm("TM-06", found(79.0), city).status == "pass"
    f = tm("TM-06", found(80.5), city)
    assert (f.status, f.threshold) == ("fail", 80.0)
    assert "target at most 80: not met" in f.message_en


def test_indicator_without_its_value_is_not_assessed():
    city = indicator_city(**{"TM-06": {"target": 80.0}})
    f = tm("TM-06", None, city)
    assert (f.status, f.value, f.threshold) == ("not_assessed", None, 80.0)
    assert "--load" in f.message_en
    # no indicators computed at all
    f = one(run("TM-06", context(pack=TM, city=city)))
    assert f.status == "not_assessed"


def test_declared_indicator_against_its_target():
    city = indicator_city(**{"TM-01": {"baseline": 30.0, "target": 39.0}})
    f = tm("TM-01", found(40.0, source="declared"), city)
    assert (f.status, f.detail["evaluation"]["source"]) == ("pass", "declared")
    f = tm("TM-01", None, city)
    assert f.status == "not_assessed" and "--declared" in f.message_en


@pytest.mark.parametrize("rule", [r for r in TM.rules if r.check != "micro_route"], ids=lambda r: r.id)
def test_every_indicator_rule_runs_through_the_shared_check(rule: Rule):
    city = indicator_city(**{rule.id: {"target": 10.0}})
    expected = "pass" if rule.params["better"] == "higher" else "fail"
    assert tm(rule.id, found(12.0), city).status == expected
