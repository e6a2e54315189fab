"""`tedge-mapper c8y` and `tedge-agent` end to end, through the real chain: `tedge mqtt pub` on the
device's mosquitto -> the mapper -> the mosquitto bridge -> the local tenant's MQTT endpoint, and
operations created in the tenant back down to the agent.

``connected``: one device per test module, onboarded on the module's tenant (tests/e2e/conftest.py),
with a test sm-plugin in ``<config-dir>/sm-plugins`` and a ``[system] reboot`` that restarts the agent
under supervisord (as ``c8ylink demo`` does: never the machine), then `tedge connect c8y`; the
fixture returns once the mapper and the agent report ``up``. ``connected.pub(...)`` is `tedge mqtt
pub`, ``connected.c8y(...)`` runs `c8y` as a process as the tenant's admin (JSON lines parsed).
Tests of one module share the device, so each uses its own types and fragments.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tests.e2e.conftest import (
    BIN,
    DEADLINE,
    SUPERVISORCTL,
    Device,
    TenantApi,
    listening,
    new_device,
    onboard,
    wait_for,
)

from c8ylink.tenant.background import BackgroundTenant

C8Y = BIN / "c8y"
MAPPER_HEALTH = "te/device/main/service/tedge-mapper-c8y/status/health"
AGENT_HEALTH = "te/device/main/service/tedge-agent/status/health"
PLUGIN_TYPE = "fake"

# thin-edge's plugin API (docs/device.md "Software: sm-plugins"): the installed modules are the lines
# `name<TAB>version` of a file; every call is appended to a log so that a test sees the protocol;
# installing a module named broken* fails (exit code 2, a message on stderr); one named slow* waits
# (up to 60 s) until a file release-<name> appears next to the state file
PLUGIN = r"""#!/bin/sh
HERE="$(dirname "$0")/.."
STATE="$HERE/fake-packages.tsv"
touch "$STATE"
echo "$*" >> "$HERE/fake-plugin-calls.log"
keep_others() { grep -v "^$1	" "$STATE" > "$STATE.tmp"; }
case "$1" in
    list) cat "$STATE" ;;
    prepare|finalize) ;;
    update-list) exit 1 ;;
    install)
        name="$2"; version=""; shift 2
        case "$name" in
            broken*) echo "E: Unable to locate package $name" >&2; exit 2 ;;
            slow*) n=0
                while [ ! -e "$HERE/release-$name" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done ;;
        esac
        while [ $# -gt 0 ]; do
            case "$1" in
                --module-version) version="$2"; shift 2 ;;
                --file) shift 2 ;;
                *) echo "unexpected argument $1" >&2; exit 1 ;;
            esac
        done
        keep_others "$name"; printf '%s\t%s\n' "$name" "$version" >> "$STATE.tmp"; mv "$STATE.tmp" "$STATE" ;;
    remove) keep_others "$2"; mv "$STATE.tmp" "$STATE" ;;
    *) echo "usage: $0 list|prepare|finalize|install|remove|update-list" >&2; exit 1 ;;
esac
"""

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = DEADLINE) -> T:
    """The first value of ``probe()`` that is not None/empty, polled until ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@dataclass
class Connected:
    device: Device
    device_id: str
    mo_id: str
    tenant: BackgroundTenant
    api: TenantApi

    def pub(self, topic: str, payload: str, *, retain: bool = False) -> None:
        """`tedge mqtt pub` at QoS 1 (retained with ``retain``)."""
        result = self.device.run("mqtt", "pub", "-q", "1", *(["-r"] if retain else []), topic, payload)
        assert (result.returncode, result.stderr) == (0, ""), result.stderr

    def c8y(self, *args: str) -> list[Any]:
        """`c8y <args>` as a process (the tenant's admin, from the environment); its JSON lines."""
        code, lines, stderr = self.c8y_result(*args)
        assert code == 0, f"c8y {' '.join(args)}: {stderr}"
        return lines

    def c8y_result(self, *args: str) -> tuple[int, list[Any], str]:
        """`c8y <args>`: exit code, JSON lines, stderr."""
        result = subprocess.run(
            [str(C8Y), *args], env=self.c8y_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
            check=False, timeout=DEADLINE,
        )  # fmt: skip
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        return result.returncode, lines, result.stderr

    def c8y_env(self) -> dict[str, str]:
        """The environment of `c8y` as the tenant's admin."""
        info = self.tenant.info
        return {
            **os.environ,
            "C8Y_HOST": info.https_url,
            "C8Y_TENANT": info.tenant,
            "C8Y_USER": info.admin.username.rpartition("/")[2],
            "C8Y_PASSWORD": info.admin.password,
            "C8Y_MODE": "dev",
            "SSL_CERT_FILE": str(info.ca_file),
        }

    def managed_object(self, mo_id: str | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self.c8y("inventory", "get", "--id", mo_id or self.mo_id)[0]
        return found

    def operation_done(self, operation_id: str) -> dict[str, Any]:
        """The operation once SUCCESSFUL or FAILED (polled with `c8y operations get`)."""

        def finished() -> dict[str, Any] | None:
            operation: dict[str, Any] = self.c8y("operations", "get", "--id", operation_id)[0]
            return operation if operation["status"] in ("SUCCESSFUL", "FAILED") else None

        return eventually(finished, f"operation {operation_id} to finish")

    def health(self, topic: str) -> dict[str, Any]:
        result = self.device.run("mqtt", "sub", topic, "-C", "1", "-W", "5s", "--no-topic")
        return dict(json.loads(result.stdout)) if result.stdout.strip() else {}

    @property
    def plugin_calls(self) -> list[str]:
        log = self.device.config_dir / "fake-plugin-calls.log"
        return log.read_text().splitlines() if log.exists() else []


def write_plugin(config_dir: Path) -> None:
    plugin = config_dir / "sm-plugins" / PLUGIN_TYPE
    plugin.parent.mkdir(parents=True, exist_ok=True)
    plugin.write_text(PLUGIN)
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def agent_restart_command(device: Device, run_dir: Path) -> list[str]:
    """A `[system] reboot` that 'reboots' by restarting tedge-agent under supervisord: the marker in
    run.path goes, as a reboot empties /run."""
    marker = run_dir / "tedge_agent_restart"
    restart = f"exec {SUPERVISORCTL} -c {device.supervisord_conf} restart tedge-agent"
    return ["sh", "-c", f"rm -f {marker}; {restart}"]


@pytest.fixture(scope="module")
def connected(tenant: BackgroundTenant, tenant_api: TenantApi) -> Iterator[Connected]:
    with new_device() as device:
        device_id = onboard(device, tenant, tenant_api)
        run_dir = device.base / "run"
        run_dir.mkdir()
        device.config("run.path", str(run_dir))
        write_plugin(device.config_dir)
        device.write_services(reboot=agent_restart_command(device, run_dir))
        device.start_services()
        wait_for(lambda: listening(device.port), "mosquitto to listen")
        result = device.run("connect", "c8y")
        assert result.returncode == 0, result.stderr
        managed = tenant_api.managed_object(device_id)
        assert managed is not None
        link = Connected(device, device_id, str(managed["id"]), tenant, tenant_api)
        for topic in (MAPPER_HEALTH, AGENT_HEALTH):
            eventually(lambda topic=topic: link.health(topic).get("status") == "up", f"{topic} up")  # type: ignore[misc]
        yield link
