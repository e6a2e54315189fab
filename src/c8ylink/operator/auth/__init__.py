"""Logging in to Cumulocity: the pure steps (flows) and the drivers that run them with a client and
prompts (login, sso, certificate). Imports `infra`, `core` and `operator.sessions`."""
