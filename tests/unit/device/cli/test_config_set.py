"""`tedge config set`: typed values written to tedge.toml, and one test per kind of bad input."""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Tedge = Callable[..., Result]


def stored(config_dir: Path) -> dict[str, object]:
    return tomllib.loads((config_dir / "tedge.toml").read_text())


def failure(key: str, value: str, *causes: str) -> str:
    lines = [f"Error: failed to set the configuration key: '{key}' with value: {value}.", "", "Caused by:"]
    if len(causes) == 1:
        lines += ["    " + line for line in causes[0].splitlines()]
    else:
        lines += [f"    {n}: {cause}" for n, cause in enumerate(causes)]
    return "\n".join(lines) + "\n"


def test_set_creates_the_file_with_the_version_marker(tedge: Tedge, config_dir: Path) -> None:
    result = tedge("config", "set", "c8y.url", "mytenant.cumulocity.com")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert (config_dir / "tedge.toml").read_text() == (
        '[config]\nversion = "2"\n\n[c8y]\nurl = "mytenant.cumulocity.com"\n'
    )
    assert stat.S_IMODE((config_dir / "tedge.toml").stat().st_mode) == 0o644
    assert tedge("config", "get", "c8y.url").stdout == "mytenant.cumulocity.com\n"


@pytest.mark.parametrize(
    ("key", "value", "toml_path", "stored_value", "shown"),
    [
        ("mqtt.bind.port", "1884", ("mqtt", "bind", "port"), 1884, "1884"),
        ("c8y.smartrest.use_operation_id", "false", ("c8y", "smartrest", "use_operation_id"), False, "false"),
        ("c8y.bridge.keepalive_interval", "90", ("c8y", "bridge", "keepalive_interval"), "90", "90"),
        ("c8y.availability.interval", "1h", ("c8y", "availability", "interval"), "1h", "1h"),
        ("c8y.mqtt", "mqtt.example.com", ("c8y", "mqtt"), "mqtt.example.com", "mqtt.example.com:8883"),
        ("c8y.http", "web.example.com:8443", ("c8y", "http"), "web.example.com:8443", "web.example.com:8443"),
        ("c8y.smartrest.templates", "b, a,,b", ("c8y", "smartrest", "templates"), ["b", "a", "b"],
         '["b", "a", "b"]'),
        ("c8y.auth_method", "basic", ("c8y", "auth_method"), "basic", "basic"),
        ("c8y.root_cert_path", "/etc/tedge/ca.pem", ("c8y", "root_cert_path"), "/etc/tedge/ca.pem",
         "/etc/tedge/ca.pem"),
        ("mqtt.bind.address", "0.0.0.0", ("mqtt", "bind", "address"), "0.0.0.0", "0.0.0.0"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)  # fmt: skip
def test_set_stores_typed_values(
    tedge: Tedge,
    config_dir: Path,
    key: str,
    value: str,
    toml_path: tuple[str, ...],
    stored_value: object,
    shown: str,
) -> None:
    assert tedge("config", "set", key, value).exit_code == 0
    node: object = stored(config_dir)
    for part in toml_path:
        assert isinstance(node, dict)
        node = node[part]
    assert node == stored_value
    assert tedge("config", "get", key).stdout == shown + "\n"


def test_relative_paths_are_made_absolute(
    tedge: Tedge, config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert tedge("config", "set", "device.cert_path", "certs/../certs/device.pem").exit_code == 0
    assert tedge("config", "get", "device.cert_path").stdout == f"{tmp_path}/certs/device.pem\n"


def test_unknown_key(tedge: Tedge, config_dir: Path) -> None:
    result = tedge("config", "set", "c8y.nope", "x")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: invalid value 'c8y.nope' for '<KEY>': Unknown tedge config key: 'c8y.nope'\n\n"
        "For more information, try '--help'.\n"
    )
    assert not (config_dir / "tedge.toml").exists()


URL_ERROR = (
    "Could not parse provided URL: '{}' as a valid domain name. Provided URL should contain only domain, "
    "eg: 'subdomain.cumulocity.com'."
)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("https://mytenant.cumulocity.com", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`"),
        ("mytenant.cumulocity.com:443", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`; to use port 443, "
         "set `c8y.http` or `c8y.mqtt` to "
         "mytenant.cumulocity.com:443"),
        ("mytenant.cumulocity.com/apps", "Hint: give only the domain name, e.g. "
         "`tedge config set c8y.url mytenant.cumulocity.com`"),
    ],
    ids=["scheme", "port", "path"],
)  # fmt: skip
def test_c8y_url_with_scheme_port_or_path(tedge: Tedge, config_dir: Path, value: str, hint: str) -> None:
    result = tedge("config", "set", "c8y.url", value)
    assert result.exit_code == 1
    assert result.stderr == failure("c8y.url", value, f"{URL_ERROR.format(value)}\n{hint}")
    assert not (config_dir / "tedge.toml").exists()


