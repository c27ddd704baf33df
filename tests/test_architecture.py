"""The shape of the program, held by tests: data flows one way (model <- load <- metrics <- judge <- report),
and only load/ reads files."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "checker"
# A stage may import itself and the stages listed before it; `errors` (the one error type), `faults` (the
# faults the containment tests make on purpose), `background` (work started in a thread) and `bulk` (the garbage
# collector paused while records are made) are shared by all.
ORDER = ["model", "load", "metrics", "judge", "report"]
SHARED = {"errors", "faults", "background", "bulk"}
READS = ("open(", ".read_text(", ".read_bytes(", "read_table(", "FeedSource(", "SingleFile(", "pl.read_",
         "pl.scan_", "read_layer(", "zipfile", "tomllib.load")


def _modules(stage: str) -> list[Path]:
    return sorted((PACKAGE / stage).rglob("*.py"))


def _imported_stages(path: Path) -> set[str]:
    stages = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "checker" and len(parts) > 1:
                stages.add(parts[1])
    return stages


@pytest.mark.parametrize("stage", ORDER)
def test_no_import_runs_from_an_earlier_stage_to_a_later_one(stage):
    allowed = set(ORDER[: ORDER.index(stage) + 1]) | SHARED
    for path in _modules(stage):
        later = _imported_stages(path) - allowed
        assert not later, f"{path.relative_to(PACKAGE)} imports {sorted(later)}"


@pytest.mark.parametrize("stage", ["model", "metrics", "judge"])
def test_only_load_reads_files(stage):
    for path in _modules(stage):
        text = path.read_text(encoding="utf-8")
        found = [word for word in READS if word in text]
        assert not found, f"{path.relative_to(PACKAGE)} reads input: {found}"


def test_convert_writes_gtfs_from_loaded_records_only():
    """convert/ (service table -> GTFS) builds on model/ and load/ records; no stage of the audit imports it
    (audit.py wires it in), and it reads no input itself: load/ does."""
    for path in _modules("convert"):
        assert _imported_stages(path) <= {"model", "load", "convert"} | SHARED, path.name
        text = path.read_text(encoding="utf-8")
        found = [w for w in (".read_text(", ".read_bytes(", "read_table(", "FeedSource(", "pl.read_", "json.load",
                             "load_workbook") if w in text]
        assert not found, f"convert/{path.name} reads input: {found}"
    for stage in ORDER:
        for path in _modules(stage):
            assert "convert" not in _imported_stages(path), f"{path.relative_to(PACKAGE)} imports convert"
