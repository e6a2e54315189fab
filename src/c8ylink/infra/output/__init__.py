"""Rendering data for stdout: json, csv and plain tables."""
