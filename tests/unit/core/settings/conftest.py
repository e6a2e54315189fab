"""A small schema for engine tests: plain keys, a multi group with profiles, derived and read-only keys."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from c8ylink.core.settings.durations import DurationType
from c8ylink.core.settings.errors import DerivationSourceMissing
from c8ylink.core.settings.hosts import ConnectUrlType, HostPortType
from c8ylink.core.settings.resolve import Settings, build_settings
from c8ylink.core.settings.schema import Derived, FromKey, InConfigDir, Key, Literal, Schema
from c8ylink.core.settings.types import BoolType, IntType, StrListType, StrType

PORT = IntType(minimum=1, maximum=65535)

SCHEMA = Schema(
    keys=(
        Key("device.id", StrType(), "Device id", ("dev-1",),
            derived=Derived("cn", "device.cert_path", "Create a certificate first.",
                            "'{key}' comes from {source} ('{value}')")),
        Key("device.cert_path", StrType(), "Certificate", default=InConfigDir("certs/cert.pem")),
        Key("device.serial", StrType(), "Serial number", readonly=True,
            write_error="The serial is burnt in."),
        Key("cloud.url", ConnectUrlType(key="cloud.url"), "Cloud domain", ("cloud.example.com",)),
        Key("cloud.mqtt", HostPortType(default_port=8883), "MQTT endpoint", default=FromKey("cloud.url")),
        Key("cloud.topics", StrListType(), "Topics", ("a,b",), default=Literal("x,y")),
        Key("cloud.device.id", StrType(), "Cloud device id", default=FromKey("device.id"),
            derived=Derived("cn", "cloud.device.cert_path", "Create a certificate first.")),
        Key("cloud.device.cert_path", StrType(), "Cloud certificate", default=FromKey("device.cert_path")),
        Key("cloud.bridge.keepalive", DurationType(), "Keepalive", ("60s",), default=Literal("60s")),
        Key("broker.bind.port", PORT, "Port", ("1883",), default=Literal("1883"),
            deprecated=("broker.port",)),
        Key("broker.client.port", PORT, "Client port", default=FromKey("broker.bind.port")),
        Key("broker.enabled", BoolType(), "Enabled", note="A note.", default=Literal("true")),
    ),
    multi=("cloud",),
    moved={"broker.bind_port_v1": "broker.bind.port"},
    marker=("config.version", "2"),
    unknown_key="Unknown test config key: '{key}'",
    env_prefix="TEST_",
    env_ignore=frozenset({"CONFIG_DIR"}),
)  # fmt: skip


def cn_from(certificates: Mapping[str, str]) -> Any:
    def derive(path: str) -> str:
        if path not in certificates:
            raise DerivationSourceMissing(f"{path} does not exist")
        return certificates[path]

    return derive


SettingsFactory = Callable[..., Settings]


def make_settings(
    data: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    certificates: Mapping[str, str] | None = None,
) -> Settings:
    """Settings of the test schema from a parsed file, an environment and certificate CNs by path."""
    return build_settings(
        SCHEMA,
        file_data=data,
        file_name="/etc/test/test.toml",
        env=env or {},
        config_dir="/etc/test",
        cwd="/home/user",
        derivers={"cn": cn_from(certificates or {})},
    )


@pytest.fixture
def schema() -> Schema:
    return SCHEMA


@pytest.fixture
def settings_from() -> SettingsFactory:
    return make_settings
