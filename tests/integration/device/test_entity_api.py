"""``/te/v1/entities`` on the agent's HTTP server (real sockets; the MQTT side recorded)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from c8ylink.core.entity_store import EntityStore
from c8ylink.core.topics import EntityTopicId
from c8ylink.device.agent.entity_api import EntityApi
from c8ylink.device.agent.file_transfer import FileTransferServer

Published = list[tuple[str, bytes]]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[FileTransferServer, Published]]:
    published: Published = []

    def publish(topic: str, payload: bytes) -> bool:
        published.append((topic, payload))
        return True

    entities = EntityApi(EntityStore(EntityTopicId("device/main//")), "te", publish)
    server = FileTransferServer(tmp_path / "ft", entity_api=entities)
    await server.start("127.0.0.1", 0)
    yield server, published
    await server.stop()


async def call(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = b"" if body is None else json.dumps(body).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data
    )
    answer = await reader.read()
    writer.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(rest) if rest else None


async def test_register_list_get_deregister(api: tuple[FileTransferServer, Published]) -> None:
    server, published = api
    child = {"@topic-id": "device/child01//", "@type": "child-device", "name": "Child 1"}
    assert await call(server.port, "POST", "/te/v1/entities", child) == (
        201,
        {"@topic-id": "device/child01//"},
    )
    assert published == [
        ("te/device/child01//", b'{"@type": "child-device", "name": "Child 1", "@parent": "device/main//"}')
    ]
    service = {"@topic-id": "device/child01/service/app", "@type": "service"}
    assert (await call(server.port, "POST", "/te/v1/entities", service))[0] == 201
    status, listed = await call(server.port, "GET", "/te/v1/entities")
    assert status == 200
    assert [e["@topic-id"] for e in listed] == [
        "device/main//",
        "device/child01//",
        "device/child01/service/app",
    ]
    status, only = await call(server.port, "GET", "/te/v1/entities?type=service")
    assert [e["@topic-id"] for e in only] == ["device/child01/service/app"]
    status, found = await call(server.port, "GET", "/te/v1/entities/device/child01//")
    assert (status, found["name"]) == (200, "Child 1")
    status, removed = await call(server.port, "DELETE", "/te/v1/entities/device/child01//")
    assert [e["@topic-id"] for e in removed] == ["device/child01/service/app", "device/child01//"]
    assert published[-2:] == [("te/device/child01/service/app", b""), ("te/device/child01//", b"")]
    assert (await call(server.port, "GET", "/te/v1/entities/device/child01//"))[0] == 404


async def test_bad_requests(api: tuple[FileTransferServer, Published]) -> None:
    server, _ = api
    status, error = await call(server.port, "POST", "/te/v1/entities", {"@topic-id": "x", "@type": "service"})
    assert status == 400 and "Invalid '@topic-id'" in error["message"]
    existing = {"@topic-id": "device/main//", "@type": "child-device"}
    assert (await call(server.port, "POST", "/te/v1/entities", existing))[0] == 409
    assert (await call(server.port, "DELETE", "/te/v1/entities/device/main//"))[0] == 400
    assert (await call(server.port, "DELETE", "/te/v1/entities/device/nobody//"))[0] == 404
    assert (await call(server.port, "PUT", "/te/v1/entities", {}))[0] == 405
