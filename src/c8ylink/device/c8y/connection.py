"""What a Cumulocity connection needs from the settings, checked before anything is done (pure).

``build_c8y_connection`` reads the values ``tedge connect c8y`` depends on for one profile and raises the
error a user must fix first: a missing ``c8y.url`` (``ConfigNotSetError``, the text the user docs show),
an unreadable device id, or two profiles that would collide (tedge.md §1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from c8ylink.core.errors import ConfigError
from c8ylink.core.settings.hosts import HostPort
from c8ylink.core.settings.resolve import Settings

GROUP = "c8y"


@dataclass(frozen=True, slots=True)
class C8yConnection:
    profile: str | None
    url: str
    http: HostPort
    mqtt: HostPort
    device_id: str
    auth: str  # "certificate" or "basic" (auto resolved)
    cert_path: str
    key_path: str
    credentials_path: str
    root_cert_path: str
    topic_prefix: str
    built_in_bridge: bool

    @property
    def profile_label(self) -> str:
        return self.profile or "<none>"


def build_c8y_connection(
    settings: Settings, profile: str | None, *, path_exists: Callable[[str], bool]
) -> C8yConnection:
    """The connection settings of ``profile`` (``None``: the default one).

    ``path_exists`` tells whether the credentials file exists (``c8y.auth_method = auto``).
    """

    def get(name: str) -> object:
        return settings.value(name, profile)

    url = str(get("c8y.url"))
    auth = str(get("c8y.auth_method"))
    credentials_path = str(get("c8y.credentials_path"))
    if auth == "auto":
        auth = "basic" if path_exists(credentials_path) else "certificate"
    http, mqtt = get("c8y.http"), get("c8y.mqtt")
    assert isinstance(http, HostPort) and isinstance(mqtt, HostPort)
    connection = C8yConnection(
        profile=profile,
        url=url,
        http=http,
        mqtt=mqtt,
        device_id=str(get("c8y.device.id")),
        auth=auth,
        cert_path=str(get("c8y.device.cert_path")),
        key_path=str(get("c8y.device.key_path")),
        credentials_path=credentials_path,
        root_cert_path=str(get("c8y.root_cert_path")),
        topic_prefix=str(get("c8y.bridge.topic_prefix")),
        built_in_bridge=bool(settings.value("mqtt.bridge.built_in")),
    )
    check_profiles_distinct(settings, profile)
    return connection


def check_profiles_distinct(settings: Settings, profile: str | None) -> None:
    """Refuse two configured profiles that share (url and device id), the topic prefix or the proxy port."""
    others = [p for p in (None, *settings.profile_names(GROUP)) if p != profile and _configured(settings, p)]
    for other in others:
        for names in (("c8y.url", "c8y.device.id"), ("c8y.bridge.topic_prefix",), ("c8y.proxy.bind.port",)):
            if all(_same(settings, name, profile, other) for name in names):
                keys = [settings.schema.ref(name, p).name for name in names for p in (profile, other)]
                raise ConfigError(
                    f"The configurations: {', '.join(keys)} should be set to different values before "
                    "connecting, but are currently set to the same value"
                )


def _configured(settings: Settings, profile: str | None) -> bool:
    try:
        settings.value("c8y.url", profile)
    except ConfigError:
        return False
    return True


def _same(settings: Settings, name: str, first: str | None, second: str | None) -> bool:
    try:
        return bool(settings.value(name, first) == settings.value(name, second))
    except ConfigError:
        return False
