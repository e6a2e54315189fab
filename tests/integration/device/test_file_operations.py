"""config_snapshot, config_update and log_upload as the agent runs them, against a real file transfer
service; each bad input fails the command with its reason and leaves the device's files as they were."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from c8ylink.device.agent.file_operations import DeviceOperations, OperationFailed
from c8ylink.device.agent.file_transfer import FileTransferServer


@pytest.fixture
async def fts(tmp_path: Path) -> AsyncIterator[FileTransferServer]:
    server = FileTransferServer(tmp_path / "file-transfer", max_size=10 * 1024 * 1024)
    await server.start("127.0.0.1", 0)
    yield server
    await server.stop()


def url(fts: FileTransferServer, name: str) -> str:
    return f"http://127.0.0.1:{fts.port}/te/v1/files/main/{name}"


@pytest.fixture
def device(tmp_path: Path) -> tuple[DeviceOperations, Path]:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "app.conf").write_text("old\n")
    logs = tmp_path / "logs"
    logs.mkdir()
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "tedge-configuration-plugin.toml").write_text(
        f'files = [\n  {{ path = "{etc}/app.conf", type = "app", mode = 0o640 }},\n'
        f'  {{ path = "/proc/version", type = "readonly" }},\n'
        f'  {{ path = "{etc}/missing.conf", type = "missing" }},\n]\n'
    )
    (plugins / "tedge-log-plugin.toml").write_text(
        f'files = [\n  {{ type = "agent", path = "{logs}/agent-*.log" }},\n'
        f'  {{ type = "nothing", path = "{logs}/none-*.log" }},\n]\n'
    )
    operations = DeviceOperations(
        plugins / "tedge-configuration-plugin.toml", plugins / "tedge-log-plugin.toml", http_timeout=5
    )
    return operations, tmp_path


async def test_capabilities_list_the_declared_types(device: tuple[DeviceOperations, Path]) -> None:
    operations, _ = device
    capabilities = dict(operations.capabilities())
    assert capabilities["config_snapshot"] == {
        "types": ["tedge-configuration-plugin", "app", "readonly", "missing"]
    }
    assert capabilities["config_update"] == capabilities["config_snapshot"]
    assert capabilities["log_upload"] == {"types": ["agent", "nothing"]}


async def test_snapshot_puts_the_file_on_the_file_transfer_service(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, root = device
    request = {"status": "executing", "type": "app", "tedgeUrl": url(fts, "config_snapshot/app-c8y-mapper-1")}
    assert await operations.config_snapshot(request) == {"path": str(root / "etc/app.conf")}
    assert (fts.root / "main/config_snapshot/app-c8y-mapper-1").read_text() == "old\n"


async def test_a_type_not_declared_fails(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, _ = device
    for run in (operations.config_snapshot, operations.config_update):
        with pytest.raises(OperationFailed, match="The configuration type 'other' is not defined"):
            await run({"type": "other", "tedgeUrl": url(fts, "config/other")})
    with pytest.raises(OperationFailed, match="does not exist"):
        await operations.config_snapshot({"type": "missing", "tedgeUrl": url(fts, "config/m")})


async def test_update_replaces_the_file_with_its_mode(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, root = device
    (fts.root / "main/config_update").mkdir(parents=True)
    (fts.root / "main/config_update/app-c8y-mapper-2").write_text("new\n")
    request = {"type": "app", "tedgeUrl": url(fts, "config_update/app-c8y-mapper-2")}
    assert await operations.config_update(request) == {"path": str(root / "etc/app.conf")}
    assert (root / "etc/app.conf").read_text() == "new\n"
    assert (root / "etc/app.conf").stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (root / "etc").iterdir()) == ["app.conf"]


async def test_a_download_that_404s_leaves_the_old_file(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, root = device
    request = {"type": "app", "tedgeUrl": url(fts, "config_update/app-none")}
    with pytest.raises(OperationFailed, match=r"Cannot download the new app configuration.*404"):
        await operations.config_update(request)
    assert (root / "etc/app.conf").read_text() == "old\n"
    assert sorted(p.name for p in (root / "etc").iterdir()) == ["app.conf"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
async def test_a_target_the_agent_may_not_write_fails_and_keeps_the_old_file(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, root = device
    (fts.root / "main/config_update").mkdir(parents=True)
    (fts.root / "main/config_update/app-3").write_text("new\n")
    (root / "etc").chmod(0o555)
    try:
        with pytest.raises(OperationFailed, match=r"Cannot write .*app.conf: Permission denied"):
            await operations.config_update({"type": "app", "tedgeUrl": url(fts, "config_update/app-3")})
    finally:
        (root / "etc").chmod(0o755)
    assert (root / "etc/app.conf").read_text() == "old\n"


async def test_a_target_in_a_read_only_place_fails(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, _ = device
    (fts.root / "main/config_update").mkdir(parents=True)
    (fts.root / "main/config_update/ro").write_text("new\n")
    with pytest.raises(OperationFailed, match=r"Cannot write /proc/version"):
        await operations.config_update({"type": "readonly", "tedgeUrl": url(fts, "config_update/ro")})


async def test_log_upload_selects_lines(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, root = device
    old, new = root / "logs/agent-1.log", root / "logs/agent-2.log"
    old.write_text("".join(f"old {i} {'ERROR' if i % 2 else 'info'}\n" for i in range(10)))
    new.write_text("".join(f"new {i} {'ERROR' if i % 2 else 'info'}\n" for i in range(4)))
    now = time.time()
    os.utime(old, (now - 100, now - 100))
    request = {"type": "agent", "tedgeUrl": url(fts, "log_upload/agent-1"), "searchText": "ERROR", "lines": 4,
               "dateFrom": "1970-01-01T00:00:00Z", "dateTo": "2100-01-01T00:00:00+00:00"}  # fmt: skip
    assert await operations.log_upload(request) == {}
    uploaded = (fts.root / "main/log_upload/agent-1").read_text()
    assert uploaded == "old 7 ERROR\nold 9 ERROR\nnew 1 ERROR\nnew 3 ERROR\n"
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 50))
    assert await operations.log_upload({**request, "dateFrom": since, "lines": 100}) == {}
    assert (fts.root / "main/log_upload/agent-1").read_text() == "new 1 ERROR\nnew 3 ERROR\n"


async def test_a_log_type_with_no_file_fails(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    operations, _ = device
    with pytest.raises(OperationFailed, match="No log file of type 'nothing'"):
        await operations.log_upload({"type": "nothing", "tedgeUrl": url(fts, "log_upload/n")})
    with pytest.raises(OperationFailed, match="The log type 'unknown' is not defined"):
        await operations.log_upload({"type": "unknown", "tedgeUrl": url(fts, "log_upload/n")})
    with pytest.raises(OperationFailed, match="Invalid 'dateFrom'"):
        await operations.log_upload({"type": "agent", "tedgeUrl": url(fts, "log_upload/n"), "dateFrom": "x"})


async def test_a_download_cut_mid_way_leaves_the_old_file_and_no_temporary_file(
    device: tuple[DeviceOperations, Path],
) -> None:
    operations, root = device

    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"partial" * 100)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(cut, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        request = {"type": "app", "tedgeUrl": f"http://127.0.0.1:{port}/te/v1/files/main/config_update/app-9"}
        with pytest.raises(OperationFailed, match="Cannot download the new app configuration"):
            await operations.config_update(request)
    finally:
        server.close()
        await server.wait_closed()
    assert (root / "etc/app.conf").read_text() == "old\n"
    assert sorted(p.name for p in (root / "etc").iterdir()) == ["app.conf"]


@pytest.mark.parametrize("in_place", [False, True], ids=["over HTTP", "in the service's directory"])
async def test_the_mapper_download_cut_mid_way_fails_and_the_file_transfer_service_keeps_nothing(
    tmp_path: Path, in_place: bool
) -> None:
    """The mapper streams the download straight into the file transfer service (over HTTP, or into its
    directory when it is on the same device): a source cut mid-way fails the transfer, and the service
    keeps no partial file (nor does any temporary file remain)."""
    import http.server
    import threading

    from c8ylink.device.agent.file_transfer import FileTransferServer
    from c8ylink.device.local_http import LocalFiles
    from c8ylink.device.mapper.config import MapperConfig
    from c8ylink.device.mapper.transfers import TransferFailed, Transfers

    class Cut(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"partial")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Cut)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    service = FileTransferServer(tmp_path / "files")
    await service.start("127.0.0.1", 0)
    base = f"http://127.0.0.1:{service.port}"
    config = MapperConfig(device_id="d", file_transfer_url=base)
    files = LocalFiles(base, tmp_path / "files") if in_place else None
    transfers = Transfers(config, timeout=5, local_files=files)
    try:
        transfer = {
            "kind": "download",
            "source": f"http://127.0.0.1:{server.server_port}/x",
            "tedgeUrl": f"http://127.0.0.1:{service.port}/te/v1/files/d/config_update/app-1",
            "command": {"payload": {"remoteUrl": "https://t/x"}},
        }
        with pytest.raises(TransferFailed, match="Cannot download https://t/x"):
            await transfers.run(transfer)
    finally:
        await transfers.close()
        await service.stop()
        server.shutdown()
        server.server_close()
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


async def test_the_agents_own_file_transfer_service_is_read_and_written_on_disk(
    device: tuple[DeviceOperations, Path], tmp_path: Path
) -> None:
    """The main device's agent runs the service: its files are copied in place (no service running
    here, so any HTTP request would fail), with the same answers as over HTTP."""
    from dataclasses import replace

    from c8ylink.device.local_http import LocalFiles

    root = tmp_path / "own-files"
    operations = replace(device[0], local_files=LocalFiles("http://127.0.0.1:1", root))
    base = "http://127.0.0.1:1/te/v1/files/main"
    await operations.config_snapshot({"type": "app", "tedgeUrl": f"{base}/config_snapshot/app-1"})
    assert (root / "main/config_snapshot/app-1").read_text() == "old\n"
    (root / "main/config_update").mkdir()
    (root / "main/config_update/app-2").write_text("new\n")
    await operations.config_update({"type": "app", "tedgeUrl": f"{base}/config_update/app-2"})
    assert (tmp_path / "etc/app.conf").read_text() == "new\n"
    with pytest.raises(OperationFailed, match="404"):
        await operations.config_update({"type": "app", "tedgeUrl": f"{base}/config_update/gone"})
    assert (tmp_path / "etc/app.conf").read_text() == "new\n"
    assert sorted(p.name for p in (tmp_path / "etc").iterdir()) == ["app.conf"]
    with pytest.raises(OperationFailed, match="Invalid file transfer URL"):
        await operations.config_snapshot({"type": "app", "tedgeUrl": f"{base}/../../etc/app.conf"})


async def test_the_mapper_writes_and_deletes_in_the_services_directory(tmp_path: Path) -> None:
    import http.server
    import threading

    from c8ylink.device.local_http import LocalFiles
    from c8ylink.device.mapper.config import MapperConfig
    from c8ylink.device.mapper.transfers import TransferFailed, Transfers

    (tmp_path / "src").mkdir()
    (tmp_path / "src/new.conf").write_bytes(b"x" * 300_000)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path / "src"), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "files").mkdir()
    base = "http://127.0.0.1:1"  # no service runs there: everything happens in the directory
    transfers = Transfers(MapperConfig(device_id="d", file_transfer_url=base),
                          local_files=LocalFiles(base, tmp_path / "files"))  # fmt: skip
    target = f"{base}/te/v1/files/main/config_update/app-1"
    try:
        command = {"payload": {"remoteUrl": "https://t/new.conf"}}
        source = f"http://127.0.0.1:{server.server_port}/new.conf"
        await transfers.run({"kind": "download", "source": source, "tedgeUrl": target, "command": command})
        assert (tmp_path / "files/main/config_update/app-1").read_bytes() == b"x" * 300_000
        await transfers.run({"kind": "delete", "tedgeUrl": target})
        assert not (tmp_path / "files/main/config_update/app-1").exists()
        with pytest.raises(TransferFailed, match="Invalid file transfer URL"):
            await transfers.run({"kind": "delete", "tedgeUrl": f"{base}/te/v1/files/a/../../etc"})
    finally:
        await transfers.close()
        server.shutdown()
        server.server_close()


JOURNALD = """#!/bin/sh
case "$1" in
  list) printf 'mosquitto\\nagent\\n' ;;
  get) [ "$2" = broken ] && { echo "no such unit" >&2; exit 3; }
       echo "args: $*"
       for i in 1 2 3 4 5 6; do echo "$2 line $i $([ $((i % 2)) = 0 ] && echo ERROR)"; done ;;
  *) exit 1 ;;
