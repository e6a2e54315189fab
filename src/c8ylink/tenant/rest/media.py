"""Media types, request bodies and responses the Cumulocity way (cumulocity-api.md §3.0).

Bodies are JSON in ``application/json`` or any ``application/vnd.com.nsn.cumulocity.*+json`` (415
otherwise); responses carry the resource's vendor type. POST/PUT return the object only when the
request has an ``Accept`` header (rule 10).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from c8ylink.core import strict_json
from c8ylink.tenant.json_text import answer_bytes
from c8ylink.tenant.state.errors import TenantApiError, validation_error

VENDOR_PREFIX = "application/vnd.com.nsn.cumulocity."
INFO_URL = "https://www.cumulocity.com/guides/reference-guide/#error_reporting"
OCTET_STREAM = "application/octet-stream"
# the characters a URL keeps as they are; every other one (spaces, controls, non-ASCII) is escaped
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"
# what aiohttp raises on a multipart body whose part headers it refuses (control characters, ...)
MALFORMED_MULTIPART = (ValueError, HttpProcessingError)
_HEADER_VALUE = re.compile(r"^[\x20-\x7e]*$")


def media_type(name: str) -> str:
    """``application/vnd.com.nsn.cumulocity.<name>+json;charset=UTF-8;ver=0.9``"""
    return f"{VENDOR_PREFIX}{name}+json;charset=UTF-8;ver=0.9"


def is_json_media_type(content_type: str) -> bool:
    main = content_type.split(";", 1)[0].strip().lower()
    return main == "application/json" or (main.startswith(VENDOR_PREFIX) and main.endswith("+json"))


def unsupported_media_type(content_type: str) -> TenantApiError:
    return TenantApiError(
        415, "general/unsupportedMediaType", f"Content type '{content_type or '(none)'}' is not supported"
    )


async def read_json(request: web.Request) -> Any:
    """The decoded JSON body: 415 for other content types, 413 when too large, 422 when malformed."""
    content_type = request.headers.get("Content-Type", "")
    if not is_json_media_type(content_type):
        raise unsupported_media_type(content_type)
    raw = await request.read()
    try:
        return strict_json.loads(raw)
    except ValueError as exc:
        raise validation_error(f"Could not parse the JSON request body: {exc}") from exc


async def read_json_object(request: web.Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise validation_error("The request body must be a JSON object")
    return body


def encode_json(document: Any) -> bytes:
    return answer_bytes(document)


def json_response(
    document: Any, name: str | None, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """``name`` is the vendor type (``managedobject``...); ``None`` means plain ``application/json``."""
    content_type = media_type(name) if name else "application/json"
    all_headers = {"Content-Type": content_type, **(headers or {})}
    return web.Response(body=encode_json(document), status=status, headers=all_headers)


def count_response(request: web.Request, count: int) -> web.Response:
    """A bare count (``/alarm/alarms/count``...): ``text/plain`` unless the client asks for JSON only."""
    accept = request.headers.get("Accept", "").lower()
    if "json" in accept and "text/plain" not in accept:
        return web.Response(body=str(count).encode(), content_type="application/json")
    return web.Response(text=str(count), content_type="text/plain")


# the REST domains whose every answer is JSON (binaries and counts excepted): an ``Accept`` that
# rules JSON out is refused before the handler runs
_JSON_DOMAINS = (
    "/inventory/managedObjects",
    "/identity",
    "/measurement/",
    "/event/events",
    "/alarm/",
    "/devicecontrol/",
    "/user/",
    "/audit/",
    "/tenant/options",
    "/tenant/currentTenant",
    "/application/applications",
)
# what a JSON answer satisfies (text/plain: the bare counts)
_JSON_RANGES = ("*/*", "application/*", "application/json", "text/plain")


def refuses_json(path: str, accept: str) -> bool:
    """True when ``Accept`` lists media ranges and none of them admits a JSON answer on a JSON-only
    path: Cumulocity answers 406."""
    if not accept.strip() or "/binaries" in path or not path.startswith(_JSON_DOMAINS):
        return False
    for media_range in accept.split(","):
        main = media_range.split(";", 1)[0].strip().lower()
        if not main or main in _JSON_RANGES or is_json_media_type(main):
            return False
    return True


def wants_body(request: web.Request) -> bool:
    """Cumulocity returns created/updated objects only to requests that send ``Accept``."""
    return bool(request.headers.get("Accept", "").strip())


def header_url(url: str) -> str:
    """A URL fit for a header (``Location``): ids and option keys may hold any character."""
    return quote(url, safe=_URL_SAFE)


def stored_content_type(value: object, default: str = OCTET_STREAM) -> str:
    """A stored file's content type for the ``Content-Type`` header: what the client declared on
    upload, unless it is no valid header value (then ``default``)."""
    text = str(value or "")
    return text if text.strip() and _HEADER_VALUE.match(text) else default


def written_response(
    request: web.Request, document: Any, name: str | None, *, status: int, location: str | None = None
) -> web.Response:
    """The answer to POST/PUT: the document if the client sent ``Accept``, else an empty body."""
    headers = {"Location": header_url(location)} if location else {}
    if wants_body(request):
        return json_response(document, name, status=status, headers=headers)
    return web.Response(status=status, headers=headers)


def error_document(error: str, message: str) -> dict[str, str]:
    return {"error": error, "message": message, "info": INFO_URL}


def error_response(status: int, error: str, message: str) -> web.Response:
    return json_response(error_document(error, message), "error", status=status)
