"""Rule packs (TOML in rules/) and city profiles, read and validated: who is audited, against what thresholds.

A pack is input: every key is checked when it loads, before any feed is read, and a typo is exit 2 naming
the file, the line, the rule and the key. Rule parameters are checked against the parameters each check
declares in the registry (judge/registry.py), which the caller passes in (load/ imports no later stage).
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from checker.errors import InputError, excerpt
from checker.model.clock import Window, parse_clock
from checker.model.pack import (
    HUB_DEFAULTS,
    HUB_EXEMPTIONS,
    STRENGTHS,
    BasicPolicy,
    CityProfile,
    DaySettings,
    Family,
    HeadwayMinima,
    HubSettings,
    NightSettings,
    Param,
    Rule,
    RulePack,
    Tier,
)

DEFAULT_PACK = "gd-basic-bus-2025"


class DeclaresParams(Protocol):
    @property
    def params(self) -> tuple[Param, ...]: ...


def packs_dir() -> Path:
    installed = Path(__file__).parent.parent / "_packs"
    return installed if installed.is_dir() else Path(__file__).parent.parent.parent / "rules"


def pack_files() -> list[Path]:
    return sorted(packs_dir().glob("*.toml"))


def pack_path(name_or_path: str | None) -> Path:
    name = name_or_path or DEFAULT_PACK
    path = Path(name)
    if not path.is_file():
        path = packs_dir() / f"{name}.toml"
    if not path.is_file():
        available = ", ".join(p.stem for p in pack_files())
        raise InputError("--rules", f"No rule pack {name}; available: {available}.", f"找不到规则包 {name}；可用：{available}。",
                         value=name)
    return path


# What a pack's top level, families, tiers and rules hold: key -> (kind, required). Kinds as Param.kind.
PACK_KEYS = {"id": ("text", True), "version": ("text", True), "title": ("text", True), "title_en": ("text", True),
             "document": ("text", True), "issued": ("text", False), "effective_from": ("date", True),
             "effective_until": ("date", True), "report_title": ("text", True), "report_title_en": ("text", True),
             "defaults": ("table", True), "basic_routes": ("table", False), "families": ("list", True),
             "tiers": ("list", True), "rules": ("list", True)}
DEFAULT_KEYS = {"work_start": ("clock", True), "work_end": ("clock", True), "peak_windows": ("list", True),
                "hub_distance_m": ("number", False), "hub_grace_min": ("number", False), "hub_lead_min": ("number", False)}
FAMILY_KEYS = {"id": ("text", True), "zh": ("text", True), "en": ("text", True)}
TIER_KEYS = {"id": ("text", True), "name": ("text", True), "name_en": ("text", True), "coverage_min": ("number", True),
             "cities": ("list", True)}
RULE_TEXT_KEYS = {"id": ("text", True), "family": ("text", True), "article": ("text", True), "check": ("text", True),
                  "title": ("text", True), "title_en": ("text", True), "measures": ("text", True),
                  "measures_zh": ("text", True), "threshold_note": ("text", True), "input": ("text", False),
                  "input_zh": ("text", False), "strength": ("text", True), "strength_words": ("text", True),
                  "strength_by_tier": ("table", False)}
KIND_WORDS = {"text": ("text", "文本"), "number": ("a number (not a string such as \"60%\")", "数值（不能是 \"60%\" 这样的字符串）"),
              "integer": ("a whole number", "整数"), "table": ("a table", "表"), "list": ("a list", "列表"),
              "date": ("a date YYYY-MM-DD", "YYYY-MM-DD 格式的日期"), "clock": ("a time HH:MM", "HH:MM 格式的时间")}


def kind_ok(kind: str, value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if kind == "number":
        return isinstance(value, int | float) and math.isfinite(value)
    if kind == "integer":
        return isinstance(value, int)
    if kind == "table":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "date":
        return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None
    if kind == "clock":
        try:
            parse_clock(value)
        except (ValueError, AttributeError):
            return False
        return True
    return isinstance(value, str)


class _PackText:
    """Locates a key in the pack's text, so that an error names the line to fix."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = str(path), text.splitlines()

    def line_of(self, key: str, rule_id: str | None = None) -> int | None:
        start = 0
        if rule_id is not None:
            wanted = re.compile(rf"""^\s*id\s*=\s*["']{re.escape(rule_id)}["']""")
            start = next((i for i, line in enumerate(self.lines) if wanted.match(line)), 0)
            begin = start
            while begin > 0 and not self.lines[begin].lstrip().startswith("[[rules]]"):
                begin -= 1
            start = begin
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start, len(self.lines)):
            if i > start and rule_id is not None and self.lines[i].lstrip().startswith("[[rules]]"):
                break
            if pattern.match(self.lines[i]):
                return i + 1
        return None

    def error(self, en: str, zh: str, key: str, value: Any = None, rule_id: str | None = None) -> InputError:
        where = f"rule {rule_id}: " if rule_id else ""
        where_zh = f"规则 {rule_id}：" if rule_id else ""
        return InputError(self.path, f"{where}{en}", f"{where_zh}{zh}", line=self.line_of(key, rule_id),
                          field=key, value=value)

    def check_keys(self, table: dict[str, Any], spec: dict[str, tuple[str, bool]], what: str,
                   rule_id: str | None = None, extra_ok: bool = False) -> None:
        for key, (kind, required) in spec.items():
            if key not in table:
                if required:
                    raise self.error(f"{what} needs {key}.", f"{what} 缺少 {key}。", key, rule_id=rule_id)
                continue
            if not kind_ok(kind, table[key]):
                en, zh = KIND_WORDS[kind]
                raise self.error(f"Expected {en}.", f"应为{zh}。", key, table[key], rule_id)
        if not extra_ok:
            unknown = [k for k in table if k not in spec]
            if unknown:
                raise self.error(f"Unknown key in {what}; known keys are {', '.join(spec)}.",
                                 f"{what} 中有未知键；可用键为 {', '.join(spec)}。", unknown[0], rule_id=rule_id)


