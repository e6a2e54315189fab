"""The service manager runs real commands: exit codes, signals, missing binaries, timeouts (tedge.md §5)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from c8ylink.core.errors import C8yLinkError, ServiceError
from c8ylink.device.connect.mosquitto import (
    PortTakenError,
    check_port_free,
    detect_mosquitto_version,
    wait_until_listening,
)
from c8ylink.device.services.manager import ServiceManager
from c8ylink.device.services.system_config import InitConfig, SystemConfig

pytestmark = pytest.mark.integration

TRUE, FALSE, SH = shutil.which("true"), shutil.which("false"), shutil.which("sh")
assert TRUE and FALSE and SH


def manager(tmp_path: Path, **commands: tuple[str, ...]) -> ServiceManager:
    """A service manager whose every action records its service name in a file, unless overridden."""
    log = tmp_path / "log"
    record = (SH, "-c", f'echo "$0 {{}}" >> {log}')
    actions = {name: (*record[:2], record[2].replace("$0", name), name) for name in
               ("restart", "stop", "start", "enable", "disable", "is_active")}  # fmt: skip
    actions.update(commands)
    init = InitConfig(name="test-init", is_available=commands.get("is_available", (TRUE,)), **{
        name: value for name, value in actions.items() if name != "is_available"
    })  # fmt: skip
    return ServiceManager(SystemConfig(str(tmp_path / "system.toml"), init), timeout=5)


def test_actions_run_with_the_service_name(tmp_path: Path) -> None:
    services = manager(tmp_path)
    services.check_available()
    services.start_and_enable("tedge-mapper-c8y@second")
    services.stop_and_disable("tedge-agent")
    services.restart("mosquitto")
    assert (tmp_path / "log").read_text().split("\n")[:-1] == [
        "start tedge-mapper-c8y@second", "enable tedge-mapper-c8y@second",
        "stop tedge-agent", "disable tedge-agent", "restart mosquitto",
    ]  # fmt: skip


def test_a_failing_command_names_itself_and_its_code(tmp_path: Path) -> None:
    services = manager(tmp_path, stop=(SH, "-c", "exit 5", "{}"))
    with pytest.raises(ServiceError) as caught:
        services.stop("mosquitto")
    assert str(caught.value) == f'Service command <"{SH} -c exit 5 mosquitto"> failed with code: 5.'


def test_a_command_killed_by_a_signal(tmp_path: Path) -> None:
    services = manager(tmp_path, restart=(SH, "-c", "kill -9 $$", "{}"))
    with pytest.raises(ServiceError) as caught:
        services.restart("mosquitto")
    assert str(caught.value) == f'Service command <"{SH} -c kill -9 $$ mosquitto"> terminated by a signal.'


def test_a_missing_command_points_at_system_toml(tmp_path: Path) -> None:
    services = manager(tmp_path, restart=("/nonexistent/initctl", "restart", "{}"))
    with pytest.raises(ServiceError) as caught:
        services.restart("mosquitto")
    assert str(caught.value) == (
        'Service command <"/nonexistent/initctl restart mosquitto"> not found.\n'
        f"Check '{tmp_path}/system.toml' file."
    )


def test_a_hanging_command_is_stopped(tmp_path: Path) -> None:
    services = manager(tmp_path, stop=(SH, "-c", "exec sleep 30", "{}"))
    services.timeout = 0.2
    with pytest.raises(ServiceError, match=r"did not finish within 0.2 s"):
        services.stop("mosquitto")


@pytest.mark.parametrize(
    "command", [(FALSE,), ("/nonexistent/systemctl", "--version")], ids=["fails", "missing"]
)
def test_an_unavailable_service_manager(tmp_path: Path, command: tuple[str, ...]) -> None:
    services = manager(tmp_path, is_available=command)
    assert services.is_available() is False
    with pytest.raises(ServiceError) as caught:
        services.check_available()
    assert str(caught.value) == (
        f"Failed to execute '{' '.join(command)}' to check the service manager availability.\n"
        " Service manager 'test-init' is not available on the system or elevated permissions have not been "
        "granted."
    )


def test_is_active_is_the_exit_status(tmp_path: Path) -> None:
    assert manager(tmp_path, is_active=(TRUE, "{}")).is_active("mosquitto") is True
    assert manager(tmp_path, is_active=(SH, "-c", "exit 3", "{}")).is_active("mosquitto") is False


def test_the_mosquitto_version_of_the_installed_broker() -> None:
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(mosquitto).exists():
        pytest.skip("mosquitto is not installed")
    first_line = subprocess.run([mosquitto, "--help"], capture_output=True, text=True, check=False).stdout
    version = detect_mosquitto_version(mosquitto)
    assert version is not None and first_line.startswith(f"mosquitto version {version.text}")
    assert detect_mosquitto_version(None) is None
    assert detect_mosquitto_version(sys.executable) is None  # runs, but says no mosquitto version


def test_a_port_held_by_a_listener_is_taken() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with pytest.raises(PortTakenError, match=rf"Another program already listens on 127.0.0.1:{port}"):
            check_port_free("127.0.0.1", port)
    check_port_free("127.0.0.1", port)  # free again once closed


def test_waiting_for_a_listener() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        wait_until_listening("127.0.0.1", server.getsockname()[1], timeout=5)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(C8yLinkError, match=r"Timed out after 0.3s waiting for mosquitto to be listening"):
        wait_until_listening("127.0.0.1", port, timeout=0.3)
    clock = iter(float(n) for n in range(100))
    with pytest.raises(C8yLinkError, match=r"mosquitto stopped again right after it was started"):
        wait_until_listening("127.0.0.1", port, still_running=lambda: False, clock=lambda: next(clock))
