"""The terminal summary: verdict, then each rule family with its worst offenders first.

Text from input (names, messages quoting them, notices) goes through `_t`: rich markup in it is escaped (a route
named "[/bold]" is shown, not parsed) and control characters are replaced, so no name can restyle the terminal
or send it escape sequences."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from checker.model.clock import Clock
from checker.model.pack import STRENGTH_LABELS
from checker.model.result import STATUSES, Audit, Finding
from checker.report.document import plain, to_document

STATUS_STYLE = {"pass": "green", "fail": "bold red", "not_assessed": "yellow", "exempt": "cyan", "info": "blue"}
STATUS_LABEL = {"pass": "达标 pass", "fail": "不达标 fail", "not_assessed": "未评估 not assessed", "exempt": "豁免 exempt",
                "info": "报告 reported", "incomplete": "未完成 incomplete"}
VERDICT_STYLE = {"pass": "bold green", "fail": "bold red", "incomplete": "bold yellow"}


def article_label(article: str) -> str:
    """'10(3)' -> 'Art. 10(3) 第10(3)条'; a reference that is not an article number ('表5-1 #4') as it is."""
    return f"Art. {article} 第{article}条" if article[:1].isdigit() else article


def status_text(finding: Finding) -> str:
    """The status, and for a fail the strength of the text it fails: 不达标（原则性要求） fail (in principle)."""
    if "deviation" in finding.detail:
        return "豁免（批准例外） exempt (approved deviation)"
    if finding.status != "fail":
        return STATUS_LABEL[finding.status]
    zh, en = STRENGTH_LABELS[finding.strength]
    return f"不达标（{zh}） fail ({en})"


def strength_text(finding: Finding) -> str:
    zh, en = STRENGTH_LABELS[finding.strength]
    return f"{zh} {en}: “{finding.strength_words}”"
WORST_SHOWN = 8
WIDE = 120  # below this many columns, route findings are paragraphs rather than a table
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _t(value: object) -> str:
    """Input text for a rich console: markup escaped, control characters (but tab and newline) replaced."""
    return escape(_CONTROL.sub("\ufffd", str(value)))


def _minutes(value: object) -> float | None:
    if isinstance(value, Clock):
        return int(value) / 60
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _severity(finding: Finding) -> tuple:
    """Worst first: by status, then by how far the value misses its threshold."""
    value, threshold = _minutes(finding.value), _minutes(finding.threshold)
    shortfall = abs(value - threshold) if value is not None and threshold is not None else 0.0
    return (STATUSES.index(finding.status), -shortfall)


def render_text(audit: Audit, console: Console, doc: dict[str, Any] | None = None) -> None:
    result = audit.result
    doc = doc or to_document(result)
    city, tier, day, pack = doc["city"], doc["tier"], doc["service_date"], doc["rule_pack"]
    console.print(f"[bold]buscheck {doc['tool']['version']}[/bold] — {pack['title']} {pack['document']} ({pack['title_en']})")
    console.print(_t(
        f"城市 City: {city['name']} {city['name_en']} | 等级 Tier: {tier['name']} {tier['name_en']}"
        + (f" (覆盖率目标 coverage target {tier['coverage_target']:.0%})" if tier["coverage_target"] > 0 else "")
    ))
    chosen = {"requested": "指定 as requested", "busiest_weekday": "最繁忙工作日 busiest weekday",
              "busiest_day": "最繁忙日 busiest day"}[day["chosen_by"]]
    if doc.get("days"):
        shown = ", ".join(f"{d['service_date']['date']} ({d['day_type']})" for d in doc["days"])
        console.print(f"审计日 Service dates: {shown}")
    else:
        console.print(f"审计日 Service date: {day['date']} ({chosen}, {day['trips']} trips)")
    cov = doc["metrics"]["coverage"]
    console.print(
        f"建成区 Built-up: {cov['built_up_km2']:.2f} km² | 站点 stops used: {cov['stops_used']} | "
        f"线路方向 route-directions: {len(doc['metrics']['routes'])}"
    )
    summary = doc["summary"]
    verdict = summary["verdict"]
    counts = ", ".join(f"{STATUS_LABEL[s]} {summary['counts'][s]}" for s in STATUSES)
    console.print(f"\n结论 Verdict: [{VERDICT_STYLE[verdict]}]{STATUS_LABEL[verdict].upper()}[/]  ({counts})")
    fails = summary["fails_by_strength"]
    console.print(f"  未达强制性要求 fails a binding requirement (shall): {fails['shall']} · "
                  f"未达原则性要求 in principle: {fails['in_principle']} · "
                  f"偏离指导性要求 departs from guidance (should): {fails['should']}")
    if summary["rules_not_assessed"]:
        console.print(f"  未评估的规则 rules not assessed: {', '.join(summary['rules_not_assessed'])} "
                      "(审计不完整 the audit is incomplete)")
    console.print()

    for family in audit.pack.families:
        zh, en = family.zh, family.en
        findings = [f for f in result.findings if f.family == family.id]
        if not findings:
            continue
        console.rule(f"[bold]{_t(zh)} {_t(en)}[/bold]")
        evaluated = [f for f in findings if "evaluation" in f.detail]
        if evaluated:
            render_evaluation(console, evaluated)
            findings = [f for f in findings if "evaluation" not in f.detail]
        for rule_id in dict.fromkeys(f.rule for f in findings):
            _render_rule(console, [f for f in findings if f.rule == rule_id])
        if family.id == "coverage":
            render_districts(console, doc["metrics"]["coverage"].get("districts"))
        if family.id == "service_hours":
            render_hubs(console, doc["metrics"].get("hubs"))
    if doc["notices"]:
        console.rule("[bold]提示 Notices[/bold]")
        for notice in doc["notices"]:
            console.print(f"• {_t(notice['zh'])}\n  {_t(notice['en'])}")


def _render_rule(console: Console, findings: list[Finding]) -> None:
    first = findings[0]
    counts = {s: sum(f.status == s for f in findings) for s in STATUSES}
    tally = " ".join(f"[{STATUS_STYLE[s]}]{STATUS_LABEL[s]} {n}[/]" for s, n in counts.items() if n)
    where = article_label(first.article)
    console.print(f"[bold]{first.rule}[/bold] ({where})  {tally}")
    console.print(f"  要求强度 Strength: {strength_text(first)}", markup=False)
    if first.subject["type"] != "route":
        for f in findings:
            style = STATUS_STYLE[f.status]
            console.print(f"  [{style}]{status_text(f)}[/]  {_t(f.message_zh)}\n  {_t(f.message_en)}")
        console.print()
        return
    _render_route_findings(console, findings, counts)


def render_districts(console: Console, districts: list[dict] | None) -> None:
    if not districts:
        return
    table = Table(title="各区覆盖率 Coverage by district (worst first)", box=None, header_style="bold")
    for column in ("区 district", "建成区 built-up km²", "覆盖 covered km²", "覆盖率 ratio"):
        table.add_column(column, justify="left" if column.startswith("区") else "right", overflow="fold")
    for row in districts[:WORST_SHOWN]:
        ratio = "—" if row["ratio"] is None else f"{row['ratio']:.2%}"
        table.add_row(_t(row["name"]), f"{row['built_up_km2']:.2f}", f"{row['covered_km2']:.2f}", ratio)
    console.print(table)
    if len(districts) > WORST_SHOWN:
        console.print(f"  另有 {len(districts) - WORST_SHOWN} 个区 and {len(districts) - WORST_SHOWN} more districts "
                      "(see result.json / report.xlsx)")
    console.print()


def _number(value) -> str:
    return "—" if value is None else f"{value:g}"


def render_evaluation(console: Console, findings: list[Finding]) -> None:
    """The indicator self-evaluation table (公交都市创建评价指标自评表)."""
    table = Table(title="指标自评表 Indicator self-evaluation", box=None, header_style="bold")
    for column in ("#", "指标 indicator", "单位 unit", "基准 baseline", "目标 target", "值 value", "来源 source",
                   "结论 status"):
        table.add_column(column, justify="right" if column in ("#", "基准 baseline", "目标 target", "值 value") else "left",
                         overflow="fold")
    for f in sorted(findings, key=lambda f: (f.detail["evaluation"]["number"] is None, f.detail["evaluation"]["number"] or 0)):
        row = f.detail["evaluation"]
        source = {"computed": "计算 computed", "declared": "申报 declared"}.get(row["source"], "—")
        table.add_row(str(row["number"] or ""), f"{_t(row['indicator'])}\n{_t(row['indicator_en'])}", _t(row["unit"]),
                      _number(row["baseline"]), _number(row["target"]), _number(row["value"]), source,
                      f"[{STATUS_STYLE[f.status]}]{STATUS_LABEL[f.status]}[/]")
    console.print(table)
    console.print()


def render_hubs(console: Console, hubs: dict | None) -> None:
    """Each hub: the other mode's hours, the bus times they call for, and which buses meet them."""
    if not hubs or not hubs["hubs"]:
        return
    table = Table(title="枢纽衔接 Hubs (Art. 10(4))", box=None, header_style="bold")
    for column in ("枢纽 hub", "方式 mode", "首/末 first/last", "末班离站 last bus leaves ≥", "首班到站 first bus arrives ≤"):
        table.add_column(column, overflow="fold")
    for hub in hubs["hubs"]:
        table.add_row(_t(hub["name"]), hub["mode"], f"{hub['first_departure']}/{hub['last_arrival']}",
                      _hub_end(hub, "last", hub["leaving"]), _hub_end(hub, "first", hub["reaching"]))
    console.print(table)
    console.print()


def _hub_end(hub: dict, end: str, entries: list[dict]) -> str:
    need = hub["bus_last_leave_by" if end == "last" else "bus_first_arrive_by"]
    if not entries:
        return f"{need}: 无线路 no route"
    if hub[f"{end}_met_by"]:
        return f"{need}: [green]{_t(', '.join(hub[f'{end}_met_by'][:3]))}[/]"
    return f"{need}: [red]无 none, 差 short by {hub[f'{end}_gap_min']:g} min[/]"


def _render_route_findings(console: Console, findings: list[Finding], counts: dict) -> None:
    waived = [f for f in findings if "deviation" in f.detail]  # approved deviations are always shown
    worst = sorted((f for f in findings if f.status in ("fail", "not_assessed")), key=_severity)[:WORST_SHOWN] + waived
    if not worst:
        console.print("  无不达标项 Nothing fails.\n")
        return
    if console.width < WIDE:  # a narrow terminal: one finding a paragraph, so that nothing is folded mid-word
        for f in worst:
            head = f"  [{STATUS_STYLE[f.status]}]{status_text(f)}[/]  {_t(_route(f))}  {_value(f)} / {plain(f.threshold)}"
            console.print(head)
            console.print(f"    {_t(f.message_zh)}\n    {_t(f.message_en)}")
    else:
        _route_table(console, worst)
    hidden = counts["fail"] + counts["not_assessed"] - len(worst) + len(waived)
    if hidden > 0:
        console.print(f"  另有 {hidden} 项 and {hidden} more (see result.json / findings.csv)")
    console.print()


def _route(f: Finding) -> str:
    towards = f" → {f.subject['towards']}" if f.subject.get("towards") else ""
    return f"{f.subject.get('route_short_name') or f.subject.get('route_id')} ({f.subject.get('direction_id', '')}){towards}"


def _value(f: Finding) -> str:
    value = f"{f.value:g}" if isinstance(f.value, float) else str(plain(f.value))
    return f"{value} {'' if f.unit in ('time', '') else f.unit}".strip()


def _route_table(console: Console, worst: list[Finding]) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("线路 route", "方向 dir", "状态 status", "值 value", "限值 limit", "说明 detail"):
        table.add_column(column, overflow="fold")
    for f in worst:
        value = f"{f.value:g}" if isinstance(f.value, float) else str(plain(f.value))
        table.add_row(
            _t(str(f.subject.get("route_short_name") or f.subject.get("route_id"))),
            str(f.subject.get("direction_id", "")),
            f"[{STATUS_STYLE[f.status]}]{status_text(f)}[/]",
            f"{value} {'' if f.unit in ('time', '') else f.unit}".strip(),
            str(plain(f.threshold)),
            _t(f"{f.message_zh}\n{f.message_en}"),
        )
    console.print(table)