def load_pack(name_or_path: str | None, checks: Mapping[str, DeclaresParams]) -> RulePack:
    """The pack by id (rules/ID.toml) or path, validated against `checks` (the judge's registry)."""
    path = pack_path(name_or_path)
    if path.stat().st_size > MAX_TOML_BYTES:
        raise InputError(str(path), f"A rule pack is at most {MAX_TOML_BYTES // 1024} KB; this one is larger.",
                         f"规则包不应超过 {MAX_TOML_BYTES // 1024} KB。")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM, as Windows editors write one, is not an error
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError, RecursionError) as exc:
        raise InputError(str(path), f"Not a valid TOML rule pack: {excerpt(str(exc), 200)}",
                         "规则包不是有效的 TOML 文件。") from None
    where = _PackText(path, text)
    where.check_keys(data, PACK_KEYS, "the rule pack")
    _check_pack_values(data, where)
    families = []
    for entry in data["families"]:
        if not isinstance(entry, dict):
            raise where.error("Expected [[families]] tables.", "应为 [[families]] 表。", "families")
        where.check_keys(entry, FAMILY_KEYS, "[[families]]")
        families.append(Family(entry["id"], entry["zh"], entry["en"]))
    tiers = []
    for entry in data["tiers"]:
        if not isinstance(entry, dict):
            raise where.error("Expected [[tiers]] tables.", "应为 [[tiers]] 表。", "tiers")
        where.check_keys(entry, TIER_KEYS, "[[tiers]]")
        if not all(isinstance(c, dict) and kind_ok("text", c.get("name")) and kind_ok("text", c.get("en"))
                   for c in entry["cities"]):
            raise where.error("Expected cities = [{ name = \"…\", en = \"…\" }, …].",
                              "cities 应为 [{ name = \"…\", en = \"…\" }, …]。", "cities", entry["cities"])
        if not 0 <= entry["coverage_min"] <= 1:
            raise where.error("Expected a share between 0 and 1 (0.6 for 60%).", "应为 0 到 1 之间的比例（60% 写作 0.6）。",
                              "coverage_min", entry["coverage_min"])
        tiers.append(Tier(**entry))
    _check_tiers(tiers, where)
    if not data["rules"]:
        raise where.error("The pack has no rule: an audit that judges nothing cannot pass.",
                          "规则包中没有任何规则：不评估任何规则的审计不能视为达标。", "rules")
    rules = [_rule(entry, where, checks, {f.id for f in families}) for entry in data["rules"]]
    for rule in rules:
        unknown_tiers = set(rule.strength_by_tier) - {t.id for t in tiers}
        if unknown_tiers:
            raise where.error(f"strength_by_tier names no tier of the pack: {', '.join(sorted(unknown_tiers))}.",
                              f"strength_by_tier 中的等级不存在：{'、'.join(sorted(unknown_tiers))}。",
                              "strength_by_tier", sorted(unknown_tiers)[0], rule.id)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise where.error("The rule id appears twice.", "规则编号重复。", "id", rule.id, rule.id)
        seen.add(rule.id)
    fields = {k: data[k] for k in ("id", "version", "title", "title_en", "document", "effective_from", "effective_until",
                                   "report_title", "report_title_en")}
    return RulePack(**fields, defaults=data["defaults"], families=families, tiers=tiers, rules=rules, path=path,
                    basic_policy=_basic_policy(data.get("basic_routes", {}), where))


