"""A rule pack (thresholds and wordings as data) and the city it is applied to, as typed records."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.model.clock import Window

STRENGTHS = ("shall", "in_principle", "should")  # strongest first
STRENGTH_LABELS = {"shall": ("强制性要求", "binding"), "in_principle": ("原则性要求", "in principle"),
                   "should": ("指导性要求", "guidance")}


@dataclass(frozen=True)
class Family:
    """A group of rules, as the reports list them (coverage, frequency, ...): labels are the pack's own."""

    id: str
    zh: str
    en: str


@dataclass
class Rule:
    id: str
    family: str
    article: str
    check: str  # the registered check that judges it (buscheck rules show ID names its module)
    title: str
    title_en: str
    measures: str
    measures_zh: str
    threshold_note: str
    params: dict[str, Any]  # the check's parameters, validated against its declaration when the pack loads
    input: str | None = None  # what a rule needs beyond the feed, said when it is not assessed
    input_zh: str | None = None
    strength: str = "shall"  # the text's own word: shall (应/不低于), in_principle (原则上), should (宜/不宜)
    strength_words: str = ""  # the words quoted from the text
    strength_by_tier: dict[str, dict[str, str]] = field(default_factory=dict)  # tier id -> strength, words

    def strength_for(self, tier_id: str) -> tuple[str, str]:
        """The rule's strength and the words that say it, for a city of this tier."""
        own = self.strength_by_tier.get(tier_id)
        return (own["strength"], own["words"]) if own else (self.strength, self.strength_words)


@dataclass
class Tier:
    id: str
    name: str
    name_en: str
    coverage_min: float
    cities: list[dict[str, str]]


@dataclass(frozen=True)
class BasicPolicy:
    """Which bus routes are not basic service (Art. 2, 12), as pack data: custom service by its words, and
    extended route types that are not public basic service, each with the reason."""

    custom_words: tuple[str, ...] = ("定制",)
    excluded_types: dict[int, tuple[str, str]] = field(default_factory=dict)  # route_type -> (reason en, zh)


@dataclass
class RulePack:
    id: str
    version: str
    title: str
    title_en: str
    document: str
    effective_from: str
    effective_until: str
    report_title: str  # what an audit against this pack is called: 基本公交服务合规审计, 公交都市创建指标自评
    report_title_en: str
    defaults: dict[str, Any]
    families: list[Family]
    tiers: list[Tier]
    rules: list[Rule]
    path: Path
    basic_policy: BasicPolicy = field(default_factory=BasicPolicy)

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id.lower() == rule_id.lower()), None)

    def rules_checked_by(self, *checks: str) -> list[Rule]:
        return [rule for rule in self.rules if rule.check in checks]

    def family(self, family_id: str) -> Family:
        return next(f for f in self.families if f.id == family_id)


@dataclass(frozen=True)
class HubSettings:
    distance_m: float  # a route starts or ends at a hub when its terminal stop is this close
    grace_min: float  # the last bus leaves at least this long after the last arrival
    lead_min: float  # the first bus arrives at least this long before the first departure
    # Art. 10(4) asks hub routes to align "where the terminal has no night or dedicated line": "serves" (the
    # text) lets any such line at the terminal exempt the others; "meets" (stricter) only one meeting the time
    exemption: str = "serves"


HUB_EXEMPTIONS = ("serves", "meets")
HUB_DEFAULTS = HubSettings(distance_m=300, grace_min=30, lead_min=30)  # a rule pack's [defaults] may differ


@dataclass(frozen=True)
class NightSettings:
    """Art. 10(4) leaves night-line hours and intervals to the city: set only by its profile."""

    first_by_s: int | None = None
    last_from_s: int | None = None
    max_headway_min: float | None = None

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.first_by_s, self.last_from_s, self.max_headway_min))


@dataclass(frozen=True)
class HeadwayMinima:
    """Art. 10(3): the city's own minimum service frequency (城市交通运输主管部门应当…制定相应的服务频次最低要求),
    city-wide and per route (by route_id or short name), in largest minutes between departures."""

    peak_min: float | None = None
    offpeak_min: float | None = None
    routes: dict[str, dict[str, float]] = field(default_factory=dict)  # route -> {"peak": m, "offpeak": m}
    document: str | None = None  # the city's document that sets them

    def limit(self, route_id: str, short_name: str | None, peak: bool) -> tuple[float | None, str | None]:
        """The city's limit for this route and window, and whether it is the route's own or city-wide."""
        window = "peak" if peak else "offpeak"
        for key in (route_id, short_name):
            if key is not None and window in self.routes.get(key, {}):
                return self.routes[key][window], "route"
        value = self.peak_min if peak else self.offpeak_min
        return value, None if value is None else "city"


@dataclass(frozen=True)
class DaySettings:
    """A day type's own work hours and peaks (a profile's [weekend], [saturday] or [sunday] table)."""

    work_start_s: int
    work_end_s: int
    peak_windows: tuple[Window, ...]


@dataclass
class CityProfile:
    """The city audited and the settings that apply to it: pack defaults, then its own profile."""

    name: str
    name_en: str
    tier: Tier
    coverage_target: float  # never below the tier minimum
    work_start_s: int
    work_end_s: int
    peak_windows: list[Window]
    source: str  # what set these values
    night: NightSettings = field(default_factory=NightSettings)
    night_routes: list[str] = field(default_factory=list)  # route_id or route_short_name
    dedicated_routes: list[str] = field(default_factory=list)  # dedicated lines (专线) by route_id or short name
    hub: HubSettings = HUB_DEFAULTS
    indicators: dict[str, dict[str, float]] = field(default_factory=dict)  # rule id -> baseline, target
    micro_routes: list[str] = field(default_factory=list)
    micro_below_km: float | None = None
    priority_min_share: dict[int, float] = field(default_factory=dict)  # Art. 11 level -> the city's own minimum
    headway_minima: HeadwayMinima = field(default_factory=HeadwayMinima)
    day_settings: dict[str, DaySettings] = field(default_factory=dict)  # saturday, sunday -> their own settings
    hours_set: bool = True  # False on a weekend day the profile sets no hours for: span rules not assessed
    day_type: str | None = None  # the day type these settings are for, in a --week audit

    def for_day(self, day_type: str) -> CityProfile:
        """The settings for a day type: a weekend day takes the profile's own hours and peaks for it; without
        them it has no peak window and its first/last-bus rules are not assessed (the report says so)."""
        if day_type == "weekday":
            return dataclasses.replace(self, day_type=day_type)
        own = self.day_settings.get(day_type)
        if own is None:
            return dataclasses.replace(self, peak_windows=[], hours_set=False, day_type=day_type)
        return dataclasses.replace(self, work_start_s=own.work_start_s, work_end_s=own.work_end_s,
                                   peak_windows=list(own.peak_windows), hours_set=True, day_type=day_type)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (en, zh)


REQUIRED: Any = object()  # a Param default meaning: the pack must give it


@dataclass(frozen=True)
class Param:
    """A parameter a check takes from its rule in the pack: checked by type when the pack loads."""

    name: str
    kind: str  # number | integer | text | table | list
    unit: str = ""
    doc: str = ""
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()
    low: float | None = None  # a number's bounds, inclusive (a radius of -500 m or a ratio of 80 is refused)
    high: float | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED
