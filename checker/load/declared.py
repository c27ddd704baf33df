"""Declared statistics: indicators a feed cannot answer (mode share, satisfaction, fleet per 10,000 people,
subsidies, wages ...), as the city reports them. A CSV of indicator (rule id or table number), value and
an optional source; they are shown as declared, never as computed."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from checker.errors import InputError
from checker.load.archive import SingleFile
from checker.load.table import read_table


def load_declared(path: str | Path, indicators: dict[str, str]) -> dict[str, dict]:
    """`indicators`: every accepted key (rule id, table number) -> rule id. Returns rule id -> value, source."""
    path = Path(path)
    table = read_table(SingleFile(path), path.name, ["indicator", "value"], ["source"])
    table.require("indicator")
    table.require("value")
    keys = pl.col("indicator").str.strip_chars()
    table.reject(~keys.is_in(list(indicators)), "indicator", "Unknown indicator; expected a rule id such as "
                 f"{next(iter(indicators.values()))} or its number in the indicator table.",
                 "未知指标；应为规则编号或指标序号。")
    df = table.df.with_columns(value=table.floats("value", -1e12, 1e12), key=keys)
    declared = {}
    for row in df.iter_rows(named=True):
        rule_id = indicators[row["key"]]
        if rule_id in declared:
            raise InputError(str(path), "This indicator is declared twice.", "该指标重复申报。", line=row["_line"],
                             field="indicator", value=row["key"])
        declared[rule_id] = {"value": row["value"], "source": (row["source"] or "").strip() or None}
    return declared
