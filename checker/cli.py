"""Command line: `buscheck audit`, `buscheck rules`. Exit 0 no rule fails, 1 a rule fails, 2 bad input;
130 or 143 interrupted by SIGINT or SIGTERM (checker/__main__.py installs the handlers)."""

from __future__ import annotations

import inspect
import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from checker import __version__
from checker.errors import InputError, Interrupted

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="buscheck: 公交服务标准合规检查 / audit a city's GTFS bus feed against service-standard rule packs.",
)
rules_app = typer.Typer(help="列出或解释规则 / list the rules of a pack, or explain one.", invoke_without_command=True)
app.add_typer(rules_app, name="rules")

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Datum(StrEnum):
    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


class Format(StrEnum):
    text = "text"
    json = "json"


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _guarded(action):
    """Run `action`; bad input becomes a message and exit 2, an internal fault a short message and exit 3,
    Ctrl-C or SIGTERM (after the action's own cleanup) one line and exit 130 or 143."""
    try:
        return action()
    except InputError as error:
        _stderr().print(error.message(), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (KeyboardInterrupt, Interrupted) as stop:
        _stderr().print("已中断 / Interrupted", markup=False)
        raise typer.Exit(stop.exit_code if isinstance(stop, Interrupted) else 130) from None
    except typer.Exit:
        raise
    except Exception as error:  # never a traceback for a user, unless they ask for one
        if os.environ.get("BUSCHECK_DEBUG"):
            raise
        _stderr().print(
            f"内部错误 / Internal error: {type(error).__name__}: {error}\n"
            "  请报告此问题 Please report this; set BUSCHECK_DEBUG=1 to see the traceback.",
            markup=False,
        )
        raise typer.Exit(EXIT_INTERNAL) from None


def _audit_parameters() -> list[inspect.Parameter]:
    """`buscheck audit`'s parameters, derived from the one table of inputs (checker/inputs.py)."""
    from checker.inputs import INPUTS

    def option(name: str, annotation: Any, default: Any, *flags: str, **kwargs: Any) -> inspect.Parameter:
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                 annotation=Annotated[annotation, typer.Option(*flags, **kwargs)])

    parameters = [inspect.Parameter("feed", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[
        Path, typer.Argument(help=f"{INPUTS[0].help_en} / {INPUTS[0].help_zh}")])]
    for spec in INPUTS[1:]:
        annotation = Path if spec.required else Path | None
        default = ... if spec.required else None
        parameters.append(option(spec.name, annotation, default, spec.option, help=f"{spec.help_en} / {spec.help_zh}"))
    parameters.append(option("city", str, ..., "--city", help="City name, Chinese or pinyin / 城市名称"))
    parameters.append(option("service_date", str | None, None, "--date",
                             help="Service date YYYY-MM-DD (default: busiest weekday) / 审计日"))
    parameters.append(option("rules", str | None, None, "--rules", help="Rule pack id or TOML file / 规则包"))
    for spec in INPUTS:
        if spec.datum:
            parameters.append(option(spec.datum, Datum, Datum.wgs84, "--" + spec.datum.replace("_", "-"),
                                     help=spec.datum_help))
    parameters.append(option("output_format", Format, Format.text, "--format",
                             help="text or json (json to stdout) / 输出格式"))
    parameters.append(option("out", Path | None, None, "--out", help="Write result files to this folder / 输出目录"))
    return parameters


def audit(**options: Any) -> None:
    """审计一个城市的 GTFS 数据 / Audit one city's feed and built-up area against a rule pack."""
    from checker.audit import run_audit
    from checker.inputs import INPUTS, AuditRequest
    from checker.load.table import parse_date_arg
    from checker.report.document import result_json
    from checker.report.files import check_out_dir, write_outputs
    from checker.report.text import render_text

    out: Path | None = options["out"]

    def run() -> int:
        day: date | None = parse_date_arg(options["service_date"]) if options["service_date"] else None
        inputs = [options[spec.name] for spec in INPUTS]
        if out is not None:
            check_out_dir(out, inputs)
        request = AuditRequest(
            city=options["city"], service_date=day, rules=options["rules"],
            **{spec.name: options[spec.name] for spec in INPUTS},
            **{spec.datum: options[spec.datum].value for spec in INPUTS if spec.datum},
        )
        done = run_audit(request)
        written = write_outputs(done, out, inputs=inputs) if out is not None else []
        if options["output_format"] is Format.json:
            sys.stdout.write(result_json(done.result) + "\n")
        else:
            console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
            render_text(done, console)
            for path in written:
                console.print(f"写出 wrote {path}")
        return EXIT_FAIL if done.result.failed else EXIT_PASS

    raise typer.Exit(_guarded(run))


audit.__signature__ = inspect.Signature(_audit_parameters())  # type: ignore[attr-defined]
audit.__annotations__ = {p.name: p.annotation for p in audit.__signature__.parameters.values()}  # type: ignore[attr-defined]
app.command()(audit)