def _basic_policy(table: dict[str, Any], where: _PackText) -> BasicPolicy:
    """[basic_routes]: custom_words = [...], excluded_types = [{ route_type, reason, reason_zh }, ...]."""
    where.check_keys(table, {"custom_words": ("list", False), "excluded_types": ("list", False)}, "[basic_routes]")
    words = table.get("custom_words", list(BasicPolicy().custom_words))
    if not all(isinstance(w, str) and w for w in words):
        raise where.error("Expected a list of words.", "应为词语列表。", "custom_words", words)
    excluded = {}
    for entry in table.get("excluded_types", []):
        if not isinstance(entry, dict):
            raise where.error("Expected { route_type, reason, reason_zh } tables.", "应为 { route_type, reason, reason_zh } 表。",
                              "excluded_types", entry)
        where.check_keys(entry, {"route_type": ("integer", True), "reason": ("text", True), "reason_zh": ("text", True)},
                         "[[basic_routes.excluded_types]]")
        excluded[entry["route_type"]] = (entry["reason"], entry["reason_zh"])
    return BasicPolicy(tuple(words), excluded)


def _rule(entry: Any, where: _PackText, checks: Mapping[str, DeclaresParams], families: set[str]) -> Rule:
    if not isinstance(entry, dict):
        raise where.error("Expected [[rules]] tables.", "应为 [[rules]] 表。", "rules")
    rule_id = entry.get("id") if isinstance(entry.get("id"), str) else None
    where.check_keys(entry, RULE_TEXT_KEYS, "[[rules]]", rule_id, extra_ok=True)
    if entry["family"] not in families:
        raise where.error(f"Unknown family; the pack's [[families]] are {', '.join(sorted(families))}.",
                          f"未知类别；规则包 [[families]] 中的类别为 {', '.join(sorted(families))}。",
                          "family", entry["family"], rule_id)
    _check_strength(entry, where, rule_id)
    check = checks.get(entry["check"])
    if check is None:
        raise where.error(f"Unknown check; the checks are {', '.join(sorted(checks))}.",
                          f"未知检查项；可用检查项为 {', '.join(sorted(checks))}。", "check", entry["check"], rule_id)
    given = {k: v for k, v in entry.items() if k not in RULE_TEXT_KEYS}
    declared = {p.name: p for p in check.params}
    for key, value in given.items():
        param = declared.get(key)
        if param is None:
            names = ", ".join(declared) or "none"
            raise where.error(f"Check {entry['check']} takes no parameter {key}; it takes: {names}.",
                              f"检查项 {entry['check']} 没有参数 {key}；可用参数：{names}。", key, value, rule_id)
        if not (param.default is None and value is None) and not kind_ok(param.kind, value):
            en, zh = KIND_WORDS[param.kind]
            raise where.error(f"Expected {en}{f' in {param.unit}' if param.unit else ''}.", f"应为{zh}。", key, value,
                              rule_id)
        if param.kind == "number" and not _within(value, param.low, param.high):
            raise where.error(f"Expected a number from {param.low:g} to {param.high:g}"
                              f"{f' {param.unit}' if param.unit else ''}.",
                              f"应为 {param.low:g} 至 {param.high:g} 之间的数值。", key, value, rule_id)
        if param.choices and value not in param.choices:
            raise where.error(f"Expected one of {', '.join(param.choices)}.", f"应为 {', '.join(param.choices)} 之一。",
                              key, value, rule_id)
    params = {}
    for param in check.params:
        if param.name in given:
            params[param.name] = given[param.name]
        elif param.required:
            raise where.error(f"Check {entry['check']} needs the parameter {param.name} ({param.doc}).",
                              f"检查项 {entry['check']} 缺少参数 {param.name}。", "check", entry["check"], rule_id)
        else:
            params[param.name] = param.default
    text = {k: entry[k] for k in RULE_TEXT_KEYS if k in entry}
    return Rule(**text, params=params)


