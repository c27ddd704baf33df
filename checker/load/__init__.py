"""Loading and validating inputs: GTFS feeds, built-up polygons, route lists."""
