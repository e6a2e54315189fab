"""Two-factor TOTP: codes from a secret (RFC 6238, automation) and first-time enrolment with a QR code
drawn in the terminal (go-c8y-cli.md §4.4)."""

from __future__ import annotations

import io
from collections.abc import Callable
from urllib.parse import quote

from c8ylink.core.errors import AuthError
from c8ylink.infra.net.transport import Transport
from c8ylink.infra.prompts import Prompter
from c8ylink.operator.auth.flows import check_tfa_code

ATTEMPTS = 3


def totp_code(secret: str, now: float) -> str:
    """The code for ``now`` (the next window's when fewer than 5 s of this one are left)."""
    import pyotp

    compact = secret.replace(" ", "").upper()
    compact += "=" * (-len(compact) % 8)
    moment = now + 5 if now % 30 > 25 else now
    return str(pyotp.TOTP(compact).at(int(moment)))


def render_qr(text: str) -> str:
    """A QR code of ``text`` in terminal block characters."""
    import segno

    out = io.StringIO()
    segno.make(text, error="l").terminal(out=out, compact=True)
    return out.getvalue()


def enrol_totp(
    http: Transport,
    *,
    basic: str,
    username: str,
    issuer: str,
    prompter: Prompter,
    post: Callable[[str, object], int] | None = None,
) -> str:
    """Enrol the user (secret -> QR -> verify -> activate); returns the verified code for the login."""
    if not prompter.interactive:
        raise AuthError(
            f"two-factor authentication must be set up for {username} (TFA TOTP setup required): "
            "run set-session on a terminal to scan the QR code"
        )
    headers = {"Authorization": basic, "Accept": "application/json"}
    answer = http.request("POST", "/user/currentUser/totpSecret", headers=headers)
    if not answer.ok:
        raise AuthError(f"cannot start the two-factor setup: {answer.status} {answer.text[:200]}")
    document = answer.json()
    secret = str(document.get("rawSecret", ""))
    uri = f"otpauth://totp/{quote(username)}?secret={secret}&issuer={quote(issuer)}"
    prompter.write("Two-factor authentication (TOTP) must be set up. Scan this code with your app:\n")
    prompter.write(render_qr(uri))
    prompter.write(f"TOTP URL: {document.get('secretQrUrl', uri)}\nTOTP Secret: {secret}\n")
    for _ in range(ATTEMPTS):
        code = check_tfa_code(prompter.text("Enter Two-Factor code"))
        verified = http.request(
            "POST", "/user/currentUser/totpSecret/verify", json={"code": code}, headers=headers
        )
        if verified.ok:
            activated = http.request(
                "POST", "/user/currentUser/totpSecret/activity", json={"isActive": True}, headers=headers
            )
            if not activated.ok:
                raise AuthError(f"cannot activate two-factor authentication: {activated.status}")
            prompter.write("✓ Two-factor authentication is set up\n")
            return code
        prompter.write("✗ wrong code, try the current one again\n")
    raise AuthError("two-factor setup failed: the code was wrong 3 times")
