"""Everything ``tedge connect c8y`` works from, resolved from the settings once (pure).

``build_connect_config`` takes the settings, the profile and what had to be read from the machine
(the credentials file for basic auth, the detected mosquitto version, whether ``c8y.root_cert_path`` is
a directory) and returns a ``ConnectConfig``: the connection (``c8y_connection``), the bridge file and
local listener specs (``bridge``), how tedge's own MQTT clients reach the local broker, and what the
summary block shows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from c8ylink.core.errors import ConfigNotSetError
from c8ylink.core.settings.resolve import Settings
from c8ylink.core.topics import EntityTopicId
from c8ylink.device.c8y.connection import C8yConnection
from c8ylink.device.connect.bridge import (
    MOSQUITTO_CONF_DIR,
    MQTT_SERVICE_PORT,
    BasicAuth,
    BridgeSpec,
    ListenerSpec,
    bridge_service_name,
    external_listener,
)
from c8ylink.device.connect.mosquitto import MosquittoVersion

DEFAULT_MQTT_PORT = 8883


@dataclass(frozen=True, slots=True)
class LocalBroker:
    """Where tedge's own clients reach the local broker (``mqtt.client.*``; ``device.mqtt.local_broker``
    builds the full client options, TLS and credentials included)."""

    host: str
    port: int


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """How ``tedge connect`` checks the bridge (``c8y.connection_check.*``): the number of checks, how
    long each waits for Cumulocity (seconds), and the wait before the second check (doubling after)."""

    attempts: int = 3
    timeout: float = 10.0
    retry_interval: float = 2.0


@dataclass(frozen=True, slots=True)
class ConnectConfig:
    config_dir: str
    connection: C8yConnection
    bridge: BridgeSpec
    device_type: str
    bind_enabled: bool
    internal_listener: ListenerSpec
    external_listener: ListenerSpec
    local: LocalBroker
    topic_root: str
    cryptoki_mode: str
    key_uri: str | None
    proxy: str | None  # the proxy URL with its password masked, when one is configured
    mosquitto_version: MosquittoVersion | None
    credentials: BasicAuth | None
    check: ConnectionCheck = ConnectionCheck()

    @property
    def mosquitto_conf_dir(self) -> str:
        return os.path.join(self.config_dir, MOSQUITTO_CONF_DIR)

    @property
    def bridge_path(self) -> str:
        return os.path.join(self.mosquitto_conf_dir, self.bridge.file_name)

    @property
    def profile(self) -> str | None:
        return self.connection.profile

    @property
    def basic_auth(self) -> bool:
        return self.connection.auth == "basic"

    @property
    def cert_path(self) -> str:
        return self.connection.cert_path

    @property
    def new_cert_path(self) -> str:
        return self.connection.cert_path + ".new"

    @property
    def bridge_health_topic(self) -> str:
        return self.bridge.notification_topic


def optional(settings: Settings, name: str, profile: str | None = None) -> Any:
    """The value of ``name``, or ``None`` when it has none."""
    try:
        return settings.value(name, profile)
    except ConfigNotSetError:
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def build_connect_config(
    settings: Settings,
    connection: C8yConnection,
    *,
    config_dir: str,
    credentials: BasicAuth | None,
    mosquitto_version: MosquittoVersion | None,
    root_cert_is_dir: bool,
) -> ConnectConfig:
    profile = connection.profile
    internal, external = build_listeners(settings)
    return ConnectConfig(
        config_dir=config_dir,
        connection=connection,
        bridge=_bridge_spec(settings, connection, credentials, mosquitto_version, root_cert_is_dir),
        device_type=str(settings.value("device.type")),
        bind_enabled=bool(settings.value("mqtt.bind.enabled")),
        internal_listener=internal,
        external_listener=external,
        local=build_local_broker(settings),
        topic_root=str(settings.value("mqtt.topic_root")),
        cryptoki_mode=str(settings.value("device.cryptoki.mode")),
        key_uri=_key_uri(settings, profile),
        proxy=_masked_proxy(settings),
        mosquitto_version=mosquitto_version,
        credentials=credentials,
        check=build_connection_check(settings, profile),
    )


def _restart_seconds(value: Any) -> int | None:
    """``c8y.bridge.restart_timeout`` in whole seconds, at least 1 (mosquitto's ``restart_timeout``)."""
    return None if value is None else max(1, round(value.seconds))


def build_connection_check(settings: Settings, profile: str | None) -> ConnectionCheck:
    return ConnectionCheck(
        attempts=int(settings.value("c8y.connection_check.attempts", profile)),
        timeout=settings.value("c8y.connection_check.timeout", profile).seconds,
        retry_interval=settings.value("c8y.connection_check.retry_interval", profile).seconds,
    )


def build_listeners(settings: Settings) -> tuple[ListenerSpec, ListenerSpec]:
    """The local broker's listener for tedge (``mqtt.bind.*``) and the optional external one."""
    internal = ListenerSpec(
        port=int(settings.value("mqtt.bind.port")), address=str(settings.value("mqtt.bind.address"))
    )
    external = external_listener(
        port=optional(settings, "mqtt.external.bind.port"),
        address=_text(optional(settings, "mqtt.external.bind.address")),
        interface=_text(optional(settings, "mqtt.external.bind.interface")),
        capath=_text(optional(settings, "mqtt.external.ca_path")),
        certfile=_text(optional(settings, "mqtt.external.cert_file")),
        keyfile=_text(optional(settings, "mqtt.external.key_file")),
    )
    return internal, external


def build_local_broker(settings: Settings) -> LocalBroker:
    return LocalBroker(
        host=str(settings.value("mqtt.client.host")), port=int(settings.value("mqtt.client.port"))
    )


def _bridge_spec(
    settings: Settings,
    connection: C8yConnection,
    credentials: BasicAuth | None,
    version: MosquittoVersion | None,
    root_cert_is_dir: bool,
) -> BridgeSpec:
    profile = connection.profile

    def get(name: str) -> Any:
        return settings.value(name, profile)

    mqtt_service = bool(get("c8y.mqtt_service.enabled"))
    port = connection.mqtt.port
    if mqtt_service and port == DEFAULT_MQTT_PORT:
        port = MQTT_SERVICE_PORT
    keeps_local_session = _local_cleansession(str(get("c8y.bridge.include.local_cleansession")), version)
    return BridgeSpec(
        profile=profile,
        address=f"{connection.mqtt.host}:{port}",
        root_cert_path=connection.root_cert_path,
        root_cert_is_dir=root_cert_is_dir,
        remote_clientid=connection.device_id,
        cert_path=connection.cert_path,
        key_path=connection.key_path,
        topic_prefix=connection.topic_prefix,
        notification_topic=bridge_health_topic(settings, connection.topic_prefix),
        keepalive_seconds=int(get("c8y.bridge.keepalive_interval").seconds),
        restart_seconds=_restart_seconds(optional(settings, "c8y.bridge.restart_timeout", profile)),
        local_cleansession=keeps_local_session,
        persistent_session=keeps_local_session and version is not None and not version.restores_bridge_queue,
        basic=credentials if connection.auth == "basic" else None,
        smartrest_templates=tuple(get("c8y.smartrest.templates") or ()),
        smartrest1_templates=tuple(get("c8y.smartrest1.templates") or ()),
        mqtt_service_topics=tuple(get("c8y.mqtt_service.topics") or ()) if mqtt_service else None,
    )


def _key_uri(settings: Settings, profile: str | None) -> str | None:
    return _text(optional(settings, "c8y.device.key_uri", profile) or optional(settings, "device.key_uri"))


def _local_cleansession(setting: str, version: MosquittoVersion | None) -> bool:
    if setting == "auto":
        return version is not None and version.at_least_2
    return setting == "true"


def bridge_health_topic(settings: Settings, topic_prefix: str) -> str:
    """``te/device/main/service/mosquitto-c8y-bridge/status/health``: where mosquitto says 1 or 0."""
    root = str(settings.value("mqtt.topic_root"))
    device = EntityTopicId(str(settings.value("mqtt.device_topic_id"))).default_device_name() or "main"
    return f"{root}/{EntityTopicId.service(bridge_service_name(topic_prefix), device)}/status/health"


def _masked_proxy(settings: Settings) -> str | None:
    address = optional(settings, "proxy.address")
    if address is None:
        return None
    text = str(address).rstrip("/")
    scheme, _, rest = text.partition("://")
    username = optional(settings, "proxy.username")
    if username:
        password = "******" if optional(settings, "proxy.password") else ""
        rest = f"{username}:{password}@{rest}" if password else f"{username}@{rest}"
    return f"{scheme}://{rest}/"
