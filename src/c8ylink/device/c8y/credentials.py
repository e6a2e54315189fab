"""``credentials.toml``: the username and password of Cumulocity basic authentication.

    [c8y]
    username = "t12345/device-user"
    password = "..."

The file is read only when ``c8y.auth_method`` resolves to basic; the password is never printed
(``BasicAuth`` masks it in ``repr``).
"""

from __future__ import annotations

from c8ylink.core.errors import ConfigError
from c8ylink.device.connect.bridge import BasicAuth
from c8ylink.infra.files import load_toml_data


def load_c8y_credentials(path: str) -> BasicAuth:
    """The ``[c8y]`` username and password of the credentials file at ``path``."""
    data = load_toml_data(path)
    if data is None:
        raise ConfigError(
            f"The credentials file {path} does not exist: create it with a [c8y] table holding "
            "username and password, or set c8y.credentials_path to the file (c8y.auth_method is basic)"
        )
    return parse_c8y_credentials(data, path)


def parse_c8y_credentials(data: dict[str, object], path: str) -> BasicAuth:
    table = data.get("c8y")
    if not isinstance(table, dict):
        raise ConfigError(f"The credentials file {path} has no [c8y] table with username and password")
    values: dict[str, str] = {}
    for name in ("username", "password"):
        value = table.get(name)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"The credentials file {path} gives no {name} in its [c8y] table")
        values[name] = value
    return BasicAuth(values["username"], values["password"])
