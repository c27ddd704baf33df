"""Passenger hubs (Art. 10(4)): rail, air, coach and ferry stations and the hours the bus should meet.

From a file (CSV with name, mode, lat, lon, first_departure, last_arrival and optionally day_type; or a
vector file with those properties) or from a GTFS feed of that mode (see hub_feed.py). A hub listed on
several rows (one per line or platform) takes the earliest first departure and the latest last arrival.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import shapely

from checker.load.places import read_places
from checker.model.clock import parse_clock

MODES = {
    "rail": ("rail", "railway", "train", "hsr", "intercity", "铁路", "火车", "火车站", "高铁", "高铁站", "城际"),
    "air": ("air", "airport", "航空", "机场"),
    "coach": ("coach", "bus", "road", "公路", "客运站", "汽车站", "长途汽车站"),
    "ferry": ("ferry", "port", "water", "水运", "水路", "港口", "码头", "客运港"),
    "metro": ("metro", "subway", "地铁", "城市轨道交通"),
}
MODE_NAMES = {"rail": ("铁路", "rail"), "air": ("航空", "air"), "coach": ("公路客运", "coach"), "ferry": ("水运", "ferry"),
              "metro": ("地铁", "metro")}
DAY_TYPES = {
    "weekday": ({0, 1, 2, 3, 4}, ("weekday", "workday", "工作日")),
    "weekend": ({5, 6}, ("weekend", "周末", "双休日")),
    "saturday": ({5}, ("saturday", "周六", "星期六")),
    "sunday": ({6}, ("sunday", "周日", "星期日", "星期天")),
    "all": ({0, 1, 2, 3, 4, 5, 6}, ("all", "daily", "每日", "全部")),
}
FIELDS = ["name", "mode", "first_departure", "last_arrival"]
NO_SERVICE = {"-", "--", "—", "——", "无"}  # a row (a terminating line) with no departure or no arrival


@dataclass
class Hub:
    name: str
    mode: str  # one of MODES
    lon: float  # WGS-84
    lat: float
    first_departure_s: int  # the other mode's first departure from the hub
    last_arrival_s: int  # its last arrival at the hub; after midnight is 24:00+ (None only while reading)


def mode_of(text: str) -> str | None:
    """'rail(HSR)', '高铁站' or 'Airport' -> the mode; None if unknown."""
    word = re.split(r"[(（]", text.strip().lower(), maxsplit=1)[0].strip()
    return next((mode for mode, words in MODES.items() if word in words), None)


def _day_type(text: str | None) -> set[int] | None:
    word = (text or "all").strip().lower()
    return next((days for days, words in DAY_TYPES.values() if word in words), None)


def load_hubs_file(path: str | Path, day: date, datum: str) -> tuple[list[Hub], list[tuple[str, str]]]:
    places = read_places(path, "hubs", "枢纽", datum, FIELDS, ["day_type"])
    by_name: dict[str, Hub] = {}
    order: list[str] = []
    lines: dict[str, int] = {}
    other_days: set[str] = set()
    for i, row in enumerate(places.rows):
        mode = mode_of(row["mode"])
        if mode is None:
            raise places.error(i, "mode", row["mode"], f"Expected a mode: {', '.join(MODES)}.",
                               "应为客运方式：rail（铁路）、air（航空）、coach（公路客运）、ferry（水运）或 metro（地铁）。")
        days = _day_type(row["day_type"])
        if days is None:
            raise places.error(i, "day_type", row["day_type"], f"Expected one of {', '.join(DAY_TYPES)} or empty.",
                               "应为 weekday（工作日）、weekend（周末）、saturday、sunday、all 或留空。")
        first, last = (_clock(places, i, name) for name in ("first_departure", "last_arrival"))
        if first is not None and last is not None and last < first:  # '00:03' after 06:00 is past midnight
            last += 24 * 3600
        if day.weekday() not in days:
            other_days.add(row["name"])
            continue
        point = shapely.point_on_surface(places.geometries[i])
        hub = by_name.get(row["name"])
        if hub is None:
            by_name[row["name"]] = Hub(row["name"], mode, point.x, point.y, first, last)
            order.append(row["name"])
            lines[row["name"]] = i
        else:
            hub.first_departure_s = _either(min, hub.first_departure_s, first)
            hub.last_arrival_s = _either(max, hub.last_arrival_s, last)
    for name, hub in by_name.items():
        if hub.first_departure_s is None or hub.last_arrival_s is None:
            missing = "first_departure" if hub.first_departure_s is None else "last_arrival"
            raise places.error(lines[name], missing, name, f"No row of this hub gives a {missing}.",
                               f"该枢纽没有任何一行给出 {missing}。")
    notices = list(places.notices)
    skipped = sorted(other_days - set(by_name))
    if skipped:
        shown = ", ".join(skipped[:10])
        notices.append((f"Hubs with hours only for other day types than {day:%A} were left out: {shown}.",
                        f"以下枢纽没有适用于审计日的运营时间，未纳入：{shown}。"))
    return [by_name[name] for name in order], notices


def _either(pick, a: int | None, b: int | None) -> int | None:
    values = [v for v in (a, b) if v is not None]
    return pick(values) if values else None


def _clock(places, index: int, name: str) -> int | None:
    value = places.rows[index][name]
    if value in NO_SERVICE:
        return None
    try:
        return parse_clock(value)
    except ValueError:
        raise places.error(index, name, value, "Expected a time HH:MM (past midnight as 24:10 or 00:10).",
                           "应为 HH:MM 格式的时间（午夜后可写 24:10 或 00:10）。") from None
