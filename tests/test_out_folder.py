"""--out is replaced whole: exactly this run's files after a success, the previous result untouched after any
failure (a full or read-only disk, an interrupt, a kill), foreign folders refused, stale staging removed."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker.report import outdir
from checker.report.outdir import MARKER, OutDir
from tests.conftest import REPO, feed_tables, wait_for, write_feed, write_polygon

RESULT_FILES = [MARKER, "findings.csv", "report.html", "report.xlsx", "result.json", "routes.csv",
                "uncovered.geojson"]
HOST = hashlib.sha256(socket.gethostname().encode("utf-8")).hexdigest()[:8]


@pytest.fixture
def inputs(tmp_path):
    feed = write_feed(tmp_path / "in" / "feed", feed_tables())
    polygon = write_polygon(tmp_path / "in" / "built_up.geojson")
    return ["audit", str(feed), "--built-up", str(polygon), "--city", "广州"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _staging(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".buscheck-") and p.name != MARKER)


def _buscheck(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "checker", *map(str, args)], cwd=REPO, text=True,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            **kwargs)


def test_a_rerun_replaces_the_folder_whole(tmp_path, cli, inputs):
    out = tmp_path / "out"
    assert cli(*inputs, "--out", out).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == RESULT_FILES
    assert json.loads((out / MARKER).read_text(encoding="utf-8"))["written_by"] == "buscheck"
    (out / "districts.csv").write_text("yesterday", encoding="utf-8")  # an earlier run's file, or anything
    (out / "old").mkdir()
    assert cli(*inputs, "--out", out).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == RESULT_FILES
    assert _staging(tmp_path) == []


def test_an_empty_or_new_folder_is_used(tmp_path, cli, inputs):
    (tmp_path / "empty").mkdir()
    assert cli(*inputs, "--out", tmp_path / "empty").exit_code == 1
    assert cli(*inputs, "--out", tmp_path / "new" / "deeper").exit_code == 1
    assert sorted(p.name for p in (tmp_path / "new" / "deeper").iterdir()) == RESULT_FILES


def test_a_folder_with_files_buscheck_did_not_write_is_refused(tmp_path, cli, inputs):
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli(*inputs, "--out", home)
    assert result.exit_code == 2
    assert "did not write (notes.txt)" in result.output
    assert [p.name for p in home.iterdir()] == ["notes.txt"] and _staging(tmp_path) == []


def test_an_out_holding_an_input_is_refused(tmp_path, cli, inputs):
    out = tmp_path / "out"
    assert cli(*inputs, "--out", out).exit_code == 1
    feed = write_feed(out / "feed", feed_tables())  # an input moved into a marked folder
    args = list(inputs)
    args[1] = str(feed)
    result = cli(*args, "--out", out)
    assert result.exit_code == 2 and "holds an input" in result.output
    assert feed.is_file()


def test_stale_staging_of_dead_processes_is_removed(tmp_path, cli, inputs):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)  # a process that has ended
    other = "f" * 8 if HOST != "f" * 8 else "e" * 8  # another host (or container) on a shared file system
    stale = tmp_path / f".buscheck-{pid}-{HOST}-0badc0de"  # no lock: judged by its pid, on this host
    alive = tmp_path / f".buscheck-{os.getpid()}-{HOST}-0000beef"  # this very process: alive
    unknown = tmp_path / f".buscheck-{pid}-{other}-12345678"  # no lock, another host: cannot tell, kept
    released = tmp_path / f".buscheck-{os.getpid()}-{other}-0000dead"  # a lock nobody holds: its owner is gone
    held = tmp_path / f".buscheck-{pid}-{other}-0000a11e"  # a lock held by a live process: kept
    for folder in (stale, alive, unknown, released, held):
        (folder / "x").mkdir(parents=True)
    (released / outdir.LOCK).write_text("", encoding="utf-8")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, os, sys, time
        fd = os.open({str(held / outdir.LOCK)!r}, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(120)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert cli(*inputs, "--out", tmp_path / "out").exit_code == 1
    finally:
        holder.kill()
        holder.communicate()
    assert not stale.exists() and not released.exists()
    assert alive.exists() and unknown.exists() and held.exists()


def test_staging_folders_are_locked_while_in_use(tmp_path):
    import fcntl

    with OutDir(tmp_path / "out", "audit") as staged:
        fd = os.open(staged.path / outdir.LOCK, os.O_RDWR)
        with pytest.raises(OSError):  # held: another run would keep this folder
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
        staged.write("a.txt", lambda path: path.write_text("a", encoding="utf-8"))
        staged.commit()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MARKER, "a.txt"]  # the lock is not a result


def _audit_in_process(inputs) -> object:
    from checker.pipeline import AuditRequest, run_audit

    return run_audit(AuditRequest(feed=Path(inputs[1]), built_up=Path(inputs[3]), city="广州"))


def test_two_renames_where_the_exchange_is_not_available(tmp_path, inputs, monkeypatch):
    from checker.report.files import write_outputs

    audit = _audit_in_process(inputs)
    out = tmp_path / "out"
    write_outputs(audit, out)
    (out / "stale.csv").write_text("x", encoding="utf-8")
    monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    write_outputs(audit, out)
    assert sorted(p.name for p in out.iterdir()) == RESULT_FILES and _staging(tmp_path) == []


def test_a_failed_switch_puts_the_previous_folder_back(tmp_path, inputs, monkeypatch):
    from checker.report.files import write_outputs

    audit = _audit_in_process(inputs)
    out = tmp_path / "out"
    write_outputs(audit, out)
    before = _digest(out)
    monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    real_rename = os.rename
    failed = []

    def failing(source, target):
        if Path(target) == out.resolve() and not failed:  # the staged folder into place (not the way back)
            failed.append(source)
            raise OSError(errno.EIO, "I/O error")
        return real_rename(source, target)

    monkeypatch.setattr(outdir.os, "rename", failing)
    with pytest.raises(OSError):
        write_outputs(audit, out)
    assert failed and _digest(out) == before and _staging(tmp_path) == []


def test_a_mount_point_is_updated_in_place(tmp_path, inputs, monkeypatch):
    from checker.report.files import write_outputs

    audit = _audit_in_process(inputs)
    out = tmp_path / "volume"
    write_outputs(audit, out)
    (out / "stale.csv").write_text("x", encoding="utf-8")
    inode = out.stat().st_ino
    monkeypatch.setattr(outdir.os.path, "ismount", lambda path: Path(path) == out.resolve())
    write_outputs(audit, out)
    assert out.stat().st_ino == inode  # the same folder, its content replaced
    assert sorted(p.name for p in out.iterdir()) == RESULT_FILES and _staging(tmp_path) == []


def test_no_space_is_exit_2_and_keeps_the_previous_result(tmp_path, cli, inputs, monkeypatch):
    out = tmp_path / "out"
    assert cli(*inputs, "--out", out).exit_code == 1
    before = _digest(out)
    monkeypatch.setenv("BUSCHECK_TEST_FAULT", "write:*:nospace")
    result = cli(*inputs, "--out", out)
    assert result.exit_code == 2
    assert f"No space left while writing {out / 'report.html'}. The previous result is kept." in result.output
    assert _digest(out) == before and _staging(tmp_path) == []


def test_an_unwritable_staging_folder_is_exit_2(tmp_path, cli, inputs, monkeypatch):
    out = tmp_path / "out"
    assert cli(*inputs, "--out", out).exit_code == 1
    before = _digest(out)

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    result = cli(*inputs, "--out", out)
    assert result.exit_code == 2 and "Read-only file system" in result.output
    assert _digest(out) == before


def _user_namespaces() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not _user_namespaces(), reason="needs unshare -rm (unprivileged user namespaces) for a tmpfs")
def test_a_really_full_and_a_read_only_disk_keep_the_previous_result(tmp_path, inputs):
    """In a user namespace: a small tmpfs is filled up to a few pages, then remounted read-only."""
    mount = tmp_path / "disk"
    mount.mkdir()
    script = tmp_path / "disk_test.py"
    script.write_text(textwrap.dedent(f"""
        import hashlib, json, os, subprocess, sys
        mount, out = {str(mount)!r}, {str(mount / "out")!r}
        audit = [sys.executable, "-m", "checker", *{inputs[1:]!r}, "--out", out]
        def digest():
            return {{n: hashlib.sha256(open(os.path.join(out, n), "rb").read()).hexdigest() for n in os.listdir(out)}}
        def run():
            done = subprocess.run([*audit[:3], "audit", *audit[3:]], capture_output=True, text=True, cwd={str(REPO)!r})
            return done.returncode, done.stderr + done.stdout
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount], check=True)
        first = run()
        before = digest()
        filler = os.open(os.path.join(mount, "filler"), os.O_WRONLY | os.O_CREAT)  # fill the disk, free 48 KiB
        try:
            while True:
                os.write(filler, bytes(4096))
        except OSError:
            os.close(filler)
        os.truncate(os.path.join(mount, "filler"), os.path.getsize(os.path.join(mount, "filler")) - 48 * 1024)
        full = run()
        full_kept = digest() == before
        leftovers = [n for n in os.listdir(mount) if n.startswith(".buscheck-")]
        os.remove(os.path.join(mount, "filler"))
        subprocess.run(["mount", "-o", "remount,ro", mount], check=True)
        read_only = run()
        print(json.dumps({{"first": first, "full": full, "full_kept": full_kept, "leftovers": leftovers,
                          "read_only": read_only, "read_only_kept": digest() == before}}))
    """), encoding="utf-8")
    done = subprocess.run(["unshare", "-rm", sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["first"][0] == 1, found["first"]
    assert found["full"][0] == 2 and "No space left while writing" in found["full"][1], found["full"]
    assert found["full_kept"] and found["leftovers"] == []
    assert found["read_only"][0] == 2 and "Cannot write" in found["read_only"][1], found["read_only"]
    assert found["read_only_kept"]


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_while_writing(tmp_path, cli, inputs, signum, code):
    """Ctrl-C or SIGTERM while the result files are written: the staging folder is removed, the previous result
    kept, exit 130 or 143, one line and no traceback."""
    out = tmp_path / "out"
    assert cli(*inputs, "--out", out).exit_code == 1
    before = _digest(out)
    process = _buscheck(*inputs, "--out", out, env={"BUSCHECK_TEST_FAULT": "write:*:hang"})
    wait_for(lambda: any((p / "result.json").exists() for p in tmp_path.glob(".buscheck-*")), 120)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Interrupted" in stderr and "Traceback" not in stderr and "Exception ignored" not in stderr
    assert _digest(out) == before and _staging(tmp_path) == []


def test_a_run_after_a_killed_one_removes_its_staging_folder(tmp_path, cli, inputs):
    out = tmp_path / "out"
    process = _buscheck(*inputs, "--out", out, env={"BUSCHECK_TEST_FAULT": "write:*:hang"})
    wait_for(lambda: any((p / "result.json").exists() for p in tmp_path.glob(".buscheck-*")), 120)
    process.kill()
    process.communicate(timeout=60)
    assert len(_staging(tmp_path)) == 1 and not out.exists()  # SIGKILL: nothing can clean up
    assert cli(*inputs, "--out", out).exit_code == 1
    assert _staging(tmp_path) == [] and sorted(p.name for p in out.iterdir()) == RESULT_FILES


def test_outdir_left_without_commit_changes_nothing(tmp_path):
    out = tmp_path / "out"
    with OutDir(out, "audit") as staged:
        staged.write("a.txt", lambda path: path.write_text("a", encoding="utf-8"))
    assert not out.exists() and _staging(tmp_path) == []
