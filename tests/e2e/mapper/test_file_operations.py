"""Configuration and log management end to end: operations created in the tenant with `c8y operations
create` -> bridge -> mapper -> tedge-agent (plugin files, file transfer service) -> the file as an event
binary in the tenant, or the tenant's binary written on the device."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import AGENT_HEALTH, Connected, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def files(connected: Connected) -> Path:
    """Plugin files declaring a configuration and a log type; the agent restarted to announce them."""
    base = connected.device.base
    (base / "etc").mkdir()
    (base / "etc/app.conf").write_text("old = 1\n")
    (base / "logs").mkdir()
    (base / "logs/app.log").write_text(
        "".join(f"line {i} {'ERROR' if i % 3 == 0 else 'ok'}\n" for i in range(30))
    )
    plugins = connected.device.config_dir / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "tedge-configuration-plugin.toml").write_text(
        f'files = [{{ path = "{base}/etc/app.conf", type = "app-conf", mode = 0o600 }},\n'
        f'         {{ path = "/proc/version", type = "read-only" }}]\n'
    )
    (plugins / "tedge-log-plugin.toml").write_text(
        f'files = [{{ type = "app-log", path = "{base}/logs/*.log" }},\n'
        f'         {{ type = "no-file", path = "{base}/logs/none-*.log" }}]\n'
    )
    pid = connected.device.pid_of("tedge-agent")
    assert connected.device.ctl("restart", "tedge-agent").returncode == 0
    eventually(lambda: connected.device.pid_of("tedge-agent") not in (0, pid), "tedge-agent restarted")
    eventually(lambda: connected.health(AGENT_HEALTH).get("status") == "up", "tedge-agent up")
    return base


def create(connected: Connected, description: str, fragment: dict[str, Any]) -> dict[str, Any]:
    created = connected.c8y(
        "operations", "create", "--device", connected.mo_id, "--description", description,
        "--data", json.dumps(fragment), "--force",
    )  # fmt: skip
    return connected.operation_done(str(created[0]["id"]))


def binary_of(connected: Connected, url: str) -> bytes:
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = connected.api.client.get("/" + path, headers={"Accept": "*/*"})
    assert response.status_code == 200, response.text
    return bytes(response.content)


def test_supported_types_are_announced(connected: Connected, files: Path) -> None:
    def announced() -> dict[str, Any] | None:
        managed = connected.managed_object()
        return (
            managed if "c8y_SupportedLogs" in managed and "c8y_SupportedConfigurations" in managed else None
        )

    managed = eventually(announced, "the supported logs and configurations")
    assert managed["c8y_SupportedConfigurations"] == ["tedge-configuration-plugin", "app-conf", "read-only"]
    assert managed["c8y_SupportedLogs"] == ["app-log", "no-file"]
    assert {"c8y_UploadConfigFile", "c8y_DownloadConfigFile", "c8y_LogfileRequest"} <= set(
        managed["c8y_SupportedOperations"]
    )


def test_a_config_snapshot_is_uploaded_as_an_event_binary(connected: Connected, files: Path) -> None:
    done = create(connected, "Get app-conf", {"c8y_UploadConfigFile": {"type": "app-conf"}})
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    url = done["c8y_UploadConfigFile"].get("url")
    events = connected.c8y("events", "list", "--device", connected.mo_id, "--type", "app-conf")
    assert events, "no event of the snapshot"
    assert binary_of(connected, url or f"https://x/event/events/{events[0]['id']}/binaries") == b"old = 1\n"
    # the file transfer service's copy is removed once uploaded
    assert not list((files / "data/file-transfer").rglob("app-conf-*"))


def test_a_config_update_writes_the_tenant_binary(connected: Connected, files: Path) -> None:
    response = connected.api.client.post(
        "/inventory/binaries",
        files={
            "object": (None, json.dumps({"name": "app.conf", "type": "text/plain"})),
            "file": ("app.conf", b"new = 2\n", "text/plain"),
        },
    )
    assert response.status_code == 201, response.text
    url = response.json()["self"]
    done = create(connected, "Set app-conf", {"c8y_DownloadConfigFile": {"type": "app-conf", "url": url}})
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    assert (files / "etc/app.conf").read_text() == "new = 2\n"
    assert (files / "etc/app.conf").stat().st_mode & 0o777 == 0o600
    eventually(lambda: not list((files / "data/file-transfer").rglob("app-conf-*")), "the copy removed")


def test_config_update_failures_keep_the_old_file(connected: Connected, files: Path) -> None:
    before = (files / "etc/app.conf").read_bytes()
    missing = connected.tenant.info.https_url + "/inventory/binaries/999999"
    done = create(connected, "Set missing", {"c8y_DownloadConfigFile": {"type": "app-conf", "url": missing}})
    assert done["status"] == "FAILED"
    assert "Cannot download" in done["failureReason"] and "404" in done["failureReason"]
    assert (files / "etc/app.conf").read_bytes() == before
    assert sorted(p.name for p in (files / "etc").iterdir()) == ["app.conf"]
    done = create(connected, "Set other", {"c8y_DownloadConfigFile": {"type": "nope", "url": missing}})
    assert done["status"] == "FAILED"
    # the mapper downloads before the agent checks the type: either reason is a failure with a reason
    assert done["failureReason"]


def test_a_config_type_not_declared_fails(connected: Connected, files: Path) -> None:
    done = create(connected, "Get nope", {"c8y_UploadConfigFile": {"type": "nope"}})
    assert done["status"] == "FAILED"
    assert "The configuration type 'nope' is not defined" in done["failureReason"]


def test_the_log_of_a_failed_operation_is_uploaded_before_its_status(
    connected: Connected, files: Path
) -> None:
    """c8y.operations.auto_log_upload = on-failure (the default): the agent's log of the command."""
    done = create(connected, "Get nope2", {"c8y_UploadConfigFile": {"type": "nope2"}})
    assert done["status"] == "FAILED"
    events = connected.c8y("events", "list", "--device", connected.mo_id, "--type", "config_snapshot_op_log")
    assert events and events[0]["text"] == "config_snapshot operation log"
    logs = [binary_of(connected, f"https://x/event/events/{event['id']}/binaries") for event in events]
    log = next(text for text in logs if b"'nope2'" in text).decode()
    assert log.splitlines()[-1].endswith(
        "failed: The configuration type 'nope2' is not defined in "
        f"{connected.device.config_dir}/plugins/tedge-configuration-plugin.toml"
    )
    # a successful operation uploads none (on-failure)
    before = len(events)
    assert (
        create(connected, "Get app-conf again", {"c8y_UploadConfigFile": {"type": "app-conf"}})["status"]
        == "SUCCESSFUL"
    )
    after = connected.c8y("events", "list", "--device", connected.mo_id, "--type", "config_snapshot_op_log")
    assert len(after) == before


