"""--deviations: approved deviations, a CSV of rule, subject (city, or a route's id or short name), optional
direction (0/1), reason, document, valid_until (YYYY-MM-DD, optional)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from checker.errors import InputError
from checker.load.archive import SingleFile
from checker.load.table import read_table
from checker.model.deviation import Deviation

CITY_WORDS = {"city", "全市", "城市"}


def load_deviations(path: str | Path) -> list[Deviation]:
    path = Path(path)
    table = read_table(SingleFile(path), path.name, ["rule", "subject", "reason", "document"],
                       ["direction", "valid_until"])
    assert table is not None
    for column in ("rule", "subject", "reason", "document"):
        table.require(column)
    deviations = []
    for row in table.df.iter_rows(named=True):
        direction = (row["direction"] or "").strip()
        if direction not in ("", "0", "1"):
            raise InputError(str(path), "Expected 0, 1 or empty (both directions).", "应为 0、1 或留空（两个方向）。",
                             line=row["_line"], field="direction", value=direction)
        until = (row["valid_until"] or "").strip()
        try:
            valid_until = date.fromisoformat(until) if until else None
        except ValueError:
            raise InputError(str(path), "Expected a date YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。", line=row["_line"],
                             field="valid_until", value=until) from None
        subject = row["subject"].strip()
        deviations.append(Deviation(row["_line"], row["rule"].strip(), "city" if subject.lower() in CITY_WORDS else subject,
                                    int(direction) if direction else None, row["reason"].strip(),
                                    row["document"].strip(), valid_until))
    return deviations
