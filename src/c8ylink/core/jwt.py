"""JSON Web Tokens (RFC 7519) signed with HMAC-SHA256, and unverified claim reading.

Cumulocity's clients read a token's claims without verifying it (``iss`` gives the tenant host,
``xsrfToken`` the header value, ``exp`` the expiry); the local tenant signs and verifies its own
tokens. Both need only the standard library, so the codec lives here.

    encode_jwt(claims, key)             -> "<header>.<payload>.<signature>" (HS256)
    decode_jwt_claims(token)            -> claims, signature NOT checked
    verify_jwt(token, key, now=...)     -> claims, or JwtError (bad format, signature, time window)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from c8ylink.core.errors import ProtocolError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_HEADER = {"alg": "HS256", "typ": "JWT"}


class JwtError(ProtocolError):
    """A token that cannot be decoded, is not signed by us, or is outside its validity window."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JwtError("malformed token: a segment is not base64url") from exc


def _json_segment(data: Mapping[str, Any]) -> str:
    return _b64encode(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())


def _signature(signing_input: str, key: bytes) -> bytes:
    import hashlib  # here: reading a token's claims (every c8y command) needs neither
    import hmac

    return hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()


def encode_jwt(claims: Mapping[str, Any], key: bytes) -> str:
    """A compact HS256 token carrying ``claims``."""
    signing_input = f"{_json_segment(_HEADER)}.{_json_segment(claims)}"
    return f"{signing_input}.{_b64encode(_signature(signing_input, key))}"


def _split(token: str) -> tuple[str, str, str]:
    if not token.isascii():  # a token is base64url and dots: anything else (a lone surrogate ...) is refused
        raise JwtError("malformed token: not ASCII")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise JwtError("malformed token: expected three dot-separated segments")
    return parts[0], parts[1], parts[2]


def _decode_object(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
        raise JwtError(f"malformed token: the {what} is not JSON") from exc
    if not isinstance(value, dict):
        raise JwtError(f"malformed token: the {what} is not a JSON object")
    return value


def decode_jwt_claims(token: str) -> dict[str, Any]:
    """The claims of ``token`` without checking its signature (what clients do with server tokens)."""
    _, payload, _ = _split(token)
    return _decode_object(payload, "payload")


def verify_jwt(token: str, key: bytes, *, now: float, leeway: float = 0.0) -> dict[str, Any]:
    """The claims of an HS256 ``token`` signed with ``key`` and valid at ``now`` (seconds since epoch)."""
    header_segment, payload_segment, signature_segment = _split(token)
    header = _decode_object(header_segment, "header")
    if header.get("alg") != "HS256":
        raise JwtError(f"unsupported token algorithm: {header.get('alg')!r}")
    expected = _signature(f"{header_segment}.{payload_segment}", key)
    import hmac

    if not hmac.compare_digest(expected, _b64decode(signature_segment)):
        raise JwtError("invalid token signature")
    claims = _decode_object(payload_segment, "payload")
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if not isinstance(exp, int | float):
        raise JwtError("token has no expiry")
    if now > exp + leeway:
        raise JwtError("token has expired")
    if isinstance(nbf, int | float) and now + leeway < nbf:
        raise JwtError("token is not valid yet")
    return claims