MAX_TOML_BYTES = 1 << 20  # packs and profiles are a few kB; a larger file is not one


def _check_pack_values(data: dict[str, Any], where: _PackText) -> None:
    """Dates that exist and follow each other; [defaults] work hours within the day and in order, peak windows
    readable, hub settings finite and not negative: checked here, naming the pack, not later as a profile's."""
    for key in ("effective_from", "effective_until"):
        if _not_date(data[key]):
            raise where.error("Expected a date that exists (YYYY-MM-DD).", "应为存在的日期（YYYY-MM-DD）。", key, data[key])
    start, end = date.fromisoformat(data["effective_from"]), date.fromisoformat(data["effective_until"])
    if end < start:
        raise where.error("effective_until is before effective_from.", "effective_until 早于 effective_from。",
                          "effective_until", data["effective_until"])
    defaults = data["defaults"]
    where.check_keys(defaults, DEFAULT_KEYS, "[defaults]")
    work = [parse_clock(defaults[k]) for k in ("work_start", "work_end")]
    if not work[0] < work[1] <= 24 * 3600:
        raise where.error("Expected work_start before work_end, both within the day (HH:MM up to 24:00).",
                          "work_start 应早于 work_end，且均在一天之内（不超过 24:00）。", "work_end", defaults["work_end"])
    try:
        _windows(defaults["peak_windows"], where.path)
    except InputError as error:
        raise where.error(error.en, error.zh, "peak_windows", error.value) from None
    for key in ("hub_distance_m", "hub_grace_min", "hub_lead_min"):
        if key in defaults and not 0 <= defaults[key] <= 10_000:
            raise where.error("Expected a number from 0 to 10000.", "应为 0 至 10000 之间的数值。", key, defaults[key])


def _not_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return True
    return False


def _check_tiers(tiers: list[Tier], where: _PackText) -> None:
    """Tier ids unique, and each city in one tier only (otherwise the last one would silently win)."""
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for tier in tiers:
        if tier.id in ids:
            raise where.error("The tier id appears twice.", "城市等级编号重复。", "id", tier.id)
        ids.add(tier.id)
        for city in tier.cities:
            name = _normalise(city["name"])
            if name in seen:
                raise where.error(f"{city['name']} is listed in two tiers ({seen[name]} and {tier.id}).",
                                  f"{city['name']} 同时列于两个等级（{seen[name]} 与 {tier.id}）。", "cities", city["name"])
            seen[name] = tier.id


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _check_strength(entry: dict[str, Any], where: _PackText, rule_id: str | None) -> None:
    """strength is the text's own word (shall, in_principle, should), per tier where the text differs."""
    choices = ", ".join(STRENGTHS)
    if entry["strength"] not in STRENGTHS:
        raise where.error(f"Expected one of {choices}.", f"应为 {choices} 之一。", "strength", entry["strength"], rule_id)
    for tier, own in entry.get("strength_by_tier", {}).items():
        if not (isinstance(own, dict) and set(own) == {"strength", "words"} and own["strength"] in STRENGTHS
                and isinstance(own["words"], str)):
            raise where.error(f"Expected {tier} = {{ strength = one of {choices}, words = \"…\" }}.",
                              f"应为 {tier} = {{ strength = {choices} 之一, words = \"…\" }}。", "strength_by_tier",
                              own, rule_id)


def find_rule(rule_id: str, pack_name: str | None, checks: Mapping[str, DeclaresParams]) -> tuple[RulePack, Rule]:
    """The rule with this id in the named pack, or (no pack named) in whichever shipped pack has it."""
    packs = [load_pack(pack_name, checks)] if pack_name else [load_pack(str(p), checks) for p in pack_files()]
    matches = [(pack, rule) for pack in packs if (rule := pack.rule(rule_id)) is not None]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(pack.id for pack in packs)
    if not matches:
        raise InputError("rules show", f"No rule {rule_id} in {names}.", f"{names} 中没有规则 {rule_id}。", value=rule_id)
    raise InputError("rules show", f"Rule {rule_id} is in several packs ({names}); name one with --rules.",
                     f"规则 {rule_id} 存在于多个规则包（{names}）；请用 --rules 指定。", value=rule_id)


