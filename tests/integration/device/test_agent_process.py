"""`tedge-agent` as a process on a real mosquitto: capabilities and health, restart (with a reboot
command from system.toml that "reboots" by stopping the agent), software list and update through real
sm-plugin scripts (including one that fails and, in-process with a short timeout, one that hangs).
The probe plays the mapper: it publishes te/ commands and reads their status."""

from __future__ import annotations

import asyncio
import http.server
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from c8ylink.core.topics import EntityTopicId
from c8ylink.device.agent.restart import RestartFiles
from c8ylink.device.agent.service import AgentConfig, AgentService

pytestmark = pytest.mark.integration

CMD = "te/device/main///cmd"

APT_PLUGIN = r"""#!/bin/sh
# a test sm-plugin: "installed" modules are lines "name<TAB>version" in a file next to the plugins
STATE="$(dirname "$0")/../apt.installed"
touch "$STATE"
case "$1" in
    list) cat "$STATE" ;;
    prepare|finalize) ;;
    install)
        name="$2"; version=""
        [ "$3" = "--module-version" ] && version="$4"
        for arg; do [ "$prev" = "--file" ] && cp "$arg" "$(dirname "$0")/../$name.file"; prev="$arg"; done
        grep -v "^$name	" "$STATE" > "$STATE.new"; printf '%s\t%s\n' "$name" "$version" >> "$STATE.new"
        mv "$STATE.new" "$STATE" ;;
    remove)
        grep -v "^$2	" "$STATE" > "$STATE.new"; mv "$STATE.new" "$STATE" ;;
    update-list) exit 1 ;;
    *) exit 1 ;;
esac
"""

BROKEN_PLUGIN = r"""#!/bin/sh
case "$1" in
    list) printf 'libfoo\t1.0\n' ;;
    install) echo "E: Unable to locate package $2" >&2; exit 2 ;;
    update-list) exit 1 ;;
esac
"""

HANGING_PLUGIN = """#!/bin/sh
case "$1" in
    install) exec sleep 60 ;;
    update-list) exit 1 ;;
esac
"""


def write_executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture
def broker(mosquitto: Any) -> Any:
    return mosquitto


@pytest.fixture
def config(broker: Any, device_config: Callable[..., Path]) -> Path:
    config_dir = device_config(broker)
    write_executable(config_dir / "sm-plugins" / "apt", APT_PLUGIN)
    write_executable(config_dir / "sm-plugins" / "broken", BROKEN_PLUGIN)
    return config_dir


@pytest.fixture
def watch(broker: Any, probe: Callable[..., Any]) -> Iterator[Any]:
    with probe(broker) as opened:
        yield opened


def command(watch: Any, topic: str, payload: dict[str, Any]) -> None:
    watch.publish(topic, {"status": "init", **payload}, retain=True)


def final_status(watch: Any, topic: str) -> dict[str, Any]:
    result: dict[str, Any] = watch.expect_json(topic, lambda v: v.get("status") in ("successful", "failed"))
    return result


# ------------------------------------------------------------------------------------------- basics


def test_capabilities_and_health(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any
) -> None:
    agent = start_agent(config, broker)
    assert watch.expect_json(f"{CMD}/restart") == {}
    assert watch.expect_json(f"{CMD}/software_list") == {"types": ["apt", "broken"]}
    assert watch.expect_json(f"{CMD}/software_update") == {"types": ["apt", "broken"]}
    assert agent.stop() == 0
    health = watch.expect_json(
        "te/device/main/service/tedge-agent/status/health", lambda v: v["status"] == "down"
    )
    assert health["pid"] == agent.process.pid


def test_invalid_system_toml_stops_the_agent(
    broker: Any, config: Path, start_service: Callable[..., Any]
) -> None:
    (config / "system.toml").write_text("[system]\nreboot = [\n")
    agent = start_service("tedge-agent", "--config-dir", str(config))
    assert agent.process.wait(20) == 1
    assert agent.output.startswith("Error: failed to start tedge-agent")
    assert "Toml syntax error in the system config file" in agent.output


