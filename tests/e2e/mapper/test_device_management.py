"""Firmware updates, device profiles, custom operations and workflows end to end: operations created in
the tenant with `c8y` -> bridge -> mapper -> tedge-agent (firmware plugin, workflow files) or the
mapper's own custom operation commands -> the operation's final status and the device's files."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from .conftest import AGENT_HEALTH, MAPPER_HEALTH, Connected, eventually

pytestmark = pytest.mark.e2e

# the firmware plugin: records each call, "installs" the image by copying it; a name broken* fails
FIRMWARE_PLUGIN = r"""#!/bin/sh
HERE="$(dirname "$0")/../.."
echo "$*" >> "$HERE/firmware-calls.log"
[ "$1" = install ] || exit 1
case "$2" in broken*) echo "flash failed" >&2; exit 2 ;; esac
cp "$6" "$HERE/installed-$2-$4"
"""
CHECK_SCRIPT = r"""#!/bin/sh
echo "some noise"
echo ":::begin-tedge:::"
echo "{\"checked\": \"checked $1\"}"
echo ":::end-tedge:::"
"""
RUN_SCRIPT = '#!/bin/sh\necho "$1 $2" > "$(dirname "$0")/issue19-ran.txt"\n'
MARK_SCRIPT = '#!/bin/sh\necho "$1" > "$(dirname "$0")/snapshot-checked.txt"\n'
COMMAND_SCRIPT = r"""#!/bin/sh
# the SmartREST line 511,<device>,<command> is the last argument
line="$1"; command="${line#*,*,}"
exec sh -c "$command"
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(scope="module")
def managed(connected: Connected) -> Path:
    """A firmware plugin, a configuration type, workflow files (good and bad) and operation templates;
    the agent and the mapper restarted to read them."""
    base, config_dir = connected.device.base, connected.device.config_dir
    executable(config_dir / "firmware-plugins" / "fake-firmware", FIRMWARE_PLUGIN)
    (base / "etc").mkdir(exist_ok=True)
    (base / "etc/profile.conf").write_text("profile = old\n")
    plugins = config_dir / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "tedge-configuration-plugin.toml").write_text(
        f'files = [{{ path = "{base}/etc/profile.conf", type = "profile-conf" }}]\n'
    )
    check = executable(base / "check.sh", CHECK_SCRIPT)
    run = executable(base / "run.sh", RUN_SCRIPT)
    mark = executable(base / "mark.sh", MARK_SCRIPT)
    command = executable(base / "command.sh", COMMAND_SCRIPT)
    operations = config_dir / "operations"
    operations.mkdir(exist_ok=True)
    (operations / "issue19.toml").write_text(
        'operation = "issue19"\n\n[init]\naction = "proceed"\non_success = "checking"\n\n'
        f'[checking]\nscript = "{check} ${{.payload.text}}"\non_success = "executing"\n\n'
        f'[executing]\nscript = "{run} ${{.payload.text}} ${{.payload.checked}}"\n'
        'on_success = "successful"\n\n'
        '[successful]\naction = "cleanup"\n\n[failed]\naction = "cleanup"\n'
    )
    (operations / "config_snapshot.toml").write_text(  # a builtin operation with a step of the user's
        f'operation = "config_snapshot"\n\n[init]\nscript = "{mark} ${{.payload.type}}"\n'
        'on_success = "executing"\n\n'
        '[executing]\naction = "builtin"\non_success = "successful"\n\n'
        '[successful]\naction = "cleanup"\n\n[failed]\naction = "cleanup"\n'
    )
    (operations / "broken.toml").write_text('operation = "broken"\n[init\n')
    (operations / "lost.toml").write_text(
        'operation = "lost"\n[init]\naction = "proceed"\non_success = "nowhere"\n'
    )
    templates = operations / "c8y"
    templates.mkdir(exist_ok=True)
    (templates / "c8y_Command").write_text(
        f'[exec]\ntopic = "c8y/s/ds"\non_message = "511"\ncommand = "{command}"\ntimeout = 10\n'
    )
    (templates / "c8y_Missing").write_text(
        '[exec]\non_fragment = "c8y_Missing"\ncommand = "/nonexistent/run"\n'
    )
    (templates / "c8y_Slow").write_text(
        '[exec]\non_fragment = "c8y_Slow"\ncommand = "sleep 30"\ntimeout = 1\n'
    )
    (templates / "c8y_Issue19.template").write_text(
        '[exec]\non_fragment = "c8y_Issue19"\n\n[exec.workflow]\noperation = "issue19"\n'
        'input.text = "${.payload.c8y_Issue19.text}"\n'
    )
    device = connected.device
    for service, health in (("tedge-mapper-c8y", MAPPER_HEALTH), ("tedge-agent", AGENT_HEALTH)):
        pid = device.pid_of(service)
        assert device.ctl("restart", service).returncode == 0
        eventually(lambda s=service, p=pid: device.pid_of(s) not in (0, p), f"{service} restarted")  # type: ignore[misc]
        eventually(lambda h=health: connected.health(h).get("status") == "up", f"{service} up")  # type: ignore[misc]
    return base


