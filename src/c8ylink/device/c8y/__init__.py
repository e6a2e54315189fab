"""Cumulocity over HTTPS for the device's own commands: trust, certificate upload, EST enrollment,
the address of the mapper's proxy."""
