"""Command line: `buscheck audit`, `buscheck diff`, `buscheck batch`, `buscheck convert`, `buscheck rules`.

Exit 0 every rule passes; 1 a rule fails (at or above --fail-on); 2 bad input; 3 an internal error;
4 incomplete: nothing fails but some rule is not assessed; 130 or 143 interrupted by SIGINT or SIGTERM
(checker/__main__.py installs the handlers)."""

from __future__ import annotations

import inspect
import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from checker import __version__
from checker.bulk import bulk
from checker.errors import InputError, Interrupted, excerpt
from checker.model.pack import STRENGTH_LABELS

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="buscheck: 公交服务标准合规检查 / audit a city's GTFS bus feed against service-standard rule packs.",
)
rules_app = typer.Typer(help="列出或解释规则 / list the rules of a pack, or explain one.", invoke_without_command=True)
app.add_typer(rules_app, name="rules")

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INCOMPLETE = 0, 1, 2, 3, 4


class Strength(StrEnum):
    shall = "shall"
    in_principle = "in_principle"
    should = "should"


def exit_code(result: Any, fail_on: str) -> int:
    """1 when a finding fails at or above `fail_on`; else 4 when a rule is not assessed (incomplete is not a
    pass); else 0."""
    if result.fails_at_or_above(fail_on):
        return EXIT_FAIL
    return EXIT_INCOMPLETE if result.rule_statuses() and "not_assessed" in result.rule_statuses().values() else EXIT_PASS


def _dates(options: dict[str, Any]) -> list[date]:
    """--dates D1,D2 (each once, in order); --week, --date and --dates exclude one another."""
    from checker.load.table import parse_date_arg

    given = [name for name, key in (("--date", "service_date"), ("--dates", "dates"), ("--week", "week"))
             if options[key]]
    if len(given) > 1:
        raise InputError(" ".join(given), "These options choose the audited days in different ways; give one.",
                         "这些选项以不同方式指定审计日，请只给出其中一个。")
    return list(dict.fromkeys(parse_date_arg(d, "--dates") for d in _patterns([options["dates"]] if options["dates"] else [])))


