"""Read one GTFS text file into a polars frame of strings, and turn its columns into typed values or errors.

Every frame carries `_line`, the line number in the file (the header is line 1), so that any error can name
the row a person would open in an editor.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import polars as pl

from checker.errors import InputError
from checker.load.archive import FeedSource
from checker.load.encoding import to_utf8

LINE = "_line"
_TIME_PATTERN = r"^\s*(\d{1,3}):(\d{2}):(\d{2})\s*$"
_VALID_TIME = r"^\s*\d{1,3}:[0-5]\d:[0-5]\d\s*$"
_TIME_EXPECTED = (
    "Expected a time HH:MM:SS with minutes and seconds below 60 (hours may pass 24).",
    "应为 时:分:秒 格式，分和秒小于 60（小时可超过 24）。",
)


@dataclass
class Table:
    name: str
    where: str
    encoding: str
    df: pl.DataFrame

    def error(self, line: int | None, field: str | None, value: object, en: str, zh: str) -> InputError:
        return InputError(self.where, en, zh, line=line, field=field, value=value)

    def reject(self, mask: pl.Expr, field: str, en: str, zh: str, column: str | None = None) -> None:
        """Raise for the first row where `mask` holds, naming `field` (its value read from `column`)."""
        self.reject_any([(mask, field, en, zh)], value_from=column)

    def reject_any(self, checks: list[tuple[pl.Expr, str, str, str]], value_from: str | None = None) -> None:
        """Several row checks (mask, field, en, zh) in one parallel pass; raise for the earliest bad row."""
        found = self.df.select(
            [mask.arg_true().first().alias(str(i)) for i, (mask, *_) in enumerate(checks)]
        ).row(0)
        failing = [(row, i) for i, row in enumerate(found) if row is not None]
        if failing:
            row, i = min(failing)
            _, field, en, zh = checks[i]
            value = self.df[value_from or field][row]
            raise self.error(self.df[LINE][row], field, "" if value is None else value, en, zh)

    @staticmethod
    def missing(field: str) -> tuple[pl.Expr, str, str, str]:
        return pl.col(field).is_null(), field, f"{field} is empty; every row needs one.", f"{field} 不能为空。"

    @staticmethod
    def not_time(field: str) -> tuple[pl.Expr, str, str, str]:
        return (pl.col(field).is_not_null() & ~pl.col(field).str.contains(_VALID_TIME), field, *_TIME_EXPECTED)

    @staticmethod
    def not_number(field: str, dtype: pl.DataType = pl.Int64) -> tuple[pl.Expr, str, str, str]:
        parsed = pl.col(field).str.strip_chars().cast(dtype, strict=False)
        en, zh = ("a whole number", "整数") if dtype == pl.Int64 else ("a number", "数值")
        return pl.col(field).is_not_null() & parsed.is_null(), field, f"Expected {en}.", f"应为{zh}。"

    def require(self, field: str) -> None:
        """Every row must give `field` a value."""
        self.reject_any([Table.missing(field)])

    def integers(self, field: str, allowed: set[int] | None = None, default: int | None = None) -> pl.Expr:
        """The column as integers; an empty cell becomes `default` (or stays null)."""
        self.reject_any([Table.not_number(field)])
        expr = pl.col(field).str.strip_chars().cast(pl.Int64, strict=False)
        if allowed is not None:
            choices = ", ".join(str(a) for a in sorted(allowed))
            self.reject(expr.is_not_null() & ~expr.is_in(list(allowed)), field,
                        f"Expected one of {choices}.", f"应为 {choices} 之一。")
        return expr.fill_null(default) if default is not None else expr

    def floats(self, field: str, low: float, high: float) -> pl.Expr:
        self.reject_any([Table.not_number(field, pl.Float64)])
        expr = pl.col(field).str.strip_chars().cast(pl.Float64, strict=False)
        self.reject(expr.is_not_null() & ((expr < low) | (expr > high) | expr.is_nan()), field,
                    f"Expected a number from {low} to {high}.", f"应为 {low} 至 {high} 之间的数值。")
        return expr

    def check_times(self, field: str) -> None:
        """Every non-empty cell must be a GTFS time."""
        self.reject_any([Table.not_time(field)])

    def seconds(self, field: str) -> pl.Expr:
        """GTFS times (H:MM:SS, hours may pass 24) as seconds after the service day's noon minus 12 h."""
        self.check_times(field)
        parts = pl.col(field).str.extract_groups(_TIME_PATTERN)
        hours = parts.struct.field("1").cast(pl.Int32)
        minutes = parts.struct.field("2").cast(pl.Int32)
        secs = parts.struct.field("3").cast(pl.Int32)
        return hours * 3600 + minutes * 60 + secs

    def dates(self, field: str) -> pl.Expr:
        expr = pl.col(field).str.strip_chars().str.strptime(pl.Date, "%Y%m%d", strict=False)
        self.reject(pl.col(field).is_not_null() & expr.is_null(), field,
                    "Expected a date YYYYMMDD.", "应为 YYYYMMDD 格式的日期。")
        return expr


def read_table(
    source: FeedSource, name: str, required: list[str], optional: list[str] = (), *, must_exist: bool = True
) -> Table | None:
    """Read `name` from the feed, keeping only the columns asked for; None if optional and absent."""
    if not source.has(name) and not must_exist:
        return None
    where = source.where(name)
    data, encoding = to_utf8(source.read(name))
    source.encodings[name] = encoding
    header_end = data.find(b"\n")
    header_line = (data if header_end < 0 else data[:header_end]).decode("utf-8", errors="replace")
    first_line = header_line.splitlines()[0] if header_line.strip() else ""
    try:
        header = [h.strip() for h in next(csv.reader([first_line]), [])]
    except csv.Error as exc:
        raise InputError(where, f"The header line is not CSV ({exc}).", "表头不是有效的 CSV。", line=1) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            where,
            f"Missing required column(s) {', '.join(missing)}; the header has {', '.join(header) or 'nothing'}.",
            f"缺少必需列 {', '.join(missing)}。",
            line=1,
            field=missing[0],
        )
    wanted = [i for i, h in enumerate(header) if h in set(required) | set(optional)]
    names = [header[i] for i in wanted]
    try:
        df = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            columns=wanted,
            truncate_ragged_lines=True,
            quote_char='"',
        )
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise InputError(where, f"Not a readable CSV file ({exc}).", "不是可读取的 CSV 文件。") from None
    df.columns = names
    df = df.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    for column in optional:
        if column not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    return Table(name, where, encoding, df)


def parse_date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError("--date", "Expected a date YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。", value=text) from None
