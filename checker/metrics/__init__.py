"""Metrics computed once per audit. They know nothing of thresholds."""
