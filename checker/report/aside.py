"""One result file written aside, by a forked child process, while this process writes the others.

report.xlsx is a megacity's 150,000 cells put through XlsxWriter in Python: three quarters of what `--out`
adds, and work that a thread cannot overlap (it holds the GIL). A child forked once the document is made
shares it (copy on write), writes that one file into the staging folder and ends; what it raised comes back
as the same OSError (a full disk names the file as before), a MemoryError, or an internal error carrying the
child's traceback as a note; the parent commits the folder only after the child is done. If the parent fails
or is interrupted first, the child is killed and reaped before the staging folder is removed; if the parent
is killed, the kernel kills the child.

Signals: SIGINT and SIGTERM are held blocked across the fork, and the child ignores them (its parent decides,
and kills it), so that a signal in that instant runs no cleanup of the parent's in the child, and a process
group's Ctrl-C cannot end the writer of an audit that ignores it. The child always says how it ended through
the pipe, so the result does not depend on reaping it (a parent started with SIGCHLD ignored has its
children reaped by the kernel).

Written in place instead (when its turn comes, as before) where fork is not safe or does not pay: outside
Linux, or with one core to use (a batch worker's share)."""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from checker.background import threads

_HELD = {signal.SIGINT, signal.SIGTERM}
_DONE = {"done": True}


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
        assert self._reply is not None
        message = _read_all(self._reply)  # an interrupt here leaves the pipe open: cancel() then kills the child
        os.close(self._reply)
        self._reply = None
        status = self._reap()
        said = json.loads(message) if message else {}
        if said == _DONE:
            return
        if "errno" in said:
            if said["errno"] is None:
                raise OSError(said["message"])
            raise OSError(said["errno"], said["strerror"], said["filename"])
        if "error" in said:
            raised: Exception = (MemoryError(said["message"]) if said["error"] == "MemoryError" else
                                 RuntimeError(f"writing {path.name}: {said['error']}: {said['message']}"))
            raised.add_note(f"In the process that wrote {path.name}:\n{said['traceback']}")
            raise raised
        raise RuntimeError(f"the process writing {path.name} ended with {_ending(status)} before it finished")

    def _reap(self) -> int | None:
        """The child's wait status; None when it was reaped already (SIGCHLD ignored: the kernel reaps)."""
        pid, self._pid = self._pid, None
        if pid is None:
            return None
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return None

    def cancel(self) -> None:
        """Kill the child if it is still writing, and reap it. It is alive while it holds its end of the pipe
        open (then its pid cannot have been reaped and given to another process)."""
        reply, self._reply = self._reply, None
        if reply is not None:
            alive = _open(reply)
            os.close(reply)
            if alive and self._pid is not None:
                try:
                    os.kill(self._pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._reap()

    def __enter__(self) -> Aside:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.cancel()


def aside(write: Callable[[Path], object], path: Path) -> Aside:
    """`write(path)` started in a forked child, or left to be done in place (see the module's docstring)."""
    if not sys.platform.startswith("linux") or threads() < 2:
        return Aside(write, path)
    die_with_parent = _parent_death_signal()  # resolved here: no dynamic loading in the forked child
    reply, answer = os.pipe()
    parent = os.getpid()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        pid = os.fork()
    except OSError:  # no process to be had (a limit): in place
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(reply)
        os.close(answer)
        return Aside(write, path)
    if pid == 0:
        _child(write, path, reply, answer, parent, die_with_parent, held)  # never returns
    os.close(answer)
    book = Aside(write, path, pid, reply)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a signal held meanwhile is handled here
    except BaseException:
        book.cancel()
        raise
    return book


def _child(write: Callable[[Path], object], path: Path, reply: int, answer: int, parent: int,
           die_with_parent: Callable[[], None], held: set) -> None:
    """Write the file, say how it went, and leave at once (os._exit in every case: none of the parent's
    cleanup runs here)."""
    code = 1
    try:
        for each in _HELD:
            signal.signal(each, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(reply)
        die_with_parent()
        if os.getppid() != parent:  # it died before the line above
            return
        try:
            write(path)
            said: dict = _DONE
        except OSError as error:
            said = {"errno": error.errno, "strerror": error.strerror, "message": str(error),
                    "filename": None if error.filename is None else str(error.filename)}
        except BaseException as error:  # the parent reports it: out of memory, or the internal error it is
            said = {"error": type(error).__name__, "message": str(error), "traceback": traceback.format_exc()}
        view = memoryview(json.dumps(said).encode())
        while view:
            view = view[os.write(answer, view):]
        code = 0
    finally:
        os._exit(code)


def _parent_death_signal() -> Callable[[], None]:
    """SIGKILL when the parent dies (Linux's PR_SET_PDEATHSIG), so that a killed audit leaves no writer."""
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return lambda: None
    return lambda: prctl(1, signal.SIGKILL, 0, 0, 0)


def _ending(status: int | None) -> str:
    if status is None:
        return "a status unknown"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        killed = " (SIGKILL: the kernel's out-of-memory killer, for one)" if number == signal.SIGKILL else ""
        return f"signal {number}{killed}"
    return f"exit status {os.WEXITSTATUS(status)}"


def _open(fd: int) -> bool:
    """Whether the other end of the pipe is still open: nothing to read yet (a closed end reads as ready)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    return not poller.poll(0)


def _read_all(fd: int) -> bytes:
    """Everything the child sends, until it closes its end. Waited for in short steps: a signal may be delivered
    to another thread of this process (polars' pools), and Python runs its handler only when the main thread
    comes back to Python code, which a blocking read would never do."""
    chunks: list[bytes] = []
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        if poller.poll(100):
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
