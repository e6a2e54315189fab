"""The device certificate: its settings, files, validity and the `tedge cert` operations."""
