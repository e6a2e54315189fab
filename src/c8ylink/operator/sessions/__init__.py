"""go-c8y-cli sessions: the session value (model), its files (store, lookup), encrypted secrets
(secrets, passphrase), the shell variables an activation prints (env). Imports `infra` and `core`."""
