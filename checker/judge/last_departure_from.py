"""Art. 10(4): the last bus leaves late enough after the normal work end."""

from __future__ import annotations

from checker.judge.context import Context
from checker.judge.registry import number, register
from checker.judge.spans import span_findings
from checker.model.pack import Rule
from checker.model.result import Finding


@register("last_departure_from",
          number("after_work_end_min", "min", "how long after the city's work end the last bus leaves"))
def check_last_departure_from(rule: Rule, context: Context) -> list[Finding]:
    """Per basic day route and direction, its last departure of the service day at the origin terminal
    (after midnight counts as 24:00+), no earlier than the city's work end (pack default 18:00, or its
    profile's) plus `after_work_end_min`.

    Edge: a departure exactly at the limit passes. Night routes are exempt (GD-NIGHT judges them).
    """
    earliest = context.last_from_s()
    return span_findings(rule, context, "last", earliest, lambda v: earliest is not None and v >= earliest,
                         "末班", "last departure", "不早于", "no earlier than")
