"""What ``tedge cert download c8y`` tells the operator before it waits (pure; randomness is a parameter).

    otp = generate_one_time_password(secrets.choice)        # 32 letters and digits
    render_registration(host, device_id, otp, shown=True)   # the block printed on stderr

A one-time password the user gave is never printed: the URL then carries an empty
``one-time-password=`` and the text asks to fill it in.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from urllib.parse import urlencode

OTP_LENGTH = 32  # Cumulocity's maximum
OTP_ALPHABET = string.ascii_letters + string.digits
INDENT = "    "


def generate_one_time_password(choose: Callable[[str], str], length: int = OTP_LENGTH) -> str:
    return "".join(choose(OTP_ALPHABET) for _ in range(length))


def registration_url(host: str, device_id: str, one_time_password: str) -> str:
    """The Device Management page that registers ``device_id`` with the password pre-filled."""
    query = urlencode({"externalId": device_id, "one-time-password": one_time_password})
    return f"https://{host}/apps/devicemanagement/index.html#/deviceregistration?{query}"


def render_registration(
    host: str, device_id: str, one_time_password: str, *, shown: bool, with_url: bool = True
) -> str:
    """The registration details; ``shown``: the password was generated here and may be printed."""
    lines = [f"Register the device on {host}:", "", f"{INDENT}device id:          {device_id}"]
    if shown:
        lines.append(f"{INDENT}one-time password:  {one_time_password}")
    else:
        lines.append(f"{INDENT}one-time password:  (the one given to this command, not shown)")
    if with_url:
        action = "register the device" if shown else "register the device, filling in the one-time password"
        url = registration_url(host, device_id, one_time_password if shown else "")
        lines += ["", f"{INDENT}Open the following URL to {action}:", "", f"{INDENT}{url}"]
    lines += ["", "Waiting for the device to be registered ..."]
    return "\n".join(lines)
