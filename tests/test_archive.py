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