def test_a_log_request_uploads_the_selected_lines(connected: Connected, files: Path) -> None:
    now = time.time()
    request = {
        "logFile": "app-log", "searchText": "ERROR", "maximumLines": 3,
        "dateFrom": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3600)),
        "dateTo": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now + 3600)),
    }  # fmt: skip
    done = create(connected, "Get app-log", {"c8y_LogfileRequest": request})
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    events = connected.c8y("events", "list", "--device", connected.mo_id, "--type", "app-log")
    content = binary_of(connected, f"https://x/event/events/{events[0]['id']}/binaries")
    assert content == b"line 21 ERROR\nline 24 ERROR\nline 27 ERROR\n"


def test_a_log_type_with_no_file_fails(connected: Connected, files: Path) -> None:
    done = create(connected, "Get no-file", {"c8y_LogfileRequest": {"logFile": "no-file"}})
    assert done["status"] == "FAILED"
    assert "No log file of type 'no-file'" in done["failureReason"]


def test_tedge_upload_c8y_attaches_a_file_to_a_new_event(connected: Connected, files: Path) -> None:
    report = files / "report.csv"
    report.write_bytes(b"a,b\n1,2\n" * 1000)
    result = connected.device.run("upload", "c8y", "--file", str(report), "--type", "test_report")
    assert result.returncode == 0, result.stderr
    event_id = result.stdout.strip()
    (event,) = connected.c8y("events", "list", "--device", connected.mo_id, "--type", "test_report")
    assert (event["id"], event["text"]) == (event_id, f'Uploaded file: "{report}"')
    assert binary_of(connected, f"https://x/event/events/{event_id}/binaries") == report.read_bytes()


def test_tedge_upload_c8y_reports_a_missing_device(connected: Connected, files: Path) -> None:
    report = files / "report2.txt"
    report.write_text("x")
    result = connected.device.run("upload", "c8y", "--file", str(report), "--device-id", "nobody-here")
    assert result.returncode != 0
    assert "failed to upload" in result.stderr and "404" in result.stderr


