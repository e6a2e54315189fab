"""The mapper's configuration, the local broker options and the proxy URL, all from tedge settings."""

from __future__ import annotations

from typing import Any

import pytest

from c8ylink.core.errors import ConfigError, ConfigNotSetError
from c8ylink.core.settings.resolve import Settings, build_settings
from c8ylink.core.topics import EntityTopicId
from c8ylink.device.c8y.proxy import c8y_proxy_url, proxy_binding
from c8ylink.device.config.settings import TEDGE
from c8ylink.device.mapper.config import DEFAULT_TE_TOPICS, MapperConfig, SoftwareManagementApi
from c8ylink.device.mapper.settings import build_mapper_config
from c8ylink.device.mqtt.local_broker import local_broker_options

BASE = {"device": {"id": "dev1"}, "c8y": {"url": "t.example.com"}}


def settings(data: dict[str, Any], env: dict[str, str] | None = None) -> Settings:
    return build_settings(
        TEDGE, file_data=data, file_name="tedge.toml", env=env or {}, config_dir="/etc/tedge"
    )


def test_defaults_are_thin_edges() -> None:
    config = build_mapper_config(settings(BASE))
    assert config == MapperConfig(
        device_id="dev1", c8y_http_host="t.example.com", te_topics=DEFAULT_TE_TOPICS
    )


def test_every_setting_reaches_the_config() -> None:
    data = {
        "device": {"id": "dev1", "type": "gateway"},
        "mqtt": {"topic_root": "tex", "device_topic_id": "device/gw//"},
        "service": {"type": "systemd", "timestamp_format": "rfc-3339"},
        "agent": {"entity_store": {"auto_register": False}},
        "c8y": {
            "url": "t.example.com", "http": "h.example.com:1443", "topics": ["tex/+/+/+/+/m/+", "other/#"],
            "bridge": {"topic_prefix": "c8y-2"}, "smartrest": {"use_operation_id": False,
            "child_device": {"create_with_device_marker": True}}, "enable": {"device_restart": False},
            "mapper": {"mqtt": {"max_payload_size": 1000}},
            "availability": {"enable": False, "interval": "90m"},
            "software_management": {"api": "advanced", "with_types": True},
            "proxy": {"client": {"host": "tedge-host", "port": 9001}},
        },
    }  # fmt: skip
    config = build_mapper_config(settings(data), agent_version="1.0")
    assert (config.device_type, config.topic_root, config.device_topic_id) == (
        "gateway", "tex", EntityTopicId("device/gw//"),
    )  # fmt: skip
    assert (config.service_type, config.auto_register, config.topic_prefix) == ("systemd", False, "c8y-2")
    assert config.timestamp_format == "rfc-3339"
    assert (config.use_operation_id, config.create_with_device_marker) == (False, True)
    assert config.enable.device_restart is False and config.enable.software_update is True
    assert (config.max_payload_size, config.availability_enabled, config.availability_interval_minutes) == (
        1000, False, 90,
    )  # fmt: skip
    assert config.software_management_api is SoftwareManagementApi.ADVANCED and config.software_with_types
    assert (config.c8y_http_host, config.proxy_url) == ("h.example.com", "http://tedge-host:9001")
    assert config.te_topics == ("+/+/+/+/m/+", "other/#")
    assert config.agent_version == "1.0"


def test_the_device_id_is_required() -> None:
    with pytest.raises(ConfigError, match="device id"):
        build_mapper_config(settings({"c8y": {"url": "t.example.com"}}))
    with pytest.raises(ConfigNotSetError, match=r"c8y\.url"):
        build_mapper_config(settings({"device": {"id": "dev1"}}))


def test_profiles_have_their_own_prefix_and_proxy() -> None:
    data = {
        **BASE,
        "c8y": {
            "url": "t.example.com",
            "profiles": {
                "second": {
                    "url": "u.example.com",
                    "bridge": {"topic_prefix": "c8y-second"},
                    "proxy": {"bind": {"port": 8002}},
                }
            },
        },
    }
    config = build_mapper_config(settings(data), "second")
    assert (config.topic_prefix, config.c8y_http_host, config.proxy_url) == (
        "c8y-second", "u.example.com", "http://127.0.0.1:8002",
    )  # fmt: skip
    assert c8y_proxy_url(settings(data)) == "http://127.0.0.1:8001/c8y"
    assert c8y_proxy_url(settings(data), "second") == "http://127.0.0.1:8002/c8y"


def test_proxy_url_and_binding() -> None:
    data = {**BASE, "c8y": {"url": "t.example.com", "proxy": {
        "bind": {"address": "0.0.0.0", "port": 8443}, "client": {"host": "::1"},
        "cert_path": "/etc/tedge/proxy.pem", "key_path": "/etc/tedge/proxy.key"}}}  # fmt: skip
    assert c8y_proxy_url(settings(data)) == "https://[::1]:8443/c8y"
    binding = proxy_binding(settings(data))
    assert (binding.address, binding.port, binding.uses_tls, binding.ca_path) == ("0.0.0.0", 8443, True, None)


def test_local_broker_options() -> None:
    data = {"mqtt": {"client": {"host": "broker", "port": 8884, "auth": {
        "ca_file": "/ca.pem", "cert_file": "/c.pem", "key_file": "/k.pem", "username": "me",
        "password_file": "/pw"}}}}  # fmt: skip
    options = local_broker_options(settings(data), "tedge-agent", read_file=lambda path: "s3cret\nignored\n")
    assert (options.host, options.port, options.client_id) == ("broker", 8884, "tedge-agent")
    assert (options.ca_file, options.cert_file, options.key_file, options.uses_tls) == (
        "/ca.pem", "/c.pem", "/k.pem", True,
    )  # fmt: skip
    assert (options.username, options.password) == ("me", "s3cret")
    assert "s3cret" not in repr(options)
    plain = local_broker_options(settings({"mqtt": {"bind": {"port": 1884}}}), "x")
    assert (plain.host, plain.port, plain.uses_tls, plain.username) == ("127.0.0.1", 1884, False, None)


def test_a_missing_password_file_is_a_config_error() -> None:
    data = {"mqtt": {"client": {"auth": {"username": "me", "password_file": "/missing"}}}}
    with pytest.raises(ConfigError, match="/missing"):
        local_broker_options(settings(data), "x", read_file=lambda path: None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"c8y": {"topics": ["te/+/+/+/+/m/+", "te/#/m"]}},
         "Invalid c8y.topics: 'te/#/m' is not a topic filter: '#' must be a whole level, the last one"),
        ({"c8y": {"topics": ["te/+/+/+/+/m/env+"]}},
         "Invalid c8y.topics: 'te/+/+/+/+/m/env+' is not a topic filter: '+' must be a whole level"),
        ({"mqtt": {"topic_root": "te/#"}},
         "Invalid mqtt.topic_root: 'te/#' cannot be a topic root: give a topic without '+' or '#', e.g. te"),
    ],
    ids=["hash-not-last", "plus-in-a-level", "wildcard-root"],
)  # fmt: skip
def test_topics_a_broker_would_refuse_stop_the_mapper_before_it_connects(
    data: dict[str, Any], message: str
) -> None:
    # mosquitto drops a client that subscribes to an invalid filter: the mapper would reconnect forever
    merged = {**BASE, **data, "c8y": {**BASE["c8y"], **data.get("c8y", {})}}
    with pytest.raises(ConfigError) as raised:
        build_mapper_config(settings(merged))
    assert str(raised.value) == message
