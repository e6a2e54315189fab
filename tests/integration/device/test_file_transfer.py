"""The agent's file transfer service over real sockets: PUT/GET/DELETE, limits and path confinement."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from c8ylink.device.agent.file_transfer import FileTransferServer


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[FileTransferServer]:
    service = FileTransferServer(tmp_path / "file-transfer", max_size=1024 * 1024)
    await service.start("127.0.0.1", 0)
    yield service
    await service.stop()


async def exchange(port: int, head: str, body: bytes = b"") -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode("latin-1") + b"\r\n\r\n" + body)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


async def put(port: int, path: str, body: bytes) -> int:
    status, _ = await exchange(port, f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}", body)
    return status


async def test_put_get_delete_round_trip(server: FileTransferServer) -> None:
    path = "/te/v1/files/main/config_snapshot/mosquitto-c8y-mapper-1"
    assert await put(server.port, path, b"listener 1883\n") == 201
    assert (server.root / "main/config_snapshot/mosquitto-c8y-mapper-1").read_bytes() == b"listener 1883\n"
    assert await exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: x") == (200, b"listener 1883\n")
    assert (await exchange(server.port, f"DELETE {path} HTTP/1.1\r\nHost: x"))[0] == 202
    assert (await exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: x"))[0] == 404
    assert (await exchange(server.port, f"DELETE {path} HTTP/1.1\r\nHost: x"))[0] == 404


async def test_a_chunked_upload_replaces_the_file(server: FileTransferServer) -> None:
    path = "/te/v1/files/main/log_upload/a"
    assert await put(server.port, path, b"old") == 201
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    head = f"PUT {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
    assert (await exchange(server.port, head, body))[0] == 201
    assert (server.root / "main/log_upload/a").read_bytes() == b"hello world"


@pytest.mark.parametrize(
    "path",
    [
        "/te/v1/files/../etc/passwd",
        "/te/v1/files/main/../../secret",
        "/te/v1/files/%2e%2e/secret",
        "/te/v1/files/main/%2E%2E/%2e%2e/secret",
        "/te/v1/files/%252e%252e/secret",
        "/te/v1/files//etc/passwd",
        "/te/v1/files/%2fetc/passwd",
        "/te/v1/files/main%5c..%5csecret",
        "/te/v1/files/a%00b",
        "/te/v1/files/",
        "/te/v1/files/main/",
    ],
)
async def test_a_path_leaving_the_directory_is_refused(server: FileTransferServer, path: str) -> None:
    status, body = await exchange(server.port, f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 3", b"bad")
    assert status == 400
    assert json.loads(body)["error"] == "file_transfer/bad_request"
    assert (await exchange(server.port, f"GET {path} HTTP/1.1\r\nHost: x"))[0] == 400
    assert not (server.root.parent / "secret").exists()


async def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(server: FileTransferServer) -> None:
    path = "/te/v1/files/main/config_update/big"
    status, _ = await exchange(
        server.port, f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {2 * 1024 * 1024}", b"x" * 1000
    )
    assert status == 413
    chunked = b"".join(b"%x\r\n%s\r\n" % (64 * 1024, b"y" * 64 * 1024) for _ in range(20)) + b"0\r\n\r\n"
    head = f"PUT {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
    status, _ = await exchange(server.port, head, chunked)
    assert status == 413
    assert [p.name for p in server.root.rglob("*") if p.is_file()] == []


async def test_a_body_cut_short_leaves_nothing(server: FileTransferServer) -> None:
    path = "/te/v1/files/main/config_update/cut"
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n".encode() + b"z" * 10)
    await writer.drain()
    writer.write_eof()
    await reader.read()
    writer.close()
    assert [p.name for p in server.root.rglob("*") if p.is_file()] == []


async def test_other_paths_and_methods(server: FileTransferServer) -> None:
    assert (await exchange(server.port, "GET /other HTTP/1.1\r\nHost: x"))[0] == 404
    assert (await exchange(server.port, "POST /te/v1/files/a HTTP/1.1\r\nHost: x"))[0] == 405
    assert (await exchange(server.port, "garbage"))[0] == 400


async def test_a_large_file_is_streamed(tmp_path: Path) -> None:
    service = FileTransferServer(tmp_path / "ft", max_size=64 * 1024 * 1024)
    await service.start("127.0.0.1", 0)
    try:
        body = bytes(range(256)) * (40 * 1024)  # 10 MiB
        assert await put(service.port, "/te/v1/files/main/big", body) == 201
        status, answer = await exchange(service.port, "GET /te/v1/files/main/big HTTP/1.1\r\nHost: x")
        assert status == 200 and answer == body
    finally:
        await service.stop()


async def test_a_symbolic_link_out_of_the_directory_is_refused(
    server: FileTransferServer, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("s")
    server.root.mkdir(parents=True, exist_ok=True)
    (server.root / "link").symlink_to(outside)
    assert (await exchange(server.port, "GET /te/v1/files/link/secret HTTP/1.1\r\nHost: x"))[0] == 400
    assert await put(server.port, "/te/v1/files/link/new", b"x") == 400
    assert not (outside / "new").exists()
