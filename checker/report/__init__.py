"""Reporters: they only read an audit's results."""
