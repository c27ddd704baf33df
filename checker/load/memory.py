"""A feed held in memory (the Python API's gtfs_kit.Feed, tables already parsed by pandas): each table written
to CSV bytes in memory and read by the same loader as a zip, so it is validated the same way."""

from __future__ import annotations

from checker.errors import InputError
from checker.load.archive import FeedSource


class MemorySource(FeedSource):
    def __init__(self, tables: dict[str, bytes], label: str):
        self._start(label)
        self._tables = tables
        self._members = {name: name for name in tables}
        self._label = label

    @property
    def label(self) -> str:
        return self._label

    def where(self, name: str) -> str:
        return f"{self._label}:{name}"

    def read(self, name: str) -> bytes:
        if name not in self._tables:
            raise InputError(self.where(name), f"The feed has no {name}, which GTFS requires.",
                             f"GTFS 数据缺少必需文件 {name}。")
        return self._tables[name]

    def close(self) -> None:
        pass

    def __str__(self) -> str:
        return self._label


def gtfs_kit_tables(feed: object) -> dict[str, bytes]:
    """The tables of a gtfs_kit.Feed (pandas DataFrames as attributes named like the files) as CSV bytes."""
    tables = {}
    for name in ("agency", "routes", "trips", "stops", "stop_times", "calendar", "calendar_dates", "frequencies",
                 "shapes", "feed_info", "transfers"):
        frame = getattr(feed, name, None)
        if frame is not None and len(frame.columns):
            tables[f"{name}.txt"] = frame.to_csv(index=False).encode("utf-8")
    return tables
