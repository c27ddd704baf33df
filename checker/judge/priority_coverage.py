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
          Param("categories", "table", "", "the article's facility categories: level, zh, aliases, built_up_only"))
def check_priority_coverage(rule: Rule, context: Context) -> list[Finding]:
    """Art. 11 sets an order, not a target: where the budget cannot cover the whole area, first-level
    facilities come first, then second-level ones, then the rest of the built-up area. So each level's share
    of facilities within `radius_m` of a stop served by a basic route on the audit date (metrics/priority.py;
    polygons by their nearest edge) must be at least the share of every later level that has facilities and
    at least the built-up area's own coverage ratio (GD-COV-500's). A level fails when something it should
    come before is better served; its unreached facilities are listed. A city may add a minimum share per
    level (profile priority_min_share = { "1" = 1.0 }): today's 100% reading is one such setting.

    Facilities other than hubs count only inside the built-up area (建成区内), as the article says; the rest
    are reported as out of scope. Not assessed without --facilities, or for a level with no facility. Edge:
    shares are compared at 0.01 percentage point; equal shares keep the order.
    """
    priority = context.metrics.priority
    if priority is None:
        return requires_input(rule, context)
    radius, area_share = priority["radius_m"], context.metrics.coverage.ratio
    levels = priority["levels"]
    findings = []
    for index, level in enumerate(levels):
        subject = {"type": "priority_level", "level": level["level"]}
        if not level["facilities"]:
            findings.append(finding(rule, "not_assessed", subject, None, None, "ratio",
                                    f"第{level['level']}优先级：设施清单中没有纳入评估的设施。",
                                    f"Priority level {level['level']}: no facility of this level to assess."))
            continue
        after = [(f"第{later['level']}优先级设施", f"priority level {later['level']}", later["share"])
                 for later in levels[index + 1:] if later["facilities"]]
        after.append(("建成区覆盖率", "the built-up area's coverage", area_share))
        minimum = context.city.priority_min_share.get(level["level"])
        if minimum is not None:
            after.append(("本市设定的最低比例", "the city's minimum", minimum))
        share = level["share"]
        threshold = round(max(value for *_, value in after), 6)
        passed = round(share, 4) >= round(threshold, 4)
        behind = [(zh, en, value) for zh, en, value in after if round(share, 4) < round(value, 4)]
        order_zh = "、".join(f"{zh}（{value:.0%}）" for zh, _, value in after)
        order_en = ", ".join(f"{en} ({value:.0%})" for _, en, value in after)
        missed = level["uncovered"]
        named_zh = "；".join(f"{r['name']}（最近站点 {r['nearest_stop_name'] or '无'}，{_metres(r)}）" for r in missed[:SHOWN])
        named_en = "; ".join(f"{r['name']} (nearest stop {r['nearest_stop_name'] or 'none'}, {_metres(r)})"
                             for r in missed[:SHOWN])
        more = len(missed) - SHOWN
        verdict_zh = "符合第十一条顺序" if passed else f"低于{'、'.join(zh for zh, _, _ in behind)}，不符合第十一条优先顺序"
        verdict_en = ("in Art. 11's order" if passed else
                      f"below {', '.join(en for _, en, _ in behind)}: not in Art. 11's order")
        findings.append(finding(
            rule, "pass" if passed else "fail", subject, share, threshold, "ratio",
            f"第{level['level']}优先级设施 {level['covered']}/{level['facilities']} 个位于基本公交站点{radius:g}米范围内"
            f"（{share:.0%}），应不低于{order_zh}：{verdict_zh}" + (f"；未覆盖：{named_zh}" if missed else "")
            + (f" 等 {len(missed)} 个" if more > 0 else "") + "。",
            f"Priority level {level['level']}: {level['covered']} of {level['facilities']} facilities within "
            f"{radius:g} m of a basic-bus stop ({share:.0%}), to be at least {order_en}: {verdict_en}"
            + (f"; not reached: {named_en}" if missed else "") + (f" and {more} more" if more > 0 else "") + ".",
            uncovered=[{k: r[k] for k in ("name", "category", "nearest_stop_id", "nearest_stop_name", "distance_m")}
                       for r in missed],
            out_of_scope=level["out_of_scope"],
            compared_with=[{"what": en, "share": value} for _, en, value in after],
        ))
    return findings


def _metres(row: dict[str, Any]) -> str:
    return "—" if row["distance_m"] is None else f"{row['distance_m']:.0f} m"