def _normalise(name: str) -> str:
    name = name.strip().lower().replace(" ", "")
    for suffix in ("市", "city"):
        name = name.removesuffix(suffix)
    return name


def _close_cities(pack: RulePack, city: str) -> list[str]:
    """The pack's cities whose Chinese or English name is close to `city` (Shenzen -> 深圳 / Shenzhen)."""
    members = {_normalise(name): f"{c['name']} / {c['en']}" for t in pack.tiers for c in t.cities
               for name in (c["name"], c["en"])}
    close = difflib.get_close_matches(_normalise(city), list(members), n=3, cutoff=0.75)
    return list(dict.fromkeys(members[name] for name in close))


def _tier(pack: RulePack, tier_id: str) -> Tier:
    for tier in pack.tiers:
        if tier.id == tier_id:
            return tier
    known = ", ".join(t.id for t in pack.tiers)
    raise InputError("--profile", f"Unknown tier; expected one of {known}.", f"未知城市等级；应为 {known} 之一。",
                     field="tier", value=tier_id)


def _windows(values: list[str], where: str) -> list[Window]:
    windows = []
    for value in values:
        try:
            start, end = (parse_clock(part) for part in str(value).split("-"))
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
    except (ValueError, AttributeError):
        raise InputError(where, "Expected a time HH:MM.", "应为 HH:MM 格式的时间。", field=name, value=value) from None


def read_profile(profile_path: str | Path) -> tuple[dict[str, Any], str]:
    """A city profile's settings and where they came from (a path, or a profile shipped with the packs)."""
    path = _profile_file(profile_path)
    if Path(path).is_file() and Path(path).stat().st_size > MAX_TOML_BYTES:
        raise InputError(str(path), f"A city profile is at most {MAX_TOML_BYTES // 1024} KB; this one is larger.",
                         f"城市配置文件不应超过 {MAX_TOML_BYTES // 1024} KB。")
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8-sig")), str(path)
    except FileNotFoundError:
        raise InputError(str(path), "The city profile does not exist.", "城市配置文件不存在。") from None
    except IsADirectoryError:
        raise InputError(str(path), "Expected a city profile file (TOML); this is a folder.",
                         "应为城市配置文件（TOML），而非文件夹。") from None
    except OSError as exc:
        raise InputError(str(path), f"Cannot read the city profile ({exc.strerror or exc}).", "无法读取城市配置文件。") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"Not valid TOML: {exc}", "不是有效的 TOML 文件。") from None


def resolve_city(pack: RulePack, city: str, profile_path: str | Path | None = None,
                 overrides: dict[str, Any] | None = None) -> CityProfile:
    """The city's settings: pack defaults, then its profile file, then `overrides` (a batch manifest's)."""
    profile: dict[str, Any] = {}
    where = "--profile"
    if profile_path is not None:
        profile, where = read_profile(profile_path)
    if overrides:
        check_profile(overrides, "manifest")
        profile = {**profile, **overrides}
    check_profile(profile, where)
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
            guesses = _close_cities(pack, city)
            guess_en = f"Did you mean {' or '.join(guesses)}? Otherwise give" if guesses else "Give"
            guess_zh = f"您是否要找 {' 或 '.join(guesses)}？否则请" if guesses else "请"
            raise InputError(
                "--city",
                f"{city} is not a city of rule pack {pack.id}. {guess_en} a --profile with tier = one of "
                f"{', '.join(t.id for t in pack.tiers)}.",
                f"{city} 不在规则包 {pack.id} 的城市名单中。{guess_zh}通过 --profile 指定 tier。",
                value=city,
            )
        tier = _tier(pack, profile["tier"])
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
    settings = {**pack.defaults, **{k: v for k, v in profile.items() if k in pack.defaults or k in HUB_KEYS}}
    source = f"{pack.id} defaults" + (f" + {Path(where).name}" if profile_path else "")
    if overrides:
        source += f" + manifest ({', '.join(sorted(overrides))})"
    return CityProfile(
        name=name,
        name_en=name_en,
        tier=tier,
        coverage_target=target,
        work_start_s=_work_hours(settings, where)[0],
        work_end_s=_work_hours(settings, where)[1],
        peak_windows=_windows(settings["peak_windows"], where),
        source=source,
        night=_night_settings(profile, where),
        night_routes=[str(r) for r in profile.get("night_routes", [])],
        dedicated_routes=[str(r) for r in profile.get("dedicated_routes", [])],
        indicators=_indicator_targets(pack, profile.get("indicators", {}), where),
        micro_routes=[str(r) for r in profile.get("micro_routes", [])],
        micro_below_km=profile.get("micro_below_km"),
        priority_min_share=_level_shares(profile.get("priority_min_share", {}), where),
        headway_minima=_headway_minima(profile, where),
        day_settings=_day_settings(profile, where),
        hub=HubSettings(*(_positive(settings, key, default, where)
                          for key, default in zip(HUB_KEYS, vars(HUB_DEFAULTS).values(), strict=False)),
                        exemption=_choice(profile, "hub_exemption", HUB_EXEMPTIONS, where)),
        notices=notices,
    )


