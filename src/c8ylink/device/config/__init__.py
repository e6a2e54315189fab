"""`tedge.toml`: the schema of its keys and the store that reads and writes it."""
