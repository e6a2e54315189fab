"""HS256 tokens: what we sign verifies, anything else is refused with a reason."""

from __future__ import annotations

import pytest

from c8ylink.core.jwt import JwtError, decode_jwt_claims, encode_jwt, verify_jwt

KEY = b"k" * 32
CLAIMS = {"sub": "admin", "ten": "t100", "iat": 1000, "nbf": 1000, "exp": 2000}


def test_a_signed_token_verifies_and_round_trips_its_claims() -> None:
    token = encode_jwt(CLAIMS, KEY)
    assert verify_jwt(token, KEY, now=1500) == CLAIMS
    assert decode_jwt_claims(token) == CLAIMS


def test_clients_read_claims_without_the_key() -> None:
    token = encode_jwt({**CLAIMS, "iss": "localhost"}, KEY)
    assert decode_jwt_claims(token)["iss"] == "localhost"


@pytest.mark.parametrize(
    ("token", "now", "reason"),
    [
        (encode_jwt(CLAIMS, KEY), 2001, "expired"),
        (encode_jwt(CLAIMS, KEY), 999, "not valid yet"),
        (encode_jwt(CLAIMS, b"other-key"), 1500, "signature"),
        (encode_jwt({k: v for k, v in CLAIMS.items() if k != "exp"}, KEY), 1500, "no expiry"),
        ("abc", 1500, "three"),
        ("a.b.c", 1500, "malformed"),
        ("eyJhbGciOiJub25lIn0.e30.", 1500, "algorithm"),
    ],
    ids=["expired", "not-yet-valid", "forged", "no-exp", "not-a-jwt", "garbage-segments", "alg-none"],
)
def test_bad_tokens_are_refused_with_a_reason(token: str, now: int, reason: str) -> None:
    with pytest.raises(JwtError, match=reason):
        verify_jwt(token, KEY, now=now)


def test_a_tampered_payload_breaks_the_signature() -> None:
    header, _, signature = encode_jwt(CLAIMS, KEY).split(".")
    forged_payload = encode_jwt({**CLAIMS, "sub": "root"}, b"x").split(".")[1]
    with pytest.raises(JwtError, match="signature"):
        verify_jwt(f"{header}.{forged_payload}.{signature}", KEY, now=1500)
