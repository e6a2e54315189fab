"""The agent's file transfer service: ``http://<http.bind.address>:<http.bind.port>/te/v1/files/<path>``.

- ``PUT``: the body is streamed to a temporary file beside the target, then moved into place (201);
  a body over ``max_size`` is refused (413) and nothing is left behind;
- ``GET``: the file streamed back (200), 404 when there is none;
- ``DELETE``: the file removed (202), 404 when there is none.

Paths are confined to ``root`` (``core.file_transfer.relative_file_path``): ``..``, absolute and encoded
traversal get 400, and so does a path through a symbolic link that leads out of ``root``. Errors are
JSON ``{"error", "message"}``. Every answer closes the connection. The ``/te/v1/entities`` API is
answered by ``entity_api`` when one is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from ssl import SSLContext

from c8ylink.core.file_transfer import ENTITIES_PREFIX, FileTransferPathError, relative_file_path
from c8ylink.infra.net.http_server import (
    REASONS,
    HttpRequest,
    HttpRequestError,
    body_chunks,
    read_head,
    write_body,
    write_error,
    write_head,
)

log = logging.getLogger("c8ylink.agent.files")

DEFAULT_MAX_SIZE = 1024 * 1024 * 1024  # 1 GiB
CHUNK = 64 * 1024

CHUNK = 256 * 1024  # bytes read and written at a time (a 10 MB file in 40 steps)
EntityApi = Callable[[HttpRequest, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class FileTransferServer:
    def __init__(self, root: Path, *, max_size: int = DEFAULT_MAX_SIZE, entity_api: EntityApi | None = None):
        self.root = root
        self.max_size = max_size
        self.entity_api = entity_api
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, host: str, port: int, *, ssl: SSLContext | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._server = await asyncio.start_server(self._handle, host, port, limit=CHUNK, ssl=ssl)
        scheme = "https" if ssl is not None else "http"
        log.info("File transfer service listening on %s://%s:%d", scheme, host, self.port)

    async def stop(self) -> None:
        """Stop listening; requests still running are ended (an upload's partial file removed)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        handlers, self._handlers = set(self._handlers), set()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            request = await read_head(reader, writer)
            if request.target.split("?", 1)[0].startswith(ENTITIES_PREFIX) and self.entity_api:
                await self.entity_api(request, reader, writer)
            else:
                await self._answer(request, reader, writer)
        except HttpRequestError as exc:
            await _error(writer, exc.status, exc.message)
            await _linger(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as exc:  # one bad request must not stop the service
            log.exception("Internal error of the file transfer service")
            with contextlib.suppress(ConnectionError):
                await _error(writer, 500, f"Internal error: {exc}")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _answer(
        self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            path = self.root / relative_file_path(request.target)
            self._confine(path)
        except FileTransferPathError as exc:
            await _error(writer, 400 if request.target.startswith("/te/v1/files/") else 404, str(exc))
            return
        if request.method == "PUT":
            await self._put(request, reader, writer, path)
        elif request.method == "GET":
            await self._get(writer, path)
        elif request.method == "DELETE":
            await self._delete(writer, path)
        else:
            await _error(writer, 405, f"{request.method} is not allowed on files")

    def _confine(self, path: Path) -> None:
        """A symbolic link inside the directory must not lead out of it."""
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, os.path.realpath(path)]) != root:
            raise FileTransferPathError("the file path leads out of the file transfer directory")

    async def _put(
        self, request: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: Path
    ) -> None:
        if path.is_dir():
            await _error(writer, 409, "the path names a directory")
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".part")
        except OSError as exc:
            await _error(writer, 409 if isinstance(exc, FileExistsError | NotADirectoryError) else 500,
                         f"Cannot store the file: {exc.strerror or exc}")  # fmt: skip
            return
        try:
            with os.fdopen(handle, "wb") as target:
                async for chunk in body_chunks(reader, request, max_body=self.max_size, chunk_size=CHUNK):
                    target.write(chunk)
            os.replace(partial, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        await write_head(writer, 201, REASONS[201], [], content_length=0)

    async def _get(self, writer: asyncio.StreamWriter, path: Path) -> None:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the generator
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            await _error(writer, 404, "no such file")
            return
        with handle:
            size = os.fstat(handle.fileno()).st_size
            headers = [("Content-Type", "application/octet-stream")]
            await write_head(writer, 200, REASONS[200], headers, content_length=size)
            await write_body(writer, _read_chunks(handle.read), chunked=False)

    async def _delete(self, writer: asyncio.StreamWriter, path: Path) -> None:
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            await _error(writer, 404, "no such file")
            return
        await write_head(writer, 202, REASONS[202], [], content_length=0)


async def _read_chunks(read: Callable[[int], bytes]) -> AsyncIterator[bytes]:
    while chunk := read(CHUNK):
        yield chunk


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, seconds: float = 2.0) -> None:
    """After an early answer, let the client finish sending (what it sends is dropped) so that it reads
    the answer instead of a connection reset."""
    with contextlib.suppress(ConnectionError, OSError, TimeoutError):
        if writer.can_write_eof():
            writer.write_eof()
        async with asyncio.timeout(seconds):
            while await reader.read(CHUNK):
                pass


async def _error(writer: asyncio.StreamWriter, status: int, message: str) -> None:
    error = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
             413: "payload_too_large", 431: "bad_request"}.get(status, "internal_error")  # fmt: skip
    await write_error(writer, status, f"file_transfer/{error}", message)
