"""Exit codes of the two CLIs, declared once.

tedge (thin-edge.io reference §3.10): 0 ok, 1 any error, 2 usage, 3 connected without the new certificate.
c8y (go-c8y-cli reference §6.3): HTTP statuses map to fixed codes, plus the client-side codes below.
"""

from __future__ import annotations

from enum import IntEnum


class TedgeExit(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    NEW_CERT_NOT_ADOPTED = 3


class C8yExit(IntEnum):
    OK = 0
    CANCELLED = 2
    UNKNOWN = 99
    SYSTEM = 100
    USER = 101
    NO_SESSION = 102
    BATCH_ABORTED = 103
    BATCH_COMPLETED_WITH_ERRORS = 104
    JOB_LIMIT = 105
    TIMEOUT = 106
    INVALID_ALIAS = 107
    DECRYPTION = 108
    ASSERTION = 112


_C8Y_HTTP_EXIT: dict[int, int] = {
    400: 40,
    401: 1,
    403: 3,
    404: 4,
    405: 5,
    409: 9,
    413: 13,
    422: 22,
    429: 29,
}


def c8y_exit_for_status(status: int) -> int:
    """The go-c8y-cli exit code for an HTTP status: 2xx → 0, 5xx → status - 450, unknown 4xx → 99."""
    if 200 <= status < 300:
        return 0
    if status in _C8Y_HTTP_EXIT:
        return _C8Y_HTTP_EXIT[status]
    if 500 <= status <= 508:
        return status - 450
    return int(C8yExit.UNKNOWN)
