"""Uploads from files, as processes against the local tenant: the bytes arrive intact (a 5 MB file),
multipart and whole-body uploads, a binary's URL in the body, ``--dry`` without reading the file, and
the bad files (missing, a directory, unreadable)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import C8Y, Run, unique, write_session

pytestmark = pytest.mark.e2e
C8y = Callable[..., Run]
FIVE_MB = 5 * 1024 * 1024
ROOT_UNREADABLE = "/proc/sys/vm/drop_caches"  # a regular file (mode 0200) that not even root can read


def one(run: Run) -> dict[str, Any]:
    assert run.code == 0, run.stderr
    [line] = run.stdout.splitlines()
    item: dict[str, Any] = json.loads(line)
    return item


def created_child(run: Run) -> dict[str, Any]:
    """The new child addition: Cumulocity answers with its reference (``{"managedObject": {...}}``)."""
    reference = one(run)
    assert reference["self"].endswith("/" + reference["managedObject"]["id"])
    child: dict[str, Any] = reference["managedObject"]
    return child


def pattern_file(path: Path, size: int) -> bytes:
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    path.write_bytes(data)
    return data


def download(rest: C8y, tmp_path: Path, *args: str) -> bytes:
    target = tmp_path / unique("download-")
    run = rest(*args, "--outputFileRaw", str(target))
    assert run.code == 0, run.stderr
    return target.read_bytes()


def test_binaries_create_uploads_5_mb_intact_and_update_replaces_them(rest: C8y, tmp_path: Path) -> None:
    source = tmp_path / "firmware.bin"
    data = pattern_file(source, FIVE_MB)
    created = one(rest("binaries", "create", "--file", str(source), "--type", "c8y_upload", "--force"))
    assert created["name"] == "firmware.bin" and created["type"] == "c8y_upload"
    assert created["length"] == FIVE_MB and "c8y_IsBinary" in created
    assert download(rest, tmp_path, "binaries", "get", "--id", created["id"]) == data

    replacement = tmp_path / "firmware-2.bin"
    new_data = pattern_file(replacement, 4096)[::-1]
    replacement.write_bytes(new_data)
    updated = rest("binaries", "update", "--id", created["id"], "--file", str(replacement), "--force")
    assert updated.code == 0, updated.stderr
    assert download(rest, tmp_path, "binaries", "get", "--id", created["id"]) == new_data


def test_event_binary_create_and_update(rest: C8y, tmp_path: Path) -> None:
    device = one(rest("devices", "create", "--name", unique("upload-dev-"), "--force"))
    event = one(rest("events", "create", "--device", device["id"], "--type", "t", "--text", "x", "--force"))
    log = tmp_path / "device.log"
    log.write_text("line 1\nline 2\n")
    attached = one(
        rest("events", "createBinary", "--id", event["id"], "--file", str(log), "--name", "d.log", "--force")
    )
    assert attached["name"] == "d.log" and attached["length"] == log.stat().st_size
    assert download(rest, tmp_path, "events", "downloadBinary", "--id", event["id"]) == log.read_bytes()
    log.write_text("replaced\n")
    replaced = rest("events", "updateBinary", "--id", event["id"], "--file", str(log), "--force")
    assert replaced.code == 0, replaced.stderr
    assert download(rest, tmp_path, "events", "downloadBinary", "--id", event["id"]) == b"replaced\n"


def test_software_version_create_uploads_the_file_and_lists_by_software(rest: C8y, tmp_path: Path) -> None:
    name = unique("pkg-")
    software = one(rest("software", "create", "--name", name, "--softwareType", "apt", "--force"))
    package = tmp_path / f"{name}_1.0.0.deb"
    data = pattern_file(package, 70_000)
    version = created_child(
        rest("software", "versions", "create", "--software", name, "--version", "1.0.0", "--file",
             str(package), "--force")
    )  # fmt: skip
    assert version["c8y_Software"]["version"] == "1.0.0" and version["type"] == "c8y_SoftwareBinary"
    url = version["c8y_Software"]["url"]
    binary_id = url.rstrip("/").rsplit("/", 1)[-1]
    assert download(rest, tmp_path, "binaries", "get", "--id", binary_id) == data
    listed = rest("software", "versions", "list", "--software", software["id"])
    assert listed.code == 0, listed.stderr
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [version["id"]]


def test_firmware_version_and_patch_create_with_files(rest: C8y, tmp_path: Path) -> None:
    name = unique("fw-")
    firmware = one(rest("firmware", "create", "--name", name, "--force"))
    image = tmp_path / "image.img"
    pattern_file(image, 10_000)
    version = created_child(
        rest("firmware", "versions", "create", "--firmware", firmware["id"], "--version", "1.0.0",
             "--file", str(image), "--force")
    )  # fmt: skip
    assert version["type"] == "c8y_FirmwareBinary" and version["c8y_Firmware"]["version"] == "1.0.0"
    assert "c8y_Patch" not in version
    patch = created_child(
        rest("firmware", "patches", "create", "--firmware", name, "--version", "1.0.1",
             "--dependencyVersion", "1.0.0", "--file", str(image), "--force")
    )  # fmt: skip
    assert patch["c8y_Patch"] == {"dependency": "1.0.0"} and patch["c8y_Firmware"]["version"] == "1.0.1"
    versions = rest("firmware", "versions", "list", "--firmware", name)
    assert [json.loads(line)["id"] for line in versions.stdout.splitlines()] == [version["id"]]


def test_microservices_create_creates_the_application_then_uploads_the_zip(rest: C8y, tmp_path: Path) -> None:
    import zipfile

    name = unique("svc-")
    archive = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("cumulocity.json", json.dumps({"apiVersion": "2", "requiredRoles": []}))
        bundle.writestr("image.tar", b"\0" * 2048)
    created = one(rest("microservices", "create", "--file", str(archive), "--force"))
    assert created["name"] == name and created["type"] == "MICROSERVICE"
    again = one(rest("microservices", "create", "--file", str(archive), "--force"))
    assert again["id"] == created["id"]  # found by name, not created twice
    binaries = rest("applications", "listApplicationBinaries", "--id", created["id"])
    assert binaries.code == 0, binaries.stderr
    assert len(binaries.stdout.splitlines()) == 2


def test_dry_shows_the_file_without_reading_it(rest: C8y, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    with source.open("wb") as handle:  # sparse: nothing to read if the command did read it
        handle.truncate(FIVE_MB)
    run = rest("binaries", "create", "--file", str(source), "--dry", "--dryFormat", "json")
    assert run.code == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["method"] == "POST" and document["path"] == "/inventory/binaries"
    assert document["headers"]["Content-Type"] == "multipart/form-data"
    assert document["body"]["file"] == {
        "filename": "big.bin", "contentType": "application/octet-stream", "file": str(source),
        "size": FIVE_MB,
    }  # fmt: skip
    assert json.loads(document["body"]["object"]) == {"name": "big.bin", "type": "application/octet-stream"}


def test_no_progress_bar_when_stderr_is_not_a_terminal(rest: C8y, tmp_path: Path) -> None:
    source = tmp_path / "quiet.bin"
    pattern_file(source, 300_000)
    run = rest("binaries", "create", "--file", str(source), "--force")
    assert run.code == 0 and "↑" not in run.stderr and "%" not in run.stderr


@pytest.mark.parametrize("problem", ["missing", "directory", "unreadable"])
def test_bad_files_are_user_errors_before_anything_is_sent(rest: C8y, tmp_path: Path, problem: str) -> None:
    path = tmp_path / "input.bin"
    if problem == "directory":
        path.mkdir()
    elif problem == "unreadable":
        path.write_bytes(b"secret")
        path.chmod(0)
        if os.geteuid() == 0:  # root reads any mode-0 file, but not a write-only kernel setting
            path = Path(ROOT_UNREADABLE)
            if not os.access(path, os.F_OK):
                pytest.skip(f"{ROOT_UNREADABLE} is not there to stand for an unreadable file")
    run = rest("binaries", "create", "--file", str(path), "--force")
    expected = {"missing": "no such file", "directory": "is a directory", "unreadable": "cannot read"}
    assert run.code == 101 and expected[problem] in run.stderr and "Traceback" not in run.stderr
    listed = rest("binaries", "list", "--pageSize", "100")
    assert "input.bin" not in listed.stdout


def web_zip(path: Path, manifest: dict[str, Any] | None = None) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("index.html", "<html>app</html>")
        if manifest is not None:
            bundle.writestr("cumulocity.json", json.dumps(manifest))


def test_hosted_application_is_created_uploaded_activated_and_opened(rest: C8y, tmp_path: Path) -> None:
    name = unique("webapp-")
    archive = tmp_path / f"{name}.zip"
    web_zip(archive)
    created = one(rest("applications", "createHostedApplication", "--file", str(archive), "--force"))
    assert created["name"] == name and created["type"] == "HOSTED" and created.get("activeVersionId")
    binaries = rest("applications", "listApplicationBinaries", "--id", created["id"])
    assert [json.loads(line)["id"] for line in binaries.stdout.splitlines()] == [created["activeVersionId"]]
    opened = one(rest("applications", "open", "--application", name, "--page", "home"))
    assert opened["url"].endswith(f"/apps/{name}/#/home")


def test_ui_plugin_is_created_with_its_version(rest: C8y, tmp_path: Path) -> None:
    name = unique("plugin-")
    archive = tmp_path / "plugin.zip"
    web_zip(archive, {"name": name, "version": "1.2.0", "contextPath": name})
    version = one(rest("ui", "plugins", "create", "--file", str(archive), "--force"))
    assert version["version"] == "1.2.0" and version["tags"] == ["latest"]
    versions = rest("ui", "plugins", "versions", "list", "--plugin", name)
    assert versions.code == 0, versions.stderr
    assert [json.loads(line)["version"] for line in versions.stdout.splitlines()] == ["1.2.0"]


def test_microservice_service_user_create_and_get(rest: C8y) -> None:
    name = unique("svcuser-")
    created = one(rest("microservices", "serviceuser", "create", "--name", name, "--roles",
                       "ROLE_INVENTORY_READ", "--force"))  # fmt: skip
    assert created["name"] == name and created["requiredRoles"] == ["ROLE_INVENTORY_READ"]
    user = one(rest("microservices", "serviceuser", "get", "--application", name))
    assert user["name"] == f"service_{name}" and user["password"] and user["tenant"]


def test_progress_bar_on_a_terminal(
    base_env: dict[str, str], sessions: Path, tenant: BackgroundTenant, rest_user: tuple[str, str],
    tmp_path: Path,
) -> None:  # fmt: skip
    import pty
    import subprocess

    source = tmp_path / "shown.bin"
    pattern_file(source, 2 * 1024 * 1024)
    session = write_session(sessions, "bar", tenant, rest_user)
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [C8Y, "binaries", "create", "--file", str(source), "--force"],
            env={**base_env, "C8Y_SESSION": str(session)}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=secondary, timeout=60, check=False,
        )  # fmt: skip
        os.close(secondary)
        shown = b""
        while True:
            try:
                block = os.read(primary, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not block:
                break
            shown += block
    finally:
        os.close(primary)
    assert done.returncode == 0
    text = shown.decode("utf-8", "replace")
    assert "↑ shown.bin [" in text and "100% 2.1/2.1 MB" in text
    assert json.loads(done.stdout)["length"] == 2 * 1024 * 1024
