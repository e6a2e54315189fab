"""Adapters used by two or more products; may do I/O; imports only `core` and named third-party libraries."""
