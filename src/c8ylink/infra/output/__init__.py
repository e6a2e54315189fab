"""Rendering data for stdout: json, csv and plain tables (rich, when tables grow, is imported only there)."""
