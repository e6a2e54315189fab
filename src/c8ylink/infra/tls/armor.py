"""PEM armour: find ``-----BEGIN <label>-----`` blocks, or read bare base64, and return DER bytes.

Clients send certificates and requests in several shapes (full PEM, PEM body without the armour
lines, single-line base64, raw DER); ``decode_der_blocks`` turns any of them into DER.
"""

from __future__ import annotations

import base64
import binascii
import re

_BLOCK = re.compile(
    rb"-----BEGIN ([A-Z0-9 #]+)-----\s*(.*?)\s*-----END \1-----",
    re.DOTALL,
)
_WHITESPACE = re.compile(rb"\s+")


def pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    """Every armoured block as ``(label, der)``; a block whose body is not base64 is skipped."""
    blocks = []
    for match in _BLOCK.finditer(data):
        body = _strip_headers(match.group(2))
        try:
            blocks.append((match.group(1).decode("ascii"), base64.b64decode(body, validate=True)))
        except (binascii.Error, ValueError):
            continue
    return blocks


def _strip_headers(body: bytes) -> bytes:
    # RFC 1421 style headers ("Proc-Type: ...") end with a blank line; drop them if present
    lines = body.splitlines()
    if any(b":" in line for line in lines[:2]):
        while lines and lines[0].strip():
            lines.pop(0)
    return _WHITESPACE.sub(b"", b"".join(lines))


def decode_der_blocks(data: bytes | str, labels: tuple[str, ...]) -> list[bytes]:
    """DER bytes from PEM blocks with one of ``labels``, else from bare base64, else ``data`` as DER.

    Returns an empty list when nothing usable is found.
    """
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if b"-----BEGIN" in raw:
        return [der for label, der in pem_blocks(raw) if label in labels]
    compact = _WHITESPACE.sub(b"", raw)
    if not compact:
        return []
    try:
        return [base64.b64decode(compact, validate=True)]
    except (binascii.Error, ValueError):
        pass
    return [raw] if raw[:1] == b"\x30" else []


def pem_body(pem: bytes | str) -> str:
    """The base64 body of the first PEM block (armour lines removed, inner newlines kept)."""
    text = pem.decode("ascii") if isinstance(pem, bytes) else pem
    lines = [line for line in text.strip().splitlines() if not line.startswith("-----")]
    return "\n".join(lines)
