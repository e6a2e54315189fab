"""``TenantState``: one tenant's stores, its clock, ids and secrets, and the rules spanning stores.

Every mutation is recorded in ``journal`` (for persistence) and may append ``signals`` (for front
ends); ``tenant.service`` takes both after each request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from c8ylink.core.clock import Clock
from c8ylink.tenant.state.access import Principal
from c8ylink.tenant.state.alarms import Alarms
from c8ylink.tenant.state.applications import Applications
from c8ylink.tenant.state.audit import KIND as AUDIT_KIND
from c8ylink.tenant.state.errors import forbidden, validation_error
from c8ylink.tenant.state.events import Events
from c8ylink.tenant.state.identity import SERIAL, Identity
from c8ylink.tenant.state.ids import SecretSource, SequentialIds
from c8ylink.tenant.state.inventory import CHILD_KINDS, Inventory
from c8ylink.tenant.state.journal import Journal
from c8ylink.tenant.state.measurements import Measurements
from c8ylink.tenant.state.operations import Operations
from c8ylink.tenant.state.options import TenantOptions
from c8ylink.tenant.state.records import RecordStore
from c8ylink.tenant.state.registrations import Registrations
from c8ylink.tenant.state.roles import implied_roles
from c8ylink.tenant.state.signals import ManagedObjectDeleted, TenantEvent, UserDeleted
from c8ylink.tenant.state.sso import SsoProvider
from c8ylink.tenant.state.tokens import Tokens
from c8ylink.tenant.state.trust import CA_KIND, TrustedCertificates
from c8ylink.tenant.state.user_groups import UserGroups
from c8ylink.tenant.state.users import DEVICE_PREFIX, User, Users

MANAGEMENT_TENANT = "management"
BOOTSTRAP_USER = "devicebootstrap"
STORED_KINDS = (
    "managedObject",
    "externalId",
    "measurement",
    "event",
    "alarm",
    "operation",
    "user",
    "registration",
    "trustedCertificate",
    CA_KIND,
    "revokedToken",
    "ssoUser",
    "userGroup",
    "inventoryRole",
    "inventoryAssignment",
    AUDIT_KIND,
    "application",
    "applicationSubscription",
    "tenantOption",
    "tenantInfo",
    "retentionRule",
    "bulkOperation",
    "notificationSubscription",
)


@dataclass(frozen=True, slots=True)
class TenantIdentity:
    """What names the tenant: id (``t100``), domain (``localhost``) and the JWT signing key."""

    tenant_id: str
    domain: str
    jwt_key: bytes


class TenantState:
    def __init__(
        self,
        identity: TenantIdentity,
        *,
        clock: Clock,
        secrets: SecretSource,
        ids: SequentialIds | None = None,
    ) -> None:
        self.tenant_id = identity.tenant_id
        self.domain = identity.domain
        self.clock = clock
        self.secrets = secrets
        self.ids = ids or SequentialIds()
        self.journal = Journal()
        self.signals: list[TenantEvent] = []
        self.inventory = Inventory(self.journal, self.ids)
        self.identity = Identity(self.journal)
        self.measurements = Measurements(self.journal, self.ids)
        self.events = Events(self.journal, self.ids)
        self.alarms = Alarms(self.journal, self.ids)
        self.operations = Operations(self.journal, self.ids)
        self.users = Users(self.journal, secrets)
        self.registrations = Registrations(self.journal, secrets)
        self.trust = TrustedCertificates(self.journal)
        self.tokens = Tokens(
            self.journal, secrets, key=identity.jwt_key, tenant=identity.tenant_id, domain=identity.domain
        )
        self.sso = SsoProvider(self.journal, secrets)
        self.groups = UserGroups(self.journal)
        self.applications = Applications(self.journal)
        self.options = TenantOptions(self.journal)
        self.tenant_info = RecordStore(self.journal, "tenantInfo", resource="tenant", what="Tenant")
        self.retentions = RecordStore(
            self.journal, "retentionRule", resource="retention", what="Retention rule"
        )
        self.bulk_operations = RecordStore(
            self.journal, "bulkOperation", resource="bulkoperation", what="Bulk operation", ids=self.ids
        )
        self.notification_subscriptions = RecordStore(
            self.journal,
            "notificationSubscription",
            resource="notification2",
            what="Subscription",
            ids=self.ids,
        )
        self.audit = RecordStore(
            self.journal, AUDIT_KIND, resource="audit", what="Audit record", ids=self.ids
        )

    def now(self) -> datetime:
        return self.clock.now()

    def emit(self, signal: TenantEvent) -> None:
        self.signals.append(signal)

    def take_signals(self) -> list[TenantEvent]:
        taken, self.signals = self.signals, []
        return taken

    # -- persistence -----------------------------------------------------------------------------------
    def restore(self, records: Mapping[str, Sequence[tuple[str, dict[str, Any]]]]) -> None:
        """Load what ``Journal`` recorded earlier (kind -> [(key, value)]); the journal stays empty."""

        def values(kind: str) -> list[dict[str, Any]]:
            return [value for _, value in records.get(kind, ())]

        self.inventory.restore(values("managedObject"))
        self.identity.restore(values("externalId"))
        self.measurements.restore(values("measurement"))
        self.events.restore(values("event"))
        self.alarms.restore(values("alarm"))
        self.operations.restore(values("operation"))
        self.users.restore(values("user"))
        self.registrations.restore(values("registration"))
        authority = values(CA_KIND)
        self.trust.restore(values("trustedCertificate"), authority[0] if authority else None)
        self.tokens.restore(records.get("revokedToken", ()))
        self.sso.restore(values("ssoUser"))
        self.groups.custom.restore(values("userGroup"))
        self.groups.inventory_roles.restore(values("inventoryRole"))
        self.groups.assignments.restore(values("inventoryAssignment"))
        self.audit.restore(values(AUDIT_KIND))
        self.applications.custom.restore(values("application"))
        self.applications.subscriptions.restore(values("applicationSubscription"))
        self.options.restore(values("tenantOption"))
        self.tenant_info.restore(values("tenantInfo"))
        self.retentions.restore(values("retentionRule"))
        self.bulk_operations.restore(values("bulkOperation"))
        self.notification_subscriptions.restore(values("notificationSubscription"))
        shared = ("managedObject", "measurement", "event", "alarm", "operation", AUDIT_KIND)
        for kind in (*shared, "bulkOperation", "notificationSubscription"):
            for key, _ in records.get(kind, ()):
                self.ids.observe(key)
        for application in self.applications.custom.all():
            for binary in application.get("binaries", ()):
                self.ids.observe(binary["id"])
        self.journal.take()

    # -- users, their groups and roles --------------------------------------------------------------------
    def effective_roles(self, user: User) -> frozenset[str]:
        """The coarse roles a login of ``user`` gets: its own, plus what its groups and direct
        ``ROLE_*`` grant."""
        granted = [role for group in self.groups.groups_of(user) for role in group["roles"]]
        return user.roles | implied_roles([*granted, *user.direct_roles])

    def role_names(self, user: User) -> list[str]:
        """Every ``ROLE_*`` the user has, through its groups or directly."""
        names = {role for group in self.groups.groups_of(user) for role in group["roles"]}
        return sorted(names | set(user.direct_roles))

    def delete_user(self, user: User) -> None:
        self.users.delete(user)
        self.groups.forget_user(user.username)
        self.emit(UserDeleted(user.username))

    def bump_members(self, group: Mapping[str, Any]) -> None:
        for member in self.groups.members_of(group, self.users.all(self.tenant_id)):
            self.users.bump(member)

    # -- devices and their scope -------------------------------------------------------------------------
    def device_objects(self, username: str) -> set[str]:
        """Objects a device user may write: those it owns and everything below them."""
        owned = {doc["id"] for doc in self.inventory.select_owned(username)}
        serial = username[len(DEVICE_PREFIX) :] if username.startswith(DEVICE_PREFIX) else None
        if serial is not None:
            bound = self.identity.find(SERIAL, serial)
            if bound is not None and bound.object_id in self.inventory:
                owned.add(bound.object_id)
        scope = set(owned)
        for object_id in owned:
            scope |= self.inventory.descendants(object_id, CHILD_KINDS)
        return scope

    def check_may_write(self, principal: Principal, object_id: str) -> None:
        """People may write anything; a device only its own objects and their descendants; a user without
        global roles where an inventory role grants ADMIN (else 403)."""
        if principal.is_business_user:
            return
        if not principal.roles:  # a user with inventory roles: where one grants ADMIN
            from c8ylink.tenant.state.inventory_access import inventory_access

            access = inventory_access(self, principal)
            if access is not None and any(object_id in ids for ids in access.writable.values()):
                return
        if not principal.is_device:
            raise forbidden()
        if self._owned_directly(principal.username, object_id):
            return
        if object_id not in self.device_objects(principal.username):
            raise forbidden()

    def _owned_directly(self, username: str, object_id: str) -> bool:
        """The cheap common case: the device owns the object or is bound to it by its serial."""
        document = self.inventory.find(object_id)
        if document is None:
            return False
        if document.get("owner") == username:
            return True
        if username.startswith(DEVICE_PREFIX):
            bound = self.identity.find(SERIAL, username[len(DEVICE_PREFIX) :])
            return bound is not None and bound.object_id == object_id
        return False

    def agent_of(self, device_id: str) -> str | None:
        """The device itself if it is an agent, else the nearest agent above it (operations go there)."""
        for candidate in [device_id, *self.inventory.ancestors(device_id)]:
            document = self.inventory.find(candidate)
            if document is not None and "com_cumulocity_model_Agent" in document:
                return candidate
        return None

    def source_name(self, object_id: str) -> str | None:
        document = self.inventory.find(object_id)
        name = document.get("name") if document else None
        return name if isinstance(name, str) else None

    # -- deleting --------------------------------------------------------------------------------------
    def delete_managed_object(self, object_id: str, *, cascade: bool, with_device_user: bool) -> list[str]:
        owners = {self.inventory.get(object_id).get("owner")}
        removed = self.inventory.delete(object_id, cascade=cascade)
        gone = set(removed)
        for removed_id in removed:
            self.identity.forget_object(removed_id)
            self.emit(ManagedObjectDeleted(removed_id))
        self.measurements.forget_sources(gone)
        self.events.forget_sources(gone)
        self.alarms.forget_sources(gone)
        self.operations.forget_devices(gone)
        if with_device_user:
            for owner in owners:
                user = self.users.find(self.tenant_id, owner) if isinstance(owner, str) else None
                if user is not None and user.is_device:
                    self.delete_user(user)
        return removed

    def add_child_reference(self, parent_id: str, kind: str, child_id: str) -> None:
        if kind not in CHILD_KINDS:
            raise validation_error(f"Unknown child collection {kind}")
        self.inventory.add_reference(parent_id, kind, child_id)
