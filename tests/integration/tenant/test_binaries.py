"""Inventory binaries and event attachments: multipart and raw uploads of real files, streamed
downloads, replacement, deletion, permissions, path confinement and interrupted uploads."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from c8ylink.tenant.background import BackgroundTenant

from .conftest import admin_auth, client_context, unique

pytestmark = pytest.mark.integration


def _upload(
    api: httpx2.Client, path: Path, name: str, kind: str = "application/octet-stream"
) -> httpx2.Response:
    with path.open("rb") as handle:
        return api.post(
            "/inventory/binaries",
            files={"file": (path.name, handle, kind)},
            data={"object": json.dumps({"name": name, "type": kind})},
        )


def test_multipart_upload_download_replace_delete(
    tenant: BackgroundTenant, api: httpx2.Client, tmp_path: Path
) -> None:
    content = os.urandom(3 * 1024 * 1024 + 17)
    source = tmp_path / "firmware.bin"
    source.write_bytes(content)
    name = unique("firmware")
    created = _upload(api, source, name)
    assert created.status_code == 201, created.text
    binary = created.json()
    assert binary["name"] == name and binary["length"] == len(content) and "c8y_IsBinary" in binary
    stored = tenant.info.data_dir / "files" / "inventory" / binary["id"]
    assert stored.read_bytes() == content

    downloaded = api.get(f"/inventory/binaries/{binary['id']}")
    assert downloaded.status_code == 200 and downloaded.content == content
    listed = api.get("/inventory/binaries", params={"pageSize": "2000"}).json()["managedObjects"]
    assert binary["id"] in [item["id"] for item in listed]
    assert api.get(f"/inventory/managedObjects/{binary['id']}").json()["name"] == name

    replaced = api.put(
        f"/inventory/binaries/{binary['id']}", content=b"hello", headers={"Content-Type": "text/plain"}
    )
    assert replaced.status_code == 201 and replaced.json()["length"] == 5
    again = api.get(f"/inventory/binaries/{binary['id']}")
    assert again.content == b"hello" and again.headers["Content-Type"].startswith("text/plain")

    assert api.delete(f"/inventory/binaries/{binary['id']}").status_code == 204
    assert not stored.exists()
    gone = api.get(f"/inventory/binaries/{binary['id']}")
    assert gone.status_code == 404 and set(gone.json()) == {"error", "message", "info"}


def test_binaries_need_a_file_and_stay_inside_the_data_dir(api: httpx2.Client, device_id: str) -> None:
    missing = api.post("/inventory/binaries", files={"object": (None, '{"name": "x", "type": "t"}')})
    assert missing.status_code == 422
    for path in ("/inventory/binaries/..%2F..%2Ftenant.db", "/inventory/binaries/%2e%2e"):
        assert api.get(path).status_code == 404
    assert api.get(f"/inventory/binaries/{device_id}").status_code == 404  # not a binary


def test_a_user_without_write_permission_gets_403(
    tenant: BackgroundTenant, api: httpx2.Client, client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    name = unique("reader")
    api.post("/user/t100/users", json={"userName": name, "password": "Secret-123"})
    reader = client_for(tenant, (f"t100/{name}", "Secret-123"))
    source = tmp_path / "a.txt"
    source.write_text("a")
    denied = _upload(reader, source, "a")
    assert denied.status_code == 403 and denied.json()["error"] == "security/Forbidden"
    binary = _upload(api, source, "a").json()
    assert reader.get(f"/inventory/binaries/{binary['id']}").content == b"a"
    assert reader.delete(f"/inventory/binaries/{binary['id']}").status_code == 403


def test_event_attachments(api: httpx2.Client, device_id: str, tmp_path: Path) -> None:
    event = api.post(
        "/event/events",
        json={"source": {"id": device_id}, "type": "c8y_Log", "text": "log", "time": "2026-01-01T00:00:00Z"},
    ).json()
    url = f"/event/events/{event['id']}/binaries"
    assert api.get(url).status_code == 404
    log = tmp_path / "agent.log"
    log.write_bytes(b"line 1\nline 2\n" * 1000)
    with log.open("rb") as handle:
        attached = api.post(url, files={"file": ("agent.log", handle, "text/plain")})
    assert attached.status_code == 201 and attached.json()["name"] == "agent.log"
    assert api.get(url).content == log.read_bytes()
    assert api.get(f"/event/events/{event['id']}").json()["c8y_IsBinary"]["length"] == log.stat().st_size
    duplicate = api.post(url, content=b"x", headers={"Content-Type": "application/octet-stream"})
    assert duplicate.status_code == 409
    replaced = api.put(url, content=b"raw", headers={"Content-Type": "application/octet-stream"})
    assert replaced.status_code == 201 and api.get(url).content == b"raw"
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.delete(url).status_code == 404


def _partial_upload(tenant: BackgroundTenant, name: str, incoming: Path) -> None:
    """Send the start of a large multipart upload, then drop the connection."""
    host, port = tenant.info.https_url.removeprefix("https://").rsplit(":", 1)
    username, password = admin_auth(tenant)
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    boundary = "c8ylinkboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="object"\r\n\r\n'
        f'{{"name": "{name}", "type": "application/octet-stream"}}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    request = (
        f"POST /inventory/binaries HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Basic {credentials}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
    ).encode()
    context: ssl.SSLContext = client_context(tenant.info.ca_file)
    with (
        socket.create_connection((host, int(port))) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        tls.sendall(request + head)
        for _ in range(64):
            tls.sendall(os.urandom(16 * 1024))
        deadline = time.monotonic() + 10
        while not any(incoming.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(incoming.iterdir()), "the tenant staged nothing"


def test_an_interrupted_upload_leaves_nothing(tenant: BackgroundTenant, api: httpx2.Client) -> None:
    name = unique("interrupted")
    incoming = tenant.info.data_dir / "files" / ".incoming"
    _partial_upload(tenant, name, incoming)
    deadline = time.monotonic() + 10
    while any(incoming.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(incoming.iterdir())
    listed = api.get("/inventory/managedObjects", params={"query": f"name eq '{name}'"}).json()
    assert listed["managedObjects"] == []


def test_attachments_go_with_their_device_and_orphans_are_pruned_on_start(
    start_tenant: Callable[..., BackgroundTenant], client_for: Callable[..., httpx2.Client], tmp_path: Path
) -> None:
    with start_tenant(data_dir=tmp_path / "pruned", mqtt=False) as running:
        api = client_for(running, admin_auth(running))
        device = api.post("/inventory/managedObjects", json={"name": "d", "c8y_IsDevice": {}}).json()["id"]
        event = api.post(
            "/event/events",
            json={"source": {"id": device}, "type": "t", "text": "x", "time": "2026-01-01T00:00:00Z"},
        ).json()["id"]
        api.post(f"/event/events/{event}/binaries", content=b"log", headers={"Content-Type": "text/plain"})
        files = running.info.data_dir / "files"
        assert (files / "events" / event).is_file()
        assert api.delete(f"/inventory/managedObjects/{device}").status_code == 204
        assert not (files / "events" / event).exists()
        (files / "inventory" / "999999").write_bytes(b"orphan")  # as left by a crash before the commit
    with start_tenant(data_dir=tmp_path / "pruned", mqtt=False):
        assert not (files / "inventory" / "999999").exists()
