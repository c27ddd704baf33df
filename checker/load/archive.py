"""A GTFS feed as a set of named text files, from a .zip or a folder, read without extracting anything."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from checker.errors import InputError


def _is_unsafe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


class FeedSource:
    """Gives the raw bytes of each GTFS file by its name (`stops.txt`), wherever it sits in the zip or folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        self.encodings: dict[str, str] = {}  # filled as files are read
        if not self.path.exists():
            raise InputError(str(path), "No such file or folder.", "文件或文件夹不存在。")
        if self.path.is_dir():
            self._members = {p.name: str(p) for p in self.path.iterdir() if p.suffix == ".txt" and p.is_file()}
            if not self._members:
                nested = sorted({p.parent for p in self.path.rglob("stops.txt")})
                if len(nested) == 1:
                    self._members = {p.name: str(p) for p in nested[0].glob("*.txt")}
        else:
            self._open_zip()

    def _open_zip(self) -> None:
        if not zipfile.is_zipfile(self.path):
            raise InputError(
                str(self.path),
                "Not a zip archive; expected a GTFS .zip or a folder of .txt files.",
                "不是 zip 压缩包；应为 GTFS .zip 文件或包含 .txt 文件的文件夹。",
            )
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(str(self.path), f"Damaged zip archive ({exc}).", "zip 压缩包已损坏。") from None
        for info in infos:
            if _is_unsafe_member(info.filename):
                raise InputError(
                    str(self.path),
                    "The zip has an entry that points outside the archive; refusing to read it.",
                    "压缩包含有指向包外路径的条目，拒绝读取。",
                    value=info.filename,
                )
        by_folder: dict[str, dict[str, str]] = {}
        for info in infos:
            if info.is_dir() or not info.filename.endswith(".txt"):
                continue
            member = PurePosixPath(info.filename)
            by_folder.setdefault(str(member.parent), {})[member.name] = info.filename
        if "." in by_folder:
            self._members = by_folder["."]
        else:
            holding_stops = [f for f, names in by_folder.items() if "stops.txt" in names]
            if len(holding_stops) == 1:
                self._members = by_folder[holding_stops[0]]

    @property
    def label(self) -> str:
        return self.path.name

    def has(self, name: str) -> bool:
        return name in self._members

    def where(self, name: str) -> str:
        """How a message names one file of the feed: `gtfs.zip:stops.txt`."""
        return f"{self.path.name}:{name}" if self._zip else str(Path(self.path.name) / name)

    def read(self, name: str) -> bytes:
        if name not in self._members:
            raise InputError(
                self.where(name),
                f"The feed has no {name}, which GTFS requires.",
                f"GTFS 数据缺少必需文件 {name}。",
            )
        try:
            if self._zip is not None:
                return self._zip.read(self._members[name])
            return Path(self._members[name]).read_bytes()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise InputError(self.where(name), f"Cannot read the file ({exc}).", "无法读取该文件。") from None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class SingleFile(FeedSource):
    """One CSV file read like a feed table (for lists and load data that come as a lone file)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._zip = None
        self.encodings = {}
        if not self.path.is_file():
            raise InputError(str(path), "The file does not exist.", "文件不存在。")
        self._members = {self.path.name: str(self.path)}

    def where(self, name: str) -> str:
        return str(self.path)
