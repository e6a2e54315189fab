"""The operator side (go-c8y-cli's `c8y`): imports `infra` and `core`, never `device` or `tenant`."""
