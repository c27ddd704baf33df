"""The one error type a user sees: bad input, told in Chinese and English, with file, line and field."""

from __future__ import annotations

import re

VALUE_CHARS = 80  # a value is shown as an excerpt of at most this many characters
TEXT_CHARS = 600  # and each sentence of the message at most this many
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def excerpt(text: str, limit: int = VALUE_CHARS) -> str:
    """`text` without control characters (a NUL shown as ␀), cut to `limit` characters with an ellipsis."""
    text = _CONTROL.sub(lambda m: "␀" if m.group() == "\x00" else "\ufffd", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class InputError(Exception):
    """Bad input. The CLI prints `message()` and exits 2; nothing else ever reaches the user as a traceback.

    Whatever a file holds, the message stays short and printable: the value is cut to 80 characters and
    control characters (NUL bytes of a misread UTF-16 file, for one) are replaced."""

    def __init__(
        self,
        file: str,
        en: str,
        zh: str,
        *,
        line: int | None = None,
        field: str | None = None,
        value: object = None,
    ):
        self.file = excerpt(str(file), 300)
        self.en = excerpt(en, TEXT_CHARS)
        self.zh = excerpt(zh, TEXT_CHARS)
        self.line = line
        self.field = None if field is None else excerpt(str(field))
        if isinstance(value, str) and (len(value) > VALUE_CHARS or _CONTROL.search(value)):
            value = excerpt(value)
        elif isinstance(value, bytes | list | dict | tuple) and len(repr(value)) > VALUE_CHARS:
            value = excerpt(repr(value))
        self.value = value
        super().__init__(self.message())

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line} 第{self.line}行")
        if self.field is not None:
            parts.append(f"field {self.field} 字段")
        return ", ".join(parts)

    def message(self) -> str:
        value = f"\n  value 值: {self.value!r}" if self.value is not None else ""
        return f"输入错误 / Input error: {self.location()}{value}\n  {self.zh}\n  {self.en}"


class Interrupted(BaseException):
    """SIGINT (Ctrl-C) or SIGTERM while a command runs: it cleans up, then exits 128 + the signal (130, 143).

    A BaseException like KeyboardInterrupt, so that no `except Exception` swallows it; not a KeyboardInterrupt,
    so that click does not turn it into "Aborted!" and exit 1 (which means "a rule fails")."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum
