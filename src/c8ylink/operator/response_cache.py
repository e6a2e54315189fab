"""go-c8y-cli's response cache (``--cache``, ``--noCache``, ``--cacheTTL``, ``--cacheBodyPaths``;
``c8y cache delete | renew``): a request whose method is in ``settings.cache.methods`` is answered from
a file when one younger than the time-to-live exists, else sent, and a 2xx answer is stored.

The key is the SHA-256 of the method, the URL (without the host unless ``settings.cache.keyhost``), the
Authorization header (unless ``settings.cache.keyauth`` is false) and the body (or only its
``--cacheBodyPaths``): a credential is never stored in clear, not even in a file name. Files live in
``settings.cache.path`` (default ``<session home>/.cache``; upstream uses the shared temp dir), 0600 in a
0700 folder, one file per key: a JSON line (status, method, URL, headers) and the body.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from contextlib import suppress

from c8ylink.infra.net.response import HttpResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, NamedTuple

    from c8ylink.infra.net.transport import Transport
    from c8ylink.operator.flags import GlobalFlags
    from c8ylink.operator.settings import SettingsLayers
else:
    from c8ylink.core.records import NamedTuple

CACHE_DIR = ".cache"
SUFFIX = ".c8ycache"


class CacheOptions(NamedTuple):
    folder: str
    ttl: float  # seconds
    methods: frozenset[str] = frozenset({"GET", "PUT", "POST", "DELETE"})
    key_host: bool = True
    key_auth: bool = True
    body_paths: tuple[str, ...] = ()


def cache_folder(settings: SettingsLayers, session_home: str) -> str:
    configured = settings.text("cache.path").strip()
    return os.path.expanduser(configured) if configured else os.path.join(session_home, CACHE_DIR)


def cache_options(flags: GlobalFlags, settings: SettingsLayers, session_home: str) -> CacheOptions | None:
    """The cache of this command, or None: ``--cache`` or ``settings.defaults.cache``, unless ``--noCache``
    (or ``settings.defaults.noCache``)."""
    enabled = flags.cache or settings.flag("defaults.cache")
    if not enabled or flags.no_cache or settings.flag("defaults.noCache"):
        return None
    ttl = parse_ttl(flags.cache_ttl) if flags.cache_ttl else settings.seconds("defaults.cacheTTL")
    paths = flags.cache_body_paths or (settings.text("defaults.cacheBodyPaths"),)
    return CacheOptions(
        folder=cache_folder(settings, session_home),
        ttl=ttl,
        methods=frozenset(settings.text("cache.methods").upper().replace(",", " ").split()),
        key_host=settings.flag("cache.keyhost"),
        key_auth=settings.flag("cache.keyauth"),
        body_paths=tuple(part.strip() for value in paths for part in value.split(",") if part.strip()),
    )


def parse_ttl(text: str) -> float:
    """``--cacheTTL``: ``60s``, ``10min``, ``2h``, ``1d``; a bare number is seconds."""
    from c8ylink.core.errors import UsageError
    from c8ylink.core.exit_codes import C8yExit
    from c8ylink.core.settings.durations import GO_DURATION, parse_duration
    from c8ylink.core.settings.errors import ValueParseError

    value = text.strip().replace("min", "m")
    days = value.endswith("d") and value[:-1].replace(".", "", 1).isdigit()
    try:
        seconds = (
            float(value[:-1]) * 86400
            if days
            else parse_duration(value, GO_DURATION._replace(bare_unit="s")).seconds
        )
    except ValueParseError:
        seconds = -1.0
    if seconds < 0:
        raise UsageError(
            f"invalid --cacheTTL {text!r}: use a duration such as 60s, 10m, 2h", exit_code=int(C8yExit.USER)
        )
    return seconds


def cache_key(options: CacheOptions, method: str, url: str, headers: Mapping[str, str], body: Any) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    target = url if options.key_host else parts.path + (f"?{parts.query}" if parts.query else "")
    digest = hashlib.sha256()
    digest.update(method.upper().encode() + b"\n" + target.encode() + b"\n")
    if options.key_auth:
        auth = next((value for name, value in headers.items() if name.lower() == "authorization"), "")
        digest.update(auth.encode() + b"\n")
    digest.update(_body_bytes(body, options.body_paths))
    return digest.hexdigest()


def _body_bytes(body: Any, paths: Sequence[str]) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    if paths and isinstance(body, dict):
        body = {path: _pick(body, path) for path in paths}
    try:
        return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    except (TypeError, ValueError):
        return repr(body).encode()


def _pick(document: Mapping[str, Any], path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


class CachedTransport:
    """A ``Transport`` answering from the cache when it can (see the module doc)."""

    def __init__(self, inner: Transport, options: CacheOptions, *, now: Any = time.time) -> None:
        self._inner = inner
        self._options = options
        self._now = now

    def request(self, method: str, url: str, **options: Any) -> HttpResponse:
        if method.upper() not in self._options.methods:
            return self._inner.request(method, url, **options)
        body = next(
            (options[name] for name in ("json", "content", "data") if options.get(name) is not None), None
        )
        key = cache_key(self._options, method, url, options.get("headers") or {}, body)
        path = os.path.join(self._options.folder, key + SUFFIX)
        cached = self._read(path)
        if cached is not None:
            return cached
        response = self._inner.request(method, url, **options)
        if 200 <= response.status < 300:
            self._write(path, response)
        return response

    def _read(self, path: str) -> HttpResponse | None:
        try:
            if self._now() - os.stat(path).st_mtime > self._options.ttl:
                return None
            with open(path, "rb") as handle:
                head, _, content = handle.read().partition(b"\n")
            meta = json.loads(head)
            return HttpResponse(int(meta["status"]), str(meta["url"]), str(meta["method"]),
                                dict(meta["headers"]), content)  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, path: str, response: HttpResponse) -> None:
        meta = {"status": response.status, "url": response.url, "method": response.method,
                "headers": dict(response.headers)}  # fmt: skip
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            os.makedirs(self._options.folder, mode=0o700, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(json.dumps(meta, separators=(",", ":")).encode() + b"\n" + response.content)
            os.replace(temporary, path)
        except OSError:
            with suppress(OSError):  # a cache that cannot be written never fails the command
                os.unlink(temporary)

    def download(self, url: str, path: str, **options: Any) -> int:
        return self._inner.download(url, path, **options)

    def close(self) -> None:
        self._inner.close()


# -- c8y cache delete | renew -----------------------------------------------------------------------------
def cache_files(folder: str) -> list[str]:
    try:
        return [os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(SUFFIX)]
    except OSError:
        return []


def delete_cache(folder: str, *, older_than: float | None = None, now: float | None = None) -> int:
    """Remove the cached answers (only those older than ``older_than`` seconds, when given); how many."""
    moment = time.time() if now is None else now
    removed = 0
    for path in cache_files(folder):
        try:
            if older_than is None or moment - os.stat(path).st_mtime > older_than:
                os.unlink(path)
                removed += 1
        except OSError:
            continue
    return removed


def renew_cache(folder: str, *, now: float | None = None) -> int:
    """Give every cached answer a full time-to-live again; how many."""
    moment = time.time() if now is None else now
    renewed = 0
    for path in cache_files(folder):
        try:
            os.utime(path, (moment, moment))
            renewed += 1
        except OSError:
            continue
    return renewed
