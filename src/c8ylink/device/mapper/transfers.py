"""The HTTP side of configuration and log operations (``convert.file_operations`` says what to move).

- ``download``: ``GET source`` streamed straight into ``PUT tedgeUrl`` (the file transfer service);
- ``upload``: ``GET tedgeUrl``, the entity's managed object id (``/identity/externalIds/c8y_Serial/
  <xid>``), ``POST /event/events``, then the file streamed as the event's binary (``POST
  /event/events/<id>/binaries``), then ``DELETE tedgeUrl`` (also when it failed); the binary's URL;
- ``delete``: ``DELETE tedgeUrl`` (a finished config_update's file), errors ignored;
- ``operation_log``: a command's log file (under ``logs.path`` only: the path comes from an MQTT
  message) as the binary of a new event, as ``upload`` does.

Requests to the tenant go through ``CloudRequests``: the mapper's proxy service, in process (its
upstream connection and the device's JWT, without the local HTTP hop); without one, the local proxy
over HTTP. Other URLs are fetched directly (redirects followed). Bodies are streamed from one
connection to the other, never held whole nor written to a temporary file; runs on the mapper's event
loop. A failure raises ``TransferFailed`` with the operation's reason; a download cut mid-way aborts
the upload to the file transfer service, which then keeps nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import quote, urljoin, urlsplit

from c8ylink.core.errors import ApiError, C8yLinkError, ProtocolError
from c8ylink.core.file_transfer import FileTransferPathError
from c8ylink.device.local_http import LocalFiles
from c8ylink.device.mapper.config import MapperConfig
from c8ylink.infra.net.http_forward import ForwardedResponse, HttpForwarder, SpooledBody, StreamBody

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
MAX_JSON_ANSWER = 1024 * 1024
FILE_CHUNK = 256 * 1024
Fields = Sequence[tuple[str, str]]


class TransferFailed(C8yLinkError):
    pass


class SourceBroken(C8yLinkError):
    """The source of a streamed body failed while it was being sent on."""


class CloudRequests(Protocol):
    def request(
        self, method: str, target: str, headers: Fields, body: bytes | SpooledBody | StreamBody
    ) -> AbstractAsyncContextManager[ForwardedResponse]: ...


class ViaLocalProxy:
    """``CloudRequests`` through the local proxy over HTTP (a mapper running without its proxy service)."""

    def __init__(self, config: MapperConfig, timeout: float) -> None:
        self._proxy = HttpForwarder(config.proxy_url, timeout=timeout)

    def request(
        self, method: str, target: str, headers: Fields, body: bytes | SpooledBody | StreamBody
    ) -> AbstractAsyncContextManager[ForwardedResponse]:
        return self._proxy.forward(method, "/c8y" + target, headers, body)

    async def close(self) -> None:
        await self._proxy.close()


class Transfers:
    def __init__(
        self,
        config: MapperConfig,
        cloud: CloudRequests | None = None,
        *,
        timeout: float = 120.0,
        local_ssl: ssl.SSLContext | None = None,
        local_files: LocalFiles | None = None,
    ):
        self.config = config
        self.timeout = timeout
        self._fallback = ViaLocalProxy(config, timeout) if cloud is None else None
        self.cloud: CloudRequests = cloud or self._fallback  # type: ignore[assignment]
        self._cloud_prefix = f"{config.proxy_url.rstrip('/')}/c8y"
        self._local = HttpForwarder(config.file_transfer_url, ssl_context=local_ssl, timeout=timeout)
        self._files = local_files

    async def run(self, transfer: dict[str, Any]) -> str | None:
        """Carry out a transfer: the uploaded binary's URL for an upload, None otherwise."""
        if transfer["kind"] == "operation_log":
            return await self._upload_log(transfer)
        tedge_url = str(transfer["tedgeUrl"])
        if transfer["kind"] == "delete":
            await self._delete(tedge_url)
            return None
        if transfer["kind"] == "download":
            await self._download(transfer)
            return None
        try:
            return await self._upload(transfer)
        finally:  # uploaded or not, the file transfer service's copy has served
            await self._delete(tedge_url)

    async def close(self) -> None:
        await self._local.close()
        if self._fallback is not None:
            await self._fallback.close()

    # ----------------------------------------------------------------------------------------- kinds

    async def _download(self, transfer: dict[str, Any]) -> None:
        source, target = str(transfer["source"]), str(transfer["tedgeUrl"])
        remote = str(transfer["command"]["payload"].get("remoteUrl", source))
        local = self._local_path(target)
        try:
            async with self._get(source) as answer:
                if local is not None:
                    await _store(local, _source_chunks(answer))
                    return
                body = StreamBody(_source_chunks(answer), answer.content_length)
                async with self._open(
                    target, "PUT", [("Content-Type", "application/octet-stream")], body
                ) as put:
                    await _raise_for(put, "PUT", target)
        except SourceBroken as exc:
            raise TransferFailed(f"Cannot download {remote}: {exc}") from exc
        except _SourceStatus as exc:
            raise TransferFailed(f"Cannot download {remote}: {exc.error}") from exc
        except (C8yLinkError, OSError) as exc:
            detail = f"{exc.strerror or exc}" if isinstance(exc, OSError) else str(exc)
            raise TransferFailed(
                f"Cannot store the new configuration on the file transfer service: {detail}"
            ) from exc

    async def _upload(self, transfer: dict[str, Any]) -> str:
        source = str(transfer["tedgeUrl"])
        event = {"type": transfer["eventType"], "text": transfer["text"], "time": transfer["time"]}
        try:
            async with self._source(source) as (chunks, size):
                try:
                    event_url = await self._send_event(str(transfer["externalId"]), event, chunks, size)
                except SourceBroken as exc:
                    raise TransferFailed(
                        f"Cannot read the file from the file transfer service: {exc}"
                    ) from exc
                except C8yLinkError as exc:
                    raise TransferFailed(f"Cannot upload the file to Cumulocity: {exc}") from exc
        except _SourceStatus as exc:
            raise TransferFailed(f"Cannot read the file from the file transfer service: {exc.error}") from exc
        except TransferFailed:
            raise
        except C8yLinkError as exc:
            raise TransferFailed(f"Cannot read the file from the file transfer service: {exc}") from exc
        return event_url

    async def _upload_log(self, transfer: dict[str, Any]) -> str:
        """A command's log (a file under ``logs.path``, nowhere else) as the binary of a new event."""
        path = Path(str(transfer["path"]))
        logs = Path(self.config.logs_path).resolve()
        event = {"type": transfer["eventType"], "text": transfer["text"], "time": transfer["time"]}
        try:
            real = path.resolve(strict=True)
            if not real.is_relative_to(logs) or not real.is_file():
                raise TransferFailed(f"{path} is not a file in logs.path ({logs})")
            handle = open(real, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise TransferFailed(f"Cannot read {path}: {exc.strerror or exc}") from exc
        with handle:
            size = os.fstat(handle.fileno()).st_size
            try:
                return await self._send_event(str(transfer["externalId"]), event, _file_chunks(handle), size)
            except C8yLinkError as exc:
                raise TransferFailed(f"Cannot upload the file to Cumulocity: {exc}") from exc

    async def _send_event(
        self, external_id: str, event: dict[str, Any], chunks: AsyncIterator[bytes], size: int | None
    ) -> str:
        """A new event of the entity with ``chunks`` as its binary; the binary's URL."""
        event_id, event_url = await self._create_event(external_id, event)
        target = f"/event/events/{event_id}/binaries"
        body = StreamBody(chunks, size)
        async with self.cloud.request("POST", target, [("Content-Type", "text/plain")], body) as sent:
            await _raise_for(sent, "POST", self._cloud_prefix + target)
        if event_url.startswith(self._cloud_prefix) and self.config.c8y_http_host:
            # no self link: name the binary on the tenant, not on the device's proxy
            return f"https://{self.config.c8y_http_host}/event/events/{event_id}/binaries"
        return f"{event_url}/binaries"

    async def _create_event(self, external_id: str, event: dict[str, Any]) -> tuple[str, str]:
        identity = await self._cloud_json(
            "GET", f"/identity/externalIds/c8y_Serial/{quote(external_id, safe='')}"
        )
        managed = identity.get("managedObject")
        if not isinstance(managed, dict) or "id" not in managed:
            raise ProtocolError(f"The identity of {external_id} names no managed object")
        created = await self._cloud_json(
            "POST", "/event/events", {**event, "source": {"id": str(managed["id"])}}
        )
        if "id" not in created:
            raise ProtocolError("The created event has no id")
        self_link = created.get("self")
        event_id = str(created["id"])
        url = self_link if isinstance(self_link, str) and self_link.startswith("http") else (
            f"{self._cloud_prefix}/event/events/{event_id}"
        )  # fmt: skip
        return event_id, url.rstrip("/")

    async def _delete(self, url: str) -> None:
        local = self._local_path(url)
        if local is not None:
            with contextlib.suppress(OSError):
                local.unlink()
            return
        with contextlib.suppress(C8yLinkError):
            async with self._open(url, "DELETE", [], b"") as answer:
                async for _ in answer.body():
                    pass

    # ----------------------------------------------------------------------------------------- files

    def _local_path(self, url: str) -> Path | None:
        """The file behind a file transfer service URL, when the service's directory is on this device
        and the mapper may write there (else the service is used over HTTP)."""
        if self._files is None:
            return None
        root = self._files.root
        if not root.is_dir() or not os.access(root, os.W_OK | os.X_OK):
            return None
        try:
            return self._files.path_of(url)
        except FileTransferPathError as exc:
            raise TransferFailed(f"Invalid file transfer URL {url}: {exc}") from exc

    @asynccontextmanager
    async def _source(self, url: str) -> AsyncIterator[tuple[AsyncIterator[bytes], int | None]]:
        """The body of ``url`` (read from disk when it is a file of the local service) and its size."""
        local = self._local_path(url)
        if local is None:
            async with self._get(url) as answer:
                yield _source_chunks(answer), answer.content_length
            return
        try:
            handle = open(local, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            status = 404 if isinstance(exc, FileNotFoundError) else 500
            raise _SourceStatus(ApiError(status, url, exc.strerror or str(exc))) from exc
        with handle:
            yield _file_chunks(handle), os.fstat(handle.fileno()).st_size

    # ----------------------------------------------------------------------------------------- HTTP

    async def _cloud_json(self, method: str, target: str, document: Any = None) -> dict[str, Any]:
        body = b"" if document is None else json.dumps(document).encode()
        headers = [("Accept", "application/json")]
        if document is not None:
            headers.append(("Content-Type", "application/json"))
        async with self.cloud.request(method, target, headers, body) as answer:
            content = await _read_all(answer)
            if not 200 <= answer.status < 300:
                raise ApiError(answer.status, self._cloud_prefix + target, _decoded(content), method=method)
        value = _decoded(content)
        if not isinstance(value, dict):
            raise ProtocolError(f"{method} {self._cloud_prefix + target}: the answer is not a JSON object")
        return value

    def _open(
        self, url: str, method: str, headers: Fields, body: bytes | StreamBody
    ) -> AbstractAsyncContextManager[ForwardedResponse]:
        """A request to a tenant URL (through ``cloud``), the file transfer service or anywhere else."""
        if url.startswith(self._cloud_prefix + "/"):
            return self.cloud.request(method, url[len(self._cloud_prefix) :], headers, body)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin == self._local.base_url:
            return self._local.forward(method, target, headers, body)
        return _one_off(origin, method, target, headers, body, timeout=self.timeout)

    @asynccontextmanager
    async def _get(self, url: str) -> AsyncIterator[ForwardedResponse]:
        """``GET url`` following redirects; failing to get a 200 answer is ``_SourceStatus``."""
        for _ in range(MAX_REDIRECTS + 1):
            answering = False
            try:
                async with self._open(url, "GET", [], b"") as answer:
                    location = next((v for k, v in answer.headers if k.lower() == "location"), "")
                    if answer.status in REDIRECTS and location:
                        url = _resolve(url, location)
                        continue
                    if answer.status != 200:
                        raise ApiError(answer.status, url, _decoded(await _read_all(answer)))
                    answering = True
                    yield answer
                    return
            except C8yLinkError as exc:
                if answering:
                    raise  # the caller's error, not the source's
                raise _SourceStatus(exc) from exc
        raise _SourceStatus(ProtocolError(f"GET {url}: more than {MAX_REDIRECTS} redirects"))


class _SourceStatus(Exception):
    def __init__(self, error: C8yLinkError) -> None:
        super().__init__(str(error))
        self.error = error


@asynccontextmanager
async def _one_off(
    origin: str, method: str, target: str, headers: Fields, body: bytes | StreamBody, *, timeout: float
) -> AsyncIterator[ForwardedResponse]:
    forwarder = HttpForwarder(origin, timeout=timeout)
    try:
        async with forwarder.forward(method, target, headers, body) as answer:
            yield answer
    finally:
        await forwarder.close()


async def _store(path: Path, chunks: AsyncIterator[bytes]) -> None:
    """Write a file of the service atomically (a temporary file beside it, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            async for chunk in chunks:
                out.write(chunk)
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


async def _file_chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    while chunk := handle.read(FILE_CHUNK):
        yield chunk


async def _source_chunks(answer: ForwardedResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in answer.body():
            yield chunk
    except C8yLinkError as exc:
        raise SourceBroken(str(exc)) from exc


async def _read_all(answer: ForwardedResponse) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in answer.body():
        size += len(chunk)
        if size > MAX_JSON_ANSWER:
            raise ProtocolError("The answer is too large")
        parts.append(chunk)
    return b"".join(parts)


async def _raise_for(answer: ForwardedResponse, method: str, url: str) -> None:
    content = await _read_all(answer)
    if not 200 <= answer.status < 300:
        raise ApiError(answer.status, url, _decoded(content), method=method)


def _decoded(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")[:200]


def _resolve(url: str, location: str) -> str:
    return urljoin(url, location)
