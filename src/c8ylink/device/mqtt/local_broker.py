"""How tedge's own MQTT clients reach the local broker: ``mqtt.client.*`` settings -> ``MqttOptions``.

Used by ``tedge-mapper``, ``tedge-agent`` and the CLI commands that talk to the local broker
(``tedge connect`` checks, ``tedge mqtt pub|sub``):

    options = local_broker_options(settings, "tedge-mapper-c8y", clean_session=False, will=will)

TLS is on when ``mqtt.client.auth.ca_file`` or ``ca_dir`` is set (the broker's certificate is checked
against it), with the client certificate ``mqtt.client.auth.cert_file``/``key_file`` if set; a
username comes from ``mqtt.client.auth.username`` and its password from the first line of
``mqtt.client.auth.password_file``.
"""

from __future__ import annotations

from collections.abc import Callable

from c8ylink.core.errors import ConfigError, ConfigNotSetError
from c8ylink.core.mqtt.packets import Will
from c8ylink.core.settings.resolve import Settings
from c8ylink.infra.files import read_text
from c8ylink.infra.net.mqtt_options import MqttOptions
from c8ylink.infra.net.reconnect import ReconnectPolicy


def optional_setting(settings: Settings, name: str, profile: str | None = None) -> str | None:
    """The value of a key as text, ``None`` when it has no value."""
    try:
        value = settings.value(name, profile)
    except ConfigNotSetError:
        return None
    return None if value is None else str(value)


def reconnect_policy(settings: Settings) -> ReconnectPolicy:
    """How the services reconnect to the local broker (``mqtt.client.reconnect_policy.*``)."""

    def seconds(name: str) -> float:
        return float(settings.value(f"mqtt.client.reconnect_policy.{name}").seconds)

    return ReconnectPolicy(seconds("initial_interval"), seconds("maximum_interval"), seconds("reset_window"))


def local_broker_options(
    settings: Settings,
    client_id: str,
    *,
    clean_session: bool = True,
    will: Will | None = None,
    keepalive: int = 60,
    connect_timeout: float = 60.0,
    read_file: Callable[[str], str | None] = read_text,
) -> MqttOptions:
    username = optional_setting(settings, "mqtt.client.auth.username")
    password = None
    password_file = optional_setting(settings, "mqtt.client.auth.password_file")
    if password_file is not None:
        text = read_file(password_file)
        if text is None:
            raise ConfigError(
                f"The MQTT password file {password_file} (mqtt.client.auth.password_file) does not exist"
            )
        password = text.splitlines()[0] if text else ""
    return MqttOptions(
        host=str(settings.value("mqtt.client.host")),
        port=int(settings.value("mqtt.client.port")),
        client_id=client_id,
        clean_session=clean_session,
        keepalive=keepalive,
        username=username,
        password=password,
        ca_file=optional_setting(settings, "mqtt.client.auth.ca_file"),
        ca_dir=optional_setting(settings, "mqtt.client.auth.ca_dir"),
        cert_file=optional_setting(settings, "mqtt.client.auth.cert_file"),
        key_file=optional_setting(settings, "mqtt.client.auth.key_file"),
        will=will,
        connect_timeout=connect_timeout,
    )
