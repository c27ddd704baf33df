"""Night routes (夜班): Art. 10(4) leaves their hours and intervals to the city, so they are told apart."""

from __future__ import annotations

import re

NIGHT_NAME = re.compile(r"夜|通宵|^N\d+", re.IGNORECASE)
NIGHT_STARTS_AT = 21 * 3600  # a first departure at or after 21:00 ...
NIGHT_ENDS_BY = 5 * 3600  # ... or a last departure by 05:00 on the service day


def listed_or_named(route: dict, listed: set[str], pattern: re.Pattern) -> dict[str, str] | None:
    """Why `route` (route_id and names) is listed in the city profile or named by `pattern`, or None."""
    if route["route_id"] in listed or (route["route_short_name"] or "") in listed:
        return {"en": "listed in the city profile", "zh": "城市配置列明"}
    for name in (route["route_short_name"], route["route_long_name"]):
        if name and pattern.search(name):
            return {"en": f"named {name}", "zh": f"名称“{name}”"}
    return None


def night_reason(route: dict, listed: set[str]) -> dict[str, str] | None:
    """Why `route` (a route row with names and first/last departure) is a night route, or None."""
    reason = listed_or_named(route, listed, NIGHT_NAME)
    if reason is not None:
        return reason
    if route["first_departure_s"] >= NIGHT_STARTS_AT or route["last_departure_s"] <= NIGHT_ENDS_BY:
        return {"en": "runs only at night by its timetable", "zh": "时刻表仅夜间运营"}
    return None
