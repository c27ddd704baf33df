"""An output folder replaced whole: `buscheck audit --out`, each city's folder of a batch and the batch's --out.

- **Marker.** Every folder buscheck writes holds `.buscheck-out`. An existing folder is replaced only when it
  holds that marker or is empty: one holding files buscheck did not write is refused (exit 2), so a mistyped
  `--out ~` never mixes reports into a home folder. So is a folder that holds one of the run's inputs.
- **Staging.** Everything is written into a sibling `.buscheck-<pid>-<host>-<random>` folder (same file system,
  so the switch is a rename), the marker last. Nothing is written into the target until all is written.
- **Switch.** One `renameat2(RENAME_EXCHANGE)` swaps the staged folder and the target (Linux 3.15+, on ext4,
  xfs, btrfs, tmpfs and others), so the target never goes missing; where that call is not available, two
  renames (the old folder to a sibling, the staged one into place) with the old one put back if the second
  fails. Then the old folder is removed. SIGINT and SIGTERM are held back during the switch.
- **Stale staging.** A run killed with SIGKILL (or a power cut) leaves its `.buscheck-<pid>-...` folder; the next
  run that writes beside it removes it when nobody holds its lock: each staging folder holds `.buscheck-lock`,
  flock-ed by its process for as long as it lives (the kernel releases it however the process ends, and the
  test holds across hosts and containers, whose pids and host names mean nothing here). A folder without a
  lock (killed at the instant of the switch) is removed when no process of its pid is alive on this host.
- **In place.** When the target cannot be renamed (a mount point, such as a container volume; a parent folder
  that cannot be written) or holds the current folder, the staging folder is made inside the target and the
  entries are moved one by one (the marker stays throughout). This mode is not atomic: a crash halfway leaves
  a marked folder that the next run replaces.
- **Errors.** No space left (or a quota) while writing is exit 2 naming the file; a read-only or forbidden target
  is exit 2; in both cases the previous result is untouched and the staging folder removed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from checker import __version__
from checker.errors import InputError

try:
    import fcntl
except ImportError:  # Windows: liveness by pid only
    fcntl = None  # type: ignore[assignment]

MARKER = ".buscheck-out"
LOCK = ".buscheck-lock"
_STAGING = re.compile(r"^\.buscheck-(\d+)-([0-9a-f]{8})-")
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_FORBIDDEN = {errno.EACCES, errno.EPERM, errno.EROFS}


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:8]


def staging_name(suffix: str = "") -> str:
    return f".buscheck-{os.getpid()}-{_host()}-{secrets.token_hex(4)}{suffix}"


def is_staging(name: str) -> bool:
    return _STAGING.match(name) is not None


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows: os.kill(pid, 0) would send CTRL_C_EVENT; keep them
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not yet reaped) is not alive
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


def hold_lock(folder: Path) -> int | None:
    """Create and flock `folder/.buscheck-lock`; the lock lasts as long as the returned descriptor is open."""
    if fcntl is None:
        return None
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def _owner_gone(entry: Path, pid: int, host: str) -> bool:
    if pid == os.getpid() and host == _host():
        return False
    lock = entry / LOCK
    if fcntl is not None and lock.is_file():
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True  # nobody holds it: its process has ended
        except OSError:
            return False
        finally:
            os.close(fd)
    return host == _host() and not _pid_alive(pid)


def remove_stale(folder: Path) -> list[Path]:
    """Remove the staging folders in `folder` whose buscheck process is gone."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        found = _STAGING.match(name)
        if found and _owner_gone(folder / name, int(found.group(1)), found.group(2)):
            shutil.rmtree(folder / name, ignore_errors=True)
            removed.append(folder / name)
    return removed


def _real(path: Path) -> Path:
    return Path(os.path.realpath(Path(path).expanduser()))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _in_place(target: Path) -> bool:
    """Whether the target must be updated in place (it cannot be renamed, or renaming it would pull the
    current folder from under the user)."""
    if not target.is_dir():
        return False
    return os.path.ismount(target) or not os.access(target.parent, os.W_OK | os.X_OK) or _inside(_real(Path.cwd()), target)


def check_out_dir(out_dir: Path, inputs: Iterable[Path | str | None] = ()) -> None:
    """Refuse an --out that cannot or must not be replaced, before any work is done."""
    given = Path(out_dir)
    target = _real(given)
    if target.exists() and not target.is_dir():
        raise InputError("--out", "Expected a folder; a file of that name exists.", "应为文件夹；同名文件已存在。",
                         value=str(given))
    if target.parent == target:
        raise InputError("--out", "The root folder cannot be an output folder.", "根目录不能作为输出目录。",
                         value=str(given))
    for item in inputs:
        if item is None:
            continue
        path = _real(Path(item))
        if _inside(path, target):
            raise InputError("--out", f"It holds an input ({item}), which replacing it would delete.",
                             f"输出目录包含输入文件（{item}），替换输出目录会将其删除。", value=str(given))
    if target.is_dir():
        foreign = sorted(name for name in os.listdir(target) if name != MARKER and not is_staging(name))
        if foreign and not (target / MARKER).is_file():
            shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
            raise InputError(
                "--out", f"The folder holds files buscheck did not write ({shown}). buscheck replaces its output "
                "folder whole: give a new or empty folder, or one an earlier buscheck run wrote.",
                f"该文件夹中有非 buscheck 写入的文件（{shown}）。buscheck 会整体替换输出目录：请指定新的或空的文件夹，"
                "或此前 buscheck 写入的文件夹。", value=str(given))
        if not _writable(target):
            raise InputError("--out", f"Cannot write in {target}.", f"无法写入 {target}。", value=str(given))
    if _in_place(target):
        return
    parent = next((p for p in target.parents if p.exists()), Path("/"))
    if not _writable(parent):
        raise InputError("--out", f"Cannot write in {parent}.", f"无法写入 {parent}。", value=str(given))


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the switch is done (then their handlers run)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


