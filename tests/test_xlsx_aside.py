"""report.xlsx written by a forked child while the CLI writes the other files (report/aside.py): the same file,
and every fault of the child reported as it was in place, with the previous result kept."""

from __future__ import annotations

import errno
import os
import signal
import sys
import time

import pytest

from checker.report.aside import Aside, aside
from tests.test_out_folder import _buscheck, _digest, _staging, inputs  # noqa: F401  (a fixture)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork is used on Linux only")


def _pid_into(path):
    path.write_text(str(os.getpid()), encoding="utf-8")


def test_the_file_is_written_by_another_process(tmp_path, monkeypatch):
    monkeypatch.setenv("BUSCHECK_THREADS", "2")
    target = tmp_path / "report.xlsx"
    with aside(_pid_into, target) as book:
        book.result(target)
    assert int(target.read_text(encoding="utf-8")) != os.getpid()


def test_with_one_core_it_is_written_in_place_when_its_turn_comes(tmp_path, monkeypatch):
    monkeypatch.setenv("BUSCHECK_THREADS", "1")
    target = tmp_path / "report.xlsx"
    with aside(_pid_into, target) as book:
        assert not target.exists()
        book.result(target)
    assert int(target.read_text(encoding="utf-8")) == os.getpid()


def _no_space(path):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def _bug(path):
    raise KeyError("route_id")


def _killed(path):
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("write, raised, words", [
    (_no_space, OSError, os.strerror(errno.ENOSPC)),
    (_bug, RuntimeError, "writing report.xlsx: KeyError: 'route_id'"),
    (_killed, RuntimeError, "the process writing report.xlsx ended with signal 9"),
])
def test_what_the_child_raised_comes_back(tmp_path, monkeypatch, write, raised, words):
    monkeypatch.setenv("BUSCHECK_THREADS", "2")
    target = tmp_path / "report.xlsx"
    with aside(write, target) as book, pytest.raises(raised) as caught:
        book.result(target)
    assert words in str(caught.value)
    if raised is OSError:
        assert caught.value.errno == errno.ENOSPC and caught.value.filename == str(target)


def test_a_cancelled_writer_is_killed_and_reaped(tmp_path, monkeypatch):
    monkeypatch.setenv("BUSCHECK_THREADS", "2")
    book = aside(lambda path: time.sleep(600), tmp_path / "report.xlsx")
    pid = book._pid
    started = time.monotonic()
    book.cancel()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):  # reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)
    book.cancel()  # twice is harmless


def test_in_place_raises_as_the_writer_does(tmp_path):
    with pytest.raises(OSError):
        Aside(_no_space, tmp_path / "report.xlsx").result(tmp_path / "report.xlsx")


@pytest.mark.parametrize("fault, code, words", [
    ("nospace", 2, "No space left while writing {out}. The previous result is kept."),
    ("kill", 3, "the process writing report.xlsx ended with signal 9"),
    ("error", 3, "writing report.xlsx: RuntimeError: injected fault"),
])
def test_a_fault_of_the_child_keeps_the_previous_result(tmp_path, cli, inputs, fault, code, words):  # noqa: F811
    out = tmp_path / "out"
    assert cli(*inputs, "--out", out).exit_code == 1
    before = _digest(out)
    process = _buscheck(*inputs, "--out", out, env={"BUSCHECK_TEST_FAULT": f"xlsx:*:{fault}"})
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr
    assert words.format(out=out / "report.xlsx") in " ".join(stderr.split()), stderr
    assert "Traceback" not in stderr
    assert _digest(out) == before and _staging(tmp_path) == []


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_while_the_child_writes(tmp_path, inputs, signum, code):  # noqa: F811
    """The parent interrupted while its child still writes report.xlsx: the child is killed and reaped before the
    staging folder is removed, and nothing is left."""
    out = tmp_path / "out"
    process = _buscheck(*inputs, "--out", out, env={"BUSCHECK_TEST_FAULT": "xlsx:*:hang"})
    deadline = time.monotonic() + 120
    while not any((p / "report.html").exists() for p in tmp_path.glob(".buscheck-*")):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(0.3)  # the parent waits for its child now
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists() and _staging(tmp_path) == []


def _audit_detached(inputs, out, fault, ignore=()):  # noqa: F811
    """The CLI in a session of its own (a process group to signal), with `ignore`d signals inherited."""
    import subprocess

    def ignored():
        for each in ignore:
            signal.signal(each, signal.SIG_IGN)

    return subprocess.Popen([sys.executable, "-m", "checker", *inputs, "--out", str(out)], text=True,
                            env={**os.environ, "BUSCHECK_TEST_FAULT": fault}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=ignored)


def test_a_group_ctrl_c_ignored_by_the_audit_is_ignored_by_its_writer(tmp_path, inputs):  # noqa: F811
    """A background job ignores SIGINT (so does the audit, as it always did): a Ctrl-C sent to the whole group
    while the child writes report.xlsx must not end the writer, and the audit completes."""
    out = tmp_path / "out"
    process = _audit_detached(inputs, out, "xlsx:*:pause", ignore=(signal.SIGINT,))
    deadline = time.monotonic() + 120
    while not any((p / "report.html").exists() for p in tmp_path.glob(".buscheck-*")):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert (out / "report.xlsx").stat().st_size > 0 and _staging(tmp_path) == []


@pytest.mark.parametrize("fault, code", [("", 1), ("xlsx:*:nospace", 2), ("write:*:nospace", 2)])
def test_started_with_sigchld_ignored(tmp_path, inputs, fault, code):  # noqa: F811
    """With SIGCHLD ignored the kernel reaps the child itself: the result comes from what the child said."""
    out = tmp_path / "out"
    process = _audit_detached(inputs, out, fault, ignore=(signal.SIGCHLD,))
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and "ChildProcessError" not in stderr
    assert (out / "report.xlsx").exists() == (code == 1)


def test_the_workbooks_temporary_files_stay_beside_it(tmp_path, monkeypatch):
    """XlsxWriter's per-sheet temporary files go in the workbook's folder (--out's staging folder, removed whole
    if a writer is killed), not in the system's temporary folder, where a killed writer would leave them."""
    import tempfile

    from checker.report.xlsx import Book

    system, here = tmp_path / "tmp", tmp_path / "staging"
    system.mkdir()
    here.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    book = Book(here / "report.xlsx")
    book.sheet("S", ["a"], [["x"]] * 10)
    assert os.listdir(system) == [] and len(os.listdir(here)) == 1
    book.close()
    assert os.listdir(system) == [] and os.listdir(here) == ["report.xlsx"]
