"""go-c8y-cli's activity log: one JSON line per command and per request, appended to
``<activityLog.path>/c8y.activitylog.<YYYY-MM-DD>.json`` (default path: ``<session home>/activitylog``)::

    {"time":"...","ctx":"AbCdEfGh","type":"command","arguments":["devices","list"],"message":"why"}
    {"time":"...","ctx":"AbCdEfGh","type":"request","method":"GET","host":"t1.example.com",
     "path":"/inventory/managedObjects","query":"pageSize=5","accept":"...","processingMode":"",
     "statusCode":200,"responseTimeMS":12,"responseSelf":"https://..."}

``ctx`` ties a command to its requests. ``settings.activityLog.enabled`` (default true) and ``--noLog``
switch it off; ``settings.activityLog.methodFilter`` (default ``GET PUT POST DELETE``) names the methods
whose requests are logged; ``--logMessage`` is kept with the command. Nothing secret is written: no
headers but Accept and the processing mode, no bodies. The file is the user's only (0600).
``read_entries`` is what ``c8y activitylog list`` reads.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta

from c8ylink.infra.net.response import HttpResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from typing import Any

    from c8ylink.infra.net.transport import Transport
    from c8ylink.operator.settings import SettingsLayers

FILE_PREFIX = "c8y.activitylog."
DEFAULT_METHODS = "GET PUT POST DELETE"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SELF_LIMIT = 65536  # bodies larger than this are not parsed for their "self" link
_OPEN: dict[str, ActivityLog] = {}  # one log (one ctx) per folder and process


def log_folder(settings: SettingsLayers, session_home: str) -> str:
    configured = settings.text("activityLog.path").strip()
    return os.path.expanduser(configured) if configured else os.path.join(session_home, "activitylog")


def file_name(moment: datetime) -> str:
    return f"{FILE_PREFIX}{moment.strftime('%Y-%m-%d')}.json"


class ActivityLog:
    def __init__(self, folder: str, *, methods: str = DEFAULT_METHODS, context: str = "") -> None:
        self.folder = folder
        self.methods = frozenset(methods.upper().replace(",", " ").split())
        self.context = context or "".join(_LETTERS[byte % len(_LETTERS)] for byte in os.urandom(8))
        self.path = os.path.join(folder, file_name(datetime.now()))

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps({"time": datetime.now().astimezone().isoformat(), "ctx": self.context, **entry},
                          separators=(",", ":"), ensure_ascii=False) + "\n"  # fmt: skip
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, line.encode())
            finally:
                os.close(descriptor)
        except OSError:
            pass  # as upstream: a log that cannot be written never fails the command

    def command(self, arguments: Sequence[str], message: str = "") -> None:
        entry: dict[str, Any] = {"type": "command", "arguments": list(arguments)}
        if message:
            entry["message"] = message
        self._append(entry)

    def request(self, response: HttpResponse, headers: Mapping[str, str], elapsed: float) -> None:
        if response.method.upper() not in self.methods:
            return
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(response.url)
        lowered = {name.lower(): value for name, value in headers.items()}
        self._append({
            "type": "request", "method": response.method.upper(), "host": parts.netloc, "path": parts.path,
            "query": unquote(parts.query), "accept": lowered.get("accept", ""),
            "processingMode": lowered.get("x-cumulocity-processing-mode", ""), "statusCode": response.status,
            "responseTimeMS": int(elapsed * 1000), "responseSelf": _self_link(response),
        })  # fmt: skip


def _self_link(response: HttpResponse) -> str:
    if len(response.content) > _SELF_LIMIT or not response.content.lstrip().startswith(b"{"):
        return ""
    body = response.json_or_none()
    link = body.get("self") if isinstance(body, dict) else None
    return link if isinstance(link, str) else ""


def open_activity_log(
    settings: SettingsLayers, session_home: str, *, no_log: bool = False
) -> ActivityLog | None:
    """The log of this process, or None when switched off (``--noLog``, ``activityLog.enabled``)."""
    if no_log or not settings.flag("activityLog.enabled"):
        return None
    folder = log_folder(settings, session_home)
    if folder not in _OPEN:
        methods = settings.text("activityLog.methodFilter") or DEFAULT_METHODS
        _OPEN[folder] = ActivityLog(folder, methods=methods)
    return _OPEN[folder]


class ActivityTransport:
    """A ``Transport`` that logs each answered request to the activity log."""

    def __init__(self, inner: Transport, log: ActivityLog) -> None:
        self._inner = inner
        self._log = log

    def request(self, method: str, url: str, **options: Any) -> HttpResponse:
        started = time.monotonic()
        response = self._inner.request(method, url, **options)
        self._log.request(response, options.get("headers") or {}, time.monotonic() - started)
        return response

    def download(self, url: str, path: str, **options: Any) -> int:
        return self._inner.download(url, path, **options)

    def close(self) -> None:
        self._inner.close()


# -- reading (c8y activitylog list) --------------------------------------------------------------------
def read_entries(
    folder: str,
    *,
    kind: str = "request",
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    host: str = "",
) -> Iterator[dict[str, Any]]:
    """The entries of the log files in ``folder`` (oldest file first) of type ``kind`` ("all": every
    type) within the dates; request entries of ``host`` only, when given."""
    try:
        names = sorted(name for name in os.listdir(folder) if name.startswith(FILE_PREFIX))
    except OSError:
        return
    first_day = (date_from - timedelta(days=1)).strftime("%Y-%m-%d") if date_from else ""
    for name in names:
        if name[len(FILE_PREFIX) : len(FILE_PREFIX) + 10] < first_day:
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                lines = handle.readlines()
        except OSError:
            continue
        for line in lines:
            entry = _entry(line)
            if entry is not None and _wanted(entry, kind, date_from, date_to, host):
                yield entry


def _entry(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def _wanted(
    entry: Mapping[str, Any], kind: str, date_from: datetime | None, date_to: datetime | None, host: str
) -> bool:
    if kind != "all" and entry.get("type") != kind:
        return False
    if host and entry.get("type") == "request" and entry.get("host") != host:
        return False
    if date_from is None and date_to is None:
        return True
    try:
        moment = datetime.fromisoformat(str(entry.get("time", "")))
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return (date_from is None or moment >= date_from) and (date_to is None or moment <= date_to)
