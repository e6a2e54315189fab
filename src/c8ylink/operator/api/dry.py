"""``--dry``: the request that would be sent, in go-c8y-cli's formats (markdown, json, dump, curl), with
the Authorization value masked (``Basic {base64 tenant/username:password}``, ``Bearer {token}``). Pure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from c8ylink.operator.api.plan import RequestPlan

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
    return {
        field: {"filename": name, "contentType": kind, "content": content.decode("utf-8", "replace")}
        for field, name, content, kind in plan.files
    }


def dry_document(plan: RequestPlan, base_url: str, auth_kind: str) -> dict[str, Any]:
    host = base_url.rstrip("/") or NO_HOST
    url = host + plan.target
    document: dict[str, Any] = {
        "url": url,
        "host": host,
        "pathEncoded": plan.target,
        "path": plan.path,
        "query": dict(plan.query),
        "method": plan.method,
        "headers": dry_headers(plan, auth_kind),
        "body": _files_document(plan) if plan.files else plan.body,
    }
    document["shell"] = render_curl(document)
    return document


def render_curl(document: Mapping[str, Any]) -> str:
    import shlex

    words = ["curl", "-X", document["method"]]
    body = document.get("body")
    if body is not None and not any("multipart" in v for v in document["headers"].values()):
        words += ["-d", json.dumps(body, separators=(",", ":"))]
    for name, value in document["headers"].items():
        words += ["-H", f"{name}: {value}"]
    words.append(document["url"])
    return " ".join(shlex.quote(word) for word in words)


def render_dry(plan: RequestPlan, base_url: str, auth_kind: str, dry_format: str, *, compact: bool) -> str:
    document = dry_document(plan, base_url, auth_kind)
    if dry_format == "json":
        if compact:
            return json.dumps(document, separators=(",", ":")) + "\n"
        return json.dumps(document, indent=2) + "\n"
    if dry_format == "curl":
        return f"##### Curl (shell)\n\n```bash\n{document['shell']}\n```\n\n"
    if dry_format == "dump":
        return _dump(document)
    return _markdown(document)


def _body_text(document: Mapping[str, Any], *, indent: int | None) -> str:
    body = document["body"]
    if body is None:
        return ""
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
    if document["body"] is not None:
        lines += ["", "#### Body", "", "```json", _body_text(document, indent=2), "```"]
    return "\n".join(lines) + "\n\n"


def _dump(document: Mapping[str, Any]) -> str:
    lines = [
        f"{document['method']} {document['pathEncoded']} HTTP/1.1",
        f"Host: {urlsplit(document['url']).netloc}",
    ]
    lines += [f"{name}: {value}" for name, value in document["headers"].items()]
    text = "\n".join(lines) + "\n\n"
    if document["body"] is not None:
        text += _body_text(document, indent=None) + "\n"
    return text + "\n"
