"""Read one GTFS text file into a polars frame of strings, and turn its columns into typed values or errors.

Every frame carries `_line`, the line number in the file (the header is line 1), so that any error can name
the row a person would open in an editor.

CSV as GTFS uses it (RFC 4180): a quoted empty field `""` is an empty field, like an unquoted one; lines may
end in LF, CRLF or CR alone (old Mac), mixed within a file; a value may not span lines (GTFS forbids it, and
an unclosed quote is the usual cause), so such a file is refused naming the line where the quote opened.
Empty lines are skipped, with a notice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from checker.background import in_parts
from checker.errors import InputError, excerpt
from checker.load.archive import FeedSource
from checker.load.encoding import to_utf8

LINE = "_line"
# GTFS times are H:MM:SS or HH:MM:SS; hours may pass 24 (a service day's night) but have at most two digits.
_VALID_TIME = r"^\s*[0-9]{1,2}:[0-5][0-9]:[0-5][0-9]\s*$"  # ASCII digits: what a cast to integer reads
TIME_EXPECTED = (
    "Expected a time HH:MM:SS with minutes and seconds below 60 (hours may pass 24, up to 99).",
    "应为 时:分:秒 格式，分和秒小于 60（小时可超过 24，最多两位）。",
)
_VALID_DATE = r"^\s*[0-9]{8}\s*$"
FIRST_YEAR, LAST_YEAR = 1900, 9999  # a date before 1900 is a placeholder (00010101), not a service day
SHOWN_LINES = 5  # a warning names the first few lines it concerns


def line_list(lines: Sequence[int], total: int | None = None) -> str:
    """`5, 9, 12 …` : the first few line numbers of a warning, with an ellipsis when there are more."""
    shown = ", ".join(str(n) for n in list(lines)[:SHOWN_LINES])
    return shown + (" …" if (total if total is not None else len(lines)) > SHOWN_LINES else "")


@dataclass
class Table:
    name: str
    where: str
    encoding: str
    df: pl.DataFrame
    header: list[str] = field(default_factory=list)  # every column the file names, in its order

    def error(self, line: int | None, field: str | None, value: object, en: str, zh: str) -> InputError:
        return InputError(self.where, en, zh, line=line, field=field, value=value)

    def reject(self, mask: pl.Expr, field: str, en: str, zh: str, column: str | pl.Expr | None = None) -> None:
        """Raise for the first row where `mask` holds, naming `field` (its value read from `column`: a column's
        name, or an expression evaluated on that row only)."""
        self.reject_any([(mask, field, en, zh)], value_from=column)

    def reject_any(self, checks: list[tuple], value_from: str | pl.Expr | None = None) -> None:
        """Several row checks (mask, field, en, zh[, column the value is read from]) in one parallel pass;
        raise for the earliest bad row."""
        found = self.df.select(
            [check[0].arg_true().first().alias(str(i)) for i, check in enumerate(checks)]
        ).row(0)
        failing = [(row, i) for i, row in enumerate(found) if row is not None]
        if failing:
            row, i = min(failing)
            _, field, en, zh, *column = checks[i]
            source = column[0] if column and column[0] is not None else value_from
            if isinstance(source, pl.Expr):
                value = self.df.slice(row, 1).select(source).item()
            else:
                value = self.df[source or field][row]
            raise self.error(self.df[LINE][row], field, "" if value is None else value, en, zh)

    @staticmethod
    def missing(field: str) -> tuple[pl.Expr, str, str, str]:
        return pl.col(field).is_null(), field, f"{field} is empty; every row needs one.", f"{field} 不能为空。"

    @staticmethod
    def not_time(field: str) -> tuple[pl.Expr, str, str, str]:
        return (pl.col(field).is_not_null() & ~pl.col(field).str.contains(_VALID_TIME), field, *TIME_EXPECTED)

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
        return time_seconds(pl.col(field))

    def dates(self, field: str) -> pl.Expr:
        """YYYYMMDD dates; a date that does not exist (20250230) or a placeholder year (00010101) is refused."""
        text = pl.col(field).str.strip_chars()
        expr = pl.when(text.str.contains(_VALID_DATE)).then(text.str.strptime(pl.Date, "%Y%m%d", strict=False))
        self.reject(pl.col(field).is_not_null() & expr.is_null(), field,
                    "Expected a date YYYYMMDD that exists (month 01-12, a day the month has).",
                    "应为实际存在的 YYYYMMDD 格式日期（月份 01-12，日期在该月范围内）。")
        self.reject(expr.dt.year() < FIRST_YEAR, field,
                    f"Expected a service date; a year before {FIRST_YEAR} is a placeholder, not a day of service.",
                    f"应为运营日期；{FIRST_YEAR} 年以前的年份是占位值，不是运营日。")
        return expr

    def warn(self, mask: pl.Expr, en: str, zh: str) -> tuple[str, str] | None:
        """A notice for the rows where `mask` holds: `en`/`zh` with {count} and {lines} filled in; None if none."""
        found = self.df.select(count=mask.sum(), lines=pl.col(LINE).filter(mask).head(SHOWN_LINES).implode()).row(0)
        count, lines = found
        if not count:
            return None
        shown = line_list(lines, count)
        return (f"{self.name}: " + en.format(count=count, lines=shown), f"{self.name}：" + zh.format(count=count, lines=shown))


def time_seconds(text: pl.Expr) -> pl.Expr:
    """Validated GTFS time text (H:MM:SS or HH:MM:SS, maybe padded) as integer seconds; null stays null."""
    plain = (text.str.len_bytes() == 8) & ~text.str.starts_with(" ") & ~text.str.ends_with(" ")  # HH:MM:SS
    return _hh_mm_ss(pl.when(plain).then(text).otherwise(text.str.strip_chars().str.zfill(8)))


def _hh_mm_ss(text: pl.Expr) -> pl.Expr:
    """HH:MM:SS text as seconds, reading only the digits' positions (null where they are not digits)."""
    def part(start: int) -> pl.Expr:
        return text.str.slice(start, 2).cast(pl.Int32, strict=False)

    return part(0) * 3600 + part(3) * 60 + part(6)


