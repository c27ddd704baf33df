"""Dedicated lines (专班专线), such as airport and rail-station expresses: Art. 10(4) exempts the other routes
ending at a hub that such a line, or a night line, already serves."""

from __future__ import annotations

import re

from checker.night_routes import listed_or_named

DEDICATED_NAME = re.compile(r"专线|专班|机场快线|机场大巴|机场巴士|空港快线|高铁快线|airport\s*(express|bus|shuttle)",
                            re.IGNORECASE)


def dedicated_reason(route: dict, listed: set[str]) -> dict[str, str] | None:
    """Why `route` (route_id and names) is a dedicated line, or None."""
    return listed_or_named(route, listed, DEDICATED_NAME)
