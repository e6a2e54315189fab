"""Operations created in the tenant (`c8y operations create`) run on the device: tenant -> bridge ->
mapper -> `te/.../cmd/...` -> tedge-agent, and their status back up to SUCCESSFUL."""

from __future__ import annotations

import json
import os
import signal
from typing import Any

import pytest
from tests.e2e.conftest import wait_for

from .conftest import AGENT_HEALTH, PLUGIN_TYPE, Connected, eventually

pytestmark = pytest.mark.e2e


def create_operation(connected: Connected, description: str, fragment: dict[str, Any]) -> str:
    created = connected.c8y(
        "operations", "create", "--device", connected.mo_id, "--description", description,
        "--data", json.dumps(fragment), "--force",
    )  # fmt: skip
    assert created[0]["status"] == "PENDING"
    return str(created[0]["id"])


def test_the_device_announces_what_the_agent_supports(connected: Connected) -> None:
    def announced() -> dict[str, Any] | None:
        managed = connected.managed_object()
        return managed if "c8y_SoftwareList" in managed else None

    managed = eventually(announced, "the initial software list")
    # device_profile: the agent's builtin workflow, always offered
    assert sorted(managed["c8y_SupportedOperations"]) == [
        "c8y_DeviceProfile",
        "c8y_Restart",
        "c8y_SoftwareUpdate",
    ]
    assert managed["c8y_SoftwareList"] == []


def test_a_restart_created_in_the_tenant_completes_as_successful(connected: Connected) -> None:
    agent_before = connected.device.pid_of("tedge-agent")
    operation_id = create_operation(connected, "Restart device", {"c8y_Restart": {}})
    finished = connected.operation_done(operation_id)
    assert finished["status"] == "SUCCESSFUL", finished.get("failureReason")
    # the "reboot" (system.toml) restarted the agent under supervisord; it settled the command when back
    assert connected.device.pid_of("tedge-agent") not in (0, agent_before)
    assert connected.health(AGENT_HEALTH)["status"] == "up"


def test_a_software_install_through_a_plugin_updates_the_software_list(connected: Connected) -> None:
    module = {"name": "jq", "version": f"1.7::{PLUGIN_TYPE}", "url": "", "action": "install"}
    operation_id = create_operation(connected, "Install jq", {"c8y_SoftwareUpdate": [module]})
    finished = connected.operation_done(operation_id)
    assert finished["status"] == "SUCCESSFUL", finished.get("failureReason")
    assert [
        call for call in connected.plugin_calls if call.split()[0] in ("prepare", "install", "finalize")
    ] == ["prepare", "install jq --module-version 1.7", "finalize"]

    expected = [{"name": "jq", "version": "1.7", "softwareType": PLUGIN_TYPE}]
    eventually(
        lambda: connected.managed_object().get("c8y_SoftwareList") == expected, "the updated software list"
    )


@pytest.mark.parametrize(
    ("module", "reason"),
    [
        ({"name": "broken-pkg", "version": f"2.0::{PLUGIN_TYPE}"}, "Unable to locate package broken-pkg"),
        ({"name": "ripgrep", "version": "14::nosuch"}, "No sm-plugin for software type 'nosuch'"),  # at once
    ],
)
def test_a_failed_software_install_is_failed_in_the_tenant_with_its_reason(
    connected: Connected, module: dict[str, str], reason: str
) -> None:
    request = {**module, "url": "", "action": "install"}
    operation_id = create_operation(connected, "Install", {"c8y_SoftwareUpdate": [request]})
    finished = connected.operation_done(operation_id)
    assert finished["status"] == "FAILED"
    assert reason in finished["failureReason"]
    assert module["name"] not in [item["name"] for item in connected.managed_object()["c8y_SoftwareList"]]


def test_an_update_interrupted_by_killing_the_agent_ends_failed_with_a_reason(connected: Connected) -> None:
    """tedge-agent killed (SIGKILL) while a plugin installs: once supervisord started it again, the
    operation is FAILED with the reason, never left EXECUTING."""
    module = {"name": "slow-pkg", "version": f"1.0::{PLUGIN_TYPE}", "url": "", "action": "install"}
    operation_id = create_operation(connected, "Install slow-pkg", {"c8y_SoftwareUpdate": [module]})
    release = connected.device.config_dir / "release-slow-pkg"
    try:
        wait_for(lambda: "install slow-pkg --module-version 1.0" in connected.plugin_calls, "the install")
        wait_for(
            lambda: connected.c8y("operations", "get", "--id", operation_id)[0]["status"] == "EXECUTING",
            "the operation to be EXECUTING",
        )
        agent = connected.device.pid_of("tedge-agent")
        os.kill(agent, signal.SIGKILL)
        finished = connected.operation_done(operation_id)
    finally:
        release.touch()  # the orphaned plugin ends
    assert finished["status"] == "FAILED"
    assert finished["failureReason"] == "tedge-agent was restarted while the command was running"
    assert connected.device.pid_of("tedge-agent") not in (0, agent)
    assert "slow-pkg" not in [item["name"] for item in connected.managed_object()["c8y_SoftwareList"]]
