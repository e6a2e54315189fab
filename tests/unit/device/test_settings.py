"""Tests derived from the TEDGE schema data: every example and default parses and round-trips, and every
key of reference tedge.md §1.6 is declared."""

from __future__ import annotations

import pytest

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.settings.resolve import build_settings
from c8ylink.core.settings.schema import Key
from c8ylink.core.settings.types import ParseContext
from c8ylink.device.config.settings import TEDGE

CTX = ParseContext(cwd="/")
KEYS = {key.name: key for key in TEDGE.keys}
EXAMPLES = [(key, example) for key in TEDGE.keys for example in key.examples]

# tedge.md §1.6 (Keys relevant to a Cumulocity connection), expanded
REFERENCE_KEYS = """
device.id device.type device.cert_path device.key_path device.csr_path device.key_uri device.key_pin
device.cryptoki.mode device.cryptoki.module_path device.cryptoki.pin device.cryptoki.socket_path
certificate.validity.requested_duration certificate.validity.minimum_duration certificate.organization
certificate.organization_unit
c8y.url c8y.http c8y.mqtt c8y.root_cert_path c8y.auth_method c8y.credentials_path
c8y.device.id c8y.device.cert_path c8y.device.key_path c8y.device.csr_path c8y.device.key_uri
c8y.device.key_pin
c8y.bridge.topic_prefix c8y.bridge.keepalive_interval c8y.bridge.include.local_cleansession
c8y.smartrest.templates c8y.smartrest1.templates c8y.smartrest.use_operation_id
c8y.smartrest.child_device.create_with_device_marker c8y.mqtt_service.enabled c8y.mqtt_service.topics
mqtt.bridge.built_in mqtt.bridge.reconnect_policy.initial_interval
mqtt.bridge.reconnect_policy.maximum_interval
mqtt.bridge.reconnect_policy.reset_window
mqtt.bind.address mqtt.bind.port mqtt.bind.enabled mqtt.client.host mqtt.client.port
mqtt.client.auth.ca_file mqtt.client.auth.ca_dir mqtt.client.auth.cert_file mqtt.client.auth.key_file
mqtt.client.auth.username mqtt.client.auth.password_file
mqtt.external.bind.port mqtt.external.bind.address mqtt.external.bind.interface mqtt.external.ca_path
mqtt.external.cert_file mqtt.external.key_file mqtt.topic_root mqtt.device_topic_id
c8y.proxy.bind.address c8y.proxy.bind.port c8y.proxy.client.host c8y.proxy.client.port c8y.proxy.cert_path
c8y.proxy.key_path c8y.proxy.ca_path proxy.address proxy.username proxy.password proxy.no_proxy
c8y.topics c8y.enable.log_upload c8y.enable.config_snapshot c8y.enable.config_update
c8y.enable.firmware_update c8y.enable.device_profile c8y.enable.device_restart c8y.enable.software_update
c8y.mapper.mqtt.max_payload_size c8y.software_management.api c8y.software_management.with_types
c8y.operations.auto_log_upload c8y.availability.enable c8y.availability.interval
agent.entity_store.auto_register service.type run.log_memory_interval
tmp.path logs.path data.path agent.state.path agent.enable.config_update agent.enable.config_snapshot
agent.enable.log_upload agent.entity_store.clean_start software.plugin.default software.plugin.max_packages
software.plugin.include software.plugin.exclude apt.name apt.maintainer apt.dpk.options.config sudo.enable
http.cert_path http.key_path http.ca_path http.client.auth.cert_file http.client.auth.key_file
firmware.child.update.timeout service.timestamp_format device.cryptoki.uri diag.plugin_paths
log.plugin_paths configuration.plugin_paths
""".split()  # noqa: SIM905


def test_every_reference_key_is_declared() -> None:
    assert sorted(set(REFERENCE_KEYS) - set(KEYS)) == []


@pytest.mark.parametrize(("key", "example"), EXAMPLES, ids=[f"{k.name}={e}" for k, e in EXAMPLES])
def test_every_example_parses_and_round_trips(key: Key, example: str) -> None:
    value = key.type.parse(example, CTX)
    assert key.type.parse(key.type.to_text(value), CTX) == value
    assert key.type.from_toml(key.type.to_toml(value), CTX) == value


