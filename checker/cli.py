"""Command line: `buscheck audit`, `buscheck rules`. Exit 0 no rule fails, 1 a rule fails, 2 bad input."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from checker import __version__
from checker.errors import InputError

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
    """Run `action`; bad input becomes a message and exit 2, an internal fault a short message and exit 3."""
    try:
        return action()
    except InputError as error:
        _stderr().print(error.message(), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (typer.Exit, KeyboardInterrupt):
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


@app.command()
def audit(
    feed: Annotated[Path, typer.Argument(help="GTFS feed: a .zip or a folder / GTFS 数据（zip 或文件夹）")],
    built_up: Annotated[Path, typer.Option("--built-up", help="Built-up area polygons (GeoJSON, GPKG, SHP) / 建成区")],
    city: Annotated[str, typer.Option("--city", help="City name, Chinese or pinyin / 城市名称")],
    service_date: Annotated[
        str | None, typer.Option("--date", help="Service date YYYY-MM-DD (default: busiest weekday) / 审计日")
    ] = None,
    feed_crs: Annotated[Datum, typer.Option("--feed-crs", help="Datum of stop coordinates / 站点坐标系")] = Datum.wgs84,
    built_up_crs: Annotated[
        Datum, typer.Option("--built-up-crs", help="Datum of the polygons' lon/lat (DataV maps: gcj02) / 建成区坐标系")
    ] = Datum.wgs84,
    base_routes: Annotated[
        Path | None, typer.Option("--base-routes", help="CSV of basic routes (route_id or route_short_name) / 基本公交线路清单")
    ] = None,
    rules: Annotated[str | None, typer.Option("--rules", help="Rule pack id or TOML file / 规则包")] = None,
    profile: Annotated[
        Path | None, typer.Option("--profile", help="City profile TOML: tier, own target, work hours, peaks / 城市配置")
    ] = None,
    load: Annotated[
        Path | None, typer.Option("--load", help="Peak load: GTFS-Ride or CSV trip_id,peak_load,capacity / 满载率数据")
    ] = None,
    districts: Annotated[
        Path | None, typer.Option("--districts", help="District polygons with a name field / 行政区（分区覆盖率）")
    ] = None,
    hubs: Annotated[
        Path | None,
        typer.Option("--hubs", help="Hub hours: CSV/GeoJSON (name, mode, lat, lon, first_departure, last_arrival) or a "
                     "GTFS feed of rail, metro, air, coach or ferry / 对外交通枢纽运营时间"),
    ] = None,
    hubs_crs: Annotated[Datum, typer.Option("--hubs-crs", help="Datum of the hubs' coordinates / 枢纽坐标系")] = Datum.wgs84,
    facilities: Annotated[
        Path | None,
        typer.Option("--facilities", help="Priority facilities: CSV/GeoJSON with name, category / 优先保障设施"),
    ] = None,
    facilities_crs: Annotated[
        Datum, typer.Option("--facilities-crs", help="Datum of the facilities' coordinates / 设施坐标系")
    ] = Datum.wgs84,
    bus_lanes: Annotated[
        Path | None, typer.Option("--bus-lanes", help="Bus-lane lines (GeoJSON, ...) for TM-13 / 公交专用道")
    ] = None,
    bus_lanes_crs: Annotated[Datum, typer.Option("--bus-lanes-crs", help="Datum of the bus lanes / 专用道坐标系")] = Datum.wgs84,
    realtime: Annotated[
        Path | None, typer.Option("--realtime", help="GTFS-Realtime TripUpdates snapshot(s) for TM-08 / 实时到站快照")
    ] = None,
    on_time: Annotated[
        Path | None,
        typer.Option("--on-time", help="Archived TripUpdates, or AVL CSV trip_id,stop_id,actual_time, for TM-05 / 正点数据"),
    ] = None,
    declared: Annotated[
        Path | None, typer.Option("--declared", help="Declared statistics CSV indicator,value,source / 申报数据")
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="text or json (json to stdout) / 输出格式")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", help="Write result files to this folder / 输出目录")] = None,
) -> None:
    """审计一个城市的 GTFS 数据 / Audit one city's feed and built-up area against a rule pack."""
    from checker.audit import AuditRequest, run_audit
    from checker.load.table import parse_date_arg
    from checker.report.files import check_out_dir, result_json, write_outputs
    from checker.report.text import render_text

    def run() -> int:
        day: date | None = parse_date_arg(service_date) if service_date else None
        if out is not None:
            check_out_dir(out)
        request = AuditRequest(
            feed=feed, built_up=built_up, city=city, service_date=day, feed_crs=feed_crs.value,
            built_up_crs=built_up_crs.value, base_routes=base_routes, rules=rules, profile=profile, load=load,
            districts=districts, hubs=hubs, hubs_crs=hubs_crs.value, facilities=facilities,
            facilities_crs=facilities_crs.value, bus_lanes=bus_lanes, bus_lanes_crs=bus_lanes_crs.value,
            realtime=realtime, on_time=on_time, declared=declared,
        )
        done = run_audit(request)
        written = write_outputs(done, out) if out is not None else []
        if output_format is Format.json:
            sys.stdout.write(result_json(done) + "\n")
        else:
            console = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
            render_text(done.result, console)
            for path in written:
                console.print(f"写出 wrote {path}")
        return EXIT_FAIL if done.result.failed else EXIT_PASS

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
) -> None:
    """批量审计全省城市 / Audit every city of a manifest; exit 0 all pass, 1 a city fails a rule, 2 an input error."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from checker.batch.manifest import load_manifest
    from checker.batch.runner import run_batch
    from checker.batch.summary import write_summary
    from checker.report.files import check_out_dir

    def run() -> int:
        jobs = load_manifest(manifest)
        check_out_dir(out)
        out.mkdir(parents=True, exist_ok=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=_stderr(), transient=False) as bar:
            task = bar.add_task("审计 auditing", total=len(jobs))

            def advance(row: dict) -> None:
                state = "skipped 未变跳过" if row.get("skipped") else row["status"]
                bar.update(task, advance=1, description=f"{row['city']}: {state}")

            rows = run_batch(jobs, out, workers, scheduler, force, advance)
        paths = write_summary(rows, out)
        console = Console(highlight=False)
        for row in rows:
            if row["status"] == "error":
                console.print(f"[red]{row['city']}[/red]: {row['error']}", markup=True)
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
    from checker.rulepack import load_pack

    loaded = _guarded(lambda: load_pack(pack))
    console = Console(highlight=False)
    console.print(f"[bold]{loaded.id}[/bold] v{loaded.version}: {loaded.title} {loaded.document} ({loaded.title_en})")
    console.print(f"施行 In force {loaded.effective_from} – {loaded.effective_until}")
    table = Table(box=None, header_style="bold")
    for column in ("规则 rule", "条款 article", "类别 family", "名称 title"):
        table.add_column(column)
    for rule in loaded.rules:
        table.add_row(rule.id, rule.article, rule.family, f"{rule.title} / {rule.title_en}")
    console.print(table)
    console.print("详见 Details: buscheck rules show RULE_ID")


@rules_app.command("show")
def rules_show(ctx: typer.Context, rule_id: Annotated[str, typer.Argument(help="e.g. GD-FREQ-PEAK")]) -> None:
    """解释一条规则 / Explain one rule: article, what is measured, thresholds."""
    from checker.rulepack import load_pack

    loaded = _guarded(lambda: load_pack(ctx.obj))
    rule = _guarded(lambda: loaded.rule(rule_id))
    console = Console(highlight=False)
    console.print(f"[bold]{rule.id}[/bold]  {rule.title} / {rule.title_en}")
    console.print(f"依据 Source: {loaded.document} 第{rule.article}条 (Art. {rule.article}), pack {loaded.id} v{loaded.version}")
    console.print(f"衡量 Measures: {rule.measures_zh}\n  {rule.measures}")
    console.print(f"阈值 Threshold: {rule.threshold_note}")
    if rule.params:
        console.print("参数 Parameters: " + ", ".join(f"{k} = {v}" for k, v in rule.params.items()))
    if rule.check == "coverage_min":
        for tier in loaded.tiers:
            names = "、".join(c["name"] for c in tier.cities)
            console.print(f"  {tier.id} ({tier.name}, {tier.name_en}): ≥ {tier.coverage_min:.0%}  {names}")
    defaults = loaded.defaults
    if rule.family in ("frequency", "service_hours"):
        console.print(
            f"默认 Defaults: work {defaults['work_start']}–{defaults['work_end']}, "
            f"peaks {', '.join(defaults['peak_windows'])} (a city profile may change them)"
        )


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(f"buscheck {__version__}")