# ------------------------------------------------------------------------------------------- software


def test_software_list(broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any) -> None:
    (config / "apt.installed").write_text("nginx\t1.24\nvim\t9.0\n")
    start_agent(config, broker)
    command(watch, f"{CMD}/software_list/c8y-mapper-1", {})
    watch.expect_json(f"{CMD}/software_list/c8y-mapper-1", lambda v: v["status"] == "executing")
    result = final_status(watch, f"{CMD}/software_list/c8y-mapper-1")
    assert result["status"] == "successful"
    assert result["currentSoftwareList"] == [
        {"type": "apt", "modules": [{"name": "nginx", "version": "1.24"}, {"name": "vim", "version": "9.0"}]},
        {"type": "broken", "modules": [{"name": "libfoo", "version": "1.0"}]},
    ]


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "pkg.deb").write_bytes(b"package bytes")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_software_update_installs_and_removes(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any, file_server: str
) -> None:
    (config / "apt.installed").write_text("vim\t9.0\n")
    start_agent(config, broker)
    update = [{"type": "apt", "modules": [
        {"name": "nginx", "version": "1.24", "url": f"{file_server}/pkg.deb", "action": "install"},
        {"name": "vim", "action": "remove"},
    ]}]  # fmt: skip
    command(watch, f"{CMD}/software_update/c8y-mapper-2", {"updateList": update})
    result = final_status(watch, f"{CMD}/software_update/c8y-mapper-2")
    assert result["status"] == "successful", result
    assert (config / "apt.installed").read_text() == "nginx\t1.24\n"
    assert (config / "nginx.file").read_bytes() == b"package bytes"  # downloaded, given as --file


def test_a_failing_plugin_fails_the_update_with_its_message(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any
) -> None:
    start_agent(config, broker)
    update = [{"type": "broken", "modules": [{"name": "libbar", "version": "2.0", "action": "install"}]}]
    command(watch, f"{CMD}/software_update/c8y-mapper-3", {"updateList": update})
    result = final_status(watch, f"{CMD}/software_update/c8y-mapper-3")
    assert result["status"] == "failed"
    assert "exit code 2" in result["reason"] and "Unable to locate package libbar" in result["reason"]
    assert result["failures"][0]["module"] == {"name": "libbar", "version": "2.0", "action": "install"}


def test_unknown_software_type_and_failed_download(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any, file_server: str
) -> None:
    start_agent(config, broker)
    update = [
        {"type": "snap", "modules": [{"name": "x", "action": "install"}]},
        {"type": "apt", "modules": [{"name": "y", "url": f"{file_server}/missing", "action": "install"}]},
    ]
    command(watch, f"{CMD}/software_update/c8y-mapper-4", {"updateList": update})
    result = final_status(watch, f"{CMD}/software_update/c8y-mapper-4")
    assert result["status"] == "failed"
    reasons = [failure["reason"] for failure in result["failures"]]
    assert "No sm-plugin for software type 'snap'" in reasons[0]
    assert "Download of y failed" in reasons[1] and "404" in reasons[1]


def test_a_command_that_ends_at_once_keeps_its_result(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any, probe: Callable[..., Any]
) -> None:
    """The agent's own ``executing`` comes back to it after the command ended (here at once: no plugin
    for the type); it is not a command left executing by an earlier run, so the result stands."""
    start_agent(config, broker)
    first = f"{CMD}/software_update/c8y-mapper-5"
    command(watch, first, {"updateList": [{"type": "snap", "modules": [{"name": "x", "action": "install"}]}]})
    assert "No sm-plugin for software type 'snap'" in final_status(watch, first)["reason"]
    # the agent works in order: once a later command is done, it has seen the echoes of the first
    command(watch, f"{CMD}/software_list/c8y-mapper-6", {})
    assert final_status(watch, f"{CMD}/software_list/c8y-mapper-6")["status"] == "successful"
    with probe(broker, first) as retained:
        kept = retained.expect_json(first)
    assert kept["status"] == "failed" and "No sm-plugin for software type 'snap'" in kept["reason"], kept