class OutDir:
    """`with OutDir(target, kind) as out:` write into `out.path` (or with `out.write`), then `out.commit()`.
    Leaving the block without commit leaves the target as it was; errors of a full or read-only disk become
    InputError (exit 2)."""

    def __init__(self, target: Path, kind: str, inputs: Iterable[Path | str | None] = ()):
        self.given = Path(target)
        self.target = _real(self.given)
        self.kind = kind
        self.inputs = list(inputs)
        self.path = self.target  # the staging folder once entered
        self.in_place = False
        self.written: list[str] = []
        self._writing = ""
        self._committed = False
        self._trash: Path | None = None
        self._locks: list[int | None] = []

    def __enter__(self) -> OutDir:
        check_out_dir(self.given, self.inputs)
        self.in_place = _in_place(self.target)
        home = self.target if self.in_place else self.target.parent
        try:
            home.mkdir(parents=True, exist_ok=True)
            remove_stale(home)
            self.path = home / staging_name()
            self.path.mkdir()
            self._locks.append(hold_lock(self.path))
        except OSError as error:
            raise self._input_error(error) from None
        return self

    def write(self, name: str, writer: Callable[[Path], object]) -> Path:
        """Write one file of the folder with `writer(path)`; a full disk names it."""
        self._writing = name
        path = self.path / name
        writer(path)
        self.written.append(name)
        self._writing = ""
        return path

    def commit(self) -> None:
        """Mark the staged folder and put it in place of the target."""
        self._writing = MARKER
        marker = {"written_by": "buscheck", "version": __version__, "kind": self.kind,
                  "note": "buscheck replaces this folder whole on its next run with --out here."}
        (self.path / MARKER).write_text(json.dumps(marker, ensure_ascii=False) + "\n", encoding="utf-8")
        self._writing = ""
        with _signals_held():
            (self.path / LOCK).unlink(missing_ok=True)  # held still, by its descriptor; not part of the result
            if self.in_place:
                self._commit_in_place()
            elif self.target.exists():
                if _exchange(self.path, self.target):
                    self._trash = self.path  # the old folder is now where the staged one was
                else:
                    self._trash = self.target.parent / staging_name("-old")
                    os.rename(self.target, self._trash)
                    try:
                        os.rename(self.path, self.target)
                    except BaseException:
                        os.rename(self._trash, self.target)
                        self._trash = None
                        raise
            else:
                os.rename(self.path, self.target)
            self._committed = True
            if self._trash is not None:  # being removed: locked, so that no other run takes it for stale
                self._locks.append(hold_lock(self._trash))

    def _commit_in_place(self) -> None:
        self._trash = self.target / staging_name("-old")
        self._trash.mkdir()
        self._locks.append(hold_lock(self._trash))
        for name in os.listdir(self.target):
            if name != MARKER and not is_staging(name):  # the marker stays until the new one replaces it
                os.rename(self.target / name, self._trash / name)
        os.rename(self.path / MARKER, self.target / MARKER)
        for name in os.listdir(self.path):
            if name != LOCK:
                os.rename(self.path / name, self.target / name)
        (self.path / LOCK).unlink(missing_ok=True)
        os.rmdir(self.path)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if not self._committed:
            shutil.rmtree(self.path, ignore_errors=True)
        if self._trash is not None:
            shutil.rmtree(self._trash, ignore_errors=True)
        for fd in self._locks:
            _release(fd)
        self._locks.clear()
        if isinstance(error, OSError) and (error.errno in _NO_SPACE or error.errno in _FORBIDDEN):
            raise self._input_error(error) from None

    def _input_error(self, error: OSError) -> InputError:
        where = str(self.given / self._writing) if self._writing else str(self.given)
        kept = " The previous result is kept." if self.target.exists() and not self._committed else ""
        kept_zh = "原有结果保留。" if kept else ""
        if error.errno in _NO_SPACE:
            return InputError("--out", f"No space left while writing {where}.{kept}",
                              f"写入 {where} 时磁盘空间不足。{kept_zh}", value=str(self.given))
        return InputError("--out", f"Cannot write {where}: {error.strerror}.{kept}",
                          f"无法写入 {where}：{error.strerror}。{kept_zh}", value=str(self.given))
