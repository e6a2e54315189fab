"""Who a CONNECT is (cumulocity-api.md §1.3, §1.4, §4.3 rules 17-18): a ``DeviceIdentity`` or a refusal.

Client id ``[connectionType:]deviceIdentifier[:defaultTemplateXId]``; the device identifier is the
device's ``c8y_Serial`` and names the session (``abc`` and ``d:abc`` are the same device).

* Certificate (TLS listener, a client certificate was presented): the chain must lead to an ENABLED
  trusted certificate of the tenant (the tenant CA is one); the leaf's CN must be the device
  identifier; the device user ``device_<CN>`` must exist (bulk CERTIFICATES registration, EST
  enrollment) or is created when the anchor has ``autoRegistrationEnabled``. Any problem: CONNACK 5.
* Password (either listener, no certificate): ``<tenant>/<user>`` + password; a wrong user or
  password is CONNACK 4, a missing username or an empty password CONNACK 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from c8ylink.core.errors import TlsError
from c8ylink.core.mqtt.packets import ConnackCode, Connect
from c8ylink.infra.tls.certs import Certificate, fingerprint_sha1
from c8ylink.infra.tls.chains import build_chain
from c8ylink.infra.tls.names import common_name_of
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.enrollment import ensure_device_user
from c8ylink.tenant.state.errors import TenantApiError
from c8ylink.tenant.state.lockout import LoginGuard
from c8ylink.tenant.state.tenant import TenantState
from c8ylink.tenant.state.users import DEVICE, device_username

CERTIFICATE, PASSWORD = "certificate", "password"
_FORBIDDEN_ID_CHARS = frozenset("/+#\"'\\,")
MQTT31_MAX_CLIENT_ID = 23


class Refused(Exception):
    """The CONNECT is refused with ``code`` (the reason is for the log, never for the client)."""

    def __init__(self, code: ConnackCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ClientId:
    connection_type: str
    serial: str
    template_xid: str | None


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """An accepted session: the device it is bound to and who acts (``principal``)."""

    client_id: str
    serial: str
    template_xid: str | None
    principal: Principal
    method: str
    anchor: str | None = None  # fingerprint of the trusted certificate the chain ends at

    @property
    def username(self) -> str:
        return self.principal.username


def parse_client_id(client_id: str) -> ClientId:
    """``[type:]serial[:xid]``; ``Refused(2)`` for an empty id, too many parts or characters that
    cannot appear in a device identifier (``/ + #``, quotes, commas, whitespace, control characters)."""
    if not client_id:
        raise Refused(ConnackCode.IDENTIFIER_REJECTED, "empty client id")
    if any(char in _FORBIDDEN_ID_CHARS or not char.isprintable() or char.isspace() for char in client_id):
        raise Refused(ConnackCode.IDENTIFIER_REJECTED, f"invalid characters in client id {client_id!r}")
    parts = client_id.split(":")
    if len(parts) > 3 or any(not part for part in parts):
        raise Refused(ConnackCode.IDENTIFIER_REJECTED, f"malformed client id {client_id!r}")
    if len(parts) == 1:
        return ClientId("d", parts[0], None)
    if len(parts) == 3:
        return ClientId(parts[0], parts[1], parts[2])
    if len(parts[0]) == 1:  # "d:serial"
        return ClientId(parts[0], parts[1], None)
    return ClientId("d", parts[0], parts[1])


def authenticate(
    state: TenantState, connect: Connect, chain: Sequence[Certificate], guard: LoginGuard | None = None
) -> DeviceIdentity:
    """The identity of an incoming session (``chain``: what the client presented, leaf first). ``guard``
    counts wrong passwords with REST's: a locked login is refused here too."""
    client = parse_client_id(connect.client_id)
    if connect.level == 3 and len(connect.client_id) > MQTT31_MAX_CLIENT_ID:
        raise Refused(ConnackCode.NOT_AUTHORIZED, "MQTT 3.1 client id longer than 23 characters")
    if chain:
        return _by_certificate(state, connect.client_id, client, chain)
    return _by_password(state, connect, client, guard or LoginGuard())


def _by_certificate(
    state: TenantState, client_id: str, client: ClientId, chain: Sequence[Certificate]
) -> DeviceIdentity:
    anchors = {trusted.fingerprint: trusted for trusted in state.trust.enabled()}
    try:
        path = build_chain(
            chain[0], list(chain[1:]), [t.certificate for t in anchors.values()], now=state.now()
        )
    except TlsError as exc:
        raise Refused(ConnackCode.NOT_AUTHORIZED, f"untrusted certificate: {exc}") from exc
    anchor = anchors[fingerprint_sha1(path[-1])]
    common_name = common_name_of(chain[0].subject)
    if common_name != client.serial:
        raise Refused(
            ConnackCode.NOT_AUTHORIZED,
            f"certificate CN {common_name!r} is not the device identifier {client.serial!r}",
        )
    username = device_username(client.serial)
    user = state.users.find(state.tenant_id, username)
    if user is None:
        if not anchor.auto_registration:
            raise Refused(ConnackCode.NOT_AUTHORIZED, f"device {client.serial!r} is not registered")
        user = ensure_device_user(state, username, None)
    if not user.is_device:
        raise Refused(ConnackCode.NOT_AUTHORIZED, f"{username} is not a device user")
    principal = Principal(state.tenant_id, username, frozenset({DEVICE}), CERTIFICATE)
    return DeviceIdentity(
        client_id, client.serial, client.template_xid, principal, CERTIFICATE, anchor.fingerprint
    )


def _by_password(state: TenantState, connect: Connect, client: ClientId, guard: LoginGuard) -> DeviceIdentity:
    if connect.username is None:
        raise Refused(ConnackCode.NOT_AUTHORIZED, "neither a client certificate nor a username")
    if not connect.password:
        raise Refused(ConnackCode.NOT_AUTHORIZED, "empty password")
    tenant, separator, name = connect.username.partition("/")
    user = state.users.find(tenant, name) if separator and tenant == state.tenant_id else None
    key, now = f"password:{tenant}/{name}", state.now().timestamp()
    try:
        guard.check(key, now)
    except TenantApiError as exc:
        raise Refused(ConnackCode.NOT_AUTHORIZED, f"{connect.username}: {exc}") from exc
    try:
        password = connect.password.decode("utf-8")
    except UnicodeDecodeError:
        password = ""
    # the same password-hash work for an unknown user as for a wrong password (no user enumeration)
    if not state.users.check_password(user, password) or user is None:
        guard.failed(key, now)
        raise Refused(
            ConnackCode.BAD_USERNAME_OR_PASSWORD, f"bad username or password for {connect.username}"
        )
    guard.succeeded(key)
    if user.tfa_active or user.tfa_setup_required:
        raise Refused(ConnackCode.NOT_AUTHORIZED, f"{connect.username} uses two-factor authentication")
    principal = Principal(user.tenant, user.username, user.roles, PASSWORD)
    return DeviceIdentity(connect.client_id, client.serial, client.template_xid, principal, PASSWORD)
