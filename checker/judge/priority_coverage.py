"""Art. 11: first- and second-level facilities come before the rest of the built-up area, so each level is
judged on the share of its facilities within reach of a basic-bus stop, and every miss is named."""

from __future__ import annotations

from typing import Any

from checker.judge.context import Context, finding, requires_input
from checker.judge.registry import number, register
from checker.model.pack import Param, Rule
from checker.model.result import Finding

SHOWN = 5  # uncovered facilities named in the message; all of them are in the finding's detail


@register("priority_coverage",
          number("radius_m", "m", "straight-line reach of a served basic-bus stop"),
          number("min_share", "ratio", "share of each level's facilities that must be reached (1.0 for all)"),
          Param("categories", "table", "", "the article's facility categories: level, zh, aliases, built_up_only"))
def check_priority_coverage(rule: Rule, context: Context) -> list[Finding]:
    """Per priority level, the share of the facilities in --facilities within `radius_m` of a stop served by a
    basic route on the audit date (metrics/priority.py; polygons by their nearest edge), against `min_share`.

    Facilities other than hubs count only inside the built-up area (建成区内), as the article says; the rest
    are reported as out of scope. Not assessed without --facilities, or for a level with no facility.
    Edge: the share is compared at 0.01 percentage point.
    """
    priority = context.metrics.priority
    if priority is None:
        return requires_input(rule, context)
    minimum, radius = rule.params["min_share"], priority["radius_m"]
    findings = []
    for level in priority["levels"]:
        subject = {"type": "priority_level", "level": level["level"]}
        if not level["facilities"]:
            findings.append(finding(rule, "not_assessed", subject, None, minimum, "ratio",
                                    f"第{level['level']}优先级：设施清单中没有纳入评估的设施。",
                                    f"Priority level {level['level']}: no facility of this level to assess."))
            continue
        share = level["share"]
        passed = round(share, 4) >= round(minimum, 4)
        missed = level["uncovered"]
        named_zh = "；".join(f"{r['name']}（最近站点 {r['nearest_stop_name'] or '无'}，{_metres(r)}）" for r in missed[:SHOWN])
        named_en = "; ".join(f"{r['name']} (nearest stop {r['nearest_stop_name'] or 'none'}, {_metres(r)})"
                             for r in missed[:SHOWN])
        more = len(missed) - SHOWN
        findings.append(finding(
            rule, "pass" if passed else "fail", subject, share, minimum, "ratio",
            f"第{level['level']}优先级设施 {level['covered']}/{level['facilities']} 个位于基本公交站点{radius:g}米范围内"
            f"（{share:.0%}），要求 {minimum:.0%}" + (f"；未覆盖：{named_zh}" if missed else "")
            + (f" 等 {len(missed)} 个" if more > 0 else "") + "。",
            f"Priority level {level['level']}: {level['covered']} of {level['facilities']} facilities within "
            f"{radius:g} m of a basic-bus stop ({share:.0%}), required {minimum:.0%}"
            + (f"; not reached: {named_en}" if missed else "") + (f" and {more} more" if more > 0 else "") + ".",
            uncovered=[{k: r[k] for k in ("name", "category", "nearest_stop_id", "nearest_stop_name", "distance_m")}
                       for r in missed],
            out_of_scope=level["out_of_scope"],
        ))
    return findings


def _metres(row: dict[str, Any]) -> str:
    return "—" if row["distance_m"] is None else f"{row['distance_m']:.0f} m"
