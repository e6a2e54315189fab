"""`tedge connect|disconnect|reconnect c8y` with a real mosquitto under supervisord, without the cloud
(`--offline`), and the faults that stop a connect before it reaches the cloud."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest

from c8ylink.device.connect.bridge import render_bridge_conf

from .conftest import (
    HAS_AGENT,
    HAS_MAPPER,
    MOSQUITTO,
    NO_AGENT,
    SUPERVISORCTL,
    Device,
    as_nobody,
    listening,
    services_lines,
    summary,
)

ALREADY = (
    "Error: failed to connect to Cumulocity cloud.\n\nCaused by:\n    Connection is already established. "
    "To remove the existing connection, run `tedge disconnect c8y` and try again.\n"
)


def test_offline_connect_writes_the_files_and_restarts_mosquitto(running: Device) -> None:
    before = running.pid_of("mosquitto")
    result = running.run("connect", "c8y", "--offline")
    assert (result.returncode, result.stdout) == (0, "" if HAS_AGENT else NO_AGENT), result.stderr
    assert result.stderr == summary(running) + (
        "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        "Restarting mosquitto... ✓\n"
        "Waiting for mosquitto to be listening for connections... ✓\n"
    ) + "".join(services_lines())
    assert running.pid_of("mosquitto") not in (0, before)
    assert listening(running.port)
    bridge = running.bridge_file.read_text()
    assert bridge.startswith("### Bridge\nconnection edge_to_c8y\naddress 127.0.0.1:8883\n")
    assert f"bridge_certfile {running.cert_path}\nbridge_keyfile {running.key_path}\n" in bridge
    assert stat.S_IMODE(running.bridge_file.stat().st_mode) == 0o644
    assert f"listener {running.port} 127.0.0.1\n" in (running.conf_dir / "tedge-mosquitto.conf").read_text()
    if os.geteuid() == 0:  # the broker's user gets the device's files
        assert {running.cert_path.owner(), running.key_path.owner()} == {"mosquitto"}


def test_files_the_broker_cannot_read_are_named_before_mosquitto_restarts(running: Device) -> None:
    """As root, mosquitto drops to the `mosquitto` user: a device directory closed to it would make the
    bridge fail every check with a time-out; connect says which file and which directory instead."""
    if os.geteuid() != 0 or not _user_exists("mosquitto"):
        pytest.skip("only as root, with a mosquitto user, does mosquitto run as another user than tedge")
    running.base.chmod(0o700)
    try:
        result = running.run("connect", "c8y", "--offline")
    finally:
        running.base.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        summary(running) + "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        f"warning: mosquitto runs as the user 'mosquitto', who cannot read {running.cert_path} "
        f"({running.base} is closed to it: e.g. `chmod o+x` a directory, `chmod o+r` a file): the bridge "
        "cannot connect until it can\n"
        "Restarting mosquitto... ✓\n"
    )


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def test_already_connected_as_the_user_docs_show(running: Device) -> None:
    assert running.run("connect", "c8y", "--offline").returncode == 0
    bridge = running.bridge_file.read_text()
    result = running.run("connect", "c8y")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == summary(running) + ALREADY
    assert running.bridge_file.read_text() == bridge


def test_disconnect_removes_the_bridge_and_restarts_mosquitto(running: Device) -> None:
    assert running.run("connect", "c8y", "--offline").returncode == 0
    before = running.pid_of("mosquitto")
    result = running.run("disconnect", "c8y")
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert result.stderr == (
        "Removing bridge config file... ✓\nRestarting mosquitto to apply configuration... ✓\n"
        + ("Disabling tedge-mapper-c8y... ✓\n" if HAS_MAPPER else "")
    )
    assert not running.bridge_file.exists()
    assert (running.conf_dir / "tedge-mosquitto.conf").exists() and running.cert_path.exists()
    assert running.pid_of("mosquitto") not in (0, before)
    again = running.run("disconnect", "c8y")
    assert (again.returncode, again.stdout) == (
        0,
        "Bridge doesn't exist. Device is already disconnected from Cumulocity.\n",
    )


def test_reconnect_replaces_the_bridge(running: Device) -> None:
    assert running.run("connect", "c8y", "--offline").returncode == 0
    running.config("c8y.bridge.keepalive_interval", "30s")
    result = running.run("reconnect", "c8y", "--offline")
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        "Disconnecting from Cumulocity:\nRemoving bridge config file... ✓\n"
        "Restarting mosquitto to apply configuration... ✓\n"
        + ("Disabling tedge-mapper-c8y... ✓\n" if HAS_MAPPER else "")
        + summary(running, title="reconnect to Cumulocity cloud.")
    )
    assert "keepalive_interval 30\n" in running.bridge_file.read_text()
    assert listening(running.port)


def test_the_bridge_file_is_what_the_renderer_writes_for_a_profile(running: Device) -> None:
    running.config("c8y.url", "127.0.0.1")
    for key, value in (
        ("url", "127.0.0.2"),
        ("bridge.topic_prefix", "c8y-second"),
        ("proxy.bind.port", "8002"),
    ):
        assert running.run("config", "set", f"c8y.{key}", value, "--profile", "second").returncode == 0
    result = running.run("connect", "c8y", "--offline", "--profile", "second")
    assert result.returncode == 0, result.stderr
    assert "\tcloud profile: second\n\tcloud host: 127.0.0.2:8883\n" in result.stderr
    text = (running.conf_dir / "c8y@second-bridge.conf").read_text()
    assert "connection edge_to_c8y@second\n" in text and "local_clientid Cumulocity@second\n" in text
    assert 'topic s/us/# out 1 c8y-second/ ""\n' in text
    assert not running.bridge_file.exists()
    assert running.run("disconnect", "c8y", "--profile", "second").returncode == 0
    assert not (running.conf_dir / "c8y@second-bridge.conf").exists()


def test_without_a_running_service_manager_the_services_are_left_to_the_user(device: Device) -> None:
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    device.write_services()  # supervisord not started: `supervisorctl version` fails
    result = device.run("connect", "c8y", "--offline")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "'tedge connect' configured the necessary tedge components, but you will have to start the required "
        "services on your own.\n"
        "Start/restart mosquitto and other thin edge components.\n"
        "thin-edge.io works seamlessly with 'systemd'.\n"
    )
    assert result.stderr.startswith(summary(device))
    assert "warning: 'supervisord' service manager is not available on the system.\n" in result.stderr
    assert device.bridge_file.exists()


def test_a_failing_service_command_cleans_up(device: Device) -> None:
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    device.write_system_toml(restart=["false", "{}"])
    result = device.run("connect", "c8y", "--offline")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == summary(device, service_manager="test-init") + (
        "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        "Restarting mosquitto... ✗\n"
        'error: Service command <"false mosquitto"> failed with code: 1.\n'
        f"Cleaning up {device.bridge_file} due to failure... ✓\n"
    )
    assert not device.bridge_file.exists()


def test_mosquitto_missing_shows_the_user_docs_shape(device: Device) -> None:
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    no_mosquitto = {"PATH": os.pathsep.join(p for p in device.environment()["PATH"].split(os.pathsep)
                                            if not (Path(p) / "mosquitto").exists())}  # fmt: skip
    device.env.update(no_mosquitto)
    device.write_services()  # leaves the mosquitto program out: supervisord does not know it
    device.start_services()
    result = device.run("connect", "c8y", "--offline")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "Failed to detect mosquitto version: assuming mosquitto version < 2.0.0\n"
        + summary(device, version=False)
        + "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        "Restarting mosquitto... ✗\n"
        f'error: Service command <"{SUPERVISORCTL} -c {device.supervisord_conf} stop mosquitto"> failed with '
        "code: 1.\n"
        f"Cleaning up {device.bridge_file} due to failure... ✓\n"
    )
    assert not device.bridge_file.exists()


def test_the_local_broker_port_already_taken(running: Device) -> None:
    running.ctl("stop", "mosquitto")
    with socket.create_server(("127.0.0.1", running.port)):
        result = running.run("connect", "c8y", "--offline")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "Restarting mosquitto... ✗\n"
        f"error: Another program already listens on 127.0.0.1:{running.port}, the port of the local MQTT "
        "broker (mqtt.bind.port): stop it, or choose another port with "
        "`tedge config set mqtt.bind.port <port>`\n"
        f"Cleaning up {running.bridge_file} due to failure... ✓\n"
    )
    assert not running.bridge_file.exists()


def test_unreadable_key_as_the_user_docs_show(device: Device) -> None:
    prefix = as_nobody()
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    device.write_system_toml()
    if not prefix:
        device.key_path.chmod(0)
    result = device.run("connect", "c8y", prefix=prefix)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == summary(device, service_manager="test-init") + (
        "Creating device in Cumulocity cloud... ✗\n"
        f"error: Failed to create TLS client config: Could not access {device.key_path}: "
        "Permission denied (os error 13)\n"
    )
    assert not device.bridge_file.exists()


@pytest.mark.parametrize("mode", [0o555, 0o444], ids=["r-x", "r--"])  # r--: the user doc's `dr--r--r--`
def test_unwritable_mosquitto_conf_dir(device: Device, mode: int) -> None:
    prefix = as_nobody()
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    device.write_system_toml()
    device.conf_dir.mkdir(mode=0o755)
    device.conf_dir.chmod(mode)  # root could still write: the prefix runs tedge as nobody then
    try:
        result = device.run("connect", "c8y", "--offline", prefix=prefix)
    finally:
        device.conf_dir.chmod(0o755)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.endswith(
        "Offline mode. Skipping device creation in Cumulocity cloud.\n"
        "Error: failed to connect to Cumulocity cloud.\n\nCaused by:\n"
        f"    Could not write to {device.conf_dir}: Permission denied (os error 13)\n"
        f"    tedge connect must be able to write the bridge configuration to {device.conf_dir}: check the "
        "permissions of that directory (e.g. `chmod 755`, owned by the user running tedge connect)\n"
    )
    assert list(device.conf_dir.iterdir()) == []


def test_render_matches_the_written_file(running: Device) -> None:
    """The process writes what the pure renderer renders (the golden files cover the renderer)."""
    assert running.run("connect", "c8y", "--offline").returncode == 0
    text = running.bridge_file.read_text()
    assert text == render_bridge_conf_of(running)


def render_bridge_conf_of(device: Device) -> str:
    from c8ylink.device.c8y.connection import build_c8y_connection
    from c8ylink.device.config.store import TedgeConfigStore
    from c8ylink.device.connect.config import build_connect_config
    from c8ylink.device.connect.mosquitto import detect_mosquitto_version

    settings = TedgeConfigStore(device.config_dir, env={}).load()
    connection = build_c8y_connection(settings, None, path_exists=os.path.exists)
    config = build_connect_config(
        settings, connection, config_dir=str(device.config_dir), credentials=None,
        mosquitto_version=detect_mosquitto_version(MOSQUITTO), root_cert_is_dir=True,
    )  # fmt: skip
    return render_bridge_conf(config.bridge)


def test_the_built_in_bridge_is_refused(device: Device) -> None:
    assert device.run("cert", "create", "--device-id", "connect-device").returncode == 0
    device.config("mqtt.bridge.built_in", "true")
    device.write_system_toml()
    result = device.run("connect", "c8y", "--offline")
    assert result.returncode == 1
    assert "\tbridge: built-in\n" in result.stderr
    assert result.stderr.endswith(
        "Error: failed to connect to Cumulocity cloud.\n\nCaused by:\n"
        "    mqtt.bridge.built_in is true, but c8ylink has no built-in bridge: run "
        "`tedge config set mqtt.bridge.built_in false` to connect with the mosquitto bridge\n"
    )
    assert not device.conf_dir.exists()
