"""The registry of checks: each check module registers its function under a name, with the parameters it
takes from a rule (name, type, unit, default) and its docstring. Packs are validated against it when they
load, and `buscheck rules show ID` prints the docstring and module, so a rule's text cannot drift from the
code that judges it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.model.pack import REQUIRED, Param, Rule
from checker.model.result import Finding

if TYPE_CHECKING:
    from checker.judge.context import Context

CheckFunction = Callable[[Rule, "Context"], list[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    function: CheckFunction
    params: tuple[Param, ...]
    doc: str

    @property
    def where(self) -> str:
        """module.function, e.g. checker.judge.headway_max.check_headway_max."""
        return f"{self.function.__module__}.{self.function.__name__}"

    @property
    def source_file(self) -> str:
        return inspect.getsourcefile(self.function) or ""


CHECKS: dict[str, Check] = {}


def register(name: str, *params: Param, summary: str = "") -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: register `function` as the check `name`, taking `params` from its rules. `summary` goes
    before the function's docstring where one function serves several checks."""
    def decorate(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        doc = inspect.getdoc(function) or ""
        CHECKS[name] = Check(name, function, params, f"{summary}\n\n{doc}" if summary else doc)
        return function
    return decorate


UNIT_RANGES = {"min": (0.0, 1440.0), "ratio": (0.0, 1.0), "m": (1.0, 10_000.0), "km": (0.0, 1000.0)}


def number(name: str, unit: str, doc: str, default: object = REQUIRED, low: float | None = None) -> Param:
    """A numeric parameter (an integer or a decimal; never a string such as "60%"), finite and within the
    bounds its unit allows (minutes up to a day, ratios from 0 to 1, radii from 1 m to 10 km)."""
    bottom, top = UNIT_RANGES.get(unit, (None, None))
    return Param(name, "number", unit, doc, default, low=bottom if low is None else low, high=top)
