"""The HTTP side of configuration and log operations (``convert.file_operations`` says what to move).

- ``download``: ``GET source`` (a tenant URL goes through the mapper's proxy, which authenticates) into
  a temporary file, then ``PUT`` it to the file transfer service (``tedgeUrl``);
- ``upload``: ``GET tedgeUrl`` into a temporary file, the entity's managed object id
  (``/identity/externalIds/c8y_Serial/<xid>``), ``POST /event/events``, the file ``POST``-ed as the
  event's binary (``/event/events/<id>/binaries``), then ``DELETE tedgeUrl`` (also when it failed); the
  binary's URL;
- ``delete``: ``DELETE tedgeUrl`` (a finished config_update's file), errors ignored.

Files are streamed (never held whole); temporary files are removed whatever happens. Runs in a worker
thread (the blocking ``HttpClient``); a failure raises ``TransferFailed`` with the operation's reason.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import TYPE_CHECKING, Any

from c8ylink.core.errors import ApiError, C8yLinkError
from c8ylink.device.c8y.event_binary import upload_event_binary
from c8ylink.device.mapper.config import MapperConfig

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient, HttpResponse


class TransferFailed(C8yLinkError):
    pass


class Transfers:
    def __init__(self, config: MapperConfig, *, timeout: float = 120.0) -> None:
        self.config = config
        self.timeout = timeout

    def run(self, transfer: dict[str, Any]) -> str | None:
        """Carry out a transfer: the uploaded binary's URL for an upload, None for a download."""
        with tempfile.TemporaryDirectory(prefix="c8ylink-transfer-") as folder:
            partial = os.path.join(folder, "content")
            with self._client() as client:
                if transfer["kind"] == "delete":
                    with contextlib.suppress(C8yLinkError):
                        client.request("DELETE", str(transfer["tedgeUrl"]))
                    return None
                if transfer["kind"] == "download":
                    self._download(client, transfer, partial)
                    return None
                try:
                    return self._upload(client, transfer, partial)
                finally:  # uploaded or not, the file transfer service's copy has served
                    with contextlib.suppress(C8yLinkError):
                        client.request("DELETE", str(transfer["tedgeUrl"]))

    def _client(self) -> HttpClient:
        from c8ylink.infra.net.http import HttpClient

        return HttpClient(
            timeout=self.timeout, follow_redirects=True
        )  # environment proxies, never for loopback

    def _download(self, client: HttpClient, transfer: dict[str, Any], partial: str) -> None:
        source, target = str(transfer["source"]), str(transfer["tedgeUrl"])
        remote = str(transfer["command"]["payload"].get("remoteUrl", source))
        try:
            client.download(source, partial)
        except C8yLinkError as exc:
            raise TransferFailed(f"Cannot download {remote}: {exc}") from exc
        try:
            _put_file(client, target, partial)
        except C8yLinkError as exc:
            raise TransferFailed(
                f"Cannot store the new configuration on the file transfer service: {exc}"
            ) from exc

    def _upload(self, client: HttpClient, transfer: dict[str, Any], partial: str) -> str:
        source = str(transfer["tedgeUrl"])
        try:
            client.download(source, partial)
        except C8yLinkError as exc:
            raise TransferFailed(f"Cannot read the file from the file transfer service: {exc}") from exc
        base = f"{self.config.proxy_url.rstrip('/')}/c8y"
        event = {"type": transfer["eventType"], "text": transfer["text"], "time": transfer["time"]}
        try:
            uploaded = upload_event_binary(
                client, base, external_id=str(transfer["externalId"]), event=event, path=partial,
                content_type="text/plain",
            )  # fmt: skip
        except C8yLinkError as exc:
            raise TransferFailed(f"Cannot upload the file to Cumulocity: {exc}") from exc
        if uploaded.event_url.startswith(base) and self.config.c8y_http_host:
            # no self link: name the binary on the tenant, not on the device's proxy
            return f"https://{self.config.c8y_http_host}/event/events/{uploaded.event_id}/binaries"
        return uploaded.binary_url


def _put_file(client: HttpClient, url: str, path: str) -> None:
    with open(path, "rb") as content:
        size = os.fstat(content.fileno()).st_size
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        _raise_for(client.request("PUT", url, content=content, headers=headers))


def _raise_for(response: HttpResponse) -> None:
    if not response.ok:
        body = response.content.decode("utf-8", errors="replace")[:200]
        raise ApiError(response.status, response.url, body, method=response.method)