def _patterns(values: list[str] | None) -> list[str]:
    """--select A --select B, or --select A,B."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


DATUM_NAMES = {"wgs84": "wgs84", "gcj02": "gcj02", "gcj": "gcj02", "amap": "gcj02", "gaode": "gcj02",
               "bd09": "bd09", "bd": "bd09", "baidu": "bd09"}


def datum(value: str) -> str:
    """wgs84, gcj02 or bd09, however written: GCJ-02, gcj-02, BD09, WGS 84 ..."""
    key = "".join(ch for ch in str(value).lower() if ch.isalnum())
    if key in DATUM_NAMES:
        return DATUM_NAMES[key]
    raise typer.BadParameter(f"{value!r}: expected wgs84, gcj02 or bd09 (GCJ-02 and BD-09 are accepted too) / "
                             "应为 wgs84、gcj02 或 bd09")


def datum_or_auto(value: str) -> str:
    """A datum, or auto: known from the input itself (--basemap-datum: from the tiles' host)."""
    return "auto" if str(value).strip().lower() == "auto" else datum(value)


class Reading(StrEnum):  # members not named upper/lower: those are str methods
    upper_end = "upper"
    lower_end = "lower"


class Format(StrEnum):
    text = "text"
    json = "json"


def _stdout_open(out: Path | None) -> bool:
    """Before any work: whether standard output is open. A process started with it closed (`>&-`) writes its
    files to `--out` and prints nothing; without `--out` the result would have nowhere to go: exit 2."""
    if sys.stdout is not None:
        return True
    if out is None:
        raise InputError("stdout", "Standard output is closed and no --out folder is given, so the result has "
                         "nowhere to go: leave it open (redirect it to a file or to /dev/null), or give --out.",
                         "标准输出已关闭且未给出 --out，结果无处输出：请保持标准输出打开（可重定向到文件或 /dev/null），或使用 --out。")
    return False


def _write_out(data: bytes) -> None:
    """UTF-8 bytes to standard output as they are (a stream without a byte layer takes them as text)."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        binary.write(data)


def output_width() -> int | None:
    """The terminal's width, or COLUMNS when set; 140 when the output goes to a file or a pipe."""
    return None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140


def _console(**options: Any) -> Console:
    """A rich console, rich imported when something is printed through it (not by an audit that writes JSON)."""
    from rich.console import Console

    return Console(**options)


def _stderr() -> Console:
    return _console(stderr=True, highlight=False, soft_wrap=True)


def _guarded(action):
    """Run `action`; bad input becomes a message and exit 2, an internal fault a short message and exit 3,
    Ctrl-C or SIGTERM (after the action's own cleanup) one line and exit 130 or 143.

    Every run ends in an exit code a script can act on: polars' PanicException is a BaseException (it used to
    escape as exit 1, "a rule fails"), so faults are caught as BaseException, all but an interrupt or exit."""
    try:
        return action()
    except InputError as error:
        _stderr().print(error.message(), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (KeyboardInterrupt, Interrupted) as stop:
        _stderr().print("已中断 / Interrupted", markup=False)
        raise typer.Exit(stop.exit_code if isinstance(stop, Interrupted) else 130) from None
    except (typer.Exit, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # never a traceback for a user, unless they ask for one
        if os.environ.get("BUSCHECK_DEBUG"):
            raise
        what = "out of memory" if isinstance(error, MemoryError) else excerpt(str(error), 300)
        _stderr().print(
            f"内部错误 / Internal error: {type(error).__name__}: {what}\n"
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
        annotation = Path if spec.required else (Path | None if spec.kind == "path" else str | None)
        default = ... if spec.required else None
        parameters.append(option(spec.name, annotation, default, spec.option, help=f"{spec.help_en} / {spec.help_zh}"))
    parameters.append(option("city", str, ..., "--city", help="City name, Chinese or pinyin / 城市名称"))
    parameters.append(option("service_date", str | None, None, "--date",
                             help="Service date YYYY-MM-DD (default: busiest weekday) / 审计日"))
    parameters.append(option("week", bool, False, "--week",
                             help="Audit a representative weekday, Saturday and Sunday (one load of the feed) / "
                                  "审计工作日、周六、周日"))
    parameters.append(option("dates", str | None, None, "--dates",
                             help="Audit these dates, D1,D2,... (YYYY-MM-DD) / 审计指定日期"))
    parameters.append(option("rules", str | None, None, "--rules", help="Rule pack id or TOML file / 规则包"))
    for spec in INPUTS:
        if spec.datum:
            parameters.append(option(spec.datum, str, spec.datum_default, "--" + spec.datum.replace("_", "-"),
                                     help=spec.datum_help,
                                     parser=datum_or_auto if spec.datum_default == "auto" else datum))
    parameters.append(option("select", list[str] | None, None, "--select",
                             help="Judge only these rules (ids or patterns like GD-FREQ-*; repeat or comma-separate) "
                                  "/ 只评估这些规则"))
    parameters.append(option("ignore", list[str] | None, None, "--ignore",
                             help="Do not judge these rules (ids or patterns) / 不评估这些规则"))
    parameters.append(option("fail_on", Strength, Strength.should, "--fail-on",
                             help="Exit 1 for fails of this strength or stronger: shall (binding only), in_principle, "
                                  "should (any fail, the default) / 按要求强度决定退出码"))
    parameters.append(option("output_format", Format, Format.text, "--format",
                             help="text or json (json to stdout) / 输出格式"))
    parameters.append(option("out", Path | None, None, "--out", help="Write result files to this folder / 输出目录"))
    parameters.append(option("interval", Reading, Reading.upper_end, "--interval",
                             help="A service-table FEED: judge each published interval range at its upper end (the "
                                  "default) or lower / 服务表：间隔范围按上限或下限评估"))
    parameters.append(option("speed_kmh", float, 15.0, "--speed-kmh", min=1.0, max=120.0,
                             help="A service-table FEED: speed its stop times are estimated at / 服务表：估算站点时刻的速度"))
    return parameters


def audit(**options: Any) -> None:
    """审计一个城市的 GTFS 数据 / Audit one city's feed and built-up area against a rule pack."""
    from checker.load.archive import read_ahead

    read_ahead(options["feed"])  # stop_times.txt inflates while the rest is imported
    from checker.inputs import INPUTS, AuditRequest
    from checker.load.table import parse_date_arg
    from checker.pipeline import run_audit
    from checker.report.document import result_bytes, to_document
    from checker.report.files import check_out_dir, write_outputs

    out: Path | None = options["out"]

    @bulk()  # an audit, its document and reports: objects made and kept, the process ends after
    def run() -> int:
        printing = _stdout_open(out)
        day: date | None = parse_date_arg(options["service_date"]) if options["service_date"] else None
        inputs = [options[spec.name] for spec in INPUTS if spec.kind == "path"]
        if out is not None:
            check_out_dir(out, inputs)
        request = AuditRequest(
            city=options["city"], service_date=day, rules=options["rules"],
            select=_patterns(options["select"]), ignore=_patterns(options["ignore"]), week=options["week"],
            dates=_dates(options),
            interval=options["interval"].value, speed_kmh=options["speed_kmh"],
            **{spec.name: options[spec.name] for spec in INPUTS},
            **{spec.datum: options[spec.datum] for spec in INPUTS if spec.datum},
        )
        done = run_audit(request)
        as_json = options["output_format"] is Format.json
        doc = to_document(done.result) if out is not None or not as_json else None  # once, for every output
        data = result_bytes(done.result, doc) if as_json else None  # and its text (its own document when alone)
        written = write_outputs(done, out, inputs=inputs, doc=doc, json_bytes=data,
                                xlsx_aside=True) if out is not None else []
        if not printing:
            pass
        elif data is not None:
            _write_out(data + b"\n")
        else:
            from checker.report.text import render_text

            console = _console(highlight=False, width=output_width())
            render_text(done, console, doc)
            for path in written:
                console.print(f"写出 wrote {path}")
        return exit_code(done.result, options["fail_on"].value)

    raise typer.Exit(_guarded(run))


audit.__signature__ = inspect.Signature(_audit_parameters())  # type: ignore[attr-defined]
audit.__annotations__ = {p.name: p.annotation for p in audit.__signature__.parameters.values()}  # type: ignore[attr-defined]
app.command()(audit)


@app.command()
def diff(
    old_feed: Annotated[Path, typer.Argument(help="The earlier GTFS feed / 变更前的 GTFS 数据")],
    new_feed: Annotated[Path, typer.Argument(help="The later GTFS feed / 变更后的 GTFS 数据")],
    built_up: Annotated[Path, typer.Option("--built-up", help="Built-up area polygons / 建成区")],
    city: Annotated[str, typer.Option("--city", help="City name / 城市名称")],
    old_date: Annotated[str | None, typer.Option("--old-date", help="Date audited in the old feed / 旧数据审计日")] = None,
    new_date: Annotated[str | None, typer.Option("--new-date", help="Date audited in the new feed / 新数据审计日")] = None,
    week: Annotated[bool, typer.Option(
        "--week", help="Compare weekday with weekday, Saturday with Saturday, Sunday with Sunday / 按工作日、周六、周日分别比较")] = False,
    feed_crs: Annotated[str, typer.Option("--feed-crs", parser=datum, help="Datum of both feeds' stops / 站点坐标系")] = "wgs84",
    built_up_crs: Annotated[str, typer.Option("--built-up-crs", parser=datum, help="Datum of the polygons / 建成区坐标系")] = "wgs84",
    base_routes: Annotated[Path | None, typer.Option("--base-routes", help="Basic routes list for both / 基本公交清单")] = None,
    new_base_routes: Annotated[
        Path | None, typer.Option("--new-base-routes", help="The new list, when it changed / 变更后的基本公交清单")] = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Rule pack / 规则包")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="City profile / 城市配置")] = None,
    districts: Annotated[Path | None, typer.Option("--districts", help="District polygons / 行政区")] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text or json / 输出格式")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", help="Write diff files to this folder / 输出目录")] = None,
    basemap: Annotated[str | None, typer.Option("--basemap", help="Tiles under notice.html's map, as for audit / "
                                                "公告底图瓦片地址模板")] = None,
    basemap_datum: Annotated[str, typer.Option("--basemap-datum", parser=datum_or_auto,
                                               help="Datum of the tiles: auto, wgs84, gcj02 / 底图坐标系")] = "auto",
) -> None:
    """比较两版数据的基本公交服务 / Compare the basic service of two feeds: changes needing public notice (Art. 4, 12).
    A date not given takes the day type of the other (a warning when the two are of different day types).
    Exit 0 no change needs notice, 1 some do, 2 bad input."""
    from checker.load.archive import read_ahead

    for feed in (old_feed, new_feed):  # both stop_times.txt inflate, side by side, while the rest is imported
        read_ahead(feed)
    from checker.compare.run import requests_for, run_diff
    from checker.inputs import AuditRequest
    from checker.load.table import parse_date_arg
    from checker.report.diff import diff_files, diff_json, render_diff_text
    from checker.report.files import check_out_dir, write_folder

    @bulk()
    def run() -> int:
        printing = _stdout_open(out)
        if out is not None:
            check_out_dir(out)
        base = AuditRequest(feed=old_feed, built_up=built_up, city=city, rules=rules, profile=profile,
                            districts=districts, base_routes=base_routes, feed_crs=feed_crs,
                            built_up_crs=built_up_crs, week=week, basemap=basemap, basemap_datum=basemap_datum)
        old, new = requests_for(base, old_feed, new_feed, parse_date_arg(old_date) if old_date else None,
                                parse_date_arg(new_date) if new_date else None, new_routes=new_base_routes)
        result = run_diff(old, new)
        written = write_folder(out, "diff", diff_files(result), [old_feed, new_feed, built_up]) if out is not None else []
        if not printing:
            pass
        elif output_format is Format.json:
            _write_out(diff_json(result).encode("utf-8") + b"\n")
        else:
            console = _console(highlight=False, width=output_width())
            render_diff_text(result, console)
            for path in written:
                console.print(f"写出 wrote {path}", markup=False)
        return EXIT_FAIL if result.result.needs_notice else EXIT_PASS

    raise typer.Exit(_guarded(run))


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
    (bad input, a dead worker) or a bad manifest, 4 no city fails but some are incomplete, 130/143 interrupted
    (the summary of the cities done is written)."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from checker.batch.manifest import load_manifest
    from checker.batch.runner import parse_memory, run_batch
    from checker.report.outdir import check_out_dir  # not report.files: the parent stays light (no shapely)

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
        console = _console(highlight=False)
        for row in rows:
            if row["status"] == "error":
                console.print(f"[red]{escape(row['city'])}[/red]: {escape(row['error'])}", markup=True)
        counts = {s: sum(r["status"] == s for r in rows) for s in ("pass", "fail", "incomplete", "error")}
        skipped = sum(bool(r.get("skipped")) for r in rows)
        console.print(f"{len(rows)} cities 城市: pass {counts['pass']}, fail {counts['fail']}, "
                      f"incomplete {counts['incomplete']}, error {counts['error']}"
                      f" (unchanged, skipped 未变跳过: {skipped})")
        for path in paths:
            console.print(f"写出 wrote {path}")
        if counts["error"]:
            return EXIT_BAD_INPUT
        if counts["fail"]:
            return EXIT_FAIL
        return EXIT_INCOMPLETE if counts["incomplete"] else EXIT_PASS

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
    from rich.markup import escape
    from rich.table import Table

    from checker.pipeline import open_pack

    loaded = _guarded(lambda: open_pack(pack))
    console = _console(highlight=False)
    console.print(f"[bold]{loaded.id}[/bold] v{loaded.version}: {loaded.title} {loaded.document} ({loaded.title_en})")
    console.print(f"施行 In force {loaded.effective_from} – {loaded.effective_until}")
    table = Table(box=None, header_style="bold")
    for column in ("规则 rule", "条款 article", "类别 family", "强度 strength", "检查 check", "名称 title"):
        table.add_column(column, overflow="fold", no_wrap=column.startswith("规则"))
    for rule in loaded.rules:
        family = loaded.family(rule.family)
        strength = rule.strength + "".join(f", {t}: {s['strength']}" for t, s in rule.strength_by_tier.items())
        table.add_row(escape(rule.id), escape(rule.article), escape(f"{family.zh} {family.en}"), strength,
                      escape(rule.check), escape(f"{rule.title} / {rule.title_en}"))
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
    console = _console(highlight=False, soft_wrap=True)
    console.print(f"[bold]{rule.id}[/bold]  {rule.title} / {rule.title_en}", markup=True)
    where = f"第{rule.article}条 (Art. {rule.article})" if rule.article[:1].isdigit() else rule.article
    console.print(f"依据 Source: {loaded.document} {where}; pack {loaded.id} v{loaded.version} ({loaded.path})",
                  markup=False)
    console.print(f"类别 Family: {family.zh} {family.en}", markup=False)
    console.print(f"衡量 Measures: {rule.measures_zh}\n  {rule.measures}", markup=False)
    console.print(f"阈值 Threshold: {rule.threshold_note}", markup=False)
    strength_zh, strength_en = STRENGTH_LABELS[rule.strength]
    console.print(f"要求强度 Strength: {rule.strength} {strength_zh} ({strength_en}): “{rule.strength_words}”", markup=False)
    for tier, own in rule.strength_by_tier.items():
        zh, en = STRENGTH_LABELS[own["strength"]]
        console.print(f"  {tier}: {own['strength']} {zh} ({en}): “{own['words']}”", markup=False)
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
    """Print the version / 显示版本."""
    typer.echo(f"buscheck {__version__}")


convert_app = typer.Typer(help="把服务表转换为 GTFS / convert published service tables (首末班 + 发车间隔) to GTFS.",
                          no_args_is_help=True)
app.add_typer(convert_app, name="convert")


def _convert(read: Any, out: Path, interval: Reading, speed_kmh: float, start_date: str | None,
             end_date: str | None, agency_url: str | None, publisher_url: str | None,
             table_out: Path | None = None) -> None:
    """Read a service table with `read()`, write it as GTFS to `out`; exit 0, or 2 naming the bad input."""
    from checker.convert.gtfs import PLACEHOLDER_URL, Options, to_gtfs, write_feed
    from checker.convert.table_csv import write_table
    from checker.load.table import parse_date_arg

    def run() -> int:
        start = parse_date_arg(start_date) if start_date else None
        end = parse_date_arg(end_date) if end_date else None
        if start and end and end < start:
            raise InputError("--end-date", "The end date is before the start date.", "结束日期早于开始日期。",
                             value=end_date)
        table = read()
        converted = to_gtfs(table, Options(reading=interval.value, speed_kmh=speed_kmh, start=start, end=end,
                                           publisher_url=publisher_url or PLACEHOLDER_URL, agency_url=agency_url))
        written = write_feed(converted.tables, out)
        console = _console(highlight=False, soft_wrap=True)
        console.print(f"{table.source}: {converted.routes} routes 线路, {converted.route_directions} route-directions "
                      f"线路方向, {converted.trips} trips 班次模板, {converted.windows} frequency windows 发车时段; "
                      f"{converted.start} – {converted.end}; intervals at the {interval.value} end 间隔按"
                      f"{'上限' if interval is Reading.upper_end else '下限'}; stop times estimated at {speed_kmh:g} km/h",
                      markup=False)
        for en, zh in [*table.notices, *converted.notices]:
            console.print(f"• {zh}\n  {en}", markup=False)
        if table_out is not None:
            for path in write_table(table, table_out):
                console.print(f"写出 wrote {path}", markup=False)
        console.print(f"写出 wrote {written}", markup=False)
        return EXIT_PASS

    raise typer.Exit(_guarded(run))


_OUT = Annotated[Path, typer.Option("--out", help="GTFS to write: FEED.zip, or a folder / 输出的 GTFS（zip 或文件夹）")]
_INTERVAL = Annotated[Reading, typer.Option("--interval", help="Headway of a published range 4-8: its upper end (8, "
                                            "the default) or lower (4) / 间隔范围取上限或下限")]
_SPEED = Annotated[float, typer.Option("--speed-kmh", min=1.0, max=120.0,
                                       help="Speed the stop times are estimated at / 估算站点时刻的速度")]
_START = Annotated[str | None, typer.Option("--start-date", help="First service date YYYY-MM-DD (default today) / 起始日期")]
_END = Annotated[str | None, typer.Option("--end-date", help="Last service date (default a year on) / 结束日期")]
_AGENCY_URL = Annotated[str | None, typer.Option("--agency-url", help="The operators' URL / 运营企业网址")]
_PUBLISHER_URL = Annotated[str | None, typer.Option("--publisher-url", help="The publisher's URL / 发布者网址")]


@convert_app.command("service-table")
def convert_service_table(
    table: Annotated[Path, typer.Argument(help="Service-table folder (routes.csv, intervals.csv, route_stops.csv) "
                                               "or .xlsx / 服务表文件夹或 .xlsx")],
    out: _OUT,
    interval: _INTERVAL = Reading.upper_end,
    speed_kmh: _SPEED = 15.0,
    table_datum: Annotated[str, typer.Option("--datum", parser=datum,
                                             help="Datum of the table's lon/lat / 坐标系")] = "wgs84",
    start_date: _START = None,
    end_date: _END = None,
    agency_url: _AGENCY_URL = None,
    publisher_url: _PUBLISHER_URL = None,
) -> None:
    """服务表转 GTFS / Convert a service table (首末班 + 发车间隔) to a GTFS feed with frequencies.txt."""
    from checker.load.service_table import read_service_table

    _convert(lambda: read_service_table(table, table_datum), out, interval, speed_kmh, start_date, end_date,
             agency_url, publisher_url)


@convert_app.command("macau")
def convert_macau(
    folder: Annotated[Path, typer.Argument(help="Folder of Macau DSAT files (route-metadata.json, route-stops.json, "
                                                "BUS_POLE.csv, ...) / 澳门交通事务局数据文件夹")],
    out: _OUT,
    interval: _INTERVAL = Reading.upper_end,
    speed_kmh: _SPEED = 15.0,
    start_date: _START = None,
    end_date: _END = None,
    table_out: Annotated[Path | None, typer.Option("--table-out", help="Also write the service table as read (CSV) "
                                                   "/ 同时输出读取的服务表")] = None,
) -> None:
    """澳门公交数据转 GTFS / Convert Macau's DSAT route schedules, stops and poles to a GTFS feed."""
    from checker.load.macau import read_macau

    _convert(lambda: read_macau(folder), out, interval, speed_kmh, start_date, end_date,
             "https://www.dsat.gov.mo/", "https://www.dsat.gov.mo/", table_out)


# typer's usage errors (its own click, vendored in recent versions): what a user mistyped, not bad input files
USAGE_ERRORS: tuple[type[Exception], ...] = tuple(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_USAGE_ZH = (("No such option", "没有此选项"), ("Missing option", "缺少选项"), ("Missing argument", "缺少参数"),
             ("Invalid value", "取值无效"), ("Got unexpected extra argument", "多余的参数"),
             ("No such command", "没有此命令"), ("requires an argument", "需要取值"))


def main() -> None:
    """The console script: `buscheck --version`, and usage errors in Chinese and English (exit 2) like every
    other message."""
    if sys.argv[1:2] in (["--version"], ["-V"]):
        typer.echo(f"buscheck {__version__}")
        raise SystemExit(EXIT_PASS)
    try:
        code = app(standalone_mode=False)
    except USAGE_ERRORS as error:
        message = str(getattr(error, "format_message", error.__str__)())
        if not message.strip():  # no command at all: the help was shown, nothing went wrong
            raise SystemExit(EXIT_PASS) from None
        zh = next((z for en, z in _USAGE_ZH if en in message), "用法错误")
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "buscheck"
        _stderr().print(f"用法错误 / Usage error: {message}\n  {zh}；运行 {command} --help 查看用法。\n"
                        f"  Run {command} --help for usage.", markup=False)
        raise SystemExit(EXIT_BAD_INPUT) from None
    except typer.Abort:
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else EXIT_PASS)
