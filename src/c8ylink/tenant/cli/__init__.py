"""Click commands of `c8ylink tenant`; a leaf package: only `c8ylink.cli` imports it (lazily)."""
