"""The mosquitto files of `tedge connect c8y`, from tedge.toml to text: golden files (tedge.md §4)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.settings.resolve import Settings
from c8ylink.device.connect.bridge import (
    BasicAuth,
    bridge_file_name,
    render_bridge_conf,
    render_tedge_mosquitto_conf,
)
from c8ylink.device.connect.config import ConnectConfig, build_listeners
from c8ylink.device.connect.mosquitto import MosquittoVersion

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mosquitto"
MOSQUITTO_2 = MosquittoVersion("2.0.18")
SettingsOf = Callable[..., Settings]
ConfigOf = Callable[..., ConnectConfig]


DEFAULT = """
[device]
id = "my-device"
[c8y]
url = "mytenant.cumulocity.com"
"""

SECOND = """
[device]
id = "main-device"
[c8y]
url = "mytenant.cumulocity.com"
[c8y.profiles.second]
url = "second.example.com"
root_cert_path = "/etc/tedge/second-ca.pem"
auth_method = "basic"
mqtt_service = { enabled = true, topics = ["in/topic", "other/topic"] }
smartrest = { templates = ["tmplA", "tmplB"] }
smartrest1 = { templates = ["legacy1"] }
device = { id = "second-device" }
bridge = { topic_prefix = "c8y-second", keepalive_interval = "30s" }
proxy = { bind = { port = 8002 } }
"""


def test_default_bridge_file_as_upstream_writes_it(settings_of: SettingsOf, connect_config: ConfigOf) -> None:
    config = connect_config(settings_of(DEFAULT))
    assert config.bridge.file_name == "c8y-bridge.conf"
    assert render_bridge_conf(config.bridge) == (FIXTURES / "c8y-bridge.conf").read_text()


def test_profile_with_basic_auth_file_cafile_templates_and_mqtt_service(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    config = connect_config(
        settings_of(SECOND),
        "second",
        credentials=BasicAuth("t42/device_second", "s3cr3t"),
        root_cert_is_dir=False,
        version=None,  # mosquitto < 2 (undetected): no local_cleansession line
    )
    assert config.bridge.file_name == "c8y@second-bridge.conf"
    assert config.bridge_path == "/etc/tedge/mosquitto-conf/c8y@second-bridge.conf"
    assert render_bridge_conf(config.bridge) == (FIXTURES / "c8y@second-bridge.conf").read_text()


@pytest.mark.parametrize(
    ("setting", "version", "emitted"),
    [
        ("auto", MOSQUITTO_2, True),
        ("auto", MosquittoVersion("1.6.9"), False),
        ("auto", None, False),
        ("true", None, True),
        ("false", MOSQUITTO_2, False),
    ],
)
def test_local_cleansession_follows_the_setting_and_the_mosquitto_version(
    settings_of: SettingsOf,
    connect_config: ConfigOf,
    setting: str,
    version: MosquittoVersion | None,
    emitted: bool,
) -> None:
    settings = settings_of(DEFAULT, {"TEDGE_C8Y_BRIDGE_INCLUDE_LOCAL_CLEANSESSION": setting})
    text = render_bridge_conf(connect_config(settings, version=version).bridge)
    assert ("local_cleansession false\n" in text) is emitted


@pytest.mark.parametrize(
    ("setting", "version", "clean"),
    [
        ("auto", MosquittoVersion("2.0.11"), False),  # Debian 12: mosquitto#2604
        ("auto", MosquittoVersion("2.0.14"), False),
        ("auto", MosquittoVersion("2.0.15"), True),
        ("auto", MosquittoVersion("2.1.2"), True),
        ("auto", MosquittoVersion("1.6.9"), True),  # no local session kept: nothing to lose
        ("false", MosquittoVersion("2.0.11"), True),
        ("true", None, True),  # version not asked for: upstream's file
    ],
)
def test_a_broker_that_forgets_a_clean_bridge_queue_gets_a_persistent_cloud_session(
    settings_of: SettingsOf,
    connect_config: ConfigOf,
    setting: str,
    version: MosquittoVersion | None,
    clean: bool,
) -> None:
    """What mosquitto < 2.0.15 acknowledged and queued for the cloud survives its SIGKILL only when the
    bridge's cloud session is persistent too (tests/e2e/faults measures it)."""
    settings = settings_of(DEFAULT, {"TEDGE_C8Y_BRIDGE_INCLUDE_LOCAL_CLEANSESSION": setting})
    text = render_bridge_conf(connect_config(settings, version=version).bridge)
    assert f"cleansession {'true' if clean else 'false'}\n" in text
    assert text.count("\ncleansession ") == 1


def test_custom_mqtt_port_is_kept_with_the_mqtt_service(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    settings = settings_of(DEFAULT + 'mqtt = "mqtt.example.com:1234"\nmqtt_service = { enabled = true }\n')
    assert connect_config(settings).bridge.address == "mqtt.example.com:1234"


def test_topic_root_and_device_topic_id_shape_the_health_topic(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    settings = settings_of(DEFAULT + '[mqtt]\ntopic_root = "edge"\ndevice_topic_id = "device/gw//"\n')
    assert connect_config(settings).bridge.notification_topic == (
        "edge/device/gw/service/mosquitto-c8y-bridge/status/health"
    )


def test_the_password_is_not_in_the_repr() -> None:
    assert "s3cr3t" not in repr(BasicAuth("t/u", "s3cr3t"))


def test_bridge_file_names() -> None:
    assert bridge_file_name(None) == "c8y-bridge.conf"
    assert bridge_file_name("second") == "c8y@second-bridge.conf"


def test_listener_file_by_default(settings_of: SettingsOf) -> None:
    internal, external = build_listeners(settings_of(DEFAULT))
    expected = (FIXTURES / "tedge-mosquitto.conf").read_text()
    assert render_tedge_mosquitto_conf(internal, external) == expected


def test_listener_file_with_an_external_listener(settings_of: SettingsOf) -> None:
    settings = settings_of(
        DEFAULT
        + """
[mqtt.bind]
port = 1884
address = "192.168.1.2"
[mqtt.external]
bind = { port = 8883, address = "0.0.0.0", interface = "wlan0" }
ca_path = "/etc/ssl/certs"
cert_file = "/etc/tedge/device-certs/tedge-certificate.pem"
key_file = "/etc/tedge/device-certs/tedge-private-key.pem"
"""
    )
    internal, external = build_listeners(settings)
    expected = (FIXTURES / "tedge-mosquitto-external.conf").read_text()
    assert render_tedge_mosquitto_conf(internal, external) == expected


def test_external_listener_without_a_ca_accepts_anonymous_clients(settings_of: SettingsOf) -> None:
    settings = settings_of(DEFAULT + "[mqtt.external.bind]\nport = 8883\n")
    internal, external = build_listeners(settings)
    text = render_tedge_mosquitto_conf(internal, external)
    assert text.endswith("listener 8883 \nallow_anonymous true\nrequire_certificate false\n")


def test_missing_url_is_reported_before_any_file_is_rendered(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    with pytest.raises(C8yLinkError, match=r"Required configuration item is not provided 'c8y.url'"):
        connect_config(settings_of('[device]\nid = "x"\n'))
