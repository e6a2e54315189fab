"""The device side (thin-edge.io's `tedge`): imports `infra` and `core`, never `operator` or `tenant`."""
