"""buscheck: audit a city's GTFS bus feed against service-standard rule packs."""

__version__ = "0.1.0"
RESULT_SCHEMA_VERSION = "1.1"  # 1.1: metrics.hubs, metrics.priority, priority_level subjects
