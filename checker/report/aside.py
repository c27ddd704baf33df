"""One result file written aside, by a forked child process, while this process writes the others.

report.xlsx is a megacity's 150,000 cells put through XlsxWriter in Python: three quarters of what `--out`
adds, and work that a thread cannot overlap (it holds the GIL). A child forked once the document is made
shares it (copy on write), writes that one file into the staging folder and ends; what it raised comes back
as the same OSError (a full disk names the file as before) or as an internal error, and the parent commits
the folder only after the child is done. If the parent fails or is interrupted first, the child is killed
and reaped before the staging folder is removed; if the parent is killed, the kernel kills the child.

Written in place instead (when its turn comes, as before) where fork is not safe or does not pay: outside
Linux, or with one core to use (a batch worker's share)."""

from __future__ import annotations

import json
import os
import select
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from checker.background import threads


class Aside:
    """A file being written by a child process (or, when `pid` is None, to be written in place)."""

    def __init__(self, write: Callable[[Path], object], path: Path, pid: int | None = None,
                 reply: int | None = None):
        self._write, self.path, self._pid, self._reply = write, path, pid, reply

    def result(self, path: Path) -> None:
        """The file written at `path` (the one it was started for): waits for the child, raises what it raised."""
        if self._pid is None:
            self._write(path)
            return
        reply, self._reply = self._reply, None
        message = _read_all(reply)
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if message:
            failed = json.loads(message)
            if "errno" in failed:
                raise OSError(failed["errno"], failed["strerror"], failed["filename"])
            raise RuntimeError(f"writing {path.name}: {failed['error']}")
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status):
            how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else
                   f"exit status {os.WEXITSTATUS(status)}")
            raise RuntimeError(f"the process writing {path.name} ended with {how}")

    def cancel(self) -> None:
        """Kill the child if it is still writing, and reap it."""
        if self._reply is not None:
            os.close(self._reply)
            self._reply = None
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = None

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.cancel()


def aside(write: Callable[[Path], object], path: Path) -> Aside:
    """`write(path)` started in a forked child, or left to be done in place (see the module's docstring)."""
    if not sys.platform.startswith("linux") or threads() < 2:
        return Aside(write, path)
    reply, answer = os.pipe()
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a limit): in place
        os.close(reply)
        os.close(answer)
        return Aside(write, path)
    if pid == 0:
        _child(write, path, reply, answer, parent)  # never returns
    os.close(answer)
    return Aside(write, path, pid, reply)


def _child(write: Callable[[Path], object], path: Path, reply: int, answer: int, parent: int) -> None:
    """Write the file and leave at once (no cleanup of the parent's runs here: os._exit in every case)."""
    code = 1
    try:
        os.close(reply)
        for each in (signal.SIGINT, signal.SIGTERM):  # the parent handles an interrupt, and kills this child
            signal.signal(each, signal.SIG_DFL)
        _die_with_parent()
        if os.getppid() != parent:  # it died before the line above
            return
        try:
            write(path)
            message = b""
        except OSError as error:
            message = json.dumps({"errno": error.errno, "strerror": error.strerror,
                                  "filename": None if error.filename is None else str(error.filename)}).encode()
        except BaseException as error:  # a bug: the parent reports it as the internal error it is
            message = json.dumps({"error": f"{type(error).__name__}: {error}"}).encode()
        view = memoryview(message)
        while view:
            view = view[os.write(answer, view):]
        code = 0
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """SIGKILL when the parent dies (Linux's PR_SET_PDEATHSIG), so that a killed audit leaves no writer behind."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _read_all(fd: int | None) -> bytes:
    """Everything the child sends, until it closes its end. Waited for in short steps: a signal may be delivered
    to another thread of this process (polars' pools), and Python runs its handler only when the main thread
    comes back to Python code, which a blocking read would never do."""
    if fd is None:
        return b""
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)
