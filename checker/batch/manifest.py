"""A batch manifest: the cities of a province to audit, as TOML ([[city]] tables) or CSV (one row per city).

Paths are relative to the manifest's folder (`rules` and `profile` too, unless they name a shipped pack or
profile); `basemap` is a tile URL template, as given. Besides the inputs of `buscheck audit`, a city may override its profile's settings (work hours, peak
windows, its own coverage target, tier, night and hub settings).

Each city's folder under the batch's --out is derived from its name by `folder_name`, never taken as given.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.inputs import DATUM_DEFAULTS, DATUM_KEYS, DATUMS, PATH_KEYS, URL_KEYS, AuditRequest
from checker.load.archive import SingleFile
from checker.load.pack import PROFILE_KEYS

OTHER_KEYS = ("name", "date", "rules", "week", "dates")
OVERRIDE_KEYS = tuple(k for k in PROFILE_KEYS if k not in ("city", "city_en"))
LIST_KEYS = ("peak_windows", "night_routes", "dedicated_routes")  # in CSV: values separated by ';'
NUMBER_KEYS = tuple(k for k, (kind, *_) in PROFILE_KEYS.items() if kind == (int, float))
NAMED_KEYS = ("rules", "profile")  # a file relative to the manifest, or the name of a shipped pack or profile

# City folders: no path separators, nothing Windows refuses, no control, format (bidi, zero-width) or space
# characters, no leading or trailing dot (so never ".", ".." or a hidden name), at most FOLDER_BYTES in UTF-8.
_REFUSED = set('/\\:*?"<>|')
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
FOLDER_BYTES = 96
# Names the batch writes next to the city folders (compared case-insensitively).
BATCH_FILES = ("summary.csv", "summary.xlsx", "summary.html")


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
    jobs: list[CityJob] = []
    taken = {name.casefold() for name in BATCH_FILES}  # case-insensitively: macOS and Windows folders are
    for where, entry in entries:
        job = _job(path, where, entry)
        base, n = job.slug, 1
        while job.slug.casefold() in taken:  # the same name twice, or two that clean to the same folder
            n += 1
            job.slug = f"{base}-{n}"
        taken.add(job.slug.casefold())
        jobs.append(job)
    return jobs


def folder_name(name: str) -> str:
    """A city's folder under --out: its name with every character a path cannot safely hold replaced by "_",
    trimmed of dots, underscores and spaces at either end, shortened to FOLDER_BYTES; when anything had to
    change, 8 hex digits of the name's sha256 follow, so that names differing only in such characters
    ("a/b", "a:b") get different folders. A name left empty (".", "..") becomes "city-<hash>"."""
    text = unicodedata.normalize("NFC", name)
    cleaned = "".join("_" if c in _REFUSED or unicodedata.category(c) in _REFUSED_CATEGORIES else c for c in text)
    while "__" in cleaned:
        cleaned = cleaned.replace("__", "_")
    cleaned = cleaned.strip("._ ")
    while len(cleaned.encode("utf-8")) > FOLDER_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip("._ ")
    if cleaned.split(".")[0].casefold() in _DEVICE_NAMES:
        cleaned = f"city_{cleaned}"
    if cleaned == name and cleaned:
        return cleaned
    return f"{cleaned or 'city'}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"


def _named_file(manifest: Path, value: str) -> str | Path:
    """`rules` or `profile`: a shipped pack or profile by its name, else a file relative to the manifest."""
    text = str(value)
    candidate = manifest.parent / Path(text).expanduser()
    if candidate.exists() or "/" in text or "\\" in text or text.lower().endswith(".toml"):
        return candidate
    return text


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
    known = [*OTHER_KEYS, *PATH_KEYS, *URL_KEYS, *DATUM_KEYS, *OVERRIDE_KEYS]
    from checker.load.table import read_table  # polars: not imported by a TOML manifest's batch parent

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
    known = {*OTHER_KEYS, *PATH_KEYS, *URL_KEYS, *DATUM_KEYS, *OVERRIDE_KEYS}
    for key in entry:
        if key not in known:
            raise InputError(where, f"Unknown key; known ones are {', '.join(sorted(known))}.",
                             f"未知配置项；可用项为 {', '.join(sorted(known))}。", field=key, value=entry[key])
    for key in ("name", "feed", "built_up"):
        if not entry.get(key):
            raise InputError(where, f"Every city needs {key}.", f"每个城市都必须给出 {key}。", field=key)
    for key in (*PATH_KEYS, *NAMED_KEYS):  # no file name holds one; the system would refuse it (it was exit 3)
        if "\x00" in str(entry.get(key) or ""):
            raise InputError(where, "A path cannot contain a NUL character.", "路径中不能含有空字符（NUL）。",
                             field=key, value=entry[key])
    for key in DATUM_KEYS:
        allowed = (*DATUMS, "auto") if DATUM_DEFAULTS[key] == "auto" else DATUMS
        if key in entry and entry[key] not in allowed:
            raise InputError(where, f"Expected one of {', '.join(allowed)}.", f"应为 {', '.join(allowed)} 之一。",
                             field=key, value=entry[key])
    for key in URL_KEYS:
        if key in entry and not isinstance(entry[key], str):
            raise InputError(where, "Expected a URL template (text).", "应为地址模板（文本）。", field=key,
                             value=entry[key])
    day = None
    if entry.get("date"):
        try:
            day = date.fromisoformat(str(entry["date"]))
        except ValueError:
            raise InputError(where, "Expected a date YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。", field="date",
                             value=entry["date"]) from None
    week = entry.get("week", False)
    if isinstance(week, str):  # CSV manifests
        words = {"true": True, "1": True, "yes": True, "是": True, "false": False, "0": False, "no": False, "否": False,
                 "": False}
        week = words.get(week.strip().lower(), week)
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
    paths: dict[str, str | Path] = {key: manifest.parent / Path(str(entry[key])).expanduser()
                                    for key in PATH_KEYS if entry.get(key)}
    for key in NAMED_KEYS:
        if entry.get(key):
            paths[key] = _named_file(manifest, entry[key])
    rules = paths.pop("rules", None)
    name = str(entry["name"])
    request = AuditRequest(
        city=name, service_date=day, rules=None if rules is None else str(rules), week=week, dates=dates,
        **paths, **{key: entry[key] for key in (*URL_KEYS, *DATUM_KEYS) if key in entry},
        overrides={key: entry[key] for key in OVERRIDE_KEYS if key in entry},
    )
    return CityJob(name, folder_name(name), request)