async def test_a_hanging_plugin_times_out(broker: Any, config: Path, watch: Any) -> None:
    write_executable(config / "sm-plugins" / "slow", HANGING_PLUGIN)
    restart = RestartFiles(config / ".agent", config / "run")
    agent_config = AgentConfig(
        "te", EntityTopicId.main_device(), config / "sm-plugins", restart, plugin_timeout=1
    )
    agent = AgentService(agent_config, broker.options("agent"))
    stop = asyncio.Event()
    task = asyncio.create_task(agent.run(stop))
    await asyncio.wait_for(agent.ready.wait(), 20)
    update = [{"type": "slow", "modules": [{"name": "big", "action": "install"}]}]
    await asyncio.to_thread(command, watch, f"{CMD}/software_update/c8y-mapper-5", {"updateList": update})
    result = await asyncio.to_thread(final_status, watch, f"{CMD}/software_update/c8y-mapper-5")
    stop.set()
    await asyncio.wait_for(task, 20)
    assert result["status"] == "failed"
    assert "did not finish 'install' within 1 s" in result["reason"]


# ------------------------------------------------------------------------------------------- restart

REBOOTS = {
    # a "reboot": the runtime directory is emptied and the agent stops (as a shutdown does)
    "reboot": 'rm -f "$(dirname "$0")/run/tedge_agent_restart"; kill -TERM $PPID\n',
    "agent-only": "kill -TERM $PPID\n",
}


def use_reboot(config: Path, script: str, timeout: int | None = None) -> None:
    path = write_executable(config / "reboot.sh", "#!/bin/sh\n" + script)
    extra = f"reboot_timeout_seconds = {timeout}\n" if timeout else ""
    (config / "system.toml").write_text(f'[system]\nreboot = ["{path}"]\n{extra}')


def test_restart_reports_success_after_coming_back(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any
) -> None:
    use_reboot(config, REBOOTS["reboot"])
    agent = start_agent(config, broker)
    command(watch, f"{CMD}/restart/c8y-mapper-10", {})
    watch.expect_json(f"{CMD}/restart/c8y-mapper-10", lambda v: v["status"] == "executing")
    assert agent.process.wait(20) == 0  # stopped by the "reboot"
    assert (config / ".agent" / "restart-current-operation").exists()
    start_agent(config, broker)
    assert final_status(watch, f"{CMD}/restart/c8y-mapper-10")["status"] == "successful"
    assert not (config / ".agent" / "restart-current-operation").exists()


def test_restart_fails_when_only_the_agent_restarted(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any
) -> None:
    use_reboot(config, REBOOTS["agent-only"])
    agent = start_agent(config, broker)
    command(watch, f"{CMD}/restart/c8y-mapper-11", {})
    assert agent.process.wait(20) == 0
    start_agent(config, broker)
    result = final_status(watch, f"{CMD}/restart/c8y-mapper-11")
    log = config / "logs/agent/workflow-restart-c8y-mapper-11.log"
    assert result == {
        "status": "failed", "reason": "The agent has been restarted but not the device", "logPath": str(log)
    }  # fmt: skip
    # the command's log: a line per status (the mapper uploads it, c8y.operations.auto_log_upload)
    assert [line.split(" ", 1)[1] for line in log.read_text().splitlines()] == [
        "executing", "failed: The agent has been restarted but not the device"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("script", "timeout", "reason"),
    [
        ("echo 'must be root' >&2; exit 1\n", None, "failed with exit code 1: must be root"),
        ("exit 0\n", 1, "The device did not restart within 1 s"),
    ],
    ids=["reboot command fails", "no reboot within the timeout"],
)
def test_restart_failures(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any, script: str, timeout: int | None,
    reason: str,
) -> None:  # fmt: skip
    use_reboot(config, script, timeout)
    start_agent(config, broker)
    command(watch, f"{CMD}/restart/c8y-mapper-12", {})
    result = final_status(watch, f"{CMD}/restart/c8y-mapper-12")
    assert result["status"] == "failed" and reason in result["reason"]
    assert not (config / ".agent" / "restart-current-operation").exists()


