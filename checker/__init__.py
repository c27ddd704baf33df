"""buscheck: audit a city's GTFS bus feed against service-standard rule packs."""

__version__ = "0.2.0"
RESULT_SCHEMA_VERSION = "1.4"  # 1.1 hubs, priority; 1.2 indicators; 1.3 strength, verdict incomplete; 1.4 service tables (CHANGELOG)

__all__ = ["audit", "diff"]


def __getattr__(name: str):  # the Python API, imported on first use so that the CLI starts fast
    if name in ("audit", "diff"):
        from checker import api

        return getattr(api, name)
    raise AttributeError(f"module 'checker' has no attribute {name!r}")
