"""Priority facilities (Art. 11): places with a category that the rule pack maps to a priority level."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from checker.load.places import read_places


@dataclass
class Facility:
    name: str
    category: str  # a category id of the rule pack (school, hospital, ...)
    geometry: BaseGeometry  # WGS-84 point or polygon


def category_lookup(categories: dict[str, dict]) -> dict[str, str]:
    """Every accepted spelling (id, Chinese name, aliases; case-insensitive) -> category id."""
    lookup = {}
    for category, spec in categories.items():
        for word in (category, spec["zh"], *spec.get("aliases", [])):
            lookup[word.strip().lower()] = category
    return lookup


def load_facilities(path: str | Path, datum: str, categories: dict[str, dict]) -> tuple[list[Facility], list]:
    places = read_places(path, "facilities", "设施", datum, ["name", "category"])
    lookup = category_lookup(categories)
    facilities = []
    for i, row in enumerate(places.rows):
        category = lookup.get(row["category"].lower())
        if category is None:
            known = ", ".join(f"{c} ({spec['zh']})" for c, spec in categories.items())
            raise places.error(i, "category", row["category"], f"Unknown category; expected one of {known}.",
                               f"未知设施类别；应为 {known} 之一。")
        facilities.append(Facility(row["name"], category, places.geometries[i]))
    return facilities, list(places.notices)
