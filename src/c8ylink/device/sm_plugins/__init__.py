"""The software management plugins c8ylink ships (thin-edge.io's sm-plugin API, docs/device.md)."""