PARALLEL_TIMES_FROM = 1_000_000  # values; below this a second thread costs more than it saves
TIMES_PER_STEP = 65_536  # values read per numpy step: the step's temporaries stay in the CPU's cache
# "HH:MM:SS" as eight bytes read as one little-endian integer (the first character lowest): XOR with the
# template's bytes turns each digit into its value and each colon into 0; then no byte may have a high nibble
# (the colons: no bit at all), and adding 6 to each digit (10 to the tens of minutes and of seconds) still
# leaves none, which holds for digits up to 9 (tens up to 5)
_TEMPLATE = np.uint64(int.from_bytes(b"00:00:00", "little"))
_HIGH_BITS = np.uint64(int.from_bytes(bytes([0xF0, 0xF0, 0xFF, 0xF0, 0xF0, 0xFF, 0xF0, 0xF0]), "little"))
_TO_TEN = np.uint64(int.from_bytes(bytes([6, 6, 0, 10, 6, 0, 10, 6]), "little"))
_DIGIT_HIGH_BITS = np.uint64(int.from_bytes(bytes([0xF0, 0xF0, 0, 0xF0, 0xF0, 0, 0xF0, 0xF0]), "little"))


def column_seconds(df: pl.DataFrame, column: str) -> pl.Series:
    """A column of GTFS time text as seconds, null where empty or not a time, so that `not_time` of the
    column is "has text, has no seconds". A value written exactly HH:MM:SS (nearly all of them) is read from
    its eight bytes with numpy (a long column in parts, one per thread: numpy releases the GIL); only the others
    go through the pattern (H:MM:SS, padded, or not a time)."""
    text = df[column]
    packed = text.cast(pl.Binary).bin.reinterpret(dtype=pl.UInt64, endianness="little")  # null unless 8 bytes
    seconds = np.empty(len(text), dtype=np.int32)
    strict = np.empty(len(text), dtype=bool)
    steps, at = [], 0  # (values, where they go): each chunk read where it lies, not copied into one array first
    for chunk in packed.get_chunks():
        raw = (chunk.fill_null(0) if chunk.null_count() else chunk).to_numpy()
        steps += [(raw[i:i + TIMES_PER_STEP], at + i) for i in range(0, len(raw), TIMES_PER_STEP)]
        at += len(raw)
    middle = len(steps) // 2 if len(text) >= PARALLEL_TIMES_FROM else 0
    in_parts(lambda part: _read_hh_mm_ss(part, seconds, strict), [part for part in (steps[:middle], steps[middle:])
                                                                    if part])
    result = pl.Series(column, seconds, dtype=pl.Int32)
    if strict.all():
        return result
    result = pl.select(pl.when(pl.Series(strict)).then(result)).to_series()  # null where not read yet
    others = np.flatnonzero(~strict & text.is_not_null().to_numpy())
    if not len(others):
        return result
    rest = text.gather(others).to_frame()
    slow = rest.select(pl.when(pl.col(column).str.contains(_VALID_TIME)).then(time_seconds(pl.col(column))))
    return result.scatter(others, slow.to_series().cast(pl.Int32))


def _read_hh_mm_ss(steps: list[tuple[np.ndarray, int]], seconds: np.ndarray, strict: np.ndarray) -> None:
    """Values of 8 bytes, each as one integer, and where they go: `seconds` as HH:MM:SS reads them, and
    `strict` where they are exactly that."""
    byte, ten = np.uint64(0xFF), np.uint64(10)
    for raw, at in steps:
        to = slice(at, at + len(raw))
        digits = raw ^ _TEMPLATE
        valid = (digits & _HIGH_BITS) == 0
        valid &= ((digits + _TO_TEN) & _DIGIT_HIGH_BITS) == 0
        strict[to] = valid
        pairs = digits * ten + (digits >> np.uint64(8))  # bytes 0, 3 and 6: hours, minutes and seconds
        seconds[to] = ((pairs & byte) * np.uint64(3600) + ((pairs >> np.uint64(24)) & byte) * np.uint64(60)
                       + ((pairs >> np.uint64(48)) & byte))


