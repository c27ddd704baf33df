"""A GTFS feed as a set of named text files, from a .zip or a folder, read without extracting anything.

The files may sit at the root or in one folder (a zip often holds `city_gtfs/stops.txt` next to a
`readme.txt`): the folder holding the feed's own files is found. A zip's sizes are checked before and while
an entry is inflated, so that a small hostile archive cannot exhaust memory (limits below, in the README),
and a folder's files may not be links to files outside it.

Speed: a Deflate entry is inflated in one call by ISA-L (the `isal` package, about twice zlib's speed; zlib
when it is not installed), both of which release the GIL, and `read_ahead` starts inflating stop_times.txt in
a thread at once, so that it overlaps the imports and the small tables instead of following them.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from concurrent.futures import Future
from pathlib import Path, PurePosixPath

from checker.background import in_thread
from checker.errors import InputError

# The files that tell where a GTFS feed sits inside a zip or folder.
GTFS_CORE = ("routes.txt", "trips.txt", "stop_times.txt", "stops.txt")

# Limits no real city feed reaches (the generated 5.5 M-row megacity feed: stop_times.txt 260 MB, deflated
# 8x; whole zip 43 MB), and that keep a hostile zip from exhausting memory.
MAX_FILE_BYTES = 2_000_000_000  # one file, inflated
MAX_TOTAL_BYTES = 4_000_000_000  # all the files read from one feed
MAX_RATIO = 100  # inflated over deflated size, for an entry over RATIO_FROM_BYTES
RATIO_FROM_BYTES = 10_000_000
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
            zipfile.ZIP_LZMA: "lzma"}
try:  # ISA-L: the same Deflate, inflated about twice as fast
    from isal import isal_zlib as _inflating
except ImportError:  # pragma: no cover - a platform without isal's wheel
    _inflating = zlib  # type: ignore[assignment]
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra field lengths at offset 26
_METHOD_NAMES = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd", 99: "AES"}


def _is_unsafe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or (len(name) > 1 and name[1] == ":")


def _hidden(parts: tuple[str, ...]) -> bool:
    """macOS resource forks (__MACOSX/, ._stops.txt) and other hidden entries are not the feed."""
    return any(part.startswith((".", "__MACOSX")) and part not in (".", "..") for part in parts)


def _feed_folder(by_folder: dict[str, dict[str, str]], wanted: tuple[str, ...], where: str) -> dict[str, str]:
    """The files of the one folder that holds any of `wanted` (the root first); {} if none does."""
    holding = sorted(folder for folder, names in by_folder.items() if any(name in names for name in wanted))
    if "." in holding:
        return by_folder["."]
    if len(holding) == 1:
        return by_folder[holding[0]]
    if len(holding) > 1:
        shown = ", ".join(f"{h}/" for h in holding[:5])
        raise InputError(where, f"Several folders hold GTFS files ({shown}); give one feed at a time.",
                         f"多个文件夹中都有 GTFS 文件（{shown}），请每次只给出一个数据集。")
    return by_folder.get(".", {})


def member_label(path: Path, name: str, zipped: bool) -> str:
    """How a message names the file `name` of the feed at `path` (a zip or a folder): `gtfs.zip:stops.txt`,
    `gtfs/stops.txt`."""
    return f"{path.name}:{name}" if zipped else str(Path(path.name) / name)


class FeedSource:
    """Gives the raw bytes of each GTFS file by its name (`stops.txt`), wherever it sits in the zip or folder.

    `wanted`: names of which at least one marks the folder that holds the feed (GTFS's core files by
    default; a GTFS-Ride folder is marked by its own)."""

    def __init__(self, path: str | Path, wanted: tuple[str, ...] = GTFS_CORE):
        self._start(path)
        if not self.path.exists():
            raise InputError(str(path), "No such file or folder.", "文件或文件夹不存在。")
        if self.path.is_dir():
            self._open_folder(wanted)
        else:
            self._open_zip(wanted)
            early = _EARLY.pop(_identity(self.path), None) if _EARLY else None
            if early is not None and early._members == self._members and all(
                    _entry(early._info(name)) == _entry(self._info(name)) for name in early._ahead):
                self._ahead = early._ahead

    def _start(self, path: str | Path) -> None:
        """The state every source starts from (subclasses that read no zip or folder call this alone)."""
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        self._root: Path | None = None
        self._read_bytes = 0
        self._ahead: dict[str, Future[bytes]] = {}  # files being inflated in a thread, by name
        self.encodings: dict[str, str] = {}  # filled as files are read
        self.notices: list[tuple[str, str]] = []  # (en, zh), filled as files are read

    def _open_folder(self, wanted: tuple[str, ...]) -> None:
        self._root = self.path.resolve()
        by_folder: dict[str, dict[str, str]] = {}
        for folder, dirs, files in os.walk(self.path):
            relative = Path(folder).relative_to(self.path)
            dirs[:] = [] if len(relative.parts) >= 3 else sorted(d for d in dirs if not _hidden((d,)))
            names = {f: str(Path(folder) / f) for f in files if f.endswith(".txt") and not _hidden((f,))}
            if names:
                by_folder[relative.as_posix()] = names
        self._members = _feed_folder(by_folder, wanted, str(self.path))

    def _open_zip(self, wanted: tuple[str, ...]) -> None:
        if not zipfile.is_zipfile(self.path):
            raise InputError(
                str(self.path),
                "Not a zip archive; expected a GTFS .zip or a folder of .txt files.",
                "不是 zip 压缩包；应为 GTFS .zip 文件或包含 .txt 文件的文件夹。",
            )
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
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
            member = PurePosixPath(info.filename)
            if info.is_dir() or not info.filename.endswith(".txt") or _hidden(member.parts):
                continue
            by_folder.setdefault(str(member.parent), {})[member.name] = info.filename
        self._members = _feed_folder(by_folder, wanted, str(self.path))

    @property
    def label(self) -> str:
        return self.path.name

    def has(self, name: str) -> bool:
        return name in self._members

    def where(self, name: str) -> str:
        """How a message names one file of the feed: `gtfs.zip:stops.txt`."""
        return member_label(self.path, name, zipped=self._zip is not None)

    def read(self, name: str) -> bytes:
        ahead = self._ahead.pop(name, None)
        if ahead is not None:
            data = ahead.result()  # raises what reading it raised
            self._check_size(name, len(data))
            self._read_bytes += len(data)
            return data
        if name not in self._members:
            raise InputError(
                self.where(name),
                f"The feed has no {name}, which GTFS requires.",
                f"GTFS 数据缺少必需文件 {name}。",
            )
        if self._zip is not None:
            data = self._read_member(name, self._info(name), self._read_bytes)
            self._read_bytes += len(data)
            return data
        file = Path(self._members[name])
        if self._root is not None and not file.resolve().is_relative_to(self._root):
            raise InputError(self.where(name), "The file is a link to a file outside the feed folder; it is not "
                             "followed.", "该文件是指向数据文件夹之外的链接，不予读取。")
        try:
            size = file.stat().st_size
            self._check_size(name, size)
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(self.where(name), f"Cannot read the file ({exc.strerror or exc}).", "无法读取该文件。") from None
        self._read_bytes += len(data)
        return data

    def _info(self, name: str) -> zipfile.ZipInfo:
        """The zip's entry for the feed file `name`."""
        assert self._zip is not None
        return self._zip.getinfo(self._members[name])

    def _check_size(self, name: str, size: int, already: int | None = None) -> None:
        """`size` more bytes, after `already` (by default, all read so far), within the limits."""
        already = self._read_bytes if already is None else already
        if size > MAX_FILE_BYTES:
            raise InputError(self.where(name), f"The file is {size:,} bytes; buscheck reads files up to "
                             f"{MAX_FILE_BYTES:,} bytes.", f"文件大小 {size:,} 字节，超过上限 {MAX_FILE_BYTES:,} 字节。")
        if already + size > MAX_TOTAL_BYTES:
            raise InputError(self.where(name), f"The feed's files add up to more than {MAX_TOTAL_BYTES:,} bytes, "
                             "buscheck's limit.", f"数据文件合计超过 {MAX_TOTAL_BYTES:,} 字节上限。")

    def _read_member(self, name: str, info: zipfile.ZipInfo, already: int) -> bytes:
        """The entry's bytes, its sizes checked against the limits with `already` bytes read before it."""
        where = self.where(name)
        if info.flag_bits & 0x1:
            raise InputError(where, "The zip entry is encrypted; give an archive without a password.",
                             "压缩包条目已加密；请提供未加密的压缩包。")
        if info.compress_type not in _METHODS:
            method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise InputError(where, f"The zip entry is compressed with {method}, which buscheck cannot inflate; "
                             "re-zip the feed with ordinary Deflate.",
                             f"压缩包条目使用 {method} 压缩，无法解压；请用普通 Deflate 重新压缩。")
        self._check_size(name, info.file_size, already)
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(where, f"The zip entry inflates {info.compress_size:,} bytes into {info.file_size:,} "
                             f"(over {MAX_RATIO}x), as a zip bomb does and no real feed; refusing to inflate it.",
                             f"压缩包条目由 {info.compress_size:,} 字节解压为 {info.file_size:,} 字节（超过 {MAX_RATIO} 倍），"
                             "疑为压缩炸弹，拒绝解压。")
        limit = min(info.file_size, MAX_FILE_BYTES, MAX_TOTAL_BYTES - already)
        try:
            assert self._zip is not None
            if info.compress_type == zipfile.ZIP_DEFLATED:
                data = self._inflate(info, limit)
            else:
                with self._zip.open(info) as handle:
                    data = handle.read(limit + 1)  # never more than the limit, whatever the entry's header says
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError,
                zlib.error, _inflating.error) as exc:
            raise InputError(where, f"Cannot read the zip entry; the archive is damaged ({exc}).",
                             "无法读取压缩包条目，压缩包已损坏。") from None
        if len(data) > limit:
            raise InputError(where, "The zip entry inflates to more than it declares or than buscheck's limits allow; "
                             "refusing it.", "压缩包条目解压后超出声明大小或上限，拒绝读取。")
        return data

    def _inflate(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        """A Deflate entry inflated in one call, to at most `limit` + 1 bytes, its CRC checked."""
        with open(self.path, "rb") as archive:
            size = os.fstat(archive.fileno()).st_size
            archive.seek(info.header_offset)
            header = archive.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size:
                raise zipfile.BadZipFile("the archive ends inside a file header")
            signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
            if signature != b"PK\x03\x04":
                raise zipfile.BadZipFile("no local file header where the directory points")
            start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
            if info.compress_size > size - start:  # the directory claims more data than the file holds
                raise zipfile.BadZipFile("the entry's data runs past the end of the archive")
            archive.seek(start)
            deflated = archive.read(info.compress_size)
        inflater = _inflating.decompressobj(-zlib.MAX_WBITS)
        data = inflater.decompress(deflated, limit + 1)
        if len(data) > limit:
            return data  # the caller refuses it
        if len(deflated) < info.compress_size or not inflater.eof:
            raise zipfile.BadZipFile("the entry's data ends early")
        if _inflating.crc32(data) != info.CRC:
            raise zipfile.BadZipFile("CRC check failed")
        return data

    def read_ahead(self, name: str) -> None:
        """Start inflating `name` in a thread; `read(name)` then waits for it instead of starting it."""
        if self._zip is not None and name in self._members and name not in self._ahead:
            self._ahead[name] = in_thread(self._read_member, name, self._info(name), 0, name="buscheck-read-ahead")

    def close(self) -> None:
        for ahead in self._ahead.values():
            ahead.cancel()
        self._ahead.clear()
        if self._zip is not None:
            self._zip.close()


_EARLY: dict[tuple, FeedSource] = {}  # zips whose stop_times.txt the CLI began inflating


def _identity(path: Path) -> tuple:
    """The same file, unchanged since: resolved path, inode, size, and modification and status-change times (a
    copy that keeps the size and the modification time still changes the inode or the status-change time)."""
    stat = path.stat()
    return str(path.resolve()), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns


def _entry(info: zipfile.ZipInfo) -> tuple:
    return info.filename, info.header_offset, info.CRC, info.compress_size, info.file_size


def read_ahead(path: str | Path, name: str = "stop_times.txt") -> None:
    """The CLI's head start: begin inflating a zip's largest file before anything else is imported or read.
    The FeedSource opened later on the same, unchanged file takes the bytes over. Any problem is left for
    that FeedSource to report."""
    try:
        source = FeedSource(path)
        source.read_ahead(name)
        if source._ahead:
            _EARLY[_identity(source.path)] = source
    except (InputError, OSError):
        pass


class SingleFile(FeedSource):
    """One CSV file read like a feed table (for lists and load data that come as a lone file)."""

    def __init__(self, path: str | Path):
        self._start(path)
        if not self.path.is_file():
            raise InputError(str(path), "The file does not exist." if not self.path.exists() else
                             "Expected a file; this is a folder.", "文件不存在。" if not self.path.exists() else
                             "应为文件，而非文件夹。")
        self._members = {self.path.name: str(self.path)}

    def where(self, name: str) -> str:
        return str(self.path)
