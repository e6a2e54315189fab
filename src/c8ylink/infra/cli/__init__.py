"""CLI plumbing shared by every command: the single error handler, the step printer, lazy groups."""
