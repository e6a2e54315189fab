"""Waits and retries from the settings: `tedge connect`'s checks (`c8y.connection_check.*`) and the
services' reconnection to the local broker (`mqtt.client.reconnect_policy.*`)."""

from __future__ import annotations

import io
from typing import Any

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.connect.bridge import render_bridge_conf
from c8ylink.device.connect.config import ConnectConfig, ConnectionCheck
from c8ylink.device.connect.connector import Connector
from c8ylink.device.mqtt.local_broker import reconnect_policy
from c8ylink.infra.cli.steps import Console
from c8ylink.infra.net.reconnect import ReconnectPolicy

from .conftest import ConfigOf, SettingsOf

DEVICE = '[device]\nid = "my-device"\n[c8y]\nurl = "t.example.com"\n'


class FailingChecks:
    def __init__(self) -> None:
        self.checked: list[float] = []

    def create_device(self, config: ConnectConfig, cert_path: str) -> None:
        raise AssertionError("not called")

    def check_connection(self, config: ConnectConfig) -> None:
        self.checked.append(config.check.timeout)
        raise C8yLinkError("Local MQTT publish has timed out")

    def connected_tenant(self, config: ConnectConfig) -> str:
        raise AssertionError("not called")


def connector(
    config: ConnectConfig, checks: FailingChecks, slept: list[float], err: io.StringIO
) -> Connector:
    return Connector(
        config=config,
        services=Any,  # type: ignore[arg-type]
        console=Console(err, color=False, spinner=False),
        checks=checks,
        stdout=print,
        which=lambda _: None,
        sleep=slept.append,
    )


def test_the_defaults_are_thin_edge_s(settings_of: SettingsOf, connect_config: ConfigOf) -> None:
    config = connect_config(settings_of(DEVICE))
    assert config.check == ConnectionCheck(attempts=3, timeout=10.0, retry_interval=2.0)


def test_attempts_timeout_and_interval_come_from_the_settings(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    toml = DEVICE + 'connection_check = { attempts = 4, timeout = "2s", retry_interval = "100ms" }\n'
    config = connect_config(settings_of(toml))
    checks, slept, err = FailingChecks(), [], io.StringIO()
    assert connector(config, checks, slept, err)._check_with_retries() is False
    assert checks.checked == [2.0] * 4
    assert slept == [0.1, 0.2, 0.4]
    assert "Connection test failed, attempt 3 of 4\n" in err.getvalue()


def test_a_profile_and_the_environment_can_set_them(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    toml = DEVICE + '[c8y.profiles.second]\nurl = "s.example.com"\nbridge = { topic_prefix = "c8y-2" }\n'
    toml += "proxy = { bind = { port = 8002 } }\n"
    env = {"TEDGE_C8Y_PROFILES_SECOND_CONNECTION_CHECK_TIMEOUT": "1s"}
    assert connect_config(settings_of(toml, env), "second").check.timeout == 1.0
    assert connect_config(settings_of(toml, env)).check.timeout == 10.0


def test_the_services_reconnect_as_the_settings_say(settings_of: SettingsOf) -> None:
    assert reconnect_policy(settings_of("")) == ReconnectPolicy(initial=1.0, maximum=30.0, stable=10.0)
    env = {
        "TEDGE_MQTT_CLIENT_RECONNECT_POLICY_INITIAL_INTERVAL": "100ms",
        "TEDGE_MQTT_CLIENT_RECONNECT_POLICY_MAXIMUM_INTERVAL": "2s",
    }
    toml = '[mqtt.client.reconnect_policy]\nreset_window = "1m"\n'
    assert reconnect_policy(settings_of(toml, env)) == ReconnectPolicy(0.1, 2.0, 60.0)


def test_the_bridge_waits_mosquitto_s_default_unless_restart_timeout_is_set(
    settings_of: SettingsOf, connect_config: ConfigOf
) -> None:
    assert "restart_timeout" not in render_bridge_conf(connect_config(settings_of(DEVICE)).bridge)
    config = connect_config(settings_of(DEVICE + 'bridge = { restart_timeout = "1500ms" }\n'))
    lines = render_bridge_conf(config.bridge).splitlines()
    assert lines[lines.index("keepalive_interval 60") + 1] == "restart_timeout 2"
