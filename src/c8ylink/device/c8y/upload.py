"""``tedge cert upload c8y``: make the tenant trust a device certificate (cumulocity-api.md §3.9).

``GET /tenant/currentTenant`` (HTTP Basic) gives the tenant id, then
``POST /tenant/tenants/<id>/trusted-certificates`` adds the certificate with auto-registration on.
201 is "uploaded", 409 "already exists" (both success); 401 and 403 say what the user lacks. The
password is only ever sent in the Authorization header: it is not stored, logged or shown in a repr.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING

from c8ylink.core.errors import AuthError, C8yLinkError, ProtocolError

if TYPE_CHECKING:
    from c8ylink.infra.net.http import HttpClient, HttpResponse

JSON = "application/json"
TENANT_ROLES = "the Tenant Manager role (ROLE_TENANT_MANAGEMENT_ADMIN or ROLE_TENANT_ADMIN)"


@dataclass(frozen=True, slots=True)
class UserCredentials:
    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"UserCredentials(username={self.username!r}, password='********')"

    @property
    def basic(self) -> tuple[str, str]:
        return (self.username, self.password)


class UploadOutcome(enum.Enum):
    UPLOADED = "uploaded"
    ALREADY_EXISTS = "exists"


def status_text(status: int) -> str:
    """``401 Unauthorized``."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def c8y_error_message(response: HttpResponse) -> str | None:
    """The ``message`` of a Cumulocity error body, if there is one."""
    document = response.json_or_none()
    message = document.get("message") if isinstance(document, dict) else None
    return message if isinstance(message, str) and message else None


class UnexpectedStatusError(C8yLinkError):
    def __init__(self, status: int, detail: str | None = None) -> None:
        suffix = f": {detail}" if detail else ""
        super().__init__(f"Request returned with code: {status_text(status)}{suffix}")
        self.status = status


def _refused(response: HttpResponse, credentials: UserCredentials, action: str) -> C8yLinkError | None:
    if response.status == 401:
        return AuthError(
            f"Cumulocity refused the credentials of '{credentials.username}' "
            f"(HTTP status client error ({status_text(401)}) for url ({response.url})).\n"
            "Check the user name and the password; some tenants want the user name as <tenant>/<user>, "
            "and single sign-on (SSO) users cannot use this API"
        )
    if response.status == 403:
        return AuthError(
            f"The user '{credentials.username}' is not allowed to {action} "
            f"({status_text(403)} for url ({response.url})): it needs {TENANT_ROLES}"
        )
    return None


def fetch_tenant_id(client: HttpClient, base_url: str, credentials: UserCredentials) -> str:
    """The id (``name``) of the tenant the user belongs to."""
    response = client.request(
        "GET", f"{base_url}/tenant/currentTenant", headers={"Accept": JSON}, basic_auth=credentials.basic
    )
    refused = _refused(response, credentials, "read its tenant")
    if refused is not None:
        raise refused
    if not response.ok:
        raise C8yLinkError(
            f"HTTP status {'server' if response.status >= 500 else 'client'} error "
            f"({status_text(response.status)}) for url ({response.url})"
        )
    document = response.json()
    name = document.get("name") if isinstance(document, dict) else None
    if not isinstance(name, str) or not name:
        raise ProtocolError(f"GET {response.url}: the answer names no tenant")
    return name


def send_trusted_certificate(
    client: HttpClient,
    base_url: str,
    tenant_id: str,
    credentials: UserCredentials,
    *,
    name: str,
    pem: str,
) -> UploadOutcome:
    """POST the certificate; 200/201/409 are success, 401/403 are explained, anything else is an
    ``UnexpectedStatusError``."""
    body = {"name": name, "certInPemFormat": pem, "autoRegistrationEnabled": True, "status": "ENABLED"}
    response = client.request(
        "POST",
        f"{base_url}/tenant/tenants/{tenant_id}/trusted-certificates",
        json=body,
        headers={"Accept": JSON, "Content-Type": JSON},
        basic_auth=credentials.basic,
    )
    if response.status in (200, 201):
        return UploadOutcome.UPLOADED
    if response.status == 409:
        return UploadOutcome.ALREADY_EXISTS
    refused = _refused(response, credentials, "upload trusted certificates")
    if refused is not None:
        raise refused
    raise UnexpectedStatusError(response.status, c8y_error_message(response))
