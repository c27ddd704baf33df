"""What an audit read, for the provenance a signed report carries: each input file's SHA-256 and size."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a regular file, or of a folder's regular files (names and bytes, sorted)."""
    sha = hashlib.sha256()
    size = 0
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            sha.update(file.relative_to(path).as_posix().encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
                size += len(block)
    return sha.hexdigest(), size


def input_digests(inputs: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Every input given as a file or folder, (name, value) pairs: its name, path, SHA-256 and bytes (the Python
    API's in-memory feed or geometry has none; nor has a device or a pipe, which would never end or block:
    the loaders refuse those)."""
    rows = []
    for name, value in inputs:
        if isinstance(value, str | Path) and (Path(value).is_file() or Path(value).is_dir()):
            sha, size = digest(Path(value))
            rows.append({"input": name, "path": str(value), "sha256": sha, "bytes": size})
    return rows
