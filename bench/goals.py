"""The performance goals of issue 19, as data: bench.run and bench.batch print each figure against its goal.

A goal is a bound on one number (seconds, a ratio or megabytes); `table` prints the figures measured as a
markdown table (figure | measured | goal | met?), "not run" for those a run left out.
"""

from __future__ import annotations

import compileall
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Goal:
    key: str
    figure: str
    limit: float
    unit: str  # "s", "x" or "MB"
    at_most: bool = True  # False: the figure must be at least `limit`

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def text(self, value: float) -> str:
        if self.unit == "x":
            return f"{value:.2f}x"
        if self.unit == "MB":
            return f"{value:,.0f} MB"
        return f"{value:.2f} s"

    @property
    def goal_text(self) -> str:
        return ("≤ " if self.at_most else "≥ ") + (f"{self.limit:,.0f} MB" if self.unit == "MB" else
                                                    f"{self.limit:g}x" if self.unit == "x" else f"{self.limit:g} s")


# MB: 10^6 bytes, so 1.2 GB is 1,200 MB
GOALS = [
    Goal("small_audit", "small preset (~270k stop_times): audit, median", 1.0, "s"),
    Goal("large_ratio", "large preset: audit / parse floor, medians", 2.5, "x"),
    Goal("large_memory", "large preset: peak memory of the audit", 1200, "MB"),
    Goal("large_out", "large preset: --out (all reports) adds", 1.0, "s"),
    Goal("week_ratio", "large preset: --week (3 day types) / one day", 1.6, "x"),
    Goal("diff_ratio", "large preset: diff of two feeds / one audit", 2.0, "x"),
    Goal("gtfs_kit_ratio", "large preset: gtfs-kit path / audit", 20, "x", at_most=False),
    Goal("batch_ratio", "21-city batch, 2 workers: wall / (CPU time / 2)", 1.1, "x"),
    Goal("xlarge_ratio", "xlarge preset (~10M stop_times): audit / parse floor", 2.5, "x"),
    Goal("xlarge_memory_growth", "xlarge / large: peak memory per M stop_times", 1.0, "x"),
]
BY_KEY = {goal.key: goal for goal in GOALS}


def table(measured: dict[str, tuple[float, str]], keys: list[str] | None = None,
          not_run: dict[str, str] | None = None) -> str:
    """Markdown: one row per goal (those of `keys`, or all); measured[key] = (value, a note shown after it)."""
    lines = ["| figure | measured | goal | met? |", "|---|---:|---:|:---:|"]
    for goal in GOALS if keys is None else [BY_KEY[key] for key in keys]:
        if goal.key in measured:
            value, note = measured[goal.key]
            shown = goal.text(value) + (f" ({note})" if note else "")
            verdict = "yes" if goal.met(value) else "**no**"
        else:
            shown, verdict = (not_run or {}).get(goal.key, "not run"), "-"
        lines.append(f"| {goal.figure} | {shown} | {goal.goal_text} | {verdict} |")
    return "\n".join(lines)


def compile_checker() -> None:
    """buscheck's modules compiled to bytecode before anything is timed, as an installed package has them: an
    editable install under PYTHONDONTWRITEBYTECODE=1 (this machine's shell) would otherwise compile all of
    them again in every audit (0.08 s of each)."""
    compileall.compile_dir(Path(__file__).parent.parent / "checker", quiet=1)
