"""Art. 10(4): the first bus leaves early enough before the normal work start."""

from __future__ import annotations

from checker.judge.context import Context
from checker.judge.registry import number, register
from checker.judge.spans import span_findings
from checker.model.pack import Rule
from checker.model.result import Finding


@register("first_departure_by",
          number("before_work_start_min", "min", "how long before the city's work start the first bus leaves"))
def check_first_departure_by(rule: Rule, context: Context) -> list[Finding]:
    """Per basic day route and direction, its first departure of the service day at the origin terminal,
    no later than the city's work start (pack default 09:00, or its profile's) minus `before_work_start_min`.

    Edge: a departure exactly at the limit passes. Night routes are exempt (GD-NIGHT judges them).
    """
    latest = context.first_by_s()
    return span_findings(rule, context, "first", latest, lambda v: latest is not None and v <= latest,
                         "首班", "first departure", "不晚于", "no later than")