esac
"""


def plugin(directory: Path, name: str, text: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    (directory / name).chmod(0o755)


async def test_log_plugins_offer_their_types_and_serve_them(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    """log.plugin_paths: `<plugin> list` types as <type>::<plugin>; `get` with --since/--until, filtered
    by searchText and lines as files are; the first directory wins; a plugin whose list fails is left out."""
    from dataclasses import replace

    from c8ylink.device.agent.plugin_dirs import LogPlugins

    operations, root = device
    first, second = root / "local-plugins", root / "plugins-dir"
    plugin(first, "journald", JOURNALD)
    plugin(second, "journald", "#!/bin/sh\necho shadowed\n")
    plugin(second, "docker", "#!/bin/sh\nexit 1\n")
    (second / "notes.txt").write_text("not a plugin")
    operations = replace(operations, log_plugins=LogPlugins((first, second), timeout=10))
    capabilities = dict(operations.capabilities())
    assert capabilities["log_upload"] == {
        "types": ["agent", "nothing", "mosquitto::journald", "agent::journald"]
    }
    request = {"type": "agent::journald", "tedgeUrl": url(fts, "log_upload/j-1"), "searchText": "ERROR",
               "lines": 2, "dateFrom": "2026-01-01T00:00:00Z", "dateTo": "2026-01-02T00:00:00Z"}  # fmt: skip
    assert await operations.log_upload(request) == {}
    assert (fts.root / "main/log_upload/j-1").read_text() == "agent line 4 ERROR\nagent line 6 ERROR\n"
    await operations.log_upload({**request, "searchText": "args", "lines": 5})
    assert (fts.root / "main/log_upload/j-1").read_text() == (
        "args: get agent --since 1767225600 --until 1767312000\n"
    )
    with pytest.raises(
        OperationFailed, match=r"journald failed to get 'broken' \(exit code 3\): no such unit"
    ):
        await operations.log_upload({**request, "type": "broken::journald"})
    with pytest.raises(OperationFailed, match="No plugin 'nope'"):
        await operations.log_upload({**request, "type": "x::nope"})
    # the built-in file plugin answers to ::file
    (root / "logs/agent-1.log").write_text("file line ERROR\n")
    await operations.log_upload({**request, "type": "agent::file", "dateFrom": "1970-01-01T00:00:00Z"})
    assert (fts.root / "main/log_upload/j-1").read_text() == "file line ERROR\n"


LIGHTTPD = """#!/bin/sh
# a configuration plugin keeping its configuration in $CONF; each call appended to calls.log
HERE="$(dirname "$0")"; CONF="$HERE/lighttpd.conf"; echo "$*" >> "$HERE/calls.log"
case "$1" in
  list) echo lighttpd.conf ;;
  get) cat "$CONF" ;;
  prepare) grep -q broken "$3" && { echo "syntax error" >&2; exit 1; }; cp "$CONF" "$5/backup" ;;
  set) cp "$3" "$CONF"; grep -q unstartable "$CONF" && { echo "restart failed" >&2; exit 1; }; exit 0 ;;
  verify) exit 0 ;;
  rollback) cp "$4/backup" "$CONF" ;;
  *) exit 1 ;;