@pytest.mark.parametrize("key", TEDGE.keys, ids=[k.name for k in TEDGE.keys])
def test_every_key_has_a_doc_and_a_working_default(key: Key) -> None:
    assert key.doc and not key.doc.endswith(".")
    assert key.examples or key.secret, f"{key.name} has no example"
    settings = build_settings(TEDGE, file_data=None, file_name="tedge.toml", env={}, config_dir="/etc/tedge")
    if (
        key.default is not None
        and key.derived is None
        and key.name not in ("c8y.http", "c8y.mqtt", "c8y.mtls")
    ):
        settings.value(key.name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("device.cert_path", "/etc/tedge/device-certs/tedge-certificate.pem"),
        ("device.key_path", "/etc/tedge/device-certs/tedge-private-key.pem"),
        ("device.csr_path", "/etc/tedge/device-certs/tedge.csr"),
        ("device.type", "thin-edge.io"),
        ("certificate.validity.requested_duration", "365d"),
        ("certificate.validity.minimum_duration", "30d"),
        ("certificate.organization", "Thin Edge"),
        ("certificate.organization_unit", "Device"),
        ("c8y.root_cert_path", "/etc/ssl/certs"),
        ("c8y.auth_method", "certificate"),
        ("c8y.credentials_path", "/etc/tedge/credentials.toml"),
        ("c8y.bridge.topic_prefix", "c8y"),
        ("c8y.bridge.keepalive_interval", "60s"),
        ("c8y.smartrest.use_operation_id", "true"),
        ("c8y.mapper.mqtt.max_payload_size", "16184"),
        ("c8y.availability.interval", "60m"),
        ("c8y.operations.auto_log_upload", "on-failure"),
        ("mqtt.bind.port", "1883"),
        ("mqtt.client.port", "1883"),
        ("mqtt.topic_root", "te"),
        ("mqtt.device_topic_id", "device/main//"),
        ("mqtt.bridge.built_in", "false"),
        ("c8y.proxy.bind.port", "8001"),
        ("c8y.proxy.client.port", "8001"),
        ("service.type", "service"),
        ("run.log_memory_interval", "0"),
        ("c8y.smartrest.templates", "[]"),
        ("tmp.path", "/tmp"),
        ("logs.path", "/var/log/tedge"),
        ("data.path", "/var/tedge"),
        ("agent.state.path", "/data/tedge/agent"),
        ("agent.enable.config_update", "true"),
        ("agent.enable.log_upload", "true"),
        ("software.plugin.max_packages", "1000"),
        ("apt.dpk.options.config", "keepold"),
        ("sudo.enable", "true"),
        ("firmware.child.update.timeout", "1h"),
        ("service.timestamp_format", "unix"),
        ("log.plugin_paths", '["/usr/share/tedge/log-plugins"]'),
    ],
)
def test_upstream_defaults(name: str, expected: str) -> None:
    settings = build_settings(TEDGE, file_data=None, file_name="tedge.toml", env={}, config_dir="/etc/tedge")
    assert settings.display(TEDGE.ref(name)) == expected


def test_c8y_device_paths_default_to_the_device_ones_for_every_profile() -> None:
    settings = build_settings(
        TEDGE,
        file_data={"device": {"cert_path": "/certs/a.pem"}, "c8y": {"profiles": {"second": {}}}},
        file_name="tedge.toml",
        env={},
        config_dir="/etc/tedge",
    )
    assert settings.value("c8y.device.cert_path") == "/certs/a.pem"
    assert settings.value("c8y.device.cert_path", "second") == "/certs/a.pem"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"url": "t.example.com"}, "t.example.com:8443"),
        ({"url": "t.example.com", "http": "custom.example.com"}, "custom.example.com:8443"),
        # an explicit HTTPS port is not the mutual-TLS port: only the host is taken
        ({"url": "t.example.com", "http": "custom.example.com:443"}, "custom.example.com:8443"),
        ({"url": "127.0.0.1", "http": "127.0.0.1:34001", "mtls": "127.0.0.1:34002"}, "127.0.0.1:34002"),
    ],
    ids=["url", "custom-http", "http-with-port", "explicit"],
)
def test_mtls_endpoint_is_the_http_host_on_port_8443(values: dict[str, str], expected: str) -> None:
    settings = build_settings(
        TEDGE, file_data={"c8y": values}, file_name="tedge.toml", env={}, config_dir="/etc/tedge"
    )
    assert str(settings.value("c8y.mtls")) == expected


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("service.timestamp_format", "iso", "Supported values are: rfc-3339, unix"),
        ("apt.dpk.options.config", "keepboth", "Supported values are: keepold, keepnew"),
        ("software.plugin.max_packages", "-1", ""),
        ("sudo.enable", "maybe", ""),
    ],
)
def test_new_keys_refuse_bad_values(name: str, value: str, error: str) -> None:
    with pytest.raises(C8yLinkError) as caught:
        KEYS[name].type.parse(value, CTX)
    assert error in str(caught.value)


def test_entity_store_keys_under_c8y_still_work_as_their_old_names() -> None:
    data = {"c8y": {"entity_store": {"auto_register": False}}}
    settings = build_settings(TEDGE, file_data=data, file_name="tedge.toml", env={}, config_dir="/etc/tedge")
    assert settings.value("agent.entity_store.auto_register") is False
