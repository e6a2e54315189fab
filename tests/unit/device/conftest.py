"""Helpers for the device tests: settings from a tedge.toml text (no files read), and the connect
configuration ``tedge connect c8y`` would work from."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from c8ylink.core.settings.errors import DerivationSourceMissing
from c8ylink.core.settings.resolve import Settings, build_settings
from c8ylink.device.c8y.connection import build_c8y_connection
from c8ylink.device.config.settings import TEDGE
from c8ylink.device.connect.bridge import BasicAuth
from c8ylink.device.connect.config import ConnectConfig, build_connect_config
from c8ylink.device.connect.mosquitto import MosquittoVersion

MOSQUITTO_2 = MosquittoVersion("2.0.18")
SettingsOf = Callable[..., Settings]
ConfigOf = Callable[..., ConnectConfig]


def _no_certificate(path: Any) -> str:
    raise DerivationSourceMissing(str(path))


@pytest.fixture
def settings_of() -> SettingsOf:
    def build(toml: str, env: dict[str, str] | None = None) -> Settings:
        return build_settings(
            TEDGE,
            file_data=tomllib.loads(toml),
            file_name="/etc/tedge/tedge.toml",
            env=env or {},
            config_dir="/etc/tedge",
            derivers={"certificate_cn": _no_certificate},
        )

    return build


@pytest.fixture
def connect_config() -> ConfigOf:
    def build(
        settings: Settings,
        profile: str | None = None,
        *,
        version: MosquittoVersion | None = MOSQUITTO_2,
        credentials: BasicAuth | None = None,
        root_cert_is_dir: bool = True,
    ) -> ConnectConfig:
        connection = build_c8y_connection(settings, profile, path_exists=lambda _: False)
        return build_connect_config(
            settings,
            connection,
            config_dir="/etc/tedge",
            credentials=credentials,
            mosquitto_version=version,
            root_cert_is_dir=root_cert_is_dir,
        )

    return build
