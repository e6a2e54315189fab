"""`tedge-mapper c8y` and `tedge-agent` together on one mosquitto, as on a device: a Cumulocity
operation arriving on the bridged topic c8y/devicecontrol/notifications runs on the device and its
status goes back on c8y/s/us. (Through the bridge into the local tenant: tests/e2e/mapper.)"""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

NOTIFICATIONS = "c8y/devicecontrol/notifications"
PLUGIN = r"""#!/bin/sh
STATE="$(dirname "$0")/../apt.installed"
touch "$STATE"
case "$1" in
    list) cat "$STATE" ;;
    install) printf '%s\t%s\n' "$2" "$4" >> "$STATE" ;;
    update-list) exit 1 ;;
esac
"""


@pytest.fixture
def device(mosquitto: Any, device_config: Callable[..., Path]) -> Path:
    config = device_config(mosquitto)
    plugin = config / "sm-plugins" / "apt"
    plugin.parent.mkdir()
    plugin.write_text(PLUGIN)
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    reboot = config / "reboot.sh"
    reboot.write_text('#!/bin/sh\nrm -f "$(dirname "$0")/run/tedge_agent_restart"; kill -TERM $PPID\n')
    reboot.chmod(0o755)
    (config / "system.toml").write_text(f'[system]\nreboot = ["{reboot}"]\n')
    return config


def test_agent_capabilities_reach_the_cloud_and_a_restart_completes(
    mosquitto: Any, device: Path, start_mapper: Callable[..., Any], start_agent: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:  # fmt: skip
    start_mapper(device, mosquitto)
    with probe(mosquitto) as watch:
        agent = start_agent(device, mosquitto)
        watch.expect("c8y/s/us", "114,c8y_DeviceProfile,c8y_Restart,c8y_SoftwareUpdate")
        watch.publish(NOTIFICATIONS, {"id": "9001", "status": "PENDING", "c8y_Restart": {}})
        watch.expect("c8y/s/us", "504,9001")
        assert agent.process.wait(20) == 0  # the "reboot"
        start_agent(device, mosquitto)
        watch.expect("c8y/s/us", "506,9001")
        watch.expect("te/device/main///cmd/restart/c8y-mapper-9001", lambda m: m.payload == b"")


def test_software_install_from_the_cloud_updates_the_software_list(
    mosquitto: Any, device: Path, start_mapper: Callable[..., Any], start_agent: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:  # fmt: skip
    start_mapper(device, mosquitto)
    with probe(mosquitto) as watch:
        start_agent(device, mosquitto)
        # the mapper asks for the software list when software_update appears
        initial = watch.expect_json(
            "c8y/inventory/managedObjects/update/dev1", lambda v: "c8y_SoftwareList" in v
        )
        assert initial == {"c8y_SoftwareList": []}
        operation = {"id": "9002", "status": "PENDING", "c8y_SoftwareUpdate": [
            {"name": "jq", "version": "1.7", "softwareType": "apt", "action": "install"}]}  # fmt: skip
        watch.publish(NOTIFICATIONS, operation)
        watch.expect("c8y/s/us", "504,9002")
        watch.expect("c8y/s/us", "506,9002")
        software = watch.expect_json(
            "c8y/inventory/managedObjects/update/dev1", lambda v: "c8y_SoftwareList" in v
        )
        assert software == {"c8y_SoftwareList": [{"name": "jq", "version": "1.7", "softwareType": "apt"}]}


def test_a_child_registered_through_the_agents_http_api_reaches_the_cloud(
    mosquitto: Any, device_config: Callable[..., Path], start_mapper: Callable[..., Any],
    start_agent: Callable[..., Any], probe: Callable[..., Any],
) -> None:  # fmt: skip
    import time

    from c8ylink.infra.net.http import HttpClient

    from .conftest import free_port

    port = free_port()
    config = device_config(mosquitto, **{"http.bind.port": str(port)})
    start_mapper(config, mosquitto)
    with probe(mosquitto) as watch:
        start_agent(config, mosquitto)
        document = {"@topic-id": "device/child07//", "@type": "child-device", "name": "seven"}
        with HttpClient(f"http://127.0.0.1:{port}", proxy="") as client:
            for _ in range(100):  # the agent's server starts with it
                try:
                    response = client.request("POST", "/te/v1/entities", json=document)
                    break
                except Exception:
                    time.sleep(0.1)
            assert response.status == 201
            assert response.json_or_none() == {"@topic-id": "device/child07//"}
        watch.expect("c8y/s/us", "101,dev1:device:child07,seven,thin-edge.io-child,false")


def test_plugin_files_written_or_removed_later_are_announced(
    mosquitto: Any, device: Path, start_mapper: Callable[..., Any], start_agent: Callable[..., Any],
    probe: Callable[..., Any],
) -> None:  # fmt: skip
    start_mapper(device, mosquitto)
    with probe(mosquitto) as watch:
        start_agent(device, mosquitto)
        watch.expect("c8y/s/us", "114,c8y_DeviceProfile,c8y_Restart,c8y_SoftwareUpdate")
        plugins = device / "plugins"
        plugins.mkdir(exist_ok=True)
        (plugins / "tedge-configuration-plugin.toml").write_text(
            f'files = [{{ path = "{device}/a", type = "a" }}]\n'
        )
        watch.expect("c8y/s/us", "119,tedge-configuration-plugin,a")
        (plugins / "tedge-log-plugin.toml").write_text(
            f'files = [{{ path = "{device}/*.log", type = "l" }}]\n'
        )
        watch.expect("c8y/s/us", "118,l")
        (plugins / "tedge-configuration-plugin.toml").unlink()
        watch.expect("c8y/s/us", "114,c8y_DeviceProfile,c8y_LogfileRequest,c8y_Restart,c8y_SoftwareUpdate")
