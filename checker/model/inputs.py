"""Typed records of inputs that later stages interpret (read by load/, used by metrics/)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RouteList:
    """A published list of basic routes (Art. 6), as read from --base-routes."""

    path: str  # the file, for messages
    key: str  # route_id or route_short_name
    values: frozenset[str]
