"""The service manager of `system.toml` (systemd, supervisord) that starts and stops the tedge services."""
