"""The HTTP side of configuration and log operations (``convert.file_operations`` says what to move).

- ``download``: ``GET source`` (a tenant URL goes through the mapper's proxy, which authenticates) into
  a temporary file, then ``PUT`` it to the file transfer service (``tedgeUrl``);
- ``upload``: ``GET tedgeUrl`` into a temporary file, the entity's managed object id
  (``/identity/externalIds/c8y_Serial/<xid>``), ``POST /event/events``, the file ``POST``-ed as the
  event's binary (``/event/events/<id>/binaries``), then ``DELETE tedgeUrl``; the binary's URL.

Files are streamed (never held whole); temporary files are removed whatever happens. Runs in a worker
thread (the blocking ``HttpClient``); a failure raises ``TransferFailed`` with the operation's reason.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from c8ylink.core.errors import C8yLinkError
from c8ylink.device.mapper.config import MapperConfig

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient


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
                if transfer["kind"] == "download":
                    self._download(client, transfer, partial)
                    return None
                return self._upload(client, transfer, partial)

    def _client(self) -> HttpClient:
        from c8ylink.infra.net.http import HttpClient

        return HttpClient(timeout=self.timeout, follow_redirects=True, proxy="")

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
        try:
            xid = quote(str(transfer["externalId"]), safe="")
            identity = _json(client.request("GET", f"{base}/identity/externalIds/c8y_Serial/{xid}"))
            source_id = str(identity["managedObject"]["id"])
            event = {"type": transfer["eventType"], "text": transfer["text"], "time": transfer["time"],
                     "source": {"id": source_id}}  # fmt: skip
            created = _json(client.request("POST", f"{base}/event/events", json=event))
            event_id = str(created["id"])
            binary_path = f"/event/events/{event_id}/binaries"
            _raise_for(client_post_file(client, f"{base}{binary_path}", partial))
        except (KeyError, TypeError) as exc:
            raise TransferFailed(f"Cannot upload the file to Cumulocity: unexpected answer ({exc})") from exc
        except C8yLinkError as exc:
            raise TransferFailed(f"Cannot upload the file to Cumulocity: {exc}") from exc
        with contextlib.suppress(C8yLinkError):
            client.request("DELETE", source)
        self_link = created.get("self")
        if isinstance(self_link, str) and self_link.startswith("http"):
            return self_link.rstrip("/") + "/binaries"
        host = self.config.c8y_http_host or "localhost"
        return f"https://{host}{binary_path}"


def client_post_file(client: HttpClient, url: str, path: str) -> Any:
    with open(path, "rb") as content:
        size = os.fstat(content.fileno()).st_size
        headers = {"Content-Type": "text/plain", "Content-Length": str(size)}
        return client.request("POST", url, content=content, headers=headers)


def _put_file(client: HttpClient, url: str, path: str) -> None:
    with open(path, "rb") as content:
        size = os.fstat(content.fileno()).st_size
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        _raise_for(client.request("PUT", url, content=content, headers=headers))


def _raise_for(response: Any) -> None:
    from c8ylink.core.errors import ApiError

    if not response.ok:
        body = response.content.decode("utf-8", errors="replace")[:200]
        raise ApiError(response.status, response.url, body, method=response.method)


def _json(response: Any) -> dict[str, Any]:
    _raise_for(response)
    document = response.json_or_none()
    if not isinstance(document, dict):
        raise TransferFailed(f"{response.method} {response.url}: the answer is not a JSON object")
    return document
