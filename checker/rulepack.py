"""Rule packs (TOML in rules/) and city profiles: who is audited, against what thresholds."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from checker.clock import parse_clock
from checker.errors import InputError
from checker.metrics.hubs import HUB_DEFAULTS, HubSettings
from checker.metrics.timetable import Window

DEFAULT_PACK = "gd-basic-bus-2025"


def packs_dir() -> Path:
    installed = Path(__file__).parent / "_packs"
    return installed if installed.is_dir() else Path(__file__).parent.parent / "rules"


@dataclass
class Rule:
    id: str
    family: str
    article: str
    check: str
    title: str
    title_en: str
    measures: str
    measures_zh: str
    threshold_note: str
    params: dict


@dataclass
class Tier:
    id: str
    name: str
    name_en: str
    coverage_min: float
    cities: list[dict]


@dataclass
class RulePack:
    id: str
    version: str
    title: str
    title_en: str
    document: str
    effective_from: str
    effective_until: str
    defaults: dict
    tiers: list[Tier]
    rules: list[Rule]
    path: Path

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id.lower() == rule_id.lower():
                return rule
        raise InputError(
            "rules show", f"No rule {rule_id} in pack {self.id}.", f"规则包 {self.id} 中没有规则 {rule_id}。",
            value=rule_id,
        )

    def tier(self, tier_id: str) -> Tier:
        for tier in self.tiers:
            if tier.id == tier_id:
                return tier
        known = ", ".join(t.id for t in self.tiers)
        raise InputError("--profile", f"Unknown tier; expected one of {known}.", f"未知城市等级；应为 {known} 之一。",
                         field="tier", value=tier_id)


_RULE_KEYS = {"id", "family", "article", "check", "title", "title_en", "measures", "measures_zh", "threshold_note"}


def load_pack(name_or_path: str | None = None) -> RulePack:
    name = name_or_path or DEFAULT_PACK
    path = Path(name)
    if not path.is_file():
        path = packs_dir() / f"{name}.toml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in packs_dir().glob("*.toml")))
        raise InputError("--rules", f"No rule pack {name}; available: {available}.", f"找不到规则包 {name}；可用：{available}。",
                         value=name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        rules = [
            Rule(**{k: r[k] for k in _RULE_KEYS}, params={k: v for k, v in r.items() if k not in _RULE_KEYS})
            for r in data["rules"]
        ]
        tiers = [Tier(**t) for t in data.get("tiers", [])]
        return RulePack(
            id=data["id"], version=data["version"], title=data["title"], title_en=data["title_en"],
            document=data["document"], effective_from=data["effective_from"],
            effective_until=data["effective_until"], defaults=data["defaults"], tiers=tiers, rules=rules, path=path,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise InputError(str(path), f"Not a valid rule pack: {exc}", "规则包格式无效。") from None


def _normalise(name: str) -> str:
    name = name.strip().lower().replace(" ", "")
    for suffix in ("市", "city"):
        name = name.removesuffix(suffix)
    return name


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
    night: dict = field(default_factory=dict)  # night_first_by, night_last_from, night_max_headway_min
    night_routes: list[str] = field(default_factory=list)  # route_id or route_short_name
    dedicated_routes: list[str] = field(default_factory=list)  # dedicated lines (专线) by route_id or short name
    hub: HubSettings = HUB_DEFAULTS
    indicators: dict = field(default_factory=dict)  # rule id -> {"baseline", "target"} (transit metropolis)
    micro_routes: list[str] = field(default_factory=list)
    micro_below_km: float | None = None
    notices: list[tuple[str, str]] = field(default_factory=list)


def _windows(values: list[str], where: str) -> list[Window]:
    windows = []
    for value in values:
        try:
            start, end = (parse_clock(part) for part in value.split("-"))
        except ValueError:
            raise InputError(where, "Expected peak windows like \"07:00-09:00\".", "高峰时段格式应为 \"07:00-09:00\"。",
                             field="peak_windows", value=value) from None
        if end <= start:
            raise InputError(where, "A peak window must end after it starts.", "高峰时段结束须晚于开始。",
                             field="peak_windows", value=value)
        windows.append(Window(start, end))
    return windows


def _clock(value: str, where: str, name: str) -> int:
    try:
        return parse_clock(value)
    except ValueError:
        raise InputError(where, "Expected a time HH:MM.", "应为 HH:MM 格式的时间。", field=name, value=value) from None


def resolve_city(pack: RulePack, city: str, profile_path: str | Path | None = None,
                 overrides: dict | None = None) -> CityProfile:
    """The city's settings: pack defaults, then its profile file, then `overrides` (a batch manifest's)."""
    profile: dict = {}
    where = "--profile"
    if profile_path is not None:
        profile_path = _profile_file(profile_path)
        where = str(profile_path)
        try:
            profile = tomllib.loads(Path(profile_path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(where, "The city profile does not exist.", "城市配置文件不存在。") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(where, f"Not valid TOML: {exc}", "不是有效的 TOML 文件。") from None

    if overrides:
        _check_profile(overrides, "manifest")
        profile = {**profile, **overrides}
    _check_profile(profile, where)
    wanted = _normalise(city)
    if "city" in profile and wanted not in (_normalise(profile["city"]), _normalise(profile.get("city_en", ""))):
        raise InputError(where, f"This profile is for {profile['city']}, not {city}.",
                         f"该配置文件属于{profile['city']}，而非{city}。", field="city", value=profile["city"])
    tier, name, name_en = None, city, profile.get("city_en", city)
    for candidate in pack.tiers:
        for member in candidate.cities:
            if wanted in (_normalise(member["name"]), _normalise(member["en"])):
                tier, name, name_en = candidate, member["name"], member["en"]
    if tier is None:
        if "tier" not in profile:
            raise InputError(
                "--city",
                f"{city} is not a city of rule pack {pack.id}; give a --profile with tier = one of "
                f"{', '.join(t.id for t in pack.tiers)}.",
                f"{city} 不在规则包 {pack.id} 的城市名单中；请通过 --profile 指定 tier。",
                value=city,
            )
        tier = pack.tier(profile["tier"])
    elif "tier" in profile and profile["tier"] != tier.id:
        raise InputError(where, f"{name} is tier {tier.id} in the rule pack; a profile cannot change it.",
                         f"{name} 在规则包中属于 {tier.id}，配置文件不能更改。", field="tier", value=profile["tier"])

    notices: list[tuple[str, str]] = []
    target = float(profile.get("coverage_target", tier.coverage_min))
    if target < tier.coverage_min:
        notices.append(
            (
                f"The profile's coverage target {target:.0%} is below the tier minimum {tier.coverage_min:.0%}; "
                "the minimum applies.",
                f"配置的覆盖率目标 {target:.0%} 低于等级下限 {tier.coverage_min:.0%}，按下限执行。",
            )
        )
        target = tier.coverage_min
    settings = {**pack.defaults, **{k: v for k, v in profile.items() if k in pack.defaults}}
    return CityProfile(
        name=name,
        name_en=name_en,
        tier=tier,
        coverage_target=target,
        work_start_s=_clock(settings["work_start"], where, "work_start"),
        work_end_s=_clock(settings["work_end"], where, "work_end"),
        peak_windows=_windows(settings["peak_windows"], where),
        source=f"{pack.id} defaults" + (f" + {Path(profile_path).name}" if profile_path else "")
        + (f" + manifest ({', '.join(sorted(overrides))})" if overrides else ""),
        night=_night_settings(profile, where),
        night_routes=[str(r) for r in profile.get("night_routes", [])],
        dedicated_routes=[str(r) for r in profile.get("dedicated_routes", [])],
        indicators=_indicator_targets(pack, profile.get("indicators", {}), where),
        micro_routes=[str(r) for r in profile.get("micro_routes", [])],
        micro_below_km=profile.get("micro_below_km"),
        hub=HubSettings(*(_positive(settings, key, default, where)
                          for key, default in zip(HUB_KEYS, vars(HUB_DEFAULTS).values(), strict=True))),
        notices=notices,
    )


NIGHT_KEYS = ("night_first_by", "night_last_from", "night_max_headway_min")
HUB_KEYS = ("hub_distance_m", "hub_grace_min", "hub_lead_min")

_TEXT = (str, "text", "文本")
_NUMBER = ((int, float), "a number", "数值")
_TEXT_LIST = (list, "a list of texts", "文本列表")
_TABLE = (dict, "a table", "表")
PROFILE_KEYS = {
    "city": _TEXT, "city_en": _TEXT, "tier": _TEXT, "coverage_target": _NUMBER,
    "work_start": _TEXT, "work_end": _TEXT, "peak_windows": _TEXT_LIST, "night_routes": _TEXT_LIST,
    "night_first_by": _TEXT, "night_last_from": _TEXT, "night_max_headway_min": _NUMBER,
    "dedicated_routes": _TEXT_LIST, **{key: _NUMBER for key in HUB_KEYS},
    "indicators": _TABLE, "micro_routes": _TEXT_LIST, "micro_below_km": _NUMBER,
}


def _check_profile(profile: dict, where: str) -> None:
    """Every key known and of its type, so that a typo is an error rather than a silently ignored setting."""
    for key, value in profile.items():
        if key not in PROFILE_KEYS:
            raise InputError(where, f"Unknown setting; known ones are {', '.join(PROFILE_KEYS)}.",
                             f"未知配置项；可用配置项为 {', '.join(PROFILE_KEYS)}。", field=key, value=value)
        kind, en, zh = PROFILE_KEYS[key]
        wrong = not isinstance(value, kind) or isinstance(value, bool)
        if kind is list and not wrong:
            wrong = not all(isinstance(item, str | int) for item in value)
        if wrong:
            raise InputError(where, f"Expected {en}.", f"应为{zh}。", field=key, value=value)
    target = profile.get("coverage_target")
    if target is not None and not 0 < target <= 1:
        raise InputError(where, "Expected a share between 0 and 1 (0.95 for 95%).", "应为 0 到 1 之间的比例（95% 写作 0.95）。",
                         field="coverage_target", value=target)


def _profile_file(profile: str | Path) -> Path:
    """A profile path, or the name of a profile shipped with the packs (rules/profiles/NAME.toml)."""
    path = Path(profile)
    shipped = packs_dir() / "profiles" / f"{profile}.toml"
    return shipped if not path.exists() and shipped.is_file() else path


def _indicator_targets(pack: RulePack, table: dict, where: str) -> dict:
    known = {rule.id for rule in pack.rules if "better" in rule.params}
    for rule_id, values in table.items():
        if rule_id not in known:
            raise InputError(where, f"No indicator {rule_id} in rule pack {pack.id}.", f"规则包 {pack.id} 中没有指标 {rule_id}。",
                             field=f"indicators.{rule_id}", value=rule_id)
        if not isinstance(values, dict) or set(values) - {"baseline", "target"} or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values.values()):
            raise InputError(where, "Expected { baseline = number, target = number }.",
                             "应为 { baseline = 数值, target = 数值 }。", field=f"indicators.{rule_id}", value=values)
    return table


def _positive(settings: dict, key: str, default: float, where: str) -> float:
    value = settings.get(key, default)
    if not (isinstance(value, int | float) and not isinstance(value, bool) and value >= 0):
        raise InputError(where, "Expected a number of zero or more.", "应为不小于零的数值。", field=key, value=value)
    return value


def _night_settings(profile: dict, where: str) -> dict:
    night = {k: profile[k] for k in NIGHT_KEYS if k in profile}
    for key in ("night_first_by", "night_last_from"):
        if key in night:
            _clock(night[key], where, key)
    limit = night.get("night_max_headway_min")
    if limit is not None and not (isinstance(limit, int | float) and limit > 0):
        raise InputError(where, "Expected a positive number of minutes.", "应为正的分钟数。",
                         field="night_max_headway_min", value=limit)
    return night
