"""A batch manifest: the cities of a province to audit, as TOML ([[city]] tables) or CSV (one row per city).

Paths are relative to the manifest's folder. Besides the inputs of `buscheck audit`, a city may override
its profile's settings (work hours, peak windows, its own coverage target, tier, night and hub settings).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.inputs import DATUM_KEYS, DATUMS, PATH_KEYS, AuditRequest
from checker.load.archive import SingleFile
from checker.load.pack import PROFILE_KEYS
from checker.load.table import read_table

OTHER_KEYS = ("name", "date", "rules", "week", "dates")
OVERRIDE_KEYS = tuple(k for k in PROFILE_KEYS if k not in ("city", "city_en"))
LIST_KEYS = ("peak_windows", "night_routes", "dedicated_routes")  # in CSV: values separated by ';'
NUMBER_KEYS = tuple(k for k, (kind, *_) in PROFILE_KEYS.items() if kind == (int, float))


@dataclass
class CityJob:
    name: str
    slug: str  # its folder under the batch's --out
    request: Any  # AuditRequest


def load_manifest(path: str | Path) -> list[CityJob]:
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "The manifest does not exist.", "清单文件不存在。")
    entries = _read_csv(path) if path.suffix.lower() == ".csv" else _read_toml(path)
    if not entries:
        raise InputError(str(path), "The manifest lists no city.", "清单中没有城市。")
    jobs, slugs = [], set()
    for where, entry in entries:
        job = _job(path, where, entry)
        while job.slug in slugs:
            job.slug += "_"
        slugs.add(job.slug)
        jobs.append(job)
    return jobs


def _read_toml(path: Path) -> list[tuple[str, dict]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InputError(str(path), f"Not valid TOML: {exc}", "不是有效的 TOML 文件。") from None
    unknown = set(data) - {"defaults", "city"}
    if unknown:
        raise InputError(str(path), "Expected [defaults] and [[city]] tables only.", "清单只应包含 [defaults] 与 [[city]]。",
                         field=sorted(unknown)[0])
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise InputError(str(path), "Expected [defaults] to be a table of settings.", "[defaults] 应为配置表。",
                         field="defaults", value=defaults)
    cities = data.get("city", [])
    if not isinstance(cities, list):
        raise InputError(str(path), "Expected [[city]] tables, one per city (with double brackets).",
                         "应为 [[city]] 表（双方括号），每个城市一个。", field="city", value=cities)
    for i, city in enumerate(cities):
        if not isinstance(city, dict):
            raise InputError(f"{path} [[city]] #{i + 1}", "Expected a [[city]] table with keys such as name, feed and "
                             "built_up.", "应为包含 name、feed、built_up 等键的 [[city]] 表。", field="city", value=city)
    return [(f"{path} [[city]] #{i + 1}", {**defaults, **city}) for i, city in enumerate(cities)]


def _read_csv(path: Path) -> list[tuple[str, dict]]:
    known = [*OTHER_KEYS, *PATH_KEYS, *DATUM_KEYS, *OVERRIDE_KEYS]
    table = read_table(SingleFile(path), path.name, ["name", "feed", "built_up"], known)
    unknown = [h for h in table.header if h not in known]
    if unknown:
        raise InputError(str(path), f"Unknown column; known ones are {', '.join(known)}.",
                         f"未知列；可用列为 {', '.join(known)}。", line=1, field=unknown[0])
    entries = []
    for row in table.df.iter_rows(named=True):
        entry = {}
        for key, value in row.items():
            if key == "_line" or value is None or not value.strip():
                continue
            value = value.strip()
            if key in LIST_KEYS:
                entry[key] = [part.strip() for part in value.split(";") if part.strip()]
            elif key in NUMBER_KEYS:
                try:
                    entry[key] = float(value)
                except ValueError:
                    raise InputError(str(path), "Expected a number.", "应为数值。", line=row["_line"], field=key,
                                     value=value) from None
            else:
                entry[key] = value
        entries.append((f"{path} line {row['_line']}", entry))
    return entries


def _job(manifest: Path, where: str, entry: dict) -> CityJob:
    known = {*OTHER_KEYS, *PATH_KEYS, *DATUM_KEYS, *OVERRIDE_KEYS}
    for key in entry:
        if key not in known:
            raise InputError(where, f"Unknown key; known ones are {', '.join(sorted(known))}.",
                             f"未知配置项；可用项为 {', '.join(sorted(known))}。", field=key, value=entry[key])
    for key in ("name", "feed", "built_up"):
        if not entry.get(key):
            raise InputError(where, f"Every city needs {key}.", f"每个城市都必须给出 {key}。", field=key)
    for key in DATUM_KEYS:
        if key in entry and entry[key] not in DATUMS:
            raise InputError(where, f"Expected one of {', '.join(DATUMS)}.", f"应为 {', '.join(DATUMS)} 之一。",
                             field=key, value=entry[key])
    day = None
    if entry.get("date"):
        try:
            day = date.fromisoformat(str(entry["date"]))
        except ValueError:
            raise InputError(where, "Expected a date YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。", field="date",
                             value=entry["date"]) from None
    week = entry.get("week", False)
    if isinstance(week, str):  # CSV manifests
        week = week.strip().lower() in ("true", "1", "yes", "是")
    if not isinstance(week, bool):
        raise InputError(where, "Expected true or false.", "应为 true 或 false。", field="week", value=week)
    raw_dates = entry.get("dates", [])
    if isinstance(raw_dates, str):
        raw_dates = [d for d in re.split(r"[;,\s]+", raw_dates) if d]
    try:
        dates = [date.fromisoformat(str(d)) for d in raw_dates]
    except ValueError:
        raise InputError(where, "Expected dates YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。", field="dates",
                         value=raw_dates) from None
    paths = {key: (manifest.parent / str(entry[key])) for key in PATH_KEYS if entry.get(key)}
    name = str(entry["name"])
    request = AuditRequest(
        city=name, service_date=day, rules=entry.get("rules"), week=week, dates=dates,
        **paths, **{key: entry[key] for key in DATUM_KEYS if key in entry},
        overrides={key: entry[key] for key in OVERRIDE_KEYS if key in entry},
    )
    return CityJob(name, re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "city", request)