def test_a_child_devices_config_snapshot(connected: Connected, files: Path) -> None:
    """A child device's own tedge-agent (same broker, the main device's file transfer service)."""
    import shutil
    import subprocess
    import sys

    child_dir = files / "child-tedge"
    (child_dir / "plugins").mkdir(parents=True)
    shutil.copy(connected.device.config_dir / "tedge.toml", child_dir / "tedge.toml")
    (files / "child.conf").write_text("child = true\n")
    (child_dir / "plugins/tedge-configuration-plugin.toml").write_text(
        f'files = [{{ path = "{files}/child.conf", type = "child-conf" }}]\n'
    )
    agent = subprocess.Popen(
        [str(Path(sys.executable).parent / "tedge-agent"), "--config-dir", str(child_dir),
         "--mqtt-device-topic-id", "device/child01//"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        child_xid = f"{connected.device_id}:device:child01"

        def child() -> dict[str, Any] | None:
            found = connected.api.managed_object(child_xid)
            return found if found and "child-conf" in found.get("c8y_SupportedConfigurations", []) else None

        child_mo = str(eventually(child, "the child device with its configuration types")["id"])
        created = connected.c8y(
            "operations", "create", "--device", child_mo, "--description", "Get child-conf",
            "--data", json.dumps({"c8y_UploadConfigFile": {"type": "child-conf"}}), "--force",
        )  # fmt: skip
        done = connected.operation_done(str(created[0]["id"]))
        assert done["status"] == "SUCCESSFUL", done.get("failureReason")
        (event,) = connected.c8y("events", "list", "--device", child_mo, "--type", "child-conf")
        assert binary_of(connected, f"https://x/event/events/{event['id']}/binaries") == b"child = true\n"
        # the main agent is still connected (the child's agent has its own client id)
        assert connected.health(AGENT_HEALTH)["status"] == "up"
    finally:
        agent.terminate()
        agent.wait(10)


def test_a_services_config_snapshot(connected: Connected, files: Path) -> None:
    """A service handles its own commands (thin-edge's entity model): it announces config_snapshot on its
    topic, the mapper gives it the operation created for the service's managed object, the service puts
    the file on the file transfer service (`tedge http put`) and says successful; the file ends up as
    an event binary of the service."""
    service = "te/device/main/service/app-svc"
    connected.pub(service, json.dumps({"@type": "service", "name": "app-svc"}), retain=True)
    connected.pub(f"{service}/cmd/config_snapshot", json.dumps({"types": ["svc-conf"]}), retain=True)
    xid = f"{connected.device_id}:device:main:service:app-svc"

    def announced() -> dict[str, Any] | None:
        found = connected.api.managed_object(xid)
        return found if found and "svc-conf" in found.get("c8y_SupportedConfigurations", []) else None

    managed = eventually(announced, "the service with its configuration types")
    assert "c8y_UploadConfigFile" in managed["c8y_SupportedOperations"]
    created = connected.c8y(
        "operations", "create", "--device", str(managed["id"]), "--description", "Get svc-conf",
        "--data", json.dumps({"c8y_UploadConfigFile": {"type": "svc-conf"}}), "--force",
    )  # fmt: skip
    operation_id = str(created[0]["id"])
    topic = f"{service}/cmd/config_snapshot/c8y-mapper-{operation_id}"
    got = connected.device.run("mqtt", "sub", topic, "-C", "1", "-W", "20s", "--no-topic")
    command = json.loads(got.stdout)
    assert command["status"] == "init" and command["type"] == "svc-conf"
    path = "/" + command["tedgeUrl"].split("://", 1)[1].split("/", 1)[1]
    assert path.startswith("/te/v1/files/main_service_app-svc/config_snapshot/svc-conf-")
    put = connected.device.run("http", "put", path, "--data", "svc = 1\n", "--content-type", "text/plain")
    assert put.returncode == 0, put.stderr
    connected.pub(topic, json.dumps({**command, "status": "executing"}), retain=True)
    connected.pub(topic, json.dumps({**command, "status": "successful"}), retain=True)
    done = connected.operation_done(operation_id)
    assert done["status"] == "SUCCESSFUL", done.get("failureReason")
    (event,) = connected.c8y("events", "list", "--device", str(managed["id"]), "--type", "svc-conf")
    assert binary_of(connected, f"https://x/event/events/{event['id']}/binaries") == b"svc = 1\n"
    # the command is cleared once reported
    cleared = connected.device.run("mqtt", "sub", topic, "-C", "1", "-W", "1s", "--no-topic")
    assert cleared.stdout.strip() == ""


def test_tedge_http_reaches_the_proxy_and_the_file_transfer_service(
    connected: Connected, files: Path
) -> None:
    run = connected.device.run
    put = run(
        "http",
        "put",
        "/te/v1/files/main/tedge-http/hello.txt",
        "--data",
        "hello",
        "--content-type",
        "text/plain",
    )
    assert put.returncode == 0, put.stderr
    got = run("http", "get", "/te/v1/files/main/tedge-http/hello.txt")
    assert (got.returncode, got.stdout) == (0, "hello")
    assert run("http", "delete", "/te/v1/files/main/tedge-http/hello.txt").returncode == 0
    missing = run("http", "get", "/te/v1/files/main/tedge-http/hello.txt")
    assert missing.returncode == 1 and "404" in missing.stderr
    managed = run("http", "get", f"/c8y/inventory/managedObjects/{connected.mo_id}")
    assert managed.returncode == 0, managed.stderr
    assert json.loads(managed.stdout)["id"] == connected.mo_id
    entities = run("http", "get", "/te/v1/entities")
    assert json.loads(entities.stdout)[0]["@topic-id"] == "device/main//"
    bad = run("http", "get", "/elsewhere")
    assert bad.returncode == 2 and "must start with /c8y/ or /te/" in bad.stderr