def create(connected: Connected, fragments: dict[str, Any], device: str | None = None) -> dict[str, Any]:
    created = connected.c8y(
        "operations", "create", "--device", device or connected.mo_id, "--description", "test",
        "--data", json.dumps(fragments), "--force",
    )  # fmt: skip
    return connected.operation_done(str(created[0]["id"]))


def upload_binary(connected: Connected, name: str, content: bytes) -> str:
    response = connected.api.client.post(
        "/inventory/binaries",
        files={
            "object": (None, json.dumps({"name": name, "type": "application/octet-stream"})),
            "file": (name, content, "application/octet-stream"),
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["self"])


def firmware_calls(base: Path) -> list[str]:
    log = base / "firmware-calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_operations_are_announced(connected: Connected, managed: Path) -> None:
    wanted = {"c8y_Firmware", "c8y_DeviceProfile", "c8y_Command", "c8y_Issue19", "c8y_Missing"}

    def announced() -> set[str] | None:
        found = set(connected.managed_object().get("c8y_SupportedOperations", []))
        return found if wanted <= found else None

    eventually(announced, "the supported operations")


def test_a_firmware_update_downloads_checks_and_installs_the_image(
    connected: Connected, managed: Path
) -> None:
    image = b"firmware image 1.2.3\n" * 1000
    url = upload_binary(connected, "core-image.bin", image)
    (repository,) = connected.c8y("firmware", "create", "--name", "core-image", "--force")
    assert repository["type"] == "c8y_Firmware"
    checksum = {"c8y_Firmware": {"sha256": hashlib.sha256(image).hexdigest()}}
    (created,) = connected.c8y(
        "firmware", "versions", "install", "--device", connected.mo_id, "--firmware", "core-image",
        "--version", "1.2.3", "--url", url, "--data", json.dumps(checksum), "--force",
    )  # fmt: skip
    assert created["c8y_Firmware"]["sha256"] == checksum["c8y_Firmware"]["sha256"]
    done = connected.operation_done(str(created["id"]))
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    assert (managed / "installed-core-image-1.2.3").read_bytes() == image
    assert firmware_calls(managed)[-1].startswith("install core-image --version 1.2.3 --file ")

    def reported() -> dict[str, Any] | None:
        found = connected.managed_object().get("c8y_Firmware")
        return found if isinstance(found, dict) and found.get("version") == "1.2.3" else None

    assert eventually(reported, "c8y_Firmware") == {"name": "core-image", "version": "1.2.3", "url": url}
    assert not list((managed / "data/firmware").iterdir())  # the downloaded image is removed


def test_a_firmware_with_the_wrong_checksum_is_refused(connected: Connected, managed: Path) -> None:
    url = upload_binary(connected, "tampered.bin", b"not the image that was signed")
    firmware = {"name": "core-image", "version": "6.6.6", "url": url, "sha256": "0" * 64}
    done = create(connected, {"c8y_Firmware": firmware})
    assert done["status"] == "FAILED"
    assert "Checksum mismatch" in done["failureReason"] and "0" * 64 in done["failureReason"]
    assert not any("6.6.6" in call for call in firmware_calls(managed))  # never installed
    assert not list((managed / "data/firmware").iterdir())


def test_a_device_profile_applies_firmware_software_and_configuration_in_order(
    connected: Connected, managed: Path
) -> None:
    (profile_mo,) = connected.c8y("deviceprofiles", "create", "--name", "prod-profile", "--force")
    assert profile_mo["type"] == "c8y_Profile"
    image = b"firmware 2.0\n"
    image_url = upload_binary(connected, "fw2.bin", image)
    profile = {
        "firmware": {"name": "core-image", "version": "2.0", "url": image_url},
        "software": [{"name": "profile-pkg", "version": "1.0", "action": "install", "url": " "}],
        "configuration": [{"name": "prod", "type": "profile-conf",
                           "url": upload_binary(connected, "profile.conf", b"profile = new\n")}],
    }  # fmt: skip
    done = create(
        connected,
        {"c8y_DeviceProfile": profile, "profileName": "prod-profile", "profileId": str(profile_mo["id"])},
    )
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    assert (managed / "installed-core-image-2.0").read_bytes() == image
    assert "profile-pkg\t1.0" in (connected.device.config_dir / "fake-packages.tsv").read_text()
    assert (managed / "etc/profile.conf").read_text() == "profile = new\n"
    calls = connected.plugin_calls
    assert "install profile-pkg --module-version 1.0" in calls

    def applied() -> dict[str, Any] | None:
        found = connected.managed_object()
        return found if found.get("c8y_Profile") and found["c8y_Firmware"]["version"] == "2.0" else None

    managed_object = eventually(applied, "c8y_Profile and c8y_Firmware")
    assert managed_object["c8y_Profile"] == {
        "profileName": "prod-profile", "profileId": str(profile_mo["id"]), "profileExecuted": True,
    }  # fmt: skip


def test_a_device_profile_stops_at_the_first_failure(connected: Connected, managed: Path) -> None:
    before = (managed / "etc/profile.conf").read_text()
    profile = {
        "firmware": {"name": "broken-image", "version": "9", "url": upload_binary(connected, "b.bin", b"x")},
        "configuration": [{"name": "never", "type": "profile-conf",
                           "url": upload_binary(connected, "never.conf", b"never\n")}],
    }  # fmt: skip
    done = create(connected, {"c8y_DeviceProfile": profile, "profileName": "bad"})
    assert done["status"] == "FAILED"
    assert "firmware_update failed" in done["failureReason"] and "flash failed" in done["failureReason"]
    assert (managed / "etc/profile.conf").read_text() == before  # the configuration was not applied


def test_a_custom_smartrest_operation_runs_its_command(connected: Connected, managed: Path) -> None:
    done = create(connected, {"c8y_Command": {"text": "echo hello from the device"}})
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    assert done["c8y_Command"]["result"] == "hello from the device"


def test_a_custom_operation_whose_command_does_not_exist_fails(connected: Connected, managed: Path) -> None:
    done = create(connected, {"c8y_Missing": {}})
    assert done["status"] == "FAILED"
    assert "/nonexistent/run cannot be run" in done["failureReason"]


def test_a_custom_operation_past_its_timeout_is_killed(connected: Connected, managed: Path) -> None:
    done = create(connected, {"c8y_Slow": {}})
    assert done["status"] == "FAILED"
    assert "ran past its timeout of 1 s" in done["failureReason"]


def test_a_workflow_with_a_custom_state_runs_from_a_template(connected: Connected, managed: Path) -> None:
    done = create(connected, {"c8y_Issue19": {"text": "go"}})
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    # the custom state's printed JSON was merged into the payload the next state saw
    assert (managed / "issue19-ran.txt").read_text() == "go checked go\n"


def test_a_builtin_operation_with_a_user_step(connected: Connected, managed: Path) -> None:
    done = create(connected, {"c8y_UploadConfigFile": {"type": "profile-conf"}})
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    assert (managed / "snapshot-checked.txt").read_text() == "profile-conf\n"


def test_bad_workflow_files_are_logged_and_the_others_still_run(connected: Connected, managed: Path) -> None:
    log = (connected.device.services_dir / "log" / "tedge-agent.log").read_text()
    assert "Ignoring the workflow file" in log and "broken.toml: invalid TOML" in log
    assert "lost.toml (lost): state 'init' moves to the unknown state 'nowhere'" in log
    done = create(connected, {"c8y_Issue19": {"text": "again"}})  # the good workflow is served
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")


def test_a_child_devices_firmware_update_by_its_own_agent(connected: Connected, managed: Path) -> None:
    """A child device's tedge-agent (same broker) runs the same builtin firmware workflow."""
    import shutil
    import subprocess
    import sys

    child_dir = managed / "child-fw-tedge"
    child_dir.mkdir()
    shutil.copy(connected.device.config_dir / "tedge.toml", child_dir / "tedge.toml")
    executable(child_dir / "firmware-plugins" / "child-firmware", FIRMWARE_PLUGIN)
    agent = subprocess.Popen(
        [str(Path(sys.executable).parent / "tedge-agent"), "--config-dir", str(child_dir),
         "--mqtt-device-topic-id", "device/child19//"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        child_xid = f"{connected.device_id}:device:child19"

        def child() -> dict[str, Any] | None:
            found = connected.api.managed_object(child_xid)
            return found if found and "c8y_Firmware" in found.get("c8y_SupportedOperations", []) else None

        child_mo = str(eventually(child, "the child device offering firmware updates")["id"])
        image = b"child firmware\n"
        firmware = {
            "name": "child-image",
            "version": "4.2",
            "url": upload_binary(connected, "child.bin", image),
        }
        done = create(connected, {"c8y_Firmware": firmware}, device=child_mo)
        assert done["status"] == "SUCCESSFUL", done.get("failureReason")
        # the child's plugin ran (its config dir is child-fw-tedge: HERE is two levels up from the plugin)
        assert (managed / "installed-child-image-4.2").read_bytes() == image

        def reported() -> dict[str, Any] | None:
            found = connected.managed_object(child_mo).get("c8y_Firmware")
            return found if isinstance(found, dict) and found.get("version") == "4.2" else None

        assert eventually(reported, "the child's c8y_Firmware")["name"] == "child-image"
    finally:
        agent.terminate()
        agent.wait(10)


def test_a_workflow_file_added_while_running_is_served(connected: Connected, managed: Path) -> None:
    marker = managed / "late-ran.txt"
    (connected.device.config_dir / "operations" / "late.toml").write_text(
        f'operation = "late"\n[init]\nscript = "/bin/sh -c \'echo ${{.payload.word}} > {marker}\'"\n'
        'on_success = "successful"\n'
    )

    def announced() -> bool:
        found = connected.device.run("mqtt", "sub", "te/device/main///cmd/late", "-C", "1", "-W", "1s")
        return found.stdout.strip() != ""

    eventually(announced, "the late operation announced")
    connected.pub("te/device/main///cmd/late/local-1", '{"status":"init","word":"hello"}', retain=True)
    eventually(lambda: marker.exists() and marker.read_text() == "hello\n", "the late workflow to run")

    def finished() -> dict[str, Any] | None:
        topic = "te/device/main///cmd/late/local-1"
        found = connected.device.run("mqtt", "sub", topic, "-C", "1", "-W", "1s", "--no-topic")
        state = json.loads(found.stdout) if found.stdout.strip() else {}
        return state if state.get("status") == "successful" else None

    assert eventually(finished, "the late command to succeed")["word"] == "hello"
    connected.pub("te/device/main///cmd/late/local-1", "", retain=True)


def test_a_workflow_restarts_the_device_and_goes_on_after(connected: Connected, managed: Path) -> None:
    """The fixture's reboot restarts tedge-agent (as a reboot would, the run.path marker goes)."""
    marker = managed / "after-restart.txt"
    (connected.device.config_dir / "operations" / "reboot19.toml").write_text(
        'operation = "reboot19"\n[init]\naction = "restart"\non_exec = "restarting"\n'
        'on_success = "after"\non_error = "failed"\n[restarting]\n'
        f'[after]\nscript = "/bin/sh -c \'echo ${{.payload.word}} > {marker}\'"\non_success = "successful"\n'
    )

    def announced() -> bool:
        found = connected.device.run("mqtt", "sub", "te/device/main///cmd/reboot19", "-C", "1", "-W", "1s")
        return found.stdout.strip() != ""

    eventually(announced, "the reboot19 operation announced")
    pid = connected.device.pid_of("tedge-agent")
    connected.pub("te/device/main///cmd/reboot19/local-2", '{"status":"init","word":"back"}', retain=True)
    eventually(lambda: connected.device.pid_of("tedge-agent") not in (0, pid), "tedge-agent restarted")
    eventually(lambda: marker.exists() and marker.read_text() == "back\n", "the state after the restart")

    def finished() -> dict[str, Any] | None:
        topic = "te/device/main///cmd/reboot19/local-2"
        found = connected.device.run("mqtt", "sub", topic, "-C", "1", "-W", "1s", "--no-topic")
        state = json.loads(found.stdout) if found.stdout.strip() else {}
        return state if state.get("status") == "successful" else None

    done = eventually(finished, "the reboot19 command to succeed")
    assert "@restart" not in done and "reason" not in done
    connected.pub("te/device/main///cmd/reboot19/local-2", "", retain=True)
    eventually(lambda: connected.health(AGENT_HEALTH).get("status") == "up", "tedge-agent up")
