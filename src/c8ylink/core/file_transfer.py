"""The file transfer service's URLs (thin-edge.io 1.x): ``/te/v1/files/<path>`` and where a file lives.

    relative_file_path("/te/v1/files/main/config_snapshot/a-c8y-mapper-1")  # -> "main/config_snapshot/a-..."
    file_transfer_url("http://127.0.0.1:8000", EntityTopicId("device/main//"), "config_snapshot", "a-1")

``relative_file_path`` confines a request to the service's directory: it refuses (``FileTransferPathError``)
an empty path, ``.``/``..`` segments, absolute or backslashed paths, NUL bytes and percent-encoded
separators or dots left after one decoding (``%252e%252e``), whatever the encoding of the request.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.topics import EntityTopicId

FILES_PREFIX = "/te/v1/files/"
ENTITIES_PREFIX = "/te/v1/entities"
_ENCODED = ("%2f", "%5c", "%00", "%252e")  # encoded separators, NUL, a dot encoded twice


class FileTransferPathError(C8yLinkError):
    """A request path that leaves the file transfer directory (the service answers 400)."""


def relative_file_path(target: str) -> str:
    """The file a request target names, relative to the service's directory (``a/b/c``)."""
    path = urlsplit(target).path
    if not path.startswith(FILES_PREFIX):
        raise FileTransferPathError(f"not a file transfer path: {path[:80]!r}")
    raw = path[len(FILES_PREFIX) :]
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise FileTransferPathError("the file path is not UTF-8") from None
    if not decoded or decoded.startswith("/") or decoded.endswith("/"):
        raise FileTransferPathError("the file path is empty, absolute or names a directory")
    encoded = any(code in text.lower() for code in _ENCODED for text in (raw, decoded))
    if "\\" in decoded or "\x00" in decoded or encoded:
        raise FileTransferPathError("the file path has a backslash, a NUL or an encoded separator")
    segments = decoded.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise FileTransferPathError("the file path has an empty, '.' or '..' segment")
    return "/".join(segments)


def entity_file_dir(topic_id: EntityTopicId) -> str:
    """``main`` for ``device/main//``; ``child01`` for a child; ``main_service_nodered`` for a service."""
    kind, device, group, name = topic_id.segments
    parts = [device] if kind == "device" else [kind, device]
    return "_".join([*parts, *(segment for segment in (group, name) if segment)])


def file_transfer_url(base_url: str, topic_id: EntityTopicId, operation: str, name: str) -> str:
    """``<base>/te/v1/files/<entity>/<operation>/<name>`` (each part URL-quoted)."""
    parts = (entity_file_dir(topic_id), operation, name)
    return base_url.rstrip("/") + FILES_PREFIX + "/".join(quote(part, safe="") for part in parts)


def file_transfer_base_url(host: str, port: int | str, *, tls: bool = False) -> str:
    """``http(s)://<http.client.host>:<http.client.port>`` (an IPv6 address in brackets): where clients
    reach the file transfer service, and the start of every ``tedgeUrl``."""
    scheme = "https" if tls else "http"
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"