def read_table(
    source: FeedSource, name: str, required: list[str], optional: Sequence[str] = (), *, must_exist: bool = True,
    typed: dict[str, pl.DataType] | None = None,
) -> Table | None:
    """Read `name` from the feed, keeping only the columns asked for; None if optional and absent.

    `typed`: columns parsed while reading (an integer, an enum of known ids) when every value parses, which
    saves a text column and its conversion; when any does not, every column is read as text, so that the
    caller's checks name the row."""
    if not source.has(name) and not must_exist:
        return None
    where = source.where(name)
    data, encoding = to_utf8(source.read(name))
    source.encodings[name] = encoding
    data = _lf_line_ends(data)
    header = _header(data, where)
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
    quoted = b'"' in data
    df = _typed_read(data, wanted, names, typed) if typed else None
    try:
        if df is None:
            df = pl.read_csv(io.BytesIO(data), infer_schema=False, columns=wanted, truncate_ragged_lines=True,
                             quote_char='"')
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        _refuse_open_quote(data, where)
        raise InputError(where, f"Not a readable CSV file ({exc}).", "不是可读取的 CSV 文件。") from None
    if quoted and df.height != data.count(b"\n") + (not data.endswith(b"\n")) - 1:
        _refuse_open_quote(data, where)  # a value spans lines
    df.columns = names
    if quoted:  # RFC 4180: a quoted empty field is an empty field (an unquoted one is read as null already)
        df = df.with_columns(pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).alias(c)
                             for c in names if df.schema[c] == pl.String)
    df = df.with_row_index(LINE, offset=2)  # UInt32: a file of more than 4e9 lines is not read into memory
    if names:
        blank = pl.all_horizontal(pl.col(c).is_null() for c in names)
        table = Table(name, where, encoding, df)
        notice = table.warn(blank, "{count} empty line(s) skipped (line {lines}; no value in the columns read).",
                            "已跳过 {count} 个空行（第 {lines} 行；所读各列均无值）。")
        if notice:
            source.notices.append(notice)
            df = df.filter(~blank)
    for column in optional:
        if column not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    return Table(name, where, encoding, df, header)


def _typed_read(data: bytes, wanted: list[int], names: list[str], typed: dict[str, pl.DataType]) -> pl.DataFrame | None:
    """The columns read with `typed`'s types where asked, None when any value does not parse as its type."""
    raw = _raw_header(data)  # the names as polars reads them: not stripped
    chosen = [raw[i] for i in wanted]
    if len(set(chosen)) != len(chosen):
        return None
    overrides = {raw_name: typed[name] for raw_name, name in zip(chosen, names, strict=True) if name in typed}
    try:
        return pl.read_csv(io.BytesIO(data), infer_schema=False, columns=wanted, truncate_ragged_lines=True,
                           quote_char='"', schema_overrides=overrides)
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None


def _lf_line_ends(data: bytes) -> bytes:
    """LF line ends: CRLF is read as it is, but a lone CR (old Mac files, or mixed ones) would hide every row."""
    if b"\r" not in data:  # most files: one fast scan
        return data
    if data.count(b"\r") != data.count(b"\r\n"):
        return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return data


def _raw_header(data: bytes) -> list[str]:
    """The first line's fields as written (csv.Error if it is not CSV)."""
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8", errors="replace").rstrip("\r")
    return next(csv.reader([first_line]), [])


def _header(data: bytes, where: str) -> list[str]:
    try:
        header = [h.strip() for h in _raw_header(data)]
    except csv.Error as exc:
        raise InputError(where, f"The header line is not CSV ({exc}).", "表头不是有效的 CSV。", line=1) from None
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            raise InputError(where, "The header names this column twice; which one holds the values is unclear.",
                             "表头中该列出现两次，无法确定取哪一列。", line=1, field=column)
        seen.add(column)
    return header


def _refuse_open_quote(data: bytes, where: str) -> None:
    """Raise naming the first line with an odd number of quotes: a quote opened there is not closed on it.
    Counted with numpy, so that a 200 MB file is scanned in a fraction of a second."""
    raw = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(raw == ord('"'))
    if not len(quotes):
        return
    ends = np.flatnonzero(raw == ord("\n"))
    per_line = np.diff(np.searchsorted(quotes, np.concatenate(([0], ends + 1, [len(raw)]))))
    odd = np.flatnonzero(per_line % 2)
    if len(odd):
        number = int(odd[0])
        start = 0 if number == 0 else int(ends[number - 1]) + 1
        stop = int(ends[number]) if number < len(ends) else len(raw)
        raise InputError(
            where,
            'This line has an unmatched quote ("): one opened here is not closed on the same line, and a GTFS value '
            "cannot span lines.",
            "该行引号（\"）不成对：此处开始的引号未在本行闭合；GTFS 的值不能跨行。",
            line=number + 1,
            value=excerpt(data[start:stop].decode("utf-8", errors="replace")),
        )


def parse_date_arg(text: str, option: str = "--date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(option, "Expected a date YYYY-MM-DD.", "应为 YYYY-MM-DD 格式的日期。", value=text) from None