@app.command()
def batch(
    manifest: Annotated[Path, typer.Argument(help="Manifest of cities, TOML or CSV / 城市清单")],
    out: Annotated[Path, typer.Option("--out", help="Folder for each city's reports and the summary / 输出目录")],
    workers: Annotated[int, typer.Option("--workers", min=1, help="Parallel worker processes / 并行进程数")] = os.cpu_count() or 1,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786) / Dask 调度器地址")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Audit every city even if its inputs are unchanged / 全部重跑")] = False,
    max_memory: Annotated[str | None, typer.Option(
        "--max-memory", help="Memory limit per worker process (its data: heap, anonymous maps; RLIMIT_DATA), e.g. "
        "4G; a city over it is its own error / 每个工作进程的内存上限")] = None,
) -> None:
    """批量审计全省城市 / Audit every city of a manifest; exit 0 all pass, 1 a city fails a rule, 2 a city's error
    (bad input, a dead worker) or a bad manifest, 130/143 interrupted (the summary of the cities done is written)."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from checker.batch.manifest import load_manifest
    from checker.batch.runner import parse_memory, run_batch
    from checker.report.files import check_out_dir

    def run() -> int:
        jobs = load_manifest(manifest)
        limit = parse_memory(max_memory)
        check_out_dir(out, [manifest])
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=_stderr(), transient=False) as bar:
            task = bar.add_task("审计 auditing", total=len(jobs))

            def advance(row: dict) -> None:
                state = "skipped 未变跳过" if row.get("skipped") else row["status"]
                bar.update(task, advance=1, description=f"{escape(row['city'])}: {state}")

            try:
                rows = run_batch(jobs, out, workers, scheduler, force, advance, max_memory=limit, inputs=[manifest])
            except (KeyboardInterrupt, Interrupted):
                _stderr().print(f"已中断：已完成城市的汇总写入 {out} / interrupted: the summary of the cities done is in "
                                f"{out} (if any was done)", markup=False)
                raise
        paths = [out / name for name in ("summary.csv", "summary.xlsx", "summary.html")]
        console = Console(highlight=False)
        for row in rows:
            if row["status"] == "error":
                console.print(f"[red]{escape(row['city'])}[/red]: {escape(row['error'])}", markup=True)
        counts = {s: sum(r["status"] == s for r in rows) for s in ("pass", "fail", "error")}
        skipped = sum(bool(r.get("skipped")) for r in rows)
        console.print(f"{len(rows)} cities 城市: pass {counts['pass']}, fail {counts['fail']}, error {counts['error']}"
                      f" (unchanged, skipped 未变跳过: {skipped})")
        for path in paths:
            console.print(f"写出 wrote {path}")
        if counts["error"]:
            return EXIT_BAD_INPUT
        return EXIT_FAIL if counts["fail"] else EXIT_PASS

    raise typer.Exit(_guarded(run))


@rules_app.callback()
def rules_list(
    ctx: typer.Context,
    pack: Annotated[str | None, typer.Option("--rules", help="Rule pack id or TOML file")] = None,
) -> None:
    """列出规则包中的规则 / List the rules of a pack."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = pack
        return
    from checker.audit import open_pack

    loaded = _guarded(lambda: open_pack(pack))
    console = Console(highlight=False)
    console.print(f"[bold]{loaded.id}[/bold] v{loaded.version}: {loaded.title} {loaded.document} ({loaded.title_en})")
    console.print(f"施行 In force {loaded.effective_from} – {loaded.effective_until}")
    table = Table(box=None, header_style="bold")
    for column in ("规则 rule", "条款 article", "类别 family", "检查 check", "名称 title"):
        table.add_column(column)
    for rule in loaded.rules:
        family = loaded.family(rule.family)
        table.add_row(rule.id, rule.article, f"{family.zh} {family.en}", rule.check, f"{rule.title} / {rule.title_en}")
    console.print(table)
    console.print("详见 Details: buscheck rules show RULE_ID")


@rules_app.command("show")
def rules_show(ctx: typer.Context, rule_id: Annotated[str, typer.Argument(help="e.g. GD-FREQ-PEAK")]) -> None:
    """解释一条规则 / Explain one rule: article, the pack's text, thresholds, and the code that judges it."""
    from checker.judge import CHECKS
    from checker.load.pack import find_rule

    loaded, rule = _guarded(lambda: find_rule(rule_id, ctx.obj, CHECKS))
    check = CHECKS[rule.check]
    family = loaded.family(rule.family)
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{rule.id}[/bold]  {rule.title} / {rule.title_en}", markup=True)
    where = f"第{rule.article}条 (Art. {rule.article})" if rule.article[:1].isdigit() else rule.article
    console.print(f"依据 Source: {loaded.document} {where}; pack {loaded.id} v{loaded.version} ({loaded.path})",
                  markup=False)
    console.print(f"类别 Family: {family.zh} {family.en}", markup=False)
    console.print(f"衡量 Measures: {rule.measures_zh}\n  {rule.measures}", markup=False)
    console.print(f"阈值 Threshold: {rule.threshold_note}", markup=False)
    if rule.input:
        console.print(f"输入 Needs: {rule.input_zh}\n  {rule.input}", markup=False)
    if rule.check == "coverage_min":
        for tier in loaded.tiers:
            names = "、".join(c["name"] for c in tier.cities)
            console.print(f"  {tier.id} ({tier.name}, {tier.name_en}): ≥ {tier.coverage_min:.0%}  {names}", markup=False)
    if rule.check in ("headway_max", "first_departure_by", "last_departure_from", "load_factor", "hub_alignment"):
        defaults = loaded.defaults
        console.print(
            f"默认 Defaults: work {defaults['work_start']}–{defaults['work_end']}, "
            f"peaks {', '.join(defaults['peak_windows'])} (a city profile may change them)", markup=False)
    console.print(f"\n判定代码 Judged by: check [bold]{check.name}[/bold] = {check.where}", markup=True)
    console.print(f"  {check.source_file}", markup=False)
    if check.params:
        console.print("参数 Parameters:", markup=False)
        for param in check.params:
            value = rule.params.get(param.name)
            shown = "(table)" if isinstance(value, dict) else repr(value)
            unit = f" {param.unit}" if param.unit else ""
            console.print(f"  {param.name} = {shown}{unit}  [{param.kind}] {param.doc}", markup=False)
    paragraphs = (" ".join(line.strip() for line in part.splitlines()) for part in check.doc.split("\n\n"))
    console.print("\n" + "\n\n".join(paragraphs), markup=False)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"buscheck {__version__}")
