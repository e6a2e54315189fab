"""Pure domain code: stdlib only, no files, sockets, environment or clock reads."""
