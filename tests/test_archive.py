"""Feeds from a zip (at its root or in one folder) or a folder; malformed zips are refused cleanly."""

import zipfile

import pytest

from checker.errors import InputError
from checker.load.archive import FeedSource
from checker.load.feed import load_feed
from tests.conftest import feed_tables, write_feed


def test_folder_and_zip_load_the_same(tmp_path):
    tables = feed_tables()
    from_zip = load_feed(write_feed(tmp_path / "z", tables))
    from_dir = load_feed(write_feed(tmp_path / "d", tables, as_zip=False))
    assert from_zip.trip_ends.sort("trip_id").equals(from_dir.trip_ends.sort("trip_id"))


def test_zip_with_files_in_a_subfolder(tmp_path):
    path = tmp_path / "nested.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in feed_tables().items():
            archive.writestr(f"city_gtfs/{name}", text)
    assert load_feed(path).trips.height == 40


def test_non_zip_bytes_are_refused(tmp_path):
    path = tmp_path / "feed.zip"
    path.write_bytes(b"<html>not a zip</html>")
    with pytest.raises(InputError, match="Not a zip"):
        FeedSource(path)


def test_path_traversal_entry_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in feed_tables().items():
            archive.writestr(name, text)
        archive.writestr("../../etc/passwd", "root")
    with pytest.raises(InputError, match="outside the archive"):
        FeedSource(path)


def test_missing_feed_path(tmp_path):
    with pytest.raises(InputError, match="No such file or folder"):
        FeedSource(tmp_path / "nope.zip")


def _deflated(path, tables):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
    return path


def test_deflated_and_stored_feeds_load_the_same(tmp_path, monkeypatch):
    """Deflate entries are inflated by ISA-L in one call (zlib without isal): same bytes, same feed."""
    from checker.load import archive

    tables = feed_tables()
    stored = load_feed(write_feed(tmp_path / "s", tables))
    deflated = _deflated(tmp_path / "d.zip", tables)
    assert load_feed(deflated).trip_ends.equals(stored.trip_ends)
    expected = tables["stop_times.txt"].encode()
    assert FeedSource(deflated).read("stop_times.txt") == expected
    monkeypatch.setattr(archive, "_inflating", __import__("zlib"))
    assert FeedSource(deflated).read("stop_times.txt") == expected


