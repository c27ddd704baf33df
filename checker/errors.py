"""The one error type a user sees: bad input, told in Chinese and English, with file, line and field."""

from __future__ import annotations


class InputError(Exception):
    """Bad input. The CLI prints `message()` and exits 2; nothing else ever reaches the user as a traceback."""

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
        self.file = file
        self.en = en
        self.zh = zh
        self.line = line
        self.field = field
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
