"""Errors the tenant answers with: an HTTP status plus Cumulocity's ``{error, message}`` pair.

The state raises them; the REST layer renders them as ``application/vnd.com.nsn.cumulocity.error+json``
(and the MQTT layer, later, as SmartREST ``41``/JSON ``error`` messages).
"""

from __future__ import annotations

from c8ylink.core.errors import C8yLinkError

BAD_CREDENTIALS = "Invalid credentials! : Bad credentials"
TFA_CODE_REQUIRED = "Invalid credentials! : TFA TOTP code required."
TFA_SETUP_REQUIRED = "Invalid credentials! : TFA TOTP setup required"
LOGGED_OUT = "Invalid credentials! : User has been logged out"
ACCESS_DENIED = "Access is denied"


class TenantApiError(C8yLinkError):
    """``status`` (HTTP), ``error`` (``<resource>/<errorName>``) and a human ``message``."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error


def storage_error(message: str) -> TenantApiError:
    """The tenant could not store a change (its disk is full or read-only)."""
    return TenantApiError(507, "general/insufficientStorage", message)


def validation_error(message: str) -> TenantApiError:
    return TenantApiError(422, "undefined/validationError", message)


def missing_fields(*fields: str) -> TenantApiError:
    return validation_error(f"Following mandatory fields should be included: {','.join(fields)}")


def not_found(resource: str, message: str) -> TenantApiError:
    return TenantApiError(404, f"{resource}/Not Found", message)


def conflict(resource: str, message: str) -> TenantApiError:
    return TenantApiError(409, f"{resource}/Duplicate", message)


def unauthorized(message: str = BAD_CREDENTIALS) -> TenantApiError:
    return TenantApiError(401, "security/Unauthorized", message)


def forbidden(message: str = ACCESS_DENIED) -> TenantApiError:
    return TenantApiError(403, "security/Forbidden", message)


def bad_request(message: str, error: str = "general/badRequest") -> TenantApiError:
    return TenantApiError(400, error, message)
