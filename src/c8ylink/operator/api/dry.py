"""``--dry``: the request that would be sent, in go-c8y-cli's formats (markdown, json, dump, curl,
powershell), with the Authorization value masked (``Basic {base64 tenant/username:password}``,
``Bearer {token}``). Pure.

Shaped as upstream prints it: the query parameters sorted by name (as Go encodes them); in json the
``query`` is the decoded query string and is left out when there is none, and so is a ``body`` that is
not there; ``shell`` and ``powershell`` hold the curl commands (every argument in single quotes, the
PowerShell one with the body's double quotes escaped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from c8ylink.operator.api.plan import LocalFile, RequestPlan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NO_HOST = "https://{host}"
MASKS = {"basic": "Basic {base64 tenant/username:password}", "bearer": "Bearer {token}"}


def dry_headers(plan: RequestPlan, auth_kind: str) -> dict[str, str]:
    headers = dict(plan.headers)
    if auth_kind in MASKS:
        headers["Authorization"] = MASKS[auth_kind]
    if plan.files:
        headers["Content-Type"] = "multipart/form-data"
    return dict(sorted(headers.items(), key=lambda item: item[0].lower()))


def _files_document(plan: RequestPlan) -> dict[str, Any]:
    """The parts of a multipart body; a file to upload by its path and size (it is not read)."""
    document: dict[str, Any] = dict(plan.fields)
    for field, name, content, kind in plan.files:
        part: dict[str, Any] = {"filename": name, "contentType": kind}
        if isinstance(content, LocalFile):
            part.update(file=content.path, size=content.size)
        else:
            part["content"] = content.decode("utf-8", "replace")
        document[field] = part
    return document


def _content_text(content: bytes | LocalFile) -> str:
    if isinstance(content, LocalFile):
        return f"<{content.size} bytes from {content.path}>"
    return content.decode("utf-8", "replace")


def dry_document(plan: RequestPlan, base_url: str, auth_kind: str) -> dict[str, Any]:
    host = base_url.rstrip("/") or NO_HOST
    path = plan.path
    if "://" in path:  # c8y api --host: another host than the session's
        parts = urlsplit(path)
        host, path = f"{parts.scheme}://{parts.netloc}", parts.path or "/"
    ordered = plan._replace(path=path, query=tuple(sorted(plan.query, key=lambda pair: pair[0])))
    document: dict[str, Any] = {
        "url": host + ordered.target,
        "host": host,
        "pathEncoded": ordered.target,
        "path": path,
    }
    if plan.query:
        document["query"] = "&".join(f"{name}={value}" for name, value in ordered.query)
    document["method"] = plan.method
    document["headers"] = dry_headers(plan, auth_kind)
    body = _files_document(plan) if plan.files else plan.body
    if plan.content is not None:
        body = _content_text(plan.content)
    if body is not None:
        document["body"] = body
    document["shell"] = render_curl(document)
    document["powershell"] = render_curl(document, powershell=True)
    return document


def query_pairs(document: Mapping[str, Any]) -> dict[str, str]:
    """The ``query`` of a json dry run as name -> value (for scripts and tests)."""
    pairs = (part.partition("=") for part in str(document.get("query", "")).split("&") if part)
    return {name: value for name, _, value in pairs}


def _single_quoted(word: str) -> str:
    return "'" + word.replace("'", "'\"'\"'") + "'"


def render_curl(document: Mapping[str, Any], *, powershell: bool = False) -> str:
    words = ["curl", "-X", _single_quoted(document["method"])]
    body = document.get("body")
    if body is not None and not any("multipart" in v for v in document["headers"].values()):
        text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        words += ["-d", _single_quoted(text.replace('"', '\\"') if powershell else text)]
    for name, value in document["headers"].items():
        words += ["-H", _single_quoted(f"{name}: {value}")]
    words.append(_single_quoted(document["url"]))
    return " ".join(words)


def render_dry(plan: RequestPlan, base_url: str, auth_kind: str, dry_format: str, *, compact: bool) -> str:
    document = dry_document(plan, base_url, auth_kind)
    if dry_format == "json":
        if compact:
            return json.dumps(document, separators=(",", ":")) + "\n"
        return json.dumps(document, indent=2) + "\n"
    powershell = f"##### Curl (PowerShell)\n\n```powershell\n{document['powershell']}\n```\n\n"
    if dry_format == "curl":
        return f"##### Curl (shell)\n\n```sh\n{document['shell']}\n```\n\n" + powershell
    if dry_format == "powershell":
        return powershell
    if dry_format == "dump":
        return _dump(document)
    return _markdown(document)


def _body_text(document: Mapping[str, Any], *, indent: int | None) -> str:
    body = document.get("body")
    if body is None:
        return ""
    if isinstance(body, str):
        return body
    return json.dumps(body, indent=indent, separators=(",", ":") if indent is None else None)


def _markdown(document: Mapping[str, Any]) -> str:
    lines = [
        f"What If: Sending [{document['method']}] request to [{document['url']}]",
        "",
        f"### {document['method']} {document['pathEncoded']}",
        "",
        "| header            | value",
        "|-------------------|---------------------------",
    ]
    lines += [f"| {name:<17} | {value}" for name, value in document["headers"].items()]
    if document.get("body") is not None:
        lines += ["", "#### Body", "", "```json", _body_text(document, indent=2), "```"]
    return "\n".join(lines) + "\n\n"


def _dump(document: Mapping[str, Any]) -> str:
    lines = [
        f"{document['method']} {document['pathEncoded']} HTTP/1.1",
        f"Host: {urlsplit(document['url']).netloc}",
    ]
    lines += [f"{name}: {value}" for name, value in document["headers"].items()]
    text = "\n".join(lines) + "\n\n"
    if document.get("body") is not None:
        text += _body_text(document, indent=None) + "\n"
    return text + "\n"
