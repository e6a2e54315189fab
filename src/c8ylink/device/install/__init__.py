"""Installing the device side on a machine: `tedge init` (directories, mosquitto's include, systemd units)."""
