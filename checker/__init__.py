"""buscheck: audit a city's GTFS bus feed against service-standard rule packs."""

__version__ = "0.2.0"
RESULT_SCHEMA_VERSION = "1.4"  # 1.1 hubs, priority; 1.2 indicators; 1.3 strength, verdict incomplete; 1.4 service tables (CHANGELOG)
