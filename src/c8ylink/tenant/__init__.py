"""The local Cumulocity-compatible tenant: imports `infra` and `core`, never `device` or `operator`."""