def _corrupt_entry(path, name, at_fraction=0.5):
    """Flip one byte in the middle of an entry's compressed data."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + int(info.compress_size * at_fraction)] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("at", [0.1, 0.5, 0.95])
def test_a_damaged_deflate_entry_is_refused_by_name(tmp_path, at):
    tables = feed_tables(routes={"R1": [420 + i for i in range(400)]})
    path = _deflated(tmp_path / "d.zip", tables)
    _corrupt_entry(path, "stop_times.txt", at)
    with pytest.raises(InputError) as error:
        load_feed(path)
    message = error.value.message()  # damaged, a CRC failure, or more bytes than declared: refused, by name
    assert "d.zip:stop_times.txt" in message and ("damaged" in message or "more than it declares" in message)


def test_read_ahead_gives_the_same_bytes_and_the_same_errors(tmp_path):
    tables = feed_tables()
    path = _deflated(tmp_path / "d.zip", tables)
    source = FeedSource(path)
    source.read_ahead("stop_times.txt")
    assert source.read("stop_times.txt") == tables["stop_times.txt"].encode()
    assert source.read("stop_times.txt") == tables["stop_times.txt"].encode()  # read again: read again
    _corrupt_entry(path, "stop_times.txt")
    damaged = FeedSource(path)
    damaged.read_ahead("stop_times.txt")  # the error is raised where the file is asked for, not in the thread
    with pytest.raises(InputError, match="damaged|more than it declares"):
        damaged.read("stop_times.txt")


def test_the_clis_head_start_is_taken_over_only_for_the_same_unchanged_file(tmp_path):
    import os

    from checker.load import archive

    tables = feed_tables()
    path = _deflated(tmp_path / "d.zip", tables)
    archive.read_ahead(path)
    assert archive.FeedSource(path)._ahead  # taken over
    assert not archive._EARLY
    archive.read_ahead(path)
    os.utime(path, ns=(1, 1))  # changed since: read afresh
    source = archive.FeedSource(path)
    assert not source._ahead and source.read("stop_times.txt") == tables["stop_times.txt"].encode()
    archive._EARLY.clear()
    archive.read_ahead(tmp_path / "missing.zip")  # any problem is left for the audit to report
    archive.read_ahead(tmp_path)
    assert not archive._EARLY


def test_with_one_thread_to_use_the_work_is_done_at_once(monkeypatch):
    """A batch worker given one of two cores (BUSCHECK_THREADS=1) starts no thread: the work is done in place,
    its error kept for whoever asks for the result."""
    import threading

    from checker.background import in_thread

    monkeypatch.setenv("BUSCHECK_THREADS", "1")
    seen = []
    done = in_thread(lambda: seen.append(threading.current_thread().name) or 7)
    assert done.done() and done.result() == 7 and seen == [threading.current_thread().name]
    failed = in_thread(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result()
    monkeypatch.setenv("BUSCHECK_THREADS", "2")
    assert in_thread(lambda: threading.current_thread().name, name="probe").result().startswith("probe")


def test_with_no_thread_to_be_had_the_work_is_done_at_once(monkeypatch):
    """Under a memory limit a thread may not start (RuntimeError): the work is done in place, not lost."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from checker.background import in_thread

    def refuse(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setenv("BUSCHECK_THREADS", "2")
    monkeypatch.setattr(ThreadPoolExecutor, "submit", refuse)
    assert in_thread(lambda: threading.current_thread().name).result() == threading.current_thread().name


def _patch_directory(path, name, offset, fmt, value):
    """Rewrite one field of `name`'s central directory entry (offset from the entry's start)."""
    import struct

    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name.encode():
            struct.pack_into(fmt, data, at + offset, value)
            path.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 46)
    raise AssertionError(name)


@pytest.mark.parametrize(("offset", "fmt", "value"), [
    (20, "<I", 0x7FFFFFFF),  # a compressed size far beyond the file
    (42, "<I", 0),  # the local header looked for where another entry's is
])
def test_a_directory_that_lies_about_an_entry_is_refused_by_name(tmp_path, offset, fmt, value):
    path = _deflated(tmp_path / "d.zip", feed_tables())
    _patch_directory(path, "stop_times.txt", offset, fmt, value)
    with pytest.raises(InputError) as error:
        FeedSource(path).read("stop_times.txt")
    assert "d.zip:stop_times.txt" in error.value.message()


def test_a_local_header_cut_by_the_end_of_the_file_is_refused(tmp_path):
    path = _deflated(tmp_path / "d.zip", feed_tables())
    size = path.stat().st_size
    _patch_directory(path, "stop_times.txt", 42, "<I", size - 10)
    with pytest.raises(InputError, match="damaged"):
        FeedSource(path).read("stop_times.txt")


def test_a_copy_of_the_same_size_and_time_over_the_zip_is_read_afresh(tmp_path):
    """`cp -p` or `rsync -t` of another feed of the same size over the zip between the CLI's head start and the
    load: the status-change time and the entry's CRC differ, so the head start is not taken over."""
    import os

    from checker.load import archive

    first = feed_tables()
    second = dict(first, **{"stop_times.txt": first["stop_times.txt"].replace("07:00:00", "05:00:00")})
    path, other = write_feed(tmp_path / "d", first), write_feed(tmp_path / "e", second)  # stored: same sizes
    assert path.stat().st_size == other.stat().st_size
    stat = path.stat()
    archive.read_ahead(path)
    path.write_bytes(other.read_bytes())
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    source = archive.FeedSource(path)
    assert source.read("stop_times.txt") == second["stop_times.txt"].encode()
    archive._EARLY.clear()