esac
"""


async def test_config_plugins_serve_snapshots_and_updates_with_rollback(
    device: tuple[DeviceOperations, Path], fts: FileTransferServer
) -> None:
    """configuration.plugin_paths: <type>::<plugin> types; a snapshot is `get`, an update runs prepare,
    set and verify, and a failed set is rolled back; a failed prepare changes nothing."""
    from dataclasses import replace

    from c8ylink.device.agent.plugin_dirs import ConfigPlugins

    operations, root = device
    plugins = root / "config-plugins"
    plugin(plugins, "lighttpd", LIGHTTPD)
    (plugins / "lighttpd.conf").write_text("port = 80\n")
    operations = replace(operations, config_plugins=ConfigPlugins((plugins,), timeout=10))
    assert dict(operations.capabilities())["config_update"]["types"][-1] == "lighttpd.conf::lighttpd"
    kind = "lighttpd.conf::lighttpd"
    assert await operations.config_snapshot({"type": kind, "tedgeUrl": url(fts, "config_snapshot/l-1")}) == {}
    assert (fts.root / "main/config_snapshot/l-1").read_text() == "port = 80\n"

    async def update(content: str, name: str) -> None:
        (fts.root / "main/config_update").mkdir(parents=True, exist_ok=True)
        (fts.root / f"main/config_update/{name}").write_text(content)
        await operations.config_update({"type": kind, "tedgeUrl": url(fts, f"config_update/{name}")})

    await update("port = 8080\n", "u-1")
    assert (plugins / "lighttpd.conf").read_text() == "port = 8080\n"
    with pytest.raises(
        OperationFailed, match=r"failed to set 'lighttpd.conf' .*restart failed \(rolled back\)"
    ):
        await update("port = 1\nunstartable\n", "u-2")
    assert (plugins / "lighttpd.conf").read_text() == "port = 8080\n"
    with pytest.raises(
        OperationFailed, match=r"failed to prepare 'lighttpd.conf' \(exit code 1\): syntax error"
    ):
        await update("broken\n", "u-3")
    assert (plugins / "lighttpd.conf").read_text() == "port = 8080\n"
    calls = [line.split()[0] for line in (plugins / "calls.log").read_text().splitlines()]
    assert calls == ["list", "get", "prepare", "set", "verify", "prepare", "set", "rollback", "prepare"]
