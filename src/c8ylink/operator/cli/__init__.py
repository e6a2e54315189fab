"""The `c8y` command line (click); a leaf: nothing imports it. `main.py` answers the hottest calls
(`--help`, piped `sessions list`) before click is imported."""