NIGHT_KEYS = ("night_first_by", "night_last_from", "night_max_headway_min")
HUB_KEYS = ("hub_distance_m", "hub_grace_min", "hub_lead_min")

_TEXT = (str, "text", "文本")
_NUMBER = ((int, float), "a number", "数值")
_TEXT_LIST = (list, "a list of texts", "文本列表")
_TABLE = (dict, "a table", "表")
PROFILE_KEYS: dict[str, tuple[Any, str, str]] = {
    "city": _TEXT, "city_en": _TEXT, "tier": _TEXT, "coverage_target": _NUMBER,
    "work_start": _TEXT, "work_end": _TEXT, "peak_windows": _TEXT_LIST, "night_routes": _TEXT_LIST,
    "night_first_by": _TEXT, "night_last_from": _TEXT, "night_max_headway_min": _NUMBER,
    "dedicated_routes": _TEXT_LIST, **{key: _NUMBER for key in HUB_KEYS},
    "indicators": _TABLE, "micro_routes": _TEXT_LIST, "micro_below_km": _NUMBER, "hub_exemption": _TEXT,
    "priority_min_share": _TABLE, "peak_max_headway_min": _NUMBER, "offpeak_max_headway_min": _NUMBER,
    "route_max_headway_min": _TABLE, "frequency_document": _TEXT,
    "weekend": _TABLE, "saturday": _TABLE, "sunday": _TABLE,
}


PROFILE_RANGES = {"peak_max_headway_min": (1, 1440), "offpeak_max_headway_min": (1, 1440),
                  "night_max_headway_min": (1, 1440), "micro_below_km": (0, 1000), "hub_distance_m": (0, 10_000),
                  "hub_grace_min": (0, 1440), "hub_lead_min": (0, 1440)}


def check_profile(profile: dict[str, Any], where: str) -> None:
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
    for key, (low, high) in PROFILE_RANGES.items():
        value = profile.get(key)
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            raise InputError(where, f"Expected a number from {low:g} to {high:g}.", f"应为 {low:g} 至 {high:g} 之间的数值。",
                             field=key, value=value)
    target = profile.get("coverage_target")
    if target is not None and not 0 < target <= 1:
        raise InputError(where, "Expected a share between 0 and 1 (0.95 for 95%).", "应为 0 到 1 之间的比例（95% 写作 0.95）。",
                         field="coverage_target", value=target)


def _profile_file(profile: str | Path) -> Path:
    """A profile path, or the name of a profile shipped with the packs (rules/profiles/NAME.toml)."""
    path = Path(profile)
    shipped = packs_dir() / "profiles" / f"{profile}.toml"
    return shipped if not path.exists() and shipped.is_file() else path


def _indicator_targets(pack: RulePack, table: dict[str, Any], where: str) -> dict[str, dict[str, float]]:
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


def _work_hours(settings: dict[str, Any], where: str) -> tuple[int, int]:
    """Work start and end within the day and in order (a "25:00" start would pass every first bus)."""
    start, end = _clock(settings["work_start"], where, "work_start"), _clock(settings["work_end"], where, "work_end")
    if not start < end <= 24 * 3600:
        raise InputError(where, "Expected work_start before work_end, both within the day (HH:MM up to 24:00).",
                         "work_start 应早于 work_end，且均在一天之内（不超过 24:00）。", field="work_end",
                         value=settings["work_end"])
    return start, end


def _day_settings(profile: dict[str, Any], where: str) -> dict[str, DaySettings]:
    """[weekend], [saturday], [sunday]: work_start, work_end and peak_windows of that day type (a day's own table
    before the weekend's)."""
    settings = {}
    for day in ("saturday", "sunday"):
        table = profile.get(day, profile.get("weekend"))
        if table is None:
            continue
        name = day if day in profile else "weekend"
        for key in table:
            if key not in ("work_start", "work_end", "peak_windows"):
                raise InputError(where, "Expected work_start, work_end and peak_windows.",
                                 "应为 work_start、work_end 与 peak_windows。", field=f"{name}.{key}", value=table[key])
        if not isinstance(table.get("peak_windows", []), list):
            raise InputError(where, "Expected a list of windows like [\"07:00-09:00\"].", "应为时段列表，如 [\"07:00-09:00\"]。",
                             field=f"{name}.peak_windows", value=table["peak_windows"])
        for key in ("work_start", "work_end"):
            if key not in table:
                raise InputError(where, "A day type's settings need work_start and work_end.",
                                 "日类型配置须给出 work_start 与 work_end。", field=f"{name}.{key}")
        settings[day] = DaySettings(_clock(table["work_start"], where, f"{name}.work_start"),
                                    _clock(table["work_end"], where, f"{name}.work_end"),
                                    tuple(_windows(table.get("peak_windows", []), where)))
    return settings


def _headway_minima(profile: dict[str, Any], where: str) -> HeadwayMinima:
    """The city's own frequency minima (Art. 10(3)): peak_max_headway_min, offpeak_max_headway_min, and per route
    route_max_headway_min = { "1路" = { peak = 15, offpeak = 30 } }; frequency_document cites where it set them."""
    for key in ("peak_max_headway_min", "offpeak_max_headway_min"):
        if key in profile and not profile[key] > 0:
            raise InputError(where, "Expected a positive number of minutes.", "应为正的分钟数。", field=key,
                             value=profile[key])
    routes: dict[str, dict[str, float]] = {}
    for route, limits in profile.get("route_max_headway_min", {}).items():
        if not (isinstance(limits, dict) and limits and set(limits) <= {"peak", "offpeak"} and all(
                isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and 1 <= v <= 1440
                for v in limits.values())):
            raise InputError(where, "Expected { peak = minutes, offpeak = minutes } (either or both).",
                             "应为 { peak = 分钟数, offpeak = 分钟数 }（可只给其一）。",
                             field=f"route_max_headway_min.{route}", value=limits)
        routes[str(route)] = {k: float(v) for k, v in limits.items()}
    return HeadwayMinima(profile.get("peak_max_headway_min"), profile.get("offpeak_max_headway_min"), routes,
                         profile.get("frequency_document"))


def _level_shares(table: dict[str, Any], where: str) -> dict[int, float]:
    """priority_min_share = { "1" = 1.0, "2" = 0.9 }: the city's own minimum share per Art. 11 level."""
    shares = {}
    for key, value in table.items():
        if not (str(key).isdigit() and isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1):
            raise InputError(where, "Expected { \"1\" = share between 0 and 1, ... }.", "应为 { \"1\" = 0 到 1 之间的比例, ... }。",
                             field=f"priority_min_share.{key}", value=value)
        shares[int(key)] = float(value)
    return shares


def _choice(profile: dict[str, Any], key: str, choices: tuple[str, ...], where: str) -> str:
    value = profile.get(key, choices[0])
    if value not in choices:
        raise InputError(where, f"Expected one of {', '.join(choices)}.", f"应为 {', '.join(choices)} 之一。", field=key,
                         value=value)
    return str(value)


def _positive(settings: dict[str, Any], key: str, default: float, where: str) -> float:
    value = settings.get(key, default)
    if not (isinstance(value, int | float) and not isinstance(value, bool) and value >= 0):
        raise InputError(where, "Expected a number of zero or more.", "应为不小于零的数值。", field=key, value=value)
    return value


def _night_settings(profile: dict[str, Any], where: str) -> NightSettings:
    first = profile.get("night_first_by")
    last = profile.get("night_last_from")
    limit = profile.get("night_max_headway_min")
    if limit is not None and not (isinstance(limit, int | float) and limit > 0):
        raise InputError(where, "Expected a positive number of minutes.", "应为正的分钟数。",
                         field="night_max_headway_min", value=limit)
    return NightSettings(
        first_by_s=None if first is None else _clock(first, where, "night_first_by"),
        last_from_s=None if last is None else _clock(last, where, "night_last_from"),
        max_headway_min=limit,
    )