def test_a_command_left_executing_is_failed_on_start(
    broker: Any, config: Path, start_agent: Callable[..., Any], watch: Any
) -> None:
    watch.publish(
        f"{CMD}/software_update/c8y-mapper-20", {"status": "executing", "updateList": []}, retain=True
    )
    start_agent(config, broker)
    result = final_status(watch, f"{CMD}/software_update/c8y-mapper-20")
    assert result["status"] == "failed" and "restarted while the command was running" in result["reason"]


# ------------------------------------------------------------------------------------------- settings

RECORDING_PLUGIN = r"""#!/bin/sh
# records the --file it is given, so that the test sees where downloads go
case "$1" in
    list) printf 'nginx\t1\nvim\t9\nzsh\t5\n' ;;
    prepare|finalize) ;;
    install)
        for arg; do
            [ "$prev" = "--file" ] && echo "$arg" > "$(dirname "$0")/../given-file"; prev="$arg"
        done ;;
    update-list) exit 1 ;;
esac
"""


def test_the_agent_honours_its_tedge_config_keys(
    broker: Any,
    device_config: Callable[..., Path],
    start_agent: Callable[..., Any],
    watch: Any,
    file_server: str,
    tmp_path: Path,
) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    config = device_config(broker, **{
        "software.plugin.exclude": "^vim", "software.plugin.max_packages": "1",
        "software.plugin.default": "rec", "service.timestamp_format": "rfc-3339",
        "agent.enable.log_upload": "false", "tmp.path": str(downloads), "logs.path": str(tmp_path / "logs"),
    })  # fmt: skip
    write_executable(config / "sm-plugins" / "rec", RECORDING_PLUGIN)
    write_executable(config / "sm-plugins" / "other", RECORDING_PLUGIN)
    (config / "plugins").mkdir()
    (config / "plugins" / "tedge-log-plugin.toml").write_text('files = [{ type = "x", path = "/x" }]\n')
    (config / "plugins" / "tedge-configuration-plugin.toml").write_text("files = []\n")
    start_agent(config, broker)
    health = watch.expect_json("te/device/main/service/tedge-agent/status/health")
    assert isinstance(health["time"], str) and health["time"].endswith("Z")  # rfc-3339
    command(watch, f"{CMD}/software_list/c8y-mapper-1", {})
    result = final_status(watch, f"{CMD}/software_list/c8y-mapper-1")
    assert result["currentSoftwareList"][1] == {"type": "rec", "modules": [{"name": "nginx", "version": "1"}]}
    operation_log = (tmp_path / "logs/agent/workflow-software_list-c8y-mapper-1.log").read_text()
    assert [line.split(" ", 1)[1] for line in operation_log.splitlines()] == ["executing", "successful"]
    assert watch.expect_json(f"{CMD}/config_snapshot")["types"] == ["tedge-configuration-plugin"]
    watch.nothing_on(f"{CMD}/log_upload")  # agent.enable.log_upload = false
    update = [{"type": "default", "modules": [
        {"name": "nginx", "url": f"{file_server}/pkg.deb", "action": "install"}]}]  # fmt: skip
    command(watch, f"{CMD}/software_update/c8y-mapper-2", {"updateList": update})
    assert final_status(watch, f"{CMD}/software_update/c8y-mapper-2")["status"] == "successful"
    assert Path((config / "given-file").read_text().strip()).parent.parent == downloads  # tmp.path