@pytest.mark.parametrize(
    ("key", "value", "cause"),
    [
        ("c8y.smartrest.use_operation_id", "yes", "provided string was not `true` or `false`"),
        ("mqtt.bind.port", "http", "invalid digit found in string"),
        ("mqtt.bind.port", "0", "number would be zero for non-zero type"),
        ("mqtt.external.bind.port", "65536", "number too large to fit in target type"),
        ("c8y.bridge.keepalive_interval", "10x",
         'unknown time unit "x", supported units: ns, us, ms, sec, min, '
         "hours, days, weeks, months, years (and few variations)"),
        ("c8y.mqtt", "host:port", "Could not parse port: invalid digit found in string"),
        ("c8y.auth_method", "token",
         "Failed to parse flag: token. Supported values are: 'certificate', 'basic' "
         "or 'auto'"),
        ("c8y.operations.auto_log_upload", "sometimes",
         "Failed to parse flag: sometimes. Supported values are: "
         "'never', 'always' or 'on-failure'"),
        ("mqtt.bind.address", "localhost", "invalid IP address syntax"),
        ("c8y.bridge.topic_prefix", "c8y/#", "Topic prefix cannot contain '#'"),
        ("c8y.mapper.mqtt.max_payload_size", "0",
         "Invalid MQTT payload size limit: 0. Provide a value between 0 "
         "and 268435455 bytes"),
        ("proxy.address", "http://user@proxy:3128",
         "Invalid proxy URL: URL should not contain a username, please "
         "specify this in the dedicated configuration"),
    ],
    ids=["bool", "integer", "nonzero", "too-large", "duration", "host-port", "auth-method", "enum", "ip",
         "topic-prefix", "payload-size", "proxy-url"],
)  # fmt: skip
def test_wrong_type_for_each_value_type(
    tedge: Tedge, config_dir: Path, key: str, value: str, cause: str
) -> None:
    result = tedge("config", "set", key, value)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == failure(key, value, cause)
    assert not (config_dir / "tedge.toml").exists()


def test_failed_set_leaves_the_file_unchanged(tedge: Tedge, config_dir: Path) -> None:
    tedge("config", "set", "mqtt.bind.port", "1884")
    before = (config_dir / "tedge.toml").read_bytes()
    assert tedge("config", "set", "mqtt.bind.port", "nope").exit_code == 1
    assert (config_dir / "tedge.toml").read_bytes() == before


def test_set_of_device_id_that_the_certificate_overrides_is_refused(
    tedge: Tedge, config_dir: Path, make_certificate: Callable[[Path, str], Path]
) -> None:
    cert = make_certificate(config_dir / "device-certs" / "tedge-certificate.pem", "cert-device")
    result = tedge("config", "set", "device.id", "other-device")
    assert result.exit_code == 1
    assert result.stderr == failure(
        "device.id",
        "other-device",
        f"'device.id' is read from the Common Name of the device certificate {cert} ('cert-device'): "
        "a different "
        "value set here would be ignored.\nTo use another device id, create a new certificate: "
        "`tedge cert create --device-id <id>`.",
    )
    assert tedge("config", "set", "device.id", "cert-device").exit_code == 0


def test_device_id_can_be_set_without_certificate(tedge: Tedge) -> None:
    assert tedge("config", "set", "device.id", "basic-auth-device").exit_code == 0
    assert tedge("config", "get", "device.id").stdout == "basic-auth-device\n"


def test_environment_is_ignored_when_writing(tedge: Tedge, config_dir: Path) -> None:
    env = {"TEDGE_C8Y_URL": "env.example.com", "TEDGE_MQTT_BIND_PORT": "not-a-port"}
    assert tedge("config", "set", "c8y.url", "file.example.com", env=env).exit_code == 0
    assert stored(config_dir)["c8y"] == {"url": "file.example.com"}
