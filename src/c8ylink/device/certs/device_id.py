"""Device ids: the Common Name of the device certificate and the device's external id in Cumulocity.

thin-edge's rule: 1 to 64 bytes from ``A-Z a-z 0-9 ' = ( ) , - . ? _ * @ ! %``. The error texts are
upstream's (``DeviceID Error`` caused by the reason), so scripts matching them keep working.
"""

from __future__ import annotations

import string

from c8ylink.core.errors import C8yLinkError
from c8ylink.core.settings.types import rust_debug_str

MAX_DEVICE_ID_BYTES = 64
ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + "'=(),-.?_*@!%")

NO_DEVICE_ID = "No device ID is provided. Use --device-id <name> option to specify the device ID."


def device_id_problem(device_id: str) -> str | None:
    """Why ``device_id`` cannot be used as a device id, or ``None`` when it can."""
    if not device_id:
        return "The empty string cannot be used as a name"
    if len(device_id.encode("utf-8")) > MAX_DEVICE_ID_BYTES:
        return (
            f"The string '{rust_debug_str(device_id)}' is more than {MAX_DEVICE_ID_BYTES} characters long "
            "and cannot be used as a name"
        )
    if not all(character in ALLOWED_CHARACTERS for character in device_id):
        return (
            f"The string '{rust_debug_str(device_id)}' contains characters which cannot be used in a name "
            "[use only A-Z, a-z, 0-9, ' = ( ) , - . ? % * _ ! @]"
        )
    return None


def check_device_id(device_id: str) -> str:
    """``device_id`` when valid; else ``DeviceID Error`` caused by the reason."""
    problem = device_id_problem(device_id)
    if problem is not None:
        raise C8yLinkError("DeviceID Error") from C8yLinkError(problem)
    return device_id
